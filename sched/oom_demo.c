/*
 * oom_demo: memdemo's user-space act (mm/memdemo.c runs it as step 7; registered by
 * proc_init through memdemo_set_user_act): a user process, /builtin/uhello in its hog mode,
 * asks for more memory than the machine has. Its faults cross the 80% and 95% pressure lines,
 * then find no memory: the OOM killer chooses it (the biggest), logs Linux's lines, and once
 * its memory is back free memory is exactly where it started.
 *
 * Exactness: the program runs once small first (its first run makes lasting kernel state:
 * its memory object, slab caches); caches are emptied before both counts — the slab caches
 * (empty slabs returned, as the OOM path's shrinkers do) and the page cache's unmapped pages
 * (vm_object_shrink: the program's own pages are cached while it runs) — and the reaper has freed
 * the task.
 */
#include "lib/console.h"
#include "lib/format.h"
#include "mm/memdemo.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "sched/oom.h"
#include "sched/proc.h"
#include "sched/stress.h"
#include "sched/task.h"

#define DEMO_PROG "/builtin/uhello"

/* Free bytes with every cache emptied and every exited task reaped. */
static uint64_t settled_free(void)
{
	uint64_t free_bytes, objects;

	sched_quiesce(); /* exited tasks may still pin cache pages */
	vm_object_shrink();
	stress_snapshot(&free_bytes, &objects); /* reaped, empty slabs returned */
	return free_bytes;
}

static int user_act(struct memdemo_result *res)
{
	struct mm_meminfo mi;
	char mib[12];
	int status = 0;

	mm_meminfo(&mi);
	/* More than all of RAM: it can only end by the OOM killer. */
	ksnprintf(mib, sizeof(mib), "%llu", (unsigned long long)(mi.total >> 20) + 16);
	char *argv[] = { DEMO_PROG, "hog", mib, NULL };
	uint64_t kills0 = oom_stats.kills;

	/* Once small first: what the first process of a program makes for good (its memory
	 * object, slab caches created on first use) must not count as the act's. */
	char *warm[] = { DEMO_PROG, "hog", "1", NULL };
	int pid = proc_spawn(warm[0], warm, 0, false);
	if (pid > 0)
		proc_wait_kernel(pid, &status);
	res->user_baseline_free = settled_free();
	kprintf("memdemo: 7. a user process asks for %s MiB, more than there is\n", mib);
	pid = proc_spawn(argv[0], argv, 0, false);
	if (pid < 0) {
		kprintf("memdemo:    cannot start %s: error %d\n", DEMO_PROG, pid);
		return pid;
	}
	proc_wait_kernel(pid, &status);
	res->user_killed = status == W_SIGNALED(SIGKILL) && oom_stats.kills == kills0 + 1;
	kprintf("memdemo:    pid %d %s\n", pid,
	        res->user_killed ? "was killed by the OOM killer (SIGKILL)" : "was NOT killed");
	res->user_final_free = settled_free();
	if (res->user_final_free == res->user_baseline_free)
		kprintf("memdemo: free memory is back to %llu kB, exactly as before the process\n",
		        (unsigned long long)(res->user_final_free >> 10));
	else
		kprintf("memdemo: LEAK: free memory %llu kB, before the process %llu kB\n",
		        (unsigned long long)(res->user_final_free >> 10),
		        (unsigned long long)(res->user_baseline_free >> 10));
	return res->user_killed && res->user_final_free == res->user_baseline_free ? 0 : -1;
}

void oom_demo_init(void)
{
	memdemo_set_user_act(user_act);
}
