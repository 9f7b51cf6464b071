/*
 * oom_kill: the OOM killer (contracts and the picture in include/sched/oom.h; the choice's
 * arithmetic in mm/oom.c).
 *
 * Data and its lock (interrupts off, one CPU):
 *   victim_pid   the process killed for a shortage whose memory is not back yet; 0 none.
 *                Set when a victim is chosen, cleared by its exit (oom_exited). While set,
 *                no second victim is chosen: one shortage costs one process.
 *   oom_wq       faults waiting for victim_pid's memory
 *   cands/pids   the candidate table of one choice (static: no allocation when there is no
 *                memory); TASK_MAX entries, one process per task slot at most
 */
#include "sched/oom.h"

#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/phys.h"
#include "mm/pressure.h"
#include "mm/vm.h"
#include "sched/owner.h"
#include "sched/proc.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "x86/cpu.h"

#define KB_PER_PAGE (PAGE_SIZE / 1024u)
/* What a user page fault asks the page allocator for, in Linux's words. */
#define OOM_GFP_USER "gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)"

struct oom_stats oom_stats;

static int victim_pid;
static struct wait_queue oom_wq = WAIT_QUEUE_INIT(oom_wq);

struct choice {
	unsigned n;
	struct oom_candidate cands[TASK_MAX];
	int pids[TASK_MAX];
};
static struct choice choice;

uint64_t oom_total_pages(void)
{
	return mm_buddy()->managed_pages; /* RAM; no swap */
}

/* Add live process @p to the candidate table @ctx (interrupts off). */
static void collect(const struct proc *p, void *ctx)
{
	struct choice *c = ctx;

	if (p->state != PROC_RUNNING || !p->vm || c->n == TASK_MAX)
		return;
	c->cands[c->n] = (struct oom_candidate){
		.rss_pages = p->vm->rss_pages,
		.pt_pages = p->vm->pt_pages,
		.adj = p->oom_score_adj,
		.unkillable = proc_is_init(p) || p->oom_victim,
	};
	c->pids[c->n++] = p->pid;
}

/* Count @p in *@ctx if it is an OOM victim whose memory is not back yet. */
static void count_dying(const struct proc *p, void *ctx)
{
	if (p->oom_victim && p->vm)
		++*(unsigned *)ctx;
}

/* The victim's index in choice (filled here) or -1; interrupts off. */
static int choose(void)
{
	choice.n = 0;
	proc_for_each(collect, &choice);
	return oom_choose(choice.cands, choice.n, oom_total_pages());
}

int oom_pick(int64_t *badness)
{
	uint32_t flags = irq_save();
	int i = choose(), pid = i < 0 ? 0 : choice.pids[i];

	if (badness)
		*badness =
		    i < 0 ? OOM_BADNESS_NONE : oom_badness(&choice.cands[i], oom_total_pages());
	irq_restore(flags);
	return pid;
}

/* One row of the task table, as Linux's dump_task. */
static void dump_task(const struct proc *p, void *ctx)
{
	(void)ctx;
	if (p->state != PROC_RUNNING || !p->vm)
		return;
	pr_info("[%7d] %5d %5d %8u %8u %8u %8u         %5d %s\n", p->pid, 0, p->pid,
	        p->vm->total_vm, p->vm->rss_pages, p->vm->pt_pages * PAGE_SIZE, 0u,
	        p->oom_score_adj, p->comm);
}

/* The lines before a kill: who asked, and (for a shortage) every process's memory. */
static void dump_header(const struct proc *p, unsigned order, bool tasks)
{
	pr_warn("%s invoked oom-killer: " OOM_GFP_USER ", order=%u, oom_score_adj=%d\n", p->comm,
	        order, p->oom_score_adj);
	if (!tasks)
		return;
	pr_info("Tasks state (memory values in pages):\n");
	pr_info("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj "
	        "name\n");
	proc_for_each(dump_task, 0);
}

/* The kill line (@who: "Out of memory" or "Memory cap out of memory"), then SIGKILL. */
static void kill_victim(struct proc *v, const char *who)
{
	const struct vm_space *vm = v->vm;
	uint32_t anon = vm->rss_pages - vm->rss_file - vm->rss_shmem;

	pr_err("%s: Killed process %d (%s) total-vm:%ukB, anon-rss:%ukB, file-rss:%ukB, "
	       "shmem-rss:%ukB, UID:0 pgtables:%ukB oom_score_adj:%d\n",
	       who, v->pid, v->comm, vm->total_vm * KB_PER_PAGE, anon * KB_PER_PAGE,
	       vm->rss_file * KB_PER_PAGE, vm->rss_shmem * KB_PER_PAGE, vm->pt_pages * KB_PER_PAGE,
	       v->oom_score_adj);
	v->oom_victim = true;
	proc_kill(v->pid, SIGKILL);
}

/* Is @p's owner at its cap (one more page would pass it)? Logs the cap line if so and
 * @report. */
static bool at_cap(const struct proc *p, bool report)
{
	const struct owner *o = p->task ? p->task->owner : NULL;

	if (!o || !o->limit || owner_usage(o) + PAGE_SIZE <= o->limit)
		return false;
	if (report)
		pr_err("mm: pid %d (%s): memory cap %llu kB reached (%llu kB in use)\n", p->pid,
		       p->comm, (unsigned long long)(o->limit >> 10),
		       (unsigned long long)(owner_usage(o) >> 10));
	return true;
}

/* Sleep until the victim's memory is back or a signal is pending (interrupts off). */
static void wait_for_victim(void)
{
	oom_stats.waits++;
	while (victim_pid && !proc_signal_pending())
		wait_queue_sleep(&oom_wq);
}

enum oom_outcome oom_out_of_memory(struct proc *p, unsigned order, bool user)
{
	enum oom_outcome out = OOM_RETRY;
	uint32_t flags;

	if (p->oom_victim)
		return OOM_KILLED;
	oom_stats.invocations++;
	if (at_cap(p, user)) {
		if (!user)
			return OOM_CAPPED; /* the system call fails; nothing killed */
		oom_stats.cap_kills++;
		dump_header(p, order, false);
		flags = irq_save();
		kill_victim(p, "Memory cap out of memory");
		irq_restore(flags);
		return OOM_CAPPED;
	}
	if (!victim_pid && mm_shrink_all() > 0)
		return OOM_RETRY; /* the shrinkers gave something back: try with it first */
	flags = irq_save();
	if (!victim_pid) {
		int i = choose();
		if (i < 0) {
			irq_restore(flags);
			return OOM_NOTHING;
		}
		struct proc *v = proc_lookup(choice.pids[i]);
		dump_header(p, order, true);
		pr_info(
		    "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
		    "global_oom,task_memcg=/,task=%s,pid=%d,uid=0\n",
		    v->comm, v->pid);
		unsigned dying = 0;
		proc_for_each(count_dying, &dying);
		oom_stats.overlaps += dying != 0;
		oom_stats.kills++;
		vm_counters.oom_kill++;
		victim_pid = v->pid;
		kill_victim(v, "Out of memory");
		if (v == p)
			out = OOM_KILLED;
	}
	if (out == OOM_RETRY)
		wait_for_victim();
	irq_restore(flags);
	return out;
}

void oom_exited(struct proc *p)
{
	uint32_t flags;

	if (!p->oom_victim)
		return;
	pr_info("oom_reaper: reaped process %d (%s), now anon-rss:0kB, file-rss:0kB, "
	        "shmem-rss:0kB\n",
	        p->pid, p->comm);
	flags = irq_save();
	if (victim_pid == p->pid) {
		victim_pid = 0;
		wake_up(&oom_wq);
	}
	irq_restore(flags);
}

int oom_set_adj(int pid, int adj)
{
	uint32_t flags;
	struct proc *p;

	if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	flags = irq_save();
	p = proc_lookup(pid);
	if (p)
		p->oom_score_adj = (int16_t)adj;
	irq_restore(flags);
	return p ? 0 : -ESRCH;
}
