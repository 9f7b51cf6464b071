/*
 * kmalloc: the kernel's general-purpose allocator, over the slab layer (mm/kmalloc.c).
 *
 *   size 0..4096       one of the size-class caches below, chosen by a table indexed by
 *                      (size + 15) >> 4: no search, no division
 *   size above 4096    a page block from the page provider (kmem_large_alloc), a 64-byte
 *                      header right below the object
 *   (vmalloc)          virtually contiguous, not physically: mm/vmalloc (needs paging)
 *
 * Size classes: 16 32 64 96 128 192 256 512 1024 2048 4096 ("kmalloc-16" ... "kmalloc-4k").
 * 96 and 192 cut the rounding waste of the sizes between the powers of two (measured on the
 * trace of tests/bench/trace_bench.c: see tools/bench-host.sh); 4096 takes 7 objects per
 * 32 KiB slab (12.5% lost) where a page block would lose 50% to its header.
 *
 * Alignment: every object is 16-byte aligned; an object of a power-of-two class is aligned
 * to its size (so kmalloc(64) is 64-byte aligned), as in Linux. kmalloc_aligned() for more.
 *
 * Failure: KM_NORMAL allocations may fail and return NULL, the structured error (struct
 * mm_error: OOM or the owner's limit) in kmem_last_error() or through kmalloc_err(); with
 * KM_NOFAIL a failure panics with "out of memory: ..." (the kernel adds the backtrace and
 * meminfo). Every object is charged to the current owner (include/mm/slab.h), or the kernel
 * with KM_KERNEL.
 *
 * Fast paths (inline): kmalloc pops from the class cache's loaded magazine, kfree pushes to
 * the magazine of the object's cache (found by masking the address down to its slab). Both
 * fall to out-of-line slow paths for: an empty/full magazine, a debug cache, an owner other
 * than the kernel, failslab on (allocations: kmalloc_failslab_sync), sizes above 4096, and anything
 * suspicious (double free on top of the magazine, a pointer that is not in a slab). In debug mode
 * the slow paths check red zones including the bytes between the size asked for and the class size.
 *
 * Context: as the slab layer (one CPU, not from interrupt handlers unless masked).
 */
#ifndef STRATA_MM_KMALLOC_H
#define STRATA_MM_KMALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "lib/string.h"
#include "mm/error.h"
#include "lib/preempt.h"
#include "mm/slab.h"

#define KMALLOC_MIN_SIZE       16u
#define KMALLOC_MIN_ALIGN      16u
#define KMALLOC_MAX_CACHE_SIZE 4096u
#define KMALLOC_INDEX_SHIFT    4 /* table index: (size + 15) >> 4 */
#define KMALLOC_TABLE_SIZE     ((KMALLOC_MAX_CACHE_SIZE >> KMALLOC_INDEX_SHIFT) + 1)
#define KMALLOC_NR_CLASSES     11

/* Size index -> class cache. Before kmalloc_init() every entry is a cache with no objects. */
extern struct kmem_cache *kmalloc_table[KMALLOC_TABLE_SIZE];

void *__kmalloc_slow(size_t size, unsigned flags);
void __kfree_slow(const void *p);

/*
 * Create the size-class caches (after slab_init(); after slab_set_debug() for debug mode).
 * Returns 0, -EBUSY if already done, or -ENOMEM (nothing created).
 */
int kmalloc_init(void);

/*
 * Follow failslab_attr.enabled (include/mm/failinject.h): while failslab is on, the table the
 * fast path reads sends every allocation to the slow path, where failslab decides. Call after
 * changing the attribute. Cannot fail.
 */
void kmalloc_failslab_sync(void);

/* Destroy the size-class caches (host tests). Returns 0, or -EBUSY while objects are live. */
int kmalloc_exit(void);

/*
 * Allocate @size bytes (0 gives a 16-byte object). Returns the object, 16-byte aligned
 * (power-of-two sizes up to 4096: aligned to the size), or NULL on failure (KM_NOFAIL:
 * panics instead); the error is then in kmem_last_error().
 */
static inline void *kmalloc(size_t size, unsigned flags)
{
	preempt_disable(); /* the magazine is per CPU: no task switch in between */
	if (likely(size <= KMALLOC_MAX_CACHE_SIZE)) {
		struct kmem_cache *c =
		    kmalloc_table[(size + KMALLOC_MIN_SIZE - 1) >> KMALLOC_INDEX_SHIFT];
		struct kmem_magazine *m = c->cpu[kmem_cpu_id()].loaded;
		uint32_t n = m->rounds;

		if (likely(n != 0 &&
		           ((flags & KM_KERNEL) || !kmem_cpu_state[kmem_cpu_id()].owner))) {
			void *obj = m->objs[n];

			m->rounds = n - 1;
			preempt_enable();
			if (flags & KM_ZERO)
				memset(obj, 0, c->objsize);
			return obj;
		}
	}
	void *obj = __kmalloc_slow(size, flags);
	preempt_enable();
	return obj;
}

/* kmalloc, zeroed (all kmalloc_size() bytes). */
static inline void *kzalloc(size_t size, unsigned flags)
{
	return kmalloc(size, flags | KM_ZERO);
}

/* kmalloc that also fills *@err (not NULL) when it returns NULL. */
void *kmalloc_err(size_t size, unsigned flags, struct mm_error *err);

/*
 * kmalloc of @size bytes aligned to @align (a power of two; up to 4096 from the classes,
 * larger from page blocks). Returns NULL with MM_INVALID_ARGUMENT for a bad @align.
 */
void *kmalloc_aligned(size_t size, size_t align, unsigned flags);

/* The general entry: records @caller (for wrappers that allocate on someone's behalf). */
void *kmalloc_track_caller(size_t size, size_t align, unsigned flags, struct mm_error *err,
                           uintptr_t caller);

/*
 * Usable bytes at @p (>= the size asked for; in debug mode exactly that size). 0 for NULL
 * or a pointer that is not a live object.
 */
size_t kmalloc_size(const void *p);

/*
 * Resize @p to @size bytes, keeping the first min(old, new) bytes. In place when @size fits
 * kmalloc_size()'s object; otherwise a new object (the old one is freed). NULL @p: kmalloc.
 * @size 0: kfree(@p), returns NULL. On failure returns NULL and leaves @p as it was.
 */
void *krealloc(void *p, size_t size, unsigned flags);

/*
 * Free @p (from kmalloc, krealloc, kmalloc_aligned or any kmem_cache). NULL is a no-op.
 * Double frees on top of a magazine or a slab free list, and pointers outside every slab
 * that are not large objects, are reported ("slab: ...") and ignored; so are pointers into
 * the middle of an object in debug mode (see include/mm/slab.h).
 */
static inline void kfree(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	preempt_disable(); /* the magazine is per CPU: no task switch in between */
	if (likely(kmem_addr_is_slab(a))) {
		struct slab *s = kmem_slab_of(a);
		struct kmem_cache *c = s->cache;
		struct kmem_magazine *m = c->cpu[kmem_cpu_id()].loaded;
		uint32_t n = m->rounds;

		if (likely(n < c->magsize && m->objs[n] != p && s->owned == 0)) {
			m->objs[n + 1] = (void *)a;
			m->rounds = n + 1;
			preempt_enable();
			return;
		}
	}
	__kfree_slow(p);
	preempt_enable();
}

void kfree_track_caller(const void *p, uintptr_t caller);

/* The class cache for @size bytes, or NULL above KMALLOC_MAX_CACHE_SIZE or before init. */
struct kmem_cache *kmalloc_cache_for(size_t size);

/* The class sizes, smallest first (KMALLOC_NR_CLASSES entries). */
extern const uint32_t kmalloc_class_sizes[KMALLOC_NR_CLASSES];

#endif
