/*
 * Guest tests of the OOM killer (suite "oom", include/sched/oom.h): an OOM storm of eight
 * hogs is settled one victim at a time (every SIGKILL is one kill, no victim chosen while
 * another still had its memory, no kernel task touched) and memory comes back exactly; an
 * init process and a -1000 process are never chosen even when biggest; oom_score_adj moves
 * the choice and is inherited by fork; a process at its cap (`limit`) is killed alone.
 *
 * Memory is made scarce by taking all but HEADROOM of lowmem (where user pages come from)
 * into the kernel first, so each test does the same work at 16M and at 3G.
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "sched/oom.h"
#include "sched/proc.h"
#include "sched/stress.h"
#include "sched/task.h"
#include "lib/preempt.h"
#include "x86/cpu.h"

#define HEADROOM   (12u << 20) /* lowmem left free for the hogs */
#define STORM_HOGS 8
#define HOG_MIB    "4" /* each wants 4 MiB: together well past HEADROOM */
#define HOG_KB     (4u << 10)
#define GRAB_MAX   1024
#define GRAB_ORDER 10

static struct {
	struct page *pg;
	unsigned order;
} grabbed[GRAB_MAX];
static unsigned ngrabbed;

static uint64_t lowmem_free(void)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	return mi.low_free;
}

/* Take lowmem into the kernel until at most @left bytes of it are free. */
static void grab_until(uint64_t left)
{
	ngrabbed = 0;
	for (int order = GRAB_ORDER; order >= 0 && ngrabbed < GRAB_MAX; order--) {
		uint64_t block = (uint64_t)PAGE_SIZE << order;
		while (ngrabbed < GRAB_MAX && lowmem_free() >= left + block) {
			struct page *pg =
			    alloc_pages((unsigned)order, GFP_KERNEL | __GFP_KOWNED, 0);
			if (!pg)
				break;
			grabbed[ngrabbed].pg = pg;
			grabbed[ngrabbed++].order = (unsigned)order;
		}
	}
}

static void release_grab(void)
{
	while (ngrabbed) {
		ngrabbed--;
		free_pages(grabbed[ngrabbed].pg, grabbed[ngrabbed].order);
	}
}

/* Start uhello with @a1..@a3 (NULL-terminated early); its pid or -errno. */
static int start(const char *a1, const char *a2, const char *a3)
{
	char *argv[] = { "/builtin/uhello", (char *)a1, (char *)a2, (char *)a3, NULL };
	return proc_spawn(argv[0], argv, NULL, false);
}

/* Start uhello @a1 @a2 @a3 with oom_score_adj @adj set before it can run. */
static int start_adj(int adj, const char *a1, const char *a2, const char *a3)
{
	preempt_disable();
	int pid = start(a1, a2, a3);
	if (pid > 0)
		oom_set_adj(pid, adj);
	preempt_enable();
	return pid;
}

/* Wait until process @pid holds at least @kb of RSS (it is a `hog ... hold`). */
static void wait_rss(int pid, uint32_t kb)
{
	for (;;) {
		uint32_t flags = irq_save();
		struct proc *p = proc_lookup(pid);
		bool done = !p || !p->vm || p->vm->rss_pages * (PAGE_SIZE / 1024) >= kb;
		irq_restore(flags);
		if (done)
			return;
		task_yield();
	}
}

static int wait_status(int pid)
{
	int status = -1;
	proc_wait_kernel(pid, &status);
	return status;
}

/* Is @pid gone (a zombie: it ended) or holding @kb? Its state in *@dead. */
static bool settled(int pid, uint32_t kb, bool *dead)
{
	uint32_t flags = irq_save();
	struct proc *p = proc_lookup(pid);
	/* A victim still holding its memory is not settled: it is about to die. */
	bool done = !p || !p->vm || (!p->oom_victim && p->vm->rss_pages * (PAGE_SIZE / 1024) >= kb);

	*dead = !p || p->state == PROC_ZOMBIE;
	irq_restore(flags);
	return done;
}

KTEST(oom, a_storm_of_hogs_is_settled_one_victim_at_a_time)
{
	uint64_t free0, objs0, free1, objs1;
	int pids[STORM_HOGS], killed = 0;
	uint32_t mark = printk_ring_mark();

	int warm = start("hog", "1", NULL); /* caches warm: the counts below are exact */
	if (warm > 0)
		wait_status(warm);
	stress_snapshot(&free0, &objs0);
	struct oom_stats s0 = oom_stats;
	/* Eight hogs that keep what they take: together they want far more than there is. All
	 * are started, and memory made scarce, before any runs (a spawn needs memory too). */
	preempt_disable();
	for (int i = 0; i < STORM_HOGS; i++)
		pids[i] = start("hog", HOG_MIB, "hold");
	grab_until(HEADROOM);
	preempt_enable();
	/* Until each one holds its 4 MiB or has been killed, in a pass with no kill during it. */
	for (uint64_t kills = ~0ull; kills != oom_stats.kills;) {
		kills = oom_stats.kills;
		for (int i = 0; i < STORM_HOGS; i++) {
			bool dead;
			KASSERT(t, pids[i] > 0);
			while (!settled(pids[i], HOG_KB, &dead))
				task_yield();
		}
	}
	for (int i = 0; i < STORM_HOGS; i++) {
		bool dead;
		settled(pids[i], HOG_KB, &dead);
		if (dead) {
			KEXPECT_EQ(t, wait_status(pids[i]), W_SIGNALED(SIGKILL));
			killed++;
			pids[i] = 0;
		}
	}
	/* The survivors fit; the storm needed kills, one per victim, none while an earlier
	 * victim still had its memory, no cap involved. */
	KEXPECT(t, killed >= 1 && killed < STORM_HOGS);
	KEXPECT_EQ(t, oom_stats.kills - s0.kills, (uint64_t)killed);
	KEXPECT_EQ(t, oom_stats.overlaps, s0.overlaps);
	KEXPECT_EQ(t, oom_stats.cap_kills, s0.cap_kills);
	KEXPECT(t, printk_ring_contains(mark, "Tasks state (memory values in pages):"));
	KEXPECT(t, printk_ring_contains(mark, "Out of memory: Killed process "));
	KEXPECT(t, printk_ring_contains(mark, "oom_reaper: reaped process "));
	for (int i = 0; i < STORM_HOGS; i++) {
		if (!pids[i])
			continue;
		proc_kill(pids[i], SIGKILL);
		KEXPECT_EQ(t, wait_status(pids[i]), W_SIGNALED(SIGKILL));
	}
	release_grab();
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

/* How a hog of 8 MiB ends beside the holder with 4 MiB left free; exactly one kill. */
static int shortage_beside_holder(struct ktest_ctx *t)
{
	uint64_t kills0 = oom_stats.kills;
	grab_until(4u << 20);
	int other = start("hog", "8", NULL);
	KEXPECT(t, other > 0);
	int st = other > 0 ? wait_status(other) : -1;
	release_grab();
	KEXPECT_EQ(t, oom_stats.kills - kills0, 1u);
	return st;
}

KTEST(oom, init_and_minus_1000_are_never_chosen_even_when_biggest)
{
	uint64_t free0, objs0, free1, objs1;

	stress_snapshot(&free0, &objs0);
	for (int as_init = 1; as_init >= 0; as_init--) {
		char *argv[] = { "/builtin/uhello", "hog", "6", "hold", NULL };
		int holder;
		preempt_disable();
		holder = proc_spawn(argv[0], argv, NULL, as_init);
		if (holder > 0)
			oom_set_adj(holder, as_init ? 0 : OOM_SCORE_ADJ_MIN);
		preempt_enable();
		KASSERT(t, holder > 0);
		wait_rss(holder, 6 << 10);
		KEXPECT_EQ(t, oom_pick(NULL), 0); /* alone, it is not killable */
		/* The biggest process is spared: the one asking is the victim. */
		KEXPECT_EQ(t, shortage_beside_holder(t), W_SIGNALED(SIGKILL));
		KEXPECT_EQ(t, proc_kill(holder, SIGKILL), 0); /* still there: it survived */
		KEXPECT_EQ(t, wait_status(holder), W_SIGNALED(SIGKILL));
	}
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(oom, oom_score_adj_moves_the_choice)
{
	/* Two holders: 1 MiB with adj 1000 (all of RAM's worth) outranks 4 MiB with adj 0. */
	int big = start_adj(0, "hog", "4", "hold");
	int small = start_adj(1000, "hog", "1", "hold");
	int64_t badness;

	KASSERT(t, big > 0 && small > 0);
	wait_rss(big, 4 << 10);
	wait_rss(small, 1 << 10);
	KEXPECT_EQ(t, oom_pick(&badness), small);
	KEXPECT(t, badness > (int64_t)(oom_total_pages() / 2));
	oom_set_adj(small, -500);
	KEXPECT_EQ(t, oom_pick(NULL), big);
	KEXPECT_EQ(t, oom_set_adj(small, 1001), -EINVAL);
	KEXPECT_EQ(t, oom_set_adj(small, -1001), -EINVAL);
	KEXPECT_EQ(t, oom_set_adj(PID_MAX + 1, 0), -ESRCH);
	proc_kill(big, SIGKILL);
	proc_kill(small, SIGKILL);
	KEXPECT_EQ(t, wait_status(big), W_SIGNALED(SIGKILL));
	KEXPECT_EQ(t, wait_status(small), W_SIGNALED(SIGKILL));
}

struct child_of {
	int parent, pid, adj;
};

static void find_child(const struct proc *p, void *ctx)
{
	struct child_of *c = ctx;

	if (p->parent && p->parent->pid == c->parent && p->state == PROC_RUNNING) {
		c->pid = p->pid;
		c->adj = p->oom_score_adj;
	}
}

KTEST(oom, oom_score_adj_is_inherited_by_fork)
{
	struct child_of c = { 0 };
	int parent = start_adj(-321, "forkpause", NULL, NULL);

	KASSERT(t, parent > 0);
	c.parent = parent;
	while (!c.pid) { /* until its fork has made the child */
		proc_for_each(find_child, &c);
		if (!c.pid)
			task_yield();
	}
	KEXPECT_EQ(t, c.adj, -321);
	proc_kill(c.pid, SIGKILL);
	proc_kill(parent, SIGKILL);
	KEXPECT_EQ(t, wait_status(parent), W_SIGNALED(SIGKILL));
}

KTEST(oom, a_process_past_its_cap_is_killed_alone)
{
	uint64_t kills0 = oom_stats.kills, caps0 = oom_stats.cap_kills;
	int holder = start("hog", "2", "hold"), capped;

	KASSERT(t, holder > 0);
	wait_rss(holder, 2 << 10);
	/* Capped at 1 MiB before it runs: it asks for 2 MiB and dies at the cap, nobody else. */
	preempt_disable();
	capped = start("hog", "2", NULL);
	struct proc *p = capped > 0 ? proc_lookup(capped) : NULL;
	if (p && p->task)
		task_set_limit((int)p->task->tid, 1u << 20);
	preempt_enable();
	KASSERT(t, capped > 0);
	KEXPECT_EQ(t, wait_status(capped), W_SIGNALED(SIGKILL));
	KEXPECT_EQ(t, oom_stats.cap_kills - caps0, 1u);
	KEXPECT_EQ(t, oom_stats.kills, kills0);
	KEXPECT_EQ(t, proc_kill(holder, 0), 0); /* the other is untouched */
	proc_kill(holder, SIGKILL);
	KEXPECT_EQ(t, wait_status(holder), W_SIGNALED(SIGKILL));
}

KTEST(oom, with_nothing_killable_the_faulting_process_ends_with_a_clear_line)
{
	uint64_t free0, objs0, free1, objs1, kills0 = oom_stats.kills;
	uint32_t mark = printk_ring_mark();
	char line[96];
	int warm = start("hog", "1", NULL); /* caches warm: the counts below are exact */

	if (warm > 0)
		wait_status(warm);
	stress_snapshot(&free0, &objs0);
	/* The init process is never a victim: when it alone runs out, it ends by itself. */
	char *argv[] = { "/builtin/uhello", "hog", "8", NULL };
	grab_until(4u << 20);
	int pid = proc_spawn(argv[0], argv, NULL, true);
	KASSERT(t, pid > 0);
	KEXPECT_EQ(t, wait_status(pid), W_SIGNALED(SIGKILL));
	release_grab();
	KEXPECT_EQ(t, oom_stats.kills, kills0);
	ksnprintf(line, sizeof(line), "user: pid %d (uhello): out of memory at 0x", pid);
	KEXPECT(t, printk_ring_contains(mark, line));
	KEXPECT(t, printk_ring_contains(mark, ": nothing to kill (SIGKILL)"));
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}
