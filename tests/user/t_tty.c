/* t_tty: the console as a terminal, as init's children find it (Linux's rdinit= or Strata's
 * init=: the console is open on 0, 1 and 2 but is nobody's controlling terminal): Linux's
 * default settings (TCGETS), TCSETS round trips, TCSETSF, TIOCSWINSZ/TIOCGWINSZ, FIONREAD;
 * without a controlling terminal tcgetpgrp is ENOTTY and /dev/tty ENXIO; a new session leader
 * takes the console (TIOCSCTTY): tcgetpgrp/tcgetsid name it, /dev/tty opens, tcsetpgrp moves
 * the foreground to another group of its session (ESRCH for no group, EPERM for a group of
 * another session), a background read with SIGTTIN ignored is EIO, a second session cannot
 * take it (EPERM), and once the leader has exited a new session can. Skipped when stdin is
 * not a terminal (run under a pipe). */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* struct termios as the kernel copies it (glibc's has extra speed fields). */
struct ktermios {
	unsigned c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line, c_cc[19];
};

static void settings(void)
{
	struct ktermios t, t2, orig;
	int r = ioctl(0, TCGETS, &orig);
	check(r == 0, "TCGETS on the console");
	t = orig;
	check(t.c_lflag == (ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN),
	      "c_lflag is Linux's default ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN (%#x)",
	      t.c_lflag);
	check(t.c_iflag == (ICRNL | IXON) && t.c_oflag == (OPOST | ONLCR),
	      "c_iflag ICRNL IXON, c_oflag OPOST ONLCR (%#x, %#x)", t.c_iflag, t.c_oflag);
	check(t.c_cc[VINTR] == 3 && t.c_cc[VQUIT] == 034 && t.c_cc[VERASE] == 0177 &&
	          t.c_cc[VKILL] == 025 && t.c_cc[VEOF] == 4 && t.c_cc[VMIN] == 1 &&
	          t.c_cc[VTIME] == 0 && t.c_cc[VSUSP] == 032 && t.c_cc[VWERASE] == 027,
	      "c_cc: ^C ^\\ DEL ^U ^D, VMIN 1, VTIME 0, ^Z ^W");
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 3;
	r = ioctl(0, TCSETS, &t);
	memset(&t2, 0, sizeof t2);
	ioctl(0, TCGETS, &t2);
	check(r == 0 && memcmp(&t, &t2, sizeof t) == 0, "TCSETS raw mode, TCGETS reads it back");
	r = ioctl(0, TCSETSF, &orig);
	ioctl(0, TCGETS, &t2);
	check(r == 0 && memcmp(&orig, &t2, sizeof t) == 0, "TCSETSF restores the defaults");
	struct winsize w0 = { 0, 0, 0, 0 }, w = { 30, 100, 0, 0 }, w2;
	r = ioctl(0, TIOCGWINSZ, &w0);
	check(r == 0, "TIOCGWINSZ (%ux%u)", w0.ws_row, w0.ws_col);
	r = ioctl(0, TIOCSWINSZ, &w);
	ioctl(0, TIOCGWINSZ, &w2);
	check(r == 0 && w2.ws_row == 30 && w2.ws_col == 100, "TIOCSWINSZ 30x100 reads back (%ux%u)",
	      w2.ws_row, w2.ws_col);
	ioctl(0, TIOCSWINSZ, &w0);
	int n = -1;
	r = ioctl(0, FIONREAD, &n);
	check(r == 0 && n == 0, "FIONREAD: nothing typed (%d)", n);
	check_err(tcgetpgrp(0), ENOTTY, "tcgetpgrp without a controlling terminal");
	check_err(open("/dev/tty", O_RDWR), ENXIO, "open /dev/tty without a controlling terminal");
}

static int ready_fd; /* the leader says here that it holds the terminal */

/* In a child: exit with a code telling which step failed (0: all held). */
static int leader(int other_pgrp, int go_fd)
{
	if (setsid() != getpid())
		return 10;
	if (ioctl(0, TIOCSCTTY, 0) != 0)
		return 11;
	if (tcgetpgrp(0) != getpid() || tcgetsid(0) != getpid())
		return 12;
	int fd = open("/dev/tty", O_RDWR);
	if (fd < 0)
		return 13;
	close(fd);
	if (tcsetpgrp(0, 30000) == 0 || errno != ESRCH)
		return 14;
	if (tcsetpgrp(0, other_pgrp) == 0 || errno != EPERM)
		return 15;
	int sync[2];
	if (pipe(sync) != 0)
		return 16;
	pid_t g = fork();
	if (g == 0) {
		setpgid(0, 0);
		signal(SIGTTIN, SIG_IGN);
		recv1(sync[0]); /* until the leader has checked the foreground move */
		/* /dev/tty: Linux applies job control to it, not to /dev/console's redirection */
		int tty = open("/dev/tty", O_RDONLY);
		char c;
		_exit(tty >= 0 && read(tty, &c, 1) == -1 && errno == EIO ? 0 : 1);
	}
	setpgid(g, g);
	signal(SIGTTOU, SIG_IGN);
	if (tcsetpgrp(0, g) != 0 || tcgetpgrp(0) != g)
		return 17;
	if (tcsetpgrp(0, getpid()) != 0) /* back: the group's read is in the background */
		return 18;
	if (write(sync[1], "g", 1) != 1)
		return 19;
	if (!clean(wait_pid(g)))
		return 20;
	if (write(ready_fd, "r", 1) != 1)
		return 21;
	recv1(go_fd); /* hold the terminal until the parent tried to take it */
	return 0;
}

/* A second session tries to take the console: 0 refused (EPERM), 1 got it, 2 setsid failed. */
static int taker(void)
{
	if (setsid() < 0)
		return 2;
	if (ioctl(0, TIOCSCTTY, 0) == 0)
		return 1;
	return errno == EPERM ? 0 : 3;
}

static pid_t fork_fn(int (*fn)(int, int), int a, int b)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(a, b));
	return pid;
}

static int taker2(int a, int b)
{
	(void)a, (void)b;
	return taker();
}

static int hold_group(int fd, int unused)
{
	(void)unused;
	setpgid(0, 0);
	recv1(fd);
	return 0;
}

static void sessions(void)
{
	int go[2], hold[2], ready[2];
	if (pipe(go) != 0 || pipe(hold) != 0 || pipe(ready) != 0) {
		check(0, "pipes");
		return;
	}
	pid_t other = fork_fn(hold_group, hold[0], 0);
	setpgid(other, other);
	ready_fd = ready[1];
	pid_t l = fork_fn(leader, other, go[0]);
	char c;
	check(read(ready[0], &c, 1) == 1, "the leader holds the console (or ended: see below)");
	/* while the leader holds the terminal (it waits for go), another session is refused */
	int st2 = wait_pid(fork_fn(taker2, 0, 0));
	check(WIFEXITED(st2) && WEXITSTATUS(st2) == 0,
	      "a second session cannot take a terminal another session has (EPERM) (%s)",
	      status_str(st2));
	check(write(go[1], "g", 1) == 1, "let the leader end");
	int st = wait_pid(l);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a session leader takes the console with TIOCSCTTY; tcgetpgrp/tcgetsid; /dev/tty; "
	      "tcsetpgrp ESRCH/EPERM/moves the foreground; a background read with SIGTTIN "
	      "ignored is EIO (%s: 0 all held, 10+ the failing step)",
	      status_str(st));
	st2 = wait_pid(fork_fn(taker2, 0, 0));
	check(WIFEXITED(st2) && WEXITSTATUS(st2) == 1,
	      "its leader gone, a new session can take the console (%s)", status_str(st2));
	check(write(hold[1], "h", 1) == 1, "let the group holder end");
	wait_pid(other);
	check_err(tcgetpgrp(0), ENOTTY, "this process still has no controlling terminal");
}

int main(void)
{
	if (!isatty(0)) {
		skip("the console as a terminal # SKIP stdin is not a terminal");
		return done();
	}
	settings();
	sessions();
	return done();
}
