/*
 * wait: wait queues — tasks blocked until an event (Linux's wait_queue_head, reduced).
 *
 *   wait_event(&wq, condition);   block until condition is true (re-checked after each wake)
 *   wake_up(&wq);                 make every waiter runnable (safe from interrupt handlers)
 *
 * Locking: the list is changed with interrupts masked; the condition is tested with
 * interrupts masked, so a wake_up between the test and the sleep cannot be lost.
 */
#ifndef STRATA_SCHED_WAIT_H
#define STRATA_SCHED_WAIT_H

#include <stdbool.h>

#include "lib/list.h"
#include "x86/cpu.h"

struct wait_queue {
	struct list_head waiters; /* struct task.wait_link */
};

#define WAIT_QUEUE_INIT(name)                                                                      \
	{                                                                                          \
		LIST_HEAD_INIT((name).waiters)                                                     \
	}

static inline void wait_queue_init(struct wait_queue *wq)
{
	list_init(&wq->waiters);
}

/* Put the current task on @wq and switch away; interrupts must be off. Returns on wake-up. */
void wait_queue_sleep(struct wait_queue *wq);

/*
 * wait_queue_sleep() bounded in time: back after a wake-up or after @ticks timer ticks
 * (at least one), whichever comes first; interrupts must be off. The caller tells the two
 * apart by its own condition and clock (it re-checks both in a loop, as with wait_event).
 */
void wait_queue_sleep_timeout(struct wait_queue *wq, uint32_t ticks);

/* Make every task waiting on @wq runnable. Returns how many were woken. */
unsigned wake_up(struct wait_queue *wq);

/*
 * Block until @cond holds (tested with interrupts masked, re-tested after each wake-up).
 * No value: it returns only once @cond is true. A task killed while waiting never returns
 * from it — task_kill takes it off @wq and the reaper frees it — so callers have no "killed"
 * case to handle (what they allocated is charged to their owner and freed with it).
 */
#define wait_event(wq, cond)                                                                       \
	do {                                                                                       \
		uint32_t we_flags_ = irq_save();                                                   \
		while (!(cond))                                                                    \
			wait_queue_sleep(wq);                                                      \
		irq_restore(we_flags_);                                                            \
	} while (0)

/*
 * A sleeping lock: held across work that may be preempted or fault (a copy to or from user
 * memory) by tasks that share an object (a pipe, an open /proc file); a task that finds it
 * held sleeps until it is released. Not recursive; never held while waiting for an event.
 */
struct sleep_lock {
	bool locked;
	struct wait_queue waiters;
};

static inline void sleep_lock_init(struct sleep_lock *l)
{
	l->locked = false;
	wait_queue_init(&l->waiters);
}

/* Take @l, sleeping while another task holds it. */
static inline void sleep_lock(struct sleep_lock *l)
{
	uint32_t flags = irq_save();

	while (l->locked)
		wait_queue_sleep(&l->waiters);
	l->locked = true;
	irq_restore(flags);
}

/* Release @l and wake whoever waits for it. */
static inline void sleep_unlock(struct sleep_lock *l)
{
	uint32_t flags = irq_save();

	l->locked = false;
	wake_up(&l->waiters);
	irq_restore(flags);
}

#endif
