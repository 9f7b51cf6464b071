/*
 * Guest tests of physical memory: the map and MemTotal, the buddy allocator on real memory
 * (every order, alignment, bad frees, the invariant checker), kmap, vmalloc and its guard,
 * the page-fault classification, the pressure lines, and seed 000's demonstration with an
 * exact before/after free count. Run under -m 16M, 128M and 3G by `make test`.
 */
#include "kernel/ktest.h"
#include "kernel/multiboot.h"
#include "lib/printk.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/fault.h"
#include "mm/layout.h"
#include "kernel/cmdline.h"
#include "x86/timer.h"
#include "mm/memdemo.h"
#include "kernel/memstat.h"
#include "sched/task.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "mm/vmalloc.h"
#include "x86/cpu.h"

static uint64_t free_now(void)
{
	struct mm_meminfo mi;
	mm_meminfo(&mi);
	return mi.free;
}

static int check_buddy(void)
{
	uint32_t flags = irq_save();
	int rc = buddy_check(mm_buddy());
	irq_restore(flags);
	return rc;
}

KTEST(mm, memtotal_is_the_map_less_reservations)
{
	const struct memmap *map = mm_memmap();
	uint64_t raw_usable = 0, reserved = 0;

	/* byte-exact: the loader's usable RAM (below 4 GiB, under mem=) minus our reservations */
	for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
		uint64_t a = boot_info.mmap[i].addr, e = a + boot_info.mmap[i].len;
		if (boot_info.mmap[i].type != MEMMAP_USABLE || a >= (1ull << 32))
			continue;
		raw_usable += (e > (1ull << 32) ? (1ull << 32) : e) - a;
	}
	for (uint32_t i = 0; i < map->count; i++)
		if (map->ranges[i].type == MEMMAP_KERNEL)
			reserved += map->ranges[i].end - map->ranges[i].base;
	KEXPECT_EQ(t, memmap_usable_bytes(map), raw_usable - reserved);
	KEXPECT(t, reserved >= (uint64_t)(__kernel_end - __kernel_start)); /* at least the image */

	/* MemTotal: the whole frames of those usable ranges, every one managed by the buddy */
	uint32_t cursor = 0, s, e;
	uint64_t frames = 0;
	while (memmap_next_usable(map, &cursor, &s, &e))
		frames += e - s;
	struct mm_meminfo mi;
	mm_meminfo(&mi);
	KEXPECT_EQ(t, mi.total, frames * PAGE_SIZE);
	KEXPECT(t, mi.total <= memmap_usable_bytes(map));
	KEXPECT(t, memmap_usable_bytes(map) - mi.total < (uint64_t)map->count * PAGE_SIZE);
}

KTEST(mm, every_order_allocates_aligned_and_frees)
{
	uint64_t before = free_now();
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		struct mm_error err;
		struct page *pg = alloc_pages(order, GFP_HIGHUSER, &err);
		if (!pg) { /* small machines have no 16 MiB block: the error must say so */
			KEXPECT_EQ(t, err.kind, MM_OUT_OF_MEMORY);
			KEXPECT_EQ(t, err.requested, (uint64_t)PAGE_SIZE << order);
			continue;
		}
		uint32_t pfn = page_to_pfn(pg);
		KEXPECT_EQ(t, pfn & ((1u << order) - 1), 0);
		KEXPECT_EQ(t, free_now(), before - ((uint64_t)PAGE_SIZE << order));
		KEXPECT_EQ(t, free_pages(pg, order), 0);
	}
	KEXPECT_EQ(t, free_now(), before);
	KEXPECT_EQ(t, check_buddy(), 0);
}

KTEST(mm, zeroed_and_dma_allocations)
{
	struct page *pg = alloc_pages(1, GFP_KERNEL | __GFP_ZERO, 0);
	KASSERT(t, pg != 0);
	const uint8_t *p = page_address(pg);
	KASSERT(t, p != 0);
	bool zero = true;
	for (unsigned i = 0; i < 2 * PAGE_SIZE; i++)
		zero &= p[i] == 0;
	KEXPECT(t, zero);
	free_pages(pg, 1);
	pg = alloc_pages(0, GFP_DMA, 0);
	KASSERT(t, pg != 0);
	KEXPECT(t, PFN_PHYS(page_to_pfn(pg)) < DMA_ZONE_END);
	free_pages(pg, 0);
}

KTEST(mm, double_and_invalid_frees_change_nothing)
{
	struct page *pg = alloc_pages(0, GFP_KERNEL, 0);
	KASSERT(t, pg != 0);
	KASSERT_EQ(t, free_pages(pg, 0), 0);
	uint64_t before = free_now();
	uint32_t mark = printk_ring_mark();
	KEXPECT(t, free_pages(pg, 0) < 0);
	KEXPECT(t, printk_ring_contains(mark, "mm: bad buddy_free("));
	KEXPECT(t, printk_ring_contains(mark, "already free"));
	KEXPECT_EQ(t, free_now(), before);
	/* the kernel image is reserved, not RAM the allocator owns */
	mark = printk_ring_mark();
	KEXPECT(t, free_pages(virt_to_page(__text_start), 0) < 0);
	KEXPECT(t, printk_ring_contains(mark, "mm: bad buddy_free("));
	/* an order that does not match the allocation */
	pg = alloc_pages(2, GFP_KERNEL, 0);
	KASSERT(t, pg != 0);
	KEXPECT(t, free_pages(pg, 1) < 0);
	KEXPECT(t, free_pages(pg + 1, 0) < 0);
	KEXPECT_EQ(t, free_pages(pg, 2), 0);
	KEXPECT_EQ(t, free_now(), before);
	KEXPECT_EQ(t, check_buddy(), 0);
}

KTEST(mm, kmap_reaches_every_frame)
{
	struct page *pg = alloc_pages(0, GFP_HIGHUSER, 0);
	KASSERT(t, pg != 0);
	uint32_t *p = kmap(page_to_pfn(pg));
	KASSERT(t, p != 0);
	for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = i * 2654435761u;
	kunmap(p);
	p = kmap(page_to_pfn(pg));
	KASSERT(t, p != 0);
	bool same = true;
	for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
		same &= p[i] == i * 2654435761u;
	KEXPECT(t, same);
	kunmap(p);
	if (PFN_PHYS(page_to_pfn(pg)) >= mm_lowmem_end())
		KEXPECT(t, page_address(pg) == 0); /* HIGHMEM has no direct-map address */
	free_pages(pg, 0);
}

KTEST(mm, vmalloc_maps_and_guards)
{
	uint64_t before = free_now();
	struct mm_error err;
	uint8_t *p = vmalloc(100 * 1024, __GFP_ZERO, &err);
	KASSERT(t, p != 0);
	KEXPECT_EQ(t, vmalloc_size(p), 25 * PAGE_SIZE);
	for (unsigned i = 0; i < 100 * 1024; i++)
		KASSERT_EQ(t, p[i], 0);
	memset(p, 0x5a, 100 * 1024);
	KEXPECT(t, !paging_is_mapped(kernel_pgdir, (uintptr_t)p + 100 * 1024));
	KEXPECT(t, vmalloc_is_guard((uintptr_t)p + 100 * 1024));
	KEXPECT_EQ(t, fault_classify((uint32_t)(uintptr_t)p + 100 * 1024, PF_W),
	           FAULT_GUARD_VMALLOC);
	uint32_t mark = printk_ring_mark();
	KEXPECT_EQ(t, vfree(p + PAGE_SIZE), -EINVAL);
	KEXPECT(t, printk_ring_contains(mark, "mm: bad vfree("));
	KEXPECT_EQ(t, vfree(p), 0);
	KEXPECT(t, !paging_is_mapped(kernel_pgdir, (uintptr_t)p));
	KEXPECT_EQ(t, free_now(),
	           before); /* the frames come back (its page table was made earlier or stays) */
	KEXPECT(t, vmalloc(0, 0, &err) == 0);
	KEXPECT_EQ(t, err.kind, MM_INVALID_ARGUMENT);
}

KTEST(mm, page_faults_are_told_apart)
{
	KEXPECT_EQ(t, fault_classify((uint32_t)(uintptr_t)boot_stack_guard + 16, PF_W),
	           FAULT_GUARD_STACK);
	KEXPECT_EQ(t, fault_classify(0x10, 0), FAULT_KERNEL_NULL);
	KEXPECT_EQ(t, fault_classify((uint32_t)(uintptr_t)__text_start, PF_P | PF_W),
	           FAULT_KERNEL_WRITE_RO);
	KEXPECT_EQ(t, fault_classify(0xE0000000u, 0), FAULT_KERNEL_UNMAPPED);
	KEXPECT_EQ(t, fault_classify(0x00400000u, PF_U | PF_W), FAULT_USER);
	KEXPECT_STREQ(t, fault_kind_name(FAULT_KERNEL_NULL), "kernel NULL pointer dereference");
}

KTEST(mm, memdemo_warns_fails_gracefully_and_leaks_nothing)
{
	struct memdemo_result res;
	uint32_t mark = printk_ring_mark();

	KEXPECT_EQ(t, memdemo_run(&res), 0);
	KEXPECT(t, res.oom_seen);
	KEXPECT(t, res.retry_ok);
	KEXPECT_EQ(t, res.final_free, res.baseline_free);
	/* Step 7: a user process out of memory is OOM-killed and everything comes back. */
	KEXPECT(t, res.user_ran);
	KEXPECT(t, res.user_killed);
	KEXPECT_EQ(t, res.user_final_free, res.user_baseline_free);
	KEXPECT_EQ(t, res.oom.kind, MM_OUT_OF_MEMORY);
	KEXPECT(t, res.oom.requested > res.oom.available);
	KEXPECT_EQ(t, res.oom.used + res.oom.available, res.oom.total);
	KEXPECT(t, printk_ring_contains(mark, "mm: memory pressure WARNING: "));
	KEXPECT(t, printk_ring_contains(mark, "mm: memory pressure CRITICAL: "));
	KEXPECT(t, printk_ring_contains(mark, "mm: memory pressure normal: "));
	KEXPECT(t, printk_ring_contains(mark, "uhello invoked oom-killer: gfp_mask=0x140cca("));
	KEXPECT(t, printk_ring_contains(mark, "Out of memory: Killed process "));
	KEXPECT(t, printk_ring_contains(mark, "oom_reaper: reaped process "));
	KEXPECT_EQ(t, mm_buddy()->pressure.level, MM_PRESSURE_NORMAL);
	KEXPECT_EQ(t, check_buddy(), 0);
}

KTEST(mm, nofail_is_never_needed_but_errors_are_structured)
{
	struct mm_error err;
	KEXPECT(t, alloc_pages(BUDDY_MAX_ORDER + 1, GFP_KERNEL, &err) == 0);
	KEXPECT_EQ(t, err.kind, MM_INVALID_ARGUMENT);
	char line[160];
	struct mm_error oom = { MM_OUT_OF_MEMORY, 4096, 0, 1000, 1000, 0, 0 };
	mm_error_format(&oom, line, sizeof(line));
	KEXPECT_STREQ(t, line,
	              "OOM: requested 4096 bytes, only 0 available (1000 used / 1000 total)");
}

KTEST(mm, memstat_prints_periodic_records)
{
	uint32_t mark = printk_ring_mark();
	uint32_t start = timer_ticks();
	int tid = memstat_start(1);

	KASSERT(t, tid > 0);
	while (!printk_ring_contains(mark, "mm: stat used=") && timer_ticks() - start < 3 * HZ)
		task_sleep(10);
	KEXPECT_EQ(t, task_kill(tid), 0);
	sched_quiesce(); /* its stack is back before the next test counts free memory */
	KEXPECT(t, printk_ring_contains(mark, "mm: stat used="));
	KEXPECT(t, printk_ring_contains(mark, " kB total="));
	KEXPECT(t, timer_ticks() - start >= HZ);      /* not before the first second */
	KEXPECT(t, timer_ticks() - start <= HZ + 20); /* and on time (+ the 10 ms polls) */
}
