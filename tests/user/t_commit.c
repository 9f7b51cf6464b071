/* t_commit: the overcommit policies as Linux's, set through /proc/sys/vm/overcommit_memory and
 * seen through /proc/meminfo's CommitLimit and Committed_AS. Mode never (2) refuses an mmap
 * past CommitLimit that mode always (1) accepts, keeps the old break when brk would pass it,
 * and refuses a fork whose copy of the parent's commitment does not fit (ENOMEM, nothing
 * leaked); Committed_AS rises by a private writable mapping's size and falls back on munmap;
 * MAP_NORESERVE is charged in mode never only; the heuristic (0) refuses one mmap larger than
 * RAM + swap. MADV_POPULATE_WRITE (the explicit commit policy) makes a range resident and is
 * EINVAL on a read-only mapping. A bad write to the sysctl is EINVAL and changes nothing.
 *
 * Linux's Committed_AS is a per-CPU counter read without the CPUs' pending deltas: in mode
 * never its batch is RAM/256 (1 MiB at 256 MiB), so on Linux the figures are checked within
 * SLACK; on Strata exactly. On Linux /proc is mounted here when it is not (rdinit leaves it
 * to init) and unmounted at the end, so later tests find the system as it was. The original
 * mode is restored at the end. */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB                 (1024UL * 1024UL)
#define PG                  4096UL
#define MAP_SIZE            (16 * MIB)
#define SLACK_KB            (2 * 1024L) /* Linux's per-CPU batch in mode never, and more */
#define OM_PATH             "/proc/sys/vm/overcommit_memory"
#define MADV_POPULATE_WRITE 23

/* The kB value of the /proc/meminfo field @name, or -1. */
static long meminfo_kb(const char *name)
{
	char buf[4096], *p;
	int fd = open("/proc/meminfo", O_RDONLY);
	long n = fd < 0 ? -1 : read_all(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	size_t len = strlen(name);
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, name, len) && p[len] == ':')
			return strtol(p + len + 1, NULL, 10);
	return -1;
}

static int set_mode(int mode)
{
	char text[8];

	snprintf(text, sizeof(text), "%d\n", mode);
	return sysctl_put(OM_PATH, text) == 2 && sysctl_get(OM_PATH) == mode;
}

/* A figure that Strata keeps exactly and Linux within SLACK_KB: |got - want| in kB. */
static int near(long got_kb, long want_kb)
{
	long d = got_kb - want_kb;

	return is_strata() ? d == 0 : d >= -SLACK_KB && d <= SLACK_KB;
}

static void *anon(size_t len, int prot, int extra)
{
	return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
}

/* kB of commitment left under CommitLimit now. */
static long left_kb(void)
{
	return meminfo_kb("CommitLimit") - meminfo_kb("Committed_AS");
}

static void sysctl_file(void)
{
	check(set_mode(2), "writing \"2\\n\" to %s sets mode never (reads back 2)", OM_PATH);
	errno = 0;
	long r = sysctl_put(OM_PATH, "3");
	check(r == -1 && errno == EINVAL && sysctl_get(OM_PATH) == 2,
	      "writing \"3\" is EINVAL and the mode stays 2 (%ld, errno %d)", r, errno);
	r = sysctl_put(OM_PATH, "1");
	check(r == 1 && sysctl_get(OM_PATH) == 1, "writing \"1\" without a newline sets mode 1");
}

/* Committed_AS follows a private writable mapping, NORESERVE only in mode never. */
static void committed_as(void)
{
	set_mode(2);
	long c0 = meminfo_kb("Committed_AS");
	char *p = anon(MAP_SIZE, PROT_READ | PROT_WRITE, 0);
	long c1 = meminfo_kb("Committed_AS");
	check(p != MAP_FAILED && near(c1 - c0, MAP_SIZE / 1024),
	      "mode never: a 16 MiB private writable mmap raises Committed_AS by 16384 kB (%ld)",
	      c1 - c0);
	munmap(p, MAP_SIZE);
	long c2 = meminfo_kb("Committed_AS");
	check(near(c2, c0), "munmap brings Committed_AS back (%ld kB, was %ld kB)", c2, c0);

	p = anon(MAP_SIZE, PROT_READ | PROT_WRITE, MAP_NORESERVE);
	c1 = meminfo_kb("Committed_AS");
	check(p != MAP_FAILED && near(c1 - c2, MAP_SIZE / 1024),
	      "mode never: MAP_NORESERVE is charged all the same (%ld kB)", c1 - c2);
	munmap(p, MAP_SIZE);
	for (int mode = 0; mode <= 1; mode++) {
		set_mode(mode);
		c0 = meminfo_kb("Committed_AS");
		p = anon(MAP_SIZE, PROT_READ | PROT_WRITE, MAP_NORESERVE);
		c1 = meminfo_kb("Committed_AS");
		check(p != MAP_FAILED && near(c1, c0),
		      "mode %d: a 16 MiB MAP_NORESERVE mmap is not charged (%ld kB)", mode,
		      c1 - c0);
		munmap(p, MAP_SIZE);
	}
}

/* Mode never refuses what passes CommitLimit, brk included; mode always accepts it. */
static void never_and_always(void)
{
	set_mode(2);
	long left = left_kb();
	size_t big = (size_t)(left + 16 * 1024) * 1024;
	note("CommitLimit %ld kB, Committed_AS %ld kB", meminfo_kb("CommitLimit"),
	     meminfo_kb("Committed_AS"));
	errno = 0;
	void *p = anon(big, PROT_READ | PROT_WRITE, 0);
	check(p == MAP_FAILED && errno == ENOMEM,
	      "mode never: mmap of %zu kB (16 MiB past CommitLimit) fails with ENOMEM", big / 1024);
	if (p != MAP_FAILED)
		munmap(p, big);
	unsigned long brk0 = (unsigned long)syscall(SYS_brk, 0);
	unsigned long got = (unsigned long)syscall(SYS_brk, brk0 + big);
	check(got == brk0, "mode never: brk past CommitLimit returns the old break (%#lx)", got);
	set_mode(1);
	p = anon(big, PROT_READ | PROT_WRITE, 0);
	check(p != MAP_FAILED, "mode always: the same mmap is accepted");
	if (p != MAP_FAILED)
		munmap(p, big);
}

/* fork, and the child exits at once. The fork's result, errno in *@err. */
static pid_t fork_and_reap(int *err)
{
	fflush(stdout);
	errno = 0;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	*err = errno;
	if (pid > 0)
		wait_pid(pid);
	return pid;
}

/*
 * Mode never: a fork whose copy of the commitment does not fit is ENOMEM; nothing lost. Strata
 * frees the refused child's task (its kernel stack) in the reaper, which runs once this
 * process blocks: the count is taken after a fork and wait that succeed (the first refused
 * fork warms the kernel's caches; the second is measured).
 */
static void fork_refused(void)
{
	set_mode(2);
	size_t two_thirds = (size_t)(left_kb() * 2 / 3) * 1024 & ~(PG - 1);
	char *p = anon(two_thirds, PROT_READ | PROT_WRITE, 0);
	int e;

	if (!check(p != MAP_FAILED, "mode never: a private writable mmap of 2/3 of what is left"))
		return;
	long c0 = meminfo_kb("Committed_AS");
	pid_t pid = fork_and_reap(&e);
	check(pid == -1 && e == ENOMEM, "fork needing that much again fails with ENOMEM (%d, %s)",
	      (int)pid, strerror(e));
	check(near(meminfo_kb("Committed_AS"), c0), "Committed_AS is where it was after the fork");
	munmap(p, two_thirds);
	fork_and_reap(&e);
	unsigned long long free0 = free_ram_bytes();
	p = anon(two_thirds, PROT_READ | PROT_WRITE, 0);
	pid = fork_and_reap(&e);
	check(pid == -1 && e == ENOMEM, "and again");
	munmap(p, two_thirds);
	check(fork_and_reap(&e) > 0, "with the mapping gone a fork succeeds");
	check_free_ram_back(free0, "a refused fork");
}

/* The heuristic refuses one request larger than RAM + swap. */
static void heuristic(void)
{
	set_mode(0);
	size_t big = (size_t)(meminfo_kb("MemTotal") + meminfo_kb("SwapTotal")) * 1024 + 64 * MIB;
	errno = 0;
	void *p = anon(big, PROT_READ | PROT_WRITE, 0);
	check(p == MAP_FAILED && errno == ENOMEM,
	      "mode heuristic: one mmap of RAM + swap + 64 MiB fails with ENOMEM");
	if (p != MAP_FAILED)
		munmap(p, big);
	p = anon(MAP_SIZE, PROT_READ | PROT_WRITE, 0);
	check(p != MAP_FAILED, "mode heuristic: 16 MiB is accepted");
	if (p != MAP_FAILED)
		munmap(p, MAP_SIZE);
}

/* MADV_POPULATE_WRITE: resident now; EINVAL on a read-only mapping. */
static void populate(void)
{
	enum { N = 64 };
	unsigned char vec[N];
	char *p = anon(N * PG, PROT_READ | PROT_WRITE, 0);
	int res = 0;

	if (!check(p != MAP_FAILED, "a fresh 64-page mapping"))
		return;
	mincore(p, N * PG, vec);
	for (int i = 0; i < N; i++)
		res += vec[i] & 1;
	check(res == 0, "no page of it is resident before (mincore: %d)", res);
	check(madvise(p, N * PG, MADV_POPULATE_WRITE) == 0,
	      "madvise(MADV_POPULATE_WRITE) succeeds");
	mincore(p, N * PG, vec);
	res = 0;
	for (int i = 0; i < N; i++)
		res += vec[i] & 1;
	check(res == N && p[0] == 0 && p[N * PG - 1] == 0,
	      "every page is resident after it, and reads zero (%d of %d)", res, N);
	munmap(p, N * PG);
	p = anon(N * PG, PROT_READ, 0);
	check_err(madvise(p, N * PG, MADV_POPULATE_WRITE), EINVAL,
	          "MADV_POPULATE_WRITE on a read-only mapping");
	munmap(p, N * PG);
}

int main(void)
{
	if (!proc_mount()) {
		skip("overcommit through /proc # SKIP /proc cannot be mounted");
		return done();
	}
	int mode0 = sysctl_get(OM_PATH);

	check(mode0 >= 0 && mode0 <= 2, "%s reads the mode (%d)", OM_PATH, mode0);
	sysctl_file();
	committed_as();
	never_and_always();
	fork_refused();
	heuristic();
	populate();
	char text[8];
	snprintf(text, sizeof(text), "%d\n", mode0);
	check(sysctl_put(OM_PATH, text) == 2 && sysctl_get(OM_PATH) == mode0,
	      "the original mode %d is back", mode0);
	proc_unmount();
	return done();
}
