/*
 * Guest tests of tasks, scheduling and the reaper: exact leak checks over 10,000 create/exit
 * cycles (self-exit, killed, leaking, killed while blocked), fairness under a CPU-bound task,
 * sleep accuracy, the reaper's own-stack guard, out-of-memory inside a task, per-task limits
 * and the ledger.
 */
#include "lib/console.h"
#include "kernel/ktest.h"
#include "lib/printk.h"
#include "x86/timer.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "mm/slab.h"
#include "sched/stress.h"
#include "sched/owner.h"
#include "sched/task.h"

KTEST(sched, ten_thousand_cycles_leak_nothing)
{
	struct stress_result r;
	struct sched_stats before, after;

	sched_stats(&before);
	stress_tasks(10000, &r);
	sched_stats(&after);
	KEXPECT_EQ(t, r.created, 10000);
	KEXPECT_EQ(t, r.failed, 0);
	KEXPECT_EQ(t, r.free_after, r.free_before);
	KEXPECT_EQ(t, r.objs_after, r.objs_before);
	KEXPECT_EQ(t, after.reaped - before.reaped, 10000);
	KEXPECT_EQ(t, after.live, before.live);
}

static volatile bool spin_stop;
static volatile uint32_t spin_count;

static void spinner(void *arg)
{
	(void)arg;
	while (!spin_stop)
		spin_count++;
}

static void counter(void *arg)
{
	volatile uint32_t *n = arg;
	for (unsigned i = 0; i < 1000; i++)
		(*n)++;
}

KTEST(sched, cpu_bound_task_does_not_starve_others)
{
	volatile uint32_t n = 0;
	spin_stop = false;
	spin_count = 0;
	int hog = task_create(spinner, 0, "hog");
	KASSERT(t, hog > 0);
	int other = task_create(counter, (void *)&n, "counter");
	KASSERT(t, other > 0);
	int code = -1;
	KEXPECT_EQ(t, task_wait(other, &code), 0); /* returns only if the hog is preempted */
	KEXPECT_EQ(t, code, 0);
	KEXPECT_EQ(t, n, 1000);
	KEXPECT(t, spin_count > 0);
	spin_stop = true;
	KEXPECT_EQ(t, task_wait(hog, &code), 0);
}

struct sleep_probe {
	uint32_t ms, start, end;
};

static void sleeper(void *arg)
{
	struct sleep_probe *p = arg;
	p->start = timer_ticks();
	task_sleep(p->ms);
	p->end = timer_ticks();
}

KTEST(sched, sleepers_wake_on_time_within_a_tick)
{
	static struct sleep_probe probes[3] = { { 5, 0, 0 }, { 20, 0, 0 }, { 50, 0, 0 } };
	int tids[3];
	for (int i = 0; i < 3; i++)
		tids[i] = task_create(sleeper, &probes[i], "sleeper");
	for (int i = 0; i < 3; i++) {
		KASSERT(t, tids[i] > 0);
		KEXPECT_EQ(t, task_wait(tids[i], 0), 0);
		uint32_t want = probes[i].ms * HZ / 1000;
		uint32_t got = probes[i].end - probes[i].start;
		KEXPECT(t, got >= want);
		KEXPECT(t, got <= want + 1);
	}
}

static volatile int own_stack_rc;

static void free_own_stack(void *arg)
{
	(void)arg;
	uint32_t freed = 0;
	own_stack_rc = sched_free_stack_checked(&task_current()->stack, &freed);
}

KTEST(sched, reaper_never_frees_the_stack_it_runs_on)
{
	int level = printk_get_loglevel();
	printk_set_loglevel(LOG_DEBUG); /* the reaper's line is debug-level: logged when shown */
	uint32_t mark = printk_ring_mark();
	own_stack_rc = 0;
	int tid = task_create(free_own_stack, 0, "selfish");
	KASSERT(t, tid > 0);
	struct task *tk = task_lookup(tid);
	uintptr_t bottom = tk->stack.bottom;
	KEXPECT_EQ(t, task_wait(tid, 0), 0);
	KEXPECT_EQ(t, own_stack_rc, -EBUSY);
	KEXPECT(t, printk_ring_contains(mark, "sched: refusing to free the stack"));
	/* After the reaper: the stack is unmapped (it was poisoned, then freed) */
	KEXPECT(t, !paging_is_mapped(kernel_pgdir, bottom));
	KEXPECT(t, printk_ring_contains(mark, "sched: reaped task"));
	printk_set_loglevel(level);
}

static void do_nothing(void *arg)
{
	(void)arg;
}

/* A debug line the loglevel hides is not formatted, so not in the ring either (printk.h). */
KTEST(sched, hidden_reap_line_is_not_logged)
{
	int level = printk_get_loglevel();
	printk_set_loglevel(LOG_INFO);
	uint32_t mark = printk_ring_mark();
	int tid = task_create(do_nothing, 0, "quiet");
	KASSERT(t, tid > 0);
	KEXPECT_EQ(t, task_wait(tid, 0), 0);
	KEXPECT(t, !printk_ring_contains(mark, "sched: reaped task"));
	printk_set_loglevel(level);
}

struct oom_probe {
	struct mm_error err;
	uint32_t blocks;
};

static void eat_memory(void *arg)
{
	struct oom_probe *p = arg;
	while (alloc_pages(6, GFP_HIGHUSER, &p->err))
		p->blocks++;
	/* the error is in hand; the task ends normally, leaving everything to the reaper */
}

KTEST(sched, task_oom_is_graceful_and_fully_reclaimed)
{
	static struct oom_probe p;
	uint64_t free0, objs0, free1, objs1;
	volatile uint32_t n = 0;

	memset(&p, 0, sizeof(p));
	stress_snapshot(&free0, &objs0);
	int other = task_create(counter, (void *)&n, "bystander");
	int eater = task_create(eat_memory, &p, "eater");
	KASSERT(t, other > 0 && eater > 0);
	KEXPECT_EQ(t, task_wait(eater, 0), 0);
	KEXPECT_EQ(t, task_wait(other, 0), 0);
	KEXPECT_EQ(t, n, 1000);
	KEXPECT(t, p.blocks > 0);
	KEXPECT_EQ(t, p.err.kind, MM_OUT_OF_MEMORY);
	KEXPECT_EQ(t, p.err.requested, 64 * PAGE_SIZE);
	KEXPECT_EQ(t, p.err.used + p.err.available, p.err.total); /* (fragmentation may leave
	                                                           * more free than asked) */
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

struct limit_probe {
	struct mm_error err;
	uint32_t objects;
	char report[160];
};

static void hit_limit(void *arg)
{
	struct limit_probe *p = arg;
	while (kmalloc_err(1000, KM_NORMAL, &p->err))
		p->objects++;
	mm_error_format(&p->err, p->report, sizeof(p->report));
}

KTEST(sched, per_task_limit_gives_exceeds_limit_error)
{
	static struct limit_probe p;
	memset(&p, 0, sizeof(p));
	int tid = task_create(hit_limit, &p, "limited");
	KASSERT(t, tid > 0);
	KASSERT_EQ(t, task_set_limit(tid, 16 * 1024), 0);
	KEXPECT_EQ(t, task_wait(tid, 0), 0);
	KEXPECT_EQ(t, p.err.kind, MM_EXCEEDS_LIMIT);
	KEXPECT_EQ(t, p.err.limit, 16 * 1024);
	KEXPECT(t, p.err.current + p.err.requested > p.err.limit);
	KEXPECT(t, p.err.current <= p.err.limit);
	KEXPECT_EQ(t, p.objects, p.err.current / p.err.requested);
	KEXPECT(t, strncmp(p.report, "exceeds task limit: requested 1024, limit 16384, current ",
	                   57) == 0);
}

static volatile uint32_t leaker_owner; /* the owner id the leaking task charged */

/* Leak a small object, a large one and a page block, charged to this task's owner. */
static void leak_and_report(void *arg)
{
	(void)arg;
	leaker_owner = task_current()->owner->id;
	kmalloc(100, KM_NORMAL);
	kmalloc(5000, KM_NORMAL);
	alloc_pages(2, GFP_KERNEL, 0);
}

KTEST(sched, ledger_is_empty_after_reaping)
{
	int tid = task_create(leak_and_report, 0, "ledger");
	KASSERT(t, tid > 0);
	struct task *tk = task_lookup(tid);
	int code;
	KEXPECT_EQ(t, task_wait(tid, &code), 0);
	/* the slot is collected; its owner is gone and its id owns nothing anywhere */
	KASSERT(t, leaker_owner != 0);
	KEXPECT_EQ(t, kmem_owner_usage(leaker_owner), 0);
	KEXPECT(t, owner_lookup(leaker_owner) == NULL);
	KEXPECT(t, tk->state == TASK_FREE);
}

KTEST(sched, kill_and_wait_errors)
{
	KEXPECT_EQ(t, task_kill(0), -EPERM);
	KEXPECT_EQ(t, task_kill(60000), -ESRCH);
	KEXPECT_EQ(t, task_wait(60000, 0), -ESRCH);
	KEXPECT_EQ(t, task_wait(0, 0), -ESRCH);
}

#define CHURN_TASKS     4
#define CHURN_PREEMPTED 3 /* times each task must find another ran between two of its steps */

/*
 * The churn's work is sized by what it must show, not by a count of operations: every task
 * keeps allocating and freeing until each of them has been preempted mid-churn at least
 * CHURN_PREEMPTED times (it sees another task's mark in churn_last between two of its own
 * steps). A fast or a slow host only changes how many operations that takes. If preemption
 * never happens the test hangs, and the ktest watchdog reports it failed.
 */
static volatile uint32_t churn_last; /* id of the task that took the latest step */
static volatile uint32_t churn_done; /* tasks that have been preempted often enough */
static volatile uint32_t churn_ops;  /* steps taken by all tasks (reported only) */

/* Allocate and free without ever yielding: only preemption interleaves these tasks. */
static void churn(void *arg)
{
	uint32_t me = (uint32_t)(uintptr_t)arg;
	uint32_t x = me * 2654435761u + 1;
	uint32_t preempted = 0;
	void *held[8] = { 0 };

	churn_last = me;
	while (churn_done < CHURN_TASKS) {
		x = x * 1103515245u + 12345u;
		unsigned slot = (x >> 8) % 8;
		if (held[slot]) {
			kfree(held[slot]);
			held[slot] = 0;
		} else {
			held[slot] = kmalloc(16u << ((x >> 16) % 8), KM_KERNEL);
		}
		__atomic_add_fetch(&churn_ops, 1, __ATOMIC_RELAXED);
		if (churn_last != me) { /* someone ran since our last step: we were preempted */
			churn_last = me;
			if (++preempted == CHURN_PREEMPTED)
				__atomic_add_fetch(&churn_done, 1, __ATOMIC_SEQ_CST);
		}
	}
	for (unsigned i = 0; i < 8; i++)
		kfree(held[i]);
}

KTEST(sched, preempted_tasks_share_the_slab_layer_safely)
{
	uint64_t free0, objs0, free1, objs1;
	struct sched_stats s0, s1;
	int tids[CHURN_TASKS];

	stress_snapshot(&free0, &objs0);
	sched_stats(&s0);
	unsigned long errors0 = kmem_error_count();
	churn_done = 0;
	churn_ops = 0;
	for (int i = 0; i < CHURN_TASKS; i++)
		tids[i] = task_create(churn, (void *)(uintptr_t)(i + 1), "churn");
	for (int i = 0; i < CHURN_TASKS; i++) {
		KASSERT(t, tids[i] > 0);
		KEXPECT_EQ(t, task_wait(tids[i], 0), 0);
	}
	sched_stats(&s1);
	kprintf("        # %u churn steps, %llu task switches\n", churn_ops,
	        (unsigned long long)(s1.switches - s0.switches));
	KEXPECT_EQ(t, churn_done, CHURN_TASKS);
	KEXPECT(t, s1.switches - s0.switches >= 3 * CHURN_TASKS); /* really interleaved */
	KEXPECT_EQ(t, kmem_error_count(), errors0); /* no double free / corruption reported */
	KEXPECT_EQ(t, kmem_check_all(), 0);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, objs1, objs0);
	KEXPECT_EQ(t, free1, free0);
}
