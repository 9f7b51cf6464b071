/* t_sys: the simple system calls a static glibc program uses. uname (sysname, machine i686
 * on Strata), sysinfo (totalram > freeram > 0, mem_unit), getrandom (fills, differs),
 * clock_gettime MONOTONIC/REALTIME (non-decreasing, nanoseconds in range), nanosleep and
 * clock_nanosleep (sleep at least the time asked; no upper bound is judged), sched_yield,
 * write/writev to stdout (byte counts), ioctl TCGETS on stdout (ENOTTY when it is not a
 * terminal), the ids (0 on Strata), rlimits (RLIMIT_STACK 8 MiB, lowering the soft limit and
 * reading it back through getrlimit and prlimit64), and ENOSYS for unknown numbers. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

struct rl64 {
	unsigned long long cur, max;
};

int main(void)
{
	struct utsname u;
	memset(&u, 0xff, sizeof u);
	check(syscall(SYS_uname, &u) == 0, "uname succeeds");
	check(memchr(u.sysname, 0, sizeof u.sysname) && memchr(u.release, 0, sizeof u.release) &&
	          memchr(u.machine, 0, sizeof u.machine) && u.sysname[0] && u.release[0],
	      "uname fields are NUL-terminated, sysname and release non-empty (%s %s %s)",
	      u.sysname, u.release, u.machine);
	if (is_strata())
		check(strcmp(u.machine, "i686") == 0, "Strata's machine is i686 (%s)", u.machine);
	else
		check(strcmp(u.sysname, "Linux") == 0, "sysname is Linux here (%s)", u.sysname);

	struct sysinfo si;
	memset(&si, 0, sizeof si);
	check(syscall(SYS_sysinfo, &si) == 0, "sysinfo succeeds");
	check(si.mem_unit >= 1 && (si.mem_unit & (si.mem_unit - 1)) == 0,
	      "sysinfo mem_unit is a power of two (%u)", si.mem_unit);
	check(si.totalram > si.freeram && si.freeram > 0,
	      "sysinfo totalram > freeram > 0 (%lu > %lu units)", si.totalram, si.freeram);
	check(si.procs >= 1, "sysinfo counts at least one process (%u)", si.procs);
	check(sizeof si == 64, "struct sysinfo is 64 bytes on i386 (%zu)", sizeof si);

	unsigned char r1[64], r2[64];
	memset(r1, 0, sizeof r1);
	memset(r2, 0, sizeof r2);
	long n1 = syscall(SYS_getrandom, r1, sizeof r1, 0),
	     n2 = syscall(SYS_getrandom, r2, sizeof r2, 0);
	int nz = 0;
	for (unsigned i = 0; i < sizeof r1; i++)
		nz += r1[i] != 0;
	check(n1 == 64 && n2 == 64, "getrandom(64) returns 64 twice (%ld, %ld)", n1, n2);
	check(nz > 32 && memcmp(r1, r2, sizeof r1) != 0,
	      "getrandom's bytes look random (%d non-zero) and differ", nz);
	check(syscall(SYS_getrandom, r1, 0, 0) == 0, "getrandom of 0 bytes returns 0");
	check_err(syscall(SYS_getrandom, r1, 16, 0x1000), EINVAL,
	          "getrandom with unknown flags fails");

	struct timespec m0, m1, rt, res;
	check(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &m0) == 0,
	      "clock_gettime(MONOTONIC) succeeds");
	int mono = 1;
	for (int i = 0; i < 10000; i++) {
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &m1);
		mono &= ns(&m1) >= ns(&m0) && m1.tv_nsec >= 0 && m1.tv_nsec < 1000000000;
		m0 = m1;
	}
	check(mono, "10,000 MONOTONIC readings never go backwards, tv_nsec in [0, 1e9)");
	check(syscall(SYS_clock_gettime, CLOCK_REALTIME, &rt) == 0 && rt.tv_nsec >= 0 &&
	          rt.tv_nsec < 1000000000,
	      "clock_gettime(REALTIME) succeeds (%ld s)", (long)rt.tv_sec);
	check(clock_gettime(CLOCK_MONOTONIC, &m1) == 0 && ns(&m1) >= ns(&m0),
	      "glibc's clock_gettime agrees with the syscall");
	check(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res) == 0 && ns(&res) > 0 &&
	          ns(&res) <= 10000000,
	      "clock_getres(MONOTONIC) is between 1 ns and 10 ms (%lld ns)", ns(&res));
	check_err(syscall(SYS_clock_gettime, 12345, &m1), EINVAL,
	          "clock_gettime of an unknown clock fails");

	struct timespec req = { 0, 20 * 1000 * 1000 }, a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	long r = syscall(SYS_nanosleep, &req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	check(r == 0 && ns(&b) - ns(&a) >= 20000000,
	      "nanosleep(20 ms) sleeps at least 20 ms (%lld us)", (ns(&b) - ns(&a)) / 1000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	check(r == 0 && ns(&b) - ns(&a) >= 20000000,
	      "clock_nanosleep(MONOTONIC, 20 ms) sleeps at least 20 ms (%lld us)",
	      (ns(&b) - ns(&a)) / 1000);
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &a);
	until.tv_sec = a.tv_sec + (a.tv_nsec + 30000000) / 1000000000;
	until.tv_nsec = (a.tv_nsec + 30000000) % 1000000000;
	r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	check(r == 0 && ns(&b) >= ns(&until),
	      "clock_nanosleep(TIMER_ABSTIME) returns no earlier than the deadline");
	struct timespec badreq = { 0, 1000000000 };
	check_err(syscall(SYS_nanosleep, &badreq, NULL), EINVAL,
	          "nanosleep with tv_nsec = 1e9 fails");
	struct timespec zero = { 0, 0 };
	check(syscall(SYS_nanosleep, &zero, NULL) == 0, "nanosleep(0) returns 0");
	check(syscall(SYS_sched_yield) == 0, "sched_yield returns 0");

	fflush(stdout);
	const char msg[] = "    # write() to stdout\n";
	check(syscall(SYS_write, 1, msg, sizeof msg - 1) == (long)sizeof msg - 1,
	      "write to stdout returns the byte count");
	struct iovec iov[3] = { { "    # writev", 12 }, { " to", 3 }, { " stdout\n", 8 } };
	check(syscall(SYS_writev, 1, iov, 3) == 23, "writev of 3 pieces to stdout returns 23");
	check(syscall(SYS_write, 1, msg, 0) == 0, "write of 0 bytes returns 0");
	check_err(syscall(SYS_write, 999, msg, 1), EBADF, "write to a closed fd fails");
	check_err(syscall(SYS_read, 999, r1, 1), EBADF, "read from a closed fd fails");

	struct termios t;
	errno = 0;
	r = syscall(SYS_ioctl, 1, TCGETS, &t);
	if (r == 0)
		check(1, "ioctl(stdout, TCGETS) succeeds: stdout is a terminal");
	else
		check(errno == ENOTTY,
		      "ioctl(stdout, TCGETS) says ENOTTY: stdout is not a terminal here (errno %s)",
		      strerrorname_np(errno));
	if (is_strata())
		check(r == 0, "on Strata stdout is the console, a terminal");

	long uid = syscall(SYS_getuid32), euid = syscall(SYS_geteuid32),
	     gid = syscall(SYS_getgid32), egid = syscall(SYS_getegid32);
	check(uid == (long)getuid() && euid == (long)geteuid() && gid == (long)getgid() &&
	          egid == (long)getegid(),
	      "getuid32/geteuid32/getgid32/getegid32 agree with glibc (%ld %ld %ld %ld)", uid, euid,
	      gid, egid);
	if (is_strata())
		check(uid == 0 && euid == 0 && gid == 0 && egid == 0,
		      "on Strata every id is 0 (root)");
	else
		skip("every id is 0 # SKIP that the host runs us as root says nothing about the "
		     "kernel");

	struct rlimit rl;
	check(getrlimit(RLIMIT_STACK, &rl) == 0, "getrlimit(RLIMIT_STACK) succeeds");
	if (is_strata())
		check(rl.rlim_cur == 8 * 1024 * 1024,
		      "RLIMIT_STACK soft limit is 8 MiB by default (%lu)",
		      (unsigned long)rl.rlim_cur);
	else
		check(rl.rlim_cur == 8 * 1024 * 1024 || rl.rlim_cur == RLIM_INFINITY,
		      "RLIMIT_STACK soft limit is 8 MiB (Linux default; the shell may change it) "
		      "(%lu)",
		      (unsigned long)rl.rlim_cur);
	struct rl64 o64, n64;
	check(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &o64) == 0 &&
	          o64.cur == (rl.rlim_cur == RLIM_INFINITY ? ~0ULL : rl.rlim_cur),
	      "prlimit64 reads the same soft limit (%llu)", o64.cur);
	n64.cur = 4 * 1024 * 1024;
	n64.max = o64.max;
	check(syscall(SYS_prlimit64, 0, RLIMIT_STACK, &n64, NULL) == 0,
	      "prlimit64 lowers the soft limit to 4 MiB");
	check(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur == 4 * 1024 * 1024,
	      "getrlimit reads back 4 MiB (%lu)", (unsigned long)rl.rlim_cur);
	rl.rlim_cur = 6 * 1024 * 1024;
	check(setrlimit(RLIMIT_STACK, &rl) == 0, "setrlimit sets 6 MiB");
	struct rl64 back;
	check(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &back) == 0 &&
	          back.cur == 6 * 1024 * 1024 && back.max == o64.max,
	      "prlimit64 reads back 6 MiB, hard limit unchanged");
	struct rl64 inverted = { back.max == ~0ULL ? 2 : back.max, 1 };
	check_err(syscall(SYS_prlimit64, 0, RLIMIT_STACK, &inverted, NULL), EINVAL,
	          "a soft limit above the hard limit fails");
	check_err(syscall(SYS_prlimit64, 0, 9999, NULL, &back), EINVAL,
	          "prlimit64 of an unknown resource fails");
	check(syscall(SYS_prlimit64, 0, RLIMIT_STACK, &o64, NULL) == 0,
	      "prlimit64 restores the original limit");
	check(syscall(SYS_ugetrlimit, RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 3,
	      "RLIMIT_NOFILE allows the standard fds (%lu)", (unsigned long)rl.rlim_cur);

	check_err(syscall(5000), ENOSYS, "syscall 5000 (unknown) fails");
	check_err(syscall(451 + 100), ENOSYS, "syscall 551 (unknown) fails");
	check_err(syscall(-1), ENOSYS, "syscall -1 fails");
	check_err(syscall(0x7fffffff), ENOSYS, "syscall 0x7fffffff fails");
	return done();
}
