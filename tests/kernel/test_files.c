/*
 * Guest tests of the files layer: the descriptor table (lowest free descriptor, dup2 onto
 * itself and over an open descriptor, close-on-exec at exec and across a fork copy, -EBADF
 * for bad descriptors, -EMFILE at the limit, growth past the first array), pipes (bytes in
 * order, end of file once the writer is gone, -EPIPE once the reader is gone, O_NONBLOCK's
 * -EAGAIN, a blocked reader woken by a write and a blocked writer woken by a read), and the
 * device table (/dev/null by major/minor, -ENXIO for a device with no driver). Each test
 * ends with exactly the free memory and live slab objects it started with (countfree).
 */
#include <stddef.h>

#include "fs/cpio.h"
#include "fs/devices.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "sched/stress.h"
#include "sched/task.h"

#define SMALL_LIMIT      8u   /* a low RLIMIT_NOFILE for the EMFILE test */
#define FAR_FD           100u /* beyond the first slot array: forces the growth */
#define DEV_ARCH_BYTES   1024
#define RDEV_MAJOR_FIELD 9 /* header field index of rdevmajor (cpio.h order) */

/* A file type with nothing but a release counter. */
static int releases;

static void count_release(struct file *f)
{
	(void)f;
	releases++;
}

static const struct file_ops counted_ops = { .release = count_release };

static struct file *counted_file(void)
{
	return file_alloc(&counted_ops, NULL, O_RDONLY, NULL);
}

KTEST(files, lowest_free_fd)
{
	uint64_t free0, objs0, free1, objs1;

	stress_snapshot(&free0, &objs0);
	struct fdtable *fdt = fdtable_create();
	KASSERT(t, fdt != NULL);
	for (int i = 0; i < 4; i++)
		KEXPECT_EQ(t, fd_install(fdt, counted_file(), 0, false), i);
	KEXPECT_EQ(t, fd_close(fdt, 1), 0);
	KEXPECT_EQ(t, fd_close(fdt, 2), 0);
	KEXPECT_EQ(t, fd_install(fdt, counted_file(), 0, false), 1); /* the lowest, not the last */
	KEXPECT_EQ(t, fd_install(fdt, counted_file(), 0, false), 2);
	KEXPECT_EQ(t, fd_install(fdt, counted_file(), 0, false), 4);
	KEXPECT_EQ(t, fd_install(fdt, counted_file(), 10, false), 10); /* F_DUPFD's minimum */
	KEXPECT_EQ(t, fdtable_count(fdt), 6u);
	releases = 0;
	fdtable_destroy(fdt);
	KEXPECT_EQ(t, releases, 6);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(files, dup2_and_bad_descriptors)
{
	uint64_t free0, objs0, free1, objs1;

	stress_snapshot(&free0, &objs0);
	struct fdtable *fdt = fdtable_create();
	KASSERT(t, fdt != NULL);
	struct file *a = counted_file(), *b = counted_file();
	KASSERT(t, a && b);
	KEXPECT_EQ(t, fd_install(fdt, a, 0, false), 0);
	KEXPECT_EQ(t, fd_install(fdt, b, 0, true), 1);
	KEXPECT_EQ(t, fd_dup2(fdt, 0, 0, false), 0); /* onto itself: nothing changes */
	KEXPECT_EQ(t, a->refs, 1u);
	KEXPECT_EQ(t, fd_get_cloexec(fdt, 1), FD_CLOEXEC);
	KEXPECT_EQ(t, fd_dup2(fdt, 1, 1, false), 1);
	KEXPECT_EQ(t, fd_get_cloexec(fdt, 1), FD_CLOEXEC); /* dup2 onto itself keeps the flag */
	releases = 0;
	KEXPECT_EQ(t, fd_dup2(fdt, 0, 1, false), 1); /* over an open fd: b is closed */
	KEXPECT_EQ(t, releases, 1);
	KEXPECT_EQ(t, a->refs, 2u);
	KEXPECT_EQ(t, fd_get_cloexec(fdt, 1), 0);
	KEXPECT_EQ(t, fd_dup2(fdt, 0, (int)FAR_FD, false), (int)FAR_FD); /* grows the array */
	KEXPECT_EQ(t, a->refs, 3u);
	KEXPECT_EQ(t, fd_close(fdt, 5), -EBADF);
	KEXPECT_EQ(t, fd_close(fdt, -1), -EBADF);
	KEXPECT_EQ(t, fd_close(fdt, 1 << 20), -EBADF);
	KEXPECT_EQ(t, fd_dup2(fdt, 7, 3, false), -EBADF);
	KEXPECT_EQ(t, fd_dup2(fdt, 0, (int)FD_NOFILE_DEFAULT, false), -EBADF);
	KEXPECT(t, fd_get(fdt, 7) == NULL);
	KEXPECT_EQ(t, fd_close(fdt, (int)FAR_FD), 0);
	KEXPECT_EQ(t, fd_close(fdt, (int)FAR_FD), -EBADF); /* twice */
	releases = 0;
	fdtable_destroy(fdt);
	KEXPECT_EQ(t, releases, 1); /* a, once its last descriptor went */
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(files, cloexec_at_exec_and_fork_copy)
{
	uint64_t free0, objs0, free1, objs1;

	stress_snapshot(&free0, &objs0);
	struct fdtable *fdt = fdtable_create();
	KASSERT(t, fdt != NULL);
	KEXPECT_EQ(t, fd_install(fdt, counted_file(), 0, false), 0);
	KEXPECT_EQ(t, fd_install(fdt, counted_file(), 0, true), 1);
	KEXPECT_EQ(t, fd_install(fdt, counted_file(), 0, false), 2);
	KEXPECT_EQ(t, fd_set_cloexec(fdt, 2, true), 0);
	KEXPECT_EQ(t, fd_set_cloexec(fdt, 9, true), -EBADF);
	struct fdtable *child = fdtable_dup(fdt); /* fork */
	KASSERT(t, child != NULL);
	KEXPECT_EQ(t, fdtable_count(child), 3u);
	KEXPECT_EQ(t, fd_get_cloexec(child, 1), FD_CLOEXEC);
	releases = 0;
	fdtable_close_on_exec(child); /* the child execs: the files live on in the parent */
	KEXPECT_EQ(t, releases, 0);
	KEXPECT_EQ(t, fdtable_count(child), 1u);
	KEXPECT(t, fd_get(child, 1) == NULL);
	fdtable_close_on_exec(fdt); /* now the parent too: the last references go */
	KEXPECT_EQ(t, releases, 2);
	struct file *f = fd_get(fdt, 0);
	KEXPECT(t, f != NULL);
	KEXPECT_EQ(t, f->refs, 3u); /* parent, child, and ours */
	file_put(f);
	fdtable_destroy(child);
	fdtable_destroy(fdt);
	KEXPECT_EQ(t, releases, 3);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(files, emfile_at_the_limit)
{
	uint64_t free0, objs0, free1, objs1;

	stress_snapshot(&free0, &objs0);
	struct fdtable *fdt = fdtable_create();
	KASSERT(t, fdt != NULL);
	fdt->limit = SMALL_LIMIT;
	for (uint32_t i = 0; i < SMALL_LIMIT; i++)
		KEXPECT_EQ(t, fd_install(fdt, counted_file(), 0, false), (int)i);
	struct file *extra = counted_file();
	KASSERT(t, extra != NULL);
	KEXPECT_EQ(t, fd_install(fdt, extra, 0, false), -EMFILE);
	KEXPECT_EQ(t, fd_find_free(fdt, 0), -EMFILE);
	KEXPECT_EQ(t, fd_install(fdt, extra, SMALL_LIMIT, false), -EINVAL); /* F_DUPFD's EINVAL */
	KEXPECT_EQ(t, fd_close(fdt, 3), 0);
	KEXPECT_EQ(t, fd_install(fdt, extra, 0, false), 3);
	fdtable_destroy(fdt);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(files, console_table_shares_one_file)
{
	uint64_t free0, objs0, free1, objs1;

	stress_snapshot(&free0, &objs0);
	struct fdtable *fdt = fdtable_create_console();
	KASSERT(t, fdt != NULL);
	struct file *f0 = fd_get(fdt, 0), *f2 = fd_get(fdt, 2);
	KASSERT(t, f0 && f2);
	KEXPECT(t, f0 == f2);
	KEXPECT_EQ(t, f0->flags & O_ACCMODE, O_RDWR);
	KEXPECT_EQ(t, file_ioctl(f0, FIONCLEX + 0x100u, 0), -ENOTTY);
	struct strata_stat st;
	KEXPECT_EQ(t, file_fstat(f0, &st), 0);
	KEXPECT(t, S_ISCHR(st.mode) && st.rdev_major == TTYAUX_MAJOR);
	file_put(f0);
	file_put(f2);
	KEXPECT_EQ(t, fdtable_count(fdt), 3u);
	fdtable_destroy(fdt);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

/* ---- pipes ------------------------------------------------------------------------------------
 */

KTEST(pipe, eof_when_the_writer_goes)
{
	uint64_t free0, objs0, free1, objs1;
	struct file *rd, *wr;
	char buf[8];

	stress_snapshot(&free0, &objs0);
	KASSERT_EQ(t, pipe_create(0, &rd, &wr), 0);
	KEXPECT_EQ(t, file_write(wr, "abc", 3), 3);
	KEXPECT_EQ(t, file_write(wr, "de", 2), 2);
	KEXPECT_EQ(t, file_read(wr, buf, 1), -EBADF); /* the write end cannot read */
	KEXPECT_EQ(t, file_write(rd, "x", 1), -EBADF);
	KEXPECT_EQ(t, file_llseek(rd, 0, SEEK_SET), -ESPIPE);
	KEXPECT_EQ(t, file_read(rd, buf, 2), 2);
	KEXPECT(t, memcmp(buf, "ab", 2) == 0);
	file_put(wr);
	KEXPECT_EQ(t, file_read(rd, buf, sizeof(buf)), 3); /* what is left, then EOF */
	KEXPECT(t, memcmp(buf, "cde", 3) == 0);
	KEXPECT_EQ(t, file_read(rd, buf, sizeof(buf)), 0);
	struct strata_stat st;
	KEXPECT_EQ(t, file_fstat(rd, &st), 0);
	KEXPECT(t, S_ISFIFO(st.mode));
	file_put(rd);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(pipe, epipe_when_the_reader_goes)
{
	uint64_t free0, objs0, free1, objs1;
	struct file *rd, *wr;

	stress_snapshot(&free0, &objs0);
	KASSERT_EQ(t, pipe_create(0, &rd, &wr), 0);
	file_put(rd);
	KEXPECT_EQ(t, file_write(wr, "abc", 3), -EPIPE); /* a kernel task gets no SIGPIPE */
	file_put(wr);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(pipe, nonblocking_eagain_and_a_full_ring)
{
	static char big[PIPE_SIZE];
	uint64_t free0, objs0, free1, objs1;
	struct file *rd, *wr;
	char c;

	stress_snapshot(&free0, &objs0);
	KASSERT_EQ(t, pipe_create(O_NONBLOCK, &rd, &wr), 0);
	KEXPECT_EQ(t, file_read(rd, &c, 1), -EAGAIN);
	memset(big, 'z', sizeof(big));
	KEXPECT_EQ(t, file_write(wr, big, 100), 100);
	KEXPECT_EQ(t, file_write(wr, big, PIPE_SIZE), -EAGAIN); /* atomic: all or nothing */
	KEXPECT_EQ(t, file_write(wr, big, PIPE_SIZE - 100), (long)(PIPE_SIZE - 100));
	KEXPECT_EQ(t, file_write(wr, "y", 1), -EAGAIN);
	KEXPECT_EQ(t, file_ioctl(rd, FIONREAD, 0), -EFAULT); /* a kernel task has no user memory */
	KEXPECT_EQ(t, file_read(rd, big, sizeof(big)), (long)PIPE_SIZE);
	file_put(rd);
	file_put(wr);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

struct pipe_peer {
	struct file *f;
	char buf[PIPE_SIZE];
	long result;
};

/* Read up to 16 bytes (blocks until a writer writes). */
static void blocked_reader(void *arg)
{
	struct pipe_peer *p = arg;

	p->result = file_read(p->f, p->buf, 16);
}

/* Write a full ring plus 10 bytes (blocks until a reader makes room). */
static void blocked_writer(void *arg)
{
	struct pipe_peer *p = arg;

	memset(p->buf, 'w', sizeof(p->buf));
	long a = file_write(p->f, p->buf, sizeof(p->buf));
	long b = file_write(p->f, p->buf, 10);
	p->result = a + b;
}

/* Wait (yielding, no sleep) until task @tid is blocked. */
static void wait_blocked(int tid)
{
	struct task *task;

	while ((task = task_lookup(tid)) && task->state != TASK_BLOCKED)
		task_yield();
}

KTEST(pipe, a_blocked_reader_is_woken)
{
	static struct pipe_peer peer;
	uint64_t free0, objs0, free1, objs1;
	struct file *rd, *wr;

	stress_snapshot(&free0, &objs0);
	KASSERT_EQ(t, pipe_create(0, &rd, &wr), 0);
	peer.f = rd;
	peer.result = -1;
	int tid = task_create(blocked_reader, &peer, "pipe-reader");
	KASSERT(t, tid > 0);
	wait_blocked(tid);
	KEXPECT_EQ(t, peer.result, -1); /* still waiting */
	KEXPECT_EQ(t, file_write(wr, "wake", 4), 4);
	KEXPECT_EQ(t, task_wait(tid, NULL), 0);
	KEXPECT_EQ(t, peer.result, 4);
	KEXPECT(t, memcmp(peer.buf, "wake", 4) == 0);
	file_put(rd);
	file_put(wr);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(pipe, a_blocked_writer_is_woken_and_eof_wakes_a_reader)
{
	static struct pipe_peer peer;
	static char sink[PIPE_SIZE];
	uint64_t free0, objs0, free1, objs1;
	struct file *rd, *wr;

	stress_snapshot(&free0, &objs0);
	KASSERT_EQ(t, pipe_create(0, &rd, &wr), 0);
	peer.f = wr;
	peer.result = -1;
	int tid = task_create(blocked_writer, &peer, "pipe-writer");
	KASSERT(t, tid > 0);
	wait_blocked(tid); /* the ring is full, 10 bytes wait */
	KEXPECT_EQ(t, file_read(rd, sink, sizeof(sink)), (long)PIPE_SIZE);
	KEXPECT_EQ(t, task_wait(tid, NULL), 0);
	KEXPECT_EQ(t, peer.result, (long)PIPE_SIZE + 10);
	KEXPECT_EQ(t, file_read(rd, sink, sizeof(sink)), 10);

	/* A reader blocked on an empty pipe is woken by the last writer going: EOF. */
	peer.f = rd;
	peer.result = -1;
	tid = task_create(blocked_reader, &peer, "pipe-reader");
	KASSERT(t, tid > 0);
	wait_blocked(tid);
	file_put(wr);
	KEXPECT_EQ(t, task_wait(tid, NULL), 0);
	KEXPECT_EQ(t, peer.result, 0);
	file_put(rd);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

/* ---- devices by major/minor -------------------------------------------------------------------
 */

static uint8_t dev_arch[DEV_ARCH_BYTES];

/* Append a character device node @name with @major/@minor (8 hex digits each) at @off. */
static size_t add_chr(size_t off, const char *name, const char *major, const char *minor)
{
	size_t hdr = off;

	off = cpio_append(dev_arch, sizeof(dev_arch), off, name, S_IFCHR | 0666, NULL, 0);
	if (off) {
		memcpy(dev_arch + hdr + CPIO_MAGIC_LEN + RDEV_MAJOR_FIELD * CPIO_FIELD_DIGITS,
		       major, CPIO_FIELD_DIGITS);
		memcpy(dev_arch + hdr + CPIO_MAGIC_LEN + (RDEV_MAJOR_FIELD + 1) * CPIO_FIELD_DIGITS,
		       minor, CPIO_FIELD_DIGITS);
	}
	return off;
}

KTEST(files, devices_by_major_minor)
{
	char err[RAMFS_ERR_MAX], buf[4] = { 'k', 'e', 'e', 'p' };
	struct ramfs fs;
	int e = 0;

	size_t off = cpio_append(dev_arch, sizeof(dev_arch), 0, ".", S_IFDIR | 0755, NULL, 0);
	off = off ? add_chr(off, "null", "00000001", "00000003") : 0;
	off = off ? add_chr(off, "ttyS0", "00000004", "00000040") : 0;
	off = off ? cpio_append(dev_arch, sizeof(dev_arch), off, CPIO_TRAILER, 0, NULL, 0) : 0;
	KASSERT(t, off != 0);
	KASSERT_EQ(t, ramfs_init(&fs), 0);
	KASSERT_EQ(t, ramfs_unpack(&fs, dev_arch, off, err, sizeof(err)), 0);
	struct file *f = file_open_in(&fs, "/null", O_RDWR, &e);
	KASSERT(t, f != NULL);
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 0);
	KEXPECT(t, memcmp(buf, "keep", 4) == 0);
	KEXPECT_EQ(t, file_write(f, "gone", 4), 4);
	KEXPECT_EQ(t, file_ioctl(f, TCGETS, 0), -ENOTTY);
	struct strata_stat st;
	KEXPECT_EQ(t, file_fstat(f, &st), 0);
	KEXPECT(t, S_ISCHR(st.mode) && st.rdev_major == MEM_MAJOR && st.rdev_minor == NULL_MINOR);
	file_put(f);
	KEXPECT(t, !file_open_in(&fs, "/ttyS0", O_RDWR, &e) && e == -ENXIO); /* no driver */
	ramfs_destroy(&fs);
}
