/*
 * tests/user/bench_vm.c: the user-space virtual-memory benchmark, /test/bench_vm.
 *
 * Measures with rdtsc, as bench_syscalls does (under `qemu -icount shift=0` one TSC tick is
 * one guest instruction, so the figures are exact instruction counts; elsewhere TSC cycles):
 *
 *   fault.demand_zero_write  per page: the first write to each of 256 fresh private
 *                            anonymous pages (minus a second pass over the same pages)
 *   fault.zero_read          per page: the first read of each of 256 fresh pages (on a kernel
 *                            with a shared zero page, no page is allocated)
 *   fault.cow                per page: a forked child writes each of 256 pages the parent
 *                            had written before the fork (shared copy-on-write), minus its
 *                            own second pass; the child sends its counts through a pipe
 *   fault.sole_owner_write   per page: the parent writes 256 pages it wrote before a fork
 *                            whose child has exited (the page is its alone again: Linux's
 *                            wp_page_reuse, no copy), minus a second pass
 *   fork.NM                  per fork, N = 1, 4, 16, 64 MiB written by the parent: rdtsc
 *                            just before fork() to its return in the parent (the parent-side
 *                            cost; the child blocks in read() on a pipe at once)
 *   exit+wait.NM             per child, same sizes: from the parent's write() that releases
 *                            the child (blocked in read() since the fork, having touched none
 *                            of the N MiB) to the return of the parent's wait4(): the child's
 *                            wake-up and _exit (dropping its share of the N MiB) and the
 *                            reaping
 *   mmap+touch+munmap        per round: mmap of one anonymous page, one write, munmap
 *   mmap+munmap.heuristic    per round: mmap of one private writable page (charged to the
 *   mmap+munmap.never        commitment), munmap, no touch; under overcommit_memory 0 and 2
 *                            (/proc/sys/vm, mounted if need be): the difference is what the
 *                            commit check of an mmap costs in each mode
 *
 * Each line reads "bench: NAME N insn/op (OPS ops, TOTAL total, loop overhead X)"; an
 * operation that cannot be done (say fork of 64 MiB on a kernel that copies eagerly and runs
 * out of memory) prints "bench: NAME failed: reason" and the run carries on. Exits 0, or 1
 * when something failed. Booted as pid 1 (Strata: `init=/test/bench_vm`) it powers the
 * machine off at the end instead of exiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/reboot.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define PG          4096u
#define FAULT_PAGES 256u /* pages per fault measurement */
#define MMAP_OPS    256u

static int failures;

/* "bench: NAME failed: reason" (printf-style reason); counts a failure. */
static void failed(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failed(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("bench: %s failed: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures++;
}

/* Private anonymous read-write memory of @len bytes; MAP_FAILED on failure. */
static unsigned char *anon(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* One write (or read) per page of [m, m + pages * PG); returns the rdtsc delta. */
static __attribute__((noinline)) uint64_t pass(volatile unsigned char *m, unsigned pages, int write)
{
	unsigned sum = 0;
	uint64_t t0 = rdtsc();

	if (write)
		for (unsigned i = 0; i < pages; i++)
			m[i * PG] = (unsigned char)i;
	else
		for (unsigned i = 0; i < pages; i++)
			sum += m[i * PG];
	uint64_t t = rdtsc() - t0;
	__asm__ volatile("" ::"r"(sum));
	return t;
}

/* Waits for @pid (EINTR retried); 0 when it exited with status 0, else -1. */
static int wait_child(pid_t pid)
{
	int status;

	while (wait4(pid, &status, 0, NULL) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* First touch of fresh pages: demand-zero write or zero-page read. */
static void bench_fresh(const char *name, int write)
{
	unsigned char *m = anon(FAULT_PAGES * PG);

	if (m == MAP_FAILED) {
		failed(name, "mmap: %s", strerror(errno));
		return;
	}
	uint64_t first = pass(m, FAULT_PAGES, write);
	uint64_t again = pass(m, FAULT_PAGES, write);
	report(name, first, again, FAULT_PAGES);
	munmap(m, FAULT_PAGES * PG);
}

/* fault.cow: a child writes 256 pages shared with its parent; it reports via a pipe. */
static void bench_cow(void)
{
	const char *name = "fault.cow";
	unsigned char *m = anon(FAULT_PAGES * PG);
	int fds[2];

	if (m == MAP_FAILED || pipe(fds) != 0) {
		failed(name, "mmap/pipe: %s", strerror(errno));
		return;
	}
	pass(m, FAULT_PAGES, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t t[2];
		t[0] = pass(m, FAULT_PAGES, 1);
		t[1] = pass(m, FAULT_PAGES, 1);
		_exit(write(fds[1], t, sizeof t) == sizeof t ? 0 : 1);
	}
	uint64_t t[2];
	ssize_t n = pid < 0 ? -1 : read(fds[0], t, sizeof t);
	if (pid < 0)
		failed(name, "fork: %s", strerror(errno));
	else if (wait_child(pid) != 0 || n != sizeof t)
		failed(name, "the child did not report");
	else
		report(name, t[0], t[1], FAULT_PAGES);
	close(fds[0]);
	close(fds[1]);
	munmap(m, FAULT_PAGES * PG);
}

/* fault.sole_owner_write: the parent writes 256 pages after its child has exited. */
static void bench_sole_owner(void)
{
	const char *name = "fault.sole_owner_write";
	unsigned char *m = anon(FAULT_PAGES * PG);

	if (m == MAP_FAILED) {
		failed(name, "mmap: %s", strerror(errno));
		return;
	}
	pass(m, FAULT_PAGES, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 || wait_child(pid) != 0) {
		failed(name, "fork/wait: %s", strerror(errno));
	} else {
		uint64_t first = pass(m, FAULT_PAGES, 1);
		uint64_t again = pass(m, FAULT_PAGES, 1);
		report(name, first, again, FAULT_PAGES);
	}
	munmap(m, FAULT_PAGES * PG);
}

/* fork.NM and exit+wait.NM with @mib MiB written by the parent, @reps times. */
static void bench_fork_size(unsigned mib, unsigned reps)
{
	char fname[32], ename[32];
	size_t len = (size_t)mib << 20;
	uint64_t fork_total = 0, exit_total = 0;
	unsigned done = 0;

	snprintf(fname, sizeof fname, "fork.%uM", mib);
	snprintf(ename, sizeof ename, "exit+wait.%uM", mib);
	unsigned char *m = anon(len);
	if (m == MAP_FAILED) {
		failed(fname, "mmap of %u MiB: %s", mib, strerror(errno));
		failed(ename, "mmap of %u MiB: %s", mib, strerror(errno));
		return;
	}
	pass(m, (unsigned)(len / PG), 1);
	fflush(stdout);
	for (unsigned r = 0; r < reps; r++) {
		int fds[2];
		char c = 0;

		if (pipe(fds) != 0)
			break;
		uint64_t t0 = rdtsc();
		pid_t pid = fork();
		if (pid == 0) {
			while (read(fds[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		uint64_t t1 = rdtsc();
		if (pid < 0) {
			int e = errno;
			close(fds[0]);
			close(fds[1]);
			failed(fname, "fork with %u MiB written: %s", mib, strerror(e));
			failed(ename, "fork with %u MiB written: %s", mib, strerror(e));
			munmap(m, len);
			return;
		}
		uint64_t t2 = rdtsc();
		ssize_t w = write(fds[1], &c, 1);
		int rc = wait_child(pid);
		uint64_t t3 = rdtsc();
		close(fds[0]);
		close(fds[1]);
		if (w != 1 || rc != 0) {
			failed(ename, "the child did not exit cleanly");
			munmap(m, len);
			return;
		}
		fork_total += t1 - t0;
		exit_total += t3 - t2;
		done++;
	}
	munmap(m, len);
	if (!done) {
		failed(fname, "pipe: %s", strerror(errno));
		return;
	}
	uint64_t overhead = loop_overhead(done);
	report(fname, fork_total, overhead, done);
	report(ename, exit_total, overhead, done);
}

/* mmap+touch+munmap: 256 rounds of one page mapped, written, unmapped. */
static void bench_mmap_touch_munmap(void)
{
	const char *name = "mmap+touch+munmap";
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < MMAP_OPS; i++) {
		volatile unsigned char *p = anon(PG);
		if (p == MAP_FAILED) {
			failed(name, "mmap: %s", strerror(errno));
			return;
		}
		p[0] = 1;
		if (munmap((void *)p, PG) != 0) {
			failed(name, "munmap: %s", strerror(errno));
			return;
		}
	}
	uint64_t total = rdtsc() - t0;
	report(name, total, loop_overhead(MMAP_OPS), MMAP_OPS);
}

/* Write "@mode\n" to /proc/sys/vm/overcommit_memory (/proc mounted when it is not). */
static int set_overcommit(int mode)
{
	char text[4] = { (char)('0' + mode), '\n', 0, 0 };
	int fd = open("/proc/sys/vm/overcommit_memory", O_WRONLY);

	if (fd < 0 && mount("proc", "/proc", "proc", 0, NULL) == 0)
		fd = open("/proc/sys/vm/overcommit_memory", O_WRONLY);
	if (fd < 0)
		return -1;
	int ok = write(fd, text, 2) == 2;
	close(fd);
	return ok ? 0 : -1;
}

/* mmap+munmap of one private writable page, untouched, under overcommit mode @mode. */
static void bench_mmap_munmap(const char *name, int mode)
{
	if (set_overcommit(mode) != 0) {
		failed(name, "cannot set overcommit_memory to %d: %s", mode, strerror(errno));
		return;
	}
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < MMAP_OPS; i++) {
		void *p = anon(PG);
		if (p == MAP_FAILED || munmap(p, PG) != 0) {
			failed(name, "mmap/munmap: %s", strerror(errno));
			set_overcommit(0);
			return;
		}
	}
	uint64_t total = rdtsc() - t0;
	set_overcommit(0);
	report(name, total, loop_overhead(MMAP_OPS), MMAP_OPS);
}

/* Runs every measurement; exits 1 if any failed (as pid 1: powers off instead). */
int main(void)
{
	static const unsigned sizes[] = { 1, 4, 16, 64 }, reps[] = { 16, 16, 8, 4 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_fresh("fault.demand_zero_write", 1);
	bench_fresh("fault.zero_read", 0);
	bench_cow();
	bench_sole_owner();
	bench_mmap_touch_munmap();
	bench_mmap_munmap("mmap+munmap.heuristic", 0);
	bench_mmap_munmap("mmap+munmap.never", 2);
	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		bench_fork_size(sizes[i], reps[i]);
	if (failures)
		printf("bench: %d operations failed\n", failures);
	fflush(stdout);
	if (getpid() == 1) /* the raw call: glibc's reboot() passes the magic numbers itself */
		syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		        LINUX_REBOOT_CMD_POWER_OFF, 0);
	return failures ? 1 : 0;
}
