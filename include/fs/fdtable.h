/*
 * fdtable: a process's file descriptors, working directory and umask (kernel/fs/fdtable.c),
 * the table behind struct proc.files (include/sched/proc.h's files hook).
 *
 * Descriptors follow Linux: a new descriptor is the lowest free number (at or above a
 * minimum for F_DUPFD), below the RLIMIT_NOFILE soft limit (FD_NOFILE_DEFAULT, 1024, as
 * Linux's default) or -EMFILE; each has its own close-on-exec flag; several descriptors
 * (dup, fork) may share one struct file and so its position and status flags. fork gives
 * the child a copy (one more reference to each file), exec closes the close-on-exec ones,
 * exit closes all. Every process starts with 0, 1 and 2 open on the console (one struct
 * file, O_RDWR): the table of a process the kernel started is made on its first use, and a
 * fork of a process without one gives the child that same start.
 *
 * The working directory is an inode of the root file system (the tree is never freed, so no
 * reference is held); relative paths resolve from it; fork copies it. The umask (022 at
 * start) is kept for the day files can be created.
 *
 * Memory: the table and its slot array are charged to the kernel (KM_KERNEL), as the files
 * are: fork makes the child's table while the parent runs. The array starts with
 * FD_SLOTS_INITIAL slots, grows to FD_SLOTS_GROWN, then doubles as descriptors are taken.
 *
 * Locking: only the owning process changes its table (one task per process), and never from
 * an interrupt; fork reads the parent's while the parent is in fork.
 */
#ifndef STRATA_FS_FDTABLE_H
#define STRATA_FS_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/file.h"
#include "fs/ramfs.h"

#define FD_NOFILE_DEFAULT 1024u    /* RLIMIT_NOFILE soft limit at start (Linux's default) */
#define FD_NOFILE_MAX     1048576u /* its hard limit (Linux's nr_open) */
#define FD_SLOTS_INITIAL  32u      /* slots of a new table (Linux's NR_OPEN_DEFAULT) */
#define FD_SLOTS_GROWN    1024u    /* slots after the first growth (8 KiB: a page block) */
#define FD_UMASK_DEFAULT  0022u
#define FD_CONSOLE_FDS    3u /* 0, 1 and 2 on the console at start */
#define FD_CLOEXEC        1  /* F_GETFD/F_SETFD's flag */

struct fd_slot {
	struct file *file; /* NULL: a free descriptor */
	bool cloexec;
};

struct fdtable {
	struct fd_slot *slots; /* slots[fd] for fd < capacity */
	uint32_t capacity;
	uint32_t limit;          /* RLIMIT_NOFILE soft limit: descriptors are below it */
	struct ramfs_inode *cwd; /* NULL: the root */
	uint32_t umask;
};

struct proc;

/* An empty table: no descriptor, the root as working directory. NULL when memory ran out. */
struct fdtable *fdtable_create(void);

/* A new process's table: 0, 1 and 2 on the console. NULL when memory ran out. */
struct fdtable *fdtable_create_console(void);

/* A copy of @t (each file gets one more reference). NULL when memory ran out (nothing held). */
struct fdtable *fdtable_dup(const struct fdtable *t);

/* Close every close-on-exec descriptor of @t. */
void fdtable_close_on_exec(struct fdtable *t);

/* Close every descriptor and free @t (NULL is a no-op). */
void fdtable_destroy(struct fdtable *t);

/*
 * Give @f (whose reference the table takes over on success) the lowest free descriptor at or
 * above @minfd. Returns it, -EMFILE (none below the limit), -EINVAL (@minfd at or above the
 * limit), -ENOMEM (the array could not grow).
 */
int fd_install(struct fdtable *t, struct file *f, uint32_t minfd, bool cloexec);

/*
 * The descriptor fd_install(@t, ..., @minfd, ...) would give now, without taking it (open
 * looks for one before the lookup, as Linux does). The fd, -EMFILE or -EINVAL.
 */
int fd_find_free(const struct fdtable *t, uint32_t minfd);

/* The file of descriptor @fd with a reference the caller drops with file_put(), or NULL. */
struct file *fd_get(const struct fdtable *t, int fd);

/* Close @fd. Returns 0, or -EBADF when it is not open. */
int fd_close(struct fdtable *t, int fd);

/*
 * Make @newfd a duplicate of @oldfd (closing what @newfd had, silently), with close-on-exec
 * @cloexec. @oldfd == @newfd returns @newfd unchanged. Returns @newfd, -EBADF (@oldfd not
 * open, @newfd out of range), -ENOMEM.
 */
int fd_dup2(struct fdtable *t, int oldfd, int newfd, bool cloexec);

/* The close-on-exec flag of the open @fd (0 or 1), or -EBADF. */
int fd_get_cloexec(const struct fdtable *t, int fd);

/* Set it. 0 or -EBADF. */
int fd_set_cloexec(struct fdtable *t, int fd, bool cloexec);

/* Number of open descriptors (tests). */
uint32_t fdtable_count(const struct fdtable *t);

/*
 * The table of process @p, made with the console on 0, 1 and 2 when it has none yet. NULL
 * for no process (a kernel task) or when memory ran out.
 */
struct fdtable *fdtable_of(struct proc *p);

/* fdtable_of(the current process). */
struct fdtable *fdtable_current(void);

/* The working directory of the current process (NULL: the root, also for kernel tasks). */
struct ramfs_inode *fd_cwd_current(void);

/* Register the table with the process layer (proc_set_files_ops). Boot, once. */
void files_init(void);

#endif
