/*
 * sys_proc: process system calls — exit, exit_group, fork, vfork, clone, execve, wait4,
 * getpid, getppid, gettid, set_tid_address, set_thread_area, kill, tkill, tgkill,
 * rt_sigaction, rt_sigprocmask, sched_yield. The work is in sched/proc.c and sched/exec.c;
 * these check and copy the arguments (Linux's argument order and errors).
 */
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "x86/task_arch.h"

#define CLONE_SUPPORTED                                                                            \
	(CLONE_EXIT_SIGNAL | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID)
#define WAIT_OPTIONS_OK 0x6000000Fu /* WNOHANG WUNTRACED WEXITED? WCONTINUED __WALL __WCLONE */
#define RUSAGE_BYTES    72u         /* struct rusage on i386: 18 longs */
#define SIGSET_BYTES    8u          /* the kernel's sigset_t */
#define SIG_BLOCK       0
#define SIG_UNBLOCK     1
#define SIG_SETMASK     2
#define SIG_UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

/* struct sigaction as the i386 kernel takes it (rt_sigaction). */
struct k_sigaction {
	uint32_t handler, flags, restorer;
	uint64_t mask;
};

SYSCALL_DEFINE(exit)
{
	proc_exit(W_EXITCODE(a1));
}

SYSCALL_DEFINE(exit_group)
{
	proc_exit(W_EXITCODE(a1));
}

SYSCALL_DEFINE(fork)
{
	return proc_fork(tf, SIGCHLD, 0, 0, 0);
}

SYSCALL_DEFINE(vfork)
{
	return proc_fork(tf, SIGCHLD, 0, 0,
	                 0); /* a full copy: vfork's sharing is an optimisation */
}

/* clone(flags, newsp, parent_tidptr, tls, child_tidptr): fork-like flags only (no threads). */
SYSCALL_DEFINE(clone)
{
	if (a1 & ~CLONE_SUPPORTED)
		return -EINVAL;
	return proc_fork(tf, a1, a2, a3, a5);
}

SYSCALL_DEFINE(execve)
{
	return proc_execve(tf, a1, a2, a3);
}

/* wait4(pid, status*, options, rusage*) */
SYSCALL_DEFINE(wait4)
{
	int status = 0;
	int pid;

	if (a3 & ~WAIT_OPTIONS_OK)
		return -EINVAL;
	if (a4 && clear_user((void *)a4, RUSAGE_BYTES) < 0)
		return -EFAULT;
	if (a2 && !user_range_ok(a2, sizeof(uint32_t)))
		return -EFAULT;
	pid = proc_wait4((int)a1, &status, a3);
	if (pid > 0 && a2 && put_user_u32((void *)a2, (uint32_t)status) < 0)
		return -EFAULT;
	return pid;
}

SYSCALL_DEFINE(getpid)
{
	return proc_current()->pid;
}

SYSCALL_DEFINE(gettid)
{
	return proc_current()->pid; /* one task per process: tid = pid */
}

SYSCALL_DEFINE(getppid)
{
	struct proc *parent = proc_current()->parent;

	return parent ? parent->pid : 0;
}

SYSCALL_DEFINE(set_tid_address)
{
	struct proc *p = proc_current();

	p->clear_child_tid = a1;
	return p->pid;
}

SYSCALL_DEFINE(set_thread_area)
{
	struct user_desc u;
	int rc;

	if (copy_from_user(&u, (const void *)a1, sizeof(u)) < 0)
		return -EFAULT;
	rc = tls_set_thread_area(proc_current()->arch, &u, true);
	if (rc < 0)
		return rc;
	if (put_user_u32((void *)a1, u.entry_number) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(kill)
{
	return proc_kill((int)a1, (int)a2);
}

SYSCALL_DEFINE(tkill)
{
	if ((int)a1 <= 0)
		return -EINVAL;
	return proc_kill((int)a1, (int)a2);
}

/* tgkill(tgid, tid, sig): one task per process, so tid must equal tgid. */
SYSCALL_DEFINE(tgkill)
{
	if ((int)a1 <= 0 || (int)a2 <= 0)
		return -EINVAL;
	if (a1 != a2) {
		if ((int)a3 < 0 || (int)a3 > NSIG_LINUX)
			return -EINVAL;
		return -ESRCH;
	}
	return proc_kill((int)a1, (int)a3);
}

/* rt_sigaction(sig, act, oact, sigsetsize): recorded, not delivered (include/sched/proc.h). */
SYSCALL_DEFINE(rt_sigaction)
{
	struct proc *p = proc_current();
	int sig = (int)a1;
	struct k_sigaction act, old;

	if (a4 != SIGSET_BYTES || sig < 1 || sig > NSIG_LINUX)
		return -EINVAL;
	if (a2 && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	memset(&old, 0, sizeof(old));
	old.handler = p->sig_handler[sig];
	if (a2 && copy_from_user(&act, (const void *)a2, sizeof(act)) < 0)
		return -EFAULT;
	if (a3 && copy_to_user((void *)a3, &old, sizeof(old)) < 0)
		return -EFAULT;
	if (a2)
		p->sig_handler[sig] = act.handler;
	return 0;
}

/* rt_sigprocmask(how, set, oset, sigsetsize): the mask is recorded only. */
SYSCALL_DEFINE(rt_sigprocmask)
{
	struct proc *p = proc_current();
	uint64_t set, old = p->sigmask;

	if (a4 != SIGSET_BYTES)
		return -EINVAL;
	if (a2) {
		if (copy_from_user(&set, (const void *)a2, sizeof(set)) < 0)
			return -EFAULT;
		set &= ~SIG_UNBLOCKABLE;
		if (a1 == SIG_BLOCK)
			p->sigmask |= set;
		else if (a1 == SIG_UNBLOCK)
			p->sigmask &= ~set;
		else if (a1 == SIG_SETMASK)
			p->sigmask = set;
		else
			return -EINVAL;
	}
	if (a3 && copy_to_user((void *)a3, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(sched_yield)
{
	task_yield();
	return 0;
}
