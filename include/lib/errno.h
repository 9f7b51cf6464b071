/*
 * errno: the error numbers kernel actions return, negated (0 on success, -EINVAL on bad input).
 * Values follow Linux so they read the same to anyone who knows it.
 */
#ifndef STRATA_LIB_ERRNO_H
#define STRATA_LIB_ERRNO_H

#define EPERM  1
#define ENOENT 2
#define ESRCH  3
#define EINTR  4
#define EIO    5

#define E2BIG        7
#define ENOEXEC      8
#define EBADF        9
#define ECHILD       10
#define EAGAIN       11
#define ENOMEM       12
#define EACCES       13
#define EFAULT       14
#define EBUSY        16
#define EEXIST       17
#define ENODEV       19
#define EINVAL       22
#define ENOTTY       25
#define ENOSPC       28
#define ERANGE       34
#define ENAMETOOLONG 36
#define ENOSYS       38
#define EDQUOT       122 /* over a per-task limit */
#define EOPNOTSUPP   95  /* clock_nanosleep on a clock that cannot sleep */
#define EOVERFLOW    75  /* a value too large for its type (mmap2 pgoff + len) */

#endif
