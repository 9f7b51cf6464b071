/* t_efault: every syscall that takes a user pointer fails with EFAULT, and does nothing else,
 * when the pointer is NULL, in the kernel half (0xC0000000, 0xFFFFF000), on an unmapped page,
 * or a range that starts in the last user page and runs into the kernel half (0xC0000000 -
 * size/2); where NULL means "no argument" (old-value pointers, optional results) the call must
 * succeed instead. A straddling range is judged as Linux judges it: most calls check or copy
 * the whole range at once (EFAULT, nothing written), but getdents64, readlink and getcwd check
 * and write only the bytes they produce (output that fits below 0xC0000000 is written exactly
 * as into an ordinary buffer; output that crosses it fails with EFAULT, nothing written;
 * getdents64 returns the entries that fit when a later one would cross), and gettimeofday
 * stores its fields one by one (tv_sec below the boundary is stored, tv_usec faults). Calls go
 * through syscall(2) so glibc cannot intercept. Then all of it 1,000 times: results stay the
 * same and (Strata only) free memory is back at its baseline exactly. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_clock_gettime64
#define SYS_clock_gettime64 403
#endif

static int fd_file = -1, fd_dir = -1, pipe_r = -1, pipe_w = -1; /* -1: setup failed */
static char path_hello[512], path_link[512], path_dir[512];
static int have_tty;

enum dir { IN, OUT }; /* IN: the kernel reads the user memory; OUT: it writes it */

struct scase {
	const char *name;
	enum dir dir;
	unsigned size; /* bytes the kernel would access at the pointer */
	long (*fn)(void *bad);
	int null_ok; /* NULL is a valid "no such argument" here: the call must succeed */
};

static void drain_pipe(void)
{
	char buf[512];
	int e = errno;
	while (read(pipe_r, buf, sizeof buf) > 0)
		;
	errno = e;
}

static long c_read(void *b)
{
	lseek(fd_file, 0, SEEK_SET);
	return syscall(SYS_read, fd_file, b, 64);
}
static long c_write(void *b)
{
	long r = syscall(SYS_write, pipe_w, b, 64);
	drain_pipe();
	return r;
}
static long c_open(void *b)
{
	return syscall(SYS_open, b, O_RDONLY);
}
static long c_openat(void *b)
{
	return syscall(SYS_openat, AT_FDCWD, b, O_RDONLY);
}
static long c_stat64_path(void *b)
{
	char st[128];
	return syscall(SYS_stat64, b, st);
}
static long c_stat64_buf(void *b)
{
	return syscall(SYS_stat64, path_hello, b);
}
static long c_lstat64_buf(void *b)
{
	return syscall(SYS_lstat64, path_link, b);
}
static long c_fstat64(void *b)
{
	return syscall(SYS_fstat64, fd_file, b);
}
static long c_statx_path(void *b)
{
	char st[256];
	return syscall(SYS_statx, AT_FDCWD, b, 0, STATX_BASIC_STATS, st);
}
static long c_statx_buf(void *b)
{
	return syscall(SYS_statx, AT_FDCWD, path_hello, 0, STATX_BASIC_STATS, b);
}
static long c_getdents64(void *b)
{
	lseek(fd_dir, 0, SEEK_SET);
	return syscall(SYS_getdents64, fd_dir, b, 1024);
}
static long c_readlink_path(void *b)
{
	char buf[64];
	return syscall(SYS_readlink, b, buf, sizeof buf);
}
static long c_readlink_buf(void *b)
{
	return syscall(SYS_readlink, path_link, b, 64);
}
static long c_uname(void *b)
{
	return syscall(SYS_uname, b);
}
static long c_sysinfo(void *b)
{
	return syscall(SYS_sysinfo, b);
}
static long c_clock_gettime(void *b)
{
	return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, b);
}
static long c_clock_gettime64(void *b)
{
	return syscall(SYS_clock_gettime64, CLOCK_MONOTONIC, b);
}
static long c_clock_getres(void *b)
{
	return syscall(SYS_clock_getres, CLOCK_MONOTONIC, b);
}
static long c_gettimeofday(void *b)
{
	return syscall(SYS_gettimeofday, b, NULL);
}
static long c_time(void *b)
{
	return syscall(SYS_time, b);
}
static long c_nanosleep(void *b)
{
	return syscall(SYS_nanosleep, b, NULL);
}
static long c_clock_nanosleep(void *b)
{
	return syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, b, NULL);
}
static long c_getrandom(void *b)
{
	return syscall(SYS_getrandom, b, 16, 0);
}
static long c_set_thread_area(void *b)
{
	return syscall(SYS_set_thread_area, b);
}
static long c_prlimit_old(void *b)
{
	return syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, b);
}
static long c_prlimit_new(void *b)
{
	return syscall(SYS_prlimit64, 0, RLIMIT_STACK, b, NULL);
}
static long c_ugetrlimit(void *b)
{
	return syscall(SYS_ugetrlimit, RLIMIT_STACK, b);
}
static long c_sigaction_act(void *b)
{
	return syscall(SYS_rt_sigaction, SIGUSR2, b, NULL, 8);
}
static long c_sigaction_old(void *b)
{
	return syscall(SYS_rt_sigaction, SIGUSR2, NULL, b, 8);
}
static long c_sigprocmask_set(void *b)
{
	return syscall(SYS_rt_sigprocmask, SIG_BLOCK, b, NULL, 8);
}
static long c_sigprocmask_old(void *b)
{
	return syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, b, 8);
}
static long c_pipe(void *b)
{
	return syscall(SYS_pipe, b);
}
static long c_getcwd(void *b)
{
	return syscall(SYS_getcwd, b, 64);
}
static long c_access(void *b)
{
	return syscall(SYS_access, b, F_OK);
}
static long c_chdir(void *b)
{
	return syscall(SYS_chdir, b);
}
static long c_writev_iov(void *b)
{
	long r = syscall(SYS_writev, pipe_w, b, 1);
	drain_pipe();
	return r;
}
static long c_writev_base(void *b)
{
	struct iovec iov[2] = { { "ok", 2 }, { b, 16 } };
	long r = syscall(SYS_writev, pipe_w, iov, 2);
	drain_pipe();
	return r;
}
static long c_readv_base(void *b)
{
	struct iovec iov = { b, 16 };
	lseek(fd_file, 0, SEEK_SET);
	return syscall(SYS_readv, fd_file, &iov, 1);
}
static long c_llseek(void *b)
{
	return syscall(SYS__llseek, fd_file, 0, 0, b, SEEK_SET);
}
static long c_tcgets(void *b)
{
	return syscall(SYS_ioctl, 1, TCGETS, b);
}
static long c_wait4(void *b)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	long r = syscall(SYS_wait4, pid, b, 0, NULL);
	int e = errno;
	/* Linux reaps the child before it fails to store the status: nothing may be left. */
	if (syscall(SYS_wait4, pid, NULL, WNOHANG, NULL) != -1 || errno != ECHILD) {
		waitpid(pid, NULL, 0);
		return -2;
	}
	errno = e;
	return r;
}

static const struct scase cases[] = {
	{ "read (buffer)", OUT, 64, c_read, 0 },
	{ "write (buffer)", IN, 64, c_write, 0 },
	{ "open (path)", IN, 16, c_open, 0 },
	{ "openat (path)", IN, 16, c_openat, 0 },
	{ "stat64 (path)", IN, 16, c_stat64_path, 0 },
	{ "stat64 (stat buffer)", OUT, 96, c_stat64_buf, 0 },
	{ "lstat64 (stat buffer)", OUT, 96, c_lstat64_buf, 0 },
	{ "fstat64 (stat buffer)", OUT, 96, c_fstat64, 0 },
	{ "statx (path)", IN, 16, c_statx_path, 0 },
	{ "statx (statx buffer)", OUT, 256, c_statx_buf, 0 },
	{ "getdents64 (buffer)", OUT, 1024, c_getdents64, 0 },
	{ "readlink (path)", IN, 16, c_readlink_path, 0 },
	{ "readlink (buffer)", OUT, 64, c_readlink_buf, 0 },
	{ "uname", OUT, 390, c_uname, 0 },
	{ "sysinfo", OUT, 64, c_sysinfo, 0 },
	{ "clock_gettime", OUT, 8, c_clock_gettime, 0 },
	{ "clock_gettime64", OUT, 16, c_clock_gettime64, 0 },
	{ "clock_getres", OUT, 8, c_clock_getres, 1 },
	{ "gettimeofday", OUT, 8, c_gettimeofday, 1 },
	{ "time", OUT, 4, c_time, 1 },
	{ "nanosleep (request)", IN, 8, c_nanosleep, 0 },
	{ "clock_nanosleep (request)", IN, 8, c_clock_nanosleep, 0 },
	{ "getrandom", OUT, 16, c_getrandom, 0 },
	{ "set_thread_area", IN, 16, c_set_thread_area, 0 },
	{ "prlimit64 (old limit)", OUT, 16, c_prlimit_old, 1 },
	{ "prlimit64 (new limit)", IN, 16, c_prlimit_new, 1 },
	{ "ugetrlimit", OUT, 8, c_ugetrlimit, 0 },
	{ "rt_sigaction (new action)", IN, 20, c_sigaction_act, 1 },
	{ "rt_sigaction (old action)", OUT, 20, c_sigaction_old, 1 },
	{ "rt_sigprocmask (set)", IN, 8, c_sigprocmask_set, 1 },
	{ "rt_sigprocmask (old set)", OUT, 8, c_sigprocmask_old, 1 },
	{ "pipe", OUT, 8, c_pipe, 0 },
	{ "getcwd", OUT, 64, c_getcwd, 0 },
	{ "access (path)", IN, 16, c_access, 0 },
	{ "chdir (path)", IN, 16, c_chdir, 0 },
	{ "writev (iovec array)", IN, 8, c_writev_iov, 0 },
	{ "writev (iov_base)", IN, 16, c_writev_base, 0 },
	{ "readv (iov_base)", OUT, 16, c_readv_base, 0 },
	{ "_llseek (result)", OUT, 8, c_llseek, 0 },
	{ "ioctl TCGETS (termios)", OUT, 36, c_tcgets, 0 },
	{ "wait4 (status)", OUT, 4, c_wait4, 1 },
};
enum { NCASES = sizeof cases / sizeof cases[0] };

/* How Linux treats an output range that runs from the last user page into the kernel half,
 * for the calls that do not check (or copy) the whole range before writing anything. */
enum straddle {
	S_WHOLE,    /* (every call not listed) EFAULT, nothing written */
	S_PRODUCED, /* only the bytes produced are checked and written (access_ok on them) */
	S_FIELDS,   /* put_user field by field: those below 0xC0000000 are stored, then EFAULT */
};
static const struct srule {
	long (*fn)(void *bad);
	enum straddle how;
	/* Bytes the straddling pointer leaves below 0xC0000000. S_PRODUCED: fewer than the
	 * smallest output (a 24-byte dirent, "hello.txt", "/" and its NUL), so it must cross;
	 * S_FIELDS: the fields stored before the fault (tv_sec). */
	unsigned below;
} srules[] = {
	{ c_getdents64, S_PRODUCED, 8 },
	{ c_readlink_buf, S_PRODUCED, 4 },
	{ c_gettimeofday, S_FIELDS, 4 },
	{ c_getcwd, S_PRODUCED, 1 },
};

static const struct srule *srule_of(const struct scase *c)
{
	for (unsigned i = 0; i < sizeof srules / sizeof srules[0]; i++)
		if (srules[i].fn == c->fn)
			return &srules[i];
	return NULL;
}

/* B_FITS: the range straddles the boundary as for B_STRADDLE (0xC0000000 - size/2), but the
 * output fits below it; only for S_PRODUCED calls. */
enum { B_NULL, B_KERNEL, B_TOP, B_UNMAPPED, B_STRADDLE, B_FITS, NBAD };
static const char *const bad_names[NBAD] = { "NULL",
	                                     "0xC0000000",
	                                     "0xFFFFF000",
	                                     "an unmapped page",
	                                     "a range straddling into the kernel half",
	                                     "a range straddling into the kernel half" };
/* S_PRODUCED calls: what each writes into an ordinary buffer (result and bytes). */
static long ref_r[NCASES];
static unsigned char ref_out[NCASES][1024];
static char *unmapped_page;
static char *top_page; /* the page at 0xBFFFF000 when we could map it ourselves */
static int top_mapped; /* the page at 0xBFFFF000 is mapped (by us or already) */

static void *bad_ptr(int kind, const struct scase *c)
{
	unsigned size = c->size;
	const struct srule *sr = srule_of(c);
	switch (kind) {
	case B_NULL:
		return NULL;
	case B_KERNEL:
		return KERNEL_ADDR;
	case B_TOP:
		return KERNEL_TOP;
	case B_UNMAPPED:
		return unmapped_page;
	case B_STRADDLE:
		if (sr)
			return (char *)KERNEL_ADDR - sr->below;
		/* fall through */
	default:
		return (char *)KERNEL_ADDR - (size < 2 ? 1 : size / 2);
	}
}

static void probe_page(void)
{
	(void)*(volatile char *)0xBFFFF000UL;
}

static void setup(void)
{
	snprintf(path_hello, sizeof path_hello, "%s", data_path("hello.txt"));
	snprintf(path_link, sizeof path_link, "%s", data_path("link"));
	snprintf(path_dir, sizeof path_dir, "%s", data_dir());
	fd_file = open(path_hello, O_RDONLY);
	fd_dir = open(path_dir, O_RDONLY | O_DIRECTORY);
	int p[2];
	if (pipe(p) == 0) {
		pipe_r = p[0];
		pipe_w = p[1];
		fcntl(pipe_r, F_SETFL, O_NONBLOCK);
	}
	struct termios t;
	have_tty = ioctl(1, TCGETS, &t) == 0;
	unmapped_page =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(unmapped_page, 4096);

	void *want = (void *)0xBFFFF000UL;
	void *p2 = mmap(want, 4096, PROT_READ | PROT_WRITE,
	                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p2 == want) {
		top_page = p2;
		top_mapped = 1;
	} else {
		if (p2 != MAP_FAILED)
			munmap(p2, 4096);
		int st = run_child(probe_page);
		top_mapped = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}

	for (int i = 0; i < NCASES; i++) {
		const struct srule *sr = srule_of(&cases[i]);
		if (sr && sr->how == S_PRODUCED) {
			static unsigned char buf[1024];
			memset(buf, 0x5a, sizeof buf);
			ref_r[i] = cases[i].fn(buf);
			if (ref_r[i] > 0)
				memcpy(ref_out[i], buf, ref_r[i]);
		}
	}
}

/* got holds the same output as want (len bytes of it). For getdents64 record by record: the
 * padding after a name's NUL is not part of the output (Linux leaves it as it was). */
static int same_output(const struct scase *c, const void *got, const void *want, long len)
{
	if (c->fn != c_getdents64)
		return memcmp(got, want, len) == 0;
	const unsigned char *g = got, *w = want;
	for (long off = 0; off < len;) {
		unsigned short reclen;
		memcpy(&reclen, w + off + 16, sizeof reclen);
		if (reclen < 24 || off + reclen > len)
			return 0;
		/* d_ino, d_off, d_reclen, d_type, the name and its NUL */
		size_t n = 19 + strnlen((const char *)w + off + 19, reclen - 19) + 1;
		if (n > reclen || memcmp(g + off, w + off, n) != 0)
			return 0;
		off += reclen;
	}
	return 1;
}

/* Every byte of top_page outside [from, from + len) is still the 0x5a fill. */
static int top_untouched_except(const char *from, long len)
{
	for (int i = 0; i < 4096; i++)
		if (top_page[i] != 0x5a && !(top_page + i >= from && top_page + i < from + len))
			return 0;
	return 1;
}

/* One call; returns 1 if it did what Linux does: failed with EFAULT (and, for a straddling
 * write into our own page, wrote nothing, or for S_FIELDS only the fields below the boundary),
 * succeeded for an optional NULL, or, for B_FITS, returned and wrote what an ordinary buffer
 * gets and nothing else. *skipped set when the case does not apply. */
static int try_case(const struct scase *c, int kind, long *r_out, int *e_out, int *skipped)
{
	const struct srule *sr = srule_of(c);
	int i = c - cases;
	*skipped = 0;
	if (kind == B_FITS && (!sr || sr->how != S_PRODUCED)) {
		*skipped = 1;
		return 1;
	}
	if ((kind == B_STRADDLE || kind == B_FITS) &&
	    (!top_mapped || (c->dir == OUT && !top_page))) {
		*skipped = 1; /* never let the kernel write near a stack we do not own */
		return 1;
	}
	if (c->fn == c_tcgets && !have_tty) {
		*skipped = 2;
		return 1;
	}
	if (top_page)
		memset(top_page, 0x5a, 4096);
	char *p = bad_ptr(kind, c);
	long t0 = syscall(SYS_time, NULL);
	errno = 0;
	long r = c->fn(p);
	*r_out = r;
	*e_out = errno;
	long t1 = syscall(SYS_time, NULL);
	int ok = r == -1 && errno == EFAULT;
	if (kind == B_NULL && c->null_ok)
		ok = r >= 0;
	if (kind == B_FITS)
		return r == ref_r[i] && r > 0 && same_output(c, p, ref_out[i], r) &&
		       top_untouched_except(p, r);
	if (kind == B_STRADDLE && top_page && c->dir == OUT && !is_x86_64_host()) {
		if (sr && sr->how == S_FIELDS) {
			int32_t sec;
			memcpy(&sec, p, sizeof sec);
			ok &= sec >= t0 && sec <= t1 + 1 && top_untouched_except(p, sr->below);
		} else {
			ok &= top_untouched_except(p, 0);
		}
	}
	return ok;
}

/* getdents64 into a range where the first entry fits below 0xC0000000 and the second would
 * cross: Linux returns the first entry alone, and the next call continues from the second. */
static void check_getdents_short(void)
{
	int i = 0;
	while (cases[i].fn != c_getdents64)
		i++;
	if (!top_page) {
		skip("getdents64 returns the entries that fit below the kernel half # SKIP "
		     "0xBFFFF000 is not ours to write");
		return;
	}
	unsigned short reclen = 0;
	if (ref_r[i] > 24)
		memcpy(&reclen, ref_out[i] + 16, sizeof reclen); /* d_reclen of the first entry */
	char *p = (char *)KERNEL_ADDR - reclen - 8;
	memset(top_page, 0x5a, 4096);
	lseek(fd_dir, 0, SEEK_SET);
	errno = 0;
	long r = syscall(SYS_getdents64, fd_dir, p, 1024);
	int e = errno;
	int ok = reclen > 0 && reclen < ref_r[i] && r == reclen &&
	         same_output(&cases[i], p, ref_out[i], reclen) && top_untouched_except(p, reclen);
	static unsigned char rest[1024];
	long r2 = syscall(SYS_getdents64, fd_dir, rest, sizeof rest);
	ok &= r2 == ref_r[i] - reclen && r2 > 0 &&
	      same_output(&cases[i], rest, ref_out[i] + reclen, r2);
	check(ok,
	      "getdents64 (buffer) with a range straddling into the kernel half, room below it "
	      "for the first entry only, returns that entry (got %ld, %s; want %u of %ld bytes) "
	      "and the next call the rest (got %ld)",
	      r, r == -1 ? strerrorname_np(e) : "no error", reclen, ref_r[i], r2);
}

static int results[NCASES][NBAD];

int main(void)
{
	setup();
	check(fd_file >= 0 && fd_dir >= 0 && pipe_w > 0, "open %s, %s and a pipe", path_hello,
	      path_dir);
	if (!top_mapped)
		note("the page at 0xBFFFF000 is not mapped and cannot be: straddling ranges "
		     "skipped");
	else if (!top_page)
		note("0xBFFFF000 is already mapped (the stack?): straddling ranges only where the "
		     "kernel reads");
	if (is_x86_64_host())
		note("x86_64 host: 0xC0000000 is user space for i386 processes here; a straddling "
		     "range may be "
		     "copied in part before the fault, so a short count is accepted for it");

	for (int i = 0; i < NCASES; i++)
		for (int k = 0; k < NBAD; k++) {
			long r = 0;
			int e = 0, skipped;
			int ok = try_case(&cases[i], k, &r, &e, &skipped);
			if (skipped == 2) {
				if (k == 0)
					skip(
					    "%s with a bad pointer # SKIP stdout is not a terminal",
					    cases[i].name);
				results[i][k] = 1;
				continue;
			}
			if (skipped) {
				results[i][k] = 1;
				continue;
			}
			if (!ok && k == B_STRADDLE && is_x86_64_host() && r >= 0 &&
			    r < (long)cases[i].size) {
				ok = 1;
				note("%s with %s: short count %ld (x86_64 host)", cases[i].name,
				     bad_names[k], r);
			}
			if (!ok && cases[i].fn == c_clock_gettime64 && r == -1 && e == ENOSYS) {
				if (k == 0)
					skip("clock_gettime64 with bad pointers # SKIP not "
					     "implemented (ENOSYS)");
				results[i][k] = 1;
				continue;
			}
			results[i][k] = ok;
			const struct srule *sr = srule_of(&cases[i]);
			const char *err = r == -1 ? strerrorname_np(e) : "no error";
			if (k == B_NULL && cases[i].null_ok)
				check(ok, "%s with NULL (no argument) succeeds (got %ld, %s)",
				      cases[i].name, r, err);
			else if (k == B_FITS)
				check(
				    ok,
				    "%s with %s (from 0xC0000000 - %u), its output fitting below "
				    "it, succeeds and writes exactly what an ordinary buffer gets "
				    "(got %ld, %s; want %ld)",
				    cases[i].name, bad_names[k], cases[i].size / 2, r, err,
				    ref_r[i]);
			else if (k == B_STRADDLE && sr && sr->how == S_PRODUCED)
				check(ok,
				      "%s with %s (from 0xC0000000 - %u), its output crossing it, "
				      "fails with EFAULT and writes nothing (got %ld, %s)",
				      cases[i].name, bad_names[k], sr->below, r, err);
			else if (k == B_STRADDLE && sr && sr->how == S_FIELDS)
				check(ok,
				      "%s with %s fails with EFAULT after storing only the field "
				      "below it (tv_sec, the current time) (got %ld, %s)",
				      cases[i].name, bad_names[k], r, err);
			else
				check(ok, "%s with %s fails with EFAULT (got %ld, %s)",
				      cases[i].name, bad_names[k], r, err);
		}
	check_getdents_short();

	/* 1,000 more rounds: same results, and nothing leaks. */
	unsigned long long base = 0;
	int changed = 0;
	for (int round = 0; round <= 1000; round++) {
		if (round == 1)
			base = free_ram_bytes();
		for (int i = 0; i < NCASES; i++)
			for (int k = 0; k < NBAD; k++) {
				if (cases[i].fn == c_wait4 && k != round % NBAD)
					continue; /* one fork per round is enough */
				long r;
				int e, skipped;
				int ok = try_case(&cases[i], k, &r, &e, &skipped);
				if (!ok && k == B_STRADDLE && is_x86_64_host() && r >= 0 &&
				    r < (long)cases[i].size)
					ok = 1;
				if (!ok && cases[i].fn == c_clock_gettime64 && r == -1 &&
				    e == ENOSYS)
					ok = 1;
				if (ok != results[i][k])
					changed++;
			}
	}
	check(changed == 0,
	      "1,000 more rounds of every bad-pointer call give the same results (%d changed)",
	      changed);
	check_free_ram_back(base, "1,000 rounds");
	struct stat st = { 0 };
	int fr = fstat(fd_file, &st);
	check(fr == 0 && st.st_size == (off_t)strlen(HELLO_TEXT),
	      "the process still works: fstat of hello.txt gives its size (%ld)", (long)st.st_size);
	return done();
}
