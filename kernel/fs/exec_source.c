/*
 * exec_source: exec reads programs from the root file system (the initramfs) through the
 * open-file layer (include/fs/file.h): stat for the type and permission checks, read at an
 * offset for the headers and segments, and the file's bytes in memory for mapping them. A relative
 * path resolves from the calling process's working directory (the root for a kernel spawn).
 * Registered with exec by exec_fs_init(); embedded /builtin images are looked up first
 * (sched/exec.c).
 */
#include "fs/exec_source.h"

#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/mode.h"
#include "fs/ramfs.h"
#include "lib/errno.h"
#include "sched/proc.h"

/* stat(@path): 0 with the mode and size, or the open error (-ENOENT, -ENOTDIR, ...). */
static int fs_stat(const char *path, uint32_t *mode, uint64_t *size)
{
	struct strata_stat st;
	int err = 0, rc;
	struct file *f = file_open_at(fd_cwd_current(), path, O_RDONLY, &err);

	if (!f)
		return err;
	rc = f->inode ? file_stat(f->inode, &st) : -EACCES;
	if (rc == 0) {
		*mode = st.mode;
		*size = st.size;
	}
	file_put(f);
	return rc;
}

/* Read up to @len bytes at @off. Bytes read or -errno. */
static long fs_read(const char *path, uint64_t off, void *buf, uint32_t len)
{
	int err = 0;
	long n = 0;
	struct file *f = file_open_at(fd_cwd_current(), path, O_RDONLY, &err);

	if (!f)
		return err;
	if (file_llseek(f, (int64_t)off, SEEK_SET) < 0) {
		file_put(f);
		return -EIO;
	}
	while ((uint32_t)n < len) {
		long r = file_read(f, (char *)buf + n, len - (uint32_t)n);
		if (r <= 0) {
			if (r < 0 && n == 0)
				n = r;
			break;
		}
		n += r;
	}
	file_put(f);
	return n;
}

/* stat(@path) in one lookup, with the bytes of a regular initramfs file (borrowed from the
 * archive, which is kept for good: include/fs/ramfs.h) in *@data, else NULL. 0 or -errno. */
static int fs_open(const char *path, uint32_t *mode, uint64_t *size, const void **data)
{
	struct strata_stat st;
	int err = 0, rc;
	struct file *f = file_open_at(fd_cwd_current(), path, O_RDONLY, &err);

	*data = NULL;
	if (!f)
		return err;
	rc = f->inode ? file_stat(f->inode, &st) : -EACCES;
	if (rc == 0) {
		*mode = st.mode;
		*size = st.size;
		if ((f->inode->mode & S_IFMT) == S_IFREG)
			*data = f->inode->data;
	}
	file_put(f);
	return rc;
}

void exec_fs_init(void)
{
	static const struct exec_source src = { fs_stat, fs_read, fs_open };

	exec_set_source(&src);
}
