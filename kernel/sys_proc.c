/*
 * sys_proc: process system calls — exit, exit_group, fork, vfork, clone, execve, wait4,
 * waitpid, getpid, getppid, gettid, getpgid, getpgrp, setpgid, getsid, setsid,
 * set_tid_address, set_thread_area, sched_yield. The work is in sched/proc.c and
 * sched/exec.c; these check and copy the arguments (Linux's argument order and errors). The
 * signal calls are in kernel/sys_signal.c.
 */
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "x86/task_arch.h"

/* Linux i386 numbers of the calls added here (arch/x86/entry/syscalls/syscall_32.tbl). */
#define __NR_waitpid 7
#define __NR_setpgid 57
#define __NR_getpgrp 65
#define __NR_setsid  66
#define __NR_getpgid 132
#define __NR_getsid  147

#define CLONE_SUPPORTED                                                                            \
	(CLONE_EXIT_SIGNAL | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID)
#define WUNTRACED     2u
#define WCONTINUED    8u
#define __WNOTHREAD   0x20000000u
#define __WALL        0x40000000u
#define __WCLONE      0x80000000u
#define WAIT4_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)
#define RUSAGE_BYTES  72u /* struct rusage on i386: 18 longs */

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

/*
 * wait4(pid, status*, options, rusage*) as Linux's kernel_wait4: the child is collected
 * first; a status or rusage pointer that cannot be written then gives EFAULT (the child is
 * gone all the same). The rusage is all zeros (no accounting yet).
 */
static long do_wait4(int pid, uint32_t ustatus, uint32_t options, uint32_t urusage)
{
	int status = 0;
	int rc;

	if (options & ~WAIT4_OPTIONS)
		return -EINVAL;
	if (pid == INT32_MIN) /* -INT_MIN is no group */
		return -ESRCH;
	rc = proc_wait4(pid, &status, options);
	if (rc > 0 && ustatus && put_user_u32((void *)ustatus, (uint32_t)status) < 0)
		return -EFAULT;
	if (rc > 0 && urusage && clear_user((void *)urusage, RUSAGE_BYTES) < 0)
		return -EFAULT;
	return rc;
}

SYSCALL_DEFINE(wait4)
{
	return do_wait4((int)a1, a2, a3, a4);
}

/* waitpid(pid, status*, options): wait4 without the rusage. */
SYSCALL_DEFINE(waitpid)
{
	return do_wait4((int)a1, a2, a3, 0);
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
	return proc_getppid(proc_current());
}

SYSCALL_DEFINE(getpgid)
{
	return proc_getpgid((int)a1);
}

SYSCALL_DEFINE(getpgrp)
{
	return proc_getpgid(0);
}

SYSCALL_DEFINE(setpgid)
{
	return proc_setpgid((int)a1, (int)a2);
}

SYSCALL_DEFINE(getsid)
{
	return proc_getsid((int)a1);
}

SYSCALL_DEFINE(setsid)
{
	return proc_setsid();
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

SYSCALL_DEFINE(sched_yield)
{
	task_yield();
	return 0;
}
