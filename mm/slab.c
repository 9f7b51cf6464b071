/*
 * slab: object caches after Bonwick ("The Slab Allocator", 1994, and "Magazines and Vmem",
 * 2001), with large page-backed objects beside them. See include/mm/slab.h for the picture
 * (slab geometry, owners, hardening, debug reports, locking).
 *
 * Design:
 *  - A cache owns slabs, each one 32 KiB page block with the header at its start. A slab
 *    is on exactly one of the cache's lists, by its in-use count: empty (0), partial, full
 *    (capacity). Objects come from partial slabs first, then empty ones; a new slab is
 *    carved only when neither has any. Each slab keeps a LIFO free list threaded through its
 *    free objects (or through the bytes after them, for caches with a constructor or debug
 *    metadata), each link hardened (fp_encode()).
 *  - In front of the slabs, per CPU, a loaded and a previous magazine (arrays of object
 *    pointers). Allocation pops from the loaded one; when it is empty the previous one is
 *    tried, then a full magazine from the depot, then the loaded magazine is refilled from
 *    the slabs in one batch. Free pushes, symmetrically; with both magazines full, the
 *    previous one goes to the depot (an empty one comes back) or, if the depot already holds
 *    depot_max full magazines, is flushed into the slabs. An object in a magazine counts as
 *    in use for its slab.
 *  - Empty slabs beyond KMEM_EMPTY_KEEP per cache go back to the provider at once; the rest,
 *    and everything in magazines and depots, goes back on kmem_shrink_all() (the pressure
 *    hook) or kmem_cache_shrink().
 *  - Debug caches have no magazines, so every operation reaches the checks here.
 *  - Large objects: a page block per object, a struct kmem_large header just below the
 *    object, all on one list (for owners, leak scans and statistics).
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
#include "mm/slab.h"

#include <stdarg.h>

#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/preempt.h"
#include "lib/string.h"

#define KMEM_SLAB_MAGIC     ((uintptr_t)0x5ab5ab5au)
#define KMEM_LARGE_MAGIC    ((uintptr_t)0x1a26e0b1u)
#define KMEM_TRACK_LIVE     0xa110c8edu /* debug: object allocated */
#define KMEM_TRACK_FREE     0xf4eef4eeu /* debug: object free */
#define KMEM_EMPTY_KEEP     2u          /* empty slabs a cache keeps without pressure */
#define KMEM_MIN_ALIGN      ((uint32_t)sizeof(void *))
#define KMEM_LARGE_MIN_ALIGN 16u
#define KMEM_DESTROY_LIST   8u          /* debug: live objects listed by kmem_cache_destroy */
#define KMEM_INTERNAL       0x100u      /* cache flag: the allocator's own cache */
#define REPORT_LEN          256

/* Debug metadata after each object's right red zone. */
struct kmem_track {
	uintptr_t next;         /* hardened free pointer while the object is free */
	uintptr_t alloc_caller;
	uintptr_t free_caller;
	uint32_t req;           /* bytes asked for; [req, objsize) is red zone while live */
	uint32_t state;         /* KMEM_TRACK_LIVE or KMEM_TRACK_FREE */
};

enum slab_state { SLAB_EMPTY, SLAB_PARTIAL, SLAB_FULL };

struct kmem_region kmem_region;
struct kmem_cpu_state kmem_cpu_state[KMEM_NR_CPUS];

/* Loaded and previous "magazine" of caches without magazines: no rounds, never pushed to. */
static struct kmem_magazine no_magazine;

static struct slab_page_ops page_ops;
static struct kmem_owner_ops owner_ops;
static bool started;
static bool debug_default;
static uint64_t secret_state;
static struct list_head caches = LIST_HEAD_INIT(caches);
static struct list_head large_objects = LIST_HEAD_INIT(large_objects);
static struct kmem_cache cache_cache;    /* struct kmem_cache descriptors */
static struct kmem_cache magazine_cache; /* struct kmem_magazine */
static size_t slab_pages;                /* pages in slabs, all caches */
static size_t large_pages;               /* pages in large-object blocks */
static unsigned long error_count;

/* ---- small helpers ---------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uintptr_t swab_ptr(uintptr_t v)
{
#if UINTPTR_MAX > 0xffffffffu
	return (uintptr_t)__builtin_bswap64((uint64_t)v);
#else
	return (uintptr_t)__builtin_bswap32((uint32_t)v);
#endif
}

static inline bool is_pow2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static inline uintptr_t slab_magic(const struct slab *s)
{
	return KMEM_SLAB_MAGIC ^ (uintptr_t)s;
}

static inline bool cache_debug(const struct kmem_cache *c)
{
	return (c->flags & KMEM_DEBUG) != 0;
}

static inline struct kmem_track *track_of(const struct kmem_cache *c, const void *obj)
{
	return (struct kmem_track *)((uintptr_t)obj + c->track_off);
}

static inline struct kmem_cpu_cache *this_cpu_cache(struct kmem_cache *c)
{
	return &c->cpu[kmem_cpu_id()];
}

static inline struct kmem_cpu_state *this_cpu_state(void)
{
	return &kmem_cpu_state[kmem_cpu_id()];
}

static __attribute__((format(printf, 1, 2))) void kmem_report(const char *fmt, ...)
{
	char line[REPORT_LEN];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	error_count++;
	pr_err("%s", line);
}

unsigned long kmem_error_count(void)
{
	return error_count;
}

/* ---- the hardened free pointer ---------------------------------------------------------- */

static inline uintptr_t *fp_slot(const struct kmem_cache *c, void *obj)
{
	return (uintptr_t *)((uintptr_t)obj + c->fp_off);
}

static inline void set_free_next(const struct kmem_cache *c, void *obj, void *next)
{
	uintptr_t *w = fp_slot(c, obj);

	*w = (uintptr_t)next ^ c->secret ^ swab_ptr((uintptr_t)w);
}

static inline void *get_free_next(const struct kmem_cache *c, void *obj)
{
	uintptr_t *w = fp_slot(c, obj);

	return (void *)(*w ^ c->secret ^ swab_ptr((uintptr_t)w));
}

/* Index of the object starting at @p in @s, or -1 when no object starts there. */
static long obj_index(const struct kmem_cache *c, const struct slab *s, uintptr_t p)
{
	uintptr_t off = p - (uintptr_t)s->objs;
	uint32_t idx;

	if (off >= (uintptr_t)c->capacity * c->stride)
		return -1;
	idx = (uint32_t)(((uint64_t)off * c->recip) >> 32);
	if ((uintptr_t)idx * c->stride != off)
		return -1;
	return (long)idx;
}

static inline void *obj_at(const struct kmem_cache *c, const struct slab *s, uint32_t idx)
{
	return s->objs + (uintptr_t)idx * c->stride;
}

/* ---- region map --------------------------------------------------------------------------- */

static inline void region_set(uintptr_t addr, bool on)
{
	kmem_region.is_slab[(addr - kmem_region.base) >> KMEM_SLAB_SHIFT] = on;
}

static inline bool in_region(uintptr_t addr)
{
	return addr - kmem_region.base < kmem_region.span;
}

/* ---- failures, owners -------------------------------------------------------------------- */

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

static int charge(uint32_t owner, int64_t bytes, struct mm_error *err)
{
	if (owner == KMEM_OWNER_KERNEL || !owner_ops.charge)
		return 0;
	return owner_ops.charge(owner, bytes, err, owner_ops.ctx);
}

static void uncharge(uint32_t owner, size_t bytes)
{
	struct mm_error ignored = { 0 };

	if (owner != KMEM_OWNER_KERNEL && owner_ops.charge)
		owner_ops.charge(owner, -(int64_t)bytes, &ignored, owner_ops.ctx);
}

void kmem_set_owner_ops(const struct kmem_owner_ops *ops)
{
	if (ops)
		owner_ops = *ops;
	else
		memset(&owner_ops, 0, sizeof(owner_ops));
}

int kmem_set_current_owner(uint32_t owner)
{
	if (owner > KMEM_OWNER_MAX)
		return -EINVAL;
	this_cpu_state()->owner = owner;
	return 0;
}

uint32_t kmem_current_owner(void)
{
	return this_cpu_state()->owner;
}

void slab_set_debug(bool on)
{
	debug_default = on;
}

bool slab_debug_enabled(void)
{
	return debug_default;
}

/* ---- slab lists (cache lock) -------------------------------------------------------------- */

static enum slab_state state_for(const struct kmem_cache *c, uint32_t inuse)
{
	if (inuse == 0)
		return SLAB_EMPTY;
	return inuse >= c->capacity ? SLAB_FULL : SLAB_PARTIAL;
}

static struct list_head *list_for(struct kmem_cache *c, enum slab_state st)
{
	return st == SLAB_EMPTY ? &c->empty : st == SLAB_FULL ? &c->full : &c->partial;
}

static uint32_t *count_for(struct kmem_cache *c, enum slab_state st)
{
	return st == SLAB_EMPTY ? &c->nr_empty : st == SLAB_FULL ? &c->nr_full : &c->nr_partial;
}

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

/* ---- debug bytes ---------------------------------------------------------------------------- */

/* Offset of the first byte in [p, p + n) that is not @v, or -1. */
static long first_not(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return (long)i;
	return -1;
}

static bool cache_poisons(const struct kmem_cache *c)
{
	return cache_debug(c) && !c->ctor;
}

static void poison_object(const struct kmem_cache *c, void *obj)
{
	if (!cache_poisons(c))
		return;
	memset(obj, KMEM_POISON_FREE, c->objsize - 1);
	((uint8_t *)obj)[c->objsize - 1] = KMEM_POISON_END;
}

/* Offset of the first byte of a free object that lost its poison, or -1. */
static long poison_damage(const struct kmem_cache *c, const void *obj)
{
	long bad;

	if (!cache_poisons(c))
		return -1;
	bad = first_not(obj, c->objsize - 1, KMEM_POISON_FREE);
	if (bad >= 0)
		return bad;
	return ((const uint8_t *)obj)[c->objsize - 1] == KMEM_POISON_END ? -1 : (long)c->objsize - 1;
}

/*
 * Red zones of @obj: [obj - redzone, obj) and [obj + from, obj + track_off), where @from is
 * the requested size for a live object and objsize for a free one. Returns the offset of the
 * first damaged byte from the object start (negative on the left), or 0 with *@ok true.
 */
static long redzone_damage(const struct kmem_cache *c, const void *obj, uint32_t from, bool *ok)
{
	const uint8_t *o = obj;
	long bad = first_not(o - c->redzone, c->redzone, KMEM_RED_BYTE);

	*ok = false;
	if (bad >= 0)
		return bad - (long)c->redzone;
	bad = first_not(o + from, c->track_off - from, KMEM_RED_BYTE);
	if (bad >= 0)
		return (long)from + bad;
	*ok = true;
	return 0;
}

static void redzone_fill(const struct kmem_cache *c, void *obj, uint32_t from)
{
	uint8_t *o = obj;

	memset(o - c->redzone, KMEM_RED_BYTE, c->redzone);
	memset(o + from, KMEM_RED_BYTE, c->track_off - from);
}

/* Check the red zones of @obj (live: @from = requested bytes) and repair them. */
static bool redzone_check(const struct kmem_cache *c, void *obj, uint32_t from, uintptr_t freer)
{
	struct kmem_track *t = track_of(c, obj);
	bool ok;
	long off = redzone_damage(c, obj, from, &ok);

	if (ok)
		return true;
	kmem_report("slab: %s: red zone overwritten at offset %ld of object %p (size %u); "
		    "allocated by %pS, freed by %pS\n", c->name, off, obj,
		    (unsigned)(t->state == KMEM_TRACK_LIVE ? t->req : c->objsize),
		    (void *)t->alloc_caller, (void *)freer);
	redzone_fill(c, obj, from);
	return false;
}

/* A free debug object is about to be handed out: check it, then set it up as live. */
static void debug_on_alloc(struct kmem_cache *c, void *obj, uintptr_t caller, size_t req)
{
	struct kmem_track *t = track_of(c, obj);
	long bad = poison_damage(c, obj);

	redzone_check(c, obj, c->objsize, t->free_caller);
	if (bad >= 0) {
		kmem_report("slab: %s: use after free: object %p modified at offset %ld; "
			    "allocated by %pS, freed by %pS\n", c->name, obj, bad,
			    (void *)t->alloc_caller, (void *)t->free_caller);
		poison_object(c, obj);
	}
	t->state = KMEM_TRACK_LIVE;
	t->alloc_caller = caller;
	t->free_caller = 0;
	t->req = (uint32_t)req;
	memset((uint8_t *)obj + req, KMEM_RED_BYTE, c->objsize - req);
}

/* Set up the debug bytes of a never-used object. */
static void debug_init_object(const struct kmem_cache *c, void *obj)
{
	struct kmem_track *t = track_of(c, obj);

	redzone_fill(c, obj, c->objsize);
	poison_object(c, obj);
	t->alloc_caller = 0;
	t->free_caller = 0;
	t->req = 0;
	t->state = KMEM_TRACK_FREE;
}

/* ---- slabs (cache lock) --------------------------------------------------------------------- */

static void slab_release(struct kmem_cache *c, struct slab *s)
{
	(*count_for(c, state_for(c, s->inuse)))--;
	list_del(&s->link);
	c->nr_slabs--;
	c->reaps++;
	region_set((uintptr_t)s, false);
	s->magic = 0;
	slab_pages -= 1u << KMEM_SLAB_ORDER;
	page_ops.free_pages(s, KMEM_SLAB_ORDER, page_ops.ctx);
}

/* Carve a new slab for @c and put it on the empty list. Returns it, or NULL (error in @err). */
static struct slab *slab_grow(struct kmem_cache *c, unsigned flags, struct mm_error *err)
{
	void *mem = page_ops.alloc_pages(KMEM_SLAB_ORDER, flags, err, page_ops.ctx);
	uintptr_t a = (uintptr_t)mem;
	struct slab *s = mem;
	void *head = NULL;

	if (!mem)
		return NULL;
	if (!IS_ALIGNED(a, KMEM_SLAB_SIZE) || !in_region(a) || !in_region(a + KMEM_SLAB_SIZE - 1)) {
		pr_err("slab: page provider returned %p, misaligned or outside its region\n", mem);
		page_ops.free_pages(mem, KMEM_SLAB_ORDER, page_ops.ctx);
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
			debug_init_object(c, obj);
		set_free_next(c, obj, head);
		head = obj;
	}
	s->freelist = head;
	list_add(&s->link, &c->empty);
	c->nr_empty++;
	c->nr_slabs++;
	c->grows++;
	slab_pages += 1u << KMEM_SLAB_ORDER;
	region_set(a, true);
	return s;
}

/* Take the first free object of @s (which has one) and mark it in use. */
static void *slab_take(struct kmem_cache *c, struct slab *s)
{
	enum slab_state from = state_for(c, s->inuse);
	void *obj = s->freelist;
	void *next = get_free_next(c, obj);

	if (next && obj_index(c, s, (uintptr_t)next) < 0) {
		/* Abandon the rest of the list: its objects stay "in use" for good. */
		uint32_t lost = c->capacity - s->inuse - 1u;

		kmem_report("slab: %s: corrupted free pointer %p in object %p\n", c->name, next, obj);
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
static void slab_put(struct kmem_cache *c, struct slab *s, void *obj)
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
static struct slab *slab_with_free(struct kmem_cache *c, unsigned flags, struct mm_error *err)
{
	if (!list_empty(&c->partial))
		return list_first_entry(&c->partial, struct slab, link);
	if (!list_empty(&c->empty))
		return list_first_entry(&c->empty, struct slab, link);
	return slab_grow(c, flags, err);
}

/* Take up to @want objects from the slabs into @out, carving at most one new slab. */
static uint32_t slab_take_batch(struct kmem_cache *c, void **out, uint32_t want, unsigned flags,
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

/* ---- magazines (this CPU, interrupts off; depot: cache lock) -------------------------------- */

static struct kmem_magazine *magazine_new(void)
{
	struct mm_error err = { 0 };
	struct slab *s = slab_with_free(&magazine_cache, KM_KERNEL, &err);
	struct kmem_magazine *m;

	if (!s)
		return NULL;
	m = slab_take(&magazine_cache, s);
	m->rounds = 0;
	m->next = NULL;
	m->objs[0] = NULL;
	return m;
}

static void magazine_delete(struct kmem_magazine *m)
{
	uintptr_t a = (uintptr_t)m;

	if (m == &no_magazine)
		return;
	slab_put(&magazine_cache, kmem_slab_of(a), m);
}

/* Return every round of @m to the slabs. */
static void magazine_flush(struct kmem_cache *c, struct kmem_magazine *m)
{
	while (m->rounds) {
		void *obj = m->objs[m->rounds--];

		slab_put(c, kmem_slab_of((uintptr_t)obj), obj);
	}
	c->flushes++;
}

static void *magazine_alloc(struct kmem_cache *c, unsigned flags, struct mm_error *err)
{
	struct kmem_cpu_cache *cc = this_cpu_cache(c);

	for (;;) {
		struct kmem_magazine *m = cc->loaded;

		if (m->rounds) {
			void *obj = m->objs[m->rounds];

			m->rounds--;
			return obj;
		}
		if (cc->previous->rounds) {
			cc->loaded = cc->previous;
			cc->previous = m;
			continue;
		}
		if (c->depot_full) {
			struct kmem_magazine *full = c->depot_full;

			c->depot_full = full->next;
			c->depot_nfull--;
			cc->previous->next = c->depot_empty;
			c->depot_empty = cc->previous;
			c->depot_nempty++;
			cc->previous = m;
			cc->loaded = full;
			continue;
		}
		m->rounds = slab_take_batch(c, &m->objs[1], c->magsize, flags, err);
		c->refills++;
		if (m->rounds == 0)
			return NULL;
		/* Pops then hand out the batch in the order the slab gave it (ascending). */
		for (uint32_t i = 1, j = m->rounds; i < j; i++, j--) {
			void *t = m->objs[i];

			m->objs[i] = m->objs[j];
			m->objs[j] = t;
		}
	}
}

static void magazine_free(struct kmem_cache *c, void *obj)
{
	struct kmem_cpu_cache *cc = this_cpu_cache(c);

	for (;;) {
		struct kmem_magazine *m = cc->loaded;

		if (m->rounds < c->magsize) {
			m->objs[++m->rounds] = obj;
			return;
		}
		if (cc->previous->rounds == 0) {
			cc->loaded = cc->previous;
			cc->previous = m;
			continue;
		}
		if (c->depot_nfull < c->depot_max) {
			struct kmem_magazine *empty = c->depot_empty;

			if (empty) {
				c->depot_empty = empty->next;
				c->depot_nempty--;
				cc->previous->next = c->depot_full;
				c->depot_full = cc->previous;
				c->depot_nfull++;
				cc->previous = m;
				cc->loaded = empty;
				continue;
			}
			/*
			 * Getting a magazine may carve a slab, and the provider may run the shrink
			 * hook, which drains this very cache: so park the new magazine in the depot
			 * and look at the state again.
			 */
			empty = magazine_new();
			if (empty) {
				empty->next = c->depot_empty;
				c->depot_empty = empty;
				c->depot_nempty++;
				continue;
			}
		}
		magazine_flush(c, cc->previous);
	}
}

/* Objects held by @c's magazines and depot. */
static unsigned long cached_objects(const struct kmem_cache *c, unsigned long *in_depot)
{
	unsigned long n = 0, d = 0;

	for (unsigned i = 0; i < KMEM_NR_CPUS; i++)
		n += c->cpu[i].loaded->rounds + c->cpu[i].previous->rounds;
	for (const struct kmem_magazine *m = c->depot_full; m; m = m->next)
		d += m->rounds;
	if (in_depot)
		*in_depot = d;
	return n + d;
}

/* Empty all of @c's magazines into the slabs; free the depot's magazines. */
static void cache_drain(struct kmem_cache *c)
{
	for (unsigned i = 0; i < KMEM_NR_CPUS; i++) {
		if (c->cpu[i].loaded->rounds)
			magazine_flush(c, c->cpu[i].loaded);
		if (c->cpu[i].previous->rounds)
			magazine_flush(c, c->cpu[i].previous);
	}
	while (c->depot_full) {
		struct kmem_magazine *m = c->depot_full;

		c->depot_full = m->next;
		c->depot_nfull--;
		magazine_flush(c, m);
		magazine_delete(m);
	}
	while (c->depot_empty) {
		struct kmem_magazine *m = c->depot_empty;

		c->depot_empty = m->next;
		c->depot_nempty--;
		magazine_delete(m);
	}
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
	n = (KMEM_SLAB_SIZE - hdr) / (c->stride + (uint32_t)sizeof(uint16_t));
	while (n > 0 && ALIGN_UP(hdr + n * (uint32_t)sizeof(uint16_t), align) + n * c->stride >
			KMEM_SLAB_SIZE)
		n--;
	if (n == 0)
		return -EINVAL;
	first_slot = ALIGN_UP(hdr + n * (uint32_t)sizeof(uint16_t), align);
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
		c->cpu[i].loaded = &no_magazine;
		c->cpu[i].previous = &no_magazine;
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
	list_add_tail(&c->link, &caches);
	return 0;
}

static struct kmem_cache *kmem_cache_create_unlocked(const char *name, size_t size,
						     size_t align, void (*ctor)(void *obj),
						     unsigned flags)
{
	struct mm_error err = { 0 };
	struct kmem_cache *c;
	struct slab *s;
	int rc;

	if (!started || !name) {
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
	s = slab_with_free(&cache_cache, KM_KERNEL, &err);
	if (!s)
		return NULL;
	c = slab_take(&cache_cache, s);
	memset(c, 0, sizeof(*c));
	rc = cache_setup(c, name, size, align, ctor, flags & ~KMEM_INTERNAL);
	if (rc < 0) {
		if (rc == -EINVAL)
			pr_warn("slab: kmem_cache_create(%s): %zu-byte objects do not fit a slab\n",
				name, size);
		slab_put(&cache_cache, kmem_slab_of((uintptr_t)c), c);
		return NULL;
	}
	return c;
}

/* Report the live objects of debug cache @c (at most KMEM_DESTROY_LIST). */
static void report_live_objects(struct kmem_cache *c)
{
	const struct list_head *lists[] = { &c->full, &c->partial };
	unsigned listed = 0;
	struct slab *s;

	if (!cache_debug(c))
		return;
	for (unsigned l = 0; l < ARRAY_SIZE(lists); l++) {
		list_for_each_entry(s, lists[l], link) {
			for (uint32_t i = 0; i < c->capacity && listed < KMEM_DESTROY_LIST; i++) {
				void *obj = obj_at(c, s, i);
				struct kmem_track *t = track_of(c, obj);

				if (t->state != KMEM_TRACK_LIVE)
					continue;
				pr_err("slab: %s: object %p still in use, allocated by %pS\n", c->name,
				       obj, (void *)t->alloc_caller);
				listed++;
			}
		}
	}
}

static int kmem_cache_destroy_unlocked(struct kmem_cache *c)
{
	struct slab *s, *tmp;

	if (!c)
		return 0;
	cache_drain(c);
	if (c->inuse - c->lost) {
		kmem_report("slab: kmem_cache_destroy(%s): %lu objects still in use\n", c->name,
			    c->inuse - c->lost);
		report_live_objects(c);
		return -EBUSY;
	}
	for (unsigned i = 0; i < KMEM_NR_CPUS; i++) {
		magazine_delete(c->cpu[i].loaded);
		magazine_delete(c->cpu[i].previous);
		c->cpu[i].loaded = &no_magazine;
		c->cpu[i].previous = &no_magazine;
	}
	c->magsize = 0;
	list_for_each_entry_safe(s, tmp, &c->empty, link)
		slab_release(c, s);
	/* Left: slabs whose only objects in use are the abandoned ones. */
	list_for_each_entry_safe(s, tmp, &c->partial, link)
		slab_release(c, s);
	list_for_each_entry_safe(s, tmp, &c->full, link)
		slab_release(c, s);
	list_del(&c->link);
	if (!(c->flags & KMEM_INTERNAL))
		slab_put(&cache_cache, kmem_slab_of((uintptr_t)c), c);
	return 0;
}

static size_t kmem_cache_shrink_unlocked(struct kmem_cache *c)
{
	size_t before = slab_pages;
	struct slab *s, *tmp;

	cache_drain(c);
	list_for_each_entry_safe(s, tmp, &c->empty, link)
		slab_release(c, s);
	return before - slab_pages;
}

static size_t kmem_shrink_all_unlocked(void)
{
	size_t before = slab_pages;
	struct kmem_cache *c;

	list_for_each_entry(c, &caches, link)
		if (!(c->flags & KMEM_INTERNAL))
			kmem_cache_shrink(c);
	/* Last: the caches above just gave back their depot magazines. */
	kmem_cache_shrink(&magazine_cache);
	kmem_cache_shrink(&cache_cache);
	return before - slab_pages;
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
	if (charge(owner, c->objsize, err) < 0)
		return kmem_alloc_failed(c->name, c->objsize, flags, err, caller);
	if (c->magsize) {
		obj = magazine_alloc(c, flags, err);
	} else {
		struct slab *s = slab_with_free(c, flags, err);

		obj = s ? slab_take(c, s) : NULL;
	}
	if (!obj) {
		uncharge(owner, c->objsize);
		return kmem_alloc_failed(c->name, c->objsize, flags, err, caller);
	}
	if (cache_debug(c))
		debug_on_alloc(c, obj, caller, MIN(req, (size_t)c->objsize));
	if (owner != KMEM_OWNER_KERNEL) {
		struct slab *s = kmem_slab_of((uintptr_t)obj);

		s->owners[obj_index(c, s, (uintptr_t)obj)] = (uint16_t)owner;
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
				    "freed by %pS\n", c->name, obj, (void *)caller,
				    (void *)t->alloc_caller, (void *)t->free_caller);
			return;
		}
		if (t->state != KMEM_TRACK_LIVE || t->req > c->objsize) {
			kmem_report("slab: %s: object %p has corrupted debug metadata\n", c->name,
				    obj);
			return;
		}
		redzone_check(c, obj, t->req, caller);
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
		uncharge(owner, c->objsize);
	}
	if (cache_debug(c)) {
		struct kmem_track *t = track_of(c, obj);

		redzone_fill(c, obj, c->objsize);
		poison_object(c, obj);
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

/* ---- large objects --------------------------------------------------------------------------- */

static void *kmem_large_alloc_unlocked(size_t size, size_t align, unsigned flags, struct mm_error *err,
		       uintptr_t caller)
{
	struct mm_error local = { 0 };
	uint32_t owner = (flags & KM_KERNEL) ? KMEM_OWNER_KERNEL : this_cpu_state()->owner;
	size_t off, need, bytes;
	unsigned order = 0;
	struct kmem_large *h;
	uintptr_t block;

	if (!err)
		err = &local;
	err->kind = MM_OK;
	if (align < KMEM_LARGE_MIN_ALIGN)
		align = KMEM_LARGE_MIN_ALIGN;
	off = MAX((size_t)KMEM_LARGE_HDR, align);
	if (!is_pow2(align) || align > KMEM_REGION_SPAN_MAX / 2 ||
	    size > KMEM_REGION_SPAN_MAX - off) {
		err->kind = MM_INVALID_ARGUMENT;
		err->requested = size;
		return kmem_alloc_failed("kmalloc", size, flags, err, caller);
	}
	need = off + MAX(size, (size_t)1); /* a 0-byte object still gets a byte of its own */
	while (((size_t)PAGE_SIZE << order) < need)
		order++;
	bytes = (size_t)PAGE_SIZE << order;
	if (charge(owner, (int64_t)bytes, err) < 0)
		return kmem_alloc_failed("kmalloc", size, flags, err, caller);
	block = (uintptr_t)page_ops.alloc_pages(order, flags, err, page_ops.ctx);
	if (!block) {
		uncharge(owner, bytes);
		return kmem_alloc_failed("kmalloc", size, flags, err, caller);
	}
	h = (struct kmem_large *)(block + off - KMEM_LARGE_HDR);
	h->magic = KMEM_LARGE_MAGIC ^ (uintptr_t)h;
	h->block = (void *)block;
	h->size = size;
	h->caller = caller;
	h->owner = owner;
	h->order = order;
	list_add_tail(&h->link, &large_objects);
	large_pages += (size_t)1 << order;
	if (flags & KM_ZERO)
		memset((void *)(block + off), 0, size);
	return (void *)(block + off);
}

struct kmem_large *kmem_large_of(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct kmem_large *h;

	if (!in_region(a) || !IS_ALIGNED(a, KMEM_LARGE_MIN_ALIGN) ||
	    a - kmem_region.base < KMEM_LARGE_HDR)
		return NULL;
	h = (struct kmem_large *)(a - KMEM_LARGE_HDR);
	if (kmem_addr_is_slab((uintptr_t)h) || h->magic != (KMEM_LARGE_MAGIC ^ (uintptr_t)h))
		return NULL;
	return h;
}

static int kmem_large_free_unlocked(const void *p, uintptr_t caller)
{
	struct kmem_large *h = kmem_large_of(p);

	if (!h) {
		kmem_report("slab: free of %p, which is not an allocated object, by %pS\n", p,
			    (void *)caller);
		return -EINVAL;
	}
	h->magic = 0;
	list_del(&h->link);
	uncharge(h->owner, (size_t)PAGE_SIZE << h->order);
	large_pages -= (size_t)1 << h->order;
	page_ops.free_pages(h->block, h->order, page_ops.ctx);
	return 0;
}

/* ---- start and stop ---------------------------------------------------------------------------- */

int slab_init(const struct slab_page_ops *ops, uint64_t seed)
{
	uintptr_t base;

	if (started)
		return -EBUSY;
	if (!ops || !ops->alloc_pages || !ops->free_pages || ops->span == 0)
		return -EINVAL;
	base = ops->base & ~KMEM_SLAB_MASK;
	if (ops->span + (ops->base - base) > KMEM_REGION_SPAN_MAX)
		return -EINVAL;
	page_ops = *ops;
	memset(&kmem_region, 0, sizeof(kmem_region));
	kmem_region.base = base;
	kmem_region.span = ALIGN_UP(ops->span + (ops->base - base), (uintptr_t)KMEM_SLAB_SIZE);
	secret_state = seed ^ 0x5eed5eed5eed5eedULL;
	list_init(&caches);
	list_init(&large_objects);
	slab_pages = 0;
	large_pages = 0;
	memset(&cache_cache, 0, sizeof(cache_cache));
	memset(&magazine_cache, 0, sizeof(magazine_cache));
	started = true;
	/* Both are KMEM_NO_MAGAZINE, so setting them up allocates nothing. */
	cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0, NULL,
		    KMEM_INTERNAL | KMEM_NO_DEBUG | KMEM_NO_MAGAZINE);
	cache_setup(&magazine_cache, "kmem_magazine", sizeof(struct kmem_magazine), 0, NULL,
		    KMEM_INTERNAL | KMEM_NO_DEBUG | KMEM_NO_MAGAZINE);
	return 0;
}

int slab_exit(void)
{
	struct kmem_cache *c;

	if (!started)
		return 0;
	list_for_each_entry(c, &caches, link)
		if (!(c->flags & KMEM_INTERNAL))
			return -EBUSY;
	if (!list_empty(&large_objects) || magazine_cache.inuse || cache_cache.inuse)
		return -EBUSY;
	kmem_cache_destroy(&magazine_cache);
	kmem_cache_destroy(&cache_cache);
	memset(&kmem_region, 0, sizeof(kmem_region));
	memset(&page_ops, 0, sizeof(page_ops));
	started = false;
	return 0;
}

/* ---- owners ------------------------------------------------------------------------------------- */

/* Visit each owned object of each cache: @fn(c, s, idx, ctx). */
static void for_each_owned(void (*fn)(struct kmem_cache *, struct slab *, uint32_t, void *),
			   void *ctx)
{
	struct kmem_cache *c;
	struct slab *s;

	list_for_each_entry(c, &caches, link) {
		const struct list_head *lists[] = { &c->full, &c->partial };

		if (!c->owned)
			continue;
		for (unsigned l = 0; l < ARRAY_SIZE(lists); l++)
			list_for_each_entry(s, lists[l], link)
				for (uint32_t i = 0; s->owned && i < c->capacity; i++)
					if (s->owners[i])
						fn(c, s, i, ctx);
	}
}

struct owner_walk {
	uint32_t owner;
	kmem_object_fn fn;
	void *ctx;
	size_t bytes;
	bool release;
};

static void owner_visit(struct kmem_cache *c, struct slab *s, uint32_t idx, void *ctx)
{
	struct owner_walk *w = ctx;

	if (s->owners[idx] != w->owner)
		return;
	w->bytes += c->objsize;
	if (w->fn)
		w->fn(obj_at(c, s, idx), c->objsize, c, w->ctx);
	if (w->release) {
		s->owners[idx] = 0;
		s->owned--;
		c->owned--;
	}
}

static size_t owner_scan(struct owner_walk *w)
{
	struct kmem_large *h;

	for_each_owned(owner_visit, w);
	list_for_each_entry(h, &large_objects, link) {
		size_t bytes = (size_t)PAGE_SIZE << h->order;

		if (h->owner != w->owner)
			continue;
		w->bytes += bytes;
		if (w->fn)
			w->fn((char *)h + KMEM_LARGE_HDR, bytes, NULL, w->ctx);
		if (w->release)
			h->owner = KMEM_OWNER_KERNEL;
	}
	return w->bytes;
}

static size_t kmem_owner_walk_unlocked(uint32_t owner, kmem_object_fn fn, void *ctx)
{
	struct owner_walk w = { owner, fn, ctx, 0, false };

	if (owner == KMEM_OWNER_KERNEL)
		return 0;
	return owner_scan(&w);
}

static size_t kmem_owner_usage_unlocked(uint32_t owner)
{
	struct kmem_large *h;
	struct kmem_cache *c;
	size_t bytes = 0;

	if (owner != KMEM_OWNER_KERNEL)
		return kmem_owner_walk(owner, NULL, NULL);
	list_for_each_entry(c, &caches, link) {
		if (c->flags & KMEM_INTERNAL)
			continue;
		bytes += (c->inuse - c->lost - cached_objects(c, NULL) - c->owned) *
			 (size_t)c->objsize;
	}
	list_for_each_entry(h, &large_objects, link)
		if (h->owner == KMEM_OWNER_KERNEL)
			bytes += (size_t)PAGE_SIZE << h->order;
	return bytes;
}

static size_t kmem_owner_release_unlocked(uint32_t owner)
{
	struct owner_walk w = { owner, NULL, NULL, 0, true };

	if (owner == KMEM_OWNER_KERNEL)
		return 0;
	owner_scan(&w);
	if (w.bytes)
		uncharge(owner, w.bytes);
	return w.bytes;
}

/* ---- statistics ---------------------------------------------------------------------------------- */

static void kmem_cache_get_info_unlocked(const struct kmem_cache *c, struct kmem_cache_info *info)
{
	unsigned long cached = cached_objects(c, NULL);

	memset(info, 0, sizeof(*info));
	info->name = c->name;
	info->objsize = c->objsize;
	info->stride = c->stride;
	info->align = c->align;
	info->objs_per_slab = c->capacity;
	info->pages_per_slab = 1u << KMEM_SLAB_ORDER;
	info->active_objs = c->inuse - c->lost - cached;
	info->lost_objs = c->lost;
	info->num_objs = (unsigned long)c->nr_slabs * c->capacity;
	info->cached_objs = cached;
	info->owned_objs = c->owned;
	info->nr_slabs = c->nr_slabs;
	info->nr_full = c->nr_full;
	info->nr_partial = c->nr_partial;
	info->nr_empty = c->nr_empty;
	info->magsize = c->magsize;
	info->depot_max = c->depot_max;
	info->depot_full = c->depot_nfull;
	info->depot_empty = c->depot_nempty;
	info->grows = c->grows;
	info->reaps = c->reaps;
	info->refills = c->refills;
	info->flushes = c->flushes;
	info->debug = cache_debug(c);
}

static void kmem_for_each_cache_unlocked(void (*fn)(struct kmem_cache *c, void *ctx), void *ctx)
{
	struct kmem_cache *c, *tmp;

	list_for_each_entry_safe(c, tmp, &caches, link)
		fn(c, ctx);
}

static void kmem_slabinfo_unlocked(void (*emit)(const char *line, void *ctx), void *ctx)
{
	struct kmem_cache *c;
	char line[160];

	emit("slabinfo - version: 2.1", ctx);
	emit("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	     " : tunables <limit> <batchcount> <sharedfactor>"
	     " : slabdata <active_slabs> <num_slabs> <sharedavail>", ctx);
	list_for_each_entry(c, &caches, link) {
		unsigned long depot;
		unsigned long cached = cached_objects(c, &depot);

		ksnprintf(line, sizeof(line),
			  "%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu",
			  c->name, c->inuse - c->lost - cached,
			  (unsigned long)c->nr_slabs * c->capacity,
			  c->stride, c->capacity, 1u << KMEM_SLAB_ORDER, c->magsize, c->magsize,
			  c->depot_max, (unsigned long)(c->nr_full + c->nr_partial),
			  (unsigned long)c->nr_slabs, depot);
		emit(line, ctx);
	}
}

size_t kmem_slab_bytes(void)
{
	return slab_pages * PAGE_SIZE;
}

size_t kmem_large_bytes(void)
{
	return large_pages * PAGE_SIZE;
}

/* ---- invariant checker ---------------------------------------------------------------------------- */

static __attribute__((format(printf, 2, 3))) void check_fail(int *problems, const char *fmt, ...)
{
	char line[REPORT_LEN];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pr_err("slab: check: %s\n", line);
	(*problems)++;
}

/* Check one object pointer found in a magazine of @c. */
static void check_cached(struct kmem_cache *c, void *obj, int *problems)
{
	struct slab *s;
	long idx;

	if (!kmem_addr_is_slab((uintptr_t)obj)) {
		check_fail(problems, "%s: magazine holds %p, not a slab object", c->name, obj);
		return;
	}
	s = kmem_slab_of((uintptr_t)obj);
	if (s->cache != c) {
		check_fail(problems, "%s: magazine holds %p of another cache", c->name, obj);
		return;
	}
	idx = obj_index(c, s, (uintptr_t)obj);
	if (idx < 0)
		check_fail(problems, "%s: magazine holds %p, not an object start", c->name, obj);
	else if (s->owners[idx])
		check_fail(problems, "%s: cached object %p has owner %u", c->name, obj,
			   s->owners[idx]);
}

static void check_magazine(struct kmem_cache *c, const struct kmem_magazine *m, int *problems)
{
	if (m->rounds > c->magsize || m->objs[0] != NULL) {
		check_fail(problems, "%s: magazine %p has %u rounds (size %u) or a bad sentinel",
			   c->name, (const void *)m, m->rounds, c->magsize);
		return;
	}
	for (uint32_t i = 1; i <= m->rounds; i++)
		check_cached(c, m->objs[i], problems);
}

/* Check slab @s listed under @st; add its counts to the totals. */
static void check_slab(struct kmem_cache *c, struct slab *s, enum slab_state st, int *problems,
		       unsigned long *inuse, unsigned long *owned, unsigned long *lost)
{
	uint32_t nfree = 0, nowned = 0;
	void *obj;

	if (s->magic != slab_magic(s) || s->cache != c || !kmem_addr_is_slab((uintptr_t)s)) {
		check_fail(problems, "%s: slab %p has a bad header", c->name, (void *)s);
		return;
	}
	if (s->inuse > c->capacity || state_for(c, s->inuse) != st)
		check_fail(problems, "%s: slab %p with %u in use is on the wrong list", c->name,
			   (void *)s, s->inuse);
	for (obj = s->freelist; obj && nfree <= c->capacity; nfree++) {
		long idx = obj_index(c, s, (uintptr_t)obj);

		if (idx < 0) {
			check_fail(problems, "%s: slab %p free list holds %p", c->name, (void *)s,
				   obj);
			break;
		}
		if (s->owners[idx])
			check_fail(problems, "%s: free object %p has owner %u", c->name, obj,
				   s->owners[idx]);
		if (cache_debug(c)) {
			bool ok;

			if (track_of(c, obj)->state != KMEM_TRACK_FREE)
				check_fail(problems, "%s: free object %p not marked free", c->name,
					   obj);
			if (poison_damage(c, obj) >= 0)
				check_fail(problems, "%s: free object %p lost its poison", c->name,
					   obj);
			redzone_damage(c, obj, c->objsize, &ok);
			if (!ok)
				check_fail(problems, "%s: free object %p red zone damaged", c->name,
					   obj);
		}
		obj = get_free_next(c, obj);
	}
	if (nfree + s->inuse != c->capacity)
		check_fail(problems, "%s: slab %p: %u in use + %u free != capacity %u", c->name,
			   (void *)s, s->inuse, nfree, c->capacity);
	for (uint32_t i = 0; i < c->capacity; i++) {
		if (!s->owners[i])
			continue;
		nowned++;
		if (cache_debug(c) && track_of(c, obj_at(c, s, i))->state != KMEM_TRACK_LIVE)
			check_fail(problems, "%s: owned object %p is not live", c->name,
				   obj_at(c, s, i));
	}
	if (nowned != s->owned)
		check_fail(problems, "%s: slab %p owned %u, recount %u", c->name, (void *)s,
			   s->owned, nowned);
	if (cache_debug(c)) {
		for (uint32_t i = 0; i < c->capacity; i++) {
			void *o = obj_at(c, s, i);
			struct kmem_track *t = track_of(c, o);
			bool ok;

			if (t->state != KMEM_TRACK_LIVE)
				continue;
			redzone_damage(c, o, t->req, &ok);
			if (!ok)
				check_fail(problems, "%s: live object %p red zone damaged", c->name,
					   o);
		}
	}
	*inuse += s->inuse;
	*owned += s->owned;
	*lost += s->lost;
}

static int kmem_cache_check_unlocked(struct kmem_cache *c)
{
	static const enum slab_state states[] = { SLAB_EMPTY, SLAB_PARTIAL, SLAB_FULL };
	unsigned long inuse = 0, owned = 0, lost = 0, cached;
	uint32_t nslabs = 0, nfull = 0, nempty = 0;
	int problems = 0;
	struct slab *s;

	for (unsigned k = 0; k < ARRAY_SIZE(states); k++) {
		uint32_t n = 0;

		list_for_each_entry(s, list_for(c, states[k]), link) {
			check_slab(c, s, states[k], &problems, &inuse, &owned, &lost);
			n++;
		}
		if (n != *count_for(c, states[k]))
			check_fail(&problems, "%s: list %d holds %u slabs, counter says %u", c->name,
				   (int)states[k], n, *count_for(c, states[k]));
		nslabs += n;
		if (states[k] == SLAB_FULL)
			nfull = n;
		if (states[k] == SLAB_EMPTY)
			nempty = n;
	}
	if (nslabs != c->nr_slabs)
		check_fail(&problems, "%s: %u slabs on lists, nr_slabs %u", c->name, nslabs,
			   c->nr_slabs);
	if (inuse != c->inuse || owned != c->owned || lost != c->lost)
		check_fail(&problems, "%s: in use %lu / owned %lu / lost %lu, recount %lu / %lu / %lu",
			   c->name, c->inuse, c->owned, c->lost, inuse, owned, lost);
	if (nempty > KMEM_EMPTY_KEEP)
		check_fail(&problems, "%s: %u empty slabs kept", c->name, nempty);
	(void)nfull;
	for (unsigned i = 0; i < KMEM_NR_CPUS; i++) {
		if (c->magsize == 0 && (c->cpu[i].loaded != &no_magazine ||
					c->cpu[i].previous != &no_magazine))
			check_fail(&problems, "%s: magazines without a magazine size", c->name);
		check_magazine(c, c->cpu[i].loaded, &problems);
		check_magazine(c, c->cpu[i].previous, &problems);
	}
	{
		uint32_t nf = 0, ne = 0;

		for (const struct kmem_magazine *m = c->depot_full; m; m = m->next, nf++) {
			if (m->rounds != c->magsize)
				check_fail(&problems, "%s: depot magazine with %u of %u rounds",
					   c->name, m->rounds, c->magsize);
			check_magazine(c, m, &problems);
		}
		for (const struct kmem_magazine *m = c->depot_empty; m; m = m->next, ne++)
			if (m->rounds)
				check_fail(&problems, "%s: empty depot magazine holds rounds",
					   c->name);
		if (nf != c->depot_nfull || ne != c->depot_nempty || nf > c->depot_max)
			check_fail(&problems, "%s: depot %u full / %u empty, counters %u / %u",
				   c->name, nf, ne, c->depot_nfull, c->depot_nempty);
	}
	cached = cached_objects(c, NULL);
	if (cached + c->owned + c->lost > c->inuse)
		check_fail(&problems, "%s: %lu cached + %lu owned + %lu lost > %lu in use", c->name,
			   cached, c->owned, c->lost, c->inuse);
	return problems;
}

static int kmem_check_all_unlocked(void)
{
	size_t pages = 0, lpages = 0;
	struct kmem_large *h;
	struct kmem_cache *c;
	int problems = 0;

	list_for_each_entry(c, &caches, link) {
		problems += kmem_cache_check(c);
		pages += (size_t)c->nr_slabs << KMEM_SLAB_ORDER;
	}
	if (pages != slab_pages)
		check_fail(&problems, "slab pages %zu, recount %zu", slab_pages, pages);
	list_for_each_entry(h, &large_objects, link) {
		if (h->magic != (KMEM_LARGE_MAGIC ^ (uintptr_t)h))
			check_fail(&problems, "large object header %p corrupted", (void *)h);
		lpages += (size_t)1 << h->order;
	}
	if (lpages != large_pages)
		check_fail(&problems, "large pages %zu, recount %zu", large_pages, lpages);
	return problems;
}

/* ---- leak scan ------------------------------------------------------------------------------------ */

static void leak_add(struct kmem_leak *out, size_t max, size_t *used, size_t *missed,
		     uintptr_t caller, size_t bytes)
{
	for (size_t i = 0; i < *used; i++) {
		if (out[i].caller == caller) {
			out[i].count++;
			out[i].bytes += bytes;
			return;
		}
	}
	if (*used == max) {
		(*missed)++;
		return;
	}
	out[*used].caller = caller;
	out[*used].count = 1;
	out[*used].bytes = bytes;
	(*used)++;
}

static size_t kmem_leak_scan_unlocked(struct kmem_leak *out, size_t max, size_t *missed)
{
	size_t used = 0, lost = 0;
	struct kmem_large *h;
	struct kmem_cache *c;
	struct slab *s;

	list_for_each_entry(c, &caches, link) {
		const struct list_head *lists[] = { &c->full, &c->partial };

		if (!cache_debug(c))
			continue;
		for (unsigned l = 0; l < ARRAY_SIZE(lists); l++) {
			list_for_each_entry(s, lists[l], link) {
				for (uint32_t i = 0; i < c->capacity; i++) {
					struct kmem_track *t = track_of(c, obj_at(c, s, i));

					if (t->state == KMEM_TRACK_LIVE)
						leak_add(out, max, &used, &lost, t->alloc_caller,
							 c->objsize);
				}
			}
		}
	}
	list_for_each_entry(h, &large_objects, link)
		leak_add(out, max, &used, &lost, h->caller, (size_t)PAGE_SIZE << h->order);
	/* Largest total first (insertion sort: the table is small). */
	for (size_t i = 1; i < used; i++) {
		struct kmem_leak x = out[i];
		size_t j = i;

		while (j > 0 && (out[j - 1].bytes < x.bytes ||
				 (out[j - 1].bytes == x.bytes && out[j - 1].caller > x.caller))) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = x;
	}
	if (missed)
		*missed = lost;
	return used;
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

void *kmem_large_alloc(size_t size, size_t align, unsigned flags, struct mm_error *err,
		       uintptr_t caller)
{
	preempt_disable();
	void *r = kmem_large_alloc_unlocked(size, align, flags, err, caller);
	preempt_enable();
	return r;
}

int kmem_large_free(const void *p, uintptr_t caller)
{
	preempt_disable();
	int r = kmem_large_free_unlocked(p, caller);
	preempt_enable();
	return r;
}

size_t kmem_owner_walk(uint32_t owner, kmem_object_fn fn, void *ctx)
{
	preempt_disable();
	size_t r = kmem_owner_walk_unlocked(owner, fn, ctx);
	preempt_enable();
	return r;
}

size_t kmem_owner_usage(uint32_t owner)
{
	preempt_disable();
	size_t r = kmem_owner_usage_unlocked(owner);
	preempt_enable();
	return r;
}

size_t kmem_owner_release(uint32_t owner)
{
	preempt_disable();
	size_t r = kmem_owner_release_unlocked(owner);
	preempt_enable();
	return r;
}

void kmem_cache_get_info(const struct kmem_cache *c, struct kmem_cache_info *info)
{
	preempt_disable();
	kmem_cache_get_info_unlocked(c, info);
	preempt_enable();
}

int kmem_check_all(void)
{
	preempt_disable();
	int r = kmem_check_all_unlocked();
	preempt_enable();
	return r;
}

size_t kmem_leak_scan(struct kmem_leak *out, size_t max, size_t *missed)
{
	preempt_disable();
	size_t r = kmem_leak_scan_unlocked(out, max, missed);
	preempt_enable();
	return r;
}

int kmem_cache_check(struct kmem_cache *c)
{
	preempt_disable();
	int r = kmem_cache_check_unlocked(c);
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

void kmem_for_each_cache(void (*fn)(struct kmem_cache *c, void *ctx), void *ctx)
{
	preempt_disable();
	kmem_for_each_cache_unlocked(fn, ctx);
	preempt_enable();
}

void kmem_slabinfo(void (*emit)(const char *line, void *ctx), void *ctx)
{
	preempt_disable();
	kmem_slabinfo_unlocked(emit, ctx);
	preempt_enable();
}
