/* t_wait: fork/exit/wait4 and signals. Exit codes (0, 1, 42, 127, 255, and 256 -> 0) reach
 * WIFEXITED/WEXITSTATUS; deaths by SIGKILL, SIGTERM, SIGINT, SIGSEGV, SIGABRT (abort()) and by
 * kill/tgkill from the parent reach WIFSIGNALED/WTERMSIG; wait4 WNOHANG on a running child
 * returns 0; wait4 reaps any child with -1; ECHILD with no children or for a non-child; pid,
 * ppid and tid relations across fork; kill(pid, 0), ESRCH and EINVAL; an orphan is reparented. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t sys_wait4(pid_t pid, int *st, int opt)
{
	return syscall(SYS_wait4, pid, st, opt, NULL);
}

static int exit_with(int code)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(code);
	int st = -1;
	if (sys_wait4(pid, &st, 0) != pid)
		return -1;
	return st;
}

static int g_sig;
static void self_kill(void)
{
	kill(getpid(), g_sig);
	_exit(100); /* only if the signal did not kill */
}

static void do_abort(void)
{
	abort();
}

static void write_null(void)
{
	*(volatile int *)0 = 1;
}

static void block_forever(void)
{
	for (;;)
		pause();
}

static pid_t spawn(void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	return pid;
}

int main(void)
{
	static const int codes[] = { 0, 1, 2, 42, 127, 128, 255 };
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		int st = exit_with(codes[i]);
		check(st != -1 && WIFEXITED(st) && !WIFSIGNALED(st) && WEXITSTATUS(st) == codes[i],
		      "_exit(%d) is seen as WIFEXITED with WEXITSTATUS %d (%s, raw %#x)", codes[i],
		      codes[i], status_str(st), st);
	}
	int st = exit_with(256 + 3);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 3, "_exit(259) keeps the low 8 bits: 3 (%s)",
	      status_str(st));

	static const int sigs[] = { SIGKILL, SIGTERM, SIGINT, SIGSEGV, SIGUSR1, SIGHUP };
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		g_sig = sigs[i];
		st = run_child(self_kill);
		check(WIFSIGNALED(st) && !WIFEXITED(st) && WTERMSIG(st) == sigs[i],
		      "kill(getpid(), %s) is seen as WIFSIGNALED with WTERMSIG %d (%s)",
		      sigabbrev_np(sigs[i]), sigs[i], status_str(st));
	}
	st = run_child(do_abort);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "abort() dies with SIGABRT (%s)",
	      status_str(st));
	st = run_child(write_null);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a NULL write dies with SIGSEGV (%s)",
	      status_str(st));

	/* A child blocked in pause(): WNOHANG sees it running; the parent's signal ends it. */
	pid_t pid = spawn(block_forever);
	check(pid > 0, "fork returns a positive pid to the parent (%d)", pid);
	errno = 0;
	long r = sys_wait4(pid, &st, WNOHANG);
	check(r == 0, "wait4(child, WNOHANG) on a running child returns 0 (%ld, errno %d)", r,
	      errno);
	check(kill(pid, 0) == 0, "kill(child, 0) succeeds while it lives");
	check(kill(pid, SIGTERM) == 0, "kill(child, SIGTERM) succeeds");
	st = 0;
	r = sys_wait4(pid, &st, 0);
	check(r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "the child dies of the parent's SIGTERM (%s)", status_str(st));
	check_err(kill(pid, 0), ESRCH, "kill(reaped child, 0) fails");
	check_err(sys_wait4(pid, &st, WNOHANG), ECHILD, "wait4 on the reaped child fails");

	pid = spawn(block_forever);
	check(syscall(SYS_tgkill, pid, pid, SIGINT) == 0, "tgkill(child, child, SIGINT) succeeds");
	r = sys_wait4(pid, &st, 0);
	check(r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGINT,
	      "the child dies of the tgkill'd SIGINT (%s)", status_str(st));
	pid = spawn(block_forever);
	check_err(syscall(SYS_tgkill, getpid(), pid, SIGKILL), ESRCH,
	          "tgkill with a tgid that does not own the tid fails");
	check(kill(pid, SIGKILL) == 0, "kill(child, SIGKILL) succeeds");
	r = sys_wait4(pid, &st, 0);
	check(r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "the child dies of SIGKILL (%s)", status_str(st));

	check_err(kill(getpid(), 999), EINVAL, "kill with signal 999 fails");
	check_err(kill(0x3ffffff0, 0), ESRCH, "kill of a pid that does not exist fails");
	check(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), 0) == 0,
	      "tgkill(self, self, 0) succeeds");

	/* No children at all. */
	check_err(sys_wait4(-1, &st, 0), ECHILD, "wait4(-1) with no children fails");
	check_err(sys_wait4(-1, &st, WNOHANG), ECHILD, "wait4(-1, WNOHANG) with no children fails");
	check_err(sys_wait4(getppid(), &st, WNOHANG), ECHILD,
	          "wait4 on the parent (not a child) fails");

	/* Several children reaped with -1: each pid once, each with its own code. */
	pid_t kids[5];
	for (int i = 0; i < 5; i++) {
		fflush(stdout);
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(10 + i);
	}
	int seen = 0, ok = 1;
	for (int n = 0; n < 5; n++) {
		r = sys_wait4(-1, &st, 0);
		int found = 0;
		for (int i = 0; i < 5; i++)
			if (r == kids[i] && !(seen & (1 << i)) && WIFEXITED(st) &&
			    WEXITSTATUS(st) == 10 + i) {
				seen |= 1 << i;
				found = 1;
			}
		ok &= found;
	}
	check(ok && seen == 31, "wait4(-1) reaps 5 children, each once with its own exit code");
	check_err(sys_wait4(-1, &st, 0), ECHILD, "then no child is left");

	/* pid / ppid / tid across fork, reported through a pipe. */
	pid_t me = getpid();
	check(syscall(SYS_gettid) == me, "gettid == getpid in a single-threaded process (%d)", me);
	int fd[2];
	if (pipe(fd) == 0) {
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			long v[3] = { getpid(), getppid(), syscall(SYS_gettid) };
			write(fd[1], v, sizeof v);
			_exit(0);
		}
		long v[3] = { 0 };
		close(fd[1]);
		r = read_all(fd[0], (char *)v, sizeof v);
		close(fd[0]);
		sys_wait4(pid, &st, 0);
		check(r == sizeof v && v[0] == pid,
		      "the child's getpid is the pid fork returned (%ld, %d)", v[0], pid);
		check(v[1] == me, "the child's getppid is the parent's pid (%ld)", v[1]);
		check(v[2] == v[0], "the child's gettid equals its pid (%ld)", v[2]);
		check(pid != me, "the child's pid differs from the parent's");
	}

	/* Orphan: the middle process exits; the grandchild then sees another parent. */
	int go[2], res[2];
	if (pipe(go) == 0 && pipe(res) == 0) {
		fflush(stdout);
		pid_t mid = fork();
		if (mid == 0) {
			if (fork() == 0) {
				char c;
				close(go[1]);
				read(go[0], &c, 1); /* returns when the test writes, after the
				                       middle is reaped */
				long pp = getppid();
				write(res[1], &pp, sizeof pp);
				_exit(0);
			}
			_exit(0);
		}
		close(go[0]);
		close(res[1]);
		r = sys_wait4(mid, &st, 0);
		write(go[1], "x", 1);
		long pp = 0;
		r = read_all(res[0], (char *)&pp, sizeof pp);
		close(go[1]);
		close(res[0]);
		check(r == sizeof pp && pp != mid && pp > 0,
		      "an orphan is reparented after its parent exits (ppid %ld, was %d)", pp, mid);
		if (is_strata())
			check(pp == 1, "on Strata the orphan's new parent is init (pid 1)");
	}
	return done();
}
