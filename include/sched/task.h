/*
 * task: kernel tasks, the scheduler and the reaper (sched/).
 *
 * A task has its own kernel stack (KSTACK_PAGES pages in the stack region with an unmapped
 * guard page below) and runs fn(arg). Scheduling is preemptive round-robin: each task runs
 * for SCHED_SLICE_TICKS PIT ticks, then the next runnable one; an idle task halts the CPU
 * when nothing is runnable. The boot context becomes task 0, "kmain" (tests, then the
 * monitor).
 *
 * Life cycle:  RUNNABLE <-> RUNNING -> BLOCKED (sleep / wait queue) -> RUNNABLE ...
 *              any -> ZOMBIE (task_exit / task_kill) -> EXITED (reaped) -> FREE (collected)
 * A ZOMBIE no longer runs; the reaper task, woken by exit, frees its kernel stack and
 * everything still charged to it (pages, slab objects) on its own stack, logs
 * "sched: reaped task N (name): freed N kB" (debug level) and leaves the exit code for
 * task_wait().
 * A detached task's slot is freed by the reaper directly.
 *
 * Ownership: every page block and slab object allocated while a task runs is charged to the
 * task's owner (include/sched/owner.h: a ledger with its own 32-bit id, not the tid, which
 * tasks may share; task_create() gives each task its own, task_create_shared() shares one);
 * with a limit set, an allocation that would pass it fails with MM_EXCEEDS_LIMIT:
 * "exceeds task limit: requested N, limit N, current N". The reaper drops the task's use of
 * its owner; the last task of an owner releases what is still charged to it.
 *
 * Locking: one CPU; all scheduler state (run queue, sleep list, dead list, task states) is
 * changed with interrupts masked. Preemption (a switch at the end of an interrupt) waits while
 * preempt_count (include/lib/preempt.h) is non-zero: the slab layer's per-CPU magazines rely
 * on it. No sleeping locks yet, so no lock order.
 */
#ifndef STRATA_SCHED_TASK_H
#define STRATA_SCHED_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/list.h"
#include "mm/kstack.h"
#include "mm/page.h"
#include "sched/wait.h"

struct owner;

#define TASK_MAX          128 /* task slots, the idle, kmain and reaper tasks included */
#define TASK_NAME_MAX     16
#define SCHED_SLICE_TICKS 10          /* 10 ms at HZ = 1000 */
#define TASK_EXIT_KILLED  (-9)        /* exit code of a killed task */
#define TASK_TID_MAX      0x7FFFFFFFu /* tids wrap to 1 after this (they are ints) */

struct proc;      /* include/sched/proc.h */
struct task_arch; /* include/x86/task_arch.h */

enum task_state {
	TASK_FREE,     /* slot unused */
	TASK_RUNNABLE, /* on the run queue */
	TASK_RUNNING,  /* the current task */
	TASK_BLOCKED,  /* sleeping (timer) or on a wait queue */
	TASK_ZOMBIE,   /* exited or killed; resources not yet reaped */
	TASK_EXITED,   /* reaped; exit code kept for task_wait */
};

struct task {
	uint32_t tid; /* 1.. (0 is kmain); never reused while the slot lives */
	char name[TASK_NAME_MAX];
	enum task_state state;
	uint32_t esp;        /* saved stack pointer while not running */
	struct kstack stack; /* none for kmain (boot stack) */
	void (*fn)(void *arg);
	void *arg;
	int exit_code;
	bool detached;                 /* no task_wait: the reaper frees the slot */
	bool killed;                   /* task_kill was called */
	uint32_t slice;                /* ticks left in the current slice */
	uint32_t wake_tick;            /* BLOCKED in task_sleep: when to wake */
	struct list_head run_link;     /* run queue, sleep list or dead list */
	struct list_head wait_link;    /* the wait queue it blocks on */
	struct wait_queue *waiting_on; /* that queue, or NULL */
	struct wait_queue exit_wq;     /* task_wait callers */
	struct owner *owner;           /* charged for its allocations; NULL: the kernel (kmain) */
	uint64_t switches;             /* times it was switched to */
	/* user tasks (NULL in kernel tasks); changed only with interrupts off */
	struct proc *proc; /* the process this task runs */
	void *fs_pin; /* what its last /proc path walk found, held until its next walk or its end
	                (task_set_pin_release); NULL for none */
	struct task_arch *arch; /* FPU image, TLS slots, CR3: moved by every switch */
};

/* Make the boot context task 0 and start the idle and reaper tasks. Called once by kmain. */
void sched_init(void);

/*
 * Create a runnable task running fn(arg) named @name (truncated). Returns its tid (> 0), or
 * a negative errno: -EAGAIN when all TASK_MAX slots are used, -ENOMEM when its stack could
 * not be allocated.
 */
int task_create(void (*fn)(void *arg), void *arg, const char *name);

/*
 * As task_create, but the new task charges the owner of live task @share_tid (a thread of
 * the same process, later). Returns its tid, -ESRCH when @share_tid is not a live task with
 * an owner, or task_create's errors.
 */
int task_create_shared(void (*fn)(void *arg), void *arg, const char *name, int share_tid);

/*
 * As task_create, but the task is left BLOCKED (not on the run queue) until task_start_new():
 * fork and spawn build its process (charged to its own new owner) before it may run.
 */
int task_create_suspended(void (*fn)(void *arg), void *arg, const char *name);

/* Make a task from task_create_suspended runnable (once). Returns 0 or -ESRCH. */
int task_start_new(int tid);

/*
 * Wake @t if it is BLOCKED (sleep list or wait queue): it becomes runnable and its sleep
 * returns early; the sleeper re-checks its condition (a pending signal). No-op otherwise.
 */
void task_wake(struct task *t);

/* Let the reaper free the slot at exit (no task_wait). Returns 0 or -ESRCH. */
int task_detach(int tid);

/* Give up the CPU to the next runnable task (if any). */
void task_yield(void);

/* Block for at least @ms milliseconds (rounded up to whole ticks). */
void task_sleep(uint32_t ms);

/* End the current task with @code. Never returns. */
__attribute__((noreturn)) void task_exit(int code);

/*
 * End task @tid (any state but kmain's and the reaper's/idle's): it becomes a zombie with
 * TASK_EXIT_KILLED, is taken off any queue, and the reaper frees it. Returns 0, -ESRCH for no
 * such live task, -EPERM for the system tasks. Killing yourself is task_exit.
 */
int task_kill(int tid);

/*
 * Wait until task @tid has exited and been reaped, then collect its exit code into *@code
 * and free its slot. Returns 0, -ESRCH (no such task, or detached), -EINVAL (yourself).
 */
int task_wait(int tid, int *code);

/*
 * Free task @tid, created suspended and never started (a failed spawn or fork), now, in the
 * caller: its stack and its owner's ledger are back before this returns (the reaper would free
 * them later). Returns 0, or -ESRCH when @tid is not such a task (nothing done).
 */
int task_discard_new(int tid);

/*
 * Register how a task's fs_pin is released (the /proc layer: a process directory its last
 * path walk found stays held until the task's next walk or its reaping, so a lookup's result
 * cannot be freed under the walker). Called once at boot.
 */
void task_set_pin_release(void (*release)(void *pin));

/* Block until every zombie has been reaped (tests use it before exact memory counts). */
void sched_quiesce(void);

/* Set the limit in bytes (0 = none) of task @tid's owner. Returns 0 or -ESRCH. */
int task_set_limit(int tid, uint64_t bytes);

struct task *task_current(void);
struct task *task_lookup(int tid);

/* Is @t the idle task (the CPU-time accounting's idle ticks)? */
bool task_is_idle(const struct task *t);

/* Called by trap_dispatch after an IRQ handler: switch if the slice is used up. */
void sched_preempt(void);

/* Counters for tests and the monitor. */
struct sched_stats {
	uint64_t switches;
	uint32_t reaped;
	uint32_t live; /* tasks not FREE */
	uint64_t reaped_bytes;
};
void sched_stats(struct sched_stats *st);

/* Iterate over live tasks (for `ps`): calls @fn with interrupts masked. */
void task_for_each(void (*fn)(const struct task *t, void *ctx), void *ctx);

/*
 * The reaper's guard, exposed for the poisoned-stack test: refuses (-EBUSY, one log line)
 * to free a stack that contains the caller's own stack pointer.
 */
int sched_free_stack_checked(struct kstack *ks, uint32_t *freed);

#endif
