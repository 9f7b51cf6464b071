/*
 * uhello: a static glibc program for the process tests (tests/kernel/test_proc.c) and the
 * monitor's `run /builtin/uhello [MODE]`. Without a mode it prints a greeting (printf with a
 * double: the FPU/SSE state) and exits 0. Modes:
 *   fork     fork a child that exits 5, wait4 for it, print the status, exit 0 if it was 5
 *   forkerr  as fork, but exit with fork's errno when it fails (ENOMEM tests)
 *   execerr  execve itself in mode "args a b"; exit with execve's errno when it fails
 *   abort    abort(): must end with SIGABRT in the wait status
 *   segv     write to a kernel address: SIGSEGV
 *   malloc   malloc 1 MiB (mmap) and 1000 small blocks (brk), check, free, exit 0
 *   exec     execve itself with mode "args a b" and an environment; exit 99 if exec fails
 *   args     print argc, argv and ENV_CHECK, exit argc
 *   tls      check errno (TLS through %gs) after a failing syscall, exit 0 when it works
 *   sleep    sleep 50 ms with nanosleep, exit 0
 *   mask     block SIGUSR1, send it to itself (held: sigpending shows it), ignore SIGTERM and
 *            send it, raise SIGCHLD (ignored by default), then unblock SIGUSR1: must die of it
 *   pause    pause() forever (until a fatal signal)
 *   waitfault  fork a child that exits 3; wait4 with the status at 0xC0000000 must fail with
 *            EFAULT having collected it (a second wait4 sees ECHILD): exit 0, else 1..3
 *   orphan   fork a child that pause()s forever (an orphan once this exits); exit 0 at once
 *   hog MIB [hold]  write MIB MiB in 256 KiB malloc chunks (the OOM tests); exit 0, 3 when
 *            malloc fails; with hold, pause() forever instead of exiting
 *   forkpause  fork a child; both pause() forever (oom_score_adj inheritance)
 *   catch    a SIGSEGV handler mprotects a read-only page the program writes, the write
 *            reruns; a SIGUSR1 handler runs for raise(): exit 0 when both worked, else 1..3
 *   sigint   install an SA_SIGINFO SIGINT handler, make its own process group, pause until
 *            the handler ran: exit 0 when its siginfo says SI_KERNEL (the kernel's group
 *            signal, as a tty's ^C), 1 otherwise
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int do_fork(int report_errno)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0)
		_exit(5);
	if (pid < 0 && report_errno)
		return errno;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	printf("uhello: child %d exited with %d\n", (int)pid, WEXITSTATUS(status));
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 5);
}

static int do_malloc(void)
{
	char *big = malloc(1 << 20);
	char *small[1000];

	if (!big)
		return 1;
	memset(big, 0x5a, 1 << 20);
	for (int i = 0; i < 1000; i++) {
		small[i] = malloc(100);
		if (!small[i])
			return 2;
		memset(small[i], i & 0xff, 100);
	}
	for (int i = 0; i < 1000; i++)
		if (small[i][99] != (char)(i & 0xff))
			return 3;
	for (int i = 0; i < 1000; i++)
		free(small[i]);
	free(big);
	return 0;
}

static int do_mask(void)
{
	sigset_t s, pend;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &s, NULL) != 0 || kill(getpid(), SIGUSR1) != 0)
		return 1;
	if (sigpending(&pend) != 0 || !sigismember(&pend, SIGUSR1))
		return 2;
	signal(SIGTERM, SIG_IGN);
	if (kill(getpid(), SIGTERM) != 0 || raise(SIGCHLD) != 0)
		return 3;
	sigprocmask(SIG_UNBLOCK, &s, NULL); /* SIGUSR1 is delivered here */
	return 4;
}

static char *ro_page;
static volatile sig_atomic_t handled, got_code;

static void fix_page(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	handled += si->si_addr == ro_page + 10;
	mprotect(ro_page, 4096, PROT_READ | PROT_WRITE);
}

static void note_code(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	got_code = si->si_code;
	handled++;
}

static int on(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	return sigaction(sig, &sa, NULL);
}

static int do_catch(void)
{
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_page == MAP_FAILED || on(SIGSEGV, fix_page) || on(SIGUSR1, note_code))
		return 1;
	*(volatile char *)(ro_page + 10) = 7; /* SIGSEGV, fixed by the handler, then rerun */
	if (handled != 1)
		return 10 + handled;
	if (ro_page[10] != 7)
		return 2;
	raise(SIGUSR1);
	return handled == 2 ? 0 : 3;
}

static int do_sigint(void)
{
	if (on(SIGINT, note_code) || setpgid(0, 0))
		return 2;
	while (!handled)
		pause();
	return got_code == SI_KERNEL ? 0 : 1;
}

#define HOG_CHUNK (256 << 10)

static int do_hog(int argc, char **argv)
{
	long long mib = argc > 2 ? atoll(argv[2]) : 1;

	for (long long done = 0; done < mib << 20; done += HOG_CHUNK) {
		char *c = malloc(HOG_CHUNK);
		if (!c)
			return 3;
		memset(c, 0x5a, HOG_CHUNK);
	}
	if (argc > 3 && !strcmp(argv[3], "hold"))
		for (;;)
			pause();
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "fork") || !strcmp(mode, "forkerr"))
		return do_fork(!strcmp(mode, "forkerr"));
	if (!strcmp(mode, "abort"))
		abort();
	if (!strcmp(mode, "segv")) {
		*(volatile int *)0xc0000000 = 1;
		return 1;
	}
	if (!strcmp(mode, "malloc"))
		return do_malloc();
	if (!strcmp(mode, "exec") || !strcmp(mode, "execerr")) {
		char *nargv[] = { argv[0], "args", "a", "b", NULL };
		char *nenvp[] = { "ENV_CHECK=yes", NULL };
		execve(argv[0], nargv, nenvp);
		return !strcmp(mode, "execerr") ? errno : 99;
	}
	if (!strcmp(mode, "args")) {
		const char *env = getenv("ENV_CHECK");
		printf("uhello: argc=%d", argc);
		for (int i = 0; i < argc; i++)
			printf(" [%s]", argv[i]);
		printf(" ENV_CHECK=%s\n", env ? env : "(unset)");
		return argc;
	}
	if (!strcmp(mode, "tls")) {
		errno = 0;
		if (write(99, "x", 1) != -1 || errno != EBADF)
			return 1;
		return 0;
	}
	if (!strcmp(mode, "sleep")) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		return nanosleep(&ts, NULL) != 0;
	}
	if (!strcmp(mode, "waitfault")) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(3);
		if (wait4(pid, (int *)0xC0000000u, 0, NULL) != -1 || errno != EFAULT)
			return 1;
		if (wait4(pid, NULL, WNOHANG, NULL) != -1 || errno != ECHILD)
			return 2;
		return 0;
	}
	if (!strcmp(mode, "mask"))
		return do_mask();
	if (!strcmp(mode, "pause"))
		for (;;)
			pause();
	if (!strcmp(mode, "hog"))
		return do_hog(argc, argv);
	if (!strcmp(mode, "forkpause")) {
		fork();
		for (;;)
			pause();
	}
	if (!strcmp(mode, "catch"))
		return do_catch();
	if (!strcmp(mode, "sigint"))
		return do_sigint();
	if (!strcmp(mode, "orphan")) {
		if (fork() == 0)
			for (;;)
				pause();
		return 0;
	}
	printf("hello from glibc on Strata: pid %d, %.2f\n", (int)getpid(), 1.5 * argc);
	return 0;
}
