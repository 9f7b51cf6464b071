/* t_vmsem: the semantics of the mmap family beyond t_mem's basics, with Linux's results.
 * munmap of every sub-range of an area (each page either keeps its content or is gone; a
 * gone head faults with SIGSEGV in a child) and across several areas; mprotect splitting an
 * area several ways and restoring it (a read-only part SIGSEGVs on write in a child, the
 * rest stays writable, content kept); madvise(MADV_DONTNEED) gives zeros at the next touch,
 * NORMAL/WILLNEED/SEQUENTIAL/RANDOM return 0; mremap grows in place, shrinks, moves with
 * MREMAP_MAYMOVE (content kept, old range gone) and to a MREMAP_FIXED address; Linux's
 * errors (EINVAL for an unaligned address, a zero length or bad flags, ENOMEM for an
 * unmapped range, EEXIST for MAP_FIXED_NOREPLACE over a mapping, EFAULT for mremap of an
 * unmapped range); MAP_FIXED replaces what was there; a free address hint is honoured and a
 * taken one is not; MAP_POPULATE gives resident zeroed pages; MAP_GROWSDOWN is accepted;
 * brk is page-granular and never grows over another area. Whether a page is mapped is asked
 * of mincore (ENOMEM for an unmapped page), so sweeps need no child per page. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

/* mmap of private anonymous read-write memory; MAP_FAILED on failure. */
static unsigned char *anon(void *hint, size_t len, int extra)
{
	return mmap(hint, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
}

/* True when the page at @p is mapped (mincore succeeds); false when mincore says ENOMEM. */
static int mapped(const void *p)
{
	unsigned char v;
	return mincore((void *)((uintptr_t)p & ~(PG - 1)), PG, &v) == 0;
}

static volatile unsigned char *g_addr;
/* Child bodies for probe(): touch the byte at g_addr (a fault kills the child). */
static void do_read(void)
{
	(void)*g_addr;
}
static void do_write(void)
{
	*g_addr = 0x5e;
}

/* Wait status of a child that reads (or writes) the byte at @p. */
static int probe(void *p, int write)
{
	g_addr = p;
	return run_child(write ? do_write : do_read);
}

/* True when wait status @st is a death by SIGSEGV. */
static int segv(int st)
{
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}

/* Fill page i of @m (npages long) with the byte i + 1. */
static void fill(unsigned char *m, int npages)
{
	for (int i = 0; i < npages; i++)
		memset(m + i * PG, i + 1, PG);
}

/* Page i of @m holds i + 1 at its first and last byte. */
static int page_intact(const unsigned char *m, int i)
{
	return m[i * PG] == i + 1 && m[i * PG + PG - 1] == i + 1;
}

/* True when the page at @m reads as zero (sampled every 64 bytes and its last byte). */
static int page_zero(const unsigned char *m)
{
	for (size_t i = 0; i < PG; i += 64)
		if (m[i])
			return 0;
	return m[PG - 1] == 0;
}

/* An mmap/mremap result as check_err() wants it: -1 for MAP_FAILED, else 0. */
static long mres(void *p)
{
	return p == MAP_FAILED ? -1 : 0;
}

/* munmap of every sub-range of an 8-page area, of head and tail, and across areas. */
static void test_munmap(void)
{
	enum { N = 8 };
	int combos = 0, bad = 0;
	for (int s = 0; s < N; s++)
		for (int l = 1; s + l <= N; l++) {
			unsigned char *m = anon(NULL, N * PG, 0);
			if (m == MAP_FAILED) {
				bad++;
				continue;
			}
			fill(m, N);
			combos++;
			if (munmap(m + s * PG, l * PG) != 0)
				bad++;
			for (int i = 0; i < N; i++) {
				int hole = i >= s && i < s + l;
				if (hole ? mapped(m + i * PG)
				         : !mapped(m + i * PG) || !page_intact(m, i)) {
					if (bad++ < 3)
						note("munmap [%d, +%d) of %d pages: page %d wrong",
						     s, l, N, i);
				}
			}
			munmap(m, N * PG);
		}
	check(
	    combos == 36 && bad == 0,
	    "munmap of each of the %d sub-ranges of an 8-page area unmaps exactly those pages and "
	    "keeps the content of the rest (%d wrong)",
	    combos, bad);

	unsigned char *m = anon(NULL, 8 * PG, 0);
	if (m == MAP_FAILED) {
		check(0, "mmap of 8 pages for the head/tail munmap checks");
		return;
	}
	fill(m, 8);
	check(munmap(m, 2 * PG) == 0 && munmap(m + 6 * PG, 2 * PG) == 0,
	      "munmap of the head and the tail of an area succeeds");
	int st = probe(m + PG, 0);
	check(segv(st), "a read of the unmapped head dies with SIGSEGV (%s)", status_str(st));
	st = probe(m + 6 * PG, 0);
	check(segv(st), "a read of the unmapped tail dies with SIGSEGV (%s)", status_str(st));
	st = probe(m + 2 * PG, 1);
	int st2 = probe(m + 5 * PG, 1);
	check(clean(st) && clean(st2) && page_intact(m, 2) && page_intact(m, 5),
	      "the middle stays readable, writable and intact (%s, %s)", status_str(st),
	      status_str(st2));

	/* Three areas of different protection side by side, then one munmap across all. */
	check(mprotect(m + 3 * PG, PG, PROT_READ) == 0 && mprotect(m + 4 * PG, PG, PROT_NONE) == 0,
	      "mprotect splits the middle into three areas (RW, R, none, RW)");
	check(munmap(m, 8 * PG) == 0, "one munmap over the holes and all the areas succeeds");
	int left = 0;
	for (int i = 0; i < 8; i++)
		left += mapped(m + i * PG);
	check(left == 0, "nothing of the range is left mapped (%d pages)", left);
}

/* mprotect splitting an area into three and five parts, restoring it, and its errors. */
static void test_mprotect(void)
{
	enum { N = 8 };
	unsigned char *m = anon(NULL, N * PG, 0);
	if (m == MAP_FAILED) {
		check(0, "mmap of 8 pages for mprotect");
		return;
	}
	fill(m, N);
	check(mprotect(m + 2 * PG, 4 * PG, PROT_READ) == 0,
	      "mprotect(PROT_READ) of pages 2..5 of 8 succeeds (splits the area in three)");
	int st = probe(m + 3 * PG, 1), st5 = probe(m + 5 * PG + PG - 1, 1);
	check(segv(st) && segv(st5),
	      "writes to the read-only pages (3, last byte of 5) die with SIGSEGV (%s, %s)",
	      status_str(st), status_str(st5));
	int st1 = probe(m + PG + PG - 1, 1), st6 = probe(m + 6 * PG, 1);
	check(clean(st1) && clean(st6), "the pages on either side stay writable (%s, %s)",
	      status_str(st1), status_str(st6));
	check(mprotect(m + 3 * PG, PG, PROT_READ | PROT_WRITE) == 0,
	      "mprotect(RW) of page 3 inside the read-only part succeeds (five areas)");
	m[3 * PG + 7] = 3;
	st = probe(m + 4 * PG, 1);
	check(segv(st) && m[3 * PG + 7] == 3,
	      "page 3 is writable again, page 4 still read-only (%s)", status_str(st));
	check(mprotect(m, N * PG, PROT_READ | PROT_WRITE) == 0,
	      "mprotect(RW) of the whole range restores it");
	int ok = 1;
	for (int i = 0; i < N; i++) {
		ok &= page_intact(m, i);
		m[i * PG + 1] = 0xee;
	}
	check(ok && m[4 * PG + 1] == 0xee,
	      "every page kept its content through the splits and is writable");
	check_err(mprotect(m + N * PG + 64 * PG, PG, PROT_READ), ENOMEM,
	          "mprotect of an unmapped range fails");
	munmap(m + 4 * PG, PG);
	check_err(mprotect(m, N * PG, PROT_READ), ENOMEM,
	          "mprotect of a range with an unmapped page in it fails");
	check_err(mprotect(m, PG, 0x40), EINVAL, "mprotect with an unknown prot bit fails");
	munmap(m, N * PG);
}

/* MADV_DONTNEED gives zeros at the next touch; the other advice returns 0; errors. */
static void test_madvise(void)
{
	enum { N = 16 };
	unsigned char *m = anon(NULL, N * PG, 0);
	if (m == MAP_FAILED) {
		check(0, "mmap of 16 pages for madvise");
		return;
	}
	fill(m, N);
	check(madvise(m + 4 * PG, 4 * PG, MADV_DONTNEED) == 0,
	      "madvise(MADV_DONTNEED) of pages 4..7 of 16 succeeds");
	int zero = 1, kept = 1;
	for (int i = 0; i < N; i++) {
		if (i >= 4 && i < 8)
			zero &= page_zero(m + i * PG);
		else
			kept &= page_intact(m, i);
	}
	check(zero, "the discarded pages read as zero at the next touch");
	check(kept, "the other pages keep their content");
	m[5 * PG] = 0x55;
	check(m[5 * PG] == 0x55 && m[5 * PG + 1] == 0, "a discarded page is writable again");
	static const struct {
		int advice;
		const char *name;
	} adv[] = { { MADV_NORMAL, "MADV_NORMAL" },
		    { MADV_WILLNEED, "MADV_WILLNEED" },
		    { MADV_SEQUENTIAL, "MADV_SEQUENTIAL" },
		    { MADV_RANDOM, "MADV_RANDOM" } };
	for (size_t i = 0; i < sizeof adv / sizeof adv[0]; i++) {
		int r = madvise(m, N * PG, adv[i].advice);
		check(r == 0, "madvise(%s) returns 0 (%d)", adv[i].name, r);
	}
	check(page_intact(m, 0) && page_intact(m, 15), "advice leaves the content alone");
	check_err(madvise(m, PG, 12345), EINVAL, "madvise with an unknown advice fails");
	check_err(madvise(m + 1, PG, MADV_NORMAL), EINVAL, "madvise of an unaligned address fails");
	munmap(m, N * PG);
	check_err(madvise(m, N * PG, MADV_NORMAL), ENOMEM, "madvise of an unmapped range fails");
}

/* mremap grow in place, shrink, blocked growth, MREMAP_MAYMOVE, MREMAP_FIXED, errors. */
static void test_mremap(void)
{
	/* Grow in place: 8 pages mapped, the top 4 unmapped, then grown back to 8. */
	unsigned char *m = anon(NULL, 8 * PG, 0);
	if (m == MAP_FAILED) {
		check(0, "mmap of 8 pages for mremap");
		return;
	}
	fill(m, 4);
	munmap(m + 4 * PG, 4 * PG);
	unsigned char *g = mremap(m, 4 * PG, 8 * PG, 0);
	check(g == m, "mremap grows 4 pages to 8 in place without MREMAP_MAYMOVE (%p, was %p)", g,
	      m);
	if (g != m)
		return;
	check(page_intact(m, 0) && page_intact(m, 3) && page_zero(m + 4 * PG) &&
	          page_zero(m + 7 * PG),
	      "the old pages keep their content, the new ones are zero");
	memset(m + 4 * PG, 5, 4 * PG);
	check(m[8 * PG - 1] == 5, "the grown part is writable to its last byte");

	/* Shrink. */
	unsigned char *s = mremap(m, 8 * PG, 2 * PG, 0);
	check(s == m && page_intact(m, 0) && page_intact(m, 1) && !mapped(m + 2 * PG) &&
	          !mapped(m + 7 * PG),
	      "mremap shrinks 8 pages to 2 in place: the first two kept, the rest unmapped");
	int st = probe(m + 3 * PG, 0);
	check(segv(st), "a read past the shrunken end dies with SIGSEGV (%s)", status_str(st));

	/* Blocked growth: a mapping right above stops growth in place. */
	unsigned char *block = anon(m + 2 * PG, PG, MAP_FIXED_NOREPLACE);
	check(block == m + 2 * PG, "a blocking page is mapped right above the area");
	errno = 0;
	void *r = mremap(m, 2 * PG, 6 * PG, 0);
	check_err(r == MAP_FAILED ? -1 : 0, ENOMEM,
	          "mremap growth without MREMAP_MAYMOVE into a mapping fails");
	unsigned char *mv = mremap(m, 2 * PG, 6 * PG, MREMAP_MAYMOVE);
	check(mv != MAP_FAILED && mv != m, "mremap with MREMAP_MAYMOVE moves the area (%p -> %p)",
	      m, mv);
	if (mv == MAP_FAILED)
		return;
	check(page_intact(mv, 0) && page_intact(mv, 1) && page_zero(mv + 2 * PG) &&
	          page_zero(mv + 5 * PG),
	      "the moved area keeps its content, its new part is zero");
	check(!mapped(m) && !mapped(m + PG), "the old range is unmapped after the move");
	check(mapped(block), "the blocking page is untouched");
	munmap(block, PG);

	/* MREMAP_FIXED: move to an address chosen by the caller (a reserved range). */
	unsigned char *target = anon(NULL, 8 * PG, 0);
	if (target == MAP_FAILED) {
		check(0, "mmap of a target range for MREMAP_FIXED");
		return;
	}
	memset(target, 0x77, 8 * PG);
	unsigned char *fx = mremap(mv, 6 * PG, 6 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, target + PG);
	check(fx == target + PG, "mremap with MREMAP_FIXED moves to the given address (%p)", fx);
	check(fx == target + PG && page_intact(fx, 0) && page_intact(fx, 1) && !mapped(mv),
	      "the content moved with it and the old range is unmapped");
	check(target[0] == 0x77 && target[7 * PG] == 0x77,
	      "the target's pages outside the moved range are kept");
	munmap(target, 8 * PG);

	/* Errors. */
	unsigned char *e = anon(NULL, 2 * PG, 0);
	if (e == MAP_FAILED)
		return;
	check_err(mres(mremap(e + 1, PG, 2 * PG, MREMAP_MAYMOVE)), EINVAL,
	          "mremap of an unaligned address fails");
	check_err(mres(mremap(e, PG, 0, MREMAP_MAYMOVE)), EINVAL, "mremap to a zero length fails");
	check_err(mres(mremap(e, PG, 2 * PG, 0x80)), EINVAL, "mremap with an unknown flag fails");
	check_err(mres(mremap(e, PG, PG, MREMAP_FIXED, e + 8 * PG)), EINVAL,
	          "mremap with MREMAP_FIXED but not MREMAP_MAYMOVE fails");
	munmap(e, 2 * PG);
	check_err(mres(mremap(e, PG, 2 * PG, MREMAP_MAYMOVE)), EFAULT,
	          "mremap of an unmapped range fails");
}

/* MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses (EEXIST), address hints. */
static void test_map_fixed(void)
{
	unsigned char *m = anon(NULL, 4 * PG, 0);
	if (m == MAP_FAILED) {
		check(0, "mmap of 4 pages for MAP_FIXED");
		return;
	}
	fill(m, 4);
	unsigned char *f = anon(m + PG, 2 * PG, MAP_FIXED);
	check(f == m + PG, "MAP_FIXED over pages 1..2 of a mapping returns that address");
	check(page_zero(m + PG) && page_zero(m + 2 * PG) && page_intact(m, 0) && page_intact(m, 3),
	      "the replaced pages are zero, the pages around them kept");

	errno = 0;
	void *r = anon(m + 2 * PG, PG, MAP_FIXED_NOREPLACE);
	check_err(mres(r), EEXIST, "MAP_FIXED_NOREPLACE over a mapping fails");
	r = anon(m + 3 * PG, 4 * PG, MAP_FIXED_NOREPLACE);
	check_err(mres(r), EEXIST, "MAP_FIXED_NOREPLACE over the tail of a mapping fails");
	check(page_intact(m, 0) && page_intact(m, 3), "the mapping is untouched by the failures");
	munmap(m, 4 * PG);
	unsigned char *n = anon(m + PG, PG, MAP_FIXED_NOREPLACE);
	check(n == m + PG, "MAP_FIXED_NOREPLACE into a free range maps exactly there (%p)", n);
	if (n != MAP_FAILED)
		munmap(n, PG);

	/* Address hints: a free hint is taken, a taken one is not (and nothing is replaced). */
	unsigned char *h = anon(NULL, 64 * PG, 0);
	if (h == MAP_FAILED)
		return;
	munmap(h, 64 * PG);
	unsigned char *want = h + 16 * PG;
	unsigned char *got = anon(want, 4 * PG, 0);
	check(got == want, "a free address hint is honoured (%p, asked %p)", got, want);
	if (got == MAP_FAILED)
		return;
	got[0] = 0x31;
	unsigned char *other = anon(want, 4 * PG, 0);
	check(other != MAP_FAILED && other != want && got[0] == 0x31,
	      "a hint over a mapping gives another address and leaves the mapping (%p)", other);
	if (other != MAP_FAILED)
		munmap(other, 4 * PG);
	munmap(got, 4 * PG);
}

/* MAP_POPULATE, MAP_GROWSDOWN and MAP_SHARED_VALIDATE on anonymous memory. */
static void test_flags(void)
{
	enum { N = 16 };
	unsigned char *p = anon(NULL, N * PG, MAP_POPULATE);
	check(p != MAP_FAILED, "mmap with MAP_POPULATE succeeds");
	if (p != MAP_FAILED) {
		unsigned char vec[N];
		int res = 0, zero = 1;
		if (mincore(p, N * PG, vec) == 0)
			for (int i = 0; i < N; i++)
				res += vec[i] & 1;
		for (int i = 0; i < N; i++)
			zero &= page_zero(p + i * PG);
		check(res == N, "MAP_POPULATE leaves every page resident (mincore: %d of %d)", res,
		      N);
		memset(p, 0x12, N * PG);
		check(zero && p[N * PG - 1] == 0x12, "the populated pages are zero and writable");
		munmap(p, N * PG);
	}
	unsigned char *g = anon(NULL, 4 * PG, MAP_GROWSDOWN);
	check(g != MAP_FAILED, "mmap with MAP_GROWSDOWN is accepted (%p)", g);
	if (g != MAP_FAILED) {
		g[4 * PG - 1] = 0x44;
		g[3 * PG] = 0x45;
		check(g[4 * PG - 1] == 0x44 && g[3 * PG] == 0x45, "its top page is usable");
		munmap(g, 4 * PG);
	}
	check_err(mres(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0)),
	          EINVAL, "mmap of anonymous memory with MAP_SHARED_VALIDATE fails");
}

/* The raw brk system call (glibc's brk() caches the break): the new or the old break. */
static unsigned long sys_brk(unsigned long x)
{
	return (unsigned long)syscall(SYS_brk, x);
}

/* brk is page-granular and does not grow over a mapping above it. No output while the
 * break is moved (stdout's buffer is malloc'd below it); checks are printed at the end. */
static void test_brk(void)
{
	fflush(stdout);
	unsigned long b0 = sys_brk(0);
	unsigned long b = (b0 + PG - 1) & ~(PG - 1);
	if (sys_brk(b) != b) {
		check(0, "brk to the next page boundary (%#lx)", b);
		return;
	}
	/* brk rounds the mapping to pages but returns the break as asked. */
	unsigned long r1 = sys_brk(b + 1);
	int st_in = probe((void *)(b + PG - 1), 1);
	int st_out = probe((void *)(b + PG), 0);
	((volatile unsigned char *)b)[10] = 0x42;
	unsigned long r2 = sys_brk(b + 100);
	int kept = ((volatile unsigned char *)b)[10] == 0x42;
	unsigned long r3 = sys_brk(b + PG + 1);
	int fresh =
	    ((volatile unsigned char *)b)[PG] == 0 && ((volatile unsigned char *)b)[10] == 0x42;
	sys_brk(b);
	int gone = !mapped((void *)b);

	/* A mapping a few pages above the break stops brk from growing over it. */
	unsigned char *blk = anon((void *)(b + 4 * PG), PG, MAP_FIXED_NOREPLACE);
	unsigned long over = 0, below = 0;
	if (blk != MAP_FAILED) {
		blk[0] = 0x66;
		over = sys_brk(b + 8 * PG);
		below = sys_brk(b + 2 * PG);
		sys_brk(b);
	}
	int blk_kept = blk != MAP_FAILED && blk[0] == 0x66 && blk[PG - 1] == 0;
	if (blk != MAP_FAILED)
		munmap(blk, PG);
	sys_brk(b0);

	check(r1 == b + 1, "brk(page + 1) returns the break as asked (%#lx)", r1);
	check(clean(st_in), "the rest of that page is writable (%s)", status_str(st_in));
	check(segv(st_out), "the next page is not mapped: a read dies with SIGSEGV (%s)",
	      status_str(st_out));
	check(r2 == b + 100 && kept, "moving the break within the page keeps its content");
	check(r3 == b + PG + 1 && fresh, "growing into the next page maps a zeroed page");
	check(gone, "shrinking back to the page boundary unmaps the page");
	check(blk == (unsigned char *)(b + 4 * PG), "a page is mapped 4 pages above the break");
	check(over == b, "brk over that mapping returns the old break (%#lx)", over);
	check(below == b + 2 * PG, "brk to 2 pages below it succeeds (%#lx)", below);
	check(blk_kept, "the mapping above the break is untouched");
}

/* Runs every group; exits with the number of failed checks. */
/* A file mapped shared from a read-only descriptor can never be made writable (EACCES);
 * mapped private, it can (its writes are private copies). */
static void test_file_maps(void)
{
	int fd = open(data_path("hello.txt"), O_RDONLY);
	if (fd < 0) {
		check(0, "open %s: %s", data_path("hello.txt"), strerror(errno));
		return;
	}
	char *sh = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	char *pr = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (sh == MAP_FAILED || pr == MAP_FAILED) {
		check(0, "mmap of hello.txt: %s", strerror(errno));
		return;
	}
	check(!memcmp(sh, HELLO_TEXT, sizeof(HELLO_TEXT) - 1),
	      "the shared file mapping reads the file");
	check_err(mprotect(sh, 4096, PROT_READ | PROT_WRITE), EACCES,
	          "mprotect(PROT_WRITE) of a shared mapping of an O_RDONLY file");
	check(mprotect(pr, 4096, PROT_READ | PROT_WRITE) == 0 && (pr[0] = 'J') == 'J' &&
	          sh[0] == 'H',
	      "a private mapping of it becomes writable, its write private");
	munmap(sh, 4096);
	munmap(pr, 4096);
}

int main(void)
{
	test_munmap();
	test_mprotect();
	test_madvise();
	test_mremap();
	test_map_fixed();
	test_flags();
	test_brk();
	test_file_maps();
	return done();
}
