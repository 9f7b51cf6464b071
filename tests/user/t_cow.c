/* t_cow: copy-on-write fork and demand-zero memory, seen from user space.
 *  - fork with two thirds of free RAM allocated and written, twice in a row (impossible
 *    without COW: parent and child together would need 4/3 of it); each child reads every
 *    page as the parent wrote it and its writes stay its own;
 *  - parent and child each see only their own writes to a buffer shared at fork;
 *  - three generations (parent, child, grandchild) each writing a different part of a buffer
 *    shared at fork see their own part and the original everywhere else;
 *  - system calls writing into COW pages (read() from a pipe and from a file, pipe(),
 *    uname(), clock_gettime()) leave the other process's copy unchanged;
 *  - reading 4,096 fresh anonymous pages costs almost no memory and they read as zero;
 *  - a 512 MiB MAP_NORESERVE mapping written every 64th page costs only those pages;
 *  - 10,000 fork/exit cycles with touched, COW-broken pages (the child writes two pages, the
 *    parent writes one after the child exited) leave free memory exactly at its baseline.
 * Memory costs are sysinfo freeram deltas on Strata (exact up to page tables and area
 * bookkeeping); on Linux the resident set from /proc/self/statm when /proc is mounted (exact),
 * else freeram deltas with slack (its per-CPU page lists and caches move freeram by up to
 * megabytes) and up to three attempts; each check names its measure. Synchronisation is by
 * pipes only. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PG     4096UL
#define KiB    1024LL
#define MiB    (1024LL * 1024)
#define NO_MAP LLONG_MIN /* a cost_of_*() result: mmap failed */

/* Private anonymous read-write memory of @len bytes (flags | @extra); MAP_FAILED on failure. */
static unsigned char *anon(size_t len, int extra)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
}

/* Writes one byte to @fd (a pipe used as a semaphore). */
static void send1(int fd)
{
	char c = 1;
	while (write(fd, &c, 1) < 0 && errno == EINTR)
		;
}

/* Every byte of [p, p + n) is c. */
static int all(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* ---- fork with two thirds of free RAM written ------------------------------------------ */

/* Two forks in a row with two thirds of free RAM written (at most 1 GiB). */
static void test_fork_big(void)
{
	unsigned long long fr = free_ram_bytes();
	size_t size = (size_t)(fr / 3 * 2) & ~(PG - 1);
	if (fr / 3 * 2 > 1024 * MiB) {
		note("free RAM is %llu MiB: the mapping is capped at 1 GiB (32-bit address space), "
		     "so here fork without COW would fit too",
		     fr >> 20);
		size = 1024u << 20;
	}
	size_t pages = size / PG;
	uint32_t *m = (uint32_t *)anon(size, 0);
	if (m == MAP_FAILED) {
		check(0, "mmap of two thirds of free RAM (%zu MiB): %s", size >> 20,
		      strerror(errno));
		return;
	}
	for (size_t i = 0; i < pages; i++)
		m[i * (PG / 4)] = (uint32_t)i;
	note("%zu MiB (%zu pages) written, of %llu MiB free", size >> 20, pages, fr >> 20);
	for (int round = 1; round <= 2; round++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			check(0, "fork %d of 2 with two thirds of free RAM written: %s", round,
			      strerror(errno));
			continue;
		}
		if (pid == 0) {
			size_t bad = 0;
			for (size_t i = 0; i < pages; i++)
				bad += m[i * (PG / 4)] != (uint32_t)i;
			for (size_t k = 0, i = 0; k < 16; k++, i += pages / 16)
				m[i * (PG / 4)] = ~(uint32_t)i;
			for (size_t k = 0, i = 0; k < 16; k++, i += pages / 16)
				bad += m[i * (PG / 4)] != ~(uint32_t)i;
			_exit(bad ? 1 : 0);
		}
		int st = wait_pid(pid);
		size_t bad = 0;
		for (size_t i = 0; i < pages; i++)
			bad += m[i * (PG / 4)] != (uint32_t)i;
		check(clean(st) && bad == 0,
		      "fork %d of 2 with %zu MiB written: the child read every page and wrote 16 "
		      "(%s), the parent's pages are unchanged (%zu wrong)",
		      round, size >> 20, status_str(st), bad);
	}
	munmap(m, size);
}

/* ---- own writes only ------------------------------------------------------------------- */

/* Parent and child write overlapping parts after fork; each sees only its own. */
static void test_own_writes(void)
{
	enum { N = 8 };
	unsigned char *b = anon(N * PG, 0);
	int to_parent[2], to_child[2];
	if (b == MAP_FAILED || pipe(to_parent) || pipe(to_child)) {
		check(0, "setup for the own-writes check");
		return;
	}
	memset(b, 'O', N * PG);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) { /* (under fault injection) nobody would write to to_parent: say so */
		check(0, "fork for the own-writes check: %s", strerror(errno));
		close(to_parent[0]), close(to_parent[1]), close(to_child[0]), close(to_child[1]);
		munmap(b, N * PG);
		return;
	}
	if (pid == 0) {
		memset(b, 'C', 4 * PG); /* pages 0..3 */
		send1(to_parent[1]);
		recv1(to_child[0]); /* the parent has written pages 2..5 */
		_exit(all(b, 4 * PG, 'C') && all(b + 4 * PG, 4 * PG, 'O') ? 0 : 1);
	}
	recv1(to_parent[0]); /* the child has written pages 0..3 */
	memset(b + 2 * PG, 'P', 4 * PG);
	send1(to_child[1]);
	int st = wait_pid(pid);
	check(clean(st),
	      "the child sees its own writes and the original elsewhere, not the "
	      "parent's (%s)",
	      status_str(st));
	check(all(b, 2 * PG, 'O') && all(b + 2 * PG, 4 * PG, 'P') && all(b + 6 * PG, 2 * PG, 'O'),
	      "the parent sees its own writes and the original elsewhere, not the child's");
	close(to_parent[0]), close(to_parent[1]), close(to_child[0]), close(to_child[1]);
	munmap(b, N * PG);
}

/* ---- three generations ----------------------------------------------------------------- */

enum { PART = 4 * PG };

/* Part @own holds @mine, the other two parts 'O'. */
static int gen_view_ok(const unsigned char *b, int own, unsigned char mine)
{
	int ok = 1;
	for (int p = 0; p < 3; p++)
		ok &= all(b + p * PART, PART, p == own ? mine : 'O');
	return ok;
}

/* Parent, child and grandchild each write one third of a buffer shared at fork. */
static void test_generations(void)
{
	unsigned char *b = anon(3 * PART, 0);
	int ready[2], go[2];
	if (b == MAP_FAILED || pipe(ready) || pipe(go)) {
		check(0, "setup for the three-generation check");
		return;
	}
	memset(b, 'O', 3 * PART);
	fflush(stdout);
	pid_t child = fork();
	if (child < 0) { /* (under fault injection) nobody would write to ready: say so */
		check(0, "fork for the three-generation check: %s", strerror(errno));
		close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);
		munmap(b, 3 * PART);
		return;
	}
	if (child == 0) {
		pid_t grandchild = fork();
		if (grandchild == 0) {
			memset(b + 2 * PART, 'G', PART);
			send1(ready[1]);
			recv1(go[0]);
			_exit(gen_view_ok(b, 2, 'G') ? 0 : 1);
		}
		memset(b + PART, 'C', PART);
		if (grandchild < 0)
			send1(
			    ready[1]); /* its stand-in: the parent waits for two (the wait fails) */
		send1(ready[1]);
		recv1(go[0]);
		int code = gen_view_ok(b, 1, 'C') ? 0 : 1;
		int st = grandchild < 0 ? -1 : wait_pid(grandchild);
		_exit(code | (clean(st) ? 0 : 2));
	}
	memset(b, 'P', PART);
	recv1(ready[0]);
	recv1(ready[0]); /* child and grandchild have written */
	send1(go[1]);
	send1(go[1]);
	int parent_ok = gen_view_ok(b, 0, 'P');
	int st = wait_pid(child);
	int code = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 3;
	check(parent_ok, "generation 1 (parent) sees its part and the original in the others");
	check(!(code & 1),
	      "generation 2 (child) sees its part and the original in the others "
	      "(%s)",
	      status_str(st));
	check(!(code & 2),
	      "generation 3 (grandchild) sees its part and the original in the others");
	close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);
	munmap(b, 3 * PART);
}

/* ---- system calls writing into COW pages ----------------------------------------------- */

/* Kernel writes into COW pages (read, pipe, uname, clock_gettime) break COW. */
static void test_syscall_writes(void)
{
	unsigned char *b = anon(4 * PG, 0);
	int data[2], go[2];
	if (b == MAP_FAILED || pipe(data) || pipe(go)) {
		check(0, "setup for the syscall-into-COW checks");
		return;
	}
	/* The child read()s from a pipe into 100 bytes straddling two COW pages. */
	memset(b, 'A', 4 * PG);
	unsigned char bs[100];
	memset(bs, 'B', sizeof bs);
	if (write(data[1], bs, sizeof bs) != (ssize_t)sizeof bs)
		check(0, "pipe write");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		ssize_t r = read(data[0], b + PG - 50, 100);
		_exit(r == 100 && all(b, PG - 50, 'A') && all(b + PG - 50, 100, 'B') &&
		              all(b + PG + 50, PG - 50, 'A')
		          ? 0
		          : 1);
	}
	int st = wait_pid(pid);
	check(clean(st), "read() from a pipe into two COW pages fills the child's copy (%s)",
	      status_str(st));
	check(all(b, 2 * PG, 'A'), "the parent's copy of those pages is unchanged");

	/* The parent read()s a file into a COW page while the child waits. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		recv1(go[0]);
		_exit(all(b, 4 * PG, 'A') ? 0 : 1);
	}
	int fd = open(data_path("hello.txt"), O_RDONLY);
	ssize_t r = fd < 0 ? -1 : read(fd, b + 2 * PG + 10, 64);
	if (fd >= 0)
		close(fd);
	send1(go[1]);
	st = wait_pid(pid);
	check(r == (ssize_t)strlen(HELLO_TEXT) && !memcmp(b + 2 * PG + 10, HELLO_TEXT, r),
	      "read() of hello.txt into a COW page fills the parent's copy (%zd bytes)", r);
	check(clean(st), "the child's copy of that page is unchanged (%s)", status_str(st));

	/* pipe(), uname() and clock_gettime() fill COW pages in the child. */
	memset(b, 'A', 4 * PG);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int *fds = (int *)(b + 3 * PG + 8);
		struct utsname *u = (struct utsname *)(b + PG);
		struct timespec *ts = (struct timespec *)(b + 2 * PG + 16);
		int ok = pipe(fds) == 0 && fds[0] > 2 && fds[1] > 2;
		ok &= syscall(SYS_uname, u) == 0 && u->sysname[0] != 'A';
		ok &= syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts) == 0;
		_exit(ok ? 0 : 1);
	}
	st = wait_pid(pid);
	check(clean(st) && all(b, 4 * PG, 'A'),
	      "pipe(), uname() and clock_gettime() writing COW pages in the child leave the "
	      "parent's copy unchanged (%s)",
	      status_str(st));
	close(data[0]), close(data[1]), close(go[0]), close(go[1]);
	munmap(b, 4 * PG);
}

/* ---- memory costs ---------------------------------------------------------------------- */

/*
 * How memory use is measured: on Strata by sysinfo's free RAM (exact but for page tables and
 * area bookkeeping); on Linux by the resident set in /proc/self/statm when /proc is mounted
 * (exact: the shared zero page is not counted), else by free RAM, which Linux's per-CPU page
 * lists and caches move by up to megabytes (slack, and up to three attempts).
 */
enum meter { METER_STRATA, METER_RSS, METER_FREE };
static enum meter g_meter;

/* The resident set from /proc/self/statm in bytes, or -1 when /proc is not there. */
static long long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, res;
	int n = f ? fscanf(f, "%ld %ld", &size, &res) : 0;
	if (f)
		fclose(f);
	return n == 2 ? res * (long long)PG : -1;
}

/* Sets g_meter: Strata, else RSS when /proc/self/statm is readable, else free RAM. */
static void choose_meter(void)
{
	if (is_strata())
		g_meter = METER_STRATA;
	else if (rss_bytes() > 0)
		g_meter = METER_RSS;
	else
		g_meter = METER_FREE;
}

/* Bytes in use by the measure chosen (only differences mean anything). */
static long long used_bytes(void)
{
	return g_meter == METER_RSS ? rss_bytes() : -(long long)free_ram_bytes();
}

/* The chosen meter in words, for the check lines. */
static const char *meter_name(void)
{
	return g_meter == METER_STRATA ? "free RAM (Strata: page tables and bookkeeping allowed)"
	       : g_meter == METER_RSS  ? "resident set (/proc/self/statm)"
	                               : "free RAM (Linux slack for its page lists and caches)";
}

/* Memory consumed by reading 4,096 fresh pages; *zero is set when they all read as zero. */
static long long cost_of_reading(int *zero)
{
	size_t len = 4096 * PG;
	long long before = used_bytes();
	volatile unsigned char *m = anon(len, 0);
	if (m == MAP_FAILED)
		return NO_MAP;
	unsigned sum = 0;
	for (size_t i = 0; i < len; i += PG)
		sum |= m[i] | m[i + PG - 1];
	long long after = used_bytes();
	munmap((void *)m, len);
	*zero = sum == 0;
	return after - before;
}

/* Reading 4,096 fresh pages costs at most 64 KiB (2 MiB by Linux's free RAM). */
static void test_read_cost(void)
{
	int zero = 0, tries = 0;
	long long limit = g_meter == METER_FREE ? 2 * MiB : 64 * KiB, cost;
	do
		cost = cost_of_reading(&zero);
	while (++tries < (g_meter == METER_FREE ? 3 : 1) && cost > limit);
	if (cost == NO_MAP) {
		check(0, "mmap of 4,096 pages: %s", strerror(errno));
		return;
	}
	check(zero, "4,096 fresh anonymous pages read as zero");
	check(cost <= limit,
	      "reading them costs %lld KiB, at most %lld KiB of the 16,384 (%s; %d "
	      "attempt%s)",
	      cost / KiB, limit / KiB, meter_name(), tries, tries > 1 ? "s" : "");
}

/* Memory consumed by writing every 64th page of a 512 MiB MAP_NORESERVE mapping; sets
 * *touched (pages written) and *ok (values read back); NO_MAP when mmap fails. */
static long long cost_of_sparse(size_t *touched, int *ok)
{
	size_t len = 512u << 20;
	long long before = used_bytes();
	volatile uint32_t *m = (volatile uint32_t *)anon(len, MAP_NORESERVE);
	if ((void *)m == MAP_FAILED)
		return NO_MAP;
	size_t n = 0;
	for (size_t off = 0; off < len; off += 64 * PG, n++)
		m[off / 4] = (uint32_t)off;
	long long after = used_bytes();
	int good = 1;
	for (size_t off = 0; off < len; off += 64 * PG)
		good &= m[off / 4] == (uint32_t)off;
	munmap((void *)m, len);
	*touched = n;
	*ok = good;
	return after - before;
}

/* 512 MiB MAP_NORESERVE written every 64th page costs the 8 MiB written (+ tables). */
static void test_sparse(void)
{
	int ok = 0, tries = 0;
	size_t touched = 0;
	long long cost;
	long long want = 2048 * (long long)PG; /* 512 MiB / 64 pages */
	/* Strata: the pages plus at most 128 page tables and some bookkeeping. */
	long long lo = g_meter == METER_FREE ? want - 2 * MiB : want;
	long long hi = g_meter == METER_STRATA ? want + 128 * (long long)PG + 64 * KiB
	               : g_meter == METER_RSS  ? want + 64 * KiB
	                                       : want + 2 * MiB;
	do
		cost = cost_of_sparse(&touched, &ok);
	while (++tries < (g_meter == METER_FREE ? 3 : 1) && cost != NO_MAP &&
	       (cost < lo || cost > hi));
	if (cost == NO_MAP) {
		if (g_meter == METER_STRATA)
			check(0, "mmap of 512 MiB with MAP_NORESERVE: %s", strerror(errno));
		else
			skip("512 MiB MAP_NORESERVE mapping # SKIP mmap failed here (%s)",
			     strerror(errno));
		return;
	}
	check(touched == 2048 && ok,
	      "every 64th page of a 512 MiB MAP_NORESERVE mapping (%zu "
	      "pages) holds what was written",
	      touched);
	check(cost >= lo && cost <= hi,
	      "they cost %lld KiB: the 8,192 KiB written, give or take at most %lld/%lld KiB (%s; "
	      "%d attempt%s)",
	      cost / KiB, (want - lo) / KiB, (hi - want) / KiB, meter_name(), tries,
	      tries > 1 ? "s" : "");
}

/* ---- fork/exit cycles with COW-broken pages -------------------------------------------- */

enum { CYC_PAGES = 16, CYCLES = 10000, WARMUP = 10 };

/* 10,010 fork/exit cycles with COW breaks on both sides; free RAM back (Strata). */
static void test_cycles(void)
{
	uint32_t *m = (uint32_t *)anon(CYC_PAGES * PG, 0);
	uint32_t expect[CYC_PAGES];
	if ((void *)m == MAP_FAILED) {
		check(0, "mmap for the fork cycles");
		return;
	}
	for (int j = 0; j < CYC_PAGES; j++)
		m[j * (PG / 4)] = expect[j] = 1000u + j;
	fflush(stdout);
	unsigned long long base = 0;
	int good = 0;
	for (int i = 0; i < WARMUP + CYCLES; i++) {
		if (i == WARMUP)
			base = free_ram_bytes();
		pid_t pid = fork();
		if (pid == 0) {
			int bad = 0;
			for (int j = 0; j < CYC_PAGES; j++)
				bad += m[j * (PG / 4)] != expect[j];
			m[(i % CYC_PAGES) * (PG / 4) + 1] = (uint32_t)i;       /* COW break */
			m[((i + 5) % CYC_PAGES) * (PG / 4) + 2] = (uint32_t)i; /* and another */
			_exit(bad ? 1 : 0);
		}
		if (pid < 0)
			continue;
		good += clean(wait_pid(pid));
		/* The parent writes a page the child shared and broke: sole owner again. */
		int j = (i * 7) % CYC_PAGES;
		m[j * (PG / 4)] = expect[j] = (uint32_t)i * 3u;
	}
	int same = 1;
	for (int j = 0; j < CYC_PAGES; j++)
		same &= m[j * (PG / 4)] == expect[j];
	check(good == WARMUP + CYCLES,
	      "%d fork/exit cycles: each child read the parent's current values (%d good)",
	      WARMUP + CYCLES, good);
	check(same, "the parent's pages hold exactly its own writes, none of its children's");
	check_free_ram_back(base, "10,000 fork/exit cycles with COW-broken pages");
	munmap(m, CYC_PAGES * PG);
}

/* Runs every group; exits with the number of failed checks. */
int main(void)
{
	choose_meter();
	test_fork_big();
	test_own_writes();
	test_generations();
	test_syscall_writes();
	test_read_cost();
	test_sparse();
	test_cycles();
	return done();
}
