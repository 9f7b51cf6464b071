/* t_rlimit: per-process memory limits as Linux enforces them (may_expand_vm): RLIMIT_AS refuses
 * a large allocation while a small one still works; RLIMIT_DATA refuses private writable memory
 * (mmap, brk, mprotect turning memory writable) but not read-only or shared mappings; both are
 * inherited by fork and kept across exec. Each case runs in a child (the limits never reach the
 * runner) that exits with one bit per condition that did not hold; the parent reports them. */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

extern char **environ;

static const char *const as_checks[] = {
	"setrlimit(RLIMIT_AS, 64 MiB)",
	"malloc(100 MiB) under RLIMIT_AS 64 MiB fails with ENOMEM",
	"mmap of 100 MiB fails with ENOMEM",
	"malloc(1 MiB) still works and its memory is usable",
	"a forked child inherits RLIMIT_AS and is refused the same way",
	"an exec'd program keeps RLIMIT_AS and is refused the same way",
};

static const char *const data_checks[] = {
	"setrlimit(RLIMIT_DATA, 16 MiB)",
	"a private writable mmap of 32 MiB under RLIMIT_DATA 16 MiB fails with ENOMEM",
	"a read-only one is not data: it is mapped",
	"mprotect turning all of it writable fails with ENOMEM",
	"turning 1 MiB of it writable fits",
	"a shared writable one is not data either: it is mapped",
	"brk growing by 32 MiB is refused and the break stays",
	"a private writable 1 MiB still fits",
};

static int set_limit(int res, unsigned long bytes)
{
	struct rlimit r = { bytes, bytes };
	return setrlimit(res, &r);
}

/* Fork, run @child (its exit status), wait. Returns the status, or -1. */
static int in_child(int (*child)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(child());
	return pid > 0 ? wait_pid(pid) : -1;
}

static int as_forked(void)
{
	struct rlimit r;
	int ok = getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur == 64 * MIB;
	void *c = mmap(NULL, 100 * MIB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return ok && c == MAP_FAILED ? 0 : 1;
}

static int as_exec(void)
{
	char *argv[] = { "t_rlimit", "--exec-check", NULL };
	execve(test_path("t_rlimit"), argv, environ);
	return 127;
}

/* The RLIMIT_AS case; returns a bit per as_checks[] entry that failed. */
static int as_case(void)
{
	int bad = 0;
	if (set_limit(RLIMIT_AS, 64 * MIB) != 0)
		bad |= 1 << 0;
	errno = 0;
	void *big = malloc(100 * MIB);
	if (!(big == NULL && errno == ENOMEM))
		bad |= 1 << 1;
	void *m = mmap(NULL, 100 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!(m == MAP_FAILED && errno == ENOMEM))
		bad |= 1 << 2;
	char *small = malloc(MIB);
	if (small)
		memset(small, 0x5a, MIB);
	if (!small || small[MIB - 1] != 0x5a)
		bad |= 1 << 3;
	int st = in_child(as_forked);
	if (!(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0))
		bad |= 1 << 4;
	st = in_child(as_exec);
	if (!(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0))
		bad |= 1 << 5;
	return bad;
}

/* The RLIMIT_DATA case; returns a bit per data_checks[] entry that failed. */
static int data_case(void)
{
	int bad = 0;
	if (set_limit(RLIMIT_DATA, 16 * MIB) != 0)
		bad |= 1 << 0;
	void *rw = mmap(NULL, 32 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!(rw == MAP_FAILED && errno == ENOMEM))
		bad |= 1 << 1;
	char *ro = mmap(NULL, 32 * MIB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED) {
		bad |= 1 << 2 | 1 << 3 | 1 << 4;
	} else {
		if (!(mprotect(ro, 32 * MIB, PROT_READ | PROT_WRITE) == -1 && errno == ENOMEM))
			bad |= 1 << 3;
		if (mprotect(ro, MIB, PROT_READ | PROT_WRITE) != 0)
			bad |= 1 << 4;
		munmap(ro, 32 * MIB);
	}
	void *sh = mmap(NULL, 32 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		bad |= 1 << 5;
	else
		munmap(sh, 32 * MIB);
	void *old = sbrk(0);
	if (!(sbrk(32 * MIB) == (void *)-1 && sbrk(0) == old))
		bad |= 1 << 6;
	void *small = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (small == MAP_FAILED)
		bad |= 1 << 7;
	return bad;
}

static void report(int (*fn)(void), const char *const *names, unsigned n)
{
	int st = in_child(fn);
	if (st == -1 || !WIFEXITED(st)) {
		check(0, "%s: the child did not exit (%s)", names[0], status_str(st));
		return;
	}
	for (unsigned i = 0; i < n; i++)
		check(!(WEXITSTATUS(st) & (1 << i)), "%s", names[i]);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--exec-check")) {
		struct rlimit r;
		if (getrlimit(RLIMIT_AS, &r) != 0 || r.rlim_cur != 64 * MIB)
			return 2;
		void *c = mmap(NULL, 100 * MIB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return c == MAP_FAILED ? 0 : 3;
	}
	report(as_case, as_checks, sizeof(as_checks) / sizeof(as_checks[0]));
	report(data_case, data_checks, sizeof(data_checks) / sizeof(data_checks[0]));
	return done();
}
