/* t_poll: poll, ppoll, select and pselect on pipes, a regular file, /proc/meminfo and the
 * console: an empty pipe is not readable and a zero timeout returns at once; bytes make it
 * POLLIN; a writer in another process wakes an infinite poll; the last writer's close is
 * POLLHUP, the last reader's close POLLERR (with POLLOUT) on the write end; a full pipe is not
 * POLLOUT until drained; events not asked are not reported but POLLHUP/POLLERR are; a closed
 * descriptor is POLLNVAL (counted), a negative one ignored; files are always ready; a timeout
 * waits at least its length; select's sets, its EBADF and EINVAL, the zeroed sets and the
 * time left written back on a timeout; pselect6 and ppoll with a mask that unblocks a pending
 * signal return EINTR (and its handler runs, where handlers run); poll(NULL, 0, ms) sleeps. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* poll one descriptor for @events with @timeout; revents in *@rev. */
static int poll1(int fd, short events, int timeout, short *rev)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, timeout);
	*rev = p.revents;
	return r;
}

static void pipes(void)
{
	int p[2];
	short rev;
	if (pipe(p) != 0) {
		check(0, "pipe");
		return;
	}
	long long t0 = now_ms();
	int r = poll1(p[0], POLLIN, 0, &rev);
	check(r == 0 && rev == 0, "an empty pipe is not readable; timeout 0 returns 0 (%d, %#x)", r,
	      rev);
	r = poll1(p[1], POLLOUT, 0, &rev);
	check(r == 1 && rev == POLLOUT, "its write end is POLLOUT (%d, %#x)", r, rev);
	r = poll1(p[0], POLLIN, 50, &rev);
	long long waited = now_ms() - t0;
	check(r == 0 && waited >= 50,
	      "poll with 50 ms on the empty pipe times out after >= 50 ms "
	      "(%d after %lld ms)",
	      r, waited);
	check(write(p[1], "x", 1) == 1, "write one byte");
	r = poll1(p[0], POLLIN | POLLOUT, -1, &rev);
	check(r == 1 && rev == POLLIN,
	      "then it is POLLIN (only: POLLOUT not on a read end) (%d, %#x)", r, rev);
	r = poll1(p[0], POLLOUT, 0, &rev);
	check(r == 0 && rev == 0, "events not asked for are not reported (%d, %#x)", r, rev);
	struct pollfd set[4] = {
		{ p[0], POLLIN, 0 }, { -1, POLLIN, 7 }, { 1000, POLLIN, 0 }, { p[1], POLLOUT, 0 }
	};
	r = poll(set, 4, 0);
	check(r == 3 && set[0].revents == POLLIN && set[1].revents == 0 &&
	          set[2].revents == POLLNVAL && set[3].revents == POLLOUT,
	      "four entries: readable, negative fd ignored (revents 0), closed fd POLLNVAL "
	      "(counted), writable: %d (%#x %#x %#x %#x)",
	      r, set[0].revents, set[1].revents, set[2].revents, set[3].revents);
	char c;
	check(read(p[0], &c, 1) == 1, "read it back");
	close(p[1]);
	r = poll1(p[0], POLLIN, -1, &rev);
	check(r == 1 && rev == POLLHUP,
	      "the last writer gone: POLLHUP, even though not asked (%d, %#x)", r, rev);
	close(p[0]);

	if (pipe(p) != 0)
		return;
	close(p[0]);
	r = poll1(p[1], POLLOUT, 0, &rev);
	check(r == 1 && rev == (POLLOUT | POLLERR),
	      "the last reader gone: POLLOUT|POLLERR (%d, %#x)", r, rev);
	close(p[1]);

	/* full pipe */
	if (pipe2(p, O_NONBLOCK) != 0)
		return;
	char buf[4096];
	memset(buf, 'f', sizeof buf);
	long total = 0, n;
	while ((n = write(p[1], buf, sizeof buf)) > 0)
		total += n;
	r = poll1(p[1], POLLOUT, 0, &rev);
	check(n == -1 && errno == EAGAIN && r == 0 && rev == 0,
	      "a full pipe (%ld bytes) is not POLLOUT (%d, %#x)", total, r, rev);
	while (read(p[0], buf, sizeof buf) > 0)
		;
	r = poll1(p[1], POLLOUT, 0, &rev);
	check(r == 1 && rev == POLLOUT, "drained, it is POLLOUT again (%d, %#x)", r, rev);
	close(p[0]);
	close(p[1]);
}

/* A child waits for a go byte, then writes into the data pipe; the parent polls for ever. */
static void wake_by_other_process(void)
{
	int go[2], data[2];
	if (pipe(go) != 0 || pipe(data) != 0) {
		check(0, "pipes");
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		recv1(go[0]);
		_exit(write(data[1], "w", 1) == 1 ? 0 : 1);
	}
	check(write(go[1], "g", 1) == 1, "tell the child to write");
	short rev;
	int r = poll1(data[0], POLLIN, -1, &rev);
	check(r == 1 && rev == POLLIN,
	      "an infinite poll wakes when another process writes (%d, %#x)", r, rev);
	check(clean(wait_pid(pid)), "the writer exits 0");
	close(go[0]);
	close(go[1]);
	close(data[0]);
	close(data[1]);
}

static void files(void)
{
	short rev;
	int fd = open(data_path("hello.txt"), O_RDONLY);
	int r = poll1(fd, POLLIN | POLLOUT, -1, &rev);
	check(r == 1 && rev == (POLLIN | POLLOUT),
	      "a regular file (read-only) is always POLLIN|POLLOUT (%d, %#x)", r, rev);
	close(fd);
	if (proc_mount()) {
		fd = open("/proc/meminfo", O_RDONLY);
		r = poll1(fd, POLLIN, -1, &rev);
		check(r == 1 && rev == POLLIN, "/proc/meminfo is POLLIN (%d, %#x)", r, rev);
		close(fd);
		proc_unmount();
	}
	r = poll1(1, POLLOUT, -1, &rev);
	check(r == 1 && (rev & POLLOUT), "stdout is POLLOUT (%d, %#x)", r, rev);
	if (isatty(0)) {
		r = poll1(0, POLLIN, 0, &rev);
		check(r == 0 && rev == 0, "the console with nothing typed is not POLLIN (%d, %#x)",
		      r, rev);
	}
	long long t0 = now_ms();
	r = poll(NULL, 0, 20);
	check(r == 0 && now_ms() - t0 >= 20, "poll(NULL, 0, 20) sleeps 20 ms and returns 0 (%d)",
	      r);
}

static void selects(void)
{
	int p[2];
	if (pipe(p) != 0)
		return;
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timeval tv = { 0, 0 };
	int n = select(p[1] + 1, &r, &w, NULL, &tv);
	check(n == 1 && !FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w),
	      "select: empty pipe not readable, write end writable (%d)", n);
	check(write(p[1], "ab", 2) == 2, "write two bytes");
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	n = select(p[1] + 1, &r, &w, NULL, NULL);
	check(n == 2 && FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w),
	      "with bytes: both set, count 2 (%d)", n);
	char c[2];
	check(read(p[0], c, 2) == 2, "read them");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 30000 };
	long long t0 = now_ms();
	n = select(p[0] + 1, &r, NULL, NULL, &tv);
	long long waited = now_ms() - t0;
	check(n == 0 && !FD_ISSET(p[0], &r) && tv.tv_sec == 0 && tv.tv_usec == 0 && waited >= 30,
	      "a 30 ms timeout: 0, the set zeroed, the time left written back as 0 "
	      "(%d after %lld ms, left %ld.%06ld)",
	      n, waited, (long)tv.tv_sec, (long)tv.tv_usec);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_SET(25, &r); /* closed; below the table size (fds past it are ignored, as Linux) */
	tv = (struct timeval){ 0, 0 };
	check_err(select(26, &r, NULL, NULL, &tv), EBADF, "select with a closed fd in a set");
	FD_ZERO(&r);
	check_err(select(-1, &r, NULL, NULL, &tv), EINVAL, "select with nfds -1");
	tv = (struct timeval){ -1, 0 };
	check_err(select(1, NULL, NULL, NULL, &tv), EINVAL, "select with a negative timeout");
	struct timespec ts = { 0, 1000000000 };
	check_err(pselect(1, NULL, NULL, NULL, &ts, NULL), EINVAL,
	          "pselect with tv_nsec 1000000000");
	close(p[0]);
	close(p[1]);
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* Do handlers run here? (Strata before its signal handlers: the default action kills.) */
static int handlers_run(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGUSR2, on_usr1);
		raise(SIGUSR2);
		_exit(got_usr1 ? 0 : 1);
	}
	return clean(wait_pid(pid));
}

/*
 * The child blocks SIGUSR1, tells the parent, which sends it; the child then waits with a
 * mask that unblocks it: ppoll (@use_select 0) or pselect returns EINTR at once, whatever the
 * order of events. Exit code: 0 EINTR and the handler ran, 1 EINTR without the handler,
 * 2 something else.
 */
static void masked_wait(int use_select, int go_fd, int ready_fd)
{
	sigset_t block, empty;
	int p[2];
	if (pipe(p) != 0)
		_exit(2);
	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);
	if (write(ready_fd, "r", 1) != 1)
		_exit(2);
	recv1(go_fd); /* the signal is pending (blocked) now */
	struct timespec ts = { 30, 0 };
	int r;
	if (use_select) {
		fd_set rs;
		FD_ZERO(&rs);
		FD_SET(p[0], &rs);
		r = pselect(p[0] + 1, &rs, NULL, NULL, &ts, &empty);
	} else {
		struct pollfd pf = { p[0], POLLIN, 0 };
		r = ppoll(&pf, 1, &ts, &empty);
	}
	if (r != -1 || errno != EINTR)
		_exit(2);
	_exit(got_usr1 ? 0 : 1);
}

static void signals(void)
{
	int hr = handlers_run();
	for (int sel = 0; sel < 2; sel++) {
		int go[2], ready[2];
		if (pipe(go) != 0 || pipe(ready) != 0)
			return;
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0)
			masked_wait(sel, go[0], ready[1]);
		recv1(ready[0]);
		kill(pid, SIGUSR1);
		check(write(go[1], "g", 1) == 1, "SIGUSR1 sent to the blocked child");
		int st = wait_pid(pid);
		const char *name = sel ? "pselect" : "ppoll";
		check(WIFEXITED(st) && WEXITSTATUS(st) <= 1,
		      "%s with a mask unblocking a pending signal returns EINTR (%s)", name,
		      status_str(st));
		if (hr)
			check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			      "%s: the handler ran under its mask (%s)", name, status_str(st));
		else
			skip("%s: the handler ran # SKIP signal handlers do not run on this kernel "
			     "yet",
			     name);
		close(go[0]);
		close(go[1]);
		close(ready[0]);
		close(ready[1]);
	}
}

int main(void)
{
	pipes();
	wake_by_other_process();
	files();
	selects();
	signals();
	return done();
}
