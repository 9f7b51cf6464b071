/*
 * mode: file types and permission bits as Linux (and cpio newc) encode them in st_mode, the
 * directory-entry types of getdents64, and the errno values the file code needs that
 * include/lib/errno.h does not have yet. Pure definitions, shared by the cpio parser, the
 * RAM file system and the open-file layer (host-buildable).
 */
#ifndef STRATA_FS_MODE_H
#define STRATA_FS_MODE_H

#include "lib/errno.h"

#define S_IFMT   0170000u /* type bits of a mode */
#define S_IFSOCK 0140000u
#define S_IFLNK  0120000u
#define S_IFREG  0100000u
#define S_IFBLK  0060000u
#define S_IFDIR  0040000u
#define S_IFCHR  0020000u
#define S_IFIFO  0010000u
#define S_IPERM  0007777u /* permission bits with set-uid, set-gid and sticky */

#define S_ISREG(m)  (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m)  (((m)&S_IFMT) == S_IFDIR)
#define S_ISLNK(m)  (((m)&S_IFMT) == S_IFLNK)
#define S_ISCHR(m)  (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m)&S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)

/* getdents64 d_type values (Linux include/linux/fs_types.h: the type bits shifted by 12). */
#define DT_UNKNOWN    0
#define DT_FIFO       1
#define DT_CHR        2
#define DT_DIR        4
#define DT_BLK        6
#define DT_REG        8
#define DT_LNK        10
#define DT_SOCK       12
#define MODE_TO_DT(m) (((m)&S_IFMT) >> 12)

#define PATH_MAX    4096 /* bytes in a path, NUL included (Linux's limit) */
#define NAME_MAX    255  /* bytes in one path component */
#define MAXSYMLINKS 40   /* symbolic links followed in one lookup (Linux's limit) */

/* Linux errno values the file layer returns; guarded so lib/errno.h may take them over. */
#ifndef EBADF
#define EBADF 9
#endif
#ifndef EACCES
#define EACCES 13
#endif
#ifndef ENXIO
#define ENXIO 6
#endif
#ifndef ENOTDIR
#define ENOTDIR 20
#endif
#ifndef EISDIR
#define EISDIR 21
#endif
#ifndef ESPIPE
#define ESPIPE 29
#endif
#ifndef EROFS
#define EROFS 30
#endif
#ifndef ENAMETOOLONG
#define ENAMETOOLONG 36
#endif
#ifndef ENOSYS
#define ENOSYS 38
#endif
#ifndef ELOOP
#define ELOOP 40
#endif
#ifndef ENOTTY
#define ENOTTY 25
#endif
#ifndef EOVERFLOW
#define EOVERFLOW 75
#endif
#ifndef EMFILE
#define EMFILE 24
#endif
#ifndef EPIPE
#define EPIPE 32
#endif

#endif
