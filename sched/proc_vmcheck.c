/*
 * proc_vmcheck: the auditor over every process (contract and the rule for when a pass may
 * run in include/sched/proc_vmcheck.h; the checks themselves in mm/vmcheck.c).
 *
 *   strata> vmcheck                                          (the format; numbers vary)
 *   vmcheck: 3 spaces, 14 tables, 412 frames checked: ok
 *   vmcheck: on exit: 57 passes, 0 skipped, 0 broken        (with the `vmcheck` boot option)
 *
 * A pass: with preemption disabled, gather the live processes' spaces (proc_for_each), make
 * sure none of their tasks was preempted inside the kernel (its kernel stack holds a
 * kernel-mode trap frame) and none is between spaces (exec building a new one, which maps the
 * vDSO's page; exit freeing its old one after p->vm is cleared: proc.vm_busy), and hand every
 * space to the auditor. The gathered entries live in
 * a static array: only one pass runs at a time (preemption is off while it is in use).
 */
#include "sched/proc_vmcheck.h"

#include "lib/command.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/preempt.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/vm.h"
#include "sched/proc.h"
#include "sched/task.h"
#include "x86/gdt.h"
#include "x86/trap.h"

/* A kernel-mode trap frame: struct trap_frame without user_esp and user_ss. */
#define KERNEL_FRAME_BYTES ((TRAP_FRAME_WORDS - 2) * 4)

struct entry {
	struct vm_space *vm;
	const struct task *task;
	int pid;
	char label[VMCHECK_LABEL_MAX];
};

struct gather {
	struct entry *e;
	unsigned n, max;
	int busy_pid; /* a process between spaces (0: none) */
};

static struct entry entries[TASK_MAX];
static bool on_exit_enabled;
static unsigned exit_passes, exit_skipped, exit_broken;

void proc_vmcheck_enable(bool on)
{
	on_exit_enabled = on;
	if (on)
		vmcheck_reserve(TASK_MAX); /* a pass after every exit: no allocation each time */
}

bool proc_vmcheck_enabled(void)
{
	return on_exit_enabled;
}

unsigned proc_vmcheck_exit_broken(void)
{
	return exit_broken;
}

void proc_vmcheck_exit_stats(unsigned *passes, unsigned *skipped, unsigned *broken)
{
	*passes = exit_passes;
	*skipped = exit_skipped;
	*broken = exit_broken;
}

/* proc_for_each callback (interrupts off): record a live process's space, or note one that
 * is between spaces (exec building one, exit freeing it: vm_busy). */
static void gather_one(const struct proc *p, void *ctx)
{
	struct gather *g = ctx;
	struct entry *e;

	if (p->vm_busy && p != proc_current())
		g->busy_pid = p->pid;
	if (!p->vm || g->n == g->max)
		return;
	e = &g->e[g->n++];
	e->vm = p->vm;
	e->task = p->task;
	e->pid = p->pid;
	ksnprintf(e->label, sizeof(e->label), "pid %d (%s)", p->pid, p->comm);
}

/*
 * True when its live stack, from its saved esp to its top, holds a kernel-mode
 * trap frame: trap_common pushes the frame, then its address as trap_dispatch's argument,
 * and pusha's saved esp points at the frame's vector. A stale copy in an uninitialised
 * local can only make this say true (the pass is then skipped), never hide a real frame.
 */
bool proc_vmcheck_task_busy(const struct task *t)
{
	uintptr_t top = t->stack.top;

	if (!top || t->esp < t->stack.bottom || t->esp >= top)
		return false;
	for (uintptr_t a = t->esp; a + 4 + KERNEL_FRAME_BYTES <= top; a += 4) {
		const struct trap_frame *tf = (const struct trap_frame *)(a + 4);

		if (*(const uint32_t *)a == a + 4 && tf->esp_at_pusha == (uintptr_t)&tf->vector &&
		    tf->cs == SEL_KCODE)
			return true;
	}
	return false;
}

/* Gather every space with preemption disabled; 0, or the pid of a process that is busy. */
static int gather_settled(struct gather *g)
{
	const struct task *self = task_current();

	g->e = entries;
	g->n = 0;
	g->max = TASK_MAX;
	g->busy_pid = 0;
	proc_for_each(gather_one, g);
	if (g->busy_pid)
		return g->busy_pid;
	for (unsigned i = 0; i < g->n; i++)
		if (g->e[i].task && g->e[i].task != self && proc_vmcheck_task_busy(g->e[i].task))
			return g->e[i].pid;
	return 0;
}

int proc_vmcheck_all(uint32_t flags, struct vmcheck_result *res, int *busy_pid)
{
	struct gather g;
	struct vmcheck *c;
	int busy = 0;
	unsigned failures;

	for (unsigned tries = 0;; tries++) {
		preempt_disable();
		busy = gather_settled(&g);
		if (!busy)
			break;
		preempt_enable();
		if (tries == PROC_VMCHECK_TRIES) {
			if (busy_pid)
				*busy_pid = busy;
			return -EBUSY;
		}
		task_yield(); /* let it finish the operation it was preempted in */
	}
	if (g.n == 0) { /* nothing maps a user frame: nothing to check, no map needed */
		preempt_enable();
		if (res)
			memset(res, 0, sizeof(*res));
		return 0;
	}
	c = vmcheck_begin(g.n, flags);
	if (!c) {
		preempt_enable();
		return -ENOMEM;
	}
	for (unsigned i = 0; i < g.n; i++)
		vmcheck_space(c, g.e[i].vm, g.e[i].label);
	failures = vmcheck_end(c, res);
	preempt_enable();
	return (int)failures;
}

void proc_vmcheck_on_exit(void)
{
	int busy = 0, rc;

	if (!on_exit_enabled)
		return;
	rc = proc_vmcheck_all(0, NULL, &busy);
	if (rc == -EBUSY) {
		exit_skipped++;
		pr_info("vmcheck: skipped: pid %d stayed inside the kernel or between spaces\n",
		        busy);
	} else if (rc >= 0) {
		exit_passes++;
		exit_broken += (unsigned)rc;
	}
}

static int cmd_vmcheck(int argc, char **argv)
{
	struct vmcheck_result r;
	int busy = 0, rc;

	(void)argc;
	(void)argv;
	rc = proc_vmcheck_all(0, &r, &busy);
	if (rc == -EBUSY) {
		kprintf("vmcheck: pid %d stays preempted inside the kernel: nothing checked\n",
		        busy);
		return rc;
	}
	if (rc == -ENOMEM)
		return rc; /* the auditor said so */
	if (rc == 0)
		kprintf("vmcheck: %u spaces, %u tables, %u frames checked: ok\n", r.spaces,
		        r.tables, r.frames);
	else
		kprintf("vmcheck: %u spaces, %u tables, %u frames checked: %d broken\n", r.spaces,
		        r.tables, r.frames, rc);
	if (on_exit_enabled)
		kprintf("vmcheck: on exit: %u passes, %u skipped, %u broken\n", exit_passes,
		        exit_skipped, exit_broken);
	return 0;
}
MONITOR_COMMAND(vmcheck, "vmcheck",
                "audit every process's page tables, frame refcounts, RSS and VM areas",
                cmd_vmcheck);
