/*
 * sys_time: clocks, sleeps and CPU times, as Linux 6.1 i386 answers them — clock_gettime,
 * clock_getres and clock_nanosleep in their 32-bit and time64 forms, gettimeofday, time,
 * nanosleep, times, and the per-process CPU-time accounting behind them.
 *
 * Time: one timeline, the tick plus TSC cycles since (include/x86/timer.h, struct vclock),
 * which the vDSO reads too, so a clock read by the system call and through the vDSO agree
 * exactly. The monotonic clocks (MONOTONIC, MONOTONIC_RAW, BOOTTIME, BOOTTIME_ALARM; nothing
 * is suspended) read it; the wall clocks (REALTIME, REALTIME_ALARM, TAI — Linux's TAI offset
 * defaults to 0) are kept from the CMOS clock's reading at boot (include/x86/rtc.h, read once
 * by sys_time_init). clock_getres says 1 ns, as Linux's high-resolution clocks; the COARSE
 * clocks step by the tick (1/HZ). No clock can be set yet.
 *
 * CPU time: sys_time_tick, a timer hook, charges each tick to the interrupted process
 * (struct proc.res, include/sched/resource.h): user time when the tick came from ring 3
 * (the user trap frame at the top of its kernel stack is the tick's own, vector T_IRQ0),
 * system time when the process was in the kernel (the frame there is its system call's or
 * fault's). CLOCK_PROCESS_CPUTIME_ID / CLOCK_THREAD_CPUTIME_ID (one thread per process) and
 * the negative CPU clock ids (Linux's encoding: ~pid << 3 | perthread << 2 | which, pid 0 =
 * the caller) read these, so their resolution is the tick.
 *
 * Sleeps end no earlier than asked (microsecond deadline, whole ticks, rounded up) and early
 * with -EINTR when a signal is deliverable; a relative sleep then stores the time left in
 * its remaining-time argument. Argument checks in Linux's order (clock, then copying the
 * request, then its validity).
 */
#include "kernel/syscall.h"

#include "x86/timer.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/resource.h"
#include "sched/task.h"
#include "x86/cpu.h"
#include "x86/rtc.h"

/* Linux i386 numbers not in include/kernel/syscall.h. */
#define __NR_time                13
#define __NR_times               43
#define __NR_gettimeofday        78
#define __NR_clock_getres        266
#define __NR_clock_getres_time64 406

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define CLOCK_REALTIME_ALARM     8
#define CLOCK_BOOTTIME_ALARM     9
#define CLOCK_TAI                11
#define CPUCLOCK_PERTHREAD       4u /* negative clock ids: bit 2 */
#define CPUCLOCK_WHICH_MASK      3u /* bits 0-1: PROF, VIRT, SCHED; 3 is a clock fd */
#define CPUCLOCK_VIRT            1u
#define CPUCLOCK_MAX             3u
#define CPUCLOCK_PID_SHIFT       3
#define TIMER_ABSTIME            1u
#define NSEC_PER_SEC             1000000000
#define NSEC_PER_USEC            1000
#define USEC_PER_SEC             1000000u
#define NSEC_PER_TICK            (NSEC_PER_SEC / HZ)
#define USER_HZ                  100u  /* clock_t units of times() */
#define SLEEP_STEP_MS            1000u /* sleep in steps so a signal is noticed */

struct timespec32 {
	int32_t sec, nsec;
};
struct timespec64 { /* struct __kernel_timespec: nsec is a long long; the high half is
	               ignored on input on i386 and 0 on output */
	int64_t sec;
	int32_t nsec, pad;
};
struct timeval32 {
	int32_t sec, usec;
};
struct tms32 {
	int32_t utime, stime, cutime, cstime;
};

enum clock_kind {
	CK_WALL,   /* boot epoch + uptime */
	CK_MONO,   /* uptime */
	CK_COARSE, /* as its base, truncated to the tick */
	CK_CPU,    /* a process's CPU time */
};

/* A decoded clock id. */
struct clock {
	enum clock_kind kind;
	bool wall;         /* CK_COARSE: based on the wall clock */
	bool can_sleep;    /* clock_nanosleep accepts it */
	bool thread_of_me; /* a per-thread CPU clock of the caller (cannot sleep on it) */
	int pid;           /* CK_CPU: 0 = the caller */
	unsigned which;    /* CK_CPU: CPUCLOCK_* */
};

static int64_t boot_epoch; /* wall-clock seconds at uptime 0; set once at boot */

/* Decode @id as Linux's clockid_to_kclock does. 0 or -EINVAL. */
static int clock_decode(int32_t id, struct clock *c)
{
	*c = (struct clock){ .kind = CK_MONO, .can_sleep = true };
	if (id < 0) {
		uint32_t u = (uint32_t)id;
		c->which = u & CPUCLOCK_WHICH_MASK;
		if (c->which >= CPUCLOCK_MAX)
			return -EINVAL; /* a clock fd: no dynamic clocks here */
		c->kind = CK_CPU;
		c->pid = (int)~(id >> CPUCLOCK_PID_SHIFT);
		c->thread_of_me =
		    (u & CPUCLOCK_PERTHREAD) && (c->pid == 0 || c->pid == proc_current()->pid);
		return 0;
	}
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI:
		c->kind = CK_WALL;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		return 0;
	case CLOCK_MONOTONIC_RAW:
		c->can_sleep = false;
		return 0;
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		c->kind = CK_COARSE;
		c->wall = id == CLOCK_REALTIME_COARSE;
		c->can_sleep = false;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		c->kind = CK_CPU;
		c->which = CPUCLOCK_MAX - 1; /* SCHED */
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		c->kind = CK_CPU;
		c->which = CPUCLOCK_MAX - 1;
		c->can_sleep = false; /* Linux's clock_thread has no nsleep */
		return 0;
	default:
		return -EINVAL;
	}
}

static void ns_to_ts(int64_t ns, struct timespec64 *ts)
{
	ts->sec = ns / NSEC_PER_SEC;
	ts->nsec = (int32_t)(ns % NSEC_PER_SEC);
	ts->pad = 0;
}

/* The CPU time of @pid (0: the caller) as @which counts it, in ns. 0 or -EINVAL. */
static int cpu_time_ns(int pid, unsigned which, int64_t *ns)
{
	uint32_t flags = irq_save();
	struct proc *p = pid ? proc_lookup(pid) : proc_current();
	uint64_t ticks;

	if (!p) {
		irq_restore(flags);
		return -EINVAL;
	}
	ticks = p->res.utime + (which == CPUCLOCK_VIRT ? 0 : p->res.stime);
	irq_restore(flags);
	*ns = (int64_t)ticks * NSEC_PER_TICK;
	return 0;
}

/* Read clock @c in ns. 0 or -EINVAL (a CPU clock of no process). */
static int clock_read_ns(const struct clock *c, int64_t *ns)
{
	int64_t sec;
	uint32_t nsec;

	switch (c->kind) {
	case CK_WALL:
	case CK_MONO:
		timer_clock_read(c->kind == CK_WALL ? VCLOCK_WALL : VCLOCK_MONO, &sec, &nsec);
		*ns = sec * NSEC_PER_SEC + nsec;
		return 0;
	case CK_COARSE:
		timer_clock_read(c->wall ? VCLOCK_WALL : VCLOCK_MONO, &sec, &nsec);
		*ns = sec * NSEC_PER_SEC + nsec - nsec % NSEC_PER_TICK;
		return 0;
	case CK_CPU:
	default:
		return cpu_time_ns(c->pid, c->which, ns);
	}
}

static int clock_now(uint32_t id, struct timespec64 *ts)
{
	struct clock c;
	int64_t ns = 0;
	int rc = clock_decode((int32_t)id, &c);

	if (rc == 0)
		rc = clock_read_ns(&c, &ns);
	ns_to_ts(ns, ts); /* (0 on failure: never used then) */
	return rc;
}

/* The wall clock (CLOCK_REALTIME) now. */
static void wall_now(struct timespec64 *ts)
{
	int64_t sec;
	uint32_t nsec;

	timer_clock_read(VCLOCK_WALL, &sec, &nsec);
	ts->sec = sec;
	ts->nsec = (int32_t)nsec;
	ts->pad = 0;
}

static int clock_res(uint32_t id, struct timespec64 *ts)
{
	struct clock c;
	int64_t ns;
	int rc = clock_decode((int32_t)id, &c);

	if (rc < 0)
		return rc;
	if (c.kind == CK_CPU && cpu_time_ns(c.pid, c.which, &ns) < 0)
		return -EINVAL;
	ns_to_ts(c.kind == CK_COARSE || c.kind == CK_CPU ? NSEC_PER_TICK : 1, ts);
	return 0;
}

static int put_ts32(uint32_t uaddr, const struct timespec64 *ts)
{
	struct timespec32 t32 = { (int32_t)ts->sec, ts->nsec };

	return copy_to_user((void *)uaddr, &t32, sizeof(t32));
}

/* clock_gettime(clock, tp) and the time64 form: 0, -EINVAL, -EFAULT. */
SYSCALL_DEFINE(clock_gettime)
{
	struct timespec64 ts;
	int rc = clock_now(a1, &ts);

	return rc < 0 ? rc : put_ts32(a2, &ts);
}

SYSCALL_DEFINE(clock_gettime64)
{
	struct timespec64 ts;
	int rc = clock_now(a1, &ts);

	return rc < 0 ? rc : copy_to_user((void *)a2, &ts, sizeof(ts));
}

/* clock_getres(clock, res) and the time64 form: res may be NULL. 0, -EINVAL, -EFAULT. */
SYSCALL_DEFINE(clock_getres)
{
	struct timespec64 ts;
	int rc = clock_res(a1, &ts);

	return rc < 0 || !a2 ? rc : put_ts32(a2, &ts);
}

SYSCALL_DEFINE(clock_getres_time64)
{
	struct timespec64 ts;
	int rc = clock_res(a1, &ts);

	return rc < 0 || !a2 ? rc : copy_to_user((void *)a2, &ts, sizeof(ts));
}

/* gettimeofday(tv, tz): tv_sec then tv_usec stored one by one (Linux's put_user each), then
 * a zero timezone. Either may be NULL. 0 or -EFAULT. */
SYSCALL_DEFINE(gettimeofday)
{
	static const struct {
		int32_t minuteswest, dsttime;
	} tz;
	struct timespec64 ts;

	if (a1) {
		wall_now(&ts);
		if (put_user_u32((void *)a1, (uint32_t)ts.sec) < 0 ||
		    put_user_u32((void *)(a1 + sizeof(int32_t)),
		                 (uint32_t)(ts.nsec / NSEC_PER_USEC)) < 0)
			return -EFAULT;
	}
	if (a2 && copy_to_user((void *)a2, &tz, sizeof(tz)) < 0)
		return -EFAULT;
	return 0;
}

/* time(tloc): the wall-clock seconds at the last tick (coarse, as Linux's
 * ktime_get_real_seconds and the vDSO's __vdso_time, so the two never disagree), also stored
 * at tloc unless NULL; or -EFAULT. */
SYSCALL_DEFINE(time)
{
	struct timespec64 ts;
	int64_t ns = 0;
	struct clock coarse = { .kind = CK_COARSE, .wall = true };

	clock_read_ns(&coarse, &ns);
	ns_to_ts(ns, &ts);
	if (a1 && put_user_u32((void *)a1, (uint32_t)ts.sec) < 0)
		return -EFAULT;
	return (long)ts.sec;
}

static int32_t ticks_to_clock_t(uint64_t ticks)
{
	return (int32_t)(ticks * USER_HZ / HZ);
}

/* times(buf): the caller's and its waited-for children's CPU times in 1/100 s (buf may be
 * NULL); returns the uptime in 1/100 s (Linux's count starts 5 minutes below 0; ours at 0),
 * or -EFAULT. */
SYSCALL_DEFINE(times)
{
	struct proc *p = proc_current();
	struct tms32 t;
	uint32_t flags;

	if (a1) {
		flags = irq_save();
		t.utime = ticks_to_clock_t(p->res.utime);
		t.stime = ticks_to_clock_t(p->res.stime);
		t.cutime = ticks_to_clock_t(p->res.cutime);
		t.cstime = ticks_to_clock_t(p->res.cstime);
		irq_restore(flags);
		if (copy_to_user((void *)a1, &t, sizeof(t)) < 0)
			return -EFAULT;
	}
	return (long)(uint32_t)(timer_uptime_us() / (USEC_PER_SEC / USER_HZ));
}

/* ---- sleeps --------------------------------------------------------------------------- */

/*
 * Sleep until clock @c reads @deadline ns. 0, or -EINTR when a signal is deliverable first
 * (*@left then holds the ns still to go).
 */
static int sleep_until(const struct clock *c, int64_t deadline, int64_t *left)
{
	for (;;) {
		int64_t now;
		if (clock_read_ns(c, &now) < 0)
			return -EINVAL; /* the process behind a CPU clock is gone */
		if (now >= deadline)
			return 0;
		/* Masked from the look to the sleep: a signal sent in between wakes the sleep. */
		uint32_t flags = irq_save();
		if (proc_signal_pending()) {
			irq_restore(flags);
			*left = deadline - now;
			return -EINTR;
		}
		int64_t left_ms =
		    (deadline - now + NSEC_PER_SEC / 1000 - 1) / (NSEC_PER_SEC / 1000);
		task_sleep((uint32_t)MIN(left_ms, (int64_t)SLEEP_STEP_MS));
		irq_restore(flags);
	}
}

/*
 * The common body of the sleeps, after the clock was decoded into @c and the request copied:
 * validity (-EINVAL), then the sleep. On -EINTR of a relative sleep the time left goes to
 * @rmtp (non-zero; 32-bit or 64-bit timespec per @rm64), -EFAULT if it cannot be stored.
 */
static long do_nanosleep(const struct clock *c, uint32_t flags, int64_t sec, int32_t nsec,
                         uint32_t rmtp, bool rm64)
{
	int64_t now, deadline, left = 0;
	struct timespec64 ts;
	int rc;

	if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (c->thread_of_me)
		return -EINVAL; /* Linux: a thread cannot sleep on its own CPU clock */
	if (clock_read_ns(c, &now) < 0)
		return -EINVAL;
	deadline = sec * NSEC_PER_SEC + nsec;
	if (!(flags & TIMER_ABSTIME))
		deadline += now;
	rc = sleep_until(c, deadline, &left);
	if (rc == -EINTR && rmtp && !(flags & TIMER_ABSTIME)) {
		ns_to_ts(left, &ts);
		if ((rm64 ? copy_to_user((void *)rmtp, &ts, sizeof(ts)) : put_ts32(rmtp, &ts)) < 0)
			return -EFAULT;
	}
	return rc;
}

/* nanosleep(req, rem): 0, -EFAULT, -EINVAL, -EINTR. */
SYSCALL_DEFINE(nanosleep)
{
	struct timespec32 req;
	struct clock c;

	clock_decode(CLOCK_MONOTONIC, &c);
	if (copy_from_user(&req, (const void *)a1, sizeof(req)) < 0)
		return -EFAULT;
	return do_nanosleep(&c, 0, req.sec, req.nsec, a2, false);
}

/*
 * clock_nanosleep(clock, flags, req, rem) and its time64 form (@t64: req and rem are
 * struct timespec64): 0, -EINVAL (clock, request), -EOPNOTSUPP (a clock that cannot sleep),
 * -EFAULT, -EINTR. Linux's order: the clock, then the copy of the request, then its value.
 */
static long clock_nanosleep_common(uint32_t clk, uint32_t flags, uint32_t ureq, uint32_t urem,
                                   bool t64)
{
	struct clock c;
	int64_t sec;
	int32_t nsec;

	if (clock_decode((int32_t)clk, &c) < 0)
		return -EINVAL;
	if (!c.can_sleep)
		return -EOPNOTSUPP;
	if (t64) {
		struct timespec64 req;
		if (copy_from_user(&req, (const void *)ureq, sizeof(req)) < 0)
			return -EFAULT;
		sec = req.sec;
		nsec = req.nsec;
	} else {
		struct timespec32 req;
		if (copy_from_user(&req, (const void *)ureq, sizeof(req)) < 0)
			return -EFAULT;
		sec = req.sec;
		nsec = req.nsec;
	}
	return do_nanosleep(&c, flags, sec, nsec, urem, t64);
}

SYSCALL_DEFINE(clock_nanosleep)
{
	return clock_nanosleep_common(a1, a2, a3, a4, false);
}

SYSCALL_DEFINE(clock_nanosleep_time64)
{
	return clock_nanosleep_common(a1, a2, a3, a4, true);
}

/* ---- CPU-time accounting -------------------------------------------------------------- */

/* The timer hook (interrupt context): charge this tick to the interrupted process. */
struct cpu_times cpu_times;

static void sys_time_tick(uint32_t ticks)
{
	struct task *t = task_current();
	struct proc *p = t->proc;

	(void)ticks;
	if (task_is_idle(t)) {
		cpu_times.idle++;
		return;
	}
	if (!p || !t->stack.top) {
		cpu_times.system++; /* a kernel task */
		return;
	}
	if (trap_frame_user(t->stack.top)->vector == T_IRQ0) {
		p->res.utime++;
		cpu_times.user++;
	} else {
		p->res.stime++;
		cpu_times.system++;
	}
}

int64_t sys_boot_epoch(void)
{
	return boot_epoch;
}

void sys_time_init(void)
{
	boot_epoch = rtc_read_epoch() - (int64_t)(timer_uptime_us() / USEC_PER_SEC);
	timer_set_wall(boot_epoch);
	if (timer_add_hook(sys_time_tick) < 0)
		pr_warn("sys_time: no timer hook slot: CPU times stay 0\n");
}
