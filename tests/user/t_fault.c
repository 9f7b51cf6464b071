/* t_fault: every kind of user-mode fault kills only the faulting process, with the signal
 * Linux sends, seen by the parent in the wait status: NULL read/write, kernel-half read/write,
 * a write to read-only text and rodata, a jump to NULL or the kernel half, a jump to a
 * non-executable page (only where NX exists), unbounded recursion past the stack limit
 * (SIGSEGV); division by zero and INT_MIN/-1 (SIGFPE); ud2 (SIGILL); int3 (SIGTRAP);
 * privileged instructions and a bad segment load (SIGSEGV); a file mapping touched past EOF
 * (SIGBUS). The parent and a sibling process keep running unharmed. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void write_null(void)
{
	*(volatile int *)0 = 1;
}
static void read_null(void)
{
	(void)*(volatile int *)0;
}
static void read_kernel(void)
{
	(void)*(volatile int *)KERNEL_ADDR;
}
static void write_kernel(void)
{
	*(volatile int *)KERNEL_ADDR = 1;
}
static void read_top(void)
{
	(void)*(volatile int *)KERNEL_TOP;
}
static void read_kernel_last(void)
{
	(void)*(volatile char *)0xFFFFFFFFUL;
}
static void write_text(void)
{
	*(volatile unsigned char *)(void *)write_null = 0xc3;
}
static const char rodata_str[] = "read-only";
static void write_rodata(void)
{
	*(volatile char *)rodata_str = 'R';
}
static void jump_null(void)
{
	((void (*)(void))0)();
}
static void jump_kernel(void)
{
	((void (*)(void))KERNEL_ADDR)();
}

static void jump_nx(void)
{
	unsigned char *p =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(101);
	p[0] = 0xc3; /* ret: if the page were executable, the call would return */
	((void (*)(void))p)();
	_exit(0);
}

static volatile int recurse_forever = 1;
static int recurse(int depth)
{
	volatile char pad[256];
	pad[0] = (char)depth;
	if (!recurse_forever)
		return 0;
	return recurse(depth + 1) + pad[0]; /* not a tail call */
}
static void overflow_stack(void)
{
	recurse(0);
}

static void div_zero(void)
{
	int q, d = 0;
	__asm__ volatile("movl $1, %%eax; cltd; idivl %1" : "=a"(q) : "c"(d) : "edx");
}
static void div_overflow(void)
{
	int q, d = -1;
	__asm__ volatile("movl $0x80000000, %%eax; cltd; idivl %1" : "=a"(q) : "c"(d) : "edx");
}
static void do_ud2(void)
{
	__asm__ volatile("ud2");
}
static void do_int3(void)
{
	__asm__ volatile("int3");
}
static void do_hlt(void)
{
	__asm__ volatile("hlt");
}
static void do_cli(void)
{
	__asm__ volatile("cli");
}
static void do_in(void)
{
	__asm__ volatile("inb $0x80, %%al" ::: "eax");
}
static void do_int81(void)
{
	__asm__ volatile("int $0x81");
}
static void bad_segment(void)
{
	__asm__ volatile("movl $0x1234, %%eax; movl %%eax, %%ds" ::: "eax");
}
static void load_cr3(void)
{
	__asm__ volatile("movl %%cr3, %%eax" ::: "eax");
}

static void bus_error(void)
{
	int fd = open(data_path("hello.txt"), O_RDONLY);
	if (fd < 0)
		_exit(101);
	volatile char *p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		_exit(102);
	if (p[0] != 'H')
		_exit(103);
	(void)p[4096]; /* the file is one page long: the second page is past EOF */
	_exit(0);
}

static const struct fault {
	const char *what;
	void (*fn)(void);
	int sig;
} faults[] = {
	{ "write to NULL", write_null, SIGSEGV },
	{ "read from NULL", read_null, SIGSEGV },
	{ "read from the kernel half (0xC0000000)", read_kernel, SIGSEGV },
	{ "write to the kernel half (0xC0000000)", write_kernel, SIGSEGV },
	{ "read from 0xFFFFF000", read_top, SIGSEGV },
	{ "read of byte 0xFFFFFFFF", read_kernel_last, SIGSEGV },
	{ "write to read-only program text", write_text, SIGSEGV },
	{ "write to a read-only string", write_rodata, SIGSEGV },
	{ "call through a NULL function pointer", jump_null, SIGSEGV },
	{ "jump into the kernel half", jump_kernel, SIGSEGV },
	{ "unbounded recursion (stack overflow)", overflow_stack, SIGSEGV },
	{ "idiv by zero", div_zero, SIGFPE },
	{ "idiv INT_MIN / -1", div_overflow, SIGFPE },
	{ "ud2", do_ud2, SIGILL },
	{ "int3", do_int3, SIGTRAP },
	{ "hlt in user mode", do_hlt, SIGSEGV },
	{ "cli in user mode", do_cli, SIGSEGV },
	{ "inb from an I/O port", do_in, SIGSEGV },
	{ "int $0x81 (not a user gate)", do_int81, SIGSEGV },
	{ "loading %ds with a bad selector", bad_segment, SIGSEGV },
	{ "reading %cr3", load_cr3, SIGSEGV },
};

static volatile unsigned g_canary = 0xfeedface;

int main(void)
{
	/* A sibling that must outlive all the faults: blocks on a pipe, then exits 0. */
	int p[2];
	pid_t sibling = -1;
	if (pipe(p) == 0) {
		fflush(stdout);
		sibling = fork();
		if (sibling == 0) {
			char c;
			close(p[1]);
			_exit(read(p[0], &c, 1) == 1 && c == 'g' ? 0 : 1);
		}
		close(p[0]);
	}

	for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		int st = run_child(faults[i].fn);
		check(WIFSIGNALED(st) && WTERMSIG(st) == faults[i].sig,
		      "%s kills the child with %s (%s)", faults[i].what,
		      sigabbrev_np(faults[i].sig), status_str(st));
	}

	if (is_x86_64_host()) {
		int st = run_child(jump_nx);
		check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		      "a jump to a PROT_READ|PROT_WRITE page kills with SEGV (NX) (%s)",
		      status_str(st));
	} else {
		skip("a jump to a non-executable page # SKIP i386 without PAE has no NX bit");
	}

	int st = run_child(bus_error);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 102)
		skip("a file mapping touched past EOF gives SIGBUS # SKIP mmap of a file is not "
		     "supported here");
	else
		check(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS,
		      "a file mapping touched past EOF kills with BUS (%s)", status_str(st));

	check(g_canary == 0xfeedface, "the parent's memory is untouched by its children's faults");
	if (sibling > 0) {
		write(p[1], "g", 1);
		close(p[1]);
		waitpid(sibling, &st, 0);
		check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "a sibling process ran on through all the faults (%s)", status_str(st));
	}
	return done();
}
