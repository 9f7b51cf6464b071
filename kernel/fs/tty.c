/*
 * tty: the serial console as a terminal (contract in include/fs/tty.h).
 *
 * Design: one struct console, the line discipline (kernel/fs/ldisc.c) inside it. The UART's
 * receive interrupt pumps bytes from the serial ring into the line discipline (tty_pump), which
 * echoes and raises ISIG signals right there; readers sleep on `readers` and pollers on the
 * poll queue, both woken by the pump. A byte the line discipline refuses (buffer full) is held
 * in `held` and offered again after a read made room. Output goes straight to the UART after
 * output processing.
 *
 * Locking: every field of `con` (the line discipline included) changes with interrupts off;
 * a reader holds `rlock` (a sleeping lock) for the whole read so two readers do not interleave
 * lines, and copies to user memory with interrupts on between a peek and a consume (a flush
 * in between voids the consume: ldisc generation). Process fields (sid, pgid, signal actions)
 * are read with interrupts off.
 */
#include "fs/tty.h"

#include "fs/devices.h"
#include "fs/ldisc.h"
#include "fs/poll.h"
#include "kernel/serial.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/task.h"
#include "x86/cpu.h"
#include "x86/timer.h"

#define CHUNK          256u /* bytes moved per copy to or from user memory */
#define CONSOLE_ROWS   24u
#define CONSOLE_COLS   80u
#define CONSOLE_INO    2u    /* fstat's inode number for the boot console with no node */
#define CONSOLE_MODE   0600u /* its permission bits */
#define DEVTMPFS_MINOR 5u    /* st_dev 0:5 for it, as Linux's devtmpfs */
#define VTIME_TICKS    100u  /* VTIME counts tenths of a second; HZ = 1000 */
#define TCIFLUSH       0
#define TCOFLUSH       1
#define TCIOFLUSH      2

struct winsize_linux {
	uint16_t rows, cols, xpixel, ypixel;
};

static struct console {
	struct ldisc ld;
	int held;                      /* a received byte the line discipline refused; -1: none */
	bool pumping;                  /* tty_pump is running (see there) */
	bool monitor;                  /* the monitor takes the serial input (see tty.h) */
	void (*monitor_wake)(void);    /* called from the interrupt while it does */
	char leftover[LDISC_BUF_SIZE]; /* unread when the monitor took the input back ... */
	uint32_t left_len, left_pos;   /* ... handed to it in order */
	int session;                   /* the controlling session's sid; 0: none */
	int pgrp;                      /* the foreground process group; 0: none */
	struct winsize_linux ws;
	struct wait_queue readers; /* for input, the input back, or the foreground */
	struct sleep_lock rlock;   /* held by a reader for its whole read */
} con = { .held = -1 };

/* ---- input -------------------------------------------------------------------------------- */

static void emit_serial(const char *s, size_t n, void *ctx)
{
	(void)ctx;
	serial_write_raw(s, n);
}

static void signal_fg(int sig, void *ctx)
{
	(void)ctx;
	console_isig(sig);
}

static const struct ldisc_ops ldisc_ops = { .emit = emit_serial, .signal = signal_fg };

void console_isig(int sig)
{
	if (con.pgrp > 0)
		proc_kill_pgrp(con.pgrp, sig); /* SI_KERNEL, as Linux's tty */
}

/*
 * Feed what the UART received into the line discipline while the tty has the input; wake
 * readers and pollers when something came. Interrupts off. Not reentered: taking a byte from
 * a full (throttled) ring lets the UART's waiting bytes in through the receive handler, which
 * calls the hook again; the loop here takes those too, in order.
 */
static void tty_pump(void)
{
	bool any = false;

	if (con.pumping)
		return;
	con.pumping = true;
	while (!con.monitor) {
		int c = con.held >= 0 ? con.held : serial_getc();
		if (c < 0)
			break;
		con.held = -1;
		if (!ldisc_receive(&con.ld, (uint8_t)c)) {
			con.held = c;
			break;
		}
		any = true;
	}
	con.pumping = false;
	if (any) {
		wake_up(&con.readers);
		poll_notify();
	}
}

/* The receive interrupt. */
static void tty_rx(void)
{
	if (con.monitor) {
		if (con.monitor_wake)
			con.monitor_wake();
		return;
	}
	tty_pump();
}

void tty_init(void)
{
	ldisc_init(&con.ld, &ldisc_ops, NULL);
	con.ws = (struct winsize_linux){ CONSOLE_ROWS, CONSOLE_COLS, 0, 0 };
	wait_queue_init(&con.readers);
	sleep_lock_init(&con.rlock);
	serial_set_rx_hook(tty_rx);
}

void tty_monitor_take(void (*wake)(void))
{
	uint32_t flags = irq_save();
	char chunk[CHUNK];
	size_t used;
	bool end;

	con.monitor_wake = wake;
	if (!con.monitor) {
		/* what was typed ahead and not read: canonical lines, then the one being edited */
		con.left_len = con.left_pos = 0;
		struct termios_linux raw = con.ld.t;
		raw.c_lflag &= ~T_ICANON;
		ldisc_set_termios(&con.ld, &raw);
		size_t n;
		while ((n = ldisc_peek(&con.ld, chunk, sizeof(chunk), &used, &end)) > 0) {
			for (size_t i = 0; i < n; i++)
				if (chunk[i] != 0) /* VEOF marks */
					con.leftover[con.left_len++] = chunk[i];
			ldisc_consume(&con.ld, used, con.ld.gen);
		}
		if (con.held >= 0 && con.left_len < sizeof(con.leftover))
			con.leftover[con.left_len++] = (char)con.held;
		con.held = -1;
		ldisc_flush(&con.ld);
		con.monitor = true;
		wake_up(&con.readers);
		poll_notify();
	}
	irq_restore(flags);
}

int tty_monitor_getc(void)
{
	uint32_t flags = irq_save();
	int c = -1;

	if (con.left_pos < con.left_len)
		c = (uint8_t)con.leftover[con.left_pos++];
	irq_restore(flags);
	return c >= 0 ? c : serial_getc();
}

bool tty_monitor_pending(void)
{
	return con.left_pos < con.left_len || serial_getc_pending();
}

void tty_foreground_begin(int sid, int pgrp)
{
	uint32_t flags = irq_save();

	ldisc_init(&con.ld, &ldisc_ops, NULL);
	con.session = sid;
	con.pgrp = pgrp;
	con.monitor = false;
	/* what the monitor had not taken yet goes to the program, in order */
	while (con.left_pos < con.left_len &&
	       ldisc_receive(&con.ld, (uint8_t)con.leftover[con.left_pos]))
		con.left_pos++;
	if (con.left_pos >= con.left_len)
		tty_pump();
	irq_restore(flags);
}

void tty_foreground_end(void)
{
	uint32_t flags = irq_save();

	con.session = 0;
	con.pgrp = 0;
	irq_restore(flags);
	tty_monitor_take(con.monitor_wake);
}

/* ---- sessions ----------------------------------------------------------------------------- */

/*
 * Drop the controlling session once its leader is gone: Linux disassociates the terminal when
 * the session leader exits (disassociate_ctty); here it is noticed at the next look, which
 * gives every caller the same answer. Interrupts off.
 */
static void forget_dead_session(void)
{
	struct proc *leader = con.session > 0 ? proc_lookup(con.session) : NULL;

	if (con.session > 0 &&
	    (!leader || leader->state != PROC_RUNNING || leader->sid != con.session))
		con.session = con.pgrp = 0;
}

/* Is the console @p's controlling terminal? Interrupts off. */
static bool is_ctty(const struct proc *p)
{
	forget_dead_session();
	return p && con.session > 0 && p->sid == con.session;
}

/* Is @p in a background group of the console's session? Interrupts off. */
static bool in_background(const struct proc *p)
{
	return is_ctty(p) && p->pgid != con.pgrp;
}

/* Does @p ignore or block @sig (so job control must not stop it with it)? */
static bool ignores(const struct proc *p, int sig)
{
	return p->sig_action[sig].handler == SIG_IGN_HANDLER || (p->sigmask & (1ULL << (sig - 1)));
}

struct group_probe {
	int pgid, sid;
	bool exists, in_session;
};

static void probe_group(const struct proc *p, void *ctx)
{
	struct group_probe *g = ctx;

	if (p->pgid != g->pgid) /* a zombie still holds its group, as on Linux */
		return;
	g->exists = true;
	g->in_session = g->in_session || p->sid == g->sid;
}

/* TIOCSPGRP: put group @pgrp of the caller's session in the foreground. */
static long set_pgrp(int pgrp)
{
	struct proc *p = proc_current();
	struct group_probe g = { .pgid = pgrp, .sid = p ? p->sid : 0 };
	uint32_t flags;

	if (pgrp < 0)
		return -EINVAL;
	proc_for_each(probe_group, &g);
	flags = irq_save();
	long rc = !is_ctty(p) ? -ENOTTY : !g.exists ? -ESRCH : !g.in_session ? -EPERM : 0;
	if (rc == 0) {
		con.pgrp = pgrp;
		wake_up(&con.readers); /* a background reader may be in the foreground now */
	}
	irq_restore(flags);
	return rc;
}

/* TIOCSCTTY: the caller, a session leader without a controlling terminal, takes the console
 * (from another session only with @steal, as root may). */
static long set_ctty(unsigned long steal)
{
	struct proc *p = proc_current();
	uint32_t flags = irq_save();
	long rc = 0;

	if (is_ctty(p))
		rc = 0;
	else if (!p || p->sid != p->pid)
		rc = -EPERM;
	else if (con.session > 0 && steal != 1) /* is_ctty forgot a dead session */
		rc = -EPERM;
	else {
		con.session = p->sid;
		con.pgrp = p->pgid;
	}
	irq_restore(flags);
	return rc;
}

/* TIOCNOTTY: give the console up; a session leader hangs its foreground group up. */
static long drop_ctty(void)
{
	struct proc *p = proc_current();
	uint32_t flags = irq_save();
	int fg = con.pgrp;
	bool leader = p && p->sid == p->pid;
	long rc = is_ctty(p) ? 0 : -ENOTTY;

	if (rc == 0 && leader)
		con.session = con.pgrp = 0;
	irq_restore(flags);
	if (rc == 0 && leader && fg > 0) {
		proc_kill_pgrp(fg, SIGHUP);
		proc_kill_pgrp(fg, SIGCONT);
	}
	return rc;
}

/* ---- reading ------------------------------------------------------------------------------ */

/* A read that started in the background: SIGTTIN to its group (see tty.h). */
static void send_sigttin(void)
{
	struct proc *p = proc_current();

	if (p)
		proc_kill_pgrp(p->pgid, SIGTTIN);
}

/* The state of one read (console_read). */
struct read_state {
	size_t want;       /* the request's size */
	size_t done;       /* bytes delivered */
	uint64_t deadline; /* VTIME: the tick it ends at; 0: not running */
	uint32_t seen;     /* bytes seen buffered + delivered when the VTIME timer last started */
	bool ttin_sent;
};

enum read_step { READ_TAKE, READ_WAIT, READ_RETURN };

/*
 * What a read does next, with interrupts off: take bytes, wait (for input, the input back
 * from the monitor, the foreground, or VTIME: *@ticks, 0 for no limit), or return.
 */
static enum read_step read_next(struct read_state *rs, uint32_t *ticks)
{
	const struct termios_linux *t = &con.ld.t;
	uint32_t vmin = t->c_cc[VMIN], vtime = t->c_cc[VTIME];

	*ticks = 0;
	if (con.monitor)
		return READ_WAIT;
	if (t->c_lflag & T_ICANON)
		return ldisc_line_ready(&con.ld) ? READ_TAKE : READ_WAIT;
	uint32_t have = ldisc_readable(&con.ld);
	size_t need = MIN((size_t)vmin, rs->want);
	if (have > 0 && (rs->done + have >= need || vmin == 0))
		return READ_TAKE;
	if (rs->done >= need && rs->done > 0)
		return READ_RETURN;
	if (vtime == 0)
		return vmin == 0 ? READ_RETURN : READ_WAIT;
	/* VTIME: from the start (VMIN 0), else from the last byte that came */
	uint64_t now = timer_ticks();
	uint32_t seen = (uint32_t)rs->done + have;
	if (vmin > 0 && seen == 0)
		return READ_WAIT;
	if (rs->deadline == 0 || seen != rs->seen) {
		rs->deadline = now + (uint64_t)vtime * VTIME_TICKS;
		rs->seen = seen;
	}
	if (now >= rs->deadline)
		return READ_RETURN;
	*ticks = (uint32_t)(rs->deadline - now);
	return READ_WAIT;
}

/* Take what a read may now, into @to. Returns bytes copied, 0 at end of file, -EFAULT. */
static long read_take(struct iov_iter *to, bool *line_end)
{
	char chunk[CHUNK];
	size_t used;
	uint32_t flags = irq_save();
	uint32_t gen = con.ld.gen;
	size_t n = ldisc_peek(&con.ld, chunk, MIN(sizeof(chunk), to->count), &used, line_end);

	irq_restore(flags);
	size_t copied = iter_copy_to(to, chunk, n);
	flags = irq_save();
	ldisc_consume(&con.ld, copied < n ? copied : used, gen);
	tty_pump(); /* room for what was held back */
	irq_restore(flags);
	if (copied < n)
		*line_end = true;
	return copied == 0 && n > 0 ? -EFAULT : (long)copied;
}

/* Read from the console (see tty.h): bytes, 0 at end of file, -EAGAIN, -EINTR, -EIO, -EFAULT. */
static long console_read(struct file *f, struct iov_iter *to)
{
	struct read_state rs = { .want = to->count };
	long rc = 0;

	if (to->count == 0)
		return 0;
	sleep_lock(&con.rlock);
	for (;;) {
		struct proc *p = proc_current();
		uint32_t ticks, flags = irq_save();
		enum read_step step;
		if (p && in_background(p)) {
			if (ignores(p, SIGTTIN)) {
				irq_restore(flags);
				rc = -EIO;
				break;
			}
			if (!rs.ttin_sent) {
				irq_restore(flags);
				send_sigttin();
				rs.ttin_sent = true;
				continue;
			}
			step = READ_WAIT;
			ticks = 0;
		} else {
			step = read_next(&rs, &ticks);
		}
		if (step == READ_WAIT && ((f->flags & O_NONBLOCK) || proc_signal_pending())) {
			rc = (f->flags & O_NONBLOCK) ? -EAGAIN : -EINTR;
			step = READ_RETURN;
		}
		if (step == READ_RETURN) {
			irq_restore(flags);
			break;
		}
		if (step == READ_WAIT) {
			if (ticks)
				wait_queue_sleep_timeout(&con.readers, ticks);
			else
				wait_queue_sleep(&con.readers);
			irq_restore(flags);
			continue;
		}
		irq_restore(flags);
		bool line_end;
		long n = read_take(to, &line_end);
		if (n < 0) {
			rc = n;
			break;
		}
		rs.done += (size_t)n;
		if (n == 0 || line_end || to->count == 0)
			break; /* end of file, the end of a canonical line, or the request is full
			        */
	}
	sleep_unlock(&con.rlock);
	return rs.done > 0 ? (long)rs.done : rc;
}

/* ---- writing, control ---------------------------------------------------------------------- */

/* Write everything through output processing. Bytes written (short at a fault), or -EFAULT. */
static long console_write(struct file *f, struct iov_iter *from)
{
	char chunk[CHUNK], out[2 * CHUNK];
	long done = 0;

	(void)f;
	while (from->count > 0) {
		size_t want = MIN(from->count, (size_t)CHUNK);
		size_t n = iter_copy_from(from, chunk, want);
		uint32_t flags = irq_save();
		size_t o = ldisc_opost(&con.ld, chunk, n, out);
		irq_restore(flags);
		serial_write_raw(out, o);
		done += (long)n;
		if (n < want)
			return done ? done : -EFAULT;
	}
	return done;
}

/* TCSETS, TCSETSW (output is never queued: nothing to drain), TCSETSF (flush input first). */
static long set_termios(unsigned cmd, unsigned long arg)
{
	struct termios_linux t;

	if (copy_from_user(&t, (const void *)arg, sizeof(t)) < 0)
		return -EFAULT;
	uint32_t flags = irq_save();
	if (cmd == TCSETSF)
		ldisc_flush(&con.ld);
	ldisc_set_termios(&con.ld, &t);
	tty_pump();
	wake_up(&con.readers);
	irq_restore(flags);
	poll_notify();
	return 0;
}

/* TIOCSWINSZ: a new size; SIGWINCH to the foreground group when it changed. */
static long set_winsize(unsigned long arg)
{
	struct winsize_linux w;

	if (copy_from_user(&w, (const void *)arg, sizeof(w)) < 0)
		return -EFAULT;
	uint32_t flags = irq_save();
	bool changed = memcmp(&w, &con.ws, sizeof(w)) != 0;
	int fg = con.pgrp;
	con.ws = w;
	irq_restore(flags);
	if (changed && fg > 0)
		proc_kill_pgrp(fg, SIGWINCH);
	return 0;
}

/* A value the console holds for the caller's controlling terminal only (-ENOTTY otherwise). */
static long get_ctty_value(unsigned long arg, bool sid)
{
	uint32_t flags = irq_save();
	bool ok = is_ctty(proc_current());
	uint32_t v = (uint32_t)(sid ? con.session : con.pgrp);

	irq_restore(flags);
	return ok ? put_user_u32((void *)arg, v) : -ENOTTY;
}

/* The terminal ioctls (see tty.h); @arg is the user pointer or value. */
static long console_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct termios_linux t;
	uint32_t flags, v;

	(void)f;
	switch (cmd) {
	case TCGETS:
		flags = irq_save();
		t = con.ld.t;
		irq_restore(flags);
		return copy_to_user((void *)arg, &t, sizeof(t));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(cmd, arg);
	case TCFLSH:
		if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
			return -EINVAL;
		flags = irq_save();
		if (arg != TCOFLUSH)
			ldisc_flush(&con.ld);
		irq_restore(flags);
		return 0;
	case TCSBRK:
	case TCXONC:
		return 0;
	case TIOCOUTQ:
		return put_user_u32((void *)arg, 0);
	case FIONREAD:
		flags = irq_save();
		v = ldisc_readable(&con.ld);
		irq_restore(flags);
		return put_user_u32((void *)arg, v);
	case TIOCGWINSZ:
		flags = irq_save();
		struct winsize_linux w = con.ws;
		irq_restore(flags);
		return copy_to_user((void *)arg, &w, sizeof(w));
	case TIOCSWINSZ:
		return set_winsize(arg);
	case TIOCGPGRP:
		return get_ctty_value(arg, false);
	case TIOCGSID:
		return get_ctty_value(arg, true);
	case TIOCSPGRP:
		if (get_user_u32(&v, (const void *)arg) < 0)
			return -EFAULT;
		return set_pgrp((int)v);
	case TIOCSCTTY:
		return set_ctty(arg);
	case TIOCNOTTY:
		return drop_ctty();
	default:
		return -ENOTTY;
	}
}

/* poll: POLLIN when a read would not wait for input; always POLLOUT. */
static uint32_t console_poll(struct file *f)
{
	uint32_t mask = POLLOUT | POLLWRNORM;
	uint32_t flags = irq_save();
	const struct termios_linux *t = &con.ld.t;

	(void)f;
	if (!con.monitor) {
		bool in;
		if (t->c_lflag & T_ICANON)
			in = ldisc_line_ready(&con.ld);
		else {
			uint32_t amt =
			    (t->c_cc[VTIME] == 0 && t->c_cc[VMIN] > 0) ? t->c_cc[VMIN] : 1;
			in = ldisc_readable(&con.ld) >= amt;
		}
		if (in)
			mask |= POLLIN | POLLRDNORM;
	}
	irq_restore(flags);
	return mask;
}

/* fstat of the console opened with no node: a character device 5/1. */
static int console_stat(struct file *f, struct strata_stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->ino = CONSOLE_INO;
	st->mode = S_IFCHR | CONSOLE_MODE;
	st->nlink = 1;
	st->rdev_major = TTYAUX_MAJOR;
	st->rdev_minor = CONSOLE_MINOR;
	st->dev_minor = DEVTMPFS_MINOR;
	st->blksize = FILE_BLKSIZE;
	return 0;
}

/* Opening /dev/tty: the caller's controlling terminal, which must exist (ENXIO). */
static int devtty_open(struct file *f)
{
	struct proc *p = proc_current();
	uint32_t flags = irq_save();
	bool ok = !p || is_ctty(p);

	(void)f;
	irq_restore(flags);
	return ok ? 0 : -ENXIO;
}

const struct file_ops console_ops = {
	.read = console_read,
	.write = console_write,
	.ioctl = console_ioctl,
	.stat = console_stat,
	.poll = console_poll,
};

const struct file_ops devtty_ops = {
	.open = devtty_open,
	.read = console_read,
	.write = console_write,
	.ioctl = console_ioctl,
	.stat = console_stat,
	.poll = console_poll,
};
