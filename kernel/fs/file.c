/*
 * file: open files on the root file system and the ops-table dispatch (see include/fs/file.h).
 *
 * Design: one ops table for ramfs inodes (regular files read straight from the borrowed
 * archive data; directories list ".", ".." and their children by index, so the directory
 * position is an index: 0 is ".", 1 is "..", 2 + i is child i); other file types bring their
 * own table through file_alloc(), and device nodes get their driver's table from
 * include/fs/devices.h when opened. The dispatchers check what every type shares (access mode,
 * a missing operation) so each type's functions stay small.
 */
#include "fs/file.h"

#include "fs/devices.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

#define DIR_POS_DOT    0 /* directory position of "." */
#define DIR_POS_DOTDOT 1 /* of ".." */
#define DIR_POS_FIRST  2 /* of the first child */

static struct ramfs *root_fs;

struct ramfs *fs_root(void)
{
	return root_fs;
}

void fs_set_root(struct ramfs *fs)
{
	root_fs = fs;
}

/* ---- the ramfs file type ----------------------------------------------------------------- */

/* Read a regular file from its position. Returns bytes (0 at the end), -EFAULT when none
 * could be delivered. */
static long ramfs_file_read(struct file *f, struct iov_iter *to)
{
	struct ramfs_inode *ino = f->inode;
	if (f->pos >= ino->size || to->count == 0)
		return 0;
	size_t n = MIN((size_t)(ino->size - f->pos), to->count);
	n = MIN(n, (size_t)INT32_MAX);
	size_t got = iter_copy_to(to, (const uint8_t *)ino->data + f->pos, n);
	if (got == 0)
		return -EFAULT;
	f->pos += (int64_t)got;
	return (long)got;
}

int64_t file_generic_llseek(struct file *f, int64_t off, int whence, int64_t end)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		if (end < 0)
			return -EINVAL;
		base = end;
		break;
	default:
		return -EINVAL;
	}
	if (off > 0 && base > INT64_MAX - off)
		return -EOVERFLOW;
	int64_t pos = base + off;
	if (pos < 0)
		return -EINVAL;
	f->pos = pos;
	return pos;
}

/* The ramfs lseek (directories: SEEK_SET and SEEK_CUR only, as Linux's dcache_dir_lseek). */
static int64_t ramfs_llseek(struct file *f, int64_t off, int whence)
{
	return file_generic_llseek(f, off, whence,
	                           S_ISDIR(f->inode->mode) ? -1 : (int64_t)f->inode->size);
}

bool file_put_dirent(void *bufv, size_t len, size_t *used, uint64_t ino, int64_t next, uint8_t type,
                     const char *name)
{
	uint8_t *buf = bufv;
	size_t namelen = strlen(name);
	size_t reclen =
	    ALIGN_UP(offsetof(struct linux_dirent64, d_name) + namelen + 1, DIRENT64_ALIGN);
	if (reclen > len - *used)
		return false;
	struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + *used);
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = next;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = type;
	memcpy(d->d_name, name, namelen + 1);
	*used += reclen;
	return true;
}

long file_dir_getdents64(struct file *f, void *buf, size_t len)
{
	struct ramfs_inode *dir = f->inode;
	size_t used = 0;

	for (;;) {
		int64_t pos = f->pos;
		const char *name;
		struct ramfs_inode *ino;
		if (pos == DIR_POS_DOT) {
			name = ".";
			ino = dir;
		} else if (pos == DIR_POS_DOTDOT) {
			name = "..";
			ino = dir->parent;
		} else {
			if (pos - DIR_POS_FIRST >= dir->dir.count)
				break;
			ino = ramfs_child_at(dir, (uint32_t)(pos - DIR_POS_FIRST));
			name = ino->name;
		}
		if (!file_put_dirent(buf, len, &used, ino->ino, pos + 1,
		                     (uint8_t)MODE_TO_DT(ino->mode), name))
			break;
		f->pos = pos + 1;
	}
	if (used == 0 && f->pos - DIR_POS_FIRST < (int64_t)dir->dir.count)
		return -EINVAL;
	return (long)used;
}

static const struct file_ops ramfs_file_ops = {
	.read = ramfs_file_read,
	.llseek = ramfs_llseek,
};

static const struct file_ops ramfs_dir_ops = {
	.llseek = ramfs_llseek,
	.getdents64 = file_dir_getdents64,
};

/* ---- open and dispatch -------------------------------------------------------------------- */

struct file *file_alloc(const struct file_ops *ops, struct ramfs_inode *inode, int flags,
                        void *priv)
{
	struct file *f = kzalloc(sizeof(*f), KM_KERNEL);
	if (!f)
		return NULL;
	f->ops = ops;
	f->inode = inode;
	f->flags = flags & ~O_CLOEXEC;
	f->refs = 1;
	f->priv = priv;
	return f;
}

/* Open @path of @fs, relative paths from @start (NULL: the root). As file_open(). */
static struct file *open_in_at(const struct ramfs *fs, struct ramfs_inode *start, const char *path,
                               int flags, int *err)
{
	struct ramfs_inode *ino;
	bool writing = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	unsigned lf = (flags & (O_NOFOLLOW | O_CREAT | O_EXCL)) ? RAMFS_NOFOLLOW : 0;
	int rc;

	if (!path) {
		*err = -EINVAL;
		return NULL;
	}
	if (!fs) {
		*err = -ENOENT;
		return NULL;
	}
	rc = ramfs_lookup_at(fs, start, path, lf, &ino);
	if (rc == 0 && S_ISLNK(ino->mode) && !(flags & (O_NOFOLLOW | O_EXCL)))
		rc = ramfs_lookup_at(fs, start, path, 0, &ino); /* O_CREAT alone follows a link */
	if (rc == -ENOENT && (flags & O_CREAT))
		rc = -EROFS;
	if (rc < 0)
		goto fail;
	rc = -EEXIST;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		goto fail;
	rc = -ELOOP;
	if (S_ISLNK(ino->mode))
		goto fail;
	rc = -ENOTDIR;
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		goto fail;
	rc = -EISDIR;
	if (S_ISDIR(ino->mode) && writing)
		goto fail;
	rc = -EROFS; /* a synthetic file decides on writes itself (O_TRUNC is ignored, as /proc) */
	if (writing && S_ISREG(ino->mode) && !ino->fops)
		goto fail;
	const struct file_ops *ops = S_ISDIR(ino->mode) ? &ramfs_dir_ops : &ramfs_file_ops;
	rc = -ENXIO; /* a device node without a driver, fifos, sockets */
	if (ino->fops)
		ops = ino->fops;
	else if (S_ISCHR(ino->mode))
		ops = chrdev_ops(ino->rdev_major, ino->rdev_minor);
	else if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
		ops = NULL;
	if (!ops)
		goto fail;
	/* as Linux's f_flags: the flags that only steer the open are not kept */
	struct file *f =
	    file_alloc(ops, ino, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC), NULL);
	rc = -ENOMEM;
	if (!f)
		goto fail;
	if (ops->open && (rc = ops->open(f)) < 0) {
		kfree(f);
		goto fail;
	}
	return f;
fail:
	*err = rc;
	return NULL;
}

struct file *file_open_in(const struct ramfs *fs, const char *path, int flags, int *err)
{
	return open_in_at(fs, NULL, path, flags, err);
}

struct file *file_open(const char *path, int flags, int *err)
{
	return open_in_at(root_fs, NULL, path, flags, err);
}

struct file *file_open_at(struct ramfs_inode *start, const char *path, int flags, int *err)
{
	return open_in_at(root_fs, start, path, flags, err);
}

struct file *file_get(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_SEQ_CST);
	return f;
}

void file_put(struct file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	if (f->ops && f->ops->release)
		f->ops->release(f);
	kfree(f);
}

long file_read_iter(struct file *f, struct iov_iter *to)
{
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!f->ops->read)
		return -EINVAL;
	return f->ops->read(f, to);
}

long file_write_iter(struct file *f, struct iov_iter *from)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!f->ops->write)
		return -EINVAL;
	return f->ops->write(f, from);
}

long file_read(struct file *f, void *buf, size_t len)
{
	struct io_seg seg = { (uintptr_t)buf, len };
	struct iov_iter it;

	iter_init(&it, false, &seg, 1);
	return file_read_iter(f, &it);
}

long file_write(struct file *f, const void *buf, size_t len)
{
	struct io_seg seg = { (uintptr_t)buf, len };
	struct iov_iter it;

	iter_init(&it, false, &seg, 1);
	return file_write_iter(f, &it);
}

int64_t file_llseek(struct file *f, int64_t off, int whence)
{
	if (!f->ops->llseek)
		return -ESPIPE;
	return f->ops->llseek(f, off, whence);
}

long file_getdents64(struct file *f, void *buf, size_t len)
{
	if (!f->ops->getdents64)
		return -ENOTDIR;
	return f->ops->getdents64(f, buf, len);
}

long file_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	if (!f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, cmd, arg);
}

int file_stat(const struct ramfs_inode *inode, struct strata_stat *st)
{
	if (!inode)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->ino = inode->ino;
	st->mode = inode->mode;
	st->nlink = inode->nlink;
	st->uid = inode->uid;
	st->gid = inode->gid;
	st->rdev_major = inode->rdev_major;
	st->rdev_minor = inode->rdev_minor;
	st->dev_minor = inode->dev_minor;
	st->size = inode->size;
	st->blksize = FILE_BLKSIZE;
	st->blocks = ((uint64_t)inode->size + FILE_BLOCK_SIZE - 1) / FILE_BLOCK_SIZE;
	st->atime = st->mtime = st->ctime = inode->mtime;
	return 0;
}

int file_fstat(struct file *f, struct strata_stat *st)
{
	if (f->inode)
		return file_stat(f->inode, st);
	if (f->ops->stat)
		return f->ops->stat(f, st);
	return -EINVAL;
}
