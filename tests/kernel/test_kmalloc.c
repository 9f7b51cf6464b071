/*
 * Guest tests of kmalloc and the slab layer in the kernel: every size class and alignment,
 * realloc, the structured error, hardened double-free and bad-pointer detection, vmalloc for
 * large buffers, and the pressure interaction — memory filled toward 95% with slab objects
 * (the pressure lines and shrink hook run), freed slabs going back at once, objects parked in
 * the depot given back by the shrink hook, and free memory back to its baseline exactly.
 */
#include "kernel/ktest.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/pressure.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"
#include "sched/stress.h"

static uint32_t used_permille(void)
{
	struct mm_meminfo mi;
	mm_meminfo(&mi);
	return (uint32_t)(mi.used * 1000 / mi.total);
}

KTEST(kmalloc, every_size_and_alignment)
{
	static const size_t sizes[] = { 0,    1,    15,   16,   17,   31,   64,   96,
		                        100,  128,  192,  255,  256,  500,  512,  1000,
		                        1024, 2000, 2048, 4000, 4096, 4097, 8192, 100000 };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *p = kmalloc(sizes[i], KM_NORMAL);
		KASSERT(t, p != 0);
		KEXPECT(t, kmalloc_size(p) >= sizes[i]);
		KEXPECT_EQ(t, (uintptr_t)p % 16, 0);
		size_t n = sizes[i] ? sizes[i] : 1;
		if (n <= 4096 && (n & (n - 1)) == 0)
			KEXPECT_EQ(t, (uintptr_t)p % n, 0); /* powers of two: aligned to the size */
		memset(p, 0xA5, sizes[i]);
		kfree(p);
	}
	for (size_t align = 16; align <= 8192; align <<= 1) {
		void *p = kmalloc_aligned(100, align, KM_NORMAL);
		KASSERT(t, p != 0);
		KEXPECT_EQ(t, (uintptr_t)p % align, 0);
		kfree(p);
	}
	KEXPECT(t, kmalloc_aligned(100, 48, KM_NORMAL) == 0); /* not a power of two */
	kfree(0);                                             /* a no-op */
}

KTEST(kmalloc, zeroed_realloc_and_errors)
{
	uint8_t *z = kzalloc(300, KM_NORMAL);
	KASSERT(t, z != 0);
	bool zero = true;
	for (unsigned i = 0; i < kmalloc_size(z); i++)
		zero &= z[i] == 0;
	KEXPECT(t, zero);
	for (unsigned i = 0; i < 300; i++)
		z[i] = (uint8_t)i;
	uint8_t *r = krealloc(z, 5000, KM_NORMAL);
	KASSERT(t, r != 0);
	bool kept = true;
	for (unsigned i = 0; i < 300; i++)
		kept &= r[i] == (uint8_t)i;
	KEXPECT(t, kept);
	KEXPECT(t, krealloc(r, 0, KM_NORMAL) == 0); /* frees */

	struct mm_error err;
	/* larger than any page block: refused as such, with the size in the error */
	KEXPECT(t, kmalloc_err(1u << 30, KM_NORMAL, &err) == 0);
	KEXPECT_EQ(t, err.kind, MM_INVALID_ARGUMENT);
	KEXPECT_EQ(t, err.requested, 1u << 30);
}

KTEST(kmalloc, double_free_and_bad_pointers_are_reported)
{
	unsigned long errors = kmem_error_count();
	uint32_t mark = printk_ring_mark();
	void *p = kmalloc(64, KM_NORMAL);
	KASSERT(t, p != 0);
	kfree(p);
	kfree(p); /* the hardened check: p is on top of the magazine */
	KEXPECT(t, printk_ring_contains(mark, "slab: kmalloc-64: double free of object "));
	static uint32_t not_heap[16];
	kfree(&not_heap[4]);
	KEXPECT(t, printk_ring_contains(mark, "which is not an allocated object"));
	KEXPECT_EQ(t, kmem_error_count() - errors, 2);
	KEXPECT_EQ(t, kmem_check_all(), 0); /* nothing changed */
}

KTEST(kmalloc, vmalloc_for_large_buffers)
{
	uint8_t *v = vmalloc(1 << 20, __GFP_ZERO, 0);
	KASSERT(t, v != 0);
	KEXPECT_EQ(t, v[0], 0);
	KEXPECT_EQ(t, v[(1 << 20) - 1], 0);
	v[12345] = 7;
	KEXPECT_EQ(t, vfree(v), 0);
}

static void *fill_objects(size_t size, uint32_t permille, uint32_t max, uint32_t *count)
{
	void *list = 0;
	*count = 0;
	while (*count < max && used_permille() < permille) {
		void **p = kmalloc(size, KM_NORMAL);
		if (!p)
			break;
		*p = list;
		list = p;
		(*count)++;
	}
	return list;
}

static void free_objects(void *list)
{
	while (list) {
		void *next = *(void **)list;
		kfree(list);
		list = next;
	}
}

static uint64_t slab_bytes(void)
{
	struct mm_meminfo mi;
	mm_meminfo(&mi);
	return mi.slab;
}

KTEST(kmalloc, pressure_shrinks_caches_and_memory_returns_exactly)
{
	uint64_t free0, objs0, free1, objs1;
	uint32_t objects;
	uint32_t mark = printk_ring_mark();

	stress_snapshot(&free0, &objs0);
	/* 1. Fill memory toward 95% with 2 KiB objects (slabs use lowmem, which runs out first
	 *    on big machines): the pressure lines appear, and each upward crossing runs the
	 *    shrink hook. */
	void *list = fill_objects(2048, 950, UINT32_MAX, &objects);
	KASSERT(t, objects > 1000);
	if (used_permille() >= 800)
		KEXPECT(t, printk_ring_contains(mark, "mm: memory pressure WARNING: "));
	/* 2. Freed, the objects' slabs go back to the buddy allocator (no hoarding): what stays
	 *    is at most the objects parked in magazines and the depot. */
	free_objects(list);
	KEXPECT(t, slab_bytes() < (uint64_t)objects * 2048 / 8);

	/* 3. Objects parked in the depot keep their slabs; the shrink hook the pressure code
	 *    calls (mm_shrink_all, run before any allocation fails) gives them back. In debug
	 *    mode there are no magazines: nothing is parked. */
	list = fill_objects(2048, 1000, 4000, &objects);
	free_objects(list);
	struct kmem_cache_info info;
	kmem_cache_get_info(kmalloc_cache_for(2048), &info);
	uint64_t parked = slab_bytes();
	if (slab_debug_enabled()) {
		KEXPECT_EQ(t, info.cached_objs, 0);
	} else {
		KEXPECT(t, info.cached_objs > 0);
		KEXPECT(t, mm_shrink_all() > 0);
		kmem_cache_get_info(kmalloc_cache_for(2048), &info);
		KEXPECT_EQ(t, info.cached_objs, 0);
		KEXPECT(t, slab_bytes() < parked);
	}

	/* 4. Free memory and live objects are exactly what they were. */
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}
