/*
 * devices: the character devices by number (see include/fs/devices.h): /dev/null here, the
 * console and /dev/tty in kernel/fs/tty.c.
 *
 * Design: a fixed table maps major/minor to an ops table; file_open binds a device node to it.
 */
#include "fs/devices.h"

#include "fs/tty.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

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
	{ TTYAUX_MAJOR, TTY_MINOR, &devtty_ops },
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
