/* t_oom: running out of memory costs the process that took it, and everyone else goes on.
 *   1. A child that mallocs and touches 1 MiB chunks forever ends by SIGKILL (the OOM killer);
 *      the parent survives and can then allocate and touch half of RAM (xv6 lazytests oom,
 *      LTP oom01).
 *   2. Ten children that each try to take more than RAM (sbrk in 1 MiB steps, touched) all
 *      end — refused (exit 1) or killed (SIGKILL) — and are reaped; then one page allocation
 *      succeeds (xv6 sbrkfail).
 *   3. Under overcommit "never" (/proc/sys/vm/overcommit_memory = 2), recursive fork with each
 *      level committing 1 MiB until a fork or mmap is refused reaches the same depth five
 *      times running (Pintos multi-oom): refusals are exact and nothing is left behind.
 *   4. Under "never" with the commitment used up (a big process A takes all it can, then a
 *      small one B the rest but for its own small reserve): in B a 4 KiB mmap and fork fail
 *      with ENOMEM, and execve of a program needing 1 MiB more fails with ENOMEM (B goes on;
 *      Linux maps .bss past exec's point of no return and ends the process with a signal,
 *      which is accepted).
 * After each, free memory is exactly back at its baseline (Strata), both counted with the
 * caches dropped (/proc/sys/vm/drop_caches). The overcommit mode is restored at the end. Linux 6.1
 * is the reference: all of it passes there too. */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB        (1024UL * 1024UL)
#define PAGE       4096UL
#define SBRK_KIDS  10
#define DEPTH_RUNS 5
#define DEPTH_MAX  200 /* an exit status carries the depth */
#define OVERCOMMIT "/proc/sys/vm/overcommit_memory"

extern char **environ;

static unsigned long long total_ram(void)
{
	struct sysinfo si;
	return sysinfo(&si) == 0 ? (unsigned long long)si.totalram * si.mem_unit : 0;
}

/* ---- 1. a hog dies, the parent lives ---------------------------------------------------- */

static void hog_forever(void)
{
	for (;;) {
		char *p = malloc(MIB);
		if (!p)
			_exit(1); /* refused instead of killed: reported by the parent */
		memset(p, 0x5a, MIB);
	}
}

/* The child hog, then the parent's half of RAM: the hog's wait status; *@ok whether the
 * half could be had and read back. */
static int hog_then_half(int *ok, size_t half)
{
	int st = run_child(hog_forever);
	char *p = malloc(half);

	*ok = p != NULL;
	for (size_t i = 0; *ok && i < half; i += PAGE)
		p[i] = (char)i;
	for (size_t i = 0; *ok && i < half; i += PAGE)
		*ok = p[i] == (char)i;
	free(p);
	return st;
}

static void test_hog_is_killed(void)
{
	size_t half = (size_t)(total_ram() / 2);
	int ok;

	/* Once first: what a first out-of-memory run makes for good (slab pages of caches, the
	 * program's page-cache pages) is then in the baseline of the measured second run. */
	hog_then_half(&ok, half);
	unsigned long long base = settled_free_ram();
	int st = hog_then_half(&ok, half);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "a child touching 1 MiB chunks forever ends by SIGKILL (%s)", status_str(st));
	check(ok, "the parent then allocates and touches half of RAM (%lu MiB)",
	      (unsigned long)(half / MIB));
	check_settled_ram_back(base, "after the hog and the half of RAM");
}

/* ---- 2. sbrkfail ------------------------------------------------------------------------- */

static void take_more_than_ram(void)
{
	unsigned long long want = total_ram() + MIB;

	for (unsigned long long got = 0; got < want; got += MIB) {
		char *p = sbrk(MIB);
		if (p == (void *)-1)
			_exit(1);
		for (unsigned long i = 0; i < MIB; i += PAGE)
			p[i] = 1;
	}
	_exit(2); /* more than RAM: impossible */
}

/* Ten children trying to take more than RAM; how many were reaped and how many ended as
 * expected (refused or killed). */
static void ten_children(int *reaped, int *ended)
{
	pid_t kids[SBRK_KIDS];

	fflush(stdout);
	for (int i = 0; i < SBRK_KIDS; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			take_more_than_ram();
	}
	*reaped = *ended = 0;
	for (int i = 0; i < SBRK_KIDS; i++) {
		int st = kids[i] > 0 ? wait_pid(kids[i]) : -1;
		*reaped += st != -1;
		*ended += (WIFEXITED(st) && WEXITSTATUS(st) == 1) ||
		          (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
}

static void test_sbrkfail(void)
{
	int reaped, ended;

	ten_children(&reaped, &ended); /* once first, as above */
	unsigned long long base = settled_free_ram();
	ten_children(&reaped, &ended);
	check(reaped == SBRK_KIDS, "ten children trying to take more than RAM are all reaped (%d)",
	      reaped);
	check(ended == SBRK_KIDS, "each was refused (exit 1) or killed (SIGKILL): %d of 10", ended);
	char *p = sbrk(PAGE);
	int ok = p != (void *)-1;
	if (ok) {
		p[0] = 7;
		ok = p[0] == 7 && sbrk(-(long)PAGE) != (void *)-1;
	}
	check(ok, "then one page can be allocated");
	check_settled_ram_back(base, "after ten children out of memory");
}

/* ---- 3. multi-oom: recursive fork to the same depth --------------------------------------- */

/* In a child at depth @d: commit 1 MiB (one page touched), fork the next level; the depth at
 * which a refusal came, as the exit status. */
static int descend(int d)
{
	if (d >= DEPTH_MAX)
		return DEPTH_MAX;
	char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return errno == ENOMEM ? d : 255;
	p[0] = 1;
	pid_t pid = fork();
	if (pid < 0)
		return errno == ENOMEM ? d : 254;
	if (pid == 0)
		_exit(descend(d + 1));
	int st = wait_pid(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 253;
}

static void test_same_depth(void)
{
	unsigned long long base = settled_free_ram();
	int depth[DEPTH_RUNS], same = 1;

	for (int r = 0; r < DEPTH_RUNS; r++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0)
			_exit(descend(1));
		int st = pid > 0 ? wait_pid(pid) : -1;
		depth[r] = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		same &= depth[r] == depth[0];
	}
	note("depths %d %d %d %d %d", depth[0], depth[1], depth[2], depth[3], depth[4]);
	check(depth[0] > 1 && depth[0] < DEPTH_MAX,
	      "recursive fork committing 1 MiB a level is refused with ENOMEM at depth %d",
	      depth[0]);
	check(same, "the same depth five times running");
	check_settled_ram_back(base, "after five recursive fork chains");
}

/* ---- 4. fork, exec and mmap with the commitment used up ----------------------------------- */

/* Commit everything that can be committed: mappings of halving sizes down to one page. */
static void use_up_commitment(void)
{
	for (size_t len = 1024 * MIB; len >= PAGE; len /= 2)
		while (mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		            0) != MAP_FAILED)
			;
}

/*
 * .bss this program does not use: exec of it must commit 1 MiB, more than an exhausted small
 * process has left (its reserve, total_vm / 32), so that exec is refused (test_exhausted).
 */
static volatile char exec_needs_this[1 << 20] __attribute__((used));

/* Exits with one bit per failed condition: run by B, a small process, once A has used up
 * all it could (B then takes the rest but for its own small reserve). */
static int exhausted_child(void)
{
	int bad = 0;

	use_up_commitment();
	void *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad |= !(m == MAP_FAILED && errno == ENOMEM);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		wait_pid(pid);
	bad |= !(pid < 0 && errno == ENOMEM) << 1;
	char *argv[] = { (char *)test_path("t_oom"), "--exec-child", NULL };
	execve(argv[0], argv, environ);
	bad |= (errno != ENOMEM) << 2;
	return bad;
}

static void test_exhausted(void)
{
	unsigned long long base = settled_free_ram();
	int go_b[2], a_ready[2], a_done[2];

	if (pipe(go_b) || pipe(a_ready) || pipe(a_done)) {
		check(0, "pipes for the exhaustion test");
		return;
	}
	fflush(stdout);
	pid_t b = fork(); /* before anything is used up: a fork then would be refused */
	if (b == 0) {
		recv1(go_b[0]);
		_exit(exhausted_child());
	}
	pid_t a = fork();
	if (a == 0) { /* A: big, keeps a big reserve */
		use_up_commitment();
		if (write(a_ready[1], "r", 1) != 1)
			_exit(1);
		recv1(a_done[0]);
		_exit(0);
	}
	recv1(a_ready[0]);
	if (write(go_b[1], "g", 1) != 1)
		note("cannot start B: %s", strerror(errno));
	int st = b > 0 ? wait_pid(b) : -1;
	if (write(a_done[1], "d", 1) != 1)
		note("cannot end A: %s", strerror(errno));
	int st_a = a > 0 ? wait_pid(a) : -1;
	for (int i = 0; i < 2; i++) {
		close(go_b[i]);
		close(a_ready[i]);
		close(a_done[i]);
	}
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	check(clean(st_a), "a process that used up all it could ends normally (%s)",
	      status_str(st_a));
	check(!(code & 1), "with the commitment used up a 4 KiB mmap fails with ENOMEM");
	check(!(code & 2), "fork fails with ENOMEM");
	check(!(code & 4) && !(WIFEXITED(st) && code == 42),
	      "execve of a program needing 1 MiB more fails with ENOMEM, or ends the process past "
	      "its point of no return (%s)",
	      status_str(st));
	check_settled_ram_back(base, "after fork and exec under exhaustion");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--exec-child"))
		return 42 + exec_needs_this[0]; /* the exec should never have got here */
	/* Printing first (stdout's buffer) and the whole image mapped: code first run later
	 * then costs nothing after a baseline. */
	note("RAM %llu MiB on %s", total_ram() / MIB, is_strata() ? "Strata" : "Linux");
	prefault_image();
	test_hog_is_killed();
	test_sbrkfail();
	int mode = proc_mount() ? sysctl_get(OVERCOMMIT) : -1;
	if (mode < 0 || sysctl_put(OVERCOMMIT, "2\n") != 2) {
		skip("recursive fork and exhaustion under overcommit never # SKIP no writable %s",
		     OVERCOMMIT);
		proc_unmount();
		return done();
	}
	test_same_depth();
	test_exhausted();
	char text[16];
	snprintf(text, sizeof(text), "%d\n", mode);
	check(sysctl_put(OVERCOMMIT, text) == 2 && sysctl_get(OVERCOMMIT) == mode,
	      "overcommit_memory restored to %d", mode);
	proc_unmount();
	return done();
}
