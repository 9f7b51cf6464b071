/*
 * oom commands: the monitor's handles on the OOM killer (include/sched/oom.h).
 *
 *   limit PID SIZE|none   cap process PID's memory (its owner's ledger: RSS, page tables and
 *                         slab) at SIZE bytes (K/M/G suffixes); past it the process alone is
 *                         killed and the report names the cap (seed 000's process limit)
 *   oomadj PID N          set PID's oom_score_adj (-1000..1000; -1000: never chosen)
 *   oom                   the killer's counters and the victim a shortage would choose now
 */
#include "kernel/cmdline.h"
#include "lib/command.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "sched/oom.h"
#include "sched/proc.h"
#include "sched/task.h"

/* The live process @s names (a decimal pid with a task), or NULL after saying why. */
static struct proc *live_proc(const char *cmd, const char *s)
{
	uint32_t pid;
	struct proc *p;

	if (!parse_decimal(s, INT32_MAX, &pid)) {
		kprintf("%s: bad pid '%s'\n", cmd, s);
		return NULL;
	}
	p = proc_lookup((int)pid);
	if (!p || p->state != PROC_RUNNING || !p->task) {
		kprintf("%s: no live process %u\n", cmd, pid);
		return NULL;
	}
	return p;
}

static int cmd_limit(int argc, char **argv)
{
	uint64_t bytes = 0;
	struct proc *p;

	if (argc != 3 || (strcmp(argv[2], "none") && parse_size(argv[2], &bytes))) {
		kprintf("usage: limit PID SIZE[K|M|G]|none\n");
		return -EINVAL;
	}
	p = live_proc("limit", argv[1]);
	if (!p)
		return -ESRCH;
	if (task_set_limit((int)p->task->tid, bytes) < 0) {
		kprintf("limit: process %d has no memory owner\n", p->pid);
		return -ESRCH;
	}
	if (bytes)
		kprintf("limit: pid %d (%s) capped at %llu kB\n", p->pid, p->comm,
		        (unsigned long long)(bytes >> 10));
	else
		kprintf("limit: pid %d (%s) has no cap\n", p->pid, p->comm);
	return 0;
}
MONITOR_COMMAND(limit, "limit PID SIZE|none",
                "cap a process's memory (RSS + page tables + slab); past it, it alone is killed",
                cmd_limit);

/* Parse a signed decimal in [-1000, 1000]. */
static bool parse_adj(const char *s, int *out)
{
	uint32_t v;
	bool neg = *s == '-';

	if (!parse_decimal(s + neg, 1000, &v))
		return false;
	*out = neg ? -(int)v : (int)v;
	return true;
}

static int cmd_oomadj(int argc, char **argv)
{
	int adj;
	struct proc *p;

	if (argc != 3 || !parse_adj(argv[2], &adj)) {
		kprintf("usage: oomadj PID N   (N from -1000 to 1000)\n");
		return -EINVAL;
	}
	p = live_proc("oomadj", argv[1]);
	if (!p)
		return -ESRCH;
	oom_set_adj(p->pid, adj);
	kprintf("oomadj: pid %d (%s) oom_score_adj %d\n", p->pid, p->comm, adj);
	return 0;
}
MONITOR_COMMAND(oomadj, "oomadj PID N", "set a process's oom_score_adj (-1000: never killed)",
                cmd_oomadj);

static int cmd_oom(int argc, char **argv)
{
	int64_t badness;
	int pid;

	(void)argv;
	if (argc != 1) {
		kprintf("usage: oom\n");
		return -EINVAL;
	}
	pid = oom_pick(&badness);
	kprintf("oom_kill %llu\noom_cap_kill %llu\noom_invocations %llu\noom_waits %llu\n",
	        (unsigned long long)oom_stats.kills, (unsigned long long)oom_stats.cap_kills,
	        (unsigned long long)oom_stats.invocations, (unsigned long long)oom_stats.waits);
	if (pid)
		kprintf("next victim: pid %d, badness %lld (oom_score %u)\n", pid,
		        (long long)badness, oom_score_scaled(badness, oom_total_pages()));
	else
		kprintf("next victim: none (nothing killable)\n");
	return 0;
}
MONITOR_COMMAND(oom, "oom", "the OOM killer's counters and the victim it would choose now",
                cmd_oom);
