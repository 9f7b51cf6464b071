/*
 * sys_memfd: memfd_create(2) of the Linux i386 ABI (number 356) over the memfd file type
 * (include/fs/memfd.h), with Linux 6.1's order of checks (mm/memfd.c): the flags (-EINVAL
 * for unknown bits and for MFD_HUGETLB: there are no huge pages), then the name from user
 * memory (-EFAULT; -EINVAL when no NUL ends it within MFD_NAME_MAX + 1 bytes), then a
 * descriptor (-EMFILE), then the file (-ENOMEM). The file's ftruncate, pread64/pwrite64 and
 * the seal commands of fcntl are the generic file calls of kernel/sys_file.c.
 */
#include "fs/fdtable.h"
#include "fs/memfd.h"
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "mm/uaccess.h"

#define __NR_memfd_create 356

/* memfd_create(const char *name, unsigned flags): the new descriptor, or -errno. */
SYSCALL_DEFINE(memfd_create)
{
	struct fdtable *t = fdtable_current();
	char name[MFD_NAME_MAX + 1];
	struct file *f;
	long n;
	int rc;

	if (a2 & ~(uint32_t)(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;
	n = strncpy_from_user(name, (const char *)a1, sizeof(name));
	if (n < 0)
		return -EFAULT;
	if ((size_t)n >= sizeof(name))
		return -EINVAL;
	if (!t)
		return -ENOMEM;
	rc = fd_find_free(t, 0);
	if (rc < 0)
		return rc == -EINVAL ? -EMFILE : rc;
	rc = memfd_open(name, a2, &f);
	if (rc < 0)
		return rc;
	rc = fd_install(t, f, 0, a2 & MFD_CLOEXEC);
	if (rc < 0) {
		file_put(f);
		return rc == -EINVAL ? -EMFILE : rc;
	}
	return rc;
}
