/* t_signal: signal handlers as Linux i386 runs them. A handler installed with signal() and with
 * sigaction (with and without SA_SIGINFO) runs and returns; siginfo of kill (SI_USER, pid, uid)
 * and of tgkill (SI_TKILL); the handler entry (esp + 4 16-byte aligned, DF clear, a fresh FPU
 * state) and the interrupted registers, flags and x87/SSE state back after it; nested signals
 * (the handled signal blocked during its handler, SA_NODEFER, sa_mask); sigprocmask blocking
 * then delivery at the unblock, sigpending, merging (kill()s merge; raise()s are pending for
 * the thread, apart); rt_sigsuspend; rt_sigtimedwait; SIGCHLD with si_pid/si_status
 * (CLD_EXITED, CLD_KILLED); a SIGSEGV handler that mprotects the page and returns (the write
 * reruns, SEGV_ACCERR/SEGV_MAPERR, si_addr); SIGFPE (FPE_INTDIV) left by siglongjmp; SIGILL
 * (ILL_ILLOPN) skipped by editing the context; SIGTRAP after int3; sigaltstack (stack overflow
 * caught on it, SS_ONSTACK, EPERM, ENOMEM, EINVAL); a frame that cannot be written and a bad
 * rt_sigreturn frame give SIGSEGV; a context asking for a kernel code segment, IOPL 3, NT or
 * IF off cannot have it; a fault whose signal is blocked kills. Calls that wait: t_sigwait. */
#define _GNU_SOURCE
#include "common.h"
#include "sigtest.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define INT80 0x80CDu /* the bytes cd 80 read as a little-endian 16-bit word */
/* The kernel's i386 MINSIGSTKSZ (glibc's macro may be sysconf(_SC_MINSIGSTKSZ) instead). */
#define KERNEL_MINSIGSTKSZ 2048u

static void unblock_all(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
}

/* ---- a handler runs and returns --------------------------------------------------------- */

static siginfo_t got_info;
static void *got_uc;
static void info_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	got_info = *si;
	got_uc = uc;
	sig_hits++;
}

static void test_basic(void)
{
	sig_hits = 0;
	int ok = signal(SIGUSR1, sig_count) != SIG_ERR && raise(SIGUSR1) == 0;
	check(ok && sig_hits == 1 && sig_last == SIGUSR1,
	      "signal(): the handler runs once with the signal number and returns (sig_hits %d)",
	      (int)sig_hits);
	sig_hits = 0;
	sig_on(SIGUSR2, sig_count, 0);
	kill(getpid(), SIGUSR2);
	check(sig_hits == 1 && sig_last == SIGUSR2,
	      "sigaction without SA_SIGINFO: kill(getpid()) runs the handler before kill returns");

	sig_hits = 0;
	sig_on_info(SIGUSR1, info_handler, 0);
	kill(getpid(), SIGUSR1);
	check(sig_hits == 1 && got_info.si_signo == SIGUSR1 && got_info.si_code == SI_USER &&
	          got_info.si_pid == getpid() && got_info.si_uid == getuid() && got_uc != NULL,
	      "SA_SIGINFO: kill gives si_signo %d, si_code SI_USER (%d), si_pid %d = %d, si_uid %d",
	      got_info.si_signo, got_info.si_code, got_info.si_pid, getpid(), (int)got_info.si_uid);
	sig_hits = 0;
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	check(sig_hits == 1 && got_info.si_code == SI_TKILL && got_info.si_pid == getpid(),
	      "tgkill gives si_code SI_TKILL (%d) and si_pid", got_info.si_code);
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	check((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == info_handler,
	      "sigaction reads back the installed action");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* ---- the handler's entry and the registers after it ------------------------------------- */

uint32_t entry_esp, entry_eflags;
uint16_t entry_fcw;
uint32_t entry_mxcsr;
static int have_sse;

/* A handler in assembly: records esp, eflags, the x87 control word and (with SSE) MXCSR as
 * it finds them, then scribbles on the FPU state and the registers the ABI lets it use. */
void entry_probe(int);
__asm__(".text\n"
        ".globl entry_probe\n"
        "entry_probe:\n"
        "  movl %esp, entry_esp\n"
        "  pushfl\n"
        "  popl entry_eflags\n"
        "  fnstcw entry_fcw\n"
        "  cmpl $0, have_sse_flag\n"
        "  je 1f\n"
        "  stmxcsr entry_mxcsr\n"
        "  movl $0x7f80, %eax\n" /* round toward zero, masked */
        "  pushl %eax\n"
        "  ldmxcsr (%esp)\n"
        "  popl %eax\n"
        "  xorps %xmm1, %xmm1\n"
        "1:\n"
        "  fninit\n"
        "  fldz\n"
        "  fldz\n"
        "  movl $0x11111111, %eax\n"
        "  movl $0x22222222, %ecx\n"
        "  movl $0x33333333, %edx\n"
        "  ret\n");
int have_sse_flag;

/* Operands of the asm below are static: it moves esp (push ebp), so no esp-relative ones. */
uint32_t flags_out, ebp_out;
double pi_out;
uint16_t fcw_in = 0x027F, fcw_out; /* 53-bit precision, all masked */

static void test_entry_and_context(void)
{
	uint32_t esi = 0x5151A5A5, edi = 0x7171C3C3, esi_out = 0, edi_out = 0;
	uint32_t xmm_out[2] = { 0, 0 };
	static const uint32_t xmm_in[2] = { 0x89ABCDEF, 0x01234567 };
	uint32_t mxcsr_in = 0x3F80, mxcsr_out = 0; /* round down, all masked */

	have_sse = __builtin_cpu_supports("sse2");
	have_sse_flag = have_sse;
	sig_on(SIGUSR1, entry_probe, 0);
	long pid = getpid(), nr = SYS_kill;
	if (have_sse)
		__asm__ volatile("ldmxcsr %0\n\tmovq %1, %%xmm1" : : "m"(mxcsr_in), "m"(xmm_in));
	__asm__ volatile("fldcw fcw_in\n\t"
	                 "fldpi\n\t"
	                 "pushl %%ebp\n\t"
	                 "movl $0x6B6B9D9D, %%ebp\n\t"
	                 "std\n\t"
	                 "int $0x80\n\t" /* kill(getpid(), SIGUSR1): the handler runs on return */
	                 "pushfl\n\t"
	                 "popl flags_out\n\t"
	                 "cld\n\t"
	                 "movl %%ebp, ebp_out\n\t"
	                 "popl %%ebp\n\t"
	                 "fstpl pi_out\n\t"
	                 "fnstcw fcw_out"
	                 : "+a"(nr), "+S"(esi), "+D"(edi)
	                 : "b"(pid), "c"(SIGUSR1)
	                 : "edx", "memory", "cc", "st");
	if (have_sse)
		__asm__ volatile("stmxcsr %0\n\tmovq %%xmm1, %1" : "=m"(mxcsr_out), "=m"(xmm_out));
	esi_out = esi;
	edi_out = edi;
	check(nr == 0, "kill by int $0x80 returns 0 in eax after the handler (%ld)", nr);
	check(((entry_esp + 4) & 15) == 0,
	      "the handler starts with esp + 4 16-byte aligned (esp %#x), as after a call",
	      entry_esp);
	check(!(entry_eflags & 0x400), "the handler starts with DF clear (eflags %#x)",
	      entry_eflags);
	check(entry_fcw == 0x037F, "the handler starts with a fresh x87 control word (%#x)",
	      entry_fcw);
	if (have_sse)
		check(entry_mxcsr == 0x1F80, "the handler starts with a fresh MXCSR (%#x)",
		      entry_mxcsr);
	else
		skip("fresh MXCSR # SKIP no SSE2");
	check(esi_out == 0x5151A5A5 && edi_out == 0x7171C3C3 && ebp_out == 0x6B6B9D9D,
	      "esi, edi and ebp come back after the handler (%#x %#x %#x)", esi_out, edi_out,
	      ebp_out);
	check(flags_out & 0x400, "the interrupted code's DF comes back (eflags %#x)", flags_out);
	check(pi_out > 3.14159 && pi_out < 3.1416 && fcw_out == 0x027F,
	      "the x87 stack (pi %.6f) and control word (%#x) come back", pi_out, fcw_out);
	if (have_sse)
		check(mxcsr_out == 0x3F80 && xmm_out[0] == xmm_in[0] && xmm_out[1] == xmm_in[1],
		      "MXCSR (%#x) and xmm1 (%08x%08x) come back", mxcsr_out, xmm_out[1],
		      xmm_out[0]);
	else
		skip("SSE state # SKIP no SSE2");
	signal(SIGUSR1, SIG_DFL);
}

/* ---- nesting ------------------------------------------------------------------------------ */

static char order[32];
static volatile sig_atomic_t depth, max_depth, olen, calls;

static void push_order(char c)
{
	if (olen < (int)sizeof(order) - 1)
		order[olen++] = c;
}

static void nest_usr2(int sig)
{
	(void)sig;
	push_order('2');
}

static void nest_usr1(int sig)
{
	(void)sig;
	push_order('<');
	if (++depth > max_depth)
		max_depth = depth;
	if (++calls == 1) {
		raise(SIGUSR2); /* another signal: runs inside this handler */
		raise(
		    SIGUSR1); /* the same one: blocked until this handler returns (no SA_NODEFER) */
	}
	push_order('>');
	depth--;
}

static void test_nesting(void)
{
	memset(order, 0, sizeof(order));
	olen = depth = max_depth = calls = 0;
	sig_on(SIGUSR1, nest_usr1, 0);
	sig_on(SIGUSR2, nest_usr2, 0);
	raise(SIGUSR1);
	check(strcmp(order, "<2><>") == 0 && max_depth == 1,
	      "a handler interrupted by another signal; its own signal waits for its return (%s)",
	      order);

	memset(order, 0, sizeof(order));
	olen = depth = max_depth = calls = 0;
	sig_on(SIGUSR1, nest_usr1, SA_NODEFER);
	raise(SIGUSR1);
	check(strcmp(order, "<2<>>") == 0 && max_depth == 2,
	      "SA_NODEFER: the handler's own signal nests at once (%s, depth %d)", order,
	      (int)max_depth);

	/* sa_mask: SIGUSR2 blocked while the SIGUSR1 handler runs. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nest_usr1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	memset(order, 0, sizeof(order));
	olen = depth = max_depth = calls = 0;
	raise(SIGUSR1);
	check(strcmp(order, "<><>2") == 0,
	      "sa_mask holds SIGUSR2 until the SIGUSR1 handler returns (%s)", order);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* ---- masks -------------------------------------------------------------------------------- */

static void test_masks(void)
{
	sigset_t block, pend, old, now;

	sig_hits = 0;
	sig_on(SIGUSR1, sig_count, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	kill(getpid(), SIGUSR1); /* three kills: one process-wide pending signal (raise's tgkill */
	kill(getpid(), SIGUSR1); /* would be pending for the thread, separately, on Linux) */
	kill(getpid(), SIGUSR1);
	sigpending(&pend);
	check(sig_hits == 0 && sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2),
	      "a blocked signal waits: not run (sig_hits %d), sigpending shows it", (int)sig_hits);
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(sig_hits == 1, "unblocking delivers it once (three sends merged: sig_hits %d)",
	      (int)sig_hits);
	sigpending(&pend);
	check(!sigismember(&pend, SIGUSR1), "and it is no longer pending");
	sig_hits = 0;
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1); /* tgkill: pending for the thread */
	raise(SIGUSR1);
	kill(getpid(), SIGUSR1); /* pending for the process */
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(sig_hits == 2,
	      "raise()s and a kill() of one blocked signal are pending apart (thread and process) "
	      "and run the handler twice (sig_hits %d)",
	      (int)sig_hits);

	sigfillset(&block);
	sigprocmask(SIG_SETMASK, &block, &old);
	sigprocmask(SIG_SETMASK, NULL, &now);
	check(!sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP) &&
	          sigismember(&now, SIGUSR1),
	      "SIGKILL and SIGSTOP cannot be blocked");
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(sigprocmask(99, &block, NULL) == -1 && errno == EINVAL,
	      "sigprocmask with a bad how: EINVAL");

	/* SIG_IGN discards a pending signal. */
	sigprocmask(SIG_BLOCK, (sigemptyset(&block), sigaddset(&block, SIGUSR2), &block), &old);
	raise(SIGUSR2);
	signal(SIGUSR2, SIG_IGN);
	sigpending(&pend);
	check(!sigismember(&pend, SIGUSR2), "setting SIG_IGN discards the pending signal");
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR2, SIG_DFL);

	/* rt_sigsuspend: the handler runs inside, the old mask is back after. */
	sig_hits = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1);
	sigset_t wait_mask = old;
	sigdelset(&wait_mask, SIGUSR1);
	int r = sigsuspend(&wait_mask);
	int e = errno;
	sigprocmask(SIG_SETMASK, NULL, &now);
	check(r == -1 && e == EINTR && sig_hits == 1 && sigismember(&now, SIGUSR1),
	      "sigsuspend runs the pending handler, returns EINTR, restores the mask (sig_hits %d)",
	      (int)sig_hits);

	/* rt_sigtimedwait: takes a blocked pending signal without running the handler. */
	sig_hits = 0;
	siginfo_t si;
	raise(SIGUSR1);
	struct timespec ts = { 1, 0 };
	r = sigtimedwait(&block, &si, &ts);
	check(r == SIGUSR1 && si.si_signo == SIGUSR1 && sig_hits == 0,
	      "sigtimedwait takes a pending blocked signal (%d), no handler run", r);
	ts.tv_sec = 0;
	ts.tv_nsec = 20 * 1000 * 1000;
	r = sigtimedwait(&block, &si, &ts);
	check(r == -1 && errno == EAGAIN,
	      "sigtimedwait with nothing pending: EAGAIN at the timeout");
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- SIGCHLD ------------------------------------------------------------------------------ */

static void test_sigchld(void)
{
	sigset_t block, old;

	sig_on_info(SIGCHLD, info_handler, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	sig_hits = 0;
	pid_t pid = fork_checked("SIGCHLD");
	if (pid == 0)
		_exit(7);
	sigset_t wait_mask = old;
	if (pid < 0)
		goto out;
	sigdelset(&wait_mask, SIGCHLD);
	sigsuspend(&wait_mask);
	check(sig_hits == 1 && got_info.si_signo == SIGCHLD && got_info.si_code == CLD_EXITED &&
	          got_info.si_pid == pid && got_info.si_status == 7,
	      "SIGCHLD at a child's exit: CLD_EXITED (%d), si_pid %d = %d, si_status %d",
	      got_info.si_code, got_info.si_pid, pid, got_info.si_status);
	check(wait_pid(pid) == 7 << 8, "the child is still there to be waited for");

	sig_hits = 0;
	pid = fork_checked("SIGCHLD of a killed child");
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid < 0)
		goto out;
	kill(pid, SIGKILL);
	sigsuspend(&wait_mask);
	check(sig_hits == 1 && got_info.si_code == CLD_KILLED && got_info.si_pid == pid &&
	          got_info.si_status == SIGKILL,
	      "SIGCHLD of a killed child: CLD_KILLED (%d), si_status %d", got_info.si_code,
	      got_info.si_status);
	wait_pid(pid);
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGCHLD, SIG_DFL);
}

/* ---- faults ------------------------------------------------------------------------------- */

static char *fault_page;
static volatile sig_atomic_t fixes;

static void segv_fixer(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	got_info = *si;
	fixes++;
	mprotect(fault_page, 4096, PROT_READ | PROT_WRITE);
}

static sigjmp_buf jump;

static void jumper(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_info = *si;
	siglongjmp(jump, sig);
}

static void ill_skipper(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	got_info = *si;
	sig_hits++;
	uc->uc_mcontext.gregs[REG_EIP] += 2; /* over the ud2 */
}

static volatile int zero;

static void test_faults(void)
{
	fault_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sig_on_info(SIGSEGV, segv_fixer, 0);
	fixes = 0;
	*(volatile char *)(fault_page + 100) = 42; /* faults; the handler mprotects; reruns */
	check(fixes == 1 && fault_page[100] == 42,
	      "a SIGSEGV handler that mprotects the page returns and the write reruns");
	check(got_info.si_signo == SIGSEGV && got_info.si_code == SEGV_ACCERR &&
	          got_info.si_addr == fault_page + 100,
	      "its siginfo: SEGV_ACCERR (%d), si_addr %p = %p", got_info.si_code, got_info.si_addr,
	      (void *)(fault_page + 100));
	munmap(fault_page, 4096);

	sig_on_info(SIGSEGV, jumper, 0);
	if (sigsetjmp(jump, 1) == 0)
		*(volatile int *)fault_page = 1; /* unmapped now */
	check(got_info.si_code == SEGV_MAPERR && got_info.si_addr == fault_page,
	      "a write to an unmapped page: SEGV_MAPERR (%d), si_addr %p", got_info.si_code,
	      got_info.si_addr);

	sig_on_info(SIGFPE, jumper, 0);
	int r = sigsetjmp(jump, 1);
	if (r == 0)
		r = 100 / zero;
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	check(r == SIGFPE && got_info.si_code == FPE_INTDIV && got_info.si_addr != NULL,
	      "division by zero: SIGFPE, FPE_INTDIV (%d), si_addr at the instruction; left by "
	      "siglongjmp",
	      got_info.si_code);
	check(!sigismember(&now, SIGFPE), "siglongjmp restored the mask (SIGFPE unblocked)");

	sig_hits = 0;
	sig_on_info(SIGILL, ill_skipper, 0);
	void *ud2_at = NULL;
	__asm__ volatile("call 1f\n1: popl %0\n\taddl $4, %0\n\tud2" : "=r"(ud2_at));
	check(sig_hits == 1 && got_info.si_code == ILL_ILLOPN && got_info.si_addr == ud2_at,
	      "ud2: SIGILL, ILL_ILLOPN (%d), si_addr %p = %p; the handler moved eip past it",
	      got_info.si_code, got_info.si_addr, ud2_at);

	sig_hits = 0;
	sig_on_info(SIGTRAP, info_handler, 0);
	__asm__ volatile("int3");
	check(sig_hits == 1 && got_info.si_signo == SIGTRAP && got_info.si_code == SI_KERNEL,
	      "int3: SIGTRAP (si_code SI_KERNEL %d), execution goes on after it", got_info.si_code);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
}

static void blocked_fault_child(void)
{
	sigset_t s;

	sig_on(SIGSEGV, sig_count, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGSEGV);
	sigprocmask(SIG_BLOCK, &s, NULL);
	*(volatile int *)0 = 1; /* blocked: the fault kills */
	_exit(3);
}

/* ---- the alternate stack ----------------------------------------------------------------- */

static char *alt_base;
static size_t alt_size;

static void on_alt(int sig)
{
	char here;
	stack_t cur, try;

	(void)sig;
	if (!(&here > alt_base && &here < alt_base + alt_size))
		_exit(3);
	if (sigaltstack(NULL, &cur) != 0 || !(cur.ss_flags & SS_ONSTACK))
		_exit(4);
	try.ss_sp = alt_base;
	try.ss_size = alt_size;
	try.ss_flags = 0;
	if (sigaltstack(&try, NULL) != -1 || errno != EPERM)
		_exit(5);
	_exit(42);
}

static volatile int forever = 1;

static int recurse(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	if (!forever)
		return pad[0];
	return recurse(n + 1) + pad[0];
}

static void overflow_child(void)
{
	struct rlimit rl = { 256 * 1024, 256 * 1024 };
	stack_t ss;

	setrlimit(RLIMIT_STACK, &rl);
	alt_size = 64 * 1024;
	alt_base = malloc(alt_size);
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) != 0)
		_exit(2);
	sig_on(SIGSEGV, on_alt, SA_ONSTACK);
	recurse(0);
	_exit(6);
}

static void test_altstack(void)
{
	stack_t ss, old;

	check(sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE),
	      "no alternate stack at first: SS_DISABLE");
	ss.ss_sp = malloc(KERNEL_MINSIGSTKSZ);
	ss.ss_size = KERNEL_MINSIGSTKSZ - 1;
	ss.ss_flags = 0;
	check(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM,
	      "sigaltstack below the kernel's MINSIGSTKSZ (2048): ENOMEM");
	ss.ss_size = KERNEL_MINSIGSTKSZ;
	ss.ss_flags = 0x1234;
	check(sigaltstack(&ss, NULL) == -1 && errno == EINVAL,
	      "sigaltstack with bad flags: EINVAL");
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	check(sigaltstack(NULL, &old) == 0 && old.ss_sp == ss.ss_sp &&
	          old.ss_size == KERNEL_MINSIGSTKSZ && old.ss_flags == 0,
	      "sigaltstack reads back the stack set, not in use (flags %d)", old.ss_flags);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	free(old.ss_sp);

	int st = run_child(overflow_child);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42,
	      "a stack overflow's SIGSEGV runs its handler on the alternate stack (SS_ONSTACK; "
	      "sigaltstack there: EPERM): %s",
	      status_str(st));
}

/* ---- frames that cannot be used ---------------------------------------------------------- */

static void bad_stack_child(void)
{
	sig_on(SIGUSR1, sig_count, 0);
	long pid = getpid();
	/* esp in the NULL page: no frame can be written there. */
	__asm__ volatile("movl $0x100, %%esp\n\tint $0x80"
	                 :
	                 : "a"(SYS_kill), "b"(pid), "c"(SIGUSR1));
	_exit(3);
}

static void bad_sigreturn_child(void)
{
	/* rt_sigreturn with a frame at an unmapped address. */
	__asm__ volatile("movl $0x1000, %%esp\n\tint $0x80" : : "a"(SYS_rt_sigreturn));
	_exit(3);
}

static void kernel_cs_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig, (void)si;
	uc->uc_mcontext.gregs[REG_CS] = 0x10; /* the kernel's code segment */
}

static void kernel_cs_child(void)
{
	sig_on_info(SIGUSR1, kernel_cs_handler, 0);
	raise(SIGUSR1);
	_exit(3); /* must not get here in ring 3 with the kernel's cs, nor any other way */
}

static void iopl_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig, (void)si;
	uc->uc_mcontext.gregs[REG_EFL] |= 0x3000 | 0x4000; /* IOPL 3, NT */
	uc->uc_mcontext.gregs[REG_EFL] &= ~0x200u;         /* IF off */
}

static void test_bad_frames(void)
{
	int st = run_child(bad_stack_child);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "a handler whose frame cannot be written: SIGSEGV (%s)", status_str(st));
	st = run_child(bad_sigreturn_child);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "rt_sigreturn of an unreadable frame: SIGSEGV (%s)", status_str(st));
	/* Strata refuses the frame (SIGSEGV); Linux loads it and its iret faults (SIGILL). */
	st = run_child(kernel_cs_child);
	check(WIFSIGNALED(st) && WTERMSIG(st) == (is_strata() ? SIGSEGV : SIGILL),
	      "a context with the kernel's code segment (0x10) never runs: %s (%s)",
	      is_strata() ? "SIGSEGV" : "SIGILL", status_str(st));
	st = run_child(blocked_fault_child);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "a fault whose signal is blocked kills despite the handler (%s)", status_str(st));

	sig_on_info(SIGUSR1, iopl_handler, 0);
	raise(SIGUSR1);
	uint32_t fl;
	__asm__ volatile("pushfl\n\tpopl %0" : "=r"(fl));
	check((fl & 0x3000) == 0 && !(fl & 0x4000) && (fl & 0x200),
	      "a context asking for IOPL 3, NT and IF off gets none of them (eflags %#x)", fl);
	signal(SIGUSR1, SIG_DFL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	unblock_all();
	test_basic();
	test_entry_and_context();
	test_nesting();
	test_masks();
	test_sigchld();
	test_faults();
	test_altstack();
	test_bad_frames();
	return done();
}
