/*
 * resource: a process's resource limits, CPU times and nice value (struct proc.res), as
 * Linux keeps them in signal_struct on i386.
 *
 * Limits: one soft/hard pair per resource, held as Linux holds them on a 32-bit kernel
 * (unsigned long, RLIM_INFINITY = 0xFFFFFFFF; prlimit64 converts to and from 64 bits). The
 * defaults are Linux 6.1's for init (INIT_RLIMITS): RLIMIT_STACK 8 MiB soft / unlimited
 * hard, RLIMIT_NOFILE 1024 / 4096, RLIMIT_CORE 0 / unlimited, RLIMIT_MEMLOCK 8 MiB,
 * RLIMIT_MSGQUEUE 819200, RLIMIT_NICE/RTPRIO 0, NPROC and SIGPENDING the number of task
 * slots (Linux: half its thread limit), the rest unlimited. A process the kernel starts gets
 * the defaults; fork copies the parent's; exec keeps them. Strata records every limit and
 * enforces the memory ones as Linux: RLIMIT_AS and RLIMIT_DATA (include/mm/vm.h, Limits: read
 * at each memory call), RLIMIT_STACK on the stack's growth (within the USER_STACK_MAX area, so
 * a limit above 8 MiB grows no further); RLIMIT_NPROC binds no one (every process is root,
 * which Linux exempts); the others are not enforced yet.
 *
 * CPU times: ticks (1/HZ s), sampled by the timer tick (kernel/sys_time.c): a tick that
 * interrupts ring 3 is user time, one that finds the process in the kernel (a system call,
 * a page fault) system time. cutime/cstime add up the times of the children this process
 * waited for, with their own c-times, as Linux's wait does.
 *
 * Locking: utime/stime change in the tick (interrupt context); read them with interrupts
 * off (64-bit values on a 32-bit CPU). The rest changes only in system calls of the process
 * itself or (prlimit64, setpriority on another pid) with interrupts off.
 */
#ifndef STRATA_SCHED_RESOURCE_H
#define STRATA_SCHED_RESOURCE_H

#include <stdint.h>

#include "mm/layout.h"
#include "sched/task.h"

/* Linux's resource numbers (include/uapi/asm-generic/resource.h). */
#define RLIMIT_CPU        0
#define RLIMIT_FSIZE      1
#define RLIMIT_DATA       2
#define RLIMIT_STACK      3
#define RLIMIT_CORE       4
#define RLIMIT_RSS        5
#define RLIMIT_NPROC      6
#define RLIMIT_NOFILE     7
#define RLIMIT_MEMLOCK    8
#define RLIMIT_AS         9
#define RLIMIT_LOCKS      10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE   12
#define RLIMIT_NICE       13
#define RLIMIT_RTPRIO     14
#define RLIMIT_RTTIME     15
#define RLIM_NLIMITS      16

#define RLIM_INFINITY      0xFFFFFFFFu /* i386: ~0UL */
#define RLIM_NOFILE_CUR    1024u       /* INR_OPEN_CUR */
#define RLIM_NOFILE_MAX    4096u       /* INR_OPEN_MAX */
#define RLIM_MEMLOCK_BYTES 0x00800000u /* MLOCK_LIMIT: 8 MiB */
#define RLIM_MSGQUEUE_MAX  819200u     /* MQ_BYTES_MAX */

#define NICE_MIN (-20)
#define NICE_MAX 19

struct rlimit_pair {
	uint32_t cur, max; /* soft, hard; RLIM_INFINITY: no limit */
};

struct proc_res {
	struct rlimit_pair rlim[RLIM_NLIMITS];
	uint64_t utime, stime;   /* ticks of this process (user, system) */
	uint64_t cutime, cstime; /* ticks of the children it waited for */
	int nice;                /* NICE_MIN..NICE_MAX (recorded; the scheduler ignores it) */
};

/* The limits, times and nice value of a process the kernel starts (Linux's init). */
static inline void proc_res_init(struct proc_res *r)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		r->rlim[i].cur = r->rlim[i].max = RLIM_INFINITY;
	r->rlim[RLIMIT_STACK].cur = USER_STACK_MAX;
	r->rlim[RLIMIT_CORE].cur = 0;
	r->rlim[RLIMIT_NPROC].cur = r->rlim[RLIMIT_NPROC].max = TASK_MAX;
	r->rlim[RLIMIT_NOFILE].cur = RLIM_NOFILE_CUR;
	r->rlim[RLIMIT_NOFILE].max = RLIM_NOFILE_MAX;
	r->rlim[RLIMIT_MEMLOCK].cur = r->rlim[RLIMIT_MEMLOCK].max = RLIM_MEMLOCK_BYTES;
	r->rlim[RLIMIT_SIGPENDING].cur = r->rlim[RLIMIT_SIGPENDING].max = TASK_MAX;
	r->rlim[RLIMIT_MSGQUEUE].cur = r->rlim[RLIMIT_MSGQUEUE].max = RLIM_MSGQUEUE_MAX;
	r->rlim[RLIMIT_NICE].cur = r->rlim[RLIMIT_NICE].max = 0;
	r->rlim[RLIMIT_RTPRIO].cur = r->rlim[RLIMIT_RTPRIO].max = 0;
	r->utime = r->stime = r->cutime = r->cstime = 0;
	r->nice = 0;
}

/* fork: @child inherits @parent's limits and nice value; its times start at zero. */
static inline void proc_res_fork(struct proc_res *child, const struct proc_res *parent)
{
	*child = *parent;
	child->utime = child->stime = child->cutime = child->cstime = 0;
}

/* wait4 collected @child of @parent: its times and its children's count as @parent's c-times. */
static inline void proc_res_reap(struct proc_res *parent, const struct proc_res *child)
{
	parent->cutime += child->utime + child->cutime;
	parent->cstime += child->stime + child->cstime;
}

#endif
