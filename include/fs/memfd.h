/*
 * memfd: anonymous memory files (kernel/fs/memfd.c) — what memfd_create(2) returns, with
 * Linux 6.1's semantics (mm/memfd.c over shmem).
 *
 * A memfd is a regular file in no directory whose bytes are a shared anonymous memory object
 * (include/mm/pager.h): read/write at the position go through the object's pages, mmap maps
 * the object itself (file_ops.mmap_object), so every mapping in every process, and the file,
 * see the same pages. fork shares the open file; a process given the descriptor number across
 * exec (no MFD_CLOEXEC) maps the same object. The object lives as long as the file or any
 * mapping of it (each holds a reference); its pages are freed with the last.
 *
 * The file: open O_RDWR|O_LARGEFILE, size 0 at first, st_mode S_IFREG|0777, st_nlink 0 (it
 * is unlinked, as Linux's), st_blocks the pages present (a hole costs nothing), an inode
 * number of its own on an anonymous device of its own. A write past the end grows the file
 * (as shmem), a read of a page never written reads zeros without allocating it, ftruncate
 * resizes (memfd_truncate; shrinking drops the pages past the end and zeroes the rest of the
 * last page), lseek has SEEK_SET/CUR/END and SEEK_DATA/SEEK_HOLE. Sizes stop at
 * MEMFD_MAX_SIZE (the object's 32-bit size): -EFBIG past it.
 *
 * Seals (fcntl F_ADD_SEALS/F_GET_SEALS, only with MFD_ALLOW_SEALING; otherwise the file is
 * born with F_SEAL_SEAL): F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW are kept and enforced on
 * ftruncate and write (-EPERM). F_SEAL_WRITE and F_SEAL_FUTURE_WRITE are refused (-EINVAL):
 * enforcing them needs the mmap path to refuse shared writable mappings and to count the
 * shared mappings that exist, which the file layer cannot see.
 *
 * Locking: one CPU, but calls sleep (user page faults, the allocator) and the file is shared
 * by forked processes: writes, ftruncate and F_ADD_SEALS hold the memfd's sleeping lock, so
 * size changes and seal checks are serialised; reads take none (each page is held by a
 * reference while copied, so a concurrent shrink only makes the read see the old bytes).
 */
#ifndef STRATA_FS_MEMFD_H
#define STRATA_FS_MEMFD_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/file.h"

/* memfd_create(2) flags (include/uapi/linux/memfd.h). */
#define MFD_CLOEXEC       0x0001u
#define MFD_ALLOW_SEALING 0x0002u
#define MFD_HUGETLB       0x0004u /* no huge pages here: -EINVAL */

#define MFD_NAME_PREFIX "memfd:"
#define MFD_NAME_MAX    249u /* NAME_MAX less the prefix: bytes of the name, NUL excluded */

/* fcntl commands and seals (include/uapi/linux/fcntl.h). */
#define F_ADD_SEALS         1033
#define F_GET_SEALS         1034
#define F_SEAL_SEAL         0x0001u /* no more seals */
#define F_SEAL_SHRINK       0x0002u /* the size cannot shrink */
#define F_SEAL_GROW         0x0004u /* nor grow */
#define F_SEAL_WRITE        0x0008u /* refused here (see the top) */
#define F_SEAL_FUTURE_WRITE 0x0010u /* refused here (see the top) */
#define F_ALL_SEALS         (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

#define MEMFD_MAX_SIZE 0xFFFFFFFFull /* bytes: the largest size a memory object holds */

/* lseek whence values beyond include/fs/file.h's (Linux's); guarded likewise. */
#ifndef SEEK_DATA
#define SEEK_DATA 3
#endif
#ifndef SEEK_HOLE
#define SEEK_HOLE 4
#endif

#ifndef EFBIG
#define EFBIG 27 /* Linux's value; guarded so lib/errno.h may take it over */
#endif

/*
 * A new memfd named "memfd:@name" (@name a kernel string of at most MFD_NAME_MAX bytes),
 * open O_RDWR|O_LARGEFILE, empty; @flags: MFD_ALLOW_SEALING (MFD_CLOEXEC is the caller's, for
 * the descriptor). Returns 0 with *@out holding the file (one reference), or -EINVAL (a name
 * too long), -ENOMEM.
 */
int memfd_open(const char *name, unsigned flags, struct file **out);

/* True when @f is a memfd. */
bool memfd_is(const struct file *f);

/*
 * Set the size of the memfd @f to @size bytes (ftruncate; the caller has checked that @f is a
 * memfd open for writing). Growing reads as zeros; shrinking frees the pages past the end and
 * zeroes the rest of the last page. Returns 0, -EFBIG (past MEMFD_MAX_SIZE), -EPERM (a
 * F_SEAL_SHRINK or F_SEAL_GROW seal forbids it), -ENOMEM.
 */
int memfd_truncate(struct file *f, uint64_t size);

/*
 * fcntl F_ADD_SEALS (@arg the seals) and F_GET_SEALS on any file @f. F_GET_SEALS: the seals,
 * -EINVAL for a file that is not a memfd. F_ADD_SEALS: 0, -EPERM (not open for writing, or
 * F_SEAL_SEAL set), -EINVAL (unknown seals, not a memfd, or F_SEAL_WRITE/FUTURE_WRITE, which
 * are not supported). Another @cmd: -EINVAL.
 */
long memfd_fcntl(struct file *f, unsigned cmd, unsigned long arg);

#endif
