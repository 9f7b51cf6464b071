/*
 * sys_signal: the signal system calls — kill, tkill, tgkill, rt_sigaction, rt_sigprocmask,
 * rt_sigpending, sigpending, pause, rt_sigsuspend, rt_sigtimedwait (and its time64 twin),
 * sigaltstack, sigreturn, rt_sigreturn. The work is in sched/signal.c, sched/signal_frame.c
 * and sched/proc.c (kill's targets); these check and copy the arguments in Linux's order with
 * Linux's errors.
 */
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/signal.h"

/* Linux i386 numbers of the calls added here (arch/x86/entry/syscalls/syscall_32.tbl). */
#define __NR_pause                  29
#define __NR_sigpending             73
#define __NR_sigreturn              119
#define __NR_rt_sigreturn           173
#define __NR_rt_sigpending          176
#define __NR_rt_sigtimedwait        177
#define __NR_rt_sigsuspend          179
#define __NR_sigaltstack            186
#define __NR_rt_sigtimedwait_time64 421

#define SIGSET_BYTES    8u            /* the kernel's sigset_t */
#define OLD_SIGSET_MASK 0xFFFFFFFFull /* sigpending(2): the first 32 signals */
#define SIGINFO_BYTES   128u
#define NSEC_PER_SEC    1000000000ll
#define NO_TIMEOUT      UINT64_MAX

SYSCALL_DEFINE(kill)
{
	return proc_kill_user((int)a1, (int)a2);
}

/* tkill(tid, sig): one task per process, so a tid is a pid. */
SYSCALL_DEFINE(tkill)
{
	if ((int)a1 <= 0)
		return -EINVAL;
	return proc_tkill_user((int)a1, (int)a2);
}

/* tgkill(tgid, tid, sig): the tid must be a thread of tgid (here: the same number). */
SYSCALL_DEFINE(tgkill)
{
	if ((int)a1 <= 0 || (int)a2 <= 0)
		return -EINVAL;
	if (a1 != a2)
		return -ESRCH;
	return proc_tkill_user((int)a1, (int)a3);
}

/*
 * rt_sigaction(sig, act, oact, sigsetsize), in Linux's order: EINVAL for the size, EFAULT
 * reading act (nothing changed), EINVAL for the signal, then the old action is written
 * (EFAULT there comes after the change, as on Linux).
 */
SYSCALL_DEFINE(rt_sigaction)
{
	struct sig_action act, old;
	int rc;

	if (a4 != SIGSET_BYTES)
		return -EINVAL;
	if (a2 && copy_from_user(&act, (const void *)a2, sizeof(act)) < 0)
		return -EFAULT;
	rc = proc_sigaction((int)a1, a2 ? &act : NULL, &old);
	if (rc == 0 && a3 && copy_to_user((void *)a3, &old, sizeof(old)) < 0)
		return -EFAULT;
	return rc;
}

/* rt_sigprocmask(how, set, oset, sigsetsize), in Linux's order (see rt_sigaction). */
SYSCALL_DEFINE(rt_sigprocmask)
{
	uint64_t set, old;
	int rc;

	if (a4 != SIGSET_BYTES)
		return -EINVAL;
	if (a2 && copy_from_user(&set, (const void *)a2, sizeof(set)) < 0)
		return -EFAULT;
	rc = proc_sigmask((int)a1, a2 ? &set : NULL, &old);
	if (rc == 0 && a3 && copy_to_user((void *)a3, &old, sizeof(old)) < 0)
		return -EFAULT;
	return rc;
}

/* rt_sigpending(set, sigsetsize): blocked signals that are pending. */
SYSCALL_DEFINE(rt_sigpending)
{
	uint64_t set = proc_sigpending();

	if (a2 > SIGSET_BYTES)
		return -EINVAL;
	return copy_to_user((void *)a1, &set, a2) < 0 ? -EFAULT : 0;
}

/* sigpending(old_sigset_t *): the first 32 signals of rt_sigpending. */
SYSCALL_DEFINE(sigpending)
{
	uint32_t set = (uint32_t)(proc_sigpending() & OLD_SIGSET_MASK);

	return copy_to_user((void *)a1, &set, sizeof(set)) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(pause)
{
	return proc_pause();
}

/* rt_sigsuspend(mask, sigsetsize): wait for a handler with @mask blocked; always -EINTR. */
SYSCALL_DEFINE(rt_sigsuspend)
{
	uint64_t mask;

	if (a2 != SIGSET_BYTES)
		return -EINVAL;
	if (copy_from_user(&mask, (const void *)a1, sizeof(mask)) < 0)
		return -EFAULT;
	return signal_suspend(mask);
}

/*
 * rt_sigtimedwait(set, info, timeout, sigsetsize) with a 32-bit (@ts64 false) or 64-bit
 * timespec: the signal taken, its siginfo at @info (if non-NULL); -EAGAIN at the timeout,
 * -EINTR, -EINVAL (size, timeout), -EFAULT.
 */
static long do_sigtimedwait(uint32_t uset, uint32_t uinfo, uint32_t uts, uint32_t size, bool ts64)
{
	uint64_t set, timeout = NO_TIMEOUT;
	struct ksiginfo info;
	int64_t sec, nsec;
	int sig;

	if (size != SIGSET_BYTES)
		return -EINVAL;
	if (copy_from_user(&set, (const void *)uset, sizeof(set)) < 0)
		return -EFAULT;
	if (uts) {
		if (ts64) {
			int64_t ts[2];
			if (copy_from_user(ts, (const void *)uts, sizeof(ts)) < 0)
				return -EFAULT;
			sec = ts[0];
			nsec = ts[1];
		} else {
			int32_t ts[2];
			if (copy_from_user(ts, (const void *)uts, sizeof(ts)) < 0)
				return -EFAULT;
			sec = ts[0];
			nsec = ts[1];
		}
		if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
			return -EINVAL;
		timeout = (uint64_t)sec * (uint64_t)NSEC_PER_SEC + (uint64_t)nsec;
	}
	sig = signal_timedwait(set, &info, timeout);
	if (sig > 0 && uinfo) {
		uint8_t out[SIGINFO_BYTES];
		siginfo_to_user_layout(out, sig, &info);
		if (copy_to_user((void *)uinfo, out, sizeof(out)) < 0)
			return -EFAULT;
	}
	return sig;
}

SYSCALL_DEFINE(rt_sigtimedwait)
{
	return do_sigtimedwait(a1, a2, a3, a4, false);
}

SYSCALL_DEFINE(rt_sigtimedwait_time64)
{
	return do_sigtimedwait(a1, a2, a3, a4, true);
}

/* sigaltstack(ss, old_ss): Linux's order: the new stack is read, applied, then the old one
 * written (EFAULT after the change). */
SYSCALL_DEFINE(sigaltstack)
{
	struct user_stack ss, old;
	int rc;

	if (a1 && copy_from_user(&ss, (const void *)a1, sizeof(ss)) < 0)
		return -EFAULT;
	rc = signal_altstack(a1 ? &ss : NULL, &old, tf->user_esp);
	if (rc == 0 && a2 && copy_to_user((void *)a2, &old, sizeof(old)) < 0)
		return -EFAULT;
	return rc;
}

/* sigreturn(): back from a handler installed without SA_SIGINFO; returns the restored eax. */
SYSCALL_DEFINE(sigreturn)
{
	return sigframe_return(tf, false);
}

/* rt_sigreturn(): back from an SA_SIGINFO handler. */
SYSCALL_DEFINE(rt_sigreturn)
{
	return sigframe_return(tf, true);
}
