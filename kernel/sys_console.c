/*
 * sys_console: read, write, writev and ioctl on descriptors 0, 1 and 2, which are the serial
 * console until the files layer (include/fs/file.h) brings descriptor tables; every other
 * descriptor is -EBADF.
 *
 * read(0): canonical-like: waits (polling every CONSOLE_POLL_MS, so the monitor and other
 * tasks run) until at least one byte is there, echoes what it takes, turns CR into LF, and
 * returns at a newline or when the buffer is full or the input has paused. A fatal signal
 * ends the wait with -EINTR. ioctl: TCGETS (a termios describing a canonical, echoing 8N1
 * terminal) and TIOCGWINSZ (80x24) succeed; anything else is -ENOTTY.
 */
#include "kernel/serial.h"
#include "kernel/syscall.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/task.h"

#define CONSOLE_FDS     3
#define CONSOLE_CHUNK   256u
#define CONSOLE_POLL_MS 10u
#define IOV_MAX_LINUX   1024u
#define TCGETS          0x5401u
#define TIOCGWINSZ      0x5413u
#define NCCS_LINUX      19
/* termios bits (Linux's termbits.h) */
#define T_ICRNL      0x0100u
#define T_OPOST      0x0001u
#define T_ONLCR      0x0004u
#define T_B38400     0x000Fu
#define T_CS8        0x0030u
#define T_CREAD      0x0080u
#define T_ISIG       0x0001u
#define T_ICANON     0x0002u
#define T_ECHO       0x0008u
#define T_ECHOE      0x0010u
#define T_ECHOK      0x0020u
#define T_IEXTEN     0x8000u
#define CONSOLE_ROWS 24u
#define CONSOLE_COLS 80u

struct termios_linux {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS_LINUX];
};

struct winsize_linux {
	uint16_t rows, cols, xpixel, ypixel;
};

struct iovec32 {
	uint32_t base, len;
};

/* Write @len user bytes at @ubuf to the console. Bytes written or -EFAULT. */
static long console_write(uint32_t ubuf, uint32_t len)
{
	char chunk[CONSOLE_CHUNK];
	uint32_t done = 0;

	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	while (done < len) {
		uint32_t n = MIN(len - done, CONSOLE_CHUNK);
		if (copy_from_user(chunk, (const void *)(ubuf + done), n) < 0)
			return done ? (long)done : -EFAULT;
		serial_write(chunk, n);
		done += n;
	}
	return (long)done;
}

SYSCALL_DEFINE(write)
{
	if (a1 >= CONSOLE_FDS)
		return -EBADF;
	return console_write(a2, a3);
}

SYSCALL_DEFINE(writev)
{
	struct iovec32 iov;
	long total = 0;

	if (a1 >= CONSOLE_FDS)
		return -EBADF;
	if (a3 > IOV_MAX_LINUX)
		return -EINVAL;
	for (uint32_t i = 0; i < a3; i++) {
		if (copy_from_user(&iov, (const void *)(a2 + i * sizeof(iov)), sizeof(iov)) < 0)
			return total ? total : -EFAULT;
		long n = console_write(iov.base, iov.len);
		if (n < 0)
			return total ? total : n;
		total += n;
	}
	return total;
}

SYSCALL_DEFINE(read)
{
	char chunk[CONSOLE_CHUNK];
	uint32_t got = 0;

	if (a1 >= CONSOLE_FDS)
		return -EBADF;
	if (!user_range_ok(a2, a3))
		return -EFAULT;
	if (a3 == 0)
		return 0;
	for (;;) {
		int c = serial_getc();
		if (c < 0) {
			if (got)
				break;
			if (proc_signal_pending())
				return -EINTR;
			task_sleep(CONSOLE_POLL_MS);
			continue;
		}
		chunk[got++] = c == '\r' ? '\n' : (char)c;
		serial_write(&chunk[got - 1], 1); /* echo */
		if (chunk[got - 1] == '\n' || got == MIN(a3, CONSOLE_CHUNK))
			break;
	}
	return copy_to_user((void *)a2, chunk, got) < 0 ? -EFAULT : (long)got;
}

SYSCALL_DEFINE(ioctl)
{
	if (a1 >= CONSOLE_FDS)
		return -EBADF;
	if (a2 == TCGETS) {
		struct termios_linux t;
		memset(&t, 0, sizeof(t));
		t.c_iflag = T_ICRNL;
		t.c_oflag = T_OPOST | T_ONLCR;
		t.c_cflag = T_B38400 | T_CS8 | T_CREAD;
		t.c_lflag = T_ISIG | T_ICANON | T_ECHO | T_ECHOE | T_ECHOK | T_IEXTEN;
		return copy_to_user((void *)a3, &t, sizeof(t));
	}
	if (a2 == TIOCGWINSZ) {
		struct winsize_linux w = { CONSOLE_ROWS, CONSOLE_COLS, 0, 0 };
		return copy_to_user((void *)a3, &w, sizeof(w));
	}
	return -ENOTTY;
}
