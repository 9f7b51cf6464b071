/*
 * file: open files — the object a file descriptor will refer to (kernel/fs/file.c).
 *
 * A struct file holds an inode of the root file system (or none, for a device file a driver
 * makes), the position, the open flags and a reference count, and dispatches through a small
 * ops table, so a console or a /proc file can plug in with its own read/write/llseek/
 * getdents64/ioctl. Every API here takes kernel pointers; the system calls copy to and from
 * user memory around them.
 *
 * The root file system is the initramfs, READ-ONLY for now: opening for writing, truncating
 * or creating gives -EROFS, as Linux does on a read-only mount (Linux's initramfs is a
 * writable tmpfs; writing can come with a tmpfs later). Linux's order of checks is kept:
 * -ENOENT/-ENOTDIR/-ELOOP from the lookup, -EEXIST (O_CREAT|O_EXCL on an existing path),
 * -ELOOP (O_NOFOLLOW on a symbolic link), -ENOTDIR (O_DIRECTORY on a non-directory),
 * -EISDIR (a directory opened for writing), then -EROFS.
 *
 * O_CLOEXEC belongs to the descriptor, not the file: it is kept in file->flags for the
 * descriptor table to read, and means nothing here.
 *
 * Locking: none yet (one CPU; the syscall layer will add what it needs). References are
 * counted: file_get() takes one, file_put() drops one and frees the file at zero.
 */
#ifndef STRATA_FS_FILE_H
#define STRATA_FS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/mode.h"
#include "fs/ramfs.h"

/* open(2) flags, Linux i386 values (asm-generic/fcntl.h). */
#define O_ACCMODE   00000003
#define O_RDONLY    00000000
#define O_WRONLY    00000001
#define O_RDWR      00000002
#define O_CREAT     00000100
#define O_EXCL      00000200
#define O_NOCTTY    00000400
#define O_TRUNC     00001000
#define O_APPEND    00002000
#define O_NONBLOCK  00004000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW  00400000
#define O_CLOEXEC   02000000

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define FILE_BLKSIZE    4096u /* st_blksize */
#define FILE_BLOCK_SIZE 512u  /* st_blocks counts units of this */

/* Linux's struct linux_dirent64 (getdents64 records); d_reclen is a multiple of 8. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off; /* the position after this record (for lseek) */
	uint16_t d_reclen;
	uint8_t d_type; /* DT_* */
	char d_name[];  /* NUL-terminated */
} __attribute__((packed));
#define DIRENT64_ALIGN 8u

/* What fstat64 and statx need. Times are whole seconds (the archive has nothing finer). */
struct strata_stat {
	uint64_t ino;
	uint32_t mode, nlink, uid, gid;
	uint32_t rdev_major, rdev_minor;
	uint32_t dev_major, dev_minor; /* of the file system: 0:1 for the initramfs */
	uint64_t size;
	uint32_t blksize;
	uint64_t blocks; /* 512-byte units */
	int64_t atime, mtime, ctime;
};

struct file;

/* The operations of a file type; a NULL entry means the operation is not supported. */
struct file_ops {
	/* Read up to @len bytes at the position into @buf and advance it. Returns bytes or -errno.
	 */
	long (*read)(struct file *f, void *buf, size_t len);
	/* Write @len bytes from @buf. Returns bytes written or -errno. */
	long (*write)(struct file *f, const void *buf, size_t len);
	/* Move the position (SEEK_*). Returns the new position or -errno. */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	/* Fill @buf with linux_dirent64 records. Returns bytes filled (0 at the end) or -errno. */
	long (*getdents64)(struct file *f, void *buf, size_t len);
	/* Device control. Returns >= 0 or -errno (-ENOTTY for an unknown @cmd). */
	long (*ioctl)(struct file *f, unsigned cmd, unsigned long arg);
	/* Called once when the last reference goes (may be NULL). */
	void (*release)(struct file *f);
};

struct file {
	const struct file_ops *ops;
	struct ramfs_inode *inode; /* NULL for files with no inode (a driver's) */
	int64_t pos;
	int flags; /* the open flags (O_CLOEXEC included, see above) */
	uint32_t refs;
	void *priv; /* the file type's own data */
};

/* The root file system (the initramfs; an empty tree until it is unpacked), or NULL. */
struct ramfs *fs_root(void);

/* Make @fs the root file system (boot, once). */
void fs_set_root(struct ramfs *fs);

/*
 * Open @path in the root file system with open(2) @flags (see the top for the checks).
 * Returns a file with one reference, or NULL with *@err = -errno (-ENOENT, -ENOTDIR, -ELOOP,
 * -ENAMETOOLONG, -EEXIST, -EISDIR, -EROFS, -ENXIO for a device node without a driver,
 * -ENOMEM, -EINVAL for a NULL path).
 */
struct file *file_open(const char *path, int flags, int *err);

/* file_open() in the file system @fs (tests, and later mount points). */
struct file *file_open_in(const struct ramfs *fs, const char *path, int flags, int *err);

/*
 * A new file of type @ops on @inode (may be NULL), for file types that are not in the tree
 * (a console, a pipe). Returns it with one reference, or NULL when memory ran out.
 */
struct file *file_alloc(const struct file_ops *ops, struct ramfs_inode *inode, int flags,
                        void *priv);

/* Take a reference to @f. Returns @f. */
struct file *file_get(struct file *f);

/* Drop a reference to @f (NULL is a no-op); the last one releases and frees it. */
void file_put(struct file *f);

/* Read into the kernel buffer @buf. Returns bytes (0 at end of file) or -errno (-EISDIR,
 * -EBADF when not open for reading, -EINVAL when the type cannot read). */
long file_read(struct file *f, void *buf, size_t len);

/* Write from the kernel buffer @buf. Returns bytes or -errno (-EBADF when not open for writing). */
long file_write(struct file *f, const void *buf, size_t len);

/* lseek/_llseek: SEEK_SET/CUR/END. Returns the new position; -EINVAL for a bad @whence or a
 * negative result, -EOVERFLOW when it would overflow, -ESPIPE when the type cannot seek. */
int64_t file_llseek(struct file *f, int64_t off, int whence);

/* getdents64 into the kernel buffer @buf: ".", ".." then the entries. Returns bytes filled
 * (0 at the end); -EINVAL when @len cannot hold the next record; -ENOTDIR for a non-directory. */
long file_getdents64(struct file *f, void *buf, size_t len);

/* ioctl. Returns what the type's ioctl returns; -ENOTTY when it has none. */
long file_ioctl(struct file *f, unsigned cmd, unsigned long arg);

/* Fill *@st for @inode (fstat64, statx, stat). Returns 0; -EINVAL for a NULL inode. */
int file_stat(const struct ramfs_inode *inode, struct strata_stat *st);

#endif
