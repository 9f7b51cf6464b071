/* t_stack: the main stack grows on demand and overflows into SIGSEGV. A recursion whose
 * frames each hold and write a 4 KiB array reaches 1 MiB below its start and every frame
 * reads back its own values on the way up; alloca of 1 MiB written from the top page
 * downwards works too; a runaway recursion in a child (RLIMIT_STACK set to 8 MiB first, the
 * Linux default, so the run is bounded whatever the shell set) dies of SIGSEGV, a child
 * whose RLIMIT_STACK is lowered to 512 KiB dies of SIGSEGV recursing 2 MiB deep, and the
 * parent goes on and can still grow its own stack. */
#define _GNU_SOURCE
#include "common.h"

#include <alloca.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define FRAME 4096

static char *g_top; /* an address near the top of main's frame */
static size_t g_deepest;

/* Recurse @depth frames of FRAME bytes each, writing every frame; returns the sum of the
 * values read back (a frame whose values changed under it corrupts the sum). */
static __attribute__((noinline)) unsigned long grow(unsigned depth)
{
	volatile unsigned char buf[FRAME];
	for (size_t i = 0; i < FRAME; i += 256)
		buf[i] = (unsigned char)(depth + i / 256);
	size_t used = (size_t)(g_top - (char *)buf);
	if (used > g_deepest)
		g_deepest = used;
	unsigned long below = depth ? grow(depth - 1) : 0;
	unsigned long sum = 0;
	for (size_t i = 0; i < FRAME; i += 256)
		sum += buf[i];
	return sum + below;
}

/* What grow(depth) must return. */
static unsigned long expected(unsigned depth)
{
	unsigned long sum = 0;
	for (unsigned d = 0; d <= depth; d++)
		for (size_t i = 0; i < FRAME; i += 256)
			sum += (unsigned char)(d + i / 256);
	return sum;
}

/* Never returns normally: each frame writes its page, so the stack grows until it cannot
 * (g_never is never reached; it only tells the compiler the recursion has an end). */
static volatile unsigned long g_never = ~0UL;
static __attribute__((noinline)) unsigned long runaway(unsigned long n)
{
	volatile unsigned char buf[FRAME];
	if (n == g_never)
		return 0;
	buf[0] = (unsigned char)n;
	buf[FRAME - 1] = (unsigned char)n;
	return runaway(n + 1) + buf[0] + buf[FRAME - 1];
}

/* Sets RLIMIT_STACK's soft limit to @bytes (or the hard limit when that is lower); a child
 * that cannot exits with 90 or 91. */
static void set_stack_limit(rlim_t bytes)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) != 0)
		_exit(90);
	rl.rlim_cur = bytes;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < bytes)
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_STACK, &rl) != 0)
		_exit(91);
}

/* Child body: recurse without end under an 8 MiB RLIMIT_STACK; never exits normally. */
static void child_runaway(void)
{
	set_stack_limit(8u << 20);
	runaway(0);
	_exit(92); /* not reached */
}

/* Child body: recurse 2 MiB deep under a 512 KiB RLIMIT_STACK; exit 94 if it survives. */
static void child_limited(void)
{
	set_stack_limit(512u << 10);
	if (grow(512) != expected(512)) /* 2 MiB of frames */
		_exit(93);
	_exit(94); /* survived: the limit was not applied */
}

/* alloca of 1 MiB written one byte per page from the top down; true when all read back. */
static __attribute__((noinline)) int alloca_mib(void)
{
	size_t n = 1u << 20;
	volatile unsigned char *p = alloca(n);
	/* From the top page downwards, one byte per page, then read all back. */
	for (size_t off = n; off >= 4096; off -= 4096)
		p[off - 4096] = (unsigned char)(off >> 12);
	int ok = 1;
	for (size_t off = n; off >= 4096; off -= 4096)
		ok &= p[off - 4096] == (unsigned char)(off >> 12);
	return ok;
}

/* Runs the checks; exits with the number of failed ones. */
int main(void)
{
	char top;
	g_top = &top;

	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (2u << 20))
		note("RLIMIT_STACK is only %lu bytes; the 1 MiB checks may fail",
		     (unsigned long)rl.rlim_cur);

	unsigned long s = grow(256);
	check(s == expected(256) && g_deepest >= (1u << 20),
	      "a 257-frame recursion of 4 KiB frames grows the stack to 1 MiB (%zu bytes deep) "
	      "and reads every frame back",
	      g_deepest);
	check(alloca_mib(), "alloca of 1 MiB written from the top page downwards reads back");

	int st = run_child(child_runaway);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "a runaway recursion in a child (RLIMIT_STACK 8 MiB) dies of SIGSEGV (%s)",
	      status_str(st));
	st = run_child(child_limited);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "a child with RLIMIT_STACK 512 KiB dies of SIGSEGV recursing 2 MiB deep (%s)",
	      status_str(st));

	g_deepest = 0;
	s = grow(384);
	check(s == expected(384) && g_deepest >= (3u << 19),
	      "the parent goes on and grows its stack to 1.5 MiB (%zu bytes deep)", g_deepest);
	return done();
}
