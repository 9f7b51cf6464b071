/* t_sigwait: signals and the calls that wait. SA_RESTART restarts a read on a pipe and
 * wait4 interrupted by a handler, without it they fail with EINTR; nanosleep (with the time
 * left) and pause give EINTR either way. An interrupted call is found without sleeps: the
 * handler reads the saved context (eax the call number on the int $0x80: restarting; -EINTR
 * just after it: failing) and the sender signals again until it sees one. SIGTERM, SIGINT and
 * SIGKILL end a process blocked in read(), in pause() and with every signal blocked;
 * SIGSTOP then SIGCONT lets a child go on; SA_RESETHAND; abort() with a SIGABRT handler that
 * returns still ends in SIGABRT; raise(). Also on Linux 6.1. */
#define _GNU_SOURCE
#include "common.h"
#include "sigtest.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define INT80 0x80CDu /* the bytes cd 80 read as a little-endian 16-bit word */

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
	if (!open_pipes(3, all))
		return 0;
	ack_w = ack_p[1];
	watch_nr = nr;
	sig_on_info(SIGUSR1, ack_handler, flags);
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
		if (!open_pipes(2, both))
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
		sig_on_info(SIGUSR1, ack_handler, restart ? SA_RESTART : 0);
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

	if (!open_pipes(2, both))
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

static void resethand_child(void)
{
	sig_hits = 0;
	sig_on(SIGUSR1, sig_count, SA_RESETHAND);
	raise(SIGUSR1);
	if (sig_hits != 1)
		_exit(3);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	if (now.sa_handler != SIG_DFL)
		_exit(4);
	raise(SIGUSR1); /* the default action now */
	_exit(5);
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
	sig_on(SIGABRT, sig_count, 0);
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
	if (open_pipes(2, both) && (pid = fork_checked("SIGSTOP/SIGCONT")) == 0)
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
	sig_hits = 0;
	sig_on(SIGABRT, sig_count, 0);
	check(raise(SIGABRT) == 0 && sig_hits == 1, "raise(SIGABRT) with a handler: it runs, raise "
	                                            "returns 0");
	signal(SIGABRT, SIG_DFL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_interrupted_calls();
	test_kill();
	return done();
}
