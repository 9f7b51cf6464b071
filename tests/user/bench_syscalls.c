/*
 * tests/user/bench_syscalls.c: the user-space benchmark, /test/bench_syscalls.
 *
 * Measures, with rdtsc, the cost of
 *   getppid          a system call round trip (glibc's getppid(), so the entry path glibc
 *                    chooses: the vDSO's __kernel_vsyscall when the kernel offers one)
 *   fork+exit+wait   fork; the child _exits at once; the parent wait4s
 *   fork+exec+wait   fork; the child execs /bin/hello (stdout on /dev/null when it opens,
 *                    so the serial port is not measured); the parent wait4s
 *   clock_gettime    glibc's clock_gettime(CLOCK_MONOTONIC): through the vDSO's
 *                    __vdso_clock_gettime64 when the kernel maps one, else the system call
 *   clock_gettime.time64  glibc's __clock_gettime64, what a program built with
 *                    -D_TIME_BITS=64 calls (no conversion to the 32-bit timespec)
 *   vdso_clock_gettime64  the vDSO's __vdso_clock_gettime64(CLOCK_MONOTONIC) alone, through a
 *                    pointer (glibc's wrapper left out; both kernels have it)
 *   strata_memstatus the vDSO's __vdso_strata_memstatus through a pointer (Strata's
 *                    memory-status snapshot); where the vDSO has no such function (Linux)
 *                    one line "# bench: strata_memstatus n/a: ..." instead of a figure
 * each as total cycles over a fixed count minus the same loop's cost with an empty body,
 * divided by the count. Booted under `qemu -icount shift=0` (tools/bench-user.sh) one TSC
 * tick is one guest instruction, so the figures are exact instruction counts:
 *
 *   bench: getppid 392 insn/op
 *
 * Run elsewhere they are TSC cycles. Exits 0, or 1 when an operation failed. Booted as
 * pid 1 itself (Strata: `init=/test/bench_syscalls`, which needs no file-system calls and no
 * init arguments) it powers the machine off after the figures instead of exiting, as an
 * init must not exit.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/reboot.h>
#include <strata/memstatus.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../user/vdso.h"
#include "bench.h"

#define GETPPID_OPS 10000
#define FORK_OPS    100
#define EXEC_OPS    100
#define EXEC_PATH   "/bin/hello"
#define CLOCK_OPS   10000
#define STATUS_OPS  10000

static int failures;

static void wait_child(pid_t pid)
{
	int status;

	if (pid < 0 || wait4(pid, &status, 0, NULL) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		failures++;
}

static void bench_getppid(void)
{
	uint64_t t0, total;

	for (unsigned i = 0; i < 100; i++) /* warm up */
		getppid();
	t0 = rdtsc();
	for (unsigned i = 0; i < GETPPID_OPS; i++)
		getppid();
	total = rdtsc() - t0;
	report("getppid", total, loop_overhead(GETPPID_OPS), GETPPID_OPS);
}

static void bench_fork(void)
{
	uint64_t t0, total;

	t0 = rdtsc();
	for (unsigned i = 0; i < FORK_OPS; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		wait_child(pid);
	}
	total = rdtsc() - t0;
	report("fork+exit+wait", total, loop_overhead(FORK_OPS), FORK_OPS);
}

static void bench_exec(const char *path)
{
	char *const argv[] = { (char *)path, NULL };
	char *const envp[] = { NULL };
	uint64_t t0, total;

	t0 = rdtsc();
	for (unsigned i = 0; i < EXEC_OPS; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, 1);
			execve(path, argv, envp);
			_exit(127);
		}
		wait_child(pid);
	}
	total = rdtsc() - t0;
	report("fork+exec+wait", total, loop_overhead(EXEC_OPS), EXEC_OPS);
}

static void bench_clock_gettime(void)
{
	struct timespec ts;
	uint64_t t0, total;

	for (unsigned i = 0; i < 100; i++) /* warm up */
		clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = rdtsc();
	for (unsigned i = 0; i < CLOCK_OPS; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	total = rdtsc() - t0;
	report("clock_gettime", total, loop_overhead(CLOCK_OPS), CLOCK_OPS);
}

/* glibc's 64-bit-time entry point (the one -D_TIME_BITS=64 redirects clock_gettime to). */
struct timespec64 {
	int64_t tv_sec;
	int32_t tv_nsec, pad;
};
extern int __clock_gettime64(clockid_t clk, struct timespec64 *ts);

static void bench_clock_gettime64(void)
{
	struct timespec64 ts;
	uint64_t t0, total;

	for (unsigned i = 0; i < 100; i++) /* warm up */
		__clock_gettime64(CLOCK_MONOTONIC, &ts);
	t0 = rdtsc();
	for (unsigned i = 0; i < CLOCK_OPS; i++)
		__clock_gettime64(CLOCK_MONOTONIC, &ts);
	total = rdtsc() - t0;
	report("clock_gettime.time64", total, loop_overhead(CLOCK_OPS), CLOCK_OPS);
}

/* The vDSO function @sym (version LINUX_2.6), or NULL after the line "# bench: @bench n/a: why"
 * when the kernel maps no vDSO or it has no such function (Linux: no strata_memstatus). */
static void *vdso_fn(const char *bench, const char *sym)
{
	struct vdso_image v;
	const char *why = vdso_open(&v, getauxval(AT_SYSINFO_EHDR));
	void *fn = why ? NULL : vdso_sym(&v, sym, "LINUX_2.6", NULL);

	if (!why && !fn)
		why = "not in the vDSO";
	if (why)
		printf("# bench: %s n/a: %s: %s\n", bench, sym, why);
	return fn;
}

/* The vDSO's clock function alone (its own cost, glibc's wrapper left out). */
static void bench_vdso_clock(void)
{
	struct timespec64 ts;
	/* volatile: a real call through a pointer */
	int (*volatile get)(clockid_t, struct timespec64 *) =
	    vdso_fn("vdso_clock_gettime64", "__vdso_clock_gettime64");
	uint64_t t0, total;

	if (!get)
		return;
	for (unsigned i = 0; i < 100; i++) /* warm up */
		get(CLOCK_MONOTONIC, &ts);
	t0 = rdtsc();
	for (unsigned i = 0; i < CLOCK_OPS; i++)
		get(CLOCK_MONOTONIC, &ts);
	total = rdtsc() - t0;
	report("vdso_clock_gettime64", total, loop_overhead(CLOCK_OPS), CLOCK_OPS);
}

static void bench_memstatus(void)
{
	struct strata_memstatus st;
	strata_memstatus_fn *volatile get = vdso_fn("strata_memstatus", "__vdso_strata_memstatus");
	uint64_t t0, total;

	if (!get)
		return;
	for (unsigned i = 0; i < 100; i++) /* warm up */
		get(&st);
	t0 = rdtsc();
	for (unsigned i = 0; i < STATUS_OPS; i++)
		get(&st);
	total = rdtsc() - t0;
	report("strata_memstatus", total, loop_overhead(STATUS_OPS), STATUS_OPS);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_getppid();
	bench_clock_gettime();
	bench_clock_gettime64();
	bench_vdso_clock();
	bench_memstatus();
	fflush(stdout);
	bench_fork();
	bench_exec(argc > 1 ? argv[1] : EXEC_PATH);
	if (failures)
		printf("bench: %d operations failed\n", failures);
	fflush(stdout);
	if (getpid() == 1) /* the raw call: glibc's reboot() passes the magic numbers itself */
		syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		        LINUX_REBOOT_CMD_POWER_OFF, 0);
	return failures ? 1 : 0;
}
