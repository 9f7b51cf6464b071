/*
 * sys_info: identity and system information — uname, the uid/gid calls (everyone is root),
 * sysinfo (real figures from the page allocator), getrandom, the resource limits
 * (RLIMIT_STACK is real: 8 MiB default; the others report RLIM_INFINITY and accept any
 * value) and reboot with Linux's magic numbers.
 */
#include "kernel/qemu.h"
#include "x86/random.h"
#include "kernel/syscall.h"
#include "kernel/time.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/task.h"

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
#define GETRANDOM_MAX              0x1FFFFFFu /* Linux caps one call at 32 MiB - 1 */
#define RANDOM_CHUNK               64u
#define RLIMIT_STACK               3
#define RLIM_NLIMITS               16
#define RLIM_INFINITY32            0xFFFFFFFFu
#define RLIM_INFINITY64            0xFFFFFFFFFFFFFFFFull

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

struct rlimit32 {
	uint32_t cur, max;
};
struct rlimit64 {
	uint64_t cur, max;
};

SYSCALL_DEFINE(uname)
{
	struct new_utsname u;

	memset(&u, 0, sizeof(u));
	kstrlcpy(u.sysname, "Strata", UTS_LEN);
	kstrlcpy(u.nodename, "strata", UTS_LEN);
	kstrlcpy(u.release, "6.1.0-strata", UTS_LEN);
	kstrlcpy(u.version, "#1 Strata", UTS_LEN);
	kstrlcpy(u.machine, "i686", UTS_LEN);
	kstrlcpy(u.domainname, "(none)", UTS_LEN);
	return copy_to_user((void *)a1, &u, sizeof(u));
}

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

static void count_proc(const struct proc *p, void *ctx)
{
	(void)p;
	(*(uint32_t *)ctx)++;
}

SYSCALL_DEFINE(sysinfo)
{
	struct linux_sysinfo si;
	struct mm_meminfo mi;
	uint32_t nprocs = 0;

	mm_meminfo(&mi);
	proc_for_each(count_proc, &nprocs);
	memset(&si, 0, sizeof(si));
	si.uptime = (int32_t)(timer_uptime_us() / 1000000u);
	si.mem_unit = PAGE_SIZE;
	si.totalram = (uint32_t)(mi.total / PAGE_SIZE);
	si.freeram = (uint32_t)(mi.free / PAGE_SIZE);
	si.totalhigh = (uint32_t)(mi.high_total / PAGE_SIZE);
	si.freehigh = (uint32_t)(mi.high_free / PAGE_SIZE);
	si.procs = (uint16_t)nprocs;
	return copy_to_user((void *)a1, &si, sizeof(si));
}

/* getrandom(buf, len, flags) */
SYSCALL_DEFINE(getrandom)
{
	uint8_t chunk[RANDOM_CHUNK];
	uint32_t len = MIN(a2, GETRANDOM_MAX);

	if (a3 & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
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

/* The limit @res of the current process, as 64-bit values. */
static void rlimit_get(int res, struct rlimit64 *r)
{
	if (res == RLIMIT_STACK) {
		r->cur = proc_current()->rlimit_stack;
		r->max = RLIM_INFINITY64;
	} else {
		r->cur = r->max = RLIM_INFINITY64;
	}
}

static void rlimit_set(int res, const struct rlimit64 *r)
{
	if (res == RLIMIT_STACK)
		proc_current()->rlimit_stack = r->cur;
}

/* prlimit64(pid, resource, new, old) */
SYSCALL_DEFINE(prlimit64)
{
	struct rlimit64 old, nw;
	struct proc *p = proc_current();

	if (a2 >= RLIM_NLIMITS)
		return -EINVAL;
	if (a1 != 0 && (int)a1 != p->pid)
		return -ESRCH; /* other processes' limits: not yet */
	if (a3 && copy_from_user(&nw, (const void *)a3, sizeof(nw)) < 0)
		return -EFAULT;
	if (a3 && nw.cur > nw.max)
		return -EINVAL;
	rlimit_get((int)a2, &old);
	if (a4 && copy_to_user((void *)a4, &old, sizeof(old)) < 0)
		return -EFAULT;
	if (a3)
		rlimit_set((int)a2, &nw);
	return 0;
}

SYSCALL_DEFINE(ugetrlimit)
{
	struct rlimit64 r;
	struct rlimit32 r32;

	if (a1 >= RLIM_NLIMITS)
		return -EINVAL;
	rlimit_get((int)a1, &r);
	r32.cur = r.cur > RLIM_INFINITY32 ? RLIM_INFINITY32 : (uint32_t)r.cur;
	r32.max = r.max > RLIM_INFINITY32 ? RLIM_INFINITY32 : (uint32_t)r.max;
	return copy_to_user((void *)a2, &r32, sizeof(r32));
}

SYSCALL_DEFINE(setrlimit)
{
	struct rlimit32 r32;
	struct rlimit64 r;

	if (a1 >= RLIM_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&r32, (const void *)a2, sizeof(r32)) < 0)
		return -EFAULT;
	if (r32.cur > r32.max)
		return -EINVAL;
	r.cur = r32.cur == RLIM_INFINITY32 ? RLIM_INFINITY64 : r32.cur;
	r.max = r32.max == RLIM_INFINITY32 ? RLIM_INFINITY64 : r32.max;
	rlimit_set((int)a1, &r);
	return 0;
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
		machine_poweroff();
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}
