/*
 * sys_time: clocks and sleeps — clock_gettime (32-bit and time64), nanosleep,
 * clock_nanosleep (both). Every clock reads the PIT uptime (1 ms resolution); REALTIME is the
 * uptime since the epoch (no RTC is read yet). Sleeps are whole ticks, rounded up, and end
 * early with -EINTR when a fatal signal arrives.
 */
#include "kernel/syscall.h"
#include "kernel/time.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/task.h"

#define CLOCK_ID_MAX             11 /* REALTIME .. TAI */
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define TIMER_ABSTIME            1u
#define NSEC_PER_SEC             1000000000u
#define NSEC_PER_USEC            1000u
#define NSEC_PER_MSEC            1000000u
#define USEC_PER_SEC             1000000u
#define SLEEP_STEP_MS            1000u /* sleep in steps so a signal is noticed */

struct timespec32 {
	int32_t sec, nsec;
};
struct timespec64 {
	int64_t sec;
	int32_t nsec, pad;
};

static int clock_now(uint32_t clk, struct timespec64 *ts)
{
	uint64_t us = timer_uptime_us();

	if ((int32_t)clk < 0 || clk > CLOCK_ID_MAX)
		return -EINVAL;
	ts->sec = (int64_t)(us / USEC_PER_SEC);
	ts->nsec = (int32_t)((us % USEC_PER_SEC) * NSEC_PER_USEC);
	ts->pad = 0;
	return 0;
}

SYSCALL_DEFINE(clock_gettime)
{
	struct timespec64 ts;
	struct timespec32 t32;
	int rc = clock_now(a1, &ts);

	if (rc < 0)
		return rc;
	t32.sec = (int32_t)ts.sec;
	t32.nsec = ts.nsec;
	return copy_to_user((void *)a2, &t32, sizeof(t32));
}

SYSCALL_DEFINE(clock_gettime64)
{
	struct timespec64 ts;
	int rc = clock_now(a1, &ts);

	return rc < 0 ? rc : copy_to_user((void *)a2, &ts, sizeof(ts));
}

/* Sleep @ns nanoseconds; -EINTR if a fatal signal arrives first. */
static int sleep_ns(uint64_t ns)
{
	uint64_t end = timer_uptime_us() + (ns + NSEC_PER_USEC - 1) / NSEC_PER_USEC;

	for (;;) {
		uint64_t now = timer_uptime_us();
		if (now >= end)
			return 0;
		if (proc_signal_pending())
			return -EINTR;
		uint64_t left_ms = (end - now + 999) / 1000;
		task_sleep((uint32_t)MIN(left_ms, (uint64_t)SLEEP_STEP_MS));
	}
}

static int sleep_req(uint32_t clk, uint32_t flags, int64_t sec, int32_t nsec)
{
	struct timespec64 now;
	int64_t ns;

	if (nsec < 0 || (uint32_t)nsec >= NSEC_PER_SEC || sec < 0)
		return -EINVAL;
	if (clk == CLOCK_THREAD_CPUTIME_ID || clock_now(clk, &now) < 0)
		return -EINVAL;
	ns = sec * NSEC_PER_SEC + nsec;
	if (flags & TIMER_ABSTIME)
		ns -= now.sec * NSEC_PER_SEC + now.nsec;
	return ns > 0 ? sleep_ns((uint64_t)ns) : 0;
}

SYSCALL_DEFINE(nanosleep)
{
	struct timespec32 req;

	if (copy_from_user(&req, (const void *)a1, sizeof(req)) < 0)
		return -EFAULT;
	return sleep_req(0, 0, req.sec, req.nsec);
}

SYSCALL_DEFINE(clock_nanosleep)
{
	struct timespec32 req;

	if (copy_from_user(&req, (const void *)a3, sizeof(req)) < 0)
		return -EFAULT;
	return sleep_req(a1, a2, req.sec, req.nsec);
}

SYSCALL_DEFINE(clock_nanosleep_time64)
{
	struct timespec64 req;

	if (copy_from_user(&req, (const void *)a3, sizeof(req)) < 0)
		return -EFAULT;
	return sleep_req(a1, a2, req.sec, req.nsec);
}
