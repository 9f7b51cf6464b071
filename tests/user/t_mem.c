/* t_mem: the program break and anonymous mappings with Linux's semantics. brk (raw syscall):
 * brk(0) returns the break, growing returns the new break and the memory is zeroed and usable,
 * shrinking works, an impossible request returns the old break unchanged (never -errno);
 * sbrk agrees. mmap2/munmap/mprotect on private anonymous memory: fresh pages are zero, a
 * PROT_READ page written to kills a child with SIGSEGV, mprotect back to RW works, munmap of
 * a sub-range leaves the rest mapped, MAP_FIXED places exactly, EINVAL for an unaligned
 * address, a zero length and a missing MAP_PRIVATE/MAP_SHARED; ENOMEM for an impossible size. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long sys_brk(unsigned long x)
{
	return (unsigned long)syscall(SYS_brk, x);
}

static volatile unsigned char *g_page;
static void write_page(void)
{
	g_page[100] = 1;
}
static void read_page(void)
{
	(void)g_page[100];
}

int main(void)
{
	/* brk */
	unsigned long b0 = sys_brk(0);
	check(b0 != 0 && b0 < 0xC0000000UL, "brk(0) returns the current break (%#lx)", b0);
	check(sys_brk(0) == b0, "brk(0) is stable");
	unsigned long want = b0 + 64 * 1024;
	unsigned long b1 = sys_brk(want);
	check(b1 == want, "brk(break + 64 KiB) returns the new break (%#lx)", b1);
	int zero = 1;
	for (unsigned long a = (b0 + 4095) & ~4095UL; a < b1; a += 512)
		zero &= *(volatile unsigned char *)a == 0;
	check(zero, "the grown break area reads as zero");
	memset((void *)b0, 0x77, b1 - b0);
	check(((volatile unsigned char *)b0)[b1 - b0 - 1] == 0x77,
	      "the grown break area is writable to its last byte");
	unsigned long huge = sys_brk(0xFFFFF000UL);
	check(huge == b1,
	      "an impossible brk (to 0xFFFFF000, over the stack) returns the old break unchanged "
	      "(%#lx)",
	      huge);
	if (is_x86_64_host())
		skip("brk into the kernel half # SKIP an i386 process owns 0xC0000000.. on an "
		     "x86_64 host");
	else
		check(sys_brk(0xC0001000UL) == b1,
		      "brk into the kernel half returns the old break");
	check(sys_brk(0x1000) == b1, "brk below the program's data returns the old break");
	unsigned long b2 = sys_brk(b0 + 8192);
	check(b2 == b0 + 8192, "shrinking the break returns the new break (%#lx)", b2);
	g_page = (volatile unsigned char *)((b0 + 8192 + 4095) & ~4095UL) + 4096 * 4;
	int st = run_child(read_page);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "a page released by shrinking is unmapped (%s)", status_str(st));
	unsigned long b3 = sys_brk(b0 + 65536);
	zero = 1;
	for (unsigned long a = (b0 + 8192 + 4095) & ~4095UL; a < b3; a += 256)
		zero &= *(volatile unsigned char *)a == 0;
	check(b3 == b0 + 65536 && zero, "regrowing the break gives zeroed pages again");
	sys_brk(b0);
	void *s0 = sbrk(0);
	void *s1 = sbrk(4096);
	check(s1 == s0 && sbrk(0) == (char *)s0 + 4096,
	      "sbrk(4096) returns the old break and moves it by 4096");
	sbrk(-4096);

	/* mmap2 / munmap / mprotect */
	size_t len = 16 * 4096;
	unsigned char *m =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(m != MAP_FAILED && ((uintptr_t)m & 4095) == 0,
	      "mmap of 16 anonymous pages returns a page-aligned address (%p)", m);
	if (m == MAP_FAILED)
		return done();
	zero = 1;
	for (size_t i = 0; i < len; i++)
		zero &= m[i] == 0;
	check(zero, "fresh anonymous pages are zero");
	memset(m, 0xab, len);
	check(m[len - 1] == 0xab && m[0] == 0xab, "the mapping is writable end to end");

	check(mprotect(m + 4096, 4096, PROT_READ) == 0, "mprotect(page 1, PROT_READ) succeeds");
	g_page = m + 4096;
	st = run_child(read_page);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the PROT_READ page is readable (%s)",
	      status_str(st));
	st = run_child(write_page);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "a write to the PROT_READ page dies with SIGSEGV (%s)", status_str(st));
	check(m[4096 + 100] == 0xab, "the PROT_READ page kept its content");
	check(mprotect(m + 4096, 4096, PROT_NONE) == 0, "mprotect(PROT_NONE) succeeds");
	st = run_child(read_page);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "a read of a PROT_NONE page dies with SIGSEGV (%s)", status_str(st));
	check(mprotect(m + 4096, 4096, PROT_READ | PROT_WRITE) == 0,
	      "mprotect back to PROT_READ|PROT_WRITE succeeds");
	m[4096 + 100] = 0x11;
	check(m[4096 + 100] == 0x11 && m[4096 + 101] == 0xab,
	      "the page is writable again and kept its content");
	check_err(mprotect(m + 1, 4096, PROT_READ), EINVAL,
	          "mprotect of an unaligned address fails");

	check(munmap(m + 4 * 4096, 4 * 4096) == 0, "munmap of pages 4..7 (a sub-range) succeeds");
	g_page = m + 5 * 4096;
	st = run_child(read_page);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "the unmapped sub-range faults (%s)",
	      status_str(st));
	g_page = m + 3 * 4096;
	st = run_child(read_page);
	int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	g_page = m + 8 * 4096;
	st = run_child(read_page);
	ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	check(ok && m[3 * 4096] == 0xab && m[8 * 4096] == 0xab,
	      "the pages on both sides stay mapped with their content");
	unsigned char *f = mmap(m + 5 * 4096, 4096, PROT_READ | PROT_WRITE,
	                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check(f == m + 5 * 4096 && f[0] == 0, "MAP_FIXED maps exactly into the hole, zeroed");
	check(munmap(m, len) == 0, "munmap of the whole range (with a hole in it) succeeds");
	check(munmap(m, len) == 0, "munmap of an already unmapped range succeeds (as on Linux)");

	check_err((long)mmap((void *)0x10000001, 4096, PROT_READ,
	                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == (long)MAP_FAILED
	              ? -1
	              : 0,
	          EINVAL, "mmap MAP_FIXED at an unaligned address fails");
	check_err((long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	                  (long)MAP_FAILED
	              ? -1
	              : 0,
	          EINVAL, "mmap of length 0 fails");
	check_err((long)mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) == (long)MAP_FAILED ? -1
	                                                                                      : 0,
	          EINVAL, "mmap without MAP_PRIVATE or MAP_SHARED fails");
	check_err((long)mmap(NULL, 0xF0000000UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	                  (long)MAP_FAILED
	              ? -1
	              : 0,
	          ENOMEM, "mmap of 3.75 GiB fails");
	check_err(munmap((void *)0x10000001, 4096), EINVAL, "munmap of an unaligned address fails");
	check_err(munmap(m, 0), EINVAL, "munmap of length 0 fails");
	long a = syscall(SYS_mmap2, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 99, 0);
	check(a != -1 && (a & 4095) == 0, "mmap2 with MAP_ANONYMOUS ignores the fd argument (99)");
	if (a != -1)
		munmap((void *)a, 4096);

	/* Many map/unmap cycles return all the memory (Strata: exactly). */
	unsigned long long base = 0;
	for (int i = 0; i < 500; i++) {
		unsigned char *p = mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE,
		                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		memset(p, i, 64 * 1024);
		mprotect(p, 4096, PROT_READ);
		munmap(p, 64 * 1024);
		if (i == 0)
			base = free_ram_bytes();
	}
	if (is_strata())
		check(free_ram_bytes() == base,
		      "500 mmap/touch/mprotect/munmap cycles leave free RAM at the baseline");
	else
		skip("mmap cycles leave free RAM at the baseline # SKIP exact free-memory count is "
		     "Strata-only");
	return done();
}
