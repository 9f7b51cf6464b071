/*
 * slab_cache: creating, destroying and shrinking caches, and starting and stopping the slab
 * layer (include/mm/slab.h; shared internals in mm/slab_internal.h).
 *
 * Design: a cache's geometry is fixed at creation (cache_layout(): object slot, stride,
 * objects per slab, colors); its magazine size and depot limit are chosen by object size
 * (smaller objects: bigger magazines). Descriptors come from the allocator's own cache
 * (kmem_cache_cache), magazines from kmem_magazine_cache; both are set up by slab_init()
 * without magazines, so setting them up allocates nothing. Destroying a cache with live
 * objects is refused (-EBUSY) after a report; shrinking drains the magazines and returns the
 * empty slabs.
 */
#include "slab_internal.h"

#include "lib/printk.h"
#include "lib/errno.h"
#include "lib/preempt.h"

static bool debug_default;    /* slub_debug: caches created from now on debug */
static uint64_t secret_state; /* seeds the per-cache free-pointer secrets */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void slab_set_debug(bool on)
{
	debug_default = on;
}

bool slab_debug_enabled(void)
{
	return debug_default;
}

/* ---- caches --------------------------------------------------------------------------------- */

static uint32_t pick_magsize(uint32_t size)
{
	if (size <= 256)
		return KMEM_MAG_MAX;
	if (size <= 1024)
		return 31;
	if (size <= 4096)
		return 15;
	return 7;
}

static uint32_t pick_depot_max(uint32_t size)
{
	if (size <= 256)
		return 8;
	return size <= 1024 ? 4 : 2;
}

/*
 * Fill in @c's geometry. Returns 0, or -EINVAL when not even one object fits a slab.
 * Layout of one object slot (debug: left red zone, object, right red zone, track):
 *
 *   non-debug:  | object (>= a pointer; the free pointer overlays word 0) | pad |
 *   with ctor:  | object | free pointer | pad |
 *   debug:      | red zone (redzone) | object | red zone | struct kmem_track | pad |
 *                                    ^ object address; fp_off and track_off count from here
 */
static int cache_layout(struct kmem_cache *c, uint32_t size, uint32_t align)
{
	uint32_t hdr = (uint32_t)sizeof(struct slab), slot, n, first_slot, leftover;
	const uint32_t ob = (uint32_t)sizeof(((struct slab *)0)->owners[0]); /* per object */

	c->objsize = size;
	c->align = align;
	if (cache_debug(c)) {
		c->redzone = ALIGN_UP(KMEM_RED_ZONE, align);
		c->track_off = ALIGN_UP(size, KMEM_MIN_ALIGN) + KMEM_RED_ZONE;
		c->fp_off = c->track_off + (uint32_t)offsetof(struct kmem_track, next);
		slot = c->redzone + c->track_off + (uint32_t)sizeof(struct kmem_track);
	} else if (c->ctor) {
		c->redzone = 0;
		c->fp_off = ALIGN_UP(size, KMEM_MIN_ALIGN);
		c->track_off = c->fp_off;
		slot = c->fp_off + KMEM_MIN_ALIGN;
	} else {
		c->redzone = 0;
		c->fp_off = 0;
		c->track_off = 0;
		slot = MAX(size, KMEM_MIN_ALIGN);
	}
	c->stride = ALIGN_UP(slot, align);
	n = (KMEM_SLAB_SIZE - hdr) / (c->stride + ob);
	while (n > 0 && ALIGN_UP(hdr + n * ob, align) + n * c->stride > KMEM_SLAB_SIZE)
		n--;
	if (n == 0)
		return -EINVAL;
	first_slot = ALIGN_UP(hdr + n * ob, align);
	leftover = KMEM_SLAB_SIZE - first_slot - n * c->stride;
	c->capacity = n;
	c->first_off = first_slot + c->redzone;
	c->recip = (uint32_t)(0xffffffffu / c->stride) + 1u;
	c->color_step = MAX(align, KMEM_CACHE_LINE);
	c->color_max = leftover / c->color_step * c->color_step;
	c->color_next = 0;
	return 0;
}

/* Set up descriptor @c (zeroed by the caller). Returns 0 or -errno. */
static int cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align,
                       void (*ctor)(void *), unsigned flags)
{
	uint32_t magsize;

	kstrlcpy(c->name, name, sizeof(c->name));
	if (debug_default && !(flags & KMEM_NO_DEBUG))
		flags |= KMEM_DEBUG;
	if (flags & KMEM_NO_DEBUG)
		flags &= ~KMEM_DEBUG;
	if (flags & KMEM_HWCACHE_ALIGN)
		align = MAX(align, KMEM_CACHE_LINE);
	c->flags = flags;
	c->ctor = ctor;
	if (cache_layout(c, (uint32_t)size, (uint32_t)MAX(align, KMEM_MIN_ALIGN)) < 0)
		return -EINVAL;
	c->secret = (uintptr_t)splitmix64(&secret_state) | 1u;
	list_init(&c->full);
	list_init(&c->partial);
	list_init(&c->empty);
	magsize = (flags & (KMEM_DEBUG | KMEM_NO_MAGAZINE)) ? 0 : pick_magsize((uint32_t)size);
	c->depot_max = magsize ? pick_depot_max((uint32_t)size) : 0;
	for (unsigned i = 0; i < KMEM_NR_CPUS; i++) {
		c->cpu[i].loaded = &kmem_no_magazine;
		c->cpu[i].previous = &kmem_no_magazine;
	}
	if (magsize) {
		for (unsigned i = 0; i < KMEM_NR_CPUS; i++) {
			struct kmem_magazine *a = magazine_new(), *b = a ? magazine_new() : NULL;

			if (!b) {
				if (a)
					magazine_delete(a);
				for (unsigned j = 0; j < i; j++) {
					magazine_delete(c->cpu[j].loaded);
					magazine_delete(c->cpu[j].previous);
				}
				return -ENOMEM;
			}
			c->cpu[i].loaded = a;
			c->cpu[i].previous = b;
		}
	}
	c->magsize = magsize;
	list_add_tail(&c->link, &kmem_caches);
	return 0;
}

static struct kmem_cache *kmem_cache_create_unlocked(const char *name, size_t size, size_t align,
                                                     void (*ctor)(void *obj), unsigned flags)
{
	struct mm_error err = { 0 };
	struct kmem_cache *c;
	struct slab *s;
	int rc;

	if (!kmem_started || !name) {
		pr_warn("slab: kmem_cache_create(%s): slab layer not started or no name\n",
		        name ? name : "(null)");
		return NULL;
	}
	if (size == 0 || size > KMEM_MAX_OBJECT_SIZE) {
		pr_warn("slab: kmem_cache_create(%s): object size %zu not in 1..%u\n", name, size,
		        KMEM_MAX_OBJECT_SIZE);
		return NULL;
	}
	if (align && (!is_pow2(align) || align > KMEM_MAX_ALIGN)) {
		pr_warn("slab: kmem_cache_create(%s): alignment %zu is not a power of two <= %u\n",
		        name, align, KMEM_MAX_ALIGN);
		return NULL;
	}
	s = slab_with_free(&kmem_cache_cache, KM_KERNEL, &err);
	if (!s)
		return NULL;
	c = slab_take(&kmem_cache_cache, s);
	memset(c, 0, sizeof(*c));
	rc = cache_setup(c, name, size, align, ctor, flags & ~KMEM_INTERNAL);
	if (rc < 0) {
		if (rc == -EINVAL)
			pr_warn("slab: kmem_cache_create(%s): %zu-byte objects do not fit a slab\n",
			        name, size);
		slab_put(&kmem_cache_cache, kmem_slab_of((uintptr_t)c), c);
		return NULL;
	}
	return c;
}

static int kmem_cache_destroy_unlocked(struct kmem_cache *c)
{
	struct slab *s, *tmp;

	if (!c)
		return 0;
	kmem_cache_drain(c);
	if (c->inuse - c->lost) {
		kmem_report("slab: kmem_cache_destroy(%s): %lu objects still in use\n", c->name,
		            c->inuse - c->lost);
		kmem_report_live_objects(c);
		return -EBUSY;
	}
	for (unsigned i = 0; i < KMEM_NR_CPUS; i++) {
		magazine_delete(c->cpu[i].loaded);
		magazine_delete(c->cpu[i].previous);
		c->cpu[i].loaded = &kmem_no_magazine;
		c->cpu[i].previous = &kmem_no_magazine;
	}
	c->magsize = 0;
	list_for_each_entry_safe(s, tmp, &c->empty, link) slab_release(c, s);
	/* Left: slabs whose only objects in use are the abandoned ones. */
	list_for_each_entry_safe(s, tmp, &c->partial, link) slab_release(c, s);
	list_for_each_entry_safe(s, tmp, &c->full, link) slab_release(c, s);
	list_del(&c->link);
	if (!(c->flags & KMEM_INTERNAL))
		slab_put(&kmem_cache_cache, kmem_slab_of((uintptr_t)c), c);
	return 0;
}

static size_t kmem_cache_shrink_unlocked(struct kmem_cache *c)
{
	size_t before = kmem_slab_pages;
	struct slab *s, *tmp;

	kmem_cache_drain(c);
	list_for_each_entry_safe(s, tmp, &c->empty, link) slab_release(c, s);
	return before - kmem_slab_pages;
}

static size_t kmem_shrink_all_unlocked(void)
{
	size_t before = kmem_slab_pages;
	struct kmem_cache *c;

	list_for_each_entry(c, &kmem_caches, link) if (!(c->flags & KMEM_INTERNAL))
	    kmem_cache_shrink(c);
	/* Last: the caches above just gave back their depot magazines. */
	kmem_cache_shrink(&kmem_magazine_cache);
	kmem_cache_shrink(&kmem_cache_cache);
	return before - kmem_slab_pages;
}

/* ---- start and stop ----------------------------------------------------------------------------
 */

int slab_init(const struct slab_page_ops *ops, uint64_t seed)
{
	uintptr_t base;

	if (kmem_started)
		return -EBUSY;
	if (!ops || !ops->alloc_pages || !ops->free_pages || ops->span == 0)
		return -EINVAL;
	base = ops->base & ~KMEM_SLAB_MASK;
	if (ops->span + (ops->base - base) > KMEM_REGION_SPAN_MAX)
		return -EINVAL;
	kmem_page_ops = *ops;
	memset(&kmem_region, 0, sizeof(kmem_region));
	kmem_region.base = base;
	kmem_region.span = ALIGN_UP(ops->span + (ops->base - base), (uintptr_t)KMEM_SLAB_SIZE);
	secret_state = seed ^ 0x5eed5eed5eed5eedULL;
	list_init(&kmem_caches);
	list_init(&kmem_large_objects);
	kmem_slab_pages = 0;
	kmem_large_pages = 0;
	memset(&kmem_cache_cache, 0, sizeof(kmem_cache_cache));
	memset(&kmem_magazine_cache, 0, sizeof(kmem_magazine_cache));
	kmem_started = true;
	/* Both are KMEM_NO_MAGAZINE, so setting them up allocates nothing. */
	cache_setup(&kmem_cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0, NULL,
	            KMEM_INTERNAL | KMEM_NO_DEBUG | KMEM_NO_MAGAZINE);
	cache_setup(&kmem_magazine_cache, "kmem_magazine", sizeof(struct kmem_magazine), 0, NULL,
	            KMEM_INTERNAL | KMEM_NO_DEBUG | KMEM_NO_MAGAZINE);
	return 0;
}

int slab_exit(void)
{
	struct kmem_cache *c;

	if (!kmem_started)
		return 0;
	list_for_each_entry(c, &kmem_caches, link) if (!(c->flags & KMEM_INTERNAL)) return -EBUSY;
	if (!list_empty(&kmem_large_objects) || kmem_magazine_cache.inuse || kmem_cache_cache.inuse)
		return -EBUSY;
	kmem_cache_destroy(&kmem_magazine_cache);
	kmem_cache_destroy(&kmem_cache_cache);
	memset(&kmem_region, 0, sizeof(kmem_region));
	memset(&kmem_page_ops, 0, sizeof(kmem_page_ops));
	kmem_started = false;
	return 0;
}

/* ---- entry points: preemption off while the allocator state is in use (lib/preempt.h) ---- */

int kmem_cache_destroy(struct kmem_cache *c)
{
	preempt_disable();
	int r = kmem_cache_destroy_unlocked(c);
	preempt_enable();
	return r;
}

size_t kmem_cache_shrink(struct kmem_cache *c)
{
	preempt_disable();
	size_t r = kmem_cache_shrink_unlocked(c);
	preempt_enable();
	return r;
}

size_t kmem_shrink_all(void)
{
	preempt_disable();
	size_t r = kmem_shrink_all_unlocked();
	preempt_enable();
	return r;
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
                                     void (*ctor)(void *obj), unsigned flags)
{
	preempt_disable();
	struct kmem_cache *r = kmem_cache_create_unlocked(name, size, align, ctor, flags);
	preempt_enable();
	return r;
}
