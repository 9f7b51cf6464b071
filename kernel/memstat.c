/*
 * memstat: the periodic statistics record (see include/kernel/memstat.h), printed by a
 * detached kernel task that sleeps between records.
 */
#include "kernel/memstat.h"

#include "kernel/cmdline.h"
#include "lib/printk.h"
#include "mm/phys.h"
#include "sched/task.h"

#define KB(bytes) ((unsigned long long)((bytes) >> 10))

void memstat_print(void)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	uint32_t permille = mi.total ? (uint32_t)(mi.used * 1000 / mi.total) : 0;
	pr_info("mm: stat used=%llu kB free=%llu kB total=%llu kB pct=%u.%u\n", KB(mi.used),
	        KB(mi.free), KB(mi.total), permille / 10, permille % 10);
}

static void memstat_task(void *arg)
{
	uint32_t seconds = (uint32_t)(uintptr_t)arg;
	for (;;) {
		task_sleep(seconds * 1000);
		memstat_print();
	}
}

int memstat_start(uint32_t seconds)
{
	int tid = task_create(memstat_task, (void *)(uintptr_t)seconds, "memstat");
	if (tid > 0)
		task_detach(tid);
	return tid;
}

void memstat_init(void)
{
	if (boot_opts.memstat_seconds && memstat_start(boot_opts.memstat_seconds) < 0)
		pr_warn("mm: memstat: could not start the statistics task\n");
}
