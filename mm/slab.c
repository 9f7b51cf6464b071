/*
 * slab: the core of the slab layer — object caches after Bonwick ("The Slab Allocator", 1994,
 * and "Magazines and Vmem", 2001): slabs, their lists and free lists, and the slow paths of
 * allocation and free. See include/mm/slab.h for the picture (slab geometry, owners,
 * hardening, debug reports, locking); mm/slab_internal.h for what the slab files share.
 *
 * The slab layer, file by file:
 *   mm/slab.c           this file: slabs (grow, take, put, release), alloc/free slow paths
 *   mm/slab_cache.c     caches: geometry, create, destroy, shrink; slab_init/slab_exit
 *   mm/slab_magazine.c  the per-CPU magazines and the per-cache depot
 *   mm/slab_large.c     large objects: one page block each, with a header below the object
 *   mm/slab_debug.c     reports, red zones and poison, the invariant checker, the leak scan
 *   mm/slab_stats.c     owners (charging, walks, release at exit) and statistics
 *
 * Design:
 *  - A cache owns slabs, each one 32 KiB page block with the header at its start. A slab
 *    is on exactly one of the cache's lists, by its in-use count: empty (0), partial, full
 *    (capacity). Objects come from partial slabs first, then empty ones; a new slab is
 *    carved only when neither has any. Each slab keeps a LIFO free list threaded through its
 *    free objects (or through the bytes after them, for caches with a constructor or debug
 *    metadata), each link hardened (set_free_next()).
 *  - In front of the slabs, per CPU, a loaded and a previous magazine (mm/slab_magazine.c).
 *    An object in a magazine counts as in use for its slab.
 *  - Empty slabs beyond KMEM_EMPTY_KEEP per cache go back to the provider at once; the rest,
 *    and everything in magazines and depots, goes back on kmem_shrink_all() (the pressure
 *    hook) or kmem_cache_shrink().
 *  - Debug caches have no magazines, so every operation reaches the checks.
 *
 * Re-entry: the page provider may run the shrink hooks (mm/pressure.h: on a rise of the
 * pressure level, or before failing) inside alloc_pages, and kmem_shrink_all() then drains
 * every cache, possibly the one being worked on. So alloc_pages is only called where a
 * drain breaks nothing: slab_grow() runs when the cache has no free object in its slabs,
 * slab_take_batch() fills a magazine that still counts no rounds, and magazine_free() parks
 * a new magazine in the depot and re-examines the state instead of assuming it.
 *
 * Locking: see the header. Single CPU: nothing here takes a lock yet; the functions that
 * will are marked "cache lock" in their comments.
 */
#include "slab_internal.h"

#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/preempt.h"

struct kmem_region kmem_region;
struct kmem_cpu_state kmem_cpu_state[KMEM_NR_CPUS];

struct slab_page_ops kmem_page_ops;
bool kmem_started;
struct list_head kmem_caches = LIST_HEAD_INIT(kmem_caches);
struct list_head kmem_large_objects = LIST_HEAD_INIT(kmem_large_objects);
struct kmem_cache kmem_cache_cache;
struct kmem_cache kmem_magazine_cache;
size_t kmem_slab_pages;
size_t kmem_large_pages;

/* ---- failures -------------------------------------------------------------------- */

void *kmem_alloc_failed(const char *what, size_t size, unsigned flags, struct mm_error *err,
                        uintptr_t caller)
{
	struct kmem_cpu_state *cs = this_cpu_state();

	if (err->kind == MM_OK) {
		err->kind = MM_OUT_OF_MEMORY;
		err->requested = size;
	}
	cs->last_error = *err;
	if (flags & KM_NOFAIL) {
		char why[128];

		mm_error_format(err, why, sizeof(why));
		panic("out of memory: %s of %zu bytes by %pS: %s", what, size, (void *)caller, why);
	}
	return NULL;
}

const struct mm_error *kmem_last_error(void)
{
	return &this_cpu_state()->last_error;
}

/* ---- slab lists (cache lock) -------------------------------------------------------------- */

/* Move @s to the list its in-use count calls for; @from is the state it was listed under. */
static void slab_relist(struct kmem_cache *c, struct slab *s, enum slab_state from)
{
	enum slab_state to = state_for(c, s->inuse);

	if (to == from)
		return;
	(*count_for(c, from))--;
	(*count_for(c, to))++;
	list_move(&s->link, list_for(c, to));
}

/* ---- slabs (cache lock) --------------------------------------------------------------------- */

void slab_release(struct kmem_cache *c, struct slab *s)
{
	(*count_for(c, state_for(c, s->inuse)))--;
	list_del(&s->link);
	c->nr_slabs--;
	c->reaps++;
	region_set((uintptr_t)s, false);
	s->magic = 0;
	kmem_slab_pages -= 1u << KMEM_SLAB_ORDER;
	kmem_page_ops.free_pages(s, KMEM_SLAB_ORDER, kmem_page_ops.ctx);
}

/* Carve a new slab for @c and put it on the empty list. Returns it, or NULL (error in @err). */
struct slab *slab_grow(struct kmem_cache *c, unsigned flags, struct mm_error *err)
{
	void *mem = kmem_page_ops.alloc_pages(KMEM_SLAB_ORDER, flags, err, kmem_page_ops.ctx);
	uintptr_t a = (uintptr_t)mem;
	struct slab *s = mem;
	void *head = NULL;

	if (!mem)
		return NULL;
	if (!IS_ALIGNED(a, KMEM_SLAB_SIZE) || !in_region(a) || !in_region(a + KMEM_SLAB_SIZE - 1)) {
		pr_err("slab: page provider returned %p, misaligned or outside its region\n", mem);
		kmem_page_ops.free_pages(mem, KMEM_SLAB_ORDER, kmem_page_ops.ctx);
		err->kind = MM_INVALID_ARGUMENT;
		err->requested = KMEM_SLAB_SIZE;
		return NULL;
	}
	s->cache = c;
	s->magic = slab_magic(s);
	s->inuse = 0;
	s->owned = 0;
	s->lost = 0;
	s->color = (uint16_t)c->color_next;
	c->color_next += c->color_step;
	if (c->color_next > c->color_max)
		c->color_next = 0;
	s->objs = (char *)s + c->first_off + s->color;
	memset(s->owners, 0, c->capacity * sizeof(s->owners[0]));
	for (uint32_t i = c->capacity; i-- > 0;) {
		void *obj = obj_at(c, s, i);

		if (c->ctor)
			c->ctor(obj);
		if (cache_debug(c))
			kmem_debug_init_object(c, obj);
		set_free_next(c, obj, head);
		head = obj;
	}
	s->freelist = head;
	list_add(&s->link, &c->empty);
	c->nr_empty++;
	c->nr_slabs++;
	c->grows++;
	kmem_slab_pages += 1u << KMEM_SLAB_ORDER;
	region_set(a, true);
	return s;
}

/* Take the first free object of @s (which has one) and mark it in use. */
void *slab_take(struct kmem_cache *c, struct slab *s)
{
	enum slab_state from = state_for(c, s->inuse);
	void *obj = s->freelist;
	void *next = get_free_next(c, obj);

	if (next && obj_index(c, s, (uintptr_t)next) < 0) {
		/* Abandon the rest of the list: its objects stay "in use" for good. */
		uint32_t lost = c->capacity - s->inuse - 1u;

		kmem_report("slab: %s: corrupted free pointer %p in object %p\n", c->name, next,
		            obj);
		s->lost = (uint16_t)(s->lost + lost);
		c->lost += lost;
		c->inuse += lost;
		s->inuse = (uint16_t)(s->inuse + lost);
		next = NULL;
	}
	s->freelist = next;
	s->inuse++;
	c->inuse++;
	slab_relist(c, s, from);
	return obj;
}

/* Return @obj (validated, owner cleared) to its slab @s. */
void slab_put(struct kmem_cache *c, struct slab *s, void *obj)
{
	enum slab_state from = state_for(c, s->inuse);

	set_free_next(c, obj, s->freelist);
	s->freelist = obj;
	s->inuse--;
	c->inuse--;
	slab_relist(c, s, from);
	if (s->inuse == 0 && c->nr_empty > KMEM_EMPTY_KEEP)
		slab_release(c, s);
}

/* A slab of @c with a free object: partial first, then empty, then a new one. */
struct slab *slab_with_free(struct kmem_cache *c, unsigned flags, struct mm_error *err)
{
	if (!list_empty(&c->partial))
		return list_first_entry(&c->partial, struct slab, link);
	if (!list_empty(&c->empty))
		return list_first_entry(&c->empty, struct slab, link);
	return slab_grow(c, flags, err);
}

/* Take up to @want objects from the slabs into @out, carving at most one new slab. */
uint32_t slab_take_batch(struct kmem_cache *c, void **out, uint32_t want, unsigned flags,
                         struct mm_error *err)
{
	uint32_t n = 0;

	while (n < want) {
		struct slab *s;

		if (!list_empty(&c->partial))
			s = list_first_entry(&c->partial, struct slab, link);
		else if (!list_empty(&c->empty))
			s = list_first_entry(&c->empty, struct slab, link);
		else if (n == 0)
			s = slab_grow(c, flags, err);
		else
			break;
		if (!s)
			break;
		while (n < want && s->freelist)
			out[n++] = slab_take(c, s);
	}
	return n;
}

/* ---- allocation and free (slow paths) -------------------------------------------------------- */

static void *__kmem_cache_alloc_unlocked(struct kmem_cache *c, unsigned flags, struct mm_error *err,
                                         uintptr_t caller, size_t req)
{
	struct mm_error local = { 0 };
	uint32_t owner = (flags & KM_KERNEL) ? KMEM_OWNER_KERNEL : this_cpu_state()->owner;
	void *obj;

	if (!err)
		err = &local;
	err->kind = MM_OK;
	if (kmem_failslab(flags) || kmem_charge(owner, c->objsize, err) < 0)
		return kmem_alloc_failed(c->name, c->objsize, flags, err, caller);
	if (c->magsize) {
		obj = magazine_alloc(c, flags, err);
	} else {
		struct slab *s = slab_with_free(c, flags, err);

		obj = s ? slab_take(c, s) : NULL;
	}
	if (!obj) {
		kmem_uncharge(owner, c->objsize);
		return kmem_alloc_failed(c->name, c->objsize, flags, err, caller);
	}
	if (cache_debug(c))
		kmem_debug_on_alloc(c, obj, caller, MIN(req, (size_t)c->objsize));
	if (owner != KMEM_OWNER_KERNEL) {
		struct slab *s = kmem_slab_of((uintptr_t)obj);

		s->owners[obj_index(c, s, (uintptr_t)obj)] = owner;
		s->owned++;
		c->owned++;
	}
	if (flags & KM_ZERO)
		memset(obj, 0, cache_debug(c) ? track_of(c, obj)->req : c->objsize);
	return obj;
}

void *kmem_cache_alloc_track_caller(struct kmem_cache *c, unsigned flags, struct mm_error *err,
                                    uintptr_t caller)
{
	return __kmem_cache_alloc(c, flags, err, caller, c->objsize);
}

void *kmem_cache_alloc_slow(struct kmem_cache *c, unsigned flags)
{
	return __kmem_cache_alloc(c, flags, NULL, RET_ADDR(), c->objsize);
}

/* Free validated object @obj (index @idx of slab @s of @c). */
static void free_object(struct kmem_cache *c, struct slab *s, void *obj, uint32_t idx,
                        uintptr_t caller)
{
	struct kmem_cpu_cache *cc = this_cpu_cache(c);
	uint32_t owner = s->owners[idx];

	if (cache_debug(c)) {
		struct kmem_track *t = track_of(c, obj);

		if (t->state == KMEM_TRACK_FREE) {
			kmem_report("slab: %s: double free of object %p by %pS; allocated by %pS, "
			            "freed by %pS\n",
			            c->name, obj, (void *)caller, (void *)t->alloc_caller,
			            (void *)t->free_caller);
			return;
		}
		if (t->state != KMEM_TRACK_LIVE || t->req > c->objsize) {
			kmem_report("slab: %s: object %p has corrupted debug metadata\n", c->name,
			            obj);
			return;
		}
		kmem_redzone_check(c, obj, t->req, caller);
	} else if (obj == cc->loaded->objs[cc->loaded->rounds] ||
	           obj == cc->previous->objs[cc->previous->rounds] || obj == s->freelist) {
		kmem_report("slab: %s: double free of object %p by %pS\n", c->name, obj,
		            (void *)caller);
		return;
	}
	if (owner != KMEM_OWNER_KERNEL) {
		s->owners[idx] = 0;
		s->owned--;
		c->owned--;
		kmem_uncharge(owner, c->objsize);
	}
	if (cache_debug(c)) {
		struct kmem_track *t = track_of(c, obj);

		kmem_redzone_fill(c, obj, c->objsize);
		kmem_poison_object(c, obj);
		t->state = KMEM_TRACK_FREE;
		t->free_caller = caller;
	}
	if (c->magsize)
		magazine_free(c, obj);
	else
		slab_put(c, s, obj);
}

/* The slab of @p, checked; NULL (and a report naming @c and @caller) when its header is bad. */
static struct slab *checked_slab(const void *p)
{
	struct slab *s = kmem_slab_of((uintptr_t)p);

	if (s->magic != slab_magic(s)) {
		kmem_report("slab: free of %p: slab header %p corrupted\n", p, (void *)s);
		return NULL;
	}
	return s;
}

static void kmem_free_unlocked(struct kmem_cache *want, const void *p, uintptr_t caller)
{
	struct kmem_cache *c;
	struct slab *s;
	long idx;

	if (!p)
		return;
	if (!kmem_addr_is_slab((uintptr_t)p)) {
		if (want)
			kmem_report("slab: %s: free of %p, which is not a slab object, by %pS\n",
			            want->name, p, (void *)caller);
		else
			kmem_large_free(p, caller);
		return;
	}
	s = checked_slab(p);
	if (!s)
		return;
	c = s->cache;
	if (want && c != want) {
		kmem_report("slab: %s: free of object %p that belongs to cache %s, by %pS\n",
		            want->name, p, c->name, (void *)caller);
		return;
	}
	idx = obj_index(c, s, (uintptr_t)p);
	if (idx < 0) {
		kmem_report("slab: %s: free of %p, which is not the start of an object, by %pS\n",
		            c->name, p, (void *)caller);
		return;
	}
	free_object(c, s, (void *)(uintptr_t)p, (uint32_t)idx, caller);
}

void kmem_cache_free_track_caller(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	kmem_free(c, obj, caller);
}

void kmem_cache_free_slow(struct kmem_cache *c, void *obj)
{
	kmem_free(c, obj, RET_ADDR());
}

struct kmem_cache *kmem_cache_of(const void *p)
{
	if (!kmem_addr_is_slab((uintptr_t)p))
		return NULL;
	return kmem_slab_of((uintptr_t)p)->cache;
}

size_t kmem_object_size(const void *p)
{
	const struct kmem_large *h;

	if (kmem_addr_is_slab((uintptr_t)p)) {
		struct slab *s = kmem_slab_of((uintptr_t)p);
		struct kmem_cache *c = s->cache;

		if (s->magic != slab_magic(s) || obj_index(c, s, (uintptr_t)p) < 0)
			return 0;
		if (cache_debug(c)) {
			const struct kmem_track *t = track_of(c, p);

			return t->state == KMEM_TRACK_LIVE ? t->req : 0;
		}
		return c->objsize;
	}
	h = kmem_large_of(p);
	if (!h)
		return 0;
	return (uintptr_t)h->block + ((size_t)PAGE_SIZE << h->order) - (uintptr_t)p;
}

void __kmem_set_requested(void *obj, size_t req)
{
	struct kmem_cache *c = kmem_cache_of(obj);
	struct kmem_track *t;

	if (!c || !cache_debug(c) || req > c->objsize)
		return;
	t = track_of(c, obj);
	if (t->state != KMEM_TRACK_LIVE)
		return;
	if (req < t->req)
		memset((uint8_t *)obj + req, KMEM_RED_BYTE, t->req - req);
	t->req = (uint32_t)req;
}

/* ---- entry points: preemption off while the allocator state is in use (lib/preempt.h) ---- */

void *__kmem_cache_alloc(struct kmem_cache *c, unsigned flags, struct mm_error *err,
                         uintptr_t caller, size_t req)
{
	preempt_disable();
	void *r = __kmem_cache_alloc_unlocked(c, flags, err, caller, req);
	preempt_enable();
	return r;
}

void kmem_free(struct kmem_cache *want, const void *p, uintptr_t caller)
{
	preempt_disable();
	kmem_free_unlocked(want, p, caller);
	preempt_enable();
}
