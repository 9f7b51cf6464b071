/*
 * sys_file_internal: what the file system calls share (kernel/sys_file.c: descriptors,
 * read/write, seeking, open/dup/fcntl/ioctl, pipes, and the common helpers;
 * kernel/sys_path.c: the stat family and the path and directory calls). Private to those two
 * files: Linux's numbers and flag values they use, and the helpers defined in sys_file.c.
 */
#ifndef STRATA_KERNEL_SYS_FILE_INTERNAL_H
#define STRATA_KERNEL_SYS_FILE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/file.h"
#include "fs/ramfs.h"

/* Linux i386 numbers of the calls defined here (syscall_32.tbl) not in kernel/syscall.h. */
#define __NR_open        5
#define __NR_close       6
#define __NR_chdir       12
#define __NR_lseek       19
#define __NR_access      33
#define __NR_dup         41
#define __NR_pipe        42
#define __NR_fcntl       55
#define __NR_umask       60
#define __NR_dup2        63
#define __NR_readlink    85
#define __NR_ftruncate   93
#define __NR_fchdir      133
#define __NR__llseek     140
#define __NR_readv       145
#define __NR_pread64     180
#define __NR_pwrite64    181
#define __NR_getcwd      183
#define __NR_sendfile    187
#define __NR_ftruncate64 194
#define __NR_stat64      195
#define __NR_lstat64     196
#define __NR_fstat64     197
#define __NR_getdents64  220
#define __NR_fcntl64     221
#define __NR_sendfile64  239
#define __NR_openat      295
#define __NR_fstatat64   300
#define __NR_readlinkat  305
#define __NR_faccessat   307
#define __NR_dup3        330
#define __NR_pipe2       331
#define __NR_statx       383

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

/* The current process's file of @fd with a reference (file_put it), or NULL. */
struct file *fget(int fd);
/* Whether @f was opened for reading / for writing. */
bool can_read(const struct file *f);
bool can_write(const struct file *f);
/*
 * Copy the user path @upath into a new PATH_MAX buffer *@out (kfree it). @empty_ok: an empty
 * path is allowed (AT_EMPTY_PATH). 0, -EFAULT, -ENAMETOOLONG, -ENOENT (empty), -ENOMEM.
 */
int path_get(uint32_t upath, char **out, bool empty_ok);
/*
 * The directory @path starts from in an *at call: NULL (the root) for an absolute path, the
 * working directory for AT_FDCWD, else the directory open on @dirfd. 0, -EBADF, -ENOTDIR.
 */
int at_start(int dirfd, const char *path, struct ramfs_inode **start);
/*
 * Resolve the user path @upath of an *at call into *@ino. @flags: AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH (an empty path names dirfd itself; *@f then holds its file, else NULL:
 * file_put it). 0 or -errno.
 */
int lookup_at(int dirfd, uint32_t upath, int flags, struct ramfs_inode **ino, struct file **f);

#endif
