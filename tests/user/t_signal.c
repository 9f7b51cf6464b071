/* t_signal: signal handlers as Linux i386 runs them. A handler installed with signal() and with
 * sigaction (with and without SA_SIGINFO) runs and returns; siginfo of kill (SI_USER, pid, uid)
 * and of tgkill (SI_TKILL); the handler entry (esp + 4 16-byte aligned, DF clear, a fresh FPU
 * state) and the interrupted registers, flags and x87/SSE state back after it; nested signals
 * (the handled signal blocked during its handler, SA_NODEFER); sigprocmask blocking then
 * delivery at the unblock, sigpending, merging; rt_sigsuspend; rt_sigtimedwait; SA_RESETHAND;
 * SIGCHLD with si_pid/si_status (CLD_EXITED, CLD_KILLED); a SIGSEGV handler that mprotects the
 * page and returns (the write reruns, SEGV_ACCERR/SEGV_MAPERR, si_addr); SIGFPE (FPE_INTDIV)
 * left by siglongjmp; SIGILL (ILL_ILLOPN) skipped by editing the context; SIGTRAP after int3;
 * sigaltstack (stack overflow caught on it, SS_ONSTACK, EPERM, ENOMEM, EINVAL); a frame that
 * cannot be written and a bad rt_sigreturn frame give SIGSEGV; a context asking for a kernel
 * code segment or IOPL 3 cannot have it; kill of a process blocked in read() and pause() and
 * with every signal blocked; SIGSTOP/SIGCONT; SA_RESTART restarts read and wait4 while without
 * it they fail with EINTR, and nanosleep/pause give EINTR; raise and abort. */
#define _GNU_SOURCE
#include "common.h"

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

static volatile sig_atomic_t hits, last_sig;

static void count_handler(int sig)
{
	hits++;
	last_sig = sig;
}

static int install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int install_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static void unblock_all(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
}

/* fork with stdout flushed; a failure (fault injection) is a failed check, never a pid of -1
 * for kill() to broadcast to. */
static pid_t fork_checked(const char *what)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		check(0, "fork for %s: %s", what, strerror(errno));
	return pid;
}

/* pipe() for each of the @n pairs; false (a failed check, nothing left open) if one fails. */
static bool pipes(int n, int (*fds[])[2])
{
	for (int i = 0; i < n; i++)
		if (pipe(*fds[i]) != 0) {
			check(0, "pipe: %s", strerror(errno));
			while (i-- > 0)
				close((*fds[i])[0]), close((*fds[i])[1]);
			return false;
		}
	return true;
}

/* ---- a handler runs and returns --------------------------------------------------------- */

static siginfo_t got_info;
static void *got_uc;
static void info_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	got_info = *si;
	got_uc = uc;
	hits++;
}

static void test_basic(void)
{
	hits = 0;
	int ok = signal(SIGUSR1, count_handler) != SIG_ERR && raise(SIGUSR1) == 0;
	check(ok && hits == 1 && last_sig == SIGUSR1,
	      "signal(): the handler runs once with the signal number and returns (hits %d)",
	      (int)hits);
	hits = 0;
	install(SIGUSR2, count_handler, 0);
	kill(getpid(), SIGUSR2);
	check(hits == 1 && last_sig == SIGUSR2,
	      "sigaction without SA_SIGINFO: kill(getpid()) runs the handler before kill returns");

	hits = 0;
	install_info(SIGUSR1, info_handler, 0);
	kill(getpid(), SIGUSR1);
	check(hits == 1 && got_info.si_signo == SIGUSR1 && got_info.si_code == SI_USER &&
	          got_info.si_pid == getpid() && got_info.si_uid == getuid() && got_uc != NULL,
	      "SA_SIGINFO: kill gives si_signo %d, si_code SI_USER (%d), si_pid %d = %d, si_uid %d",
	      got_info.si_signo, got_info.si_code, got_info.si_pid, getpid(), (int)got_info.si_uid);
	hits = 0;
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	check(hits == 1 && got_info.si_code == SI_TKILL && got_info.si_pid == getpid(),
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
	install(SIGUSR1, entry_probe, 0);
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
	install(SIGUSR1, nest_usr1, 0);
	install(SIGUSR2, nest_usr2, 0);
	raise(SIGUSR1);
	check(strcmp(order, "<2><>") == 0 && max_depth == 1,
	      "a handler interrupted by another signal; its own signal waits for its return (%s)",
	      order);

	memset(order, 0, sizeof(order));
	olen = depth = max_depth = calls = 0;
	install(SIGUSR1, nest_usr1, SA_NODEFER);
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

	hits = 0;
	install(SIGUSR1, count_handler, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	kill(getpid(), SIGUSR1); /* three kills: one process-wide pending signal (raise's tgkill */
	kill(getpid(), SIGUSR1); /* would be pending for the thread, separately, on Linux) */
	kill(getpid(), SIGUSR1);
	sigpending(&pend);
	check(hits == 0 && sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2),
	      "a blocked signal waits: not run (hits %d), sigpending shows it", (int)hits);
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(hits == 1, "unblocking delivers it once (three sends merged: hits %d)", (int)hits);
	sigpending(&pend);
	check(!sigismember(&pend, SIGUSR1), "and it is no longer pending");
	hits = 0;
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1); /* tgkill: pending for the thread */
	raise(SIGUSR1);
	kill(getpid(), SIGUSR1); /* pending for the process */
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(hits == 2,
	      "raise()s and a kill() of one blocked signal are pending apart (thread and process) "
	      "and run the handler twice (hits %d)",
	      (int)hits);

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
	hits = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1);
	sigset_t wait_mask = old;
	sigdelset(&wait_mask, SIGUSR1);
	int r = sigsuspend(&wait_mask);
	int e = errno;
	sigprocmask(SIG_SETMASK, NULL, &now);
	check(r == -1 && e == EINTR && hits == 1 && sigismember(&now, SIGUSR1),
	      "sigsuspend runs the pending handler, returns EINTR, restores the mask (hits %d)",
	      (int)hits);

	/* rt_sigtimedwait: takes a blocked pending signal without running the handler. */
	hits = 0;
	siginfo_t si;
	raise(SIGUSR1);
	struct timespec ts = { 1, 0 };
	r = sigtimedwait(&block, &si, &ts);
	check(r == SIGUSR1 && si.si_signo == SIGUSR1 && hits == 0,
	      "sigtimedwait takes a pending blocked signal (%d), no handler run", r);
	ts.tv_sec = 0;
	ts.tv_nsec = 20 * 1000 * 1000;
	r = sigtimedwait(&block, &si, &ts);
	check(r == -1 && errno == EAGAIN,
	      "sigtimedwait with nothing pending: EAGAIN at the timeout");
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
}

static void resethand_child(void)
{
	hits = 0;
	install(SIGUSR1, count_handler, SA_RESETHAND);
	raise(SIGUSR1);
	if (hits != 1)
		_exit(3);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	if (now.sa_handler != SIG_DFL)
		_exit(4);
	raise(SIGUSR1); /* the default action now */
	_exit(5);
}

/* ---- SIGCHLD ------------------------------------------------------------------------------ */

static void test_sigchld(void)
{
	sigset_t block, old;

	install_info(SIGCHLD, info_handler, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	hits = 0;
	pid_t pid = fork_checked("SIGCHLD");
	if (pid == 0)
		_exit(7);
	sigset_t wait_mask = old;
	if (pid < 0)
		goto out;
	sigdelset(&wait_mask, SIGCHLD);
	sigsuspend(&wait_mask);
	check(hits == 1 && got_info.si_signo == SIGCHLD && got_info.si_code == CLD_EXITED &&
	          got_info.si_pid == pid && got_info.si_status == 7,
	      "SIGCHLD at a child's exit: CLD_EXITED (%d), si_pid %d = %d, si_status %d",
	      got_info.si_code, got_info.si_pid, pid, got_info.si_status);
	check(wait_pid(pid) == 7 << 8, "the child is still there to be waited for");

	hits = 0;
	pid = fork_checked("SIGCHLD of a killed child");
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid < 0)
		goto out;
	kill(pid, SIGKILL);
	sigsuspend(&wait_mask);
	check(hits == 1 && got_info.si_code == CLD_KILLED && got_info.si_pid == pid &&
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
	hits++;
	uc->uc_mcontext.gregs[REG_EIP] += 2; /* over the ud2 */
}

static volatile int zero;

static void test_faults(void)
{
	fault_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	install_info(SIGSEGV, segv_fixer, 0);
	fixes = 0;
	*(volatile char *)(fault_page + 100) = 42; /* faults; the handler mprotects; reruns */
	check(fixes == 1 && fault_page[100] == 42,
	      "a SIGSEGV handler that mprotects the page returns and the write reruns");
	check(got_info.si_signo == SIGSEGV && got_info.si_code == SEGV_ACCERR &&
	          got_info.si_addr == fault_page + 100,
	      "its siginfo: SEGV_ACCERR (%d), si_addr %p = %p", got_info.si_code, got_info.si_addr,
	      (void *)(fault_page + 100));
	munmap(fault_page, 4096);

	install_info(SIGSEGV, jumper, 0);
	if (sigsetjmp(jump, 1) == 0)
		*(volatile int *)fault_page = 1; /* unmapped now */
	check(got_info.si_code == SEGV_MAPERR && got_info.si_addr == fault_page,
	      "a write to an unmapped page: SEGV_MAPERR (%d), si_addr %p", got_info.si_code,
	      got_info.si_addr);

	install_info(SIGFPE, jumper, 0);
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

	hits = 0;
	install_info(SIGILL, ill_skipper, 0);
	void *ud2_at = NULL;
	__asm__ volatile("call 1f\n1: popl %0\n\taddl $4, %0\n\tud2" : "=r"(ud2_at));
	check(hits == 1 && got_info.si_code == ILL_ILLOPN && got_info.si_addr == ud2_at,
	      "ud2: SIGILL, ILL_ILLOPN (%d), si_addr %p = %p; the handler moved eip past it",
	      got_info.si_code, got_info.si_addr, ud2_at);

	hits = 0;
	install_info(SIGTRAP, info_handler, 0);
	__asm__ volatile("int3");
	check(hits == 1 && got_info.si_signo == SIGTRAP && got_info.si_code == SI_KERNEL,
	      "int3: SIGTRAP (si_code SI_KERNEL %d), execution goes on after it", got_info.si_code);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
}

static void blocked_fault_child(void)
{
	sigset_t s;

	install(SIGSEGV, count_handler, 0);
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
	install(SIGSEGV, on_alt, SA_ONSTACK);
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
	install(SIGUSR1, count_handler, 0);
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
	install_info(SIGUSR1, kernel_cs_handler, 0);
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

	install_info(SIGUSR1, iopl_handler, 0);
	raise(SIGUSR1);
	uint32_t fl;
	__asm__ volatile("pushfl\n\tpopl %0" : "=r"(fl));
	check((fl & 0x3000) == 0 && !(fl & 0x4000) && (fl & 0x200),
	      "a context asking for IOPL 3, NT and IF off gets none of them (eflags %#x)", fl);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- interrupted system calls ------------------------------------------------------------ */

/*
 * The handler tells the signaller, through ack_w, whether it interrupted the watched system
 * call: 'R' when the saved context is that call about to run again (SA_RESTART: eax the call
 * number, eip on the int $0x80), 'E' when the call returned EINTR (eip just after it), 'x'
 * otherwise (the signal came before the call; the signaller sends another).
 */
static int ack_w = -1;
static long watch_nr;

static void ack_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint32_t eip = (uint32_t)uc->uc_mcontext.gregs[REG_EIP];
	long eax = (long)uc->uc_mcontext.gregs[REG_EAX];
	char c = 'x';

	(void)sig, (void)si;
	if ((eax == watch_nr || (watch_nr == SYS_wait4 && eax == SYS_waitpid)) &&
	    *(const uint16_t *)eip == INT80)
		c = 'R';
	else if (eax == -EINTR && *(const uint16_t *)(eip - 2) == INT80)
		c = 'E';
	int saved = errno;
	if (write(ack_w, &c, 1) != 1)
		_exit(9);
	errno = saved;
}

/* Send SIGUSR1 to @pid until its handler says it interrupted the call: 'R', 'E' or 0. */
static char signal_until(pid_t pid, int ack_r)
{
	for (int i = 0; i < 10000; i++) {
		char c;
		kill(pid, SIGUSR1);
		if (read(ack_r, &c, 1) != 1)
			return 0;
		if (c != 'x')
			return c;
	}
	return 0;
}

struct call_result {
	long r;
	int err;
	char data;
	long long rem_ns;
};

static int data_p[2], ack_p[2], res_p[2];

static void report(long r, char data, long long rem_ns)
{
	struct call_result cr = { r, r < 0 ? errno : 0, data, rem_ns };

	if (write(res_p[1], &cr, sizeof(cr)) != sizeof(cr))
		_exit(8);
}

static void read_child(void)
{
	char c = 0;
	long r = read(data_p[0], &c, 1);

	report(r, c, 0);
}

static void sleep_child(void)
{
	struct timespec req = { 30, 0 }, rem = { 0, 0 };
	long r = nanosleep(&req, &rem);

	report(r, 0, rem.tv_sec * 1000000000LL + rem.tv_nsec);
}

static void pause_child(void)
{
	long r = pause();

	report(r, 0, 0);
}

/*
 * Run @fn in a child with fresh pipes and ack_handler for SIGUSR1 (with @flags, watching
 * system call @nr: installed before the fork, so that no signal finds the child without it);
 * signal it until the call is interrupted. Returns how ('R', 'E', 0), its result in *@cr.
 */
static char interrupt_child(void (*fn)(void), long nr, int flags, struct call_result *cr)
{
	int(*all[])[2] = { &data_p, &ack_p, &res_p };

	memset(cr, 0, sizeof(*cr));
	if (!pipes(3, all))
		return 0;
	ack_w = ack_p[1];
	watch_nr = nr;
	install_info(SIGUSR1, ack_handler, flags);
	pid_t pid = fork_checked("an interrupted call");
	if (pid == 0) {
		close(ack_p[0]);
		fn();
		_exit(0);
	}
	signal(SIGUSR1, SIG_DFL);
	if (pid < 0) {
		for (int i = 0; i < 3; i++)
			close((*all[i])[0]), close((*all[i])[1]);
		return 0;
	}
	close(ack_p[1]);
	close(res_p[1]); /* a child that died early gives EOF, not a hang */
	char how = signal_until(pid, ack_p[0]);
	if (how == 'R' && write(data_p[1], "D", 1) != 1)
		how = 0;
	if (read(res_p[0], cr, sizeof(*cr)) != sizeof(*cr))
		how = 0;
	wait_pid(pid);
	close(data_p[0]), close(data_p[1]), close(ack_p[0]), close(res_p[0]);
	return how;
}

static void test_interrupted_calls(void)
{
	struct call_result cr;
	char how = interrupt_child(read_child, SYS_read, SA_RESTART, &cr);
	check(how == 'R' && cr.r == 1 && cr.data == 'D',
	      "SA_RESTART: a read on a pipe interrupted by a handler is restarted and gets the "
	      "data (%c, %ld, %c)",
	      how ? how : '0', cr.r, cr.data ? cr.data : '0');
	how = interrupt_child(read_child, SYS_read, 0, &cr);
	check(how == 'E' && cr.r == -1 && cr.err == EINTR,
	      "without SA_RESTART the read fails with EINTR (%c, %ld, errno %d)", how ? how : '0',
	      cr.r, cr.err);
	how = interrupt_child(sleep_child, SYS_nanosleep, SA_RESTART, &cr);
	check(how == 'E' && cr.r == -1 && cr.err == EINTR && cr.rem_ns > 0 &&
	          cr.rem_ns <= 30000000000LL,
	      "nanosleep interrupted by a handler: EINTR even with SA_RESTART, time left %lld ms",
	      cr.rem_ns / 1000000);
	how = interrupt_child(pause_child, SYS_pause, SA_RESTART, &cr);
	check(how == 'E' && cr.r == -1 && cr.err == EINTR,
	      "pause returns EINTR after the handler (%c)", how ? how : '0');

	/* wait4 in this process, signalled by a helper child until it is interrupted. */
	for (int restart = 1; restart >= 0; restart--) {
		int(*both[])[2] = { &data_p, &ack_p };
		if (!pipes(2, both))
			continue;
		pid_t sleeper = fork_checked("wait4's child");
		if (sleeper == 0) { /* waits for a byte, then exits 0 */
			char c;
			close(data_p[1]);
			_exit(read(data_p[0], &c, 1) == 1 ? 0 : 1);
		}
		if (sleeper < 0) {
			close(data_p[0]), close(data_p[1]), close(ack_p[0]), close(ack_p[1]);
			continue;
		}
		ack_w = ack_p[1];
		watch_nr = SYS_wait4;
		install_info(SIGUSR1, ack_handler, restart ? SA_RESTART : 0);
		pid_t self = getpid();
		pid_t signaller = fork_checked("wait4's signaller");
		if (signaller < 0) { /* release the child and collect it */
			signal(SIGUSR1, SIG_DFL);
			if (write(data_p[1], "D", 1) != 1)
				note("release write failed");
			wait_pid(sleeper);
			close(data_p[0]), close(data_p[1]), close(ack_p[0]), close(ack_p[1]);
			continue;
		}
		if (signaller == 0) {
			close(ack_p[1]);
			char c = signal_until(self, ack_p[0]);
			if (c == 'R' && write(data_p[1], "D", 1) != 1)
				_exit(2);
			_exit(c == 'R' ? 10 : c == 'E' ? 11 : 12);
		}
		int st = 0;
		pid_t r = waitpid(sleeper, &st, 0);
		int e = errno;
		if (restart)
			check(
			    r == sleeper && clean(st),
			    "SA_RESTART: wait4 interrupted by a handler is restarted and collects "
			    "the child (%d)",
			    r);
		else
			check(r == -1 && e == EINTR,
			      "without SA_RESTART wait4 fails with EINTR (%d, "
			      "errno %d)",
			      r, e);
		signal(SIGUSR1, SIG_IGN);
		int sst = wait_pid(signaller);
		check(WIFEXITED(sst) && WEXITSTATUS(sst) == (restart ? 10 : 11),
		      "  (the handler saw the call %s: %s)", restart ? "restarting" : "fail",
		      status_str(sst));
		if (!restart) {
			if (write(data_p[1], "D", 1) != 1)
				note("release write failed");
			wait_pid(sleeper);
		}
		signal(SIGUSR1, SIG_DFL);
		close(data_p[0]), close(data_p[1]), close(ack_p[0]), close(ack_p[1]);
	}
}

/* ---- kill, default actions ---------------------------------------------------------------- */

static int ready_p[2];

static void blocked_reader(void)
{
	char c;

	if (write(ready_p[1], "r", 1) != 1)
		_exit(2);
	if (read(data_p[0], &c, 1) < 0)
		_exit(3);
	_exit(4);
}

static void blocked_pauser(void)
{
	if (write(ready_p[1], "r", 1) != 1)
		_exit(2);
	pause();
	_exit(4);
}

static void all_blocked(void)
{
	sigset_t s;

	sigfillset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
	if (write(ready_p[1], "r", 1) != 1)
		_exit(2);
	for (;;)
		pause();
}

static int kill_after_ready(void (*fn)(void), int sig)
{
	char c;
	int(*both[])[2] = { &ready_p, &data_p };

	if (!pipes(2, both))
		return -1;
	pid_t pid = fork_checked("a process to kill");
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (pid < 0) {
		close(ready_p[0]), close(ready_p[1]), close(data_p[0]), close(data_p[1]);
		return -1;
	}
	if (read(ready_p[0], &c, 1) != 1)
		note("no ready byte");
	kill(pid, sig);
	int st = wait_pid(pid);
	close(ready_p[0]), close(ready_p[1]), close(data_p[0]), close(data_p[1]);
	return st;
}

static void stop_cont_child(void)
{
	if (write(ready_p[1], "r", 1) != 1)
		_exit(2);
	char c;
	_exit(read(data_p[0], &c, 1) == 1 ? 0 : 3);
}

static void abort_child(void)
{
	install(SIGABRT, count_handler, 0);
	abort(); /* the handler returns: abort still ends the process with SIGABRT */
}

static void test_kill(void)
{
	int st = kill_after_ready(blocked_reader, SIGTERM);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "SIGTERM ends a process blocked in read() (%s)", status_str(st));
	st = kill_after_ready(blocked_pauser, SIGINT);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT,
	      "SIGINT ends a process blocked in pause() (%s)", status_str(st));
	st = kill_after_ready(all_blocked, SIGKILL);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "SIGKILL ends a process that blocks every signal (%s)", status_str(st));

	/* SIGSTOP then SIGCONT: the child goes on (Strata has no stop; Linux stops and resumes). */
	int(*both[])[2] = { &ready_p, &data_p };
	pid_t pid = -1;
	if (pipes(2, both) && (pid = fork_checked("SIGSTOP/SIGCONT")) == 0)
		stop_cont_child();
	char c;
	if (pid < 0)
		goto resethand;
	if (read(ready_p[0], &c, 1) != 1)
		note("no ready byte");
	kill(pid, SIGSTOP);
	kill(pid, SIGCONT);
	if (write(data_p[1], "D", 1) != 1)
		note("write failed");
	st = wait_pid(pid);
	check(clean(st), "SIGSTOP then SIGCONT: the child goes on and exits 0 (%s)",
	      status_str(st));
	close(ready_p[0]), close(ready_p[1]), close(data_p[0]), close(data_p[1]);
resethand:
	st = run_child(resethand_child);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1,
	      "SA_RESETHAND: the handler runs once, then the default action kills (%s)",
	      status_str(st));
	st = run_child(abort_child);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
	      "abort() with a SIGABRT handler that returns still ends in SIGABRT (%s)",
	      status_str(st));
	hits = 0;
	install(SIGABRT, count_handler, 0);
	check(raise(SIGABRT) == 0 && hits == 1, "raise(SIGABRT) with a handler: it runs, raise "
	                                        "returns 0");
	signal(SIGABRT, SIG_DFL);
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
	test_interrupted_calls();
	test_kill();
	return done();
}
