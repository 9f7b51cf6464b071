/*
 * sys_poll: waiting for descriptors — poll, ppoll, ppoll_time64, select (the old one-argument
 * form), _newselect, pselect6, pselect6_time64, as Linux 6.1's fs/select.c.
 *
 * One loop serves all: note the poll sequence (include/fs/poll.h), ask every descriptor's
 * file what it is ready for, return if something is (or the timeout is 0 or has passed),
 * -EINTR if a signal is deliverable, else sleep until a file type notifies, a signal wakes the
 * task, or the time is up, and look again. Regular files, directories, /proc files and
 * /dev/null are always ready; pipes and the console say.
 *
 * Linux's rules kept: poll ignores negative descriptors and reports POLLNVAL for closed ones
 * (counted), returns POLLERR/POLLHUP whatever was asked, EINVAL past RLIMIT_NOFILE; select
 * takes nfds up to the table's size (higher bits ignored), EBADF for a closed descriptor in a
 * set, zeroes the sets on a timeout, EINVAL for a negative nfds or time; the timed forms write
 * the time left back (a fault there is ignored, as Linux does); ppoll and pselect6 wait with
 * the given signal mask (EINVAL unless its size is 8) and restore the caller's afterwards.
 * Until signal handlers run, a signal that arrives under the temporary mask ends the call with
 * EINTR and is then held by the restored mask if that blocks it.
 */
#include "fs/fdtable.h"
#include "fs/poll.h"
#include "kernel/syscall.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/signal.h"
#include "x86/timer.h"

#define __NR_select          82
#define __NR__newselect      142
#define __NR_poll            168
#define __NR_pselect6        308
#define __NR_ppoll           309
#define __NR_pselect6_time64 413
#define __NR_ppoll_time64    414

#define USEC_PER_MSEC  1000
#define USEC_PER_SEC   1000000
#define NSEC_PER_USEC  1000
#define NSEC_PER_SEC   1000000000
#define SIGSET_BYTES   8u
#define NO_TIMEOUT     (-1) /* timeouts in microseconds; this one waits for ever */
#define FD_BITS        32u  /* bits in an fd_set word (a long on i386) */
#define POLLIN_SET     (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET    (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET     POLLPRI
#define MAX_TIMEOUT_US ((int64_t)1 << 62)

struct pollfd_linux {
	int32_t fd;
	int16_t events, revents;
};

struct timeval_linux {
	int32_t sec, usec;
};
struct timespec32_linux {
	int32_t sec, nsec;
};
struct timespec64_linux { /* __kernel_timespec: the high half of nsec is ignored on i386 */
	int64_t sec;
	int32_t nsec, pad;
};

/* ---- the wait ------------------------------------------------------------------------------ */

/*
 * Call @scan(@ctx) until it finds something (> 0), fails (< 0), @timeout_us passes
 * (NO_TIMEOUT: never) or a signal is deliverable (-EINTR). Returns what scan returned last
 * (0 on a timeout); the time left in *@left_us (0 when it ran out).
 */
static long wait_ready(long (*scan)(void *ctx), void *ctx, int64_t timeout_us, int64_t *left_us)
{
	int64_t deadline = timeout_us < 0 ? NO_TIMEOUT : (int64_t)timer_uptime_us() + timeout_us;
	long n;

	for (;;) {
		uint32_t seq = poll_seq();
		int64_t now;
		n = scan(ctx);
		now = (int64_t)timer_uptime_us();
		if (n != 0 || timeout_us == 0 || (deadline >= 0 && now >= deadline))
			break;
		if (proc_signal_pending()) {
			n = -EINTR;
			break;
		}
		poll_wait_since(seq, deadline < 0 ? NO_TIMEOUT : deadline - now);
	}
	if (left_us) {
		int64_t now = (int64_t)timer_uptime_us();
		*left_us = deadline < 0 ? NO_TIMEOUT : deadline > now ? deadline - now : 0;
	}
	return n;
}

/* The readiness of descriptor @fd of @t, or -EBADF. */
static long fd_poll(struct fdtable *t, int fd)
{
	struct file *f = t ? fd_get(t, fd) : NULL;

	if (!f)
		return -EBADF;
	uint32_t mask = file_poll(f);
	file_put(f);
	return (long)mask;
}

/* ---- poll ---------------------------------------------------------------------------------- */

struct poll_ctx {
	struct fdtable *t;
	struct pollfd_linux *fds;
	uint32_t n;
};

static long poll_scan(void *ctx)
{
	struct poll_ctx *pc = ctx;
	long count = 0;

	for (uint32_t i = 0; i < pc->n; i++) {
		struct pollfd_linux *p = &pc->fds[i];
		p->revents = 0;
		if (p->fd < 0)
			continue;
		long mask = fd_poll(pc->t, p->fd);
		if (mask < 0)
			p->revents = POLLNVAL;
		else
			p->revents =
			    (int16_t)((uint32_t)mask & ((uint16_t)p->events | POLLERR | POLLHUP));
		count += p->revents != 0;
	}
	return count;
}

/*
 * poll on the user array @ufds of @nfds entries for @timeout_us. Returns the count of
 * entries with events, 0 on a timeout, -EINVAL, -EFAULT, -ENOMEM, -EINTR; revents are written
 * back in every case but a failed copy in.
 */
static long do_poll(uint32_t ufds, uint32_t nfds, int64_t timeout_us, int64_t *left_us)
{
	struct poll_ctx pc = { .t = fdtable_current(), .n = nfds };
	size_t bytes = (size_t)nfds * sizeof(struct pollfd_linux);
	long rc;

	if (!pc.t || nfds > pc.t->limit)
		return -EINVAL;
	if (nfds) {
		pc.fds = kmalloc(bytes, KM_KERNEL);
		if (!pc.fds)
			return -ENOMEM;
		if (copy_from_user(pc.fds, (const void *)ufds, bytes) < 0) {
			kfree(pc.fds);
			return -EFAULT;
		}
	}
	rc = wait_ready(poll_scan, &pc, timeout_us, left_us);
	for (uint32_t i = 0; i < nfds; i++) {
		uint32_t at = ufds + i * (uint32_t)sizeof(struct pollfd_linux) +
		              (uint32_t)offsetof(struct pollfd_linux, revents);
		if (copy_to_user((void *)at, &pc.fds[i].revents, sizeof(int16_t)) < 0) {
			rc = -EFAULT;
			break;
		}
	}
	if (pc.fds)
		kfree(pc.fds);
	return rc;
}

/* A timespec (32- or 64-bit) at @uts as microseconds, rounded up; -EFAULT, -EINVAL. */
static long get_timespec_us(uint32_t uts, bool t64, int64_t *us)
{
	int64_t sec;
	int32_t nsec;

	if (t64) {
		struct timespec64_linux ts;
		if (copy_from_user(&ts, (const void *)uts, sizeof(ts)) < 0)
			return -EFAULT;
		sec = ts.sec;
		nsec = ts.nsec;
	} else {
		struct timespec32_linux ts;
		if (copy_from_user(&ts, (const void *)uts, sizeof(ts)) < 0)
			return -EFAULT;
		sec = ts.sec;
		nsec = ts.nsec;
	}
	if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*us = sec > MAX_TIMEOUT_US / USEC_PER_SEC
	          ? MAX_TIMEOUT_US
	          : sec * USEC_PER_SEC + (nsec + NSEC_PER_USEC - 1) / NSEC_PER_USEC;
	return 0;
}

/* Write the time left @us back as a timespec at @uts (a fault is ignored, as Linux). */
static void put_timespec_left(uint32_t uts, bool t64, int64_t us)
{
	if (us < 0)
		return;
	if (t64) {
		struct timespec64_linux ts = { us / USEC_PER_SEC,
			                       (int32_t)(us % USEC_PER_SEC) * NSEC_PER_USEC, 0 };
		(void)copy_to_user((void *)uts, &ts, sizeof(ts));
	} else {
		struct timespec32_linux ts = { (int32_t)(us / USEC_PER_SEC),
			                       (int32_t)(us % USEC_PER_SEC) * NSEC_PER_USEC };
		(void)copy_to_user((void *)uts, &ts, sizeof(ts));
	}
}

/* The signal mask at @uset of @size bytes (NULL: none, *@have false). -EINVAL, -EFAULT. */
static long get_sigmask(uint32_t uset, uint32_t size, uint64_t *set, bool *have)
{
	*have = uset != 0;
	if (!uset)
		return 0;
	if (size != SIGSET_BYTES)
		return -EINVAL;
	return copy_from_user(set, (const void *)uset, sizeof(*set)) < 0 ? -EFAULT : 0;
}

/*
 * ppoll's and pselect6's mask: block @set instead of the caller's mask while waiting
 * (mask_begin), then restore the caller's (mask_end). Linux keeps the temporary mask until the
 * handler of the signal that ended the wait (-EINTR) has its frame (restore_saved_sigmask_unless):
 * with the signal code's saved mask (rt_sigsuspend's) mask_end does the same on -EINTR.
 */
static void mask_begin(const uint64_t *set, uint64_t *old)
{
	proc_sigmask(SIG_SETMASK, set, old);
}

static void mask_end(const uint64_t *old, long rc)
{
	if (rc == -EINTR)
		signal_restore_mask_later(*old); /* the handler runs under the temporary mask */
	else
		proc_sigmask(SIG_SETMASK, old, NULL);
}

/* poll(fds, nfds, timeout in ms; negative: for ever) */
SYSCALL_DEFINE(poll)
{
	int32_t ms = (int32_t)a3;

	return do_poll(a1, a2, ms < 0 ? NO_TIMEOUT : (int64_t)ms * USEC_PER_MSEC, NULL);
}

/* ppoll(fds, nfds, tsp, sigmask, sigsetsize) with a 32- or 64-bit timespec. */
static long do_ppoll(uint32_t ufds, uint32_t nfds, uint32_t uts, uint32_t uset, uint32_t size,
                     bool t64)
{
	int64_t timeout = NO_TIMEOUT, left;
	uint64_t set, old;
	bool have;
	long rc;

	if (uts && (rc = get_timespec_us(uts, t64, &timeout)) < 0)
		return rc;
	if ((rc = get_sigmask(uset, size, &set, &have)) < 0)
		return rc;
	if (have)
		mask_begin(&set, &old);
	rc = do_poll(ufds, nfds, timeout, &left);
	if (have)
		mask_end(&old, rc);
	if (uts)
		put_timespec_left(uts, t64, left);
	return rc;
}

SYSCALL_DEFINE(ppoll)
{
	return do_ppoll(a1, a2, a3, a4, a5, false);
}

SYSCALL_DEFINE(ppoll_time64)
{
	return do_ppoll(a1, a2, a3, a4, a5, true);
}

/* ---- select -------------------------------------------------------------------------------- */

struct select_ctx {
	struct fdtable *t;
	uint32_t n, words;
	uint32_t *in, *out, *ex;             /* the sets asked (zeros for a NULL pointer) */
	uint32_t *res_in, *res_out, *res_ex; /* what is ready */
};

static long select_scan(void *ctx)
{
	struct select_ctx *sc = ctx;
	long count = 0;

	memset(sc->res_in, 0, 3 * sc->words * sizeof(uint32_t));
	for (uint32_t fd = 0; fd < sc->n; fd++) {
		uint32_t w = fd / FD_BITS, bit = 1u << (fd % FD_BITS);
		if (!((sc->in[w] | sc->out[w] | sc->ex[w]) & bit))
			continue;
		long mask = fd_poll(sc->t, (int)fd);
		if (mask < 0)
			return mask;
		if ((sc->in[w] & bit) && ((uint32_t)mask & POLLIN_SET)) {
			sc->res_in[w] |= bit;
			count++;
		}
		if ((sc->out[w] & bit) && ((uint32_t)mask & POLLOUT_SET)) {
			sc->res_out[w] |= bit;
			count++;
		}
		if ((sc->ex[w] & bit) && ((uint32_t)mask & POLLEX_SET)) {
			sc->res_ex[w] |= bit;
			count++;
		}
	}
	return count;
}

/*
 * select on the user sets @uin, @uout, @uex (0: none) of @n descriptors for @timeout_us.
 * Returns the count of ready bits (the sets rewritten to them), 0 on a timeout (sets
 * zeroed), -EINVAL, -EBADF, -EFAULT, -ENOMEM, -EINTR (sets untouched).
 */
static long do_select(int32_t n, uint32_t uin, uint32_t uout, uint32_t uex, int64_t timeout_us,
                      int64_t *left_us)
{
	struct select_ctx sc = { .t = fdtable_current() };
	const uint32_t user[3] = { uin, uout, uex };
	long rc;

	if (n < 0)
		return -EINVAL;
	if (!sc.t)
		return -ENOMEM;
	sc.n = MIN((uint32_t)n, sc.t->capacity);
	sc.words = (sc.n + FD_BITS - 1) / FD_BITS;
	size_t bytes = sc.words * sizeof(uint32_t);
	uint32_t *mem = kzalloc(6 * bytes + 1, KM_KERNEL);
	if (!mem)
		return -ENOMEM;
	uint32_t *sets[6];
	for (int i = 0; i < 6; i++)
		sets[i] = mem + i * sc.words;
	sc.in = sets[0], sc.out = sets[1], sc.ex = sets[2];
	sc.res_in = sets[3], sc.res_out = sets[4], sc.res_ex = sets[5];
	for (int i = 0; i < 3; i++) {
		if (user[i] && bytes && copy_from_user(sets[i], (const void *)user[i], bytes) < 0) {
			kfree(mem);
			return -EFAULT;
		}
	}
	rc = wait_ready(select_scan, &sc, timeout_us, left_us);
	for (int i = 0; rc >= 0 && i < 3; i++) {
		if (user[i] && bytes && copy_to_user((void *)user[i], sets[3 + i], bytes) < 0)
			rc = -EFAULT;
	}
	kfree(mem);
	return rc;
}

/* select's struct timeval at @utv as microseconds (usec past a second carries, as Linux).
 * -EFAULT, -EINVAL (negative). */
static long get_timeval_us(uint32_t utv, int64_t *us)
{
	struct timeval_linux tv;

	if (copy_from_user(&tv, (const void *)utv, sizeof(tv)) < 0)
		return -EFAULT;
	if (tv.sec < 0 || tv.usec < 0)
		return -EINVAL;
	*us = (int64_t)tv.sec * USEC_PER_SEC + tv.usec;
	return 0;
}

/* select(n, in, out, ex, tvp) with a struct timeval; the time left written back. */
static long select_timeval(uint32_t n, uint32_t in, uint32_t out, uint32_t ex, uint32_t utv)
{
	int64_t timeout = NO_TIMEOUT, left;
	long rc;

	if (utv && (rc = get_timeval_us(utv, &timeout)) < 0)
		return rc;
	rc = do_select((int32_t)n, in, out, ex, timeout, &left);
	if (utv && left >= 0) {
		struct timeval_linux tv = { (int32_t)(left / USEC_PER_SEC),
			                    (int32_t)(left % USEC_PER_SEC) };
		(void)copy_to_user((void *)utv, &tv, sizeof(tv));
	}
	return rc;
}

SYSCALL_DEFINE(_newselect)
{
	return select_timeval(a1, a2, a3, a4, a5);
}

/* The old select(2) of i386: one pointer to { n, in, out, ex, tvp }. */
SYSCALL_DEFINE(select)
{
	uint32_t args[5];

	if (copy_from_user(args, (const void *)a1, sizeof(args)) < 0)
		return -EFAULT;
	return select_timeval(args[0], args[1], args[2], args[3], args[4]);
}

/* pselect6(n, in, out, ex, tsp, { sigset pointer, its size }) with a 32- or 64-bit timespec. */
static long do_pselect6(uint32_t n, uint32_t in, uint32_t out, uint32_t ex, uint32_t uts,
                        uint32_t usig, bool t64)
{
	int64_t timeout = NO_TIMEOUT, left;
	uint32_t pack[2] = { 0, 0 };
	uint64_t set, old;
	bool have;
	long rc;

	if (uts && (rc = get_timespec_us(uts, t64, &timeout)) < 0)
		return rc;
	if (usig && copy_from_user(pack, (const void *)usig, sizeof(pack)) < 0)
		return -EFAULT;
	if ((rc = get_sigmask(pack[0], pack[1], &set, &have)) < 0)
		return rc;
	if (have)
		mask_begin(&set, &old);
	rc = do_select((int32_t)n, in, out, ex, timeout, &left);
	if (have)
		mask_end(&old, rc);
	if (uts)
		put_timespec_left(uts, t64, left);
	return rc;
}

SYSCALL_DEFINE(pselect6)
{
	return do_pselect6(a1, a2, a3, a4, a5, a6, false);
}

SYSCALL_DEFINE(pselect6_time64)
{
	return do_pselect6(a1, a2, a3, a4, a5, a6, true);
}
