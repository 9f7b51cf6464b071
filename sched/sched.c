/*
 * sched: tasks, the round-robin scheduler, sleeping, wait queues, exit, kill, wait and the
 * reaper (contracts in include/sched/task.h and include/sched/wait.h).
 *
 * Data and its lock (interrupts masked; one CPU):
 *   tasks[]     the slots; a slot is FREE or holds one task, whose tid names it: slot
 *               tid % TASK_MAX (tid_alloc), so task_lookup is one compare
 *   next_tid    tids are handed out from here on, 1..TASK_TID_MAX wrapping: the first at or
 *               above it that names the free slot taken
 *   runq        RUNNABLE tasks in round-robin order (task.run_link); not the current task,
 *               never the idle task
 *   sleepers    BLOCKED tasks in task_sleep or wait_queue_sleep_timeout (task.run_link),
 *               woken by the tick; a timed waiter is on its wait queue too (task.wait_link)
 *               and whichever comes first, wake_up or the tick, takes it off both
 *   dead        ZOMBIE tasks waiting for the reaper (task.run_link)
 *   current     the RUNNING task
 *
 * Why a reaper: a task that exits is still running on its own kernel stack, so it cannot free
 * that stack (seed 001's leak). It becomes a zombie and switches away; the reaper, on its own
 * stack, frees everything after the switch.
 */
#include "sched/task.h"

#include "lib/panic.h"
#include "lib/printk.h"
#include "x86/timer.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/preempt.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/phys.h"
#include "mm/slab.h"
#include "sched/owner.h"
#include "sched/proc.h"
#include "sched/vdso.h"
#include "x86/cpu.h"
#include "x86/gdt.h"
#include "x86/task_arch.h"

/* Written over a dead task's stack before it is freed, under debug_pagealloc (16 KiB of
 * stores: too dear for every exit otherwise). */
#define KSTACK_POISON 0x5Au

void context_switch(uint32_t *save_esp, uint32_t next_esp);

static struct task tasks[TASK_MAX];
static struct task *current;
static struct task *idle_task, *reaper_task;

bool task_is_idle(const struct task *t)
{
	return t == idle_task;
}
static struct list_head runq = LIST_HEAD_INIT(runq);
static struct list_head sleepers = LIST_HEAD_INIT(sleepers);
static struct list_head dead = LIST_HEAD_INIT(dead);
static struct wait_queue reaper_wq;
static struct wait_queue reaped_wq = WAIT_QUEUE_INIT(reaped_wq); /* sched_quiesce waiters */
static bool reaping;
static uint32_t next_tid = 1;
static volatile bool need_resched;
static bool sched_running;
static struct sched_stats stats;

struct task *task_current(void)
{
	return current;
}

struct task *task_lookup(int tid)
{
	struct task *t = &tasks[(uint32_t)tid % TASK_MAX];

	return tid >= 0 && t->state != TASK_FREE && (int)t->tid == tid ? t : NULL;
}

/* ---- switching ------------------------------------------------------------------------ */

/* Pick the next task and switch to it. Interrupts off. @prev keeps its state unless RUNNING. */
static void schedule(void)
{
	struct task *prev = current;

	BUG_ON(irqs_enabled());
	if (prev->state == TASK_RUNNING) {
		prev->state = TASK_RUNNABLE;
		if (prev != idle_task)
			list_add_tail(&prev->run_link, &runq);
	}
	struct task *next = idle_task;
	if (!list_empty(&runq)) {
		next = list_first_entry(&runq, struct task, run_link);
		list_del(&next->run_link);
	}
	next->state = TASK_RUNNING;
	next->slice = SCHED_SLICE_TICKS;
	need_resched = false;
	if (next == prev)
		return;
	next->switches++;
	stats.switches++;
	if (prev->proc) /* the calls counted since it was switched in */
		prev->proc->nr_syscalls += proc_syscalls_pending;
	proc_syscalls_pending = 0;
	current = next;
	if (next->stack.top)
		tss_set_kernel_stack(next->stack.top);
	task_arch_switch(prev->arch, next->arch); /* FPU, TLS, CR3 (x86/task_arch.h) */
	owner_switch(next->owner);
	if (next->proc)
		vdso_switch_to(next->proc); /* its own figures on the status page */
	context_switch(&prev->esp, next->esp);
}

void task_yield(void)
{
	uint32_t flags = irq_save();
	schedule();
	irq_restore(flags);
}

void sched_preempt(void)
{
	/* With preemption disabled the switch waits for a later interrupt (need_resched stays). */
	if (need_resched && sched_running && __atomic_load_n(&preempt_count, __ATOMIC_RELAXED) == 0)
		schedule();
}

static void make_runnable(struct task *t)
{
	t->state = TASK_RUNNABLE;
	list_add_tail(&t->run_link, &runq);
}

/* The tick: wake sleepers that are due, and end the current slice. Interrupt context. */
static void sched_tick(uint32_t now)
{
	struct task *t, *n;

	list_for_each_entry_safe(t, n, &sleepers, run_link)
	{
		if ((int32_t)(now - t->wake_tick) >= 0) {
			list_del(&t->run_link);
			if (t->waiting_on) { /* a timed wait: its time is up */
				list_del(&t->wait_link);
				t->waiting_on = 0;
			}
			make_runnable(t);
			need_resched = need_resched || current == idle_task;
		}
	}
	if (current != idle_task && current->slice && --current->slice == 0)
		need_resched = true;
	if (current == idle_task && !list_empty(&runq))
		need_resched = true;
}

void task_sleep(uint32_t ms)
{
	uint32_t ticks = (ms * HZ + 999) / 1000;
	uint32_t flags = irq_save();

	current->wake_tick = timer_ticks() + (ticks ? ticks : 1);
	current->state = TASK_BLOCKED;
	list_add_tail(&current->run_link, &sleepers);
	schedule();
	irq_restore(flags);
}

/* ---- wait queues ---------------------------------------------------------------------- */

void wait_queue_sleep(struct wait_queue *wq)
{
	current->state = TASK_BLOCKED;
	current->waiting_on = wq;
	list_add_tail(&current->wait_link, &wq->waiters);
	schedule();
}

void wait_queue_sleep_timeout(struct wait_queue *wq, uint32_t ticks)
{
	current->state = TASK_BLOCKED;
	current->waiting_on = wq;
	list_add_tail(&current->wait_link, &wq->waiters);
	current->wake_tick = timer_ticks() + (ticks ? ticks : 1);
	list_add_tail(&current->run_link, &sleepers);
	schedule();
}

unsigned wake_up(struct wait_queue *wq)
{
	unsigned n = 0;
	uint32_t flags = irq_save();
	while (!list_empty(&wq->waiters)) {
		struct task *t = list_first_entry(&wq->waiters, struct task, wait_link);
		list_del(&t->wait_link);
		t->waiting_on = 0;
		list_del(&t->run_link); /* on the sleep list too in a timed wait */
		make_runnable(t);
		n++;
	}
	if (n && current == idle_task)
		need_resched = true;
	irq_restore(flags);
	return n;
}

/* ---- creation ------------------------------------------------------------------------- */

/* First code a new task runs (its stack was built to return here from context_switch). */
static __attribute__((noreturn)) void task_start(void)
{
	cpu_sti(); /* the switch happened with interrupts off */
	current->fn(current->arg);
	task_exit(0);
}

_Static_assert(TASK_TID_MAX % TASK_MAX == TASK_MAX - 1, "the last tid names the last slot");

/*
 * The tid for the free slot @slot: the first from next_tid on (wrapping to 1 past
 * TASK_TID_MAX) that names @slot (tid % TASK_MAX); no live task has it, since its slot is
 * free. Interrupts off.
 */
static uint32_t tid_alloc(unsigned slot)
{
	uint32_t tid = next_tid + ((slot - next_tid) % TASK_MAX); /* no 32-bit wrap */

	if (tid > TASK_TID_MAX) /* wrapped: from 1 on, and 0 is kmain's */
		tid = slot ? slot : TASK_MAX;
	next_tid = tid == TASK_TID_MAX ? 1 : tid + 1;
	return tid;
}

/* A free slot, the one next_tid names or the next free after it (a run of creations and
 * exits finds it at once), or NULL. Interrupts off. */
static struct task *slot_alloc(void)
{
	for (unsigned i = 0, slot = next_tid % TASK_MAX; i < TASK_MAX;
	     i++, slot = (slot + 1) % TASK_MAX)
		if (tasks[slot].state == TASK_FREE)
			return &tasks[slot];
	return 0;
}

static void task_init_fields(struct task *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	kstrlcpy(t->name, name, sizeof(t->name));
	list_init(&t->run_link);
	list_init(&t->wait_link);
	wait_queue_init(&t->exit_wq);
}

/*
 * Create a task charging owner @o (shared: owner_get is done here) or, for NULL, a new
 * owner of its own; runnable at once if @start, else left BLOCKED for task_start_new().
 * Returns its tid or -EAGAIN (no task or owner slot), -ENOMEM (no stack).
 */
static int task_create_owned(void (*fn)(void *arg), void *arg, const char *name, struct owner *o,
                             bool start)
{
	uint32_t flags = irq_save();
	struct task *t = slot_alloc();
	if (!t) {
		irq_restore(flags);
		return -EAGAIN;
	}
	task_init_fields(t, name);
	t->state = TASK_BLOCKED; /* reserved; not yet runnable */
	t->tid = tid_alloc((unsigned)(t - tasks));
	irq_restore(flags);

	if (o) {
		owner_get(o);
	} else {
		o = owner_create();
		if (!o) {
			t->state = TASK_FREE;
			return -EAGAIN;
		}
	}
	t->owner = o;
	struct mm_error err;
	if (kstack_alloc(&t->stack, &err) < 0) {
		owner_put(o); /* nothing was charged to it by this task */
		t->state = TASK_FREE;
		return -ENOMEM;
	}
	t->fn = fn;
	t->arg = arg;
	/* The frame context_switch pops: edi, esi, ebx, ebp (0 ends backtraces), return. */
	uint32_t *sp = (uint32_t *)t->stack.top;
	*--sp = 0; /* task_start's (absent) return address */
	*--sp = (uint32_t)task_start;
	*--sp = 0; /* ebp */
	*--sp = 0; /* ebx */
	*--sp = 0; /* esi */
	*--sp = 0; /* edi */
	t->esp = (uint32_t)sp;

	if (start) {
		flags = irq_save();
		make_runnable(t);
		irq_restore(flags);
	}
	return (int)t->tid;
}

int task_create(void (*fn)(void *arg), void *arg, const char *name)
{
	return task_create_owned(fn, arg, name, NULL, true);
}

int task_create_shared(void (*fn)(void *arg), void *arg, const char *name, int share_tid)
{
	uint32_t flags = irq_save();
	struct task *s = task_lookup(share_tid);
	struct owner *o = s && s->state != TASK_ZOMBIE && s->state != TASK_EXITED ? s->owner : NULL;
	if (o)
		owner_get(o); /* held across the creation: @s may exit meanwhile */
	irq_restore(flags);
	if (!o)
		return -ESRCH;
	int tid = task_create_owned(fn, arg, name, o, true);
	owner_put(o);
	return tid;
}

int task_create_suspended(void (*fn)(void *arg), void *arg, const char *name)
{
	return task_create_owned(fn, arg, name, NULL, false);
}

int task_start_new(int tid)
{
	uint32_t flags = irq_save();
	struct task *t = task_lookup(tid);
	int rc = -ESRCH;

	if (t && t->state == TASK_BLOCKED && !t->waiting_on && list_empty(&t->run_link)) {
		make_runnable(t);
		rc = 0;
	}
	irq_restore(flags);
	return rc;
}

void task_wake(struct task *t)
{
	uint32_t flags = irq_save();

	if (t->state == TASK_BLOCKED) {
		if (t->waiting_on) {
			list_del(&t->wait_link);
			t->waiting_on = 0;
			list_del(&t->run_link); /* a timed wait is on the sleep list too */
			make_runnable(t);
		} else if (!list_empty(&t->run_link)) { /* on the sleep list */
			list_del(&t->run_link);
			make_runnable(t);
		}
	}
	irq_restore(flags);
}

int task_detach(int tid)
{
	uint32_t flags = irq_save();
	struct task *t = task_lookup(tid);
	int rc = -ESRCH;
	if (t && t->tid != 0) {
		t->detached = true;
		rc = 0;
		if (t->state == TASK_EXITED) /* already reaped: nobody will collect it */
			t->state = TASK_FREE;
	}
	irq_restore(flags);
	return rc;
}

/* ---- exit, kill, reap, wait ----------------------------------------------------------- */

/* Make @t a zombie (interrupts off): off every queue, onto the dead list, reaper woken. */
static void make_zombie(struct task *t, int code)
{
	if (t->state == TASK_RUNNABLE || t->state == TASK_BLOCKED)
		list_del(&t->run_link); /* run queue or sleep list (empty on a plain wait queue) */
	if (t->waiting_on) {
		list_del(&t->wait_link);
		t->waiting_on = 0;
	}
	t->exit_code = code;
	t->state = TASK_ZOMBIE;
	list_add_tail(&t->run_link, &dead);
	wake_up(&reaper_wq);
}

void task_exit(int code)
{
	cpu_cli();
	BUG_ON(current == idle_task || current == reaper_task || current->tid == 0);
	make_zombie(current, code);
	schedule();
	panic("sched: zombie task %u was scheduled", current->tid);
}

int task_kill(int tid)
{
	uint32_t flags = irq_save();
	struct task *t = task_lookup(tid);
	int rc = 0;

	if (!t || t->state == TASK_ZOMBIE || t->state == TASK_EXITED)
		rc = -ESRCH;
	else if (t->tid == 0 || t == idle_task || t == reaper_task)
		rc = -EPERM;
	if (rc) {
		irq_restore(flags);
		return rc;
	}
	if (t->proc) { /* a user task ends through its process: SIGKILL, acted on by itself */
		int pid = t->proc->pid;
		irq_restore(flags);
		return proc_kill(pid, SIGKILL);
	}
	t->killed = true;
	if (t == current)
		task_exit(TASK_EXIT_KILLED);
	make_zombie(t, TASK_EXIT_KILLED);
	irq_restore(flags);
	return 0;
}

int sched_free_stack_checked(struct kstack *ks, uint32_t *freed)
{
	uint32_t esp = (uint32_t)__builtin_frame_address(0);

	if (esp >= ks->bottom - PAGE_SIZE && esp < ks->top) {
		pr_err("sched: refusing to free the stack %08x-%08x the caller runs on\n",
		       (uint32_t)ks->bottom, (uint32_t)ks->top);
		return -EBUSY;
	}
	if (mm_buddy()->poison) /* debug_pagealloc: a stale pointer into it reads the poison */
		memset((void *)ks->bottom, KSTACK_POISON, ks->top - ks->bottom);
	*freed = kstack_free(ks);
	return 0;
}

/*
 * Free @t's stack and drop its use of its owner (the last task of an owner frees what is
 * still charged to it and checks the ledger); runs in the reaper, never on @t's stack.
 */
static void (*pin_release)(void *pin);

void task_set_pin_release(void (*release)(void *pin))
{
	pin_release = release;
}

static void reap(struct task *t)
{
	uint32_t stack_bytes = 0;
	if (t->fs_pin && pin_release)
		pin_release(t->fs_pin);
	t->fs_pin = NULL;
	if (sched_free_stack_checked(&t->stack, &stack_bytes) < 0)
		panic("sched: reaper would free its own stack (task %u)", t->tid);
	uint64_t owned = owner_put(t->owner); /* the last user: released and checked */
	uint32_t flags = irq_save();
	t->owner = NULL;
	irq_restore(flags);
	uint64_t total = stack_bytes + owned;
	pr_debug("sched: reaped task %u (%s): freed %llu kB\n", t->tid, t->name,
	         (unsigned long long)(total >> 10));
	stats.reaped++;
	stats.reaped_bytes += total;
}

int task_discard_new(int tid)
{
	uint32_t flags = irq_save();
	struct task *t = task_lookup(tid);

	if (!t || t == current || t->state != TASK_BLOCKED || t->waiting_on ||
	    !list_empty(&t->run_link)) {
		irq_restore(flags);
		return -ESRCH;
	}
	t->state = TASK_ZOMBIE; /* on no list: the reaper never sees it */
	t->exit_code = TASK_EXIT_KILLED;
	t->detached = true;
	irq_restore(flags);
	reap(t);
	flags = irq_save();
	t->state = TASK_FREE;
	irq_restore(flags);
	return 0;
}

static void reaper(void *arg)
{
	(void)arg;
	for (;;) {
		uint32_t flags = irq_save();
		while (list_empty(&dead))
			wait_queue_sleep(&reaper_wq);
		struct task *t = list_first_entry(&dead, struct task, run_link);
		list_del(&t->run_link);
		reaping = true;
		irq_restore(flags);

		reap(t);

		flags = irq_save();
		t->state = t->detached ? TASK_FREE : TASK_EXITED;
		reaping = false;
		wake_up(&t->exit_wq);
		wake_up(&reaped_wq);
		irq_restore(flags);
	}
}

void sched_quiesce(void)
{
	wait_event(&reaped_wq, list_empty(&dead) && !reaping);
}

int task_wait(int tid, int *code)
{
	uint32_t flags = irq_save();
	struct task *t = task_lookup(tid);
	if (!t || t->detached || t->tid == 0) {
		irq_restore(flags);
		return -ESRCH;
	}
	if (t == current) {
		irq_restore(flags);
		return -EINVAL;
	}
	while (t->state != TASK_EXITED)
		wait_queue_sleep(&t->exit_wq);
	if (code)
		*code = t->exit_code;
	t->state = TASK_FREE;
	irq_restore(flags);
	return 0;
}

int task_set_limit(int tid, uint64_t bytes)
{
	uint32_t flags = irq_save();
	struct task *t = task_lookup(tid);
	if (t && t->owner)
		t->owner->limit = bytes;
	irq_restore(flags);
	return t ? 0 : -ESRCH;
}

/* ---- the system tasks ----------------------------------------------------------------- */

static void idle(void *arg)
{
	(void)arg;
	for (;;)
		cpu_sti_hlt(); /* the tick (or any IRQ) decides whether to switch */
}

void sched_init(void)
{
	struct task *k = &tasks[0];

	task_init_fields(k, "kmain");
	k->tid = 0;
	k->state = TASK_RUNNING;
	k->slice = SCHED_SLICE_TICKS;
	current = k;
	wait_queue_init(&reaper_wq);
	owner_init();

	int id = task_create(idle, 0, "idle");
	idle_task = id > 0 ? task_lookup(id) : NULL;
	id = task_create(reaper, 0, "reaper");
	reaper_task = id > 0 ? task_lookup(id) : NULL;
	if (!idle_task || !reaper_task)
		panic("sched: cannot create the idle and reaper tasks");
	list_del(&idle_task->run_link); /* idle never sits on the run queue */
	idle_task->state = TASK_RUNNABLE;
	idle_task->detached = reaper_task->detached = true;
	timer_add_hook(sched_tick);
	sched_running = true;
	pr_info("sched: round-robin, %u ms slices, %u task slots\n", SCHED_SLICE_TICKS * 1000 / HZ,
	        TASK_MAX);
}

void sched_stats(struct sched_stats *st)
{
	uint32_t flags = irq_save();
	*st = stats;
	st->live = 0;
	for (unsigned i = 0; i < TASK_MAX; i++)
		st->live += tasks[i].state != TASK_FREE;
	irq_restore(flags);
}

void task_for_each(void (*fn)(const struct task *t, void *ctx), void *ctx)
{
	uint32_t flags = irq_save();
	for (unsigned i = 0; i < TASK_MAX; i++)
		if (tasks[i].state != TASK_FREE)
			fn(&tasks[i], ctx);
	irq_restore(flags);
}
