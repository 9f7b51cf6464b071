/*
 * sys_path: the file system calls that name files by path or describe them — the stat family
 * (stat64, lstat64, fstat64, fstatat64, statx), getdents64, readlink(at), access/faccessat,
 * getcwd, chdir/fchdir and umask — with Linux 6.1's order of checks and its rules for bad
 * buffers (see kernel/sys_file.c, which holds the shared helpers of
 * kernel/sys_file_internal.h). getdents64, readlink and getcwd write only the bytes they
 * produce, so an output that fits below a bad page is written exactly as into a good buffer.
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

#include "sys_file_internal.h"

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
 * -EROFS for W_OK on the read-only tree (not on devices, nor on synthetic /proc files). */
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
	if ((mode & W_OK) && !ino->fops &&
	    (S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISLNK(ino->mode)))
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
	ramfs_inode_hold(dir); /* pins a /proc/PID directory (include/fs/ramfs.h) */
	ramfs_inode_drop(t->cwd);
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
