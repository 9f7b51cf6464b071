/*
 * sys_info: identity and system information, as Linux 6.1 i386 answers them — uname, the uid
 * and gid calls in their 16- and 32-bit forms (everyone is root: every id is 0), sysinfo
 * (real figures from the page allocator and the process list), getrandom, the resource
 * limits (getrlimit, ugetrlimit, setrlimit, prlimit64: every resource, held per process in
 * struct proc.res, include/sched/resource.h), getpriority/setpriority (a recorded nice
 * value), prctl (the process name; dumpable), set_robust_list (accepted, as Linux for one
 * thread) and reboot with Linux's magic numbers.
 *
 * Argument order and errors follow Linux's kernel/sys.c: a pointer is checked where Linux
 * copies it (prlimit64 reads the new limit before anything else and stores the old one
 * last, after the new one took effect; getresuid stores field by field), so a bad pointer
 * gives -EFAULT at the same point as on Linux.
 */
#include "kernel/qemu.h"
#include "kernel/shutdown.h"
#include "kernel/syscall.h"
#include "x86/timer.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/resource.h"
#include "sched/task.h"
#include "x86/cpu.h"
#include "x86/random.h"

/* Linux i386 numbers not in include/kernel/syscall.h. */
#define __NR_getrlimit   76
#define __NR_getpriority 96
#define __NR_setpriority 97
#define __NR_getresuid   165
#define __NR_getresgid   171
#define __NR_prctl       172
#define __NR_getresuid32 209
#define __NR_getresgid32 211

#define UTS_LEN                    65
#define LINUX_REBOOT_MAGIC1        0xFEE1DEADu
#define LINUX_REBOOT_MAGIC2        672274793u
#define LINUX_REBOOT_MAGIC2A       85072278u
#define LINUX_REBOOT_MAGIC2B       369367448u
#define LINUX_REBOOT_MAGIC2C       537993216u
#define LINUX_REBOOT_CMD_RESTART   0x01234567u
#define LINUX_REBOOT_CMD_HALT      0xCDEF0123u
#define LINUX_REBOOT_CMD_CAD_ON    0x89ABCDEFu
#define LINUX_REBOOT_CMD_CAD_OFF   0x00000000u
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321FEDCu
#define GRND_NONBLOCK              0x1u
#define GRND_RANDOM                0x2u
#define GRND_INSECURE              0x4u
#define MAX_RW_COUNT               0x7FFFF000u /* INT_MAX & PAGE_MASK: one call's cap */
#define RANDOM_CHUNK               64u
#define RLIM64_INFINITY            0xFFFFFFFFFFFFFFFFull
#define OLD_RLIM_CLAMP             0x7FFFFFFFu /* old getrlimit (76) clamps to this */
#define NR_OPEN                    1048576u    /* sysctl fs.nr_open: RLIMIT_NOFILE's ceiling */
#define PRIO_PROCESS               0
#define PRIO_PGRP                  1
#define PRIO_USER                  2
#define PRIO_BIAS                  20 /* getpriority returns 20 - nice (1..40) */
#define PR_GET_PDEATHSIG           2
#define PR_GET_DUMPABLE            3
#define PR_SET_DUMPABLE            4
#define PR_SET_NAME                15
#define PR_GET_NAME                16
#define TASK_COMM_LEN              16
#define ROBUST_LIST_HEAD_SIZE      12 /* struct robust_list_head on i386 */
#define USEC_PER_SEC               1000000u

_Static_assert(PROC_NAME_MAX >= TASK_COMM_LEN, "prctl's name fits struct proc.comm");

struct new_utsname {
	char sysname[UTS_LEN], nodename[UTS_LEN], release[UTS_LEN], version[UTS_LEN],
	    machine[UTS_LEN], domainname[UTS_LEN];
};

/* struct sysinfo on i386: 64 bytes, mem_unit at offset 52. */
struct linux_sysinfo {
	int32_t uptime;
	uint32_t loads[3];
	uint32_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t totalhigh, freehigh, mem_unit;
	char reserved[8];
};
_Static_assert(sizeof(struct linux_sysinfo) == 64, "struct sysinfo is 64 bytes on i386");

struct rlimit64 {
	uint64_t cur, max;
};

SYSCALL_DEFINE(uname)
{
	struct new_utsname u;

	memset(&u, 0, sizeof(u));
	kstrlcpy(u.sysname, UTS_SYSNAME, UTS_LEN);
	kstrlcpy(u.nodename, UTS_NODENAME, UTS_LEN);
	kstrlcpy(u.release, UTS_RELEASE, UTS_LEN);
	kstrlcpy(u.version, UTS_VERSION, UTS_LEN);
	kstrlcpy(u.machine, "i686", UTS_LEN);
	kstrlcpy(u.domainname, "(none)", UTS_LEN);
	return copy_to_user((void *)a1, &u, sizeof(u));
}

/* Every id is 0 (root), in the 16-bit and the 32-bit calls alike. */
SYSCALL_DEFINE(getuid)
{
	return 0;
}
SYSCALL_DEFINE(getgid)
{
	return 0;
}
SYSCALL_DEFINE(geteuid)
{
	return 0;
}
SYSCALL_DEFINE(getegid)
{
	return 0;
}
SYSCALL_DEFINE(getuid32)
{
	return 0;
}
SYSCALL_DEFINE(getgid32)
{
	return 0;
}
SYSCALL_DEFINE(geteuid32)
{
	return 0;
}
SYSCALL_DEFINE(getegid32)
{
	return 0;
}

/* Store three zero ids of @size bytes at @r, @e, @s one by one (Linux's put_user order). */
static long put_ids(uint32_t r, uint32_t e, uint32_t s, size_t size)
{
	static const uint32_t zero;
	const uint32_t ptrs[3] = { r, e, s };

	for (int i = 0; i < 3; i++)
		if (copy_to_user((void *)ptrs[i], &zero, size) < 0)
			return -EFAULT;
	return 0;
}

/* getresuid(ruid *, euid *, suid *) and the gid forms: 0 or -EFAULT. */
SYSCALL_DEFINE(getresuid)
{
	return put_ids(a1, a2, a3, sizeof(uint16_t));
}
SYSCALL_DEFINE(getresgid)
{
	return put_ids(a1, a2, a3, sizeof(uint16_t));
}
SYSCALL_DEFINE(getresuid32)
{
	return put_ids(a1, a2, a3, sizeof(uint32_t));
}
SYSCALL_DEFINE(getresgid32)
{
	return put_ids(a1, a2, a3, sizeof(uint32_t));
}

static void count_proc(const struct proc *p, void *ctx)
{
	(void)p;
	(*(uint32_t *)ctx)++;
}

/* sysinfo(info): 0 or -EFAULT. Memory in pages, or in bytes (mem_unit 1) when the total
 * fits in 32 bits, as Linux's do_sysinfo. */
SYSCALL_DEFINE(sysinfo)
{
	struct linux_sysinfo si;
	struct mm_meminfo mi;
	uint32_t nprocs = 0;
	uint64_t us = timer_uptime_us();
	unsigned unit = PAGE_SIZE;

	mm_meminfo(&mi);
	proc_for_each(count_proc, &nprocs);
	if (mi.total <= UINT32_MAX)
		unit = 1;
	memset(&si, 0, sizeof(si));
	si.uptime = (int32_t)((us + USEC_PER_SEC - 1) / USEC_PER_SEC); /* rounded up */
	si.mem_unit = unit;
	si.totalram = (uint32_t)(mi.total / unit);
	si.freeram = (uint32_t)(mi.free / unit);
	si.totalhigh = (uint32_t)(mi.high_total / unit);
	si.freehigh = (uint32_t)(mi.high_free / unit);
	si.procs = (uint16_t)nprocs;
	return copy_to_user((void *)a1, &si, sizeof(si));
}

/* getrandom(buf, len, flags): bytes written, -EINVAL (unknown or contradictory flags),
 * -EFAULT (the range is not user memory, or nothing could be written). */
SYSCALL_DEFINE(getrandom)
{
	uint8_t chunk[RANDOM_CHUNK];
	uint32_t len = MIN(a2, MAX_RW_COUNT);

	if (a3 & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((a3 & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	if (!user_range_ok(a1, len))
		return -EFAULT;
	for (uint32_t done = 0; done < len;) {
		uint32_t n = MIN(len - done, RANDOM_CHUNK);
		get_random_bytes(chunk, n);
		if (copy_to_user((void *)(a1 + done), chunk, n) < 0)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}

/* ---- resource limits ------------------------------------------------------------------ */

static uint64_t rlim_to_64(uint32_t v)
{
	return v == RLIM_INFINITY ? RLIM64_INFINITY : v;
}

static uint32_t rlim_from_64(uint64_t v)
{
	return v >= RLIM_INFINITY ? RLIM_INFINITY : (uint32_t)v;
}

/*
 * Linux's do_prlimit on @p (interrupts off while @p is used): @res checked, then @nw
 * (cur <= max; RLIMIT_NOFILE's hard limit at most NR_OPEN) set, the old pair in *@old.
 * Raising a hard limit needs CAP_SYS_RESOURCE, which root has. 0, -EINVAL or -EPERM.
 */
static int do_prlimit(struct proc *p, uint32_t res, const struct rlimit_pair *nw,
                      struct rlimit_pair *old)
{
	uint32_t flags;

	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (nw && nw->cur > nw->max)
		return -EINVAL;
	if (nw && res == RLIMIT_NOFILE && nw->max > NR_OPEN)
		return -EPERM;
	flags = irq_save();
	if (old)
		*old = p->res.rlim[res];
	if (nw)
		p->res.rlim[res] = *nw;
	irq_restore(flags);
	if (nw)
		proc_vm_limits(p);
	return 0;
}

/* prlimit64(pid, resource, new, old): 0, -EFAULT, -ESRCH, -EINVAL, -EPERM. */
SYSCALL_DEFINE(prlimit64)
{
	struct rlimit64 nw64, old64;
	struct rlimit_pair nw, old;
	struct proc *p = proc_current();
	uint32_t flags;
	int rc;

	if (a3) {
		if (copy_from_user(&nw64, (const void *)a3, sizeof(nw64)) < 0)
			return -EFAULT;
		nw.cur = rlim_from_64(nw64.cur);
		nw.max = rlim_from_64(nw64.max);
	}
	flags = irq_save();
	if (a1 != 0) {
		p = proc_lookup((int)a1);
		if ((int)a1 < 0 || !p) {
			irq_restore(flags);
			return -ESRCH;
		}
	}
	rc = do_prlimit(p, a2, a3 ? &nw : NULL, a4 ? &old : NULL);
	irq_restore(flags);
	if (rc == 0 && a4) {
		old64.cur = rlim_to_64(old.cur);
		old64.max = rlim_to_64(old.max);
		if (copy_to_user((void *)a4, &old64, sizeof(old64)) < 0)
			return -EFAULT;
	}
	return rc;
}

/* ugetrlimit(resource, rlim): the 32-bit pair as held. 0, -EINVAL, -EFAULT. */
SYSCALL_DEFINE(ugetrlimit)
{
	struct rlimit_pair r;
	int rc = do_prlimit(proc_current(), a1, NULL, &r);

	return rc < 0 ? rc : copy_to_user((void *)a2, &r, sizeof(r));
}

/* getrlimit (the old call): values above 0x7FFFFFFF clamped, as Linux's old_getrlimit. */
SYSCALL_DEFINE(getrlimit)
{
	struct rlimit_pair r;
	int rc = do_prlimit(proc_current(), a1, NULL, &r);

	if (rc < 0)
		return rc;
	r.cur = MIN(r.cur, OLD_RLIM_CLAMP);
	r.max = MIN(r.max, OLD_RLIM_CLAMP);
	return copy_to_user((void *)a2, &r, sizeof(r));
}

/* setrlimit(resource, rlim): the pair read first (-EFAULT), then as prlimit64. */
SYSCALL_DEFINE(setrlimit)
{
	struct rlimit_pair r;

	if (copy_from_user(&r, (const void *)a2, sizeof(r)) < 0)
		return -EFAULT;
	return do_prlimit(proc_current(), a1, &r, NULL);
}

/* ---- priority, prctl, robust futex list ----------------------------------------------- */

/* The pids of the live processes (at most one per task slot). */
struct pid_list {
	unsigned n;
	int pid[TASK_MAX];
};

static void collect_pid(const struct proc *p, void *ctx)
{
	struct pid_list *l = ctx;

	if (l->n < TASK_MAX)
		l->pid[l->n++] = p->pid;
}

/*
 * The processes getpriority/setpriority(@which, @who) name: PRIO_PROCESS a pid (0: the
 * caller), PRIO_PGRP only the caller's (who 0), PRIO_USER uid 0 (who 0): every process.
 * Calls @fn on each (interrupts off); returns how many, or -EINVAL for a bad @which.
 */
static int prio_for_each(uint32_t which, uint32_t who, void (*fn)(struct proc *p, void *ctx),
                         void *ctx)
{
	struct proc *p;
	int n = 0;

	switch (which) {
	case PRIO_PROCESS:
	case PRIO_PGRP:
		p = who == 0                ? proc_current()
		    : which == PRIO_PROCESS ? proc_lookup((int)who)
		                            : NULL;
		if (p && p->state == PROC_RUNNING) {
			fn(p, ctx);
			n = 1;
		}
		return n;
	case PRIO_USER: {
		struct pid_list pids = { .n = 0 };
		if (who != 0)
			return 0;
		proc_for_each(collect_pid, &pids);
		for (unsigned i = 0; i < pids.n; i++) {
			p = proc_lookup(pids.pid[i]);
			if (p && p->state == PROC_RUNNING) {
				fn(p, ctx);
				n++;
			}
		}
		return n;
	}
	default:
		return -EINVAL;
	}
}

static void prio_get(struct proc *p, void *ctx)
{
	int *best = ctx;

	*best = MAX(*best, PRIO_BIAS - p->res.nice);
}

static void prio_set(struct proc *p, void *ctx)
{
	p->res.nice = *(int *)ctx;
}

/* getpriority(which, who): 20 - the lowest nice value (1..40), -EINVAL, -ESRCH. */
SYSCALL_DEFINE(getpriority)
{
	int best = 0;
	uint32_t flags = irq_save();
	int n = prio_for_each(a1, a2, prio_get, &best);

	irq_restore(flags);
	return n < 0 ? n : n == 0 ? -ESRCH : best;
}

/* setpriority(which, who, nice): nice clamped to -20..19; 0, -EINVAL, -ESRCH. */
SYSCALL_DEFINE(setpriority)
{
	int nice = (int)a3, n;
	uint32_t flags;

	nice = MIN(MAX(nice, NICE_MIN), NICE_MAX);
	flags = irq_save();
	n = prio_for_each(a1, a2, prio_set, &nice);
	irq_restore(flags);
	return n < 0 ? n : n == 0 ? -ESRCH : 0;
}

/* prctl(option, arg2, ...): PR_SET_NAME/PR_GET_NAME (16 bytes with the NUL),
 * PR_GET_DUMPABLE (1), PR_SET_DUMPABLE (0 or 1, recorded nowhere), PR_GET_PDEATHSIG (0);
 * other options -EINVAL. */
SYSCALL_DEFINE(prctl)
{
	struct proc *p = proc_current();
	char name[TASK_COMM_LEN];
	uint32_t flags;
	long n;

	switch (a1) {
	case PR_SET_NAME:
		n = strncpy_from_user(name, (const char *)a2, sizeof(name));
		if (n < 0)
			return -EFAULT;
		name[sizeof(name) - 1] = '\0';
		flags = irq_save();
		kstrlcpy(p->comm, name, sizeof(p->comm));
		kstrlcpy(p->task->name, name, sizeof(p->task->name));
		irq_restore(flags);
		return 0;
	case PR_GET_NAME:
		memset(name, 0, sizeof(name));
		kstrlcpy(name, p->comm, sizeof(name));
		return copy_to_user((void *)a2, name, sizeof(name));
	case PR_GET_DUMPABLE:
		return 1;
	case PR_SET_DUMPABLE:
		return a2 <= 1 ? 0 : -EINVAL;
	case PR_GET_PDEATHSIG:
		return put_user_u32((void *)a2, 0);
	default:
		return -EINVAL;
	}
}

/* set_robust_list(head, len): Linux checks only the size; the list is walked at exit, and
 * with one thread and no futexes there is nothing to walk. 0 or -EINVAL. */
SYSCALL_DEFINE(set_robust_list)
{
	return a2 == ROBUST_LIST_HEAD_SIZE ? 0 : -EINVAL;
}

/* reboot(magic1, magic2, cmd, arg) */
SYSCALL_DEFINE(reboot)
{
	if (a1 != LINUX_REBOOT_MAGIC1 || (a2 != LINUX_REBOOT_MAGIC2 && a2 != LINUX_REBOOT_MAGIC2A &&
	                                  a2 != LINUX_REBOOT_MAGIC2B && a2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (a3) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_RESTART: /* QEMU runs with -no-reboot: a restart ends it too */
		/* From init= (kmain waits for it): init ends first, kmain powers off once every
		 * process is gone, after the memory accounting line (include/kernel/shutdown.h). */
		if (shutdown_by_init())
			proc_exit(W_EXITCODE(0));
		machine_poweroff();
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}
