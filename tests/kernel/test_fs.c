/*
 * Guest tests of the root file system stack: a cpio archive built in memory is unpacked into
 * a ramfs, then looked up (symbolic links followed, a loop giving -ELOOP), opened, read,
 * lseek'd, listed with getdents64 (exact records) and stat'ed through the open-file layer;
 * a refused archive leaves exactly the free memory and live objects there were before.
 */
#include <stddef.h>

#include "fs/cpio.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "kernel/ktest.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "sched/stress.h"

#define ARCH_BYTES       8192
#define RDEV_MAJOR_FIELD 9 /* header field index of rdevmajor (cpio.h order) */
#define UID_FIELD        2
#define CONSOLE_MAJOR    "00000005"
#define CONSOLE_MINOR    "00000001"
#define DENTS_BYTES      512

static uint8_t arch[ARCH_BYTES];

/* Append an entry at @off; returns the new length, 0 when the buffer is full (callers chain
 * with "off ? add(off, ...) : 0" and assert the end is not 0). */
static size_t add(size_t off, const char *name, uint32_t mode, const char *data)
{
	return cpio_append(arch, sizeof(arch), off, name, mode, data,
	                   data ? (uint32_t)strlen(data) : 0);
}

/* Overwrite header field @field of the entry at @hdr with 8 hex digits @text. */
static void set_field(size_t hdr, int field, const char *text)
{
	memcpy(arch + hdr + CPIO_MAGIC_LEN + field * CPIO_FIELD_DIGITS, text, CPIO_FIELD_DIGITS);
}

/*
 * The test tree:
 *   /            dir          /etc/motd   "hello, initramfs\n" (uid 1000)
 *   /etc         dir          /init       -> etc/motd
 *   /loop1 -> loop2   /loop2 -> loop1     /dev/console  char 5,1
 */
static size_t build(void)
{
	size_t off = add(0, ".", S_IFDIR | 0755, NULL);
	off = off ? add(off, "etc", S_IFDIR | 0755, NULL) : 0;
	size_t motd = off;
	off = off ? add(off, "etc/motd", S_IFREG | 0644, "hello, initramfs\n") : 0;
	off = off ? add(off, "init", S_IFLNK | 0777, "etc/motd") : 0;
	off = off ? add(off, "loop1", S_IFLNK | 0777, "loop2") : 0;
	off = off ? add(off, "loop2", S_IFLNK | 0777, "loop1") : 0;
	off = off ? add(off, "dev", S_IFDIR | 0755, NULL) : 0;
	size_t console = off;
	off = off ? add(off, "dev/console", S_IFCHR | 0600, NULL) : 0;
	off = off ? add(off, CPIO_TRAILER, 0, NULL) : 0;
	if (off) {
		set_field(motd, UID_FIELD, "000003E8");
		set_field(console, RDEV_MAJOR_FIELD, CONSOLE_MAJOR);
		set_field(console, RDEV_MAJOR_FIELD + 1, CONSOLE_MINOR);
	}
	return off;
}

/* Build the test tree and unpack it into a fresh @fs. Returns 0, or -errno with @fs empty. */
static int unpack_test_tree(struct ramfs *fs, char err[RAMFS_ERR_MAX])
{
	size_t len = build();
	if (len == 0)
		return -ENOSPC;
	int rc = ramfs_init(fs);
	if (rc == 0)
		rc = ramfs_unpack(fs, arch, len, err, RAMFS_ERR_MAX);
	if (rc < 0)
		ramfs_destroy(fs);
	return rc;
}

KTEST(fs, unpack_and_lookup_with_symlinks)
{
	struct ramfs fs;
	char err[RAMFS_ERR_MAX];
	struct ramfs_inode *ino, *motd;

	KASSERT_EQ(t, unpack_test_tree(&fs, err), 0);
	KEXPECT_EQ(t, fs.stats.entries, 8);
	KEXPECT_EQ(t, fs.stats.files, 1);
	KEXPECT_EQ(t, fs.stats.dirs, 3);
	KEXPECT_EQ(t, fs.stats.symlinks, 3);
	KEXPECT_EQ(t, fs.stats.others, 1);
	KEXPECT_EQ(t, ramfs_lookup(&fs, "/etc/motd", 0, &motd), 0);
	KEXPECT_EQ(t, ramfs_lookup(&fs, "/init", 0, &ino), 0);
	KEXPECT(t, ino == motd);
	KEXPECT_EQ(t, ramfs_lookup(&fs, "/init", RAMFS_NOFOLLOW, &ino), 0);
	KEXPECT(t, S_ISLNK(ino->mode));
	KEXPECT_EQ(t, ramfs_lookup(&fs, "/loop1", 0, &ino), -ELOOP);
	KEXPECT_EQ(t, ramfs_lookup(&fs, "/loop1/x", RAMFS_NOFOLLOW, &ino), -ELOOP);
	KEXPECT_EQ(t, ramfs_lookup(&fs, "/etc/motd/x", 0, &ino), -ENOTDIR);
	KEXPECT_EQ(t, ramfs_lookup(&fs, "/etc/none", 0, &ino), -ENOENT);
	KEXPECT_EQ(t, ramfs_lookup(&fs, "/etc/../dev/./console", 0, &ino), 0);
	KEXPECT_EQ(t, ino->rdev_major, 5);
	KEXPECT_EQ(t, ino->rdev_minor, 1);
	ramfs_destroy(&fs);
}

KTEST(fs, open_read_and_lseek)
{
	struct ramfs fs;
	char err[RAMFS_ERR_MAX], buf[32];
	int e = 0;

	KASSERT_EQ(t, unpack_test_tree(&fs, err), 0);
	struct file *f = file_open_in(&fs, "/init", O_RDONLY | O_CLOEXEC, &e);
	KASSERT(t, f != NULL);
	KEXPECT_EQ(t, file_read(f, buf, 5), 5);
	KEXPECT(t, memcmp(buf, "hello", 5) == 0);
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 12);
	KEXPECT(t, memcmp(buf, ", initramfs\n", 12) == 0);
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 0);
	KEXPECT_EQ(t, file_llseek(f, 7, SEEK_SET), 7);
	KEXPECT_EQ(t, file_llseek(f, -2, SEEK_CUR), 5);
	KEXPECT_EQ(t, file_llseek(f, -10, SEEK_END), 7);
	KEXPECT_EQ(t, file_read(f, buf, 9), 9);
	KEXPECT(t, memcmp(buf, "initramfs", 9) == 0);
	KEXPECT_EQ(t, file_llseek(f, 0, 3), -EINVAL);
	KEXPECT_EQ(t, file_llseek(f, -100, SEEK_CUR), -EINVAL);
	KEXPECT_EQ(t, file_llseek(f, 100, SEEK_SET), 100); /* past the end: reads give 0 */
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 0);
	KEXPECT_EQ(t, file_write(f, "x", 1), -EBADF);
	KEXPECT_EQ(t, file_getdents64(f, buf, sizeof(buf)), -ENOTDIR);
	KEXPECT_EQ(t, file_ioctl(f, 0, 0), -ENOTTY);
	KEXPECT(t, file_get(f) == f);
	KEXPECT_EQ(t, f->refs, 2);
	file_put(f);
	file_put(f);

	KEXPECT(t, !file_open_in(&fs, "/etc/motd", O_WRONLY, &e) && e == -EROFS);
	KEXPECT(t, !file_open_in(&fs, "/etc/motd", O_RDONLY | O_TRUNC, &e) && e == -EROFS);
	KEXPECT(t, !file_open_in(&fs, "/etc/new", O_WRONLY | O_CREAT, &e) && e == -EROFS);
	KEXPECT(t, !file_open_in(&fs, "/etc/motd", O_CREAT | O_EXCL, &e) && e == -EEXIST);
	KEXPECT(t, !file_open_in(&fs, "/etc/motd", O_DIRECTORY, &e) && e == -ENOTDIR);
	KEXPECT(t, !file_open_in(&fs, "/etc", O_RDWR, &e) && e == -EISDIR);
	KEXPECT(t, !file_open_in(&fs, "/init", O_NOFOLLOW, &e) && e == -ELOOP);
	KEXPECT(t, !file_open_in(&fs, "/loop1", O_RDONLY, &e) && e == -ELOOP);
	f = file_open_in(&fs, "/dev/console", O_RDONLY, &e); /* 5/1: the console's driver */
	KEXPECT(t, f != NULL);
	file_put(f);
	KEXPECT(t, !file_open_in(&fs, "/nope", O_RDONLY, &e) && e == -ENOENT);
	f = file_open_in(&fs, "/etc", O_RDONLY | O_DIRECTORY, &e);
	KASSERT(t, f != NULL);
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), -EISDIR);
	KEXPECT_EQ(t, file_llseek(f, 0, SEEK_END), -EINVAL);
	file_put(f);
	ramfs_destroy(&fs);
}

KTEST(fs, getdents64_records)
{
	static uint8_t dents[DENTS_BYTES];
	struct ramfs fs;
	char err[RAMFS_ERR_MAX];
	int e = 0;

	KASSERT_EQ(t, unpack_test_tree(&fs, err), 0);
	struct file *f = file_open_in(&fs, "/", O_RDONLY | O_DIRECTORY, &e);
	KASSERT(t, f != NULL);
	long n = file_getdents64(f, dents, sizeof(dents));
	KASSERT(t, n > 0);
	size_t pos = 0;
	unsigned i = 0;
	/* Archive order after "." and "..": build() wrote etc, init, loop1, loop2, dev. */
	static const char *const order[] = { ".", "..", "etc", "init", "loop1", "loop2", "dev" };
	static const uint8_t order_types[] = { DT_DIR, DT_DIR, DT_DIR, DT_LNK,
		                               DT_LNK, DT_LNK, DT_DIR };
	while (pos < (size_t)n) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + pos);
		KASSERT(t, i < 7);
		KEXPECT_STREQ(t, d->d_name, order[i]);
		KEXPECT_EQ(t, d->d_type, order_types[i]);
		KEXPECT_EQ(t, d->d_off, i + 1);
		KEXPECT_EQ(t, d->d_reclen % DIRENT64_ALIGN, 0);
		KEXPECT_EQ(t, d->d_reclen,
		           ALIGN_UP(offsetof(struct linux_dirent64, d_name) + strlen(order[i]) + 1,
		                    DIRENT64_ALIGN));
		KEXPECT(t, d->d_ino != 0);
		pos += d->d_reclen;
		i++;
	}
	KEXPECT_EQ(t, i, 7);
	KEXPECT_EQ(t, file_getdents64(f, dents, sizeof(dents)), 0);
	/* From the start again, a buffer for exactly one record gives one record per call. */
	KEXPECT_EQ(t, file_llseek(f, 0, SEEK_SET), 0);
	KEXPECT_EQ(t, file_getdents64(f, dents, 8), -EINVAL);
	KEXPECT_EQ(t, file_getdents64(f, dents, 24), 24);
	KEXPECT_STREQ(t, ((struct linux_dirent64 *)dents)->d_name, ".");
	KEXPECT_EQ(t, file_getdents64(f, dents, 24), 24);
	KEXPECT_STREQ(t, ((struct linux_dirent64 *)dents)->d_name, "..");
	KEXPECT_EQ(t, f->pos, 2);
	file_put(f);
	ramfs_destroy(&fs);
}

KTEST(fs, stat_fields)
{
	struct ramfs fs;
	struct strata_stat st;
	struct ramfs_inode *ino;
	char err[RAMFS_ERR_MAX];

	KASSERT_EQ(t, unpack_test_tree(&fs, err), 0);
	KASSERT_EQ(t, ramfs_lookup(&fs, "/init", 0, &ino), 0);
	KASSERT_EQ(t, file_stat(ino, &st), 0);
	KEXPECT_EQ(t, st.mode, S_IFREG | 0644);
	KEXPECT_EQ(t, st.size, 17);
	KEXPECT_EQ(t, st.nlink, 1);
	KEXPECT_EQ(t, st.uid, 1000);
	KEXPECT_EQ(t, st.blksize, 4096);
	KEXPECT_EQ(t, st.blocks, 1);
	KEXPECT_EQ(t, st.ino, ino->ino);
	KASSERT_EQ(t, ramfs_lookup(&fs, "/dev/console", 0, &ino), 0);
	KASSERT_EQ(t, file_stat(ino, &st), 0);
	KEXPECT_EQ(t, st.mode, S_IFCHR | 0600);
	KEXPECT_EQ(t, st.rdev_major, 5);
	KEXPECT_EQ(t, st.rdev_minor, 1);
	KASSERT_EQ(t, ramfs_lookup(&fs, "/", 0, &ino), 0);
	KASSERT_EQ(t, file_stat(ino, &st), 0);
	KEXPECT_EQ(t, st.mode, S_IFDIR | 0755);
	KEXPECT_EQ(t, st.nlink, 4); /* ".", its entry, and ".." of etc and dev */
	KEXPECT_EQ(t, file_stat(NULL, &st), -EINVAL);
	ramfs_destroy(&fs);
}

KTEST(fs, refused_archive_leaves_nothing_allocated)
{
	struct ramfs fs;
	char err[RAMFS_ERR_MAX];
	uint64_t free0, objs0, free1, objs1;

	size_t off = add(0, ".", S_IFDIR | 0755, NULL);
	off = off ? add(off, "bin", S_IFDIR | 0755, NULL) : 0;
	off = off ? add(off, "bin/sh", S_IFREG | 0755, "#!\n") : 0;
	off = off ? add(off, "bin/../x", S_IFREG | 0644, "x") : 0;
	off = off ? add(off, CPIO_TRAILER, 0, NULL) : 0;
	KASSERT(t, off > 0);

	stress_snapshot(&free0, &objs0);
	KASSERT_EQ(t, ramfs_init(&fs), 0);
	KEXPECT_EQ(t, ramfs_unpack(&fs, arch, off, err, sizeof(err)), -EINVAL);
	KEXPECT_STREQ(t, err, "entry 3 'bin/../x': '..' in path");
	ramfs_destroy(&fs);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);

	/* A good archive, unpacked and torn down, gives everything back too. */
	size_t len = build();
	KASSERT(t, len > 0);
	KASSERT_EQ(t, ramfs_init(&fs), 0);
	KEXPECT_EQ(t, ramfs_unpack(&fs, arch, len, err, sizeof(err)), 0);
	ramfs_destroy(&fs);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}
