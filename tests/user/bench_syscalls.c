/* bench_syscalls: cost of the basic process operations, measured with rdtsc. Under QEMU with
 * -icount shift=0 an rdtsc delta is an exact guest instruction count, so the numbers are
 * "guest instructions per operation"; elsewhere they are TSC ticks. Measures a getppid round
 * trip (int $0x80, 10,000 calls), fork+exit+wait of a small process (100) and fork+exec+wait
 * of a program (100; path in argv[1], default /bin/hello), each minus the measured cost of
 * the empty loop, and prints "bench: NAME N insn/op". Booted as init (pid 1) by the
 * benchmark runner, it then powers the machine off. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline long raw_getppid(void)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "0"(SYS_getppid) : "memory");
	return r;
}

enum { N_GETPPID = 10000, N_FORK = 100, N_EXEC = 100 };

static uint64_t empty_loop(int n)
{
	uint64_t t0 = rdtsc();
	for (int i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
	return rdtsc() - t0;
}

static int failures;

static void fork_wait(const char *path, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		if (path)
			execve(path, argv, environ);
		_exit(path ? 127 : 0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		failures++;
}

static void report(const char *name, uint64_t total, uint64_t overhead, int n)
{
	uint64_t net = total > overhead ? total - overhead : 0;
	printf("bench: %s %llu insn/op\n", name, (unsigned long long)(net / n));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *prog = argc > 1 ? argv[1] : "/bin/hello";
	char *pargv[] = {(char *)prog, NULL};
	setvbuf(stdout, NULL, _IOLBF, 0);

	raw_getppid(); /* warm up: first touches of code and data pages */
	fork_wait(NULL, NULL);
	fork_wait(prog, pargv);
	failures = 0;

	uint64_t ov = empty_loop(N_GETPPID);
	uint64_t t0 = rdtsc();
	for (int i = 0; i < N_GETPPID; i++)
		raw_getppid();
	report("getppid", rdtsc() - t0, ov, N_GETPPID);

	ov = empty_loop(N_FORK);
	t0 = rdtsc();
	for (int i = 0; i < N_FORK; i++)
		fork_wait(NULL, NULL);
	report("fork+exit+wait", rdtsc() - t0, ov, N_FORK);

	t0 = rdtsc();
	for (int i = 0; i < N_EXEC; i++)
		fork_wait(prog, pargv);
	report("fork+exec+wait", rdtsc() - t0, ov, N_EXEC);

	if (failures)
		printf("bench: %d of the forked or exec'd children failed (%s)\n", failures, prog);
	fflush(stdout);
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return failures != 0;
}
