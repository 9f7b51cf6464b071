/*
 * tty: the serial console as a terminal (kernel/fs/tty.c) — /dev/console and /dev/tty, the
 * line discipline of include/fs/ldisc.h on COM1, the controlling terminal of one session, its
 * foreground process group, and who gets the serial input.
 *
 * The serial input has one consumer at a time:
 *   the tty      from boot (the init= program) and while the monitor's `run` has a program
 *                in the foreground: the receive interrupt feeds every byte through the line
 *                discipline at once (echo, ^C, line editing), as Linux's n_tty does;
 *   the monitor  at its prompt (tty_monitor_take): bytes stay in the UART's ring for it, and
 *                what the foreground program left unread is handed back to it first.
 * A process that reads the console while the monitor has the input waits (a `run ... &`
 * program does not steal the monitor's keystrokes).
 *
 * Sessions and job control, as Linux's tty_io and tty_jobctrl, for the one terminal:
 *   - a process's controlling terminal is the console when its session is the console's
 *     session (tty.session); `run` starts its program as a session leader with the console
 *     as its controlling terminal and the program's group in the foreground, as getty and
 *     login do; TIOCSCTTY lets a session leader without one take it (busybox cttyhack),
 *     TIOCNOTTY gives it up; opening /dev/tty without a controlling terminal is ENXIO.
 *     Opening /dev/console never makes it the controlling terminal (as Linux).
 *   - TIOCGPGRP/TIOCSPGRP/TIOCGSID need the console as the caller's controlling terminal
 *     (else ENOTTY); TIOCSPGRP takes a group of the caller's session (EPERM otherwise, ESRCH
 *     for no such group).
 *   - ISIG characters signal the foreground group (console_isig); with no controlling session
 *     (init=) they signal nobody, as on Linux.
 *   - a background group's read: EIO when it ignores or blocks SIGTTIN, else SIGTTIN to its
 *     group and the read waits until the group is in the foreground or a signal is
 *     deliverable. Writes and TCSETS from the background are allowed (no TOSTOP, no SIGTTOU).
 *
 * Reads follow termios: canonical lines; otherwise VMIN/VTIME as n_tty (VMIN 0 VTIME 0:
 * what is there; VMIN only: at least min(VMIN, count) bytes; VTIME only: one byte or the
 * timeout; both: VMIN bytes or VTIME after the last byte came). Writes pass output
 * processing (OPOST/ONLCR). Ioctls: TCGETS, TCSETS, TCSETSW, TCSETSF, TCFLSH, TCSBRK, TCXONC,
 * TIOCOUTQ (0: output is written at once), FIONREAD, TIOCGWINSZ, TIOCSWINSZ (SIGWINCH to the
 * foreground group when it changes), TIOCGPGRP, TIOCSPGRP, TIOCGSID, TIOCSCTTY, TIOCNOTTY;
 * others are ENOTTY. poll: POLLIN when a read would not wait for input (a line, or VMIN
 * bytes), always POLLOUT.
 */
#ifndef STRATA_FS_TTY_H
#define STRATA_FS_TTY_H

#include <stdbool.h>

#include "fs/file.h"

/* The file operations of /dev/console (5/1) and of /dev/tty (5/0: needs a controlling tty). */
extern const struct file_ops console_ops;
extern const struct file_ops devtty_ops;

/* Set the line discipline up and take the serial receive interrupt. Once, at boot, before
 * the first process. */
void tty_init(void);

/*
 * The monitor takes the serial input: what the line discipline holds unread is kept for
 * tty_monitor_getc, and @wake is called from the receive interrupt when bytes arrive.
 */
void tty_monitor_take(void (*wake)(void));

/* The monitor's next input byte (what a program left unread first), or -1 when none. */
int tty_monitor_getc(void);

/* True when tty_monitor_getc has a byte (call with interrupts off to avoid a race). */
bool tty_monitor_pending(void);

/*
 * The monitor's `run`: the serial input goes to the line discipline (reset to Linux's
 * default settings), the console becomes the controlling terminal of session @sid with
 * group @pgrp in the foreground. Until tty_foreground_end (after the program ended).
 */
void tty_foreground_begin(int sid, int pgrp);
void tty_foreground_end(void);

/*
 * ISIG's call point: send @sig to the console's foreground process group (nobody when there
 * is none). From the receive interrupt. The signals code may route this elsewhere.
 */
void console_isig(int sig);

#endif
