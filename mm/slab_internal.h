/*
 * slab_internal: what the files of the slab layer share, and nothing else includes
 * (mm/slab.c core, mm/slab_cache.c caches, mm/slab_magazine.c magazines and depot,
 * mm/slab_large.c large objects, mm/slab_debug.c debug checks and reports,
 * mm/slab_stats.c owners and statistics). The public interface and the picture are in
 * include/mm/slab.h.
 *
 * Shared state (single CPU; every function below runs with preemption disabled, entered
 * through the public entry points of its file; "cache lock" marks what an SMP version will
 * lock per cache, "global lock" what it will lock for the whole layer):
 *   kmem_page_ops       the provider, set by slab_init()            (read-only after)
 *   kmem_started        slab_init() ran and slab_exit() did not     (global lock)
 *   kmem_caches         every cache, creation order                 (global lock)
 *   kmem_large_objects  every live large object                     (global lock)
 *   kmem_cache_cache,   the allocator's own caches for cache descriptors and magazines
 *   kmem_magazine_cache
 *   kmem_slab_pages, kmem_large_pages   page counters               (global lock)
 *   kmem_no_magazine    the empty stand-in magazine of caches without magazines
 * Pure code: builds for the host tests.
 */
#ifndef STRATA_MM_SLAB_INTERNAL_H
#define STRATA_MM_SLAB_INTERNAL_H

#include "mm/slab.h"

#include "lib/string.h"

#define KMEM_SLAB_MAGIC      ((uintptr_t)0x5ab5ab5au)
#define KMEM_LARGE_MAGIC     ((uintptr_t)0x1a26e0b1u)
#define KMEM_TRACK_LIVE      0xa110c8edu /* debug: object allocated */
#define KMEM_TRACK_FREE      0xf4eef4eeu /* debug: object free */
#define KMEM_EMPTY_KEEP      2u          /* empty slabs a cache keeps without pressure */
#define KMEM_MIN_ALIGN       ((uint32_t)sizeof(void *))
#define KMEM_LARGE_MIN_ALIGN 16u
#define KMEM_DESTROY_LIST    8u     /* debug: live objects listed by kmem_cache_destroy */
#define KMEM_INTERNAL        0x100u /* cache flag: the allocator's own cache */
#define REPORT_LEN           256

/* Debug metadata after each object's right red zone. */
struct kmem_track {
	uintptr_t next; /* hardened free pointer while the object is free */
	uintptr_t alloc_caller;
	uintptr_t free_caller;
	uint32_t req;   /* bytes asked for; [req, objsize) is red zone while live */
	uint32_t state; /* KMEM_TRACK_LIVE or KMEM_TRACK_FREE */
};

enum slab_state { SLAB_EMPTY, SLAB_PARTIAL, SLAB_FULL };

/*
 * failslab (include/mm/failinject.h): should this allocation with KM_* @flags fail as out of
 * memory? Never a KM_NOFAIL one. Asked once per allocation at the entry of the slow paths
 * (the fast paths take the slow path while failslab is on).
 */
static inline bool kmem_failslab(unsigned flags)
{
	return unlikely(failslab_attr.enabled) && !(flags & KM_NOFAIL) &&
	       failinject_now(&failslab_attr);
}

/* ---- shared state (definitions in mm/slab.c and mm/slab_magazine.c) ------------------- */

extern struct slab_page_ops kmem_page_ops;
extern bool kmem_started;
extern struct list_head kmem_caches;
extern struct list_head kmem_large_objects;
extern struct kmem_cache kmem_cache_cache;    /* struct kmem_cache descriptors */
extern struct kmem_cache kmem_magazine_cache; /* struct kmem_magazine */
extern size_t kmem_slab_pages;                /* pages in slabs, all caches */
extern size_t kmem_large_pages;               /* pages in large-object blocks */
/* Loaded and previous "magazine" of caches without magazines: no rounds, never pushed to. */
extern struct kmem_magazine kmem_no_magazine;

/* ---- small helpers ---------------------------------------------------------------------- */

static inline bool is_pow2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static inline uintptr_t swab_ptr(uintptr_t v)
{
#if UINTPTR_MAX > 0xffffffffu
	return (uintptr_t)__builtin_bswap64((uint64_t)v);
#else
	return (uintptr_t)__builtin_bswap32((uint32_t)v);
#endif
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
static inline long obj_index(const struct kmem_cache *c, const struct slab *s, uintptr_t p)
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

/* ---- slab lists (cache lock) -------------------------------------------------------------- */

static inline enum slab_state state_for(const struct kmem_cache *c, uint32_t inuse)
{
	if (inuse == 0)
		return SLAB_EMPTY;
	return inuse >= c->capacity ? SLAB_FULL : SLAB_PARTIAL;
}

static inline struct list_head *list_for(struct kmem_cache *c, enum slab_state st)
{
	return st == SLAB_EMPTY ? &c->empty : st == SLAB_FULL ? &c->full : &c->partial;
}

static inline uint32_t *count_for(struct kmem_cache *c, enum slab_state st)
{
	return st == SLAB_EMPTY ? &c->nr_empty : st == SLAB_FULL ? &c->nr_full : &c->nr_partial;
}

/* ---- across the files ---------------------------------------------------------------------- */

/* mm/slab.c: slabs (cache lock). */
/* Return empty-or-abandoned slab @s of @c to the provider (off its list, out of the map). */
void slab_release(struct kmem_cache *c, struct slab *s);
/* Carve a new slab for @c onto its empty list. Returns it, or NULL with *@err filled. */
struct slab *slab_grow(struct kmem_cache *c, unsigned flags, struct mm_error *err);
/* Take the first free object of @s (which has one); relists @s. Never fails. */
void *slab_take(struct kmem_cache *c, struct slab *s);
/* Return @obj (validated, owner cleared) to its slab @s; may release an empty slab. */
void slab_put(struct kmem_cache *c, struct slab *s, void *obj);
/* A slab of @c with a free object (partial, empty, else new), or NULL with *@err filled. */
struct slab *slab_with_free(struct kmem_cache *c, unsigned flags, struct mm_error *err);
/* Take up to @want objects into @out (at most one new slab). Returns how many; 0: *@err. */
uint32_t slab_take_batch(struct kmem_cache *c, void **out, uint32_t want, unsigned flags,
                         struct mm_error *err);

/* mm/slab_magazine.c: magazines (this CPU, interrupts off) and the depot (cache lock). */
/* An empty magazine from kmem_magazine_cache, or NULL when memory runs out. */
struct kmem_magazine *magazine_new(void);
/* Give magazine @m back to its cache; kmem_no_magazine is ignored. */
void magazine_delete(struct kmem_magazine *m);
/* Slow-path allocation through the magazines of @c. Returns an object or NULL (*@err). */
void *magazine_alloc(struct kmem_cache *c, unsigned flags, struct mm_error *err);
/* Slow-path free of validated @obj into the magazines of @c (flushes to slabs if needed). */
void magazine_free(struct kmem_cache *c, void *obj);
/* Objects held by @c's magazines and depot; *@in_depot (if not NULL) gets the depot's. */
unsigned long kmem_cached_objects(const struct kmem_cache *c, unsigned long *in_depot);
/* Empty all of @c's magazines into the slabs and free the depot's magazines. */
void kmem_cache_drain(struct kmem_cache *c);

/* mm/slab_debug.c: reports and debug bytes (each contract above its definition there). */
/* Print one report line with pr_err and count it in kmem_error_count(). */
__attribute__((format(printf, 1, 2))) void kmem_report(const char *fmt, ...);
void kmem_poison_object(const struct kmem_cache *c, void *obj);
long kmem_poison_damage(const struct kmem_cache *c, const void *obj);
long kmem_redzone_damage(const struct kmem_cache *c, const void *obj, uint32_t from, bool *ok);
void kmem_redzone_fill(const struct kmem_cache *c, void *obj, uint32_t from);
bool kmem_redzone_check(const struct kmem_cache *c, void *obj, uint32_t from, uintptr_t freer);
void kmem_debug_on_alloc(struct kmem_cache *c, void *obj, uintptr_t caller, size_t req);
void kmem_debug_init_object(const struct kmem_cache *c, void *obj);
void kmem_report_live_objects(struct kmem_cache *c);

/* mm/slab_stats.c: the owner hook. */
/* Charge @bytes to @owner through the hook; 0, or the hook's -errno with *@err filled. */
int kmem_charge(uint32_t owner, int64_t bytes, struct mm_error *err);
/* Give back @bytes charged to @owner (cannot fail). */
void kmem_uncharge(uint32_t owner, size_t bytes);

#endif
