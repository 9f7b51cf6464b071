/*
 * poll: file readiness and the pollers' wait queue (see include/fs/poll.h).
 *
 * Locking: seq and the queue change with interrupts off; poll_wait_since tests seq and
 * sleeps with interrupts off, so a notification between a poller's look and its sleep wakes
 * it (it finds seq moved and does not sleep).
 */
#include "fs/poll.h"

#include "sched/proc.h"
#include "sched/wait.h"
#include "x86/cpu.h"

#define US_PER_TICK     1000 /* HZ = 1000 */
#define MAX_SLEEP_TICKS 0x40000000

static struct wait_queue pollers = WAIT_QUEUE_INIT(pollers);
static volatile uint32_t seq; /* poll_notify() calls so far (wraps) */

/* @us (> 0) in whole ticks, rounded up, at most MAX_SLEEP_TICKS (the caller loops). */
static uint32_t timeout_ticks(int64_t us)
{
	int64_t t = (us + US_PER_TICK - 1) / US_PER_TICK;

	return t > MAX_SLEEP_TICKS ? MAX_SLEEP_TICKS : (uint32_t)t;
}

uint32_t file_poll(struct file *f)
{
	return f->ops->poll ? f->ops->poll(f) : POLL_DEFAULT_MASK;
}

void poll_notify(void)
{
	uint32_t flags = irq_save();

	seq++;
	wake_up(&pollers);
	irq_restore(flags);
}

uint32_t poll_seq(void)
{
	return seq;
}

void poll_wait_since(uint32_t since, int64_t timeout_us)
{
	uint32_t flags = irq_save();

	if (seq == since && !proc_signal_pending() && timeout_us != 0) {
		if (timeout_us < 0)
			wait_queue_sleep(&pollers);
		else
			wait_queue_sleep_timeout(&pollers, timeout_ticks(timeout_us));
	}
	irq_restore(flags);
}
