/*
 * devices: the console, /dev/tty and /dev/null as file types (see include/fs/devices.h).
 *
 * Design: a fixed table maps major/minor to an ops table; file_open binds a device node to it.
 * The console reads by polling the serial receive ring every CONSOLE_POLL_MS (so the monitor
 * and other tasks run meanwhile) until a byte is there, echoes what it takes, turns CR into
 * LF, and returns at a newline, when the buffer is full, or when the input pauses; a fatal
 * signal ends the wait with -EINTR, and O_NONBLOCK gives -EAGAIN instead of waiting.
 */
#include "fs/devices.h"

#include "kernel/serial.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/task.h"

#define CONSOLE_CHUNK   256u /* bytes moved per serial read or write */
#define CONSOLE_POLL_MS 10u
#define CONSOLE_ROWS    24u
#define CONSOLE_COLS    80u
#define CONSOLE_INO     2u    /* fstat's inode number for the boot console with no node */
#define CONSOLE_MODE    0600u /* its permission bits */
#define DEVTMPFS_MINOR  5u    /* st_dev 0:5 for it, as Linux's devtmpfs */
#define NCCS_LINUX      19

/* termios bits (Linux's asm-generic/termbits.h) */
#define T_ICRNL  0x0100u
#define T_OPOST  0x0001u
#define T_ONLCR  0x0004u
#define T_B38400 0x000Fu
#define T_CS8    0x0030u
#define T_CREAD  0x0080u
#define T_ISIG   0x0001u
#define T_ICANON 0x0002u
#define T_ECHO   0x0008u
#define T_ECHOE  0x0010u
#define T_ECHOK  0x0020u
#define T_IEXTEN 0x8000u

struct termios_linux {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS_LINUX];
};

struct winsize_linux {
	uint16_t rows, cols, xpixel, ypixel;
};

/* ---- the console -------------------------------------------------------------------------- */

/* Read a line (or what is there) from the serial port. Bytes, -EAGAIN, -EINTR or -EFAULT. */
static long console_read(struct file *f, struct iov_iter *to)
{
	char chunk[CONSOLE_CHUNK];
	size_t want = MIN(to->count, (size_t)CONSOLE_CHUNK), got = 0;

	if (want == 0)
		return 0;
	for (;;) {
		int c = serial_getc();
		if (c < 0) {
			if (got)
				break;
			if (f->flags & O_NONBLOCK)
				return -EAGAIN;
			if (proc_signal_pending())
				return -EINTR;
			task_sleep(CONSOLE_POLL_MS);
			continue;
		}
		chunk[got++] = c == '\r' ? '\n' : (char)c;
		serial_write(&chunk[got - 1], 1); /* echo */
		if (chunk[got - 1] == '\n' || got == want)
			break;
	}
	size_t n = iter_copy_to(to, chunk, got);
	return n ? (long)n : -EFAULT;
}

/* Write everything to the serial port. Bytes written (short at a fault), or -EFAULT. */
static long console_write(struct file *f, struct iov_iter *from)
{
	char chunk[CONSOLE_CHUNK];
	long done = 0;

	(void)f;
	while (from->count > 0) {
		size_t want = MIN(from->count, (size_t)CONSOLE_CHUNK);
		size_t n = iter_copy_from(from, chunk, want);
		serial_write(chunk, n);
		done += (long)n;
		if (n < want)
			return done ? done : -EFAULT;
	}
	return done;
}

/* The terminal ioctls; @arg is the user pointer. 0, -EFAULT or -ENOTTY. */
static long console_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct termios_linux t;
	struct proc *p;

	(void)f;
	switch (cmd) {
	case TCGETS:
		memset(&t, 0, sizeof(t));
		t.c_iflag = T_ICRNL;
		t.c_oflag = T_OPOST | T_ONLCR;
		t.c_cflag = T_B38400 | T_CS8 | T_CREAD;
		t.c_lflag = T_ISIG | T_ICANON | T_ECHO | T_ECHOE | T_ECHOK | T_IEXTEN;
		return copy_to_user((void *)arg, &t, sizeof(t));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return copy_from_user(&t, (const void *)arg, sizeof(t));
	case TIOCGWINSZ: {
		struct winsize_linux w = { CONSOLE_ROWS, CONSOLE_COLS, 0, 0 };
		return copy_to_user((void *)arg, &w, sizeof(w));
	}
	case TIOCGPGRP:
		p = proc_current();
		return p ? put_user_u32((void *)arg, (uint32_t)p->pid) : -ENOTTY;
	default:
		return -ENOTTY;
	}
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

static const struct file_ops console_ops = {
	.read = console_read,
	.write = console_write,
	.ioctl = console_ioctl,
	.stat = console_stat,
};

/* ---- /dev/null ---------------------------------------------------------------------------- */

/* Reads: end of file. */
static long null_read(struct file *f, struct iov_iter *to)
{
	(void)f;
	(void)to;
	return 0;
}

/* Writes: all of it, unread (Linux's write_null returns the count without touching it). */
static long null_write(struct file *f, struct iov_iter *from)
{
	(void)f;
	return (long)from->count;
}

/* Seeks: always to 0 (Linux's null_lseek). */
static int64_t null_llseek(struct file *f, int64_t off, int whence)
{
	(void)off;
	(void)whence;
	f->pos = 0;
	return 0;
}

static const struct file_ops null_ops = {
	.read = null_read,
	.write = null_write,
	.llseek = null_llseek,
};

/* ---- the table ---------------------------------------------------------------------------- */

static const struct chrdev {
	uint32_t major, minor;
	const struct file_ops *ops;
} chrdevs[] = {
	{ TTYAUX_MAJOR, CONSOLE_MINOR, &console_ops },
	{ TTYAUX_MAJOR, TTY_MINOR, &console_ops },
	{ MEM_MAJOR, NULL_MINOR, &null_ops },
};

const struct file_ops *chrdev_ops(uint32_t major, uint32_t minor)
{
	for (size_t i = 0; i < ARRAY_SIZE(chrdevs); i++)
		if (chrdevs[i].major == major && chrdevs[i].minor == minor)
			return chrdevs[i].ops;
	return NULL;
}

struct file *console_open(void)
{
	int err = 0;
	struct file *f = file_open("/dev/console", O_RDWR, &err);

	if (f && f->ops == &console_ops)
		return f;
	file_put(f);
	return file_alloc(&console_ops, NULL, O_RDWR, NULL);
}
