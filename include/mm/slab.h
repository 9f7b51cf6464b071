/*
 * slab: object caches (Bonwick's slab allocator with a magazine layer) and page-backed large
 * objects, over a page provider. mm/slab*.c; kmalloc (include/mm/kmalloc.h) sits on top.
 *
 * Layers, top to bottom:
 *
 *   kmem_cache_alloc/free   inline fast path: pop/push one pointer on this CPU's loaded
 *     |                     magazine (no lock, no division, one predicted branch each)
 *   magazines (per CPU)     two magazines per CPU (loaded, previous), Bonwick's exchange
 *     |
 *   depot (per cache)       full and empty magazines, at most depot_max full ones
 *     |
 *   slabs (per cache)       full / partial / empty lists; a hardened free list inside each
 *     |
 *   page provider           struct slab_page_ops: the buddy allocator in the kernel,
 *                           an aligned_alloc arena in host tests
 *
 * Slab geometry. Every slab is one block of KMEM_SLAB_SIZE bytes (32 KiB, order 3), aligned
 * to its size, with its header at the start:
 *
 *   slab base (32 KiB aligned)
 *   +-------------+----------------+-------+------+------+-- ... --+------+----------+
 *   | struct slab | owners[cap] u32 | pad  | color | obj0 | obj1    | objN | leftover |
 *   +-------------+----------------+-------+------+------+-- ... --+------+----------+
 *
 * so the slab of any object is found by masking the address (kmem_slab_of()). Because all
 * slabs share one size, kfree() needs no cache argument. A map with one byte per 32 KiB
 * of the provider's region (struct kmem_region) says which blocks are slabs: kfree() tells a
 * slab object from anything else deterministically, before reading the object. Large
 * objects (kmalloc above KMALLOC_MAX_CACHE_SIZE) are whole page blocks with a 64-byte header
 * right below the returned pointer (struct kmem_large).
 *
 * Coloring: the leftover bytes of a slab shift object 0 by a different multiple of
 * max(align, 64) in successive slabs, so equal offsets in different slabs use different
 * cache lines. Objects of a power-of-two cache aligned to their size have no leftover to
 * spend and get one color.
 *
 * Owners: every live object is charged to an owner id (0 = the kernel, 1..KMEM_OWNER_MAX =
 * the owners the scheduler hands out, one per process-to-be; not task ids), the current owner
 * when it was allocated (kmem_set_current_owner(); KM_KERNEL charges the kernel instead). The
 * owner of each object is kept in the slab's owners[] array, 4 bytes per object (32-bit ids;
 * 0 for kernel-owned and free objects; the 16-bit array it replaced cost 2: a 32 KiB slab now
 * holds 10% fewer 16-byte objects, 3% fewer 64-byte ones, at most 1.2% fewer from 128
 * bytes up and as many from 512 up), so a free always uncharges
 * the right owner and a task's objects can be listed or reassigned at its exit
 * (kmem_owner_walk(), kmem_owner_release()). Charges of owners other than the kernel go
 * through the owner hook (struct kmem_owner_ops), which keeps the per-owner byte counters
 * and may refuse with MM_EXCEEDS_LIMIT; the kernel's own objects are counted by the slab
 * layer without a call (kmem_owner_usage(0)). Per slab, `owned` counts owners[] entries that
 * are not 0, so freeing into a slab with owned == 0 skips the lookup: kernel-owned
 * allocations and frees stay on the inline fast path; task-owned ones take the slow path
 * (one hook call each).
 *
 * Hardening (always on): free-list pointers inside free objects are stored XORed with a
 * per-cache secret and the byte-swapped address they are stored at (as SLUB's
 * CONFIG_SLAB_FREELIST_HARDENED) and checked when followed; freeing the object on top of the
 * loaded magazine or at the head of its slab's free list is reported as a double free;
 * kmem_cache_free() to the wrong cache and frees of pointers that are not objects are
 * reported and ignored.
 *
 * Debug mode (slab_set_debug(true) before caches are created, or KMEM_DEBUG per cache):
 * every operation takes the slow path; each object gets red zones (KMEM_RED_BYTE) on both
 * sides, and for kmalloc the bytes between the size asked for and the object size; free
 * objects are poisoned (KMEM_POISON_FREE, last byte KMEM_POISON_END; not for caches with a
 * constructor) and the poison is checked on the next allocation; a struct kmem_track per
 * object records the allocating and freeing callers and the object state, so double frees
 * are caught exactly, before anything changes. Reports are one pr_err line each, exactly:
 *
 *   slab: <cache>: red zone overwritten at offset <off> of object <p> (size <n>); allocated by
 * <pS>, freed by <pS> slab: <cache>: use after free: object <p> modified at offset <off>; allocated
 * by <pS>, freed by <pS> slab: <cache>: double free of object <p> by <pS>; allocated by <pS>, freed
 * by <pS> slab: <cache>: double free of object <p> by <pS>                 (without debug mode)
 *   slab: <cache>: free of object <p> that belongs to cache <other>, by <pS>
 *   slab: <cache>: free of <p>, which is not a slab object, by <pS>
 *   slab: <cache>: free of <p>, which is not the start of an object, by <pS>
 *   slab: <cache>: corrupted free pointer <v> in object <p>
 *   slab: <cache>: object <p> has corrupted debug metadata
 *   slab: free of <p>: slab header <s> corrupted
 *   slab: free of <p>, which is not an allocated object, by <pS>    (kfree: not slab, not large)
 *   slab: kmem_cache_destroy(<cache>): <n> objects still in use
 *   slab: <cache>: object <p> still in use, allocated by <pS>       (debug, up to 8 lines)
 * (<p> prints as %p, <pS> as %pS, <off> as a signed decimal relative to the object start.)
 * A red zone or poison report repairs the bytes and the operation goes on; every other
 * report leaves all state unchanged. kmem_error_count() counts reports. Without debug mode
 * the inline free path checks only that the pointer lies in a slab of the right cache and
 * is not on top of the magazine; a pointer into the middle of an object is caught by the
 * slow path (every free in debug mode, kmem_free(), kfree_track_caller()).
 *
 * Locking and context: one CPU for now (KMEM_NR_CPUS 1); callers mask interrupts or do not
 * allocate from interrupt handlers, like the buddy allocator's callers. Shaped for SMP: the
 * per-CPU part (struct kmem_cpu_cache, struct kmem_cpu_state) is touched only by its CPU
 * with interrupts off; the depot and the slab lists will take a per-cache lock
 * (order: cache lock -> page provider lock); the cache list and the region bitmap a global
 * lock taken before any cache lock. Pure code: builds for the host tests.
 */
#ifndef STRATA_MM_SLAB_H
#define STRATA_MM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "lib/list.h"
#include "lib/preempt.h"
#include "lib/string.h"
#include "mm/error.h"
#include "mm/failinject.h"
#include "mm/page.h"

/* ---- geometry ------------------------------------------------------------------------- */
#define KMEM_SLAB_ORDER      3u
#define KMEM_SLAB_SHIFT      (PAGE_SHIFT + KMEM_SLAB_ORDER)
#define KMEM_SLAB_SIZE       (1u << KMEM_SLAB_SHIFT) /* 32 KiB */
#define KMEM_SLAB_MASK       ((uintptr_t)KMEM_SLAB_SIZE - 1)
#define KMEM_MAX_OBJECT_SIZE (KMEM_SLAB_SIZE / 4) /* larger: use pages */
#define KMEM_MAX_ALIGN       PAGE_SIZE
#define KMEM_CACHE_LINE      64u /* coloring unit, HWCACHE_ALIGN */
#define KMEM_NAME_MAX        24  /* bytes, NUL included */
#define KMEM_NR_CPUS         1u
#define KMEM_MAG_MAX         63u /* rounds in a magazine, at most */
#define KMEM_OWNER_KERNEL    0u
#define KMEM_OWNER_MAX       0xFFFFFFFEu /* owner ids are 32-bit */
/* The provider's region may span at most this much (the kernel's direct map: <= 960 MiB). */
#define KMEM_REGION_SPAN_MAX (1ul << 30)
#define KMEM_REGION_SLOTS    (KMEM_REGION_SPAN_MAX >> KMEM_SLAB_SHIFT) /* 32 KiB slots */

/* ---- debug bytes (the values Linux uses, so they read the same in a dump) ------------ */
#define KMEM_RED_BYTE    0xbbu /* red zones and kmalloc slack */
#define KMEM_POISON_FREE 0x6bu /* free object bytes */
#define KMEM_POISON_END  0xa5u /* last byte of a free object */
#define KMEM_RED_ZONE    16u   /* bytes of red zone at least, on each side */

/* ---- cache flags (kmem_cache_create) -------------------------------------------------- */
#define KMEM_DEBUG         0x01u /* debug checks for this cache even if the switch is off */
#define KMEM_NO_DEBUG      0x02u /* never debug (allocator-internal caches) */
#define KMEM_NO_MAGAZINE   0x04u /* no magazine layer: every operation locks the slab lists */
#define KMEM_HWCACHE_ALIGN 0x08u /* align objects to KMEM_CACHE_LINE */

/* ---- allocation flags (kmem_cache_alloc, kmalloc) ------------------------------------- */
#define KM_NORMAL 0x00u /* may fail: NULL, the error in kmem_last_error() */
#define KM_NOFAIL 0x01u /* must succeed: panic("out of memory: ...") otherwise */
#define KM_ZERO   0x02u /* zero the object */
#define KM_KERNEL 0x04u /* charge the kernel, whoever is running (interrupts, ...) */

/*
 * The page provider. alloc_pages returns the address of 2^@order pages aligned to their
 * size (a buddy block), or NULL with @err filled (MM_OUT_OF_MEMORY); free_pages takes back
 * a block with the order it was allocated with. @flags carries the KM_* flags of the
 * allocation that needs the pages (providers may ignore them). Every block lies in
 * [base, base + span), span <= KMEM_REGION_SPAN_MAX. Neither function may call back into
 * the slab layer except through a shrink hook (see mm/pressure.h).
 */
struct slab_page_ops {
	void *(*alloc_pages)(unsigned order, uint32_t flags, struct mm_error *err, void *ctx);
	void (*free_pages)(void *addr, unsigned order, void *ctx);
	void *ctx;
	uintptr_t base;
	size_t span;
};

/*
 * The owner hook. charge(owner, +bytes) before an object is handed to @owner, may refuse:
 * fill @err (MM_EXCEEDS_LIMIT) and return -EDQUOT (or -ENOMEM); charge(owner, -bytes) when
 * it is freed or reassigned, must return 0. Never called for owner 0 (the kernel is never
 * limited and is counted by the slab layer itself). Called with the slab layer's state
 * consistent; it must not allocate from the slab layer.
 */
struct kmem_owner_ops {
	int (*charge)(uint32_t owner, int64_t bytes, struct mm_error *err, void *ctx);
	void *ctx;
};

/* ---- internals the inline fast paths read (do not use directly) ----------------------- */

/* A magazine: objs[1..rounds] hold objects; objs[0] is always NULL (a top with no rounds). */
struct kmem_magazine {
	uint32_t rounds;
	struct kmem_magazine *next; /* depot link */
	void *objs[KMEM_MAG_MAX + 1];
};

struct kmem_cpu_cache {
	struct kmem_magazine *loaded;   /* pops and pushes happen here */
	struct kmem_magazine *previous; /* full or empty: swapped in before asking the depot */
};

struct kmem_cache {
	/* hot, read by the fast paths */
	struct kmem_cpu_cache cpu[KMEM_NR_CPUS];
	uint32_t magsize; /* rounds per magazine; 0: every operation takes the slow path */
	uint32_t objsize; /* bytes the caller may use */
	/* geometry, fixed at creation */
	uint32_t stride; /* bytes from one object to the next */
	uint32_t align;
	uint32_t capacity;  /* objects per slab */
	uint32_t first_off; /* offset of object 0 in an uncolored slab */
	uint32_t fp_off;    /* where a free object keeps its free pointer, from its start */
	uint32_t redzone;   /* debug: left red zone bytes; the right one ends at track_off */
	uint32_t track_off; /* debug: offset of struct kmem_track from the object */
	uint32_t recip;     /* ceil(2^32 / stride): index = offset * recip >> 32 */
	uint32_t color_step, color_max, color_next;
	uint32_t flags;   /* KMEM_* as created, plus KMEM_DEBUG when debugging */
	uintptr_t secret; /* free-pointer hardening key */
	void (*ctor)(void *obj);
	/* slab lists and depot */
	struct list_head full, partial, empty;
	uint32_t nr_slabs, nr_full, nr_partial, nr_empty;
	unsigned long inuse; /* objects not on a slab free list: live or in a magazine */
	unsigned long owned; /* live objects charged to an owner other than the kernel */
	unsigned long lost;  /* objects abandoned with corrupted free lists (in inuse) */
	struct kmem_magazine *depot_full, *depot_empty;
	uint32_t depot_nfull, depot_nempty, depot_max;
	/* statistics: slow-path events (the fast path counts nothing) */
	unsigned long grows, reaps, refills, flushes;
	struct list_head link; /* on the list of all caches */
	char name[KMEM_NAME_MAX];
};

/* The header at the start of every slab. */
struct slab {
	struct kmem_cache *cache;
	uintptr_t magic;       /* KMEM_SLAB_MAGIC ^ address of the slab */
	struct list_head link; /* on cache->full / partial / empty */
	void *freelist;        /* first free object; its next pointer is hardened */
	char *objs;            /* object 0 (after the owners, padding and color) */
	uint16_t inuse;        /* objects not on the free list */
	uint16_t owned;        /* owners[] entries that are not 0 */
	uint16_t color;
	uint16_t lost;     /* objects abandoned with a corrupted free list (in inuse) */
	uint32_t owners[]; /* owner id of each live object, 0 for the kernel or free */
};

/*
 * Which 32 KiB blocks of the provider's region are slabs: one byte per block (32 KiB for a
 * 1 GiB region), so kfree's "is this a slab object?" is one byte load and compare rather than
 * a bit extraction (3 instructions less on the hot path).
 */
struct kmem_region {
	uintptr_t base;
	uintptr_t span; /* 0 before slab_init(): nothing is a slab */
	uint8_t is_slab[KMEM_REGION_SLOTS];
};

struct kmem_cpu_state {
	uint32_t owner;             /* charged for allocations on this CPU */
	struct mm_error last_error; /* of the last failed allocation on this CPU */
};

extern struct kmem_region kmem_region;
extern struct kmem_cpu_state kmem_cpu_state[KMEM_NR_CPUS];

static inline unsigned kmem_cpu_id(void)
{
	return 0;
}

/* True when @addr lies in a slab (any byte of it, header included). */
static inline bool kmem_addr_is_slab(uintptr_t addr)
{
	uintptr_t off = addr - kmem_region.base;

	if (off >= kmem_region.span)
		return false;
	return kmem_region.is_slab[off >> KMEM_SLAB_SHIFT] != 0;
}

static inline struct slab *kmem_slab_of(uintptr_t addr)
{
	return (struct slab *)(addr & ~KMEM_SLAB_MASK);
}

/* Slow paths behind the inline functions; they record their caller. */
void *kmem_cache_alloc_slow(struct kmem_cache *c, unsigned flags);
void kmem_cache_free_slow(struct kmem_cache *c, void *obj);

/* ---- setup ---------------------------------------------------------------------------- */

/*
 * Start the slab layer on @ops (copied) with @seed for the free-pointer secrets (the kernel
 * passes something boot-varying, e.g. the TSC). Creates the allocator's own caches.
 * Returns 0; -EINVAL for missing functions or a region larger than KMEM_REGION_SPAN_MAX;
 * -EBUSY if already started.
 */
int slab_init(const struct slab_page_ops *ops, uint64_t seed);

/*
 * Stop the slab layer (host tests and fuzzers): returns its own pages to the provider.
 * Returns 0, or -EBUSY (and changes nothing) while caches other than its own, or large
 * objects, exist.
 */
int slab_exit(void);

/* The debug switch (`slub_debug`): applies to caches created afterwards. */
void slab_set_debug(bool on);
bool slab_debug_enabled(void);

/* Register the owner hook (copied; NULL removes it: every owner is then only recorded). */
void kmem_set_owner_ops(const struct kmem_owner_ops *ops);

/*
 * Make @owner the owner charged for this CPU's allocations from now on (the scheduler calls
 * this when it switches tasks). Returns 0, or -EINVAL for an owner above KMEM_OWNER_MAX.
 */
int kmem_set_current_owner(uint32_t owner);
uint32_t kmem_current_owner(void);

/* ---- caches --------------------------------------------------------------------------- */

/*
 * Create a cache of @size-byte objects aligned to @align (0: pointer alignment; else a power
 * of two <= KMEM_MAX_ALIGN) named @name (copied, truncated to KMEM_NAME_MAX - 1). @ctor, if
 * not NULL, constructs each object once when its slab is created; objects must be freed in
 * their constructed state. @flags: KMEM_*. Returns the cache, or NULL (with a "slab: " warning
 * for bad arguments) when @size is 0 or above KMEM_MAX_OBJECT_SIZE, @align is bad, or memory
 * for the descriptor runs out.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
                                     void (*ctor)(void *obj), unsigned flags);

/*
 * Destroy @c: returns its magazines and slabs to the provider and returns 0. If objects are
 * still in use, reports them and returns -EBUSY; the cache stays usable. NULL: returns 0.
 * (Objects abandoned with a corrupted free list do not count: they go with the cache.)
 */
int kmem_cache_destroy(struct kmem_cache *c);

/*
 * Allocate an object from @c (KM_* @flags). Returns it, or NULL when memory or the owner's
 * limit runs out (KM_NOFAIL: panics instead); the error is then in kmem_last_error().
 */
static inline void *kmem_cache_alloc(struct kmem_cache *c, unsigned flags)
{
	preempt_disable(); /* the magazine is per CPU: no task switch in between */
	struct kmem_magazine *m = c->cpu[kmem_cpu_id()].loaded;
	uint32_t n = m->rounds;
	void *obj;

	if (unlikely(n == 0 || ((flags & KM_KERNEL) == 0 && kmem_cpu_state[kmem_cpu_id()].owner) ||
	             failslab_attr.enabled)) {
		obj = kmem_cache_alloc_slow(c, flags);
		preempt_enable();
		return obj;
	}
	obj = m->objs[n];
	m->rounds = n - 1;
	preempt_enable();
	if (flags & KM_ZERO)
		memset(obj, 0, c->objsize);
	return obj;
}

/* As kmem_cache_alloc, filling *@err (if not NULL) on failure; @caller is recorded. */
void *kmem_cache_alloc_track_caller(struct kmem_cache *c, unsigned flags, struct mm_error *err,
                                    uintptr_t caller);

/*
 * Free @obj, allocated from @c. NULL is a no-op. A pointer that is not an object of @c is
 * reported and ignored.
 */
static inline void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	uintptr_t a = (uintptr_t)obj;

	preempt_disable(); /* the magazine is per CPU: no task switch in between */
	if (likely(kmem_addr_is_slab(a))) {
		struct slab *s = kmem_slab_of(a);
		struct kmem_magazine *m = c->cpu[kmem_cpu_id()].loaded;
		uint32_t n = m->rounds;

		if (likely(s->cache == c && n < c->magsize && m->objs[n] != obj && s->owned == 0)) {
			m->objs[n + 1] = obj;
			m->rounds = n + 1;
			preempt_enable();
			return;
		}
	}
	kmem_cache_free_slow(c, obj);
	preempt_enable();
}

void kmem_cache_free_track_caller(struct kmem_cache *c, void *obj, uintptr_t caller);

/*
 * Give memory back: empty this cache's magazines and depot into its slabs and return its
 * empty slabs to the provider. Returns the number of pages returned.
 */
size_t kmem_cache_shrink(struct kmem_cache *c);

/* kmem_cache_shrink() on every cache: the memory-pressure hook. Returns pages returned. */
size_t kmem_shrink_all(void);

/* ---- large objects (whole page blocks; kmalloc's path above its size classes) ---------- */

#define KMEM_LARGE_HDR 64u /* header bytes right below a large object */

struct kmem_large {
	uintptr_t magic;       /* KMEM_LARGE_MAGIC ^ address of this header */
	void *block;           /* the page block */
	struct list_head link; /* on the list of live large objects */
	size_t size;           /* bytes asked for */
	uintptr_t caller;
	uint32_t owner;
	uint32_t order;
};

/*
 * Allocate @size bytes aligned to @align (a power of two <= KMEM_REGION_SPAN_MAX / 2; 0 for
 * 16) as one page block, charged like a slab object (PAGE_SIZE << order bytes). Returns the
 * object or NULL (error in *@err if not NULL and in kmem_last_error(); KM_NOFAIL panics).
 */
void *kmem_large_alloc(size_t size, size_t align, unsigned flags, struct mm_error *err,
                       uintptr_t caller);

/* The header of large object @p, or NULL if @p is not one (reads only the provider's region). */
struct kmem_large *kmem_large_of(const void *p);

/* Free large object @p; returns 0, or -EINVAL after reporting @p as not a large object. */
int kmem_large_free(const void *p, uintptr_t caller);

/* ---- objects in general --------------------------------------------------------------- */

/*
 * Free @p, an object of any cache or a large object, as kfree() does (@c: the cache it must
 * belong to, or NULL for any). NULL is a no-op.
 */
void kmem_free(struct kmem_cache *c, const void *p, uintptr_t caller);

/* The cache of slab object @p, or NULL when @p is not inside a slab. */
struct kmem_cache *kmem_cache_of(const void *p);

/*
 * Usable bytes at @p: the object size (in debug mode: the bytes asked for, the rest is red
 * zone), or for a large object the bytes to the end of its block. 0 when @p is not the start
 * of an object (in debug mode: of a live one; without it a free object reads as live).
 */
size_t kmem_object_size(const void *p);

/* kmalloc's entry into a cache: as kmem_cache_alloc_track_caller, recording @req bytes. */
void *__kmem_cache_alloc(struct kmem_cache *c, unsigned flags, struct mm_error *err,
                         uintptr_t caller, size_t req);

/* Shrink a debug kmalloc object in place to @req bytes (the rest becomes red zone). */
void __kmem_set_requested(void *obj, size_t req);

/*
 * Record a failed allocation of @size bytes by @caller (@what names the cache or "kmalloc"):
 * @err (kind MM_OK becomes MM_OUT_OF_MEMORY) is copied to kmem_last_error(); with KM_NOFAIL
 * in @flags, panic("out of memory: <what> of <size> bytes by <caller>: <error>"). Returns NULL.
 */
void *kmem_alloc_failed(const char *what, size_t size, unsigned flags, struct mm_error *err,
                        uintptr_t caller);

/* The error of the last failed allocation on this CPU (kind MM_OK if none yet). */
const struct mm_error *kmem_last_error(void);

/* ---- owners --------------------------------------------------------------------------- */

typedef void (*kmem_object_fn)(void *obj, size_t bytes, struct kmem_cache *c, void *ctx);

/*
 * Call @fn for every live object charged to @owner (1..KMEM_OWNER_MAX): slab objects with
 * their cache, large objects with c == NULL. @fn must not allocate or free. Returns the bytes
 * charged for them (0 for owner 0: kernel objects are not listed).
 */
size_t kmem_owner_walk(uint32_t owner, kmem_object_fn fn, void *ctx);

/*
 * Bytes charged to @owner right now, recounted from the slabs: for a task the sum of its
 * live objects, for owner 0 every live object not charged to a task.
 */
size_t kmem_owner_usage(uint32_t owner);

/*
 * At a task's exit: charge every live object of @owner to the kernel instead (uncharging
 * @owner through the hook). Returns the bytes moved. (To free them, walk first.)
 */
size_t kmem_owner_release(uint32_t owner);

/* ---- statistics and checks ------------------------------------------------------------ */

struct kmem_cache_info {
	const char *name;
	uint32_t objsize, stride, align, objs_per_slab, pages_per_slab;
	unsigned long active_objs; /* live objects */
	unsigned long num_objs;    /* objects all slabs can hold */
	unsigned long cached_objs; /* in magazines and the depot */
	unsigned long owned_objs;  /* live objects charged to a task */
	unsigned long lost_objs;   /* free objects abandoned with a corrupted free list */
	uint32_t nr_slabs, nr_full, nr_partial, nr_empty;
	uint32_t magsize, depot_max, depot_full, depot_empty;
	unsigned long grows, reaps, refills, flushes;
	bool debug;
};

void kmem_cache_get_info(const struct kmem_cache *c, struct kmem_cache_info *info);

/* Calls @fn for each cache (the allocator's own included), in creation order. */
void kmem_for_each_cache(void (*fn)(struct kmem_cache *c, void *ctx), void *ctx);

/*
 * /proc/slabinfo version 2.1: the two header lines, then one line per cache, each passed to
 * @emit without a newline. objsize is the stride (bytes an object takes); limit and
 * batchcount are the magazine size, sharedfactor the depot's full-magazine limit,
 * sharedavail the objects in the depot.
 */
void kmem_slabinfo(void (*emit)(const char *line, void *ctx), void *ctx);

/* kmem_slabinfo into the seqbuf @s (one line each): the emitter of the monitor's slabinfo and
 * /proc/slabinfo (mm/heap.c). */
struct seqbuf;
void kmem_slabinfo_show(struct seqbuf *s);

size_t kmem_slab_bytes(void);  /* bytes in slabs: meminfo's Slab: */
size_t kmem_large_bytes(void); /* bytes in large-object blocks */

/*
 * Check every invariant of @c (per slab: in use + free = capacity, the list matches, free
 * pointers valid; counters equal a recount; magazines hold only this cache's objects; in
 * debug mode every red zone and poison). Reports each problem with pr_err ("slab: check:
 * ..."). Returns the number of problems (0: consistent).
 */
int kmem_cache_check(struct kmem_cache *c);
int kmem_check_all(void); /* every cache and the large objects */

unsigned long kmem_error_count(void); /* reports so far (double frees, red zones, ...) */

/* Live allocations grouped by allocating caller (kmem_leak_scan). */
struct kmem_leak {
	uintptr_t caller;
	unsigned long count;
	size_t bytes;
};

/*
 * Group the live objects whose caller is known (objects of debug caches, and every large
 * object) by caller into @out[0..@max), largest total first. Returns the entries filled;
 * *@missed (if not NULL) gets the number of callers that did not fit.
 */
size_t kmem_leak_scan(struct kmem_leak *out, size_t max, size_t *missed);

#endif
