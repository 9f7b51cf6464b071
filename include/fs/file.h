/*
 * file: open files — the object a file descriptor refers to (kernel/fs/file.c, iter.c).
 *
 * A struct file holds an inode of the root file system (or none, for a file a driver or the
 * pipe code makes), the position, the open flags and a reference count, and dispatches
 * through a small ops table, so the console, /dev/null, pipes and later /proc files plug in
 * with their own read/write/llseek/getdents64/ioctl/stat. Device nodes of the tree are bound
 * to their driver by major/minor when opened (include/fs/devices.h).
 *
 * Data moves through an iterator (struct iov_iter) over one or more segments of either user
 * memory (every byte through the copy helpers of include/mm/uaccess.h) or kernel memory, as
 * Linux's iov_iter: a file type copies exactly the bytes it produces or consumes, so a read
 * into a partly unmapped buffer returns the bytes that fit before the hole, and nothing is
 * consumed from a pipe that was not delivered. The kernel-buffer entry points (file_read,
 * file_write, file_getdents64) wrap the same operations.
 *
 * The root file system is the initramfs, READ-ONLY for now: opening a regular file for
 * writing, truncating or creating gives -EROFS, as Linux does on a read-only mount (Linux's
 * initramfs is a writable tmpfs; writing can come with a tmpfs later). Linux's order of checks
 * is kept: -ENOENT/-ENOTDIR/-ELOOP from the lookup, -EEXIST (O_CREAT|O_EXCL on an existing
 * path), -ELOOP (O_NOFOLLOW on a symbolic link), -ENOTDIR (O_DIRECTORY on a non-directory),
 * -EISDIR (a directory opened for writing), then -EROFS, then -ENXIO (a device node with no
 * driver, a fifo or a socket). A synthetic inode (a /proc file, include/fs/procfs.h) opens
 * with its own ops for reading and writing; its write operation refuses what it must.
 *
 * O_CLOEXEC belongs to the descriptor, not the file: the descriptor table keeps it
 * (include/fs/fdtable.h) and file->flags never holds it (as Linux's f_flags).
 *
 * Locking: the reference count changes atomically (a forked child shares its parent's files
 * and either may run). Position and flags belong to the processes sharing the file (one CPU;
 * Linux serialises f_pos per call, a detail no test here can see). References are counted:
 * file_get() takes one, file_put() drops one and releases the file at zero.
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

/* One segment of memory for an iov_iter: @len bytes at @base (a user or kernel address). */
struct io_seg {
	uintptr_t base;
	size_t len;
};

/*
 * A cursor over @nr segments, all user memory (@user) or all kernel memory. @count is the
 * number of bytes left from (@idx, @off) on. Made by iter_init(); moved by the copies below.
 */
struct iov_iter {
	bool user;
	const struct io_seg *seg;
	uint32_t nr;
	uint32_t idx; /* the current segment */
	size_t off;   /* bytes of it already done */
	size_t count; /* bytes left in all segments */
};

/* Point @it at the @nr segments @seg (user memory when @user); count is their total. */
void iter_init(struct iov_iter *it, bool user, const struct io_seg *seg, uint32_t nr);

/*
 * Copy up to @n bytes from the kernel buffer @src into the iterator's memory and advance it
 * by what was copied. Returns the bytes copied: fewer than MIN(@n, count) only when a user
 * page faulted (the copy stops at the page that failed; 0 when the first did).
 */
size_t iter_copy_to(struct iov_iter *it, const void *src, size_t n);

/* The other way: up to @n bytes from the iterator's memory into @dst. As iter_copy_to(). */
size_t iter_copy_from(struct iov_iter *it, void *dst, size_t n);

/* The operations of a file type; a NULL entry means the operation is not supported. */
struct file_ops {
	/* Called when the file is opened on an inode, before anyone sees it (may be NULL): set
	 * up f->priv. Returns 0 or -errno (-ENOMEM; the open then fails and release is not called).
	 */
	int (*open)(struct file *f);
	/*
	 * Read at the position into @to and advance it. Returns bytes (0 at end of file), or
	 * -errno: -EFAULT when not one byte could be delivered, -EAGAIN (O_NONBLOCK, nothing
	 * there), -EINTR (a fatal signal while waiting).
	 */
	long (*read)(struct file *f, struct iov_iter *to);
	/* Write from @from. Returns bytes written, or -errno (-EFAULT, -EAGAIN, -EPIPE, ...). */
	long (*write)(struct file *f, struct iov_iter *from);
	/* Move the position (SEEK_*). Returns the new position or -errno. */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	/* Fill @buf with linux_dirent64 records. Returns bytes filled (0 at the end) or -errno. */
	long (*getdents64)(struct file *f, void *buf, size_t len);
	/* Device control. Returns >= 0 or -errno (-ENOTTY for an unknown @cmd). */
	long (*ioctl)(struct file *f, unsigned cmd, unsigned long arg);
	/* Attributes of a file with no inode (a pipe, the boot console). Returns 0 or -errno;
	 * a file with an inode is described by its inode instead. */
	int (*stat)(struct file *f, struct strata_stat *st);
	/* Called once when the last reference goes (may be NULL). */
	void (*release)(struct file *f);
	/* The memory object mmap maps (include/mm/pager.h), with a reference for the caller;
	 * NULL when the file cannot be mapped (may be NULL: regular initramfs files are mapped
	 * through their bytes, other files refuse: -ENODEV). */
	struct vm_object *(*mmap_object)(struct file *f);
	/* What the file is ready for now, POLL* bits (include/fs/poll.h); never sleeps. A type
	 * that has it calls poll_notify() when readiness may have changed (may be NULL: always
	 * ready to read and write). */
	uint32_t (*poll)(struct file *f);
};

struct file {
	const struct file_ops *ops;
	struct ramfs_inode *inode; /* NULL for files with no inode (a driver's) */
	int64_t pos;
	int flags;     /* the open flags, O_CLOEXEC excluded (see above) */
	uint32_t refs; /* atomic (see above) */
	void *priv;    /* the file type's own data */
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
 * file_open() with a relative @path resolved from the directory @start of the root file
 * system (openat's dirfd, the working directory); NULL @start means the root.
 */
struct file *file_open_at(struct ramfs_inode *start, const char *path, int flags, int *err);

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

/* file_read()/file_write() through an iterator (user memory for the system calls). */
long file_read_iter(struct file *f, struct iov_iter *to);
long file_write_iter(struct file *f, struct iov_iter *from);

/* lseek/_llseek: SEEK_SET/CUR/END. Returns the new position; -EINVAL for a bad @whence or a
 * negative result, -EOVERFLOW when it would overflow, -ESPIPE when the type cannot seek. */
int64_t file_llseek(struct file *f, int64_t off, int whence);

/*
 * The common lseek for a file type's llseek: SEEK_SET, SEEK_CUR, and SEEK_END from @end
 * (a negative @end refuses SEEK_END: -EINVAL). Sets and returns the new position; -EINVAL
 * (a bad @whence, a negative result), -EOVERFLOW.
 */
int64_t file_generic_llseek(struct file *f, int64_t off, int whence, int64_t end);

/* getdents64 into the kernel buffer @buf: ".", ".." then the entries. Returns bytes filled
 * (0 at the end); -EINVAL when @len cannot hold the next record; -ENOTDIR for a non-directory. */
long file_getdents64(struct file *f, void *buf, size_t len);

/*
 * For a directory type's getdents64: write one linux_dirent64 record (@ino, next position
 * @next, DT_* @type, @name) at @buf + *@used if it fits in @len bytes. Returns true when
 * written (and advances *@used), false when there is no room.
 */
bool file_put_dirent(void *buf, size_t len, size_t *used, uint64_t ino, int64_t next, uint8_t type,
                     const char *name);

/* The ramfs directory listing (".", "..", the children by index from the position): bytes
 * filled, 0 at the end, -EINVAL when the first record does not fit. */
long file_dir_getdents64(struct file *f, void *buf, size_t len);

/* ioctl. Returns what the type's ioctl returns; -ENOTTY when it has none. */
long file_ioctl(struct file *f, unsigned cmd, unsigned long arg);

/* Fill *@st for @inode (fstat64, statx, stat). Returns 0; -EINVAL for a NULL inode. */
int file_stat(const struct ramfs_inode *inode, struct strata_stat *st);

/* Fill *@st for the open file @f: its inode's attributes, or its type's stat. 0 or -errno. */
int file_fstat(struct file *f, struct strata_stat *st);

#endif
