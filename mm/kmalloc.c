/*
 * kmalloc: size classes over the slab layer, page blocks above them. See
 * include/mm/kmalloc.h for the classes, alignment and failure rules.
 *
 * Design: kmalloc_table maps (size + 15) >> 4 to the class cache, so the inline fast path is
 * a table load and a magazine pop. Before kmalloc_init() (and after kmalloc_exit()) every
 * entry points at boot_cache, a descriptor whose magazine is always empty, so an early
 * kmalloc takes the slow path and fails cleanly instead of dereferencing NULL. Everything
 * that is not a magazine operation (debug checks, owners, large objects, reports) lives in
 * mm/slab*.c; this file only chooses the cache and handles krealloc and alignment.
 *
 * Locking: as the slab layer; the table is written only by kmalloc_init()/kmalloc_exit().
 */
#include "mm/kmalloc.h"
#include "lib/preempt.h"

#include "lib/printk.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

const uint32_t kmalloc_class_sizes[KMALLOC_NR_CLASSES] = {
	16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
};

static struct kmem_magazine boot_magazine; /* no rounds, never pushed to (magsize 0) */
static struct kmem_cache boot_cache = {
	.cpu = { [0 ... KMEM_NR_CPUS - 1] = { &boot_magazine, &boot_magazine } },
	.name = "kmalloc-boot",
};

struct kmem_cache *kmalloc_table[KMALLOC_TABLE_SIZE] = {
	[0 ... KMALLOC_TABLE_SIZE - 1] = &boot_cache,
};

static struct kmem_cache *classes[KMALLOC_NR_CLASSES];
/* The real mapping. kmalloc_table equals it except while failslab is on: then every entry
 * is boot_cache, whose empty magazine sends the inline fast path to the slow path (where
 * failslab decides) at no cost to the fast path itself (kmalloc_failslab_sync). */
static struct kmem_cache *class_table[KMALLOC_TABLE_SIZE];
static bool ready;

/* The largest power of two dividing @size, at least the minimum alignment. */
static size_t natural_align(size_t size)
{
	return MAX((size_t)KMALLOC_MIN_ALIGN, size & -size);
}

static void class_name(char *buf, size_t len, uint32_t size)
{
	if (size >= 1024)
		ksnprintf(buf, len, "kmalloc-%uk", size / 1024);
	else
		ksnprintf(buf, len, "kmalloc-%u", size);
}

int kmalloc_init(void)
{
	char name[KMEM_NAME_MAX];
	unsigned k = 0;

	if (ready)
		return -EBUSY;
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		uint32_t size = kmalloc_class_sizes[i];

		class_name(name, sizeof(name), size);
		classes[i] = kmem_cache_create(name, size, natural_align(size), NULL, 0);
		if (!classes[i]) {
			while (i-- > 0) {
				kmem_cache_destroy(classes[i]);
				classes[i] = NULL;
			}
			return -ENOMEM;
		}
	}
	/* Entry i serves sizes up to i * 16: the smallest class holding i * 16 bytes. */
	for (unsigned i = 0; i < KMALLOC_TABLE_SIZE; i++) {
		while (kmalloc_class_sizes[k] < i << KMALLOC_INDEX_SHIFT)
			k++;
		class_table[i] = kmalloc_table[i] = classes[k];
	}
	ready = true;
	kmalloc_failslab_sync();
	return 0;
}

void kmalloc_failslab_sync(void)
{
	for (unsigned i = 0; ready && i < KMALLOC_TABLE_SIZE; i++)
		kmalloc_table[i] = failslab_attr.enabled ? &boot_cache : class_table[i];
}

int kmalloc_exit(void)
{
	struct kmem_cache_info info;

	if (!ready)
		return 0;
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		kmem_cache_get_info(classes[i], &info);
		if (info.active_objs)
			return -EBUSY;
	}
	for (unsigned i = 0; i < KMALLOC_TABLE_SIZE; i++)
		kmalloc_table[i] = class_table[i] = &boot_cache;
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		kmem_cache_destroy(classes[i]);
		classes[i] = NULL;
	}
	ready = false;
	return 0;
}

struct kmem_cache *kmalloc_cache_for(size_t size)
{
	if (!ready || size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	return class_table[(size + KMALLOC_MIN_SIZE - 1) >> KMALLOC_INDEX_SHIFT];
}

/* The smallest class cache of at least @size bytes whose objects are aligned to @align. */
static struct kmem_cache *class_for(size_t size, size_t align)
{
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++)
		if (kmalloc_class_sizes[i] >= size &&
		    natural_align(kmalloc_class_sizes[i]) >= align)
			return classes[i];
	return NULL;
}

static void *kmalloc_track_caller_unlocked(size_t size, size_t align, unsigned flags,
                                           struct mm_error *err, uintptr_t caller)
{
	struct mm_error local = { 0 };
	struct kmem_cache *c;

	if (!err)
		err = &local;
	if (align < KMALLOC_MIN_ALIGN)
		align = KMALLOC_MIN_ALIGN;
	if (!ready || (align & (align - 1))) {
		if (!ready)
			pr_err("kmalloc: kmalloc(%zu) by %pS before kmalloc_init\n", size,
			       (void *)caller);
		err->kind = MM_INVALID_ARGUMENT;
		err->requested = size;
		return kmem_alloc_failed("kmalloc", size, flags, err, caller);
	}
	if (size > KMALLOC_MAX_CACHE_SIZE)
		c = NULL;
	else if (align == KMALLOC_MIN_ALIGN)
		c = class_table[(size + KMALLOC_MIN_SIZE - 1) >> KMALLOC_INDEX_SHIFT];
	else
		c = class_for(size, align);
	if (c)
		return __kmem_cache_alloc(c, flags, err, caller, size);
	return kmem_large_alloc(size, align, flags, err, caller);
}

void *__kmalloc_slow(size_t size, unsigned flags)
{
	return kmalloc_track_caller(size, 0, flags, NULL, RET_ADDR());
}

void *kmalloc_err(size_t size, unsigned flags, struct mm_error *err)
{
	return kmalloc_track_caller(size, 0, flags, err, RET_ADDR());
}

void *kmalloc_aligned(size_t size, size_t align, unsigned flags)
{
	return kmalloc_track_caller(size, align, flags, NULL, RET_ADDR());
}

static size_t kmalloc_size_unlocked(const void *p)
{
	return p ? kmem_object_size(p) : 0;
}

void kfree_track_caller(const void *p, uintptr_t caller)
{
	kmem_free(NULL, p, caller);
}

void __kfree_slow(const void *p)
{
	kmem_free(NULL, p, RET_ADDR());
}

static void *krealloc_unlocked(void *p, size_t size, unsigned flags)
{
	uintptr_t caller = RET_ADDR();
	struct kmem_cache *c;
	struct kmem_large *h;
	size_t old;
	void *q;

	if (!p)
		return kmalloc_track_caller(size, 0, flags, NULL, caller);
	if (size == 0) {
		kmem_free(NULL, p, caller);
		return NULL;
	}
	old = kmem_object_size(p);
	if (old == 0) {
		kmem_free(NULL, p, caller); /* reports what is wrong with @p */
		return NULL;
	}
	c = kmem_cache_of(p);
	if (c && size <= c->objsize) {
		__kmem_set_requested(p, size);
		if ((flags & KM_ZERO) && size > old)
			memset((char *)p + old, 0, size - old);
		return p;
	}
	h = c ? NULL : kmem_large_of(p);
	if (h && size <= old) {
		h->size = size;
		return p;
	}
	q = kmalloc_track_caller(size, 0, flags & ~KM_ZERO, NULL, caller);
	if (!q)
		return NULL;
	memcpy(q, p, MIN(old, size));
	if ((flags & KM_ZERO) && size > old)
		memset((char *)q + old, 0, kmem_object_size(q) - old);
	kmem_free(NULL, p, caller);
	return q;
}

/* ---- entry points: preemption off while the allocator state is in use (lib/preempt.h) ---- */

void *kmalloc_track_caller(size_t size, size_t align, unsigned flags, struct mm_error *err,
                           uintptr_t caller)
{
	preempt_disable();
	void *r = kmalloc_track_caller_unlocked(size, align, flags, err, caller);
	preempt_enable();
	return r;
}

void *krealloc(void *p, size_t size, unsigned flags)
{
	preempt_disable();
	void *r = krealloc_unlocked(p, size, flags);
	preempt_enable();
	return r;
}

size_t kmalloc_size(const void *p)
{
	preempt_disable();
	size_t r = kmalloc_size_unlocked(p);
	preempt_enable();
	return r;
}
