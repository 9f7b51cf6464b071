/*
 * ramfs: a RAM file system, built from a cpio newc archive (the initramfs), kernel/fs/ramfs.c.
 *
 * A tree of inodes. Every inode has Linux's attributes (ino, mode = type + permission bits,
 * uid, gid, nlink, mtime, size, rdev); directories keep an array of children (so readdir by
 * index is O(1)) and their parent (for ".."); symbolic links own a copy of their target;
 * device nodes, fifos and sockets are inodes of their type with rdev and no data.
 *
 * Regular file data is BORROWED: it points into the archive the tree was unpacked from, which
 * the caller must keep for as long as the tree lives (the boot archive stays reserved for good:
 * see kernel/fs/initramfs.c). The tree is read-only after unpacking, so sharing is safe and
 * costs no copy. Names, targets and inodes are kmalloc'd and charged to the kernel (KM_KERNEL).
 *
 * Lookup walks from the root, or for a relative path from a start directory the caller names
 * (ramfs_lookup_at: a process's working directory, openat's dirfd), skipping empty and "."
 * components, taking ".." to the parent (the root's parent is the root), following symbolic links
 * relative to the directory that holds them, at most MAXSYMLINKS per lookup (-ELOOP beyond). A
 * trailing '/' requires a directory.
 *
 * Kernel-made trees: ramfs_add() makes an entry (a /proc file or directory), and an inode may
 * be SYNTHETIC — its file type given by @fops, its data by @priv (include/fs/procfs.h) —
 * instead of borrowing archive bytes. ramfs_mount() mounts one tree on a directory of another:
 * walks that reach the directory continue at the mounted root, whose ".." is the directory's
 * parent (as a mount point in Linux); a mounted tree's inodes report its own device number.
 *
 * Locking: none. The tree is built before anyone else can see it and read-only afterwards;
 * a dynamic directory's hooks (struct ramfs_dyn_ops) do their own.
 */
#ifndef STRATA_FS_RAMFS_H
#define STRATA_FS_RAMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/mode.h"

struct file_ops;
struct ramfs_inode;

/*
 * A DYNAMIC directory's hooks (a /proc kernel-made tree: /proc lists the live processes): the
 * walk asks @lookup first, then looks among the directory's children (the names it answers
 * must not be children's: it is asked for every name, so it refuses others cheaply); inodes
 * it returns live as long as their maker says. @hold/@drop pin such an inode while an open
 * file or a working directory refers to it (ramfs_inode_hold/ramfs_inode_drop). Any may be
 * NULL.
 */
struct ramfs_dyn_ops {
	/* The entry @name (@len bytes) of @dir, or NULL. Called with nothing held. */
	struct ramfs_inode *(*lookup)(struct ramfs_inode *dir, const char *name, size_t len);
	void (*hold)(struct ramfs_inode *ino);
	void (*drop)(struct ramfs_inode *ino);
};

#define RAMFS_DEV_MINOR 1u /* st_dev 0:1, an anonymous device as Linux gives rootfs */

struct ramfs_inode {
	uint32_t ino;
	uint32_t mode; /* S_IF* type | permission bits */
	uint32_t uid, gid;
	uint32_t nlink;
	uint32_t mtime;                  /* seconds since the epoch */
	uint32_t size;                   /* bytes (regular files, symlinks); 0 for the rest */
	uint32_t rdev_major, rdev_minor; /* device nodes */
	struct ramfs_inode *parent;      /* the directory holding it; the root's is itself */
	char *name;                      /* its name in the parent ("" for the root) */
	uint32_t dev_minor;              /* st_dev 0:dev_minor, its tree's (struct ramfs) */
	const struct file_ops *fops;     /* a synthetic inode's file type; NULL: by the mode */
	const void *priv;                /* a synthetic inode's data (the type's own) */
	struct ramfs_inode *mounted;     /* the root of a tree mounted on this directory */
	const struct ramfs_dyn_ops *dyn; /* a dynamic directory's or its entries' hooks, or NULL */
	union {
		struct { /* S_IFDIR */
			struct ramfs_inode **children;
			uint32_t count, capacity;
		} dir;
		const void *data; /* S_IFREG: size bytes, borrowed from the archive */
		char *target;     /* S_IFLNK: NUL-terminated, size bytes */
	};
};

/* What an unpack made (counted over entries that were kept). */
struct ramfs_stats {
	uint32_t entries, files, dirs, symlinks, others, skipped;
	uint64_t bytes; /* bytes of the archive unpacked */
};

struct ramfs {
	struct ramfs_inode *root;
	uint32_t next_ino;
	uint32_t dev_minor; /* given to its inodes (RAMFS_DEV_MINOR unless the maker sets it) */
	struct ramfs_stats stats;
};

#define RAMFS_ERR_MAX 192 /* bytes of an unpack error message */

/* Flags of ramfs_lookup(). */
#define RAMFS_NOFOLLOW 0x1u /* do not follow a symbolic link in the last component */

/*
 * Make @fs an empty tree: a root directory, mode 0755, owned by 0:0.
 * Returns 0, or -ENOMEM (then @fs is empty and ramfs_destroy() is a no-op).
 */
int ramfs_init(struct ramfs *fs);

/* Free every inode of @fs (iteratively: any depth). @fs is then empty; safe to repeat. */
void ramfs_destroy(struct ramfs *fs);

/*
 * Unpack the cpio newc archive @buf (@len bytes; it must outlive @fs: file data is borrowed)
 * into @fs, which should be fresh from ramfs_init(). As Linux's initramfs: an entry whose
 * parent is missing or not a directory, an entry that would replace a directory by a
 * non-directory, a name component over NAME_MAX, a symbolic link with an empty or overlong
 * target are each logged ("initramfs: entry N 'x': skipped: ...") and skipped; an existing
 * directory takes the new attributes; another existing entry is replaced.
 * Returns 0; -EINVAL for a defective archive, -ENOMEM when memory ran out; on failure @err
 * (@errlen bytes) holds the one-line reason (the parser's "entry N 'x': ..." or
 * "out of memory at entry N") and @fs holds what was made so far: the caller destroys it.
 */
int ramfs_unpack(struct ramfs *fs, const void *buf, size_t len, char *err, size_t errlen);

/*
 * Resolve @path in @fs into *@out. @flags: RAMFS_NOFOLLOW leaves a final symbolic link
 * unfollowed (lstat, readlink, O_NOFOLLOW). Returns 0; -ENOENT (a component is missing, or
 * @path is empty), -ENOTDIR (a non-directory used as one), -ELOOP (more than MAXSYMLINKS
 * links), -ENAMETOOLONG (@path or a link target of PATH_MAX bytes or more, or a component
 * over NAME_MAX), -EINVAL (NULL arguments or an fs without a root).
 */
int ramfs_lookup(const struct ramfs *fs, const char *path, unsigned flags,
                 struct ramfs_inode **out);

/* ramfs_lookup() with a relative @path walked from the directory @start (NULL: the root). */
int ramfs_lookup_at(const struct ramfs *fs, struct ramfs_inode *start, const char *path,
                    unsigned flags, struct ramfs_inode **out);

/* The @index-th child of the directory @dir (0-based), or NULL past the end or for a non-dir. */
struct ramfs_inode *ramfs_child_at(const struct ramfs_inode *dir, uint32_t index);

/* The child of @dir named by @name (@len bytes) — for a dynamic directory what its lookup
 * hook finds, else the child of that name — or NULL. */
struct ramfs_inode *ramfs_find_child(const struct ramfs_inode *dir, const char *name, size_t len);

/* Pin @ino (NULL: nothing) for an open file or a working directory: its hold hook, if any. */
void ramfs_inode_hold(struct ramfs_inode *ino);

/* Unpin it: its drop hook, if any (the inode may be freed then). NULL: nothing. */
void ramfs_inode_drop(struct ramfs_inode *ino);

/*
 * Make an empty entry @name (NUL-terminated, at most NAME_MAX bytes, no '/') of @mode in the
 * directory @dir of @fs: a kernel-made tree's file or directory. Returns it; NULL when memory
 * ran out, @dir is not a directory, @name is bad or taken (nothing changed).
 */
struct ramfs_inode *ramfs_add(struct ramfs *fs, struct ramfs_inode *dir, const char *name,
                              uint32_t mode);

/*
 * Mount @sub on the directory @dir (of another tree): see the top. @sub's root takes @dir's
 * name and parent. Returns 0; -ENOTDIR, -EBUSY (something is mounted there already, or @sub
 * is mounted elsewhere), -ENOMEM (nothing changed).
 */
int ramfs_mount(struct ramfs_inode *dir, struct ramfs *sub);

/*
 * Copy the target of the symbolic link @ino into @buf (@size bytes, not NUL-terminated, as
 * readlink(2)). Returns the bytes copied; -EINVAL when @ino is not a symbolic link.
 */
int ramfs_readlink(const struct ramfs_inode *ino, char *buf, size_t size);

#endif
