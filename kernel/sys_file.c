/*
 * sys_file: the file system calls of the Linux i386 ABI over the files layer — descriptors
 * (include/fs/fdtable.h), open files (include/fs/file.h), pipes (include/fs/pipe.h), the
 * console and /dev/null (include/fs/devices.h) and the root file system's tree.
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
 * Not here yet: creating, writing or removing files (the root is read-only: -EROFS), poll
 * and select, getdents (141: -ENOSYS, glibc uses getdents64), /proc.
 */
#include "fs/devices.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "kernel/syscall.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "sched/proc.h"

/* Linux i386 numbers of the calls defined here (syscall_32.tbl) not in kernel/syscall.h. */
#define __NR_open       5
#define __NR_close      6
#define __NR_chdir      12
#define __NR_lseek      19
#define __NR_access     33
#define __NR_dup        41
#define __NR_pipe       42
#define __NR_fcntl      55
#define __NR_umask      60
#define __NR_dup2       63
#define __NR_readlink   85
#define __NR_fchdir     133
#define __NR__llseek    140
#define __NR_readv      145
#define __NR_getcwd     183
#define __NR_sendfile   187
#define __NR_stat64     195
#define __NR_lstat64    196
#define __NR_fstat64    197
#define __NR_getdents64 220
#define __NR_fcntl64    221
#define __NR_sendfile64 239
#define __NR_openat     295
#define __NR_fstatat64  300
#define __NR_readlinkat 305
#define __NR_faccessat  307
#define __NR_dup3       330
#define __NR_pipe2      331
#define __NR_statx      383

#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_NO_AUTOMOUNT     0x800
#define AT_EMPTY_PATH       0x1000
#define AT_STATX_SYNC_TYPE  0x6000
#define STATX_BASIC_STATS   0x7FFu
#define STATX__RESERVED     0x80000000u

#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_SETOWN        8
#define F_GETOWN        9
#define F_DUPFD_CLOEXEC 1030
#define F_SETFL_MASK    (O_APPEND | O_NONBLOCK) /* the status flags F_SETFL changes */

#define R_OK       4 /* access(2) modes */
#define W_OK       2
#define X_OK       1
#define ACCESS_ALL (R_OK | W_OK | X_OK)
#define S_IXUGO    0111u

#define MAX_RW_COUNT  0x7FFFF000u /* INT_MAX rounded down to a page: Linux's cap per call */
#define UIO_MAXIOV    1024u
#define IO_BOUNCE     4096u /* bytes of the kernel buffer of getdents64 and sendfile */
#define SEEK_MAX_LINX 4     /* SEEK_HOLE: whence values above are -EINVAL */
#define UMASK_BITS    0777u
#define DEV_MINOR_LOW 0xFFu /* new_encode_dev: minor's low byte, major, minor's high bits */

/* ---- common helpers ------------------------------------------------------------------------ */

/* The current process's file of @fd with a reference (file_put it), or NULL. */
static struct file *fget(int fd)
{
	struct fdtable *t = fdtable_current();

	return t ? fd_get(t, fd) : NULL;
}

static bool can_read(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool can_write(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

/*
 * Copy the user path @upath into a new PATH_MAX buffer *@out (kfree it). @empty_ok: an empty
 * path is allowed (AT_EMPTY_PATH). 0, -EFAULT, -ENAMETOOLONG, -ENOENT (empty), -ENOMEM.
 */
static int path_get(uint32_t upath, char **out, bool empty_ok)
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
static int at_start(int dirfd, const char *path, struct ramfs_inode **start)
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
static int lookup_at(int dirfd, uint32_t upath, int flags, struct ramfs_inode **ino,
                     struct file **f)
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
 * input that is not a file or device, -ENOMEM, the read's or write's error).
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
	if ((out->flags & O_APPEND) || !in->inode || S_ISDIR(in->inode->mode))
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

/* ---- the stat family --------------------------------------------------------------------------
 */

/* Linux i386's struct stat64 (96 bytes, 4-byte aligned 64-bit fields). */
struct stat64_linux {
	uint64_t st_dev;
	uint32_t pad0;
	uint32_t st_ino32;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint32_t pad3;
	int64_t st_size;
	uint32_t st_blksize;
	uint64_t st_blocks;
	uint32_t st_atime, st_atime_nsec;
	uint32_t st_mtime, st_mtime_nsec;
	uint32_t st_ctime, st_ctime_nsec;
	uint64_t st_ino;
} __attribute__((packed));
_Static_assert(sizeof(struct stat64_linux) == 96, "struct stat64 is 96 bytes on i386");

struct statx_timestamp_linux {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

/* Linux's struct statx (256 bytes). */
struct statx_linux {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp_linux stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align, stx_dio_offset_align;
	uint64_t spare3[12];
};
_Static_assert(sizeof(struct statx_linux) == 256, "struct statx is 256 bytes");

/* Linux's new_encode_dev. */
static uint64_t encode_dev(uint32_t major, uint32_t minor)
{
	return (minor & DEV_MINOR_LOW) | (major << 8) | ((minor & ~DEV_MINOR_LOW) << 12);
}

/* Copy @st out as a struct stat64 to @ubuf. 0 or -EFAULT. */
static long put_stat64(uint32_t ubuf, const struct strata_stat *st)
{
	struct stat64_linux s;

	memset(&s, 0, sizeof(s));
	s.st_dev = encode_dev(st->dev_major, st->dev_minor);
	s.st_ino32 = (uint32_t)st->ino;
	s.st_ino = st->ino;
	s.st_mode = st->mode;
	s.st_nlink = st->nlink;
	s.st_uid = st->uid;
	s.st_gid = st->gid;
	s.st_rdev = encode_dev(st->rdev_major, st->rdev_minor);
	s.st_size = (int64_t)st->size;
	s.st_blksize = st->blksize;
	s.st_blocks = st->blocks;
	s.st_atime = (uint32_t)st->atime;
	s.st_mtime = (uint32_t)st->mtime;
	s.st_ctime = (uint32_t)st->ctime;
	return copy_to_user((void *)ubuf, &s, sizeof(s));
}

/* stat an inode, or @f's own attributes when it has none. */
static int stat_of(struct ramfs_inode *ino, struct file *f, struct strata_stat *st)
{
	return f && !ino ? file_fstat(f, st) : file_stat(ino, st);
}

/* fstatat64(dirfd, path, buf, flags) with its flag check. */
static long do_fstatat64(int dirfd, uint32_t upath, uint32_t ubuf, uint32_t flags)
{
	struct strata_stat st;
	struct ramfs_inode *ino = NULL;
	struct file *f;
	long rc;

	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	rc = lookup_at(dirfd, upath, (int)flags, &ino, &f);
	if (rc == 0)
		rc = stat_of(ino, f, &st);
	file_put(f);
	return rc < 0 ? rc : put_stat64(ubuf, &st);
}

SYSCALL_DEFINE(stat64)
{
	return do_fstatat64(AT_FDCWD, a1, a2, 0);
}

SYSCALL_DEFINE(lstat64)
{
	return do_fstatat64(AT_FDCWD, a1, a2, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE(fstatat64)
{
	return do_fstatat64((int)a1, a2, a3, a4);
}

SYSCALL_DEFINE(fstat64)
{
	struct strata_stat st;
	struct file *f = fget((int)a1);
	long rc;

	if (!f)
		return -EBADF;
	rc = file_fstat(f, &st);
	file_put(f);
	return rc < 0 ? rc : put_stat64(a2, &st);
}

/* statx(dirfd, path, flags, mask, buf): every basic field, whatever the mask asks. */
SYSCALL_DEFINE(statx)
{
	struct strata_stat st;
	struct statx_linux sx;
	struct ramfs_inode *ino = NULL;
	struct file *f;
	long rc;

	if (a4 & STATX__RESERVED)
		return -EINVAL;
	if ((a3 & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (a3 &
	    ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	rc = lookup_at((int)a1, a2, (int)a3, &ino, &f);
	if (rc == 0)
		rc = stat_of(ino, f, &st);
	file_put(f);
	if (rc < 0)
		return rc;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = st.blksize;
	sx.stx_nlink = st.nlink;
	sx.stx_uid = st.uid;
	sx.stx_gid = st.gid;
	sx.stx_mode = (uint16_t)st.mode;
	sx.stx_ino = st.ino;
	sx.stx_size = st.size;
	sx.stx_blocks = st.blocks;
	sx.stx_atime.tv_sec = st.atime;
	sx.stx_mtime.tv_sec = st.mtime;
	sx.stx_ctime.tv_sec = st.ctime;
	sx.stx_rdev_major = st.rdev_major;
	sx.stx_rdev_minor = st.rdev_minor;
	sx.stx_dev_major = st.dev_major;
	sx.stx_dev_minor = st.dev_minor;
	return copy_to_user((void *)a5, &sx, sizeof(sx));
}

/* ---- directories ------------------------------------------------------------------------------
 */

/*
 * getdents64(fd, dirp, count): records are made in a kernel buffer and copied out one by one,
 * each checked on its own (Linux's filldir64): when a record cannot be written the call
 * returns the records before it (-EFAULT when there are none) and the directory position
 * stays at that record, so the next call starts with it.
 */
SYSCALL_DEFINE(getdents64)
{
	struct file *f = fget((int)a1);
	uint8_t *buf;
	uint32_t done = 0;
	long rc = 0;

	if (!f)
		return -EBADF;
	buf = kmalloc(IO_BOUNCE, KM_NORMAL);
	if (!buf) {
		file_put(f);
		return -ENOMEM;
	}
	while (done < a3) {
		int64_t pos = f->pos;
		long n = file_getdents64(f, buf, MIN(a3 - done, IO_BOUNCE));
		if (n <= 0) {
			rc = n;
			break;
		}
		bool fault = false;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			if (copy_to_user((void *)(a2 + done), d, d->d_reclen) < 0) {
				file_llseek(f, pos, SEEK_SET);
				fault = true;
				break;
			}
			pos = d->d_off;
			off += d->d_reclen;
			done += d->d_reclen;
		}
		if (fault) {
			rc = -EFAULT;
			break;
		}
	}
	kfree(buf);
	file_put(f);
	return done ? (long)done : rc;
}

/* readlinkat(dirfd, path, buf, bufsiz): the target, not terminated, cut to bufsiz. */
static long do_readlinkat(int dirfd, uint32_t upath, uint32_t ubuf, int32_t size)
{
	struct ramfs_inode *ino;
	struct file *f;
	long rc;

	if (size <= 0)
		return -EINVAL;
	rc = lookup_at(dirfd, upath, AT_SYMLINK_NOFOLLOW, &ino, &f);
	file_put(f);
	if (rc < 0)
		return rc;
	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	uint32_t n = MIN(ino->size, (uint32_t)size);
	return copy_to_user((void *)ubuf, ino->target, n) < 0 ? -EFAULT : (long)n;
}

SYSCALL_DEFINE(readlink)
{
	return do_readlinkat(AT_FDCWD, a1, a2, (int32_t)a3);
}

SYSCALL_DEFINE(readlinkat)
{
	return do_readlinkat((int)a1, a2, a3, (int32_t)a4);
}

/* faccessat(dirfd, path, mode): we are root: -EACCES only for X_OK on a file with no x bit;
 * -EROFS for W_OK on the read-only tree (not on devices). */
static long do_faccessat(int dirfd, uint32_t upath, uint32_t mode)
{
	struct ramfs_inode *ino;
	struct file *f;
	long rc;

	if (mode & ~(uint32_t)ACCESS_ALL)
		return -EINVAL;
	rc = lookup_at(dirfd, upath, 0, &ino, &f);
	file_put(f);
	if (rc < 0)
		return rc;
	if ((mode & X_OK) && !S_ISDIR(ino->mode) && !(ino->mode & S_IXUGO))
		return -EACCES;
	if ((mode & W_OK) && (S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISLNK(ino->mode)))
		return -EROFS;
	return 0;
}

SYSCALL_DEFINE(access)
{
	return do_faccessat(AT_FDCWD, a1, a2);
}

SYSCALL_DEFINE(faccessat)
{
	return do_faccessat((int)a1, a2, a3);
}

/*
 * Write the absolute path of the directory @dir into @buf (PATH_MAX bytes). Returns its length
 * with the NUL, or -ENAMETOOLONG.
 */
static long dir_path(const struct ramfs_inode *dir, char *buf)
{
	size_t at = PATH_MAX - 1;

	buf[at] = '\0';
	for (const struct ramfs_inode *d = dir; d && d->parent != d; d = d->parent) {
		size_t n = strlen(d->name);
		if (n + 1 > at)
			return -ENAMETOOLONG;
		at -= n;
		memcpy(buf + at, d->name, n);
		buf[--at] = '/';
	}
	if (at == PATH_MAX - 1)
		buf[--at] = '/';
	size_t len = PATH_MAX - at;
	memmove(buf, buf + at, len);
	return (long)len;
}

/* getcwd(buf, size): the length with the NUL; -ERANGE when it does not fit. */
SYSCALL_DEFINE(getcwd)
{
	char *buf = kmalloc(PATH_MAX, KM_NORMAL);
	long len;

	if (!buf)
		return -ENOMEM;
	len = dir_path(fd_cwd_current(), buf);
	if (len > 0 && (uint32_t)len > a2)
		len = -ERANGE;
	if (len > 0 && copy_to_user((void *)a1, buf, (size_t)len) < 0)
		len = -EFAULT;
	kfree(buf);
	return len;
}

/* Make @dir (or an error for it) the working directory. */
static long set_cwd(struct ramfs_inode *dir)
{
	struct fdtable *t = fdtable_current();

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (!t)
		return -ENOMEM;
	t->cwd = dir;
	return 0;
}

SYSCALL_DEFINE(chdir)
{
	struct ramfs_inode *ino;
	struct file *f;
	long rc = lookup_at(AT_FDCWD, a1, 0, &ino, &f);

	file_put(f);
	return rc < 0 ? rc : set_cwd(ino);
}

SYSCALL_DEFINE(fchdir)
{
	struct file *f = fget((int)a1);
	long rc;

	if (!f)
		return -EBADF;
	rc = f->inode ? set_cwd(f->inode) : -ENOTDIR;
	file_put(f);
	return rc;
}

/* umask(mask): the previous mask. */
SYSCALL_DEFINE(umask)
{
	struct fdtable *t = fdtable_current();
	uint32_t old;

	if (!t)
		return -ENOMEM;
	old = t->umask;
	t->umask = a1 & UMASK_BITS;
	return (long)old;
}
