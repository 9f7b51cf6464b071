/*
 * usys: a static glibc program for the guest suite "sys" (tests/kernel/test_sys.c): the
 * information and time system calls in the cases tests/user/t_sys.c does not reach. Run as
 * `/builtin/usys MODE`; it prints "usys: not ok WHAT" for each failed check and exits with
 * the number of failures (0: all passed). Raw syscall(2) throughout, so glibc cannot answer
 * in the kernel's place. Modes:
 *   rlimit   every resource's Linux default; soft > hard EINVAL, unknown resource EINVAL,
 *            NOFILE hard above nr_open EPERM, root raises a hard limit; 64-bit values
 *            saturate to infinity; the old getrlimit clamps; fork inherits a lowered limit
 *            and exec keeps it (mode "rlimit-child" checks in the new image)
 *   clocks   every clock id (10 EINVAL), clock_getres values, the negative CPU clock ids,
 *            time/gettimeofday agree, gettimeofday stores tv_sec before faulting on tv_usec,
 *            REALTIME after 2020 (the CMOS clock)
 *   sleep    clock_nanosleep: EOPNOTSUPP on clocks that cannot sleep, EINVAL for a bad
 *            clock or tv_nsec, checks in Linux's order (clock, copy, value), an absolute
 *            time in the past returns at once; nanosleep's EFAULT
 *   cpu      CPU time: a busy loop shows as user time in CLOCK_PROCESS_CPUTIME_ID, times()
 *            and getrusage-free accounting; a waited-for busy child shows in cutime
 *   ids      getresuid/getresgid 16- and 32-bit are 0; a bad pointer is EFAULT
 *   misc     prctl names, get/setpriority, set_robust_list, rseq and unknown numbers ENOSYS,
 *            getrandom flags
 * Every mode also passes on Linux 6.1 686 (booted with this program as init's child), where
 * rseq refuses its arguments with EINVAL and GRND_NONBLOCK may say EAGAIN early in boot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NLIMITS   16
#define INF32     0xFFFFFFFFu
#define INF64     0xFFFFFFFFFFFFFFFFull
#define MIB       (1024u * 1024u)
#define NR_OPEN   1048576u
#define YEAR_2020 1577836800 /* 2020-01-01 00:00:00 UTC */
/* Busy until 200 ms of CPU time are counted: 20 ticks, so that a few ticks the emulator
 * delivers late (in the next system call, when the host was busy) cannot outweigh the user
 * time of the loop. */
#define CPU_WANT_NS 200000000LL
/* times() in 1/100 s: utime and stime each round down, so their sum may be one below */
#define CPU_WANT_CLOCKS (CPU_WANT_NS / 10000000 - 1)
#define BUSY_LIMIT_SEC  20 /* give up after this much wall time */

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("usys: not ok: " __VA_ARGS__);                                      \
			printf(" (line %d, errno %d)\n", __LINE__, errno);                         \
		}                                                                                  \
	} while (0)

struct rl32 {
	uint32_t cur, max;
};
struct rl64 {
	uint64_t cur, max;
};

/* Linux 6.1's defaults for init (the kernel starts us); NPROC and SIGPENDING vary. */
static void check_defaults(void)
{
	static const struct {
		int res;
		uint64_t cur, max;
	} want[] = {
		{ RLIMIT_CPU, INF64, INF64 },
		{ RLIMIT_FSIZE, INF64, INF64 },
		{ RLIMIT_DATA, INF64, INF64 },
		{ RLIMIT_STACK, 8 * MIB, INF64 },
		{ RLIMIT_CORE, 0, INF64 },
		{ RLIMIT_RSS, INF64, INF64 },
		{ RLIMIT_NOFILE, 1024, 4096 },
		{ RLIMIT_MEMLOCK, 8 * MIB, 8 * MIB },
		{ RLIMIT_AS, INF64, INF64 },
		{ RLIMIT_LOCKS, INF64, INF64 },
		{ RLIMIT_MSGQUEUE, 819200, 819200 },
		{ RLIMIT_NICE, 0, 0 },
		{ RLIMIT_RTPRIO, 0, 0 },
		{ RLIMIT_RTTIME, INF64, INF64 },
	};
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct rl64 r;
		CHECK(syscall(SYS_prlimit64, 0, want[i].res, NULL, &r) == 0 &&
		          r.cur == want[i].cur && r.max == want[i].max,
		      "resource %d default %llx/%llx", want[i].res, (unsigned long long)r.cur,
		      (unsigned long long)r.max);
	}
	for (int res = 0; res < NLIMITS; res++) {
		struct rl32 r;
		CHECK(syscall(SYS_ugetrlimit, res, &r) == 0, "ugetrlimit(%d)", res);
	}
}

static int rlimit_child(void)
{
	struct rl64 r;

	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &r) == 0 && r.cur == 2 * MIB &&
	          r.max == 16 * MIB,
	      "exec kept RLIMIT_STACK 2 MiB / 16 MiB (%llu/%llu)", (unsigned long long)r.cur,
	      (unsigned long long)r.max);
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &r) == 0 && r.cur == 100,
	      "exec kept RLIMIT_NOFILE 100 (%llu)", (unsigned long long)r.cur);
	return failures;
}

static void mode_rlimit(const char *self)
{
	struct rl64 r, n;
	struct rl32 r32;
	int status;

	check_defaults();
	n = (struct rl64){ 2, 1 };
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_STACK, &n, NULL) == -1 && errno == EINVAL,
	      "soft above hard: EINVAL");
	CHECK(syscall(SYS_prlimit64, 0, NLIMITS, NULL, &r) == -1 && errno == EINVAL,
	      "resource 16: EINVAL");
	CHECK(syscall(SYS_ugetrlimit, NLIMITS, &r32) == -1 && errno == EINVAL,
	      "ugetrlimit(16): EINVAL");
	n = (struct rl64){ 1024, NR_OPEN + 1 };
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &n, NULL) == -1 && errno == EPERM,
	      "NOFILE hard above nr_open: EPERM");
	n = (struct rl64){ 1024, 8192 };
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &n, &r) == 0 && r.max == 4096,
	      "root raises NOFILE's hard limit to 8192 (old %llu)", (unsigned long long)r.max);
	n = (struct rl64){ 1ull << 40, INF64 - 5 };
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_FSIZE, &n, NULL) == 0 &&
	          syscall(SYS_prlimit64, 0, RLIMIT_FSIZE, NULL, &r) == 0 && r.cur == INF64 &&
	          r.max == INF64,
	      "64-bit values above 32 bits read back as infinity (%llx)",
	      (unsigned long long)r.cur);
	CHECK(syscall(SYS_getrlimit, RLIMIT_FSIZE, &r32) == 0 && r32.cur == 0x7FFFFFFF &&
	          r32.max == 0x7FFFFFFF,
	      "old getrlimit clamps infinity to 0x7fffffff (%x)", r32.cur);
	CHECK(syscall(SYS_ugetrlimit, RLIMIT_FSIZE, &r32) == 0 && r32.cur == INF32,
	      "ugetrlimit gives infinity as 0xffffffff (%x)", r32.cur);
	r32 = (struct rl32){ 5, 4 };
	CHECK(syscall(SYS_setrlimit, RLIMIT_CORE, &r32) == -1 && errno == EINVAL,
	      "setrlimit soft above hard: EINVAL");
	CHECK(syscall(SYS_setrlimit, NLIMITS, (void *)0xC0000000) == -1 && errno == EFAULT,
	      "setrlimit copies before checking the resource: EFAULT");
	CHECK(syscall(SYS_prlimit64, 999999, RLIMIT_CORE, NULL, &r) == -1 && errno == ESRCH,
	      "prlimit64 of no such pid: ESRCH");
	CHECK(syscall(SYS_prlimit64, getpid(), RLIMIT_CORE, NULL, &r) == 0 && r.cur == 0,
	      "prlimit64 of its own pid");

	n = (struct rl64){ 2 * MIB, 16 * MIB };
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_STACK, &n, NULL) == 0, "set STACK 2/16 MiB");
	r32 = (struct rl32){ 100, 8192 };
	CHECK(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r32) == 0, "setrlimit NOFILE 100");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(rlimit_child());
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	          WEXITSTATUS(status) == 0,
	      "fork inherits the limits (status %#x)", status);
	pid = fork();
	if (pid == 0) {
		char *const argv[] = { (char *)self, "rlimit-child", NULL };
		execve(self, argv, NULL);
		_exit(99);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	          WEXITSTATUS(status) == 0,
	      "exec keeps the limits (status %#x)", status);
	n = (struct rl64){ 32 * MIB, 32 * MIB };
	CHECK(syscall(SYS_prlimit64, pid, RLIMIT_STACK, &n, NULL) == -1 && errno == ESRCH,
	      "a reaped child's limits: ESRCH");
}

static long long ns_of(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void mode_clocks(void)
{
	struct timespec ts, res;
	struct {
		int64_t sec;
		int64_t nsec;
	} ts64;

	for (int id = 0; id <= 11; id++) {
		long r = syscall(SYS_clock_gettime, id, &ts);
		if (id == 10) {
			CHECK(r == -1 && errno == EINVAL, "clock 10 (SGI_CYCLE): EINVAL");
			CHECK(syscall(SYS_clock_getres, id, &res) == -1 && errno == EINVAL,
			      "clock_getres(10): EINVAL");
			continue;
		}
		CHECK(r == 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000, "clock_gettime(%d)",
		      id);
		CHECK(syscall(SYS_clock_getres, id, &res) == 0 && res.tv_sec == 0 &&
		          res.tv_nsec > 0 && res.tv_nsec <= 10000000,
		      "clock_getres(%d) = %ld ns", id, res.tv_nsec);
		CHECK(syscall(SYS_clock_getres, id, NULL) == 0, "clock_getres(%d, NULL)", id);
		CHECK(syscall(403, id, &ts64) == 0 && ts64.nsec >= 0 && ts64.nsec < 1000000000,
		      "clock_gettime64(%d)", id);
		CHECK(syscall(406, id, &ts64) == 0 && ts64.sec == 0 && ts64.nsec > 0,
		      "clock_getres_time64(%d)", id);
	}
	CHECK(syscall(SYS_clock_gettime, 12, &ts) == -1 && errno == EINVAL, "clock 12: EINVAL");
	/* Negative ids: ~pid << 3 | perthread << 2 | which. */
	clockid_t self_prof = (clockid_t)(~0u << 3), self_fd = (clockid_t)((~0u << 3) | 3);
	clockid_t self_thread = (clockid_t)((~0u << 3) | 4 | 2);
	clockid_t other = (clockid_t)((~(unsigned)999999 << 3) | 2);
	clockid_t mine = (clockid_t)((~(unsigned)getpid() << 3) | 2);
	CHECK(syscall(SYS_clock_gettime, self_prof, &ts) == 0, "CPU clock PROF of pid 0");
	CHECK(syscall(SYS_clock_gettime, self_thread, &ts) == 0, "CPU clock of this thread");
	CHECK(syscall(SYS_clock_gettime, mine, &ts) == 0, "CPU clock of its own pid");
	CHECK(syscall(SYS_clock_gettime, self_fd, &ts) == -1 && errno == EINVAL,
	      "which 3 (a clock fd): EINVAL");
	CHECK(syscall(SYS_clock_gettime, other, &ts) == -1 && errno == EINVAL,
	      "CPU clock of no such pid: EINVAL");
	CHECK(syscall(SYS_clock_getres, self_prof, &res) == 0, "clock_getres of a CPU clock");

	struct {
		int32_t sec, usec;
	} tv;
	long t0 = syscall(SYS_time, NULL);
	CHECK(syscall(SYS_gettimeofday, &tv, NULL) == 0 && tv.usec >= 0 && tv.usec < 1000000,
	      "gettimeofday");
	long t1 = syscall(SYS_time, NULL);
	CHECK(tv.sec >= t0 && tv.sec <= t1, "gettimeofday agrees with time (%d in %ld..%ld)",
	      tv.sec, t0, t1);
	CHECK(t0 > YEAR_2020, "the wall clock is after 2020 (%ld): read from the CMOS clock", t0);
	int32_t tloc = 0;
	CHECK(syscall(SYS_time, &tloc) == tloc && tloc >= t0, "time stores what it returns");
	CHECK(syscall(SYS_time, (void *)0xC0000000) == -1 && errno == EFAULT, "time: EFAULT");
	struct {
		int32_t mw, dst;
	} tz = { 7, 7 };
	CHECK(syscall(SYS_gettimeofday, NULL, &tz) == 0 && tz.mw == 0 && tz.dst == 0,
	      "gettimeofday(NULL, tz) gives a zero time zone");
	/* tv_sec on the last word of a page, tv_usec on the unmapped next page. */
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED && munmap(p + 4096, 4096) == 0) {
		int32_t *sec = (int32_t *)(p + 4096 - 4);
		*sec = 0;
		errno = 0;
		long r = syscall(SYS_gettimeofday, sec, NULL);
		CHECK(r == -1 && errno == EFAULT && *sec >= t0,
		      "gettimeofday stores tv_sec before faulting on tv_usec (%d)", *sec);
		munmap(p, 4096);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	CHECK(ns_of(&ts) > 0, "glibc clock_gettime");
}

static void mode_sleep(void)
{
	struct timespec req = { 0, 1000 }, bad = { 0, 1000000000 }, neg = { -1, 0 }, now;

	CHECK(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL) == -1 &&
	          errno == EOPNOTSUPP,
	      "sleep on THREAD_CPUTIME: EOPNOTSUPP");
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &req, NULL) == -1 &&
	          errno == EOPNOTSUPP,
	      "sleep on MONOTONIC_RAW: EOPNOTSUPP");
	CHECK(syscall(SYS_clock_nanosleep, 10, 0, &req, NULL) == -1 && errno == EINVAL,
	      "sleep on clock 10: EINVAL");
	CHECK(syscall(SYS_clock_nanosleep, 10, 0, NULL, NULL) == -1 && errno == EINVAL,
	      "the clock is checked before the request is copied");
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, NULL, NULL) == -1 && errno == EFAULT,
	      "a NULL request: EFAULT");
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL) == -1 && errno == EINVAL,
	      "tv_nsec 1e9: EINVAL");
	CHECK(syscall(SYS_nanosleep, &neg, NULL) == -1 && errno == EINVAL, "tv_sec -1: EINVAL");
	CHECK(syscall(SYS_nanosleep, (void *)0xC0000000, NULL) == -1 && errno == EFAULT,
	      "nanosleep of a kernel address: EFAULT");
	clock_gettime(CLOCK_MONOTONIC, &now);
	struct timespec past = { now.tv_sec > 0 ? now.tv_sec - 1 : 0, 0 };
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL) == 0,
	      "an absolute time in the past returns 0 at once");
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	struct timespec until = { rt.tv_sec, rt.tv_nsec };
	until.tv_nsec += 5000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL) == 0,
	      "absolute sleep on REALTIME");
	clock_gettime(CLOCK_REALTIME, &rt);
	CHECK(ns_of(&rt) >= ns_of(&until), "REALTIME reached the deadline");
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &req, NULL) == 0,
	      "sleep on BOOTTIME");
}

/* Spin until CLOCK_PROCESS_CPUTIME_ID shows @want_ns, or BUSY_LIMIT_SEC of wall time pass. */
static long long busy(long long want_ns)
{
	struct timespec c, w0, w;
	clock_gettime(CLOCK_MONOTONIC, &w0);
	do {
		for (volatile int i = 0; i < 10000; i++)
			;
		syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &c);
		clock_gettime(CLOCK_MONOTONIC, &w);
	} while (ns_of(&c) < want_ns && w.tv_sec - w0.tv_sec < BUSY_LIMIT_SEC);
	return ns_of(&c);
}

static void mode_cpu(void)
{
	struct tms t, t0;
	struct timespec th;
	int status;

	syscall(SYS_times, &t0); /* the start (exec, first-touch faults) is system time */
	long long got = busy(CPU_WANT_NS);
	CHECK(got >= CPU_WANT_NS, "a busy loop accumulates CPU time (%lld ns)", got);
	CHECK(syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, &th) == 0 &&
	          ns_of(&th) >= CPU_WANT_NS,
	      "the thread's CPU clock agrees (%lld)", ns_of(&th));
	long r = syscall(SYS_times, &t);
	CHECK(r >= 0 && t.tms_utime + t.tms_stime >= CPU_WANT_CLOCKS,
	      "times: utime %ld stime %ld (ticks of 1/100 s)", (long)t.tms_utime,
	      (long)t.tms_stime);
	CHECK(t.tms_utime - t0.tms_utime >= t.tms_stime - t0.tms_stime,
	      "a busy loop is mostly user time (%ld >= %ld ticks during it)",
	      (long)(t.tms_utime - t0.tms_utime), (long)(t.tms_stime - t0.tms_stime));
	CHECK(t.tms_cutime == 0, "no child waited for yet");
	CHECK(syscall(SYS_times, NULL) >= 0, "times(NULL)");
	CHECK(syscall(SYS_times, (void *)0xC0000000) == -1 && errno == EFAULT, "times: EFAULT");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(busy(CPU_WANT_NS) >= CPU_WANT_NS ? 0 : 1);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && status == 0, "busy child");
	syscall(SYS_times, &t);
	CHECK(t.tms_cutime + t.tms_cstime >= CPU_WANT_CLOCKS,
	      "the waited-for child's time shows in cutime (%ld)", (long)t.tms_cutime);
}

static void mode_ids(void)
{
	uint32_t r = 7, e = 7, s = 7;
	uint16_t r16 = 7, e16 = 7, s16 = 7;

	CHECK(syscall(SYS_getresuid32, &r, &e, &s) == 0 && !r && !e && !s, "getresuid32");
	r = e = s = 7;
	CHECK(syscall(SYS_getresgid32, &r, &e, &s) == 0 && !r && !e && !s, "getresgid32");
	CHECK(syscall(SYS_getresuid, &r16, &e16, &s16) == 0 && !r16 && !e16 && !s16,
	      "getresuid (16-bit)");
	r16 = e16 = s16 = 7;
	CHECK(syscall(SYS_getresgid, &r16, &e16, &s16) == 0 && !r16 && !e16 && !s16,
	      "getresgid (16-bit)");
	r = 7;
	CHECK(syscall(SYS_getresuid32, &r, NULL, &s) == -1 && errno == EFAULT && r == 0,
	      "getresuid32 stores ruid, then EFAULT on a NULL euid");
	CHECK(syscall(SYS_getuid) == 0 && syscall(SYS_geteuid) == 0 && syscall(SYS_getgid) == 0 &&
	          syscall(SYS_getegid) == 0,
	      "the 16-bit ids");
}

static void mode_misc(void)
{
	char name[32];
	unsigned char buf[16];
	long r;

	CHECK(syscall(SYS_prctl, PR_SET_NAME, "renamed", 0, 0, 0) == 0, "PR_SET_NAME");
	memset(name, 'x', sizeof(name));
	CHECK(syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0) == 0 && !strcmp(name, "renamed"),
	      "PR_GET_NAME reads it back (%.16s)", name);
	CHECK(syscall(SYS_prctl, PR_SET_NAME, "a-name-longer-than-fifteen", 0, 0, 0) == 0 &&
	          syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0) == 0 &&
	          !strcmp(name, "a-name-longer-t"),
	      "a long name is cut to 15 bytes (%.16s)", name);
	CHECK(syscall(SYS_prctl, PR_SET_NAME, (void *)0xC0000000, 0, 0, 0) == -1 && errno == EFAULT,
	      "PR_SET_NAME of a kernel address: EFAULT");
	CHECK(syscall(SYS_prctl, 0x7fff, 0, 0, 0, 0) == -1 && errno == EINVAL,
	      "an unknown prctl option: EINVAL");
	CHECK(syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0) == 1, "PR_GET_DUMPABLE is 1");

	CHECK(syscall(SYS_getpriority, PRIO_PROCESS, 0) == 20, "getpriority is 20 - nice 0");
	CHECK(syscall(SYS_setpriority, PRIO_PROCESS, 0, 5) == 0 &&
	          syscall(SYS_getpriority, PRIO_PROCESS, 0) == 15,
	      "setpriority(5) reads back as 15");
	CHECK(syscall(SYS_setpriority, PRIO_PROCESS, 0, 100) == 0 &&
	          syscall(SYS_getpriority, PRIO_PROCESS, getpid()) == 1,
	      "nice clamps to 19");
	CHECK(syscall(SYS_getpriority, 3, 0) == -1 && errno == EINVAL, "bad which: EINVAL");
	CHECK(syscall(SYS_getpriority, PRIO_PROCESS, 999999) == -1 && errno == ESRCH,
	      "no such pid: ESRCH");
	CHECK(syscall(SYS_getpriority, PRIO_USER, 0) >= 1, "PRIO_USER of root");

	CHECK(syscall(SYS_set_robust_list, buf, 12) == 0, "set_robust_list(12 bytes)");
	CHECK(syscall(SYS_set_robust_list, buf, 11) == -1 && errno == EINVAL,
	      "set_robust_list of another size: EINVAL");
	/* Strata has no rseq (ENOSYS, which glibc takes as "none"); Linux refuses these
	 * arguments (EINVAL). */
	CHECK(syscall(386, buf, 32, 0, 0) == -1 && (errno == ENOSYS || errno == EINVAL),
	      "rseq: ENOSYS (Strata) or EINVAL (Linux, bad arguments)");
	static const long unknown[] = { 450, 451, 1000, 5000, 0x7fffffff, -1, (long)0x80000000 };
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		r = syscall(unknown[i]);
		CHECK(r == -1 && errno == ENOSYS, "syscall %#lx: ENOSYS", unknown[i]);
	}
	r = syscall(SYS_getrandom, buf, sizeof(buf), 1);
	CHECK(r == 16 || (r == -1 && errno == EAGAIN),
	      "getrandom GRND_NONBLOCK: 16, or EAGAIN while the pool is not ready (Linux at boot)");
	CHECK(syscall(SYS_getrandom, buf, sizeof(buf), 2) == 16, "getrandom GRND_RANDOM");
	CHECK(syscall(SYS_getrandom, buf, sizeof(buf), 4) == 16, "getrandom GRND_INSECURE");
	CHECK(syscall(SYS_getrandom, buf, sizeof(buf), 6) == -1 && errno == EINVAL,
	      "GRND_INSECURE | GRND_RANDOM: EINVAL");
	CHECK(syscall(SYS_getrandom, buf, sizeof(buf), 8) == -1 && errno == EINVAL,
	      "unknown flag: EINVAL");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(mode, "rlimit"))
		mode_rlimit(argv[0]);
	else if (!strcmp(mode, "rlimit-child"))
		return rlimit_child();
	else if (!strcmp(mode, "clocks"))
		mode_clocks();
	else if (!strcmp(mode, "sleep"))
		mode_sleep();
	else if (!strcmp(mode, "cpu"))
		mode_cpu();
	else if (!strcmp(mode, "ids"))
		mode_ids();
	else if (!strcmp(mode, "misc"))
		mode_misc();
	else {
		printf("usys: unknown mode '%s'\n", mode);
		return 100;
	}
	return failures;
}
