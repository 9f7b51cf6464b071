/*
 * sys_file: the descriptor-level file system calls of the Linux i386 ABI over the files layer —
 * descriptors (include/fs/fdtable.h), open files (include/fs/file.h), pipes (include/fs/pipe.h),
 * the console and /dev/null (include/fs/devices.h) and the root file system's tree.
 *
 * Every call keeps Linux 6.1's order of checks, so the same bad call fails the same way:
 * the descriptor (-EBADF), then the flags (-EINVAL), then user memory (-EFAULT), then the
 * file's own errors. User memory is reached only through the copy helpers. Where Linux
 * checks a whole buffer before it moves a byte (read, write, readv/writev segments, stat
 * buffers, termios, pipe's fd pair) so do these; where it writes only the bytes it produces
 * (getdents64 record by record, readlink, getcwd) so do these: an output that fits below a
 * bad page is written exactly as into a good buffer.
 *
 * Paths: a user path is copied into a PATH_MAX kernel buffer (-ENAMETOOLONG when it does not
 * fit, -ENOENT when empty unless the call takes AT_EMPTY_PATH); relative paths resolve from
 * the process's working directory, or for the *at calls from the directory open on dirfd
 * (AT_FDCWD: the working directory); an absolute path ignores dirfd.
 *
 * The stat family and the path and directory calls are in kernel/sys_path.c; both share
 * kernel/sys_file_internal.h.
 *
 * Sizes: ftruncate changes only memfds (include/fs/memfd.h); the root's regular files are
 * never open for writing. memfd_create itself is in kernel/sys_memfd.c.
 *
 * Not here yet: creating, writing or removing files (the root is read-only: -EROFS), poll
 * and select, getdents (141: -ENOSYS, glibc uses getdents64), preadv/pwritev, /proc.
 */
#include "fs/devices.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/memfd.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "kernel/syscall.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "sched/proc.h"

#include "sys_file_internal.h"

/* ---- common helpers ------------------------------------------------------------------------ */

/* The current process's file of @fd with a reference (file_put it), or NULL. */
struct file *fget(int fd)
{
	struct fdtable *t = fdtable_current();

	return t ? fd_get(t, fd) : NULL;
}

bool can_read(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

bool can_write(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

/*
 * Copy the user path @upath into a new PATH_MAX buffer *@out (kfree it). @empty_ok: an empty
 * path is allowed (AT_EMPTY_PATH). 0, -EFAULT, -ENAMETOOLONG, -ENOENT (empty), -ENOMEM.
 */
int path_get(uint32_t upath, char **out, bool empty_ok)
{
	char *buf = kmalloc(PATH_MAX, KM_NORMAL);
	long n;

	if (!buf)
		return -ENOMEM;
	n = strncpy_from_user(buf, (const char *)upath, PATH_MAX);
	if (n < 0 || n >= PATH_MAX || (n == 0 && !empty_ok)) {
		kfree(buf);
		return n < 0 ? (int)n : n == 0 ? -ENOENT : -ENAMETOOLONG;
	}
	*out = buf;
	return 0;
}

/*
 * The directory @path starts from in an *at call: NULL (the root) for an absolute path, the
 * working directory for AT_FDCWD, else the directory open on @dirfd. 0, -EBADF, -ENOTDIR.
 */
int at_start(int dirfd, const char *path, struct ramfs_inode **start)
{
	struct file *f;
	int rc = 0;

	*start = NULL;
	if (path[0] == '/')
		return 0;
	if (dirfd == AT_FDCWD) {
		*start = fd_cwd_current();
		return 0;
	}
	f = fget(dirfd);
	if (!f)
		return -EBADF;
	if (f->inode && S_ISDIR(f->inode->mode))
		*start = f->inode;
	else
		rc = -ENOTDIR;
	file_put(f);
	return rc;
}

/*
 * Resolve the user path @upath of an *at call into *@ino. @flags: AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH (an empty path names dirfd itself; *@f then holds its file, else NULL:
 * file_put it). 0 or -errno.
 */
int lookup_at(int dirfd, uint32_t upath, int flags, struct ramfs_inode **ino, struct file **f)
{
	struct ramfs_inode *start;
	char *path;
	int rc = path_get(upath, &path, flags & AT_EMPTY_PATH);

	*f = NULL;
	if (rc < 0)
		return rc;
	if (path[0] == '\0') { /* AT_EMPTY_PATH: dirfd itself */
		kfree(path);
		if (dirfd == AT_FDCWD) {
			*ino = fd_cwd_current();
			if (!*ino)
				*ino = fs_root() ? fs_root()->root : NULL;
			return *ino ? 0 : -ENOENT;
		}
		*f = fget(dirfd);
		if (!*f)
			return -EBADF;
		*ino = (*f)->inode;
		return 0;
	}
	rc = at_start(dirfd, path, &start);
	if (rc == 0)
		rc = ramfs_lookup_at(fs_root(), start, path,
		                     (flags & AT_SYMLINK_NOFOLLOW) ? RAMFS_NOFOLLOW : 0, ino);
	if (rc == -EINVAL) /* no root file system */
		rc = -ENOENT;
	kfree(path);
	return rc;
}

/* ---- read and write ------------------------------------------------------------------------ */

/*
 * Copy the user iovec array (@cnt entries at @uiov) into *@segs (kfree it), checking each
 * segment as Linux's import_iovec: a negative length is -EINVAL, a segment outside user space
 * -EFAULT; the total is capped at MAX_RW_COUNT. 0 or -errno.
 */
static int iov_import(uint32_t uiov, uint32_t cnt, struct io_seg **segs)
{
	struct iovec32 {
		uint32_t base, len;
	} * v;
	size_t total = 0;

	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	v = kmalloc(MAX(cnt, 1u) * sizeof(*v), KM_NORMAL);
	*segs = kmalloc(MAX(cnt, 1u) * sizeof(**segs), KM_NORMAL);
	if (!v || !*segs) {
		kfree(v);
		kfree(*segs);
		*segs = NULL; /* the caller frees *segs whatever the result */
		return -ENOMEM;
	}
	int rc = copy_from_user(v, (const void *)uiov, cnt * sizeof(*v));
	for (uint32_t i = 0; rc == 0 && i < cnt; i++)
		if ((int32_t)v[i].len < 0)
			rc = -EINVAL;
	for (uint32_t i = 0; rc == 0 && i < cnt; i++) {
		size_t len = MIN((size_t)v[i].len, MAX_RW_COUNT - total);
		if (!user_range_ok(v[i].base, len))
			rc = -EFAULT;
		(*segs)[i] = (struct io_seg){ v[i].base, len };
		total += len;
	}
	kfree(v);
	if (rc < 0) {
		kfree(*segs);
		*segs = NULL;
	}
	return rc;
}

/* read/write of @len bytes at the user @ubuf on @fd. */
static long rw_user(int fd, uint32_t ubuf, uint32_t len, bool write)
{
	struct file *f = fget(fd);
	struct io_seg seg = { ubuf, MIN(len, MAX_RW_COUNT) };
	struct iov_iter it;
	long rc;

	if (!f)
		return -EBADF;
	if (!(write ? can_write(f) : can_read(f)))
		rc = -EBADF;
	else if (!user_range_ok(ubuf, len))
		rc = -EFAULT;
	else {
		iter_init(&it, true, &seg, 1);
		rc = write ? file_write_iter(f, &it) : file_read_iter(f, &it);
	}
	file_put(f);
	return rc;
}

SYSCALL_DEFINE(read)
{
	return rw_user((int)a1, a2, a3, false);
}

SYSCALL_DEFINE(write)
{
	return rw_user((int)a1, a2, a3, true);
}

/*
 * pread64/pwrite64 of @len bytes at the user @ubuf on @fd at offset @pos; the file's position
 * does not move. Linux's order: -EINVAL (negative @pos), -EBADF, -ESPIPE (a file that cannot
 * seek: pipes, the console), then as read/write, -EINVAL (@pos + @len past 2^63). The file type's
 * operation runs on a copy of the open file whose position is @pos, so the position the
 * sharers of the file see is never touched, even while the call sleeps (Linux passes the
 * position beside the file, in a kiocb; file_ops here take it from the file).
 */
static long prw_user(int fd, uint32_t ubuf, uint32_t len, int64_t pos, bool write)
{
	struct file *f, at;
	struct io_seg seg = { ubuf, MIN(len, MAX_RW_COUNT) };
	struct iov_iter it;
	long rc;

	if (pos < 0)
		return -EINVAL;
	f = fget(fd);
	if (!f)
		return -EBADF;
	if (!f->ops->llseek)
		rc = -ESPIPE;
	else if (!(write ? can_write(f) : can_read(f)))
		rc = -EBADF;
	else if (!user_range_ok(ubuf, len))
		rc = -EFAULT;
	else if (pos > INT64_MAX - (int64_t)seg.len)
		rc = -EINVAL;
	else {
		at = *f;
		at.pos = pos;
		iter_init(&it, true, &seg, 1);
		rc = write ? file_write_iter(&at, &it) : file_read_iter(&at, &it);
	}
	file_put(f);
	return rc;
}

/* pread64(fd, buf, count, pos_low, pos_high) */
SYSCALL_DEFINE(pread64)
{
	return prw_user((int)a1, a2, a3, (int64_t)(((uint64_t)a5 << 32) | a4), false);
}

/* pwrite64(fd, buf, count, pos_low, pos_high); with O_APPEND it appends, as Linux's. */
SYSCALL_DEFINE(pwrite64)
{
	return prw_user((int)a1, a2, a3, (int64_t)(((uint64_t)a5 << 32) | a4), true);
}

/* readv/writev of @cnt iovecs at @uiov on @fd. */
static long rwv_user(int fd, uint32_t uiov, uint32_t cnt, bool write)
{
	struct file *f = fget(fd);
	struct io_seg *segs = NULL;
	struct iov_iter it;
	long rc;

	if (!f)
		return -EBADF;
	if (!(write ? can_write(f) : can_read(f)))
		rc = -EBADF;
	else if ((rc = iov_import(uiov, cnt, &segs)) == 0) {
		iter_init(&it, true, segs, cnt);
		if (it.count == 0)
			rc = 0;
		else
			rc = write ? file_write_iter(f, &it) : file_read_iter(f, &it);
	}
	kfree(segs);
	file_put(f);
	return rc;
}

SYSCALL_DEFINE(readv)
{
	return rwv_user((int)a1, a2, a3, false);
}

SYSCALL_DEFINE(writev)
{
	return rwv_user((int)a1, a2, a3, true);
}

/*
 * sendfile: copy up to @count bytes from @in_fd to @out_fd through a kernel buffer. @ppos
 * NULL: from in_fd's position (advanced); else from *@ppos (updated), in_fd's position
 * untouched. Bytes copied, or -errno (-EBADF, -ESPIPE, -EINVAL for an O_APPEND output or an
 * input that is not a regular file — Linux 6.1 splices only from files: a terminal, pipe or
 * /dev/null input is EINVAL and the caller falls back to read and write —, -ENOMEM, the
 * read's or write's error).
 */
static long do_sendfile(int out_fd, int in_fd, int64_t *ppos, uint32_t count)
{
	struct file *in = fget(in_fd), *out = NULL;
	int64_t saved = 0;
	uint8_t *buf = NULL;
	long rc, done = 0;

	count = MIN(count, MAX_RW_COUNT);
	rc = -EBADF;
	if (!in || !can_read(in))
		goto out;
	rc = -EINVAL;
	if (ppos && *ppos < 0)
		goto out;
	rc = -ESPIPE;
	if (ppos && !in->ops->llseek)
		goto out;
	out = fget(out_fd);
	rc = -EBADF;
	if (!out || !can_write(out))
		goto out;
	rc = -EINVAL;
	if ((out->flags & O_APPEND) || !in->inode || !S_ISREG(in->inode->mode))
		goto out;
	rc = -ENOMEM;
	buf = kmalloc(IO_BOUNCE, KM_NORMAL);
	if (!buf)
		goto out;
	if (ppos) {
		saved = in->pos;
		in->pos = *ppos;
	}
	rc = 0;
	while ((uint32_t)done < count) {
		long r = file_read(in, buf, MIN(count - (uint32_t)done, IO_BOUNCE));
		if (r <= 0) {
			rc = r;
			break;
		}
		long w = file_write(out, buf, (size_t)r);
		if (w > 0)
			done += w;
		if (w < r) { /* give back what was read and not written */
			if (in->ops->llseek)
				in->pos -= r - (w > 0 ? w : 0);
			rc = w < 0 ? w : 0;
			break;
		}
	}
	if (ppos) {
		*ppos = in->pos;
		in->pos = saved;
	}
	if (done > 0)
		rc = done;
out:
	kfree(buf);
	file_put(in);
	file_put(out);
	return rc;
}

/* sendfile64(out_fd, in_fd, loff_t *offset, count) */
SYSCALL_DEFINE(sendfile64)
{
	int64_t pos = 0;
	long rc;

	if (a3 && copy_from_user(&pos, (const void *)a3, sizeof(pos)) < 0)
		return -EFAULT;
	rc = do_sendfile((int)a1, (int)a2, a3 ? &pos : NULL, a4);
	if (rc >= 0 && a3 && copy_to_user((void *)a3, &pos, sizeof(pos)) < 0)
		rc = -EFAULT;
	return rc;
}

/* sendfile(out_fd, in_fd, off_t *offset, count): a 32-bit offset (-EOVERFLOW past it). */
SYSCALL_DEFINE(sendfile)
{
	int32_t off32 = 0;
	int64_t pos;
	long rc;

	if (a3 && copy_from_user(&off32, (const void *)a3, sizeof(off32)) < 0)
		return -EFAULT;
	pos = off32;
	rc = do_sendfile((int)a1, (int)a2, a3 ? &pos : NULL, a4);
	if (rc >= 0 && a3) {
		if (pos > INT32_MAX)
			return -EOVERFLOW;
		off32 = (int32_t)pos;
		if (copy_to_user((void *)a3, &off32, sizeof(off32)) < 0)
			rc = -EFAULT;
	}
	return rc;
}

/* ---- seeking --------------------------------------------------------------------------------- */

/* lseek(fd, off_t offset, whence): the new position, -EOVERFLOW past 2^31 - 1. */
SYSCALL_DEFINE(lseek)
{
	struct file *f = fget((int)a1);
	int64_t pos;

	if (!f)
		return -EBADF;
	pos = a3 > SEEK_MAX_LINX ? -EINVAL : file_llseek(f, (int32_t)a2, (int)a3);
	file_put(f);
	if (pos > INT32_MAX)
		return -EOVERFLOW;
	return (long)pos;
}

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence) */
SYSCALL_DEFINE(_llseek)
{
	struct file *f = fget((int)a1);
	int64_t pos;

	if (!f)
		return -EBADF;
	pos = a5 > SEEK_MAX_LINX ? -EINVAL
	                         : file_llseek(f, (int64_t)(((uint64_t)a2 << 32) | a3), (int)a5);
	file_put(f);
	if (pos < 0)
		return (long)pos;
	return copy_to_user((void *)a4, &pos, sizeof(pos));
}

/* ---- sizes ----------------------------------------------------------------------------------- */

/*
 * ftruncate of @fd to @len bytes, in Linux's order: -EINVAL (negative @len), -EBADF, -EINVAL
 * (not a regular file, or not open for writing), then the file's own (memfd_truncate: -EFBIG,
 * -EPERM for a seal, -ENOMEM).
 */
static long do_ftruncate(int fd, int64_t len)
{
	struct file *f;
	long rc;

	if (len < 0)
		return -EINVAL;
	f = fget(fd);
	if (!f)
		return -EBADF;
	if (!memfd_is(f) || !can_write(f))
		rc = -EINVAL; /* the root's regular files are never open for writing */
	else
		rc = memfd_truncate(f, (uint64_t)len);
	file_put(f);
	return rc;
}

/* ftruncate(fd, off_t length): a signed 32-bit length. */
SYSCALL_DEFINE(ftruncate)
{
	return do_ftruncate((int)a1, (int32_t)a2);
}

/* ftruncate64(fd, length_low, length_high) */
SYSCALL_DEFINE(ftruncate64)
{
	return do_ftruncate((int)a1, (int64_t)(((uint64_t)a3 << 32) | a2));
}

/* ---- open, close, dup, fcntl ------------------------------------------------------------------
 */

/* openat with a kernel-checked dirfd and the user path @upath. The new fd or -errno. */
static long do_openat(int dirfd, uint32_t upath, int flags)
{
	struct fdtable *t = fdtable_current();
	struct ramfs_inode *start;
	struct file *f;
	char *path;
	int rc, err = 0;

	if (!t)
		return -ENOMEM;
	rc = path_get(upath, &path, false);
	if (rc < 0)
		return rc;
	rc = fd_find_free(t, 0);
	if (rc >= 0)
		rc = at_start(dirfd, path, &start);
	if (rc >= 0) {
		f = file_open_at(start, path, flags, &err);
		rc = f ? fd_install(t, f, 0, flags & O_CLOEXEC) : err;
		if (f && rc < 0)
			file_put(f);
	}
	kfree(path);
	return rc;
}

/* open(path, flags, mode): mode is unused (nothing can be created). */
SYSCALL_DEFINE(open)
{
	return do_openat(AT_FDCWD, a1, (int)a2);
}

SYSCALL_DEFINE(openat)
{
	return do_openat((int)a1, a2, (int)a3);
}

SYSCALL_DEFINE(close)
{
	struct fdtable *t = fdtable_current();

	return t ? fd_close(t, (int)a1) : -EBADF;
}

/* The lowest free fd at or above @minfd for a copy of @fd. */
static long dup_from(int fd, uint32_t minfd, bool cloexec)
{
	struct fdtable *t = fdtable_current();
	struct file *f = t ? fd_get(t, fd) : NULL;
	int rc;

	if (!f)
		return -EBADF;
	rc = fd_install(t, f, minfd, cloexec);
	if (rc < 0)
		file_put(f);
	return rc;
}

SYSCALL_DEFINE(dup)
{
	long rc = dup_from((int)a1, 0, false);

	return rc == -EINVAL ? -EMFILE : rc;
}

SYSCALL_DEFINE(dup2)
{
	struct fdtable *t = fdtable_current();

	return t ? fd_dup2(t, (int)a1, (int)a2, false) : -EBADF;
}

/* dup3(old, new, flags): flags only O_CLOEXEC; old == new is -EINVAL. */
SYSCALL_DEFINE(dup3)
{
	struct fdtable *t = fdtable_current();

	if (a3 & ~(uint32_t)O_CLOEXEC)
		return -EINVAL;
	if (a1 == a2)
		return -EINVAL;
	return t ? fd_dup2(t, (int)a1, (int)a2, a3 & O_CLOEXEC) : -EBADF;
}

/* fcntl(fd, cmd, arg) and fcntl64: the descriptor and status-flag commands. */
static long do_fcntl(int fd, uint32_t cmd, uint32_t arg)
{
	struct fdtable *t = fdtable_current();
	struct file *f = t ? fd_get(t, fd) : NULL;
	long rc;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		file_put(f);
		return dup_from(fd, arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		rc = fd_get_cloexec(t, fd);
		break;
	case F_SETFD:
		rc = fd_set_cloexec(t, fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		rc = f->flags;
		break;
	case F_SETFL:
		f->flags = (f->flags & ~F_SETFL_MASK) | ((int)arg & F_SETFL_MASK);
		rc = 0;
		break;
	case F_ADD_SEALS:
	case F_GET_SEALS:
		rc = memfd_fcntl(f, cmd, arg);
		break;
	case F_GETOWN:
	case F_SETOWN:
		rc = 0; /* no signal-driven I/O: nobody owns a file */
		break;
	default:
		rc = -EINVAL;
	}
	file_put(f);
	return rc;
}

SYSCALL_DEFINE(fcntl)
{
	return do_fcntl((int)a1, a2, a3);
}

SYSCALL_DEFINE(fcntl64)
{
	return do_fcntl((int)a1, a2, a3);
}

/* ioctl(fd, cmd, arg): the descriptor-level commands, then the file type's (-ENOTTY). */
SYSCALL_DEFINE(ioctl)
{
	struct fdtable *t = fdtable_current();
	struct file *f = t ? fd_get(t, (int)a1) : NULL;
	uint32_t on;
	long rc;

	if (!f)
		return -EBADF;
	switch (a2) {
	case FIOCLEX:
	case FIONCLEX:
		rc = fd_set_cloexec(t, (int)a1, a2 == FIOCLEX);
		break;
	case FIONBIO:
		rc = get_user_u32(&on, (const void *)a3);
		if (rc == 0)
			f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		break;
	default:
		rc = file_ioctl(f, a2, a3);
	}
	file_put(f);
	return rc;
}

/* ---- pipes ------------------------------------------------------------------------------------
 */

/* pipe2(int fds[2], flags) */
static long do_pipe2(uint32_t ufds, uint32_t flags)
{
	struct fdtable *t = fdtable_current();
	struct file *rd, *wr;
	int fds[2];
	bool cloexec = flags & O_CLOEXEC;

	if (flags & ~(uint32_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (!t)
		return -ENOMEM;
	int rc = pipe_create((int)flags, &rd, &wr);
	if (rc < 0)
		return rc;
	fds[0] = fd_install(t, rd, 0, cloexec);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0] == -EINVAL ? -EMFILE : fds[0];
	}
	fds[1] = fd_install(t, wr, 0, cloexec);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		file_put(wr);
		return fds[1] == -EINVAL ? -EMFILE : fds[1];
	}
	if (copy_to_user((void *)ufds, fds, sizeof(fds)) < 0) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(pipe)
{
	return do_pipe2(a1, 0);
}

SYSCALL_DEFINE(pipe2)
{
	return do_pipe2(a1, a2);
}
