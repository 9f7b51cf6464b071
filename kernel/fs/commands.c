/*
 * fs commands: `ls [PATH]` and `cat PATH` on the root file system (the initramfs), through
 * the same open-file layer the system calls use (include/fs/file.h).
 *
 *   strata> ls /
 *   drwxr-xr-x  2     0     0        0 bin
 *   lrwxrwxrwx  1     0     0        7 init -> bin/cat
 */
#include "fs/file.h"
#include "fs/ramfs.h"
#include "lib/console.h"
#include "kernel/monitor.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MODE_STRING_LEN 11    /* "drwxr-xr-x" and its NUL */
#define CAT_MAX_BYTES   16384 /* cat is for small files */
#define CAT_CHUNK       256
#define PERM_GROUPS     3
#define PERM_GROUP_BITS 3
#define S_ISUID         04000u
#define S_ISGID         02000u
#define S_ISVTX         01000u

/* The monitor's words for an errno (the ones lookups and opens give). */
static const char *err_text(int err)
{
	switch (err) {
	case -ENOENT:
		return "no such file or directory";
	case -ENOTDIR:
		return "not a directory";
	case -ELOOP:
		return "too many levels of symbolic links";
	case -ENAMETOOLONG:
		return "file name too long";
	case -EISDIR:
		return "is a directory";
	case -ENXIO:
		return "no such device";
	case -ENOMEM:
		return "out of memory";
	default:
		return "error";
	}
}

/* Fill @s (MODE_STRING_LEN bytes) with ls -l's mode string for @mode. */
static void mode_string(uint32_t mode, char *s)
{
	static const char type_chars[] = "?pc?d?b?-?l?s???"; /* indexed by type >> 12 */
	static const char rwx[] = "rwx";

	s[0] = type_chars[MODE_TO_DT(mode)]; /* at most S_IFMT >> 12 = 15 */
	for (int g = 0; g < PERM_GROUPS; g++)
		for (int b = 0; b < PERM_GROUP_BITS; b++) {
			uint32_t bit = 1u << ((PERM_GROUPS - 1 - g) * PERM_GROUP_BITS +
			                      (PERM_GROUP_BITS - 1 - b));
			s[1 + g * PERM_GROUP_BITS + b] = (mode & bit) ? rwx[b] : '-';
		}
	if (mode & S_ISUID)
		s[3] = s[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		s[6] = s[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		s[9] = s[9] == 'x' ? 't' : 'T';
	s[MODE_STRING_LEN - 1] = '\0';
}

/* One ls -l line for @ino under @name. */
static void ls_line(const struct ramfs_inode *ino, const char *name)
{
	char mode[MODE_STRING_LEN];

	mode_string(ino->mode, mode);
	if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode))
		kprintf("%s %2u %5u %5u %4u, %3u %s\n", mode, ino->nlink, ino->uid, ino->gid,
		        ino->rdev_major, ino->rdev_minor, name);
	else if (S_ISLNK(ino->mode))
		kprintf("%s %2u %5u %5u %8u %s -> %s\n", mode, ino->nlink, ino->uid, ino->gid,
		        ino->size, name, ino->target);
	else
		kprintf("%s %2u %5u %5u %8u %s\n", mode, ino->nlink, ino->uid, ino->gid, ino->size,
		        name);
}

static int cmd_ls(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/";
	struct ramfs_inode *ino;

	if (argc > 2) {
		kprintf("usage: ls [PATH]\n");
		return -EINVAL;
	}
	int rc = fs_root() ? ramfs_lookup(fs_root(), path, RAMFS_NOFOLLOW, &ino) : -ENOENT;
	if (rc < 0) {
		kprintf("ls: cannot access '%s': %s\n", path, err_text(rc));
		return rc;
	}
	if (!S_ISDIR(ino->mode)) {
		ls_line(ino, path);
		return 0;
	}
	for (uint32_t i = 0;; i++) {
		const struct ramfs_inode *c = ramfs_child_at(ino, i);
		if (!c)
			break;
		ls_line(c, c->name);
	}
	return 0;
}
MONITOR_COMMAND(ls, "ls [PATH]", "list a directory of the root file system (ls -l format)", cmd_ls);

static int cmd_cat(int argc, char **argv)
{
	char buf[CAT_CHUNK];
	int err = 0;

	if (argc != 2) {
		kprintf("usage: cat PATH\n");
		return -EINVAL;
	}
	struct file *f = file_open(argv[1], O_RDONLY, &err);
	if (!f) {
		kprintf("cat: %s: %s\n", argv[1], err_text(err));
		return err;
	}
	if (f->inode->size > CAT_MAX_BYTES) {
		kprintf("cat: %s: too large (%u bytes; at most %u)\n", argv[1], f->inode->size,
		        CAT_MAX_BYTES);
		file_put(f);
		return -EINVAL;
	}
	long n;
	while ((n = file_read(f, buf, sizeof(buf))) > 0)
		console_write(buf, (size_t)n);
	file_put(f);
	if (n < 0) {
		kprintf("cat: %s: %s\n", argv[1], err_text((int)n));
		return (int)n;
	}
	return 0;
}
MONITOR_COMMAND(cat, "cat PATH", "print a small file of the root file system", cmd_cat);
