/*
 * memdemo: seed 000's demonstration of graceful out-of-memory handling, end to end:
 *   1. a normal allocation;
 *   2. allocations that cross 80% and 95% used (the pressure warnings appear in the log);
 *   3. an allocation that fails with the structured error
 *      "OOM: requested N bytes, only N available (N used / N total)";
 *   4. freeing everything (the pressure level returns to normal);
 *   5. the failed allocation retried, now successfully, and freed;
 *   6. the final statistics, and a check that free memory is exactly what it was before;
 *   7. when the process layer registered it (sched/oom_demo.c), the user-space act: a hog
 *      process crosses the pressure lines, is killed by the OOM killer, and free memory comes
 *      back exactly.
 * The held blocks are chained through their struct pages (mm/page_list.h), so the demo itself
 * needs no memory. Run it from the monitor (`memdemo`) or from a test (memdemo_run()).
 */
#include "lib/command.h"
#include "lib/errno.h"
#include "mm/memdemo.h"
#include "mm/page_list.h"
#include "mm/phys.h"
#include "mm/pressure.h"
#include "x86/cpu.h"

#define DEMO_ORDER 8 /* 1 MiB steps */
/* How far past each pressure threshold the fill goes, so the crossing is certain (the
 * allocation steps are whole blocks): 81.0% for WARNING, 95.5% for CRITICAL. */
#define DEMO_WARN_PERMILLE (PRESSURE_WARN_PERMILLE + 10u)
#define DEMO_CRIT_PERMILLE (PRESSURE_CRIT_PERMILLE + 5u)
#define PERMILLE(u, t)     ((uint32_t)((t) ? (u)*1000 / (t) : 0))

static int (*user_act)(struct memdemo_result *res);

void memdemo_set_user_act(int (*act)(struct memdemo_result *res))
{
	user_act = act;
}

/* Give back every held block. */
static void release_all(struct page_list *h)
{
	struct page *pg;
	unsigned order;

	while ((pg = page_list_pop(h, &order)))
		free_pages(pg, order);
}

static uint64_t free_bytes(void)
{
	struct mm_meminfo mi;
	mm_meminfo(&mi);
	return mi.free;
}

/* Allocate blocks of @order or less until used >= @permille of total. */
static void fill_to(struct page_list *h, uint32_t permille)
{
	struct mm_meminfo mi;
	for (;;) {
		mm_meminfo(&mi);
		if (PERMILLE(mi.used, mi.total) >= permille)
			return;
		struct page *pg = 0;
		unsigned order = DEMO_ORDER + 1;
		while (!pg && order-- > 0)
			pg = alloc_pages(order, GFP_HIGHUSER, 0);
		if (!pg)
			return;
		page_list_push(h, pg, order);
	}
}

int memdemo_run(struct memdemo_result *res)
{
	struct page_list h;
	struct mm_meminfo mi;
	struct mm_error err;
	char line[160];

	page_list_init(&h);
	/* Caches first give back what they hold (the pressure steps below would make them do it
	 * mid-demo), so the before/after comparison is exact. */
	mm_shrink_all();
	res->baseline_free = free_bytes();
	kprintf("memdemo: 1. normal allocation of 1 MiB\n");
	struct page *pg = alloc_pages(DEMO_ORDER, GFP_KERNEL, &err);
	if (!pg) {
		mm_error_format(&err, line, sizeof(line));
		kprintf("memdemo: %s\n", line);
		return -ENOMEM;
	}
	page_list_push(&h, pg, DEMO_ORDER);

	kprintf("memdemo: 2. allocating until %u%% and then %u%% of memory is used\n",
	        PRESSURE_WARN_PERMILLE / 10, PRESSURE_CRIT_PERMILLE / 10);
	fill_to(&h, DEMO_WARN_PERMILLE);
	fill_to(&h, DEMO_CRIT_PERMILLE);
	mm_meminfo(&mi);
	kprintf("memdemo:    holding %u blocks, %u.%u%% used\n", h.blocks,
	        PERMILLE(mi.used, mi.total) / 10, PERMILLE(mi.used, mi.total) % 10);

	/* The largest block is 16 MiB: hold more until less than that is free, so the next
	 * request can be larger than all free memory together. */
	while (mi.free >= ((uint64_t)PAGE_SIZE << BUDDY_MAX_ORDER)) {
		pg = 0;
		unsigned o = BUDDY_MAX_ORDER + 1;
		while (!pg && o-- > 0)
			pg = alloc_pages(o, GFP_HIGHUSER, 0);
		if (!pg)
			break;
		page_list_push(&h, pg, o);
		mm_meminfo(&mi);
	}
	/* A request larger than what is left: the smallest order above the free bytes. */
	unsigned order = buddy_order_for(mi.free + PAGE_SIZE);
	if (order > BUDDY_MAX_ORDER)
		order = BUDDY_MAX_ORDER;
	kprintf("memdemo: 3. requesting %u kB, more than is free\n", (PAGE_SIZE << order) >> 10);
	pg = alloc_pages(order, GFP_HIGHUSER, &err);
	res->oom_seen = pg == 0 && err.kind == MM_OUT_OF_MEMORY;
	if (pg) {
		page_list_push(&h, pg, order);
		kprintf("memdemo:    unexpectedly succeeded\n");
	} else {
		mm_error_format(&err, line, sizeof(line));
		kprintf("memdemo:    failed gracefully: %s\n", line);
		res->oom = err;
	}

	kprintf("memdemo: 4. freeing all %u blocks\n", h.blocks);
	release_all(&h);

	kprintf("memdemo: 5. retrying the %u kB request\n", (PAGE_SIZE << order) >> 10);
	pg = alloc_pages(order, GFP_HIGHUSER, &err);
	res->retry_ok = pg != 0;
	if (pg) {
		kprintf("memdemo:    succeeded\n");
		free_pages(pg, order);
	} else {
		mm_error_format(&err, line, sizeof(line));
		kprintf("memdemo:    retry failed: %s\n", line);
	}

	kprintf("memdemo: 6. final statistics\n");
	mm_print_meminfo();
	res->final_free = free_bytes();
	if (res->final_free == res->baseline_free)
		kprintf("memdemo: free memory is back to %llu kB, exactly as before\n",
		        (unsigned long long)(res->final_free >> 10));
	else
		kprintf("memdemo: LEAK: free memory %llu kB, before %llu kB\n",
		        (unsigned long long)(res->final_free >> 10),
		        (unsigned long long)(res->baseline_free >> 10));
	bool ok = res->oom_seen && res->retry_ok && res->final_free == res->baseline_free;
	res->user_ran = user_act != 0;
	res->user_killed = false;
	if (user_act && user_act(res) != 0)
		ok = false;
	return ok ? 0 : -EFAULT;
}

static int cmd_memdemo(int argc, char **argv)
{
	struct memdemo_result res;
	(void)argv;
	if (argc != 1) {
		kprintf("usage: memdemo\n");
		return -EINVAL;
	}
	return memdemo_run(&res);
}
MONITOR_COMMAND(memdemo, "memdemo", "demonstrate pressure warnings and graceful OOM", cmd_memdemo);
