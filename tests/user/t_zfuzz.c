/* t_zfuzz (named to run last): a syscall fuzzer. From a fixed seed it draws syscall numbers in
 * 0..450 until it has made 100,000 calls, with random arguments drawn per argument kind: small
 * ints, -1, pointers into a scratch area, NULL, kernel addresses, an unmapped page. Only the
 * whitelisted calls below are made (the rest are counted as skipped, with the reasons in the
 * deny table), so that it can also run harmlessly as root on a Linux host: nothing writes
 * files, changes ids, limits, time, mounts or signal handling, blocks, or ends the process;
 * memory calls act only on the scratch area. It runs in a forked child so a kernel bug that
 * kills it is reported; it passes when the child completes; then (Strata only) free memory is
 * back at its baseline. What a call returns is not judged: the kernel must just survive it. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum {
	CALLS = 100000,
	WARMUP_CALLS = 2000,
	MAX_NR = 450,
	SCRATCH_PAGES = 16,
	SCRATCH = SCRATCH_PAGES * 4096
};

/* Argument kinds. */
enum kind {
	Z,     /* always 0 */
	INT,   /* small ints, -1, big values */
	LEN,   /* a length: mostly 0..4096, sometimes huge */
	PTR,   /* into the scratch area, or NULL / kernel / unmapped / straddling / -1 */
	FD,    /* one of our own fds (never 0-2), or -1, or a closed number */
	PATH,  /* a path from a pool (data files, /, missing, empty), or a bad pointer */
	OFLAG, /* open flags without any write, create or truncate bit */
	SADDR, /* a page-aligned address inside the scratch area */
	SLEN,  /* a length that stays inside the scratch area from SADDR */
	MFLAG, /* MAP_FIXED plus MAP_PRIVATE or MAP_SHARED, maybe MAP_ANONYMOUS */
	RFLAG, /* mremap flags: 0 or MREMAP_MAYMOVE, never MREMAP_FIXED */
	PROT,  /* 0..7 */
	WOPT,  /* wait options, always with WNOHANG */
	PID,   /* 0, -1, 1, self, parent, a missing pid */
	IOV,   /* a freshly built iovec array whose bases point into scratch or are bad */
	TMO0,  /* a zero timeout (struct timeval/timespec) */
	FCMD,  /* harmless fcntl commands (no locks that wait, no signals, no O_ASYNC) */
	ICMD,  /* harmless ioctl commands (queries) */
	RNOBL, /* getrandom flags with GRND_NONBLOCK */
	CLOCK, /* clock ids -1..15 */
	MADV,  /* harmless madvise advice (never MADV_HWPOISON / MADV_SOFT_OFFLINE: root on a host)
	        */
};

struct allowed {
	int nr;
	const char *name;
	enum kind a[6];
};

/* The whitelist: everything else in 0..450 is skipped (see deny_reasons). */
static const struct allowed allowed[] = {
	{ SYS_read, "read", { FD, PTR, LEN } },
	{ SYS_write,
	  "write",
	  { FD, PTR, LEN } }, /* our fds: read-only file, dir, non-blocking pipe */
	{ SYS_open, "open", { PATH, OFLAG, INT } },
	{ SYS_waitpid, "waitpid", { PID, PTR, WOPT } },
	{ SYS_chdir, "chdir", { PATH } }, /* only this child's cwd; every path we use is absolute */
	{ SYS_time, "time", { PTR } },
	{ SYS_lseek, "lseek", { FD, INT, INT } },
	{ SYS_getpid, "getpid", { Z } },
	{ SYS_getuid, "getuid", { Z } },
	{ SYS_access, "access", { PATH, INT } },
	{ SYS_dup, "dup", { FD } },
	{ SYS_pipe, "pipe", { PTR } },
	{ SYS_times, "times", { PTR } },
	{ SYS_getgid, "getgid", { Z } },
	{ SYS_geteuid, "geteuid", { Z } },
	{ SYS_getegid, "getegid", { Z } },
	{ SYS_ioctl, "ioctl", { FD, ICMD, PTR } },
	{ SYS_fcntl, "fcntl", { FD, FCMD, INT } },
	{ SYS_oldolduname, "oldolduname", { PTR } },
	{ SYS_umask, "umask", { INT } }, /* affects only files this child would create: none */
	{ SYS_dup2, "dup2", { FD, FD } },
	{ SYS_getppid, "getppid", { Z } },
	{ SYS_getpgrp, "getpgrp", { Z } },
	{ SYS_sigpending, "sigpending", { PTR } },
	{ SYS_getrlimit, "getrlimit", { INT, PTR } },
	{ SYS_getrusage, "getrusage", { INT, PTR } },
	{ SYS_gettimeofday, "gettimeofday", { PTR, PTR } },
	{ SYS_readlink, "readlink", { PATH, PTR, LEN } },
	{ SYS_oldstat, "oldstat", { PATH, PTR } },
	{ SYS_oldlstat, "oldlstat", { PATH, PTR } },
	{ SYS_oldfstat, "oldfstat", { FD, PTR } },
	{ SYS_readdir, "readdir", { FD, PTR, INT } },
	{ SYS_munmap, "munmap", { SADDR, SLEN } },
	{ SYS_getpriority, "getpriority", { INT, INT } },
	{ SYS_stat, "stat", { PATH, PTR } },
	{ SYS_lstat, "lstat", { PATH, PTR } },
	{ SYS_fstat, "fstat", { FD, PTR } },
	{ SYS_olduname, "olduname", { PTR } },
	{ SYS_wait4, "wait4", { PID, PTR, WOPT, PTR } },
	{ SYS_sysinfo, "sysinfo", { PTR } },
	{ SYS_uname, "uname", { PTR } },
	{ SYS_mprotect, "mprotect", { SADDR, SLEN, PROT } },
	{ SYS_getpgid, "getpgid", { PID } },
	{ SYS_fchdir, "fchdir", { FD } },
	{ SYS__llseek, "_llseek", { FD, INT, INT, PTR, INT } },
	{ SYS_getdents, "getdents", { FD, PTR, LEN } },
	{ SYS__newselect, "_newselect", { INT, PTR, PTR, PTR, TMO0 } },
	{ SYS_msync, "msync", { SADDR, SLEN, INT } },
	{ SYS_readv, "readv", { FD, IOV, INT } },
	{ SYS_writev, "writev", { FD, IOV, INT } },
	{ SYS_getsid, "getsid", { PID } },
	{ SYS_fdatasync, "fdatasync", { FD } },
	{ SYS_sched_getparam, "sched_getparam", { PID, PTR } },
	{ SYS_sched_getscheduler, "sched_getscheduler", { PID } },
	{ SYS_sched_yield, "sched_yield", { Z } },
	{ SYS_sched_get_priority_max, "sched_get_priority_max", { INT } },
	{ SYS_sched_get_priority_min, "sched_get_priority_min", { INT } },
	{ SYS_sched_rr_get_interval, "sched_rr_get_interval", { PID, PTR } },
	{ SYS_mremap, "mremap", { SADDR, SLEN, SLEN, RFLAG } },
	{ SYS_poll, "poll", { PTR, INT, Z } }, /* timeout 0 */
	{ SYS_getresuid, "getresuid", { PTR, PTR, PTR } },
	{ SYS_getresgid, "getresgid", { PTR, PTR, PTR } },
	{ SYS_rt_sigpending, "rt_sigpending", { PTR, INT } },
	{ SYS_pread64, "pread64", { FD, PTR, LEN, INT, INT } },
	{ SYS_pwrite64,
	  "pwrite64",
	  { FD, PTR, LEN, INT, INT } }, /* our fds are not writable files */
	{ SYS_getcwd, "getcwd", { PTR, LEN } },
	{ SYS_capget, "capget", { PTR, PTR } },
	{ SYS_sendfile, "sendfile", { FD, FD, PTR, LEN } },
	{ SYS_ugetrlimit, "ugetrlimit", { INT, PTR } },
	{ SYS_mmap2, "mmap2", { SADDR, SLEN, PROT, MFLAG, FD, INT } },
	{ SYS_stat64, "stat64", { PATH, PTR } },
	{ SYS_lstat64, "lstat64", { PATH, PTR } },
	{ SYS_fstat64, "fstat64", { FD, PTR } },
	{ SYS_getuid32, "getuid32", { Z } },
	{ SYS_getgid32, "getgid32", { Z } },
	{ SYS_geteuid32, "geteuid32", { Z } },
	{ SYS_getegid32, "getegid32", { Z } },
	{ SYS_getgroups32, "getgroups32", { INT, PTR } },
	{ SYS_getresuid32, "getresuid32", { PTR, PTR, PTR } },
	{ SYS_getresgid32, "getresgid32", { PTR, PTR, PTR } },
	{ SYS_mincore, "mincore", { SADDR, SLEN, PTR } },
	{ SYS_madvise, "madvise", { SADDR, SLEN, MADV } },
	{ SYS_getdents64, "getdents64", { FD, PTR, LEN } },
	{ SYS_fcntl64, "fcntl64", { FD, FCMD, INT } },
	{ SYS_gettid, "gettid", { Z } },
	{ SYS_sendfile64, "sendfile64", { FD, FD, PTR, LEN } },
	{ SYS_sched_getaffinity, "sched_getaffinity", { PID, LEN, PTR } },
	{ SYS_clock_gettime, "clock_gettime", { CLOCK, PTR } },
	{ SYS_clock_getres, "clock_getres", { CLOCK, PTR } },
	{ SYS_statfs64, "statfs64", { PATH, LEN, PTR } },
	{ SYS_fstatfs64, "fstatfs64", { FD, LEN, PTR } },
	{ SYS_waitid, "waitid", { INT, PID, PTR, WOPT, PTR } },
	{ SYS_openat, "openat", { FD, PATH, OFLAG, INT } },
	{ SYS_fstatat64, "fstatat64", { FD, PATH, PTR, INT } },
	{ SYS_readlinkat, "readlinkat", { FD, PATH, PTR, LEN } },
	{ SYS_faccessat, "faccessat", { FD, PATH, INT } },
	{ SYS_getcpu, "getcpu", { PTR, PTR, PTR } },
	{ SYS_dup3, "dup3", { FD, FD, INT } },
	{ SYS_pipe2, "pipe2", { PTR, INT } },
	{ SYS_getrandom, "getrandom", { PTR, LEN, RNOBL } },
	{ SYS_statx, "statx", { FD, PATH, INT, INT, PTR } },
	{ SYS_clock_gettime64, "clock_gettime64", { CLOCK, PTR } },
	{ SYS_clock_getres_time64, "clock_getres_time64", { CLOCK, PTR } },
	{ SYS_sched_rr_get_interval_time64, "sched_rr_get_interval_time64", { PID, PTR } },
	{ SYS_faccessat2, "faccessat2", { FD, PATH, INT, INT } },
	/* Numbers with no system call on i386 (Linux returns ENOSYS; so must Strata). */
	{ 17, "break (none)", { INT, INT } },
	{ 31, "stty (none)", { INT, INT } },
	{ 32, "gtty (none)", { INT, INT } },
	{ 35, "ftime (none)", { INT, INT } },
	{ 44, "prof (none)", { INT, INT } },
	{ 53, "lock (none)", { INT, INT } },
	{ 56, "mpx (none)", { INT, INT } },
	{ 58, "ulimit (none)", { INT, INT } },
	{ 98, "profil (none)", { INT, INT } },
	{ 137, "afs_syscall (none)", { INT, INT } },
	{ 188, "getpmsg (none)", { INT, INT } },
	{ 189, "putpmsg (none)", { INT, INT } },
	{ 222, "(unused 222)", { INT, INT } },
	{ 223, "(unused 223)", { INT, INT } },
	{ 251, "(unused 251)", { INT, INT } },
	{ 285, "(unused 285)", { INT, INT } },
};
enum { NALLOWED = sizeof allowed / sizeof allowed[0] };

/* Why the rest is not called (documentation; every number not whitelisted is skipped). */
static const struct deny {
	const char *calls;
	const char *reason;
} deny_reasons[] = {
	{ "exit, exit_group", "end the fuzzer" },
	{ "fork, vfork, clone, clone3", "new processes or threads running fuzzer state" },
	{ "execve, execveat", "replace the fuzzer" },
	{ "kill, tkill, tgkill, pidfd_send_signal, rt_sigqueueinfo, rt_tgsigqueueinfo",
	  "can kill the fuzzer or its parent" },
	{ "pause, sigsuspend, rt_sigsuspend, rt_sigtimedwait, nanosleep, clock_nanosleep, futex, "
	  "epoll_wait, select without timeout",
	  "block" },
	{ "alarm, setitimer, timer_create/settime, timerfd", "deliver a fatal signal later" },
	{ "sigreturn, rt_sigreturn", "restore a garbage register frame (kills the fuzzer)" },
	{ "signal, sigaction, rt_sigaction, sigprocmask, rt_sigprocmask, sigaltstack",
	  "change how the fuzzer is signalled" },
	{ "set_thread_area, set_tid_address, modify_ldt, set_robust_list, rseq, vm86, iopl, "
	  "ioperm, "
	  "arch_prctl",
	  "break TLS, segments or exit" },
	{ "brk", "could shrink the heap under malloc (mmap-family calls are confined to the "
	         "scratch area)" },
	{ "mlock*, munlock*, swapon, swapoff, mlockall", "pin or swap host memory" },
	{ "setrlimit, prlimit64, setpriority, sched_set*, personality, prctl",
	  "change limits or how the process runs" },
	{ "set*id*, setgroups, capset, setsid, setpgid, chroot, pivot_root, unshare, setns",
	  "change identity or view of the system" },
	{ "creat, unlink*, rename*, mkdir*, rmdir, link*, symlink*, mknod*, chmod*, chown*, "
	  "truncate*, "
	  "utime*, *xattr, sync*, flock",
	  "write or lock files (root on the host)" },
	{ "mount, umount, quotactl, nfsservctl, syslog, acct, reboot, kexec_*, "
	  "init/finit/delete_module, sysctl, bpf, perf_event_open",
	  "administer the system" },
	{ "settimeofday, stime, adjtimex, clock_settime, clock_adjtime, sethostname, setdomainname",
	  "change host-wide settings" },
	{ "close, close_range",
	  "could close the fuzzer's own fds (extra fds are closed by the fuzzer itself)" },
	{ "socketcall, ipc, msg*, sem*, shm*, mq_*, io_*, io_uring_*, keyctl, add_key, request_key",
	  "shared or networked state, or pointer-laden structs" },
	{ "ptrace, process_vm_*, kcmp, pidfd_*, openat2, open_by_handle_at, memfd_*, userfaultfd, "
	  "landlock_*, fanotify_*, inotify_*, others",
	  "not on the whitelist: effects not reviewed for a host run" },
};

static unsigned rng_state = 0x2545F491u;
static unsigned rnd(void)
{
	unsigned x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

static unsigned char *scratch; /* SCRATCH bytes, page-aligned, at a fixed address once mapped */
static unsigned long unmapped_addr;
static int pool_fd[4]; /* file (O_RDONLY), data dir, pipe read end, pipe write end */
static const char *paths[8];
static struct iovec iov_area[8];
static union {
	struct timeval tv;
	struct timespec ts;
} tmo;

static unsigned long bad_ptr(void)
{
	static const unsigned long bad[] = {
		0, 0xC0000000UL, 0xFFFFF000UL, 0xFFFFFFFFUL, 0xBFFFFFF0UL, 4096, 1
	};
	unsigned r = rnd() % 8;
	return r < 7 ? bad[r] : unmapped_addr;
}

static unsigned long scratch_ptr(void)
{
	return (unsigned long)scratch + rnd() % SCRATCH;
}

static unsigned long arg(enum kind k, unsigned long prev)
{
	unsigned r = rnd();
	switch (k) {
	case Z:
		return 0;
	case INT: {
		static const unsigned long v[] = {
			0, 1, 2, 3, 4, 5, 8, 16, 0xffffffffUL, 0x7fffffffUL, 0x80000000UL, 4096
		};
		return r % 4 == 0 ? rnd() : v[r % 12];
	}
	case LEN:
		return r % 10 == 0 ? (r % 20 == 0 ? 0xffffffffUL : 0x80000000UL) : rnd() % 4097;
	case PTR:
		return r % 10 < 7 ? scratch_ptr() : bad_ptr();
	case FD: {
		unsigned i = r % 7;
		return i < 4    ? (unsigned long)pool_fd[i]
		       : i == 4 ? 0xffffffffUL
		       : i == 5 ? 1000
		                : 60;
	}
	case PATH:
		return r % 10 < 8    ? (unsigned long)paths[r % 8]
		       : r % 10 == 8 ? scratch_ptr()
		                     : bad_ptr();
	case OFLAG: {
		static const int f[] = { O_NONBLOCK, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC,
			                 O_NOATIME,  O_PATH,      O_LARGEFILE };
		int fl = O_RDONLY;
		for (int i = 0; i < 7; i++)
			if (rnd() % 3 == 0)
				fl |= f[i];
		return fl | O_NONBLOCK; /* never block, even on a fifo */
	}
	case SADDR:
		return (unsigned long)scratch + (r % SCRATCH_PAGES) * 4096 +
		       (r % 16 == 0); /* sometimes unaligned */
	case SLEN: {
		unsigned long room = (unsigned long)scratch + SCRATCH - (prev & ~4095UL);
		unsigned long l = ((rnd() % SCRATCH_PAGES) + 1) * 4096UL;
		return r % 16 == 0 ? 0 : (l > room ? room : l);
	}
	case MFLAG:
		return MAP_FIXED | (r & 1 ? MAP_PRIVATE : MAP_SHARED) | (r & 2 ? MAP_ANONYMOUS : 0);
	case RFLAG:
		return r & 1 ? MREMAP_MAYMOVE : 0;
	case PROT:
		return r % 8;
	case WOPT:
		return WNOHANG | (r & 1 ? WUNTRACED : 0) | (r & 2 ? WEXITED : 0);
	case PID: {
		long v[] = { 0, -1, 1, getpid(), getppid(), 0x3ffffff0 };
		return (unsigned long)v[r % 6];
	}
	case IOV:
		for (int i = 0; i < 8; i++) {
			iov_area[i].iov_base = (void *)(rnd() % 4 ? scratch_ptr() : bad_ptr());
			iov_area[i].iov_len = rnd() % 2048;
		}
		return r % 8 ? (unsigned long)iov_area : bad_ptr();
	case TMO0:
		memset(&tmo, 0, sizeof tmo);
		return (unsigned long)&tmo;
	case FCMD: {
		static const int c[] = { F_GETFD, F_SETFD,  F_GETFL,      F_DUPFD, F_DUPFD_CLOEXEC,
			                 F_GETLK, F_GETOWN, F_GETPIPE_SZ, 9999 };
		return c[r % 9];
	}
	case ICMD: {
		static const unsigned long c[] = { TCGETS,   TIOCGWINSZ, FIONREAD,     FIOCLEX,
			                           FIONCLEX, TIOCGPGRP,  0xdeadbeefUL, 0 };
		return c[r % 8];
	}
	case RNOBL:
		return 1 /* GRND_NONBLOCK */ | (r & 2);
	case CLOCK:
		return (unsigned long)((int)(r % 17) - 1);
	case MADV: {
		static const unsigned long a[] = { MADV_NORMAL,   MADV_RANDOM,   MADV_SEQUENTIAL,
			                           MADV_WILLNEED, MADV_DONTNEED, MADV_FREE,
			                           9999 };
		return a[r % 7];
	}
	}
	return 0;
}

static const char *path_pool_storage[8];

static void setup_pool(void)
{
	static char p[5][512];
	snprintf(p[0], 512, "%s", data_path("hello.txt"));
	snprintf(p[1], 512, "%s", data_path("link"));
	snprintf(p[2], 512, "%s", data_dir());
	snprintf(p[3], 512, "%s", data_path("dir/nested.txt"));
	snprintf(p[4], 512, "%s", data_path("missing"));
	const char *pp[8] = { p[0], p[1], p[2], p[3], p[4], "/", "", "/test/../test/./data" };
	memcpy(path_pool_storage, pp, sizeof pp);
	memcpy(paths, pp, sizeof pp);
}

/* Puts the fuzzer's own resources back: the scratch area, the fds (non-blocking pipe), and
 * closes every extra fd the fuzzed calls created. */
static void restore(void)
{
	void *m = mmap(scratch, SCRATCH, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	(void)m;
	for (int fd = 3; fd <= 64 || fd == 1000; fd = fd == 64 ? 1000 : fd + 1) {
		int mine = 0;
		for (int i = 0; i < 4; i++)
			mine |= fd == pool_fd[i];
		if (!mine)
			close(fd); /* fds the fuzzed calls made: 3..64 by lowest-free allocation,
			              1000 by dup2 */
		if (fd == 1000)
			break;
	}
	fcntl(pool_fd[2], F_SETFL, O_NONBLOCK);
	fcntl(pool_fd[3], F_SETFL, O_NONBLOCK);
	char buf[512];
	while (read(pool_fd[2], buf, sizeof buf) > 0)
		;
}

static void fuzz(int calls)
{
	signal(SIGPIPE, SIG_IGN); /* a dup2 over the pipe's read end must not kill the writer */
	setup_pool();
	scratch =
	    mmap(NULL, SCRATCH + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		_exit(90);
	unmapped_addr = (unsigned long)scratch + SCRATCH;
	munmap((void *)unmapped_addr, 4096);
	int p[2];
	pool_fd[0] = open(paths[0], O_RDONLY);
	pool_fd[1] = open(paths[2], O_RDONLY | O_DIRECTORY);
	if (pool_fd[0] < 0 || pool_fd[1] < 0 || pipe(p) != 0)
		_exit(91);
	pool_fd[2] = p[0];
	pool_fd[3] = p[1];
	restore();

	static int index_of[MAX_NR + 1];
	for (int i = 0; i <= MAX_NR; i++)
		index_of[i] = -1;
	for (int i = 0; i < NALLOWED; i++)
		index_of[allowed[i].nr] = i;

	static unsigned long per_nr[MAX_NR + 1];
	long made = 0, skipped = 0, enosys = 0;
	while (made < calls) {
		int nr = rnd() % (MAX_NR + 1);
		int i = index_of[nr];
		if (i < 0) {
			skipped++;
			continue;
		}
		unsigned long a[6], prev = 0;
		for (int k = 0; k < 6; k++)
			prev = a[k] = arg(allowed[i].a[k], prev);
		/* A fresh scratch header each time: nothing the kernel follows can point elsewhere.
		 */
		if (made % 64 == 0)
			for (int w = 0; w < 64; w++)
				if (mprotect(scratch, 4096, PROT_READ | PROT_WRITE) == 0)
					((unsigned long *)scratch)[w] =
					    w & 1 ? scratch_ptr() : rnd() % 64;
		long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (r == -1 && errno == ENOSYS)
			enosys++;
		per_nr[nr]++;
		made++;
		if (made % 500 == 0)
			restore();
	}
	int distinct = 0;
	for (int n = 0; n <= MAX_NR; n++)
		distinct += per_nr[n] != 0;
	printf("    # fuzzer child: %ld calls to %d distinct numbers (%ld ENOSYS), %ld draws "
	       "skipped (not whitelisted)\n",
	       made, distinct, enosys, skipped);
	fflush(stdout);
	_exit(0);
}

static int g_calls;
static void fuzz_child(void)
{
	fuzz(g_calls);
}

int main(void)
{
	note("whitelist: %d numbers; everything else in 0..%d is skipped, for these reasons:",
	     NALLOWED, MAX_NR);
	for (unsigned i = 0; i < sizeof deny_reasons / sizeof deny_reasons[0]; i++)
		note("  skip %s: %s", deny_reasons[i].calls, deny_reasons[i].reason);

	g_calls = WARMUP_CALLS;
	int st = run_child(fuzz_child);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a warm-up fuzzer child (%d calls) completes (%s)", WARMUP_CALLS, status_str(st));
	unsigned long long base = free_ram_bytes();
	rng_state = 0x2545F491u ^ 0x9e3779b9u; /* fixed seed for the real run */
	g_calls = CALLS;
	st = run_child(fuzz_child);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the fuzzer child completes %d calls (%s)",
	      CALLS, status_str(st));
	check_free_ram_back(base, "the fuzzer");
	int ok = WIFEXITED(st);
	check(ok && getppid() > 0 && kill(getpid(), 0) == 0, "the parent test is unharmed");
	return done();
}
