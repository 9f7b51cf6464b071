/* t_files: reading the test data through the file syscalls: open/openat/read/close, _llseek
 * (SEEK_SET/CUR/END), fstat64/stat64/lstat64/statx, getdents64 (all expected names once, with
 * their d_type), symlinks (followed by open and stat, not by O_NOFOLLOW, lstat or readlink),
 * nested directories through openat, and the errors ENOENT, ENOTDIR, ELOOP, EISDIR, EBADF,
 * EINVAL. Needs <data>/hello.txt (HELLO_TEXT), <data>/link -> hello.txt and
 * <data>/dir/nested.txt ("nested\n"). */
#define _GNU_SOURCE
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct dirent64_raw {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int fd_file_for_dirfd(const char *path)
{
	static int fd = -1;
	if (fd < 0)
		fd = open(path, O_RDONLY);
	return fd;
}

int main(void)
{
	const size_t hlen = strlen(HELLO_TEXT);
	char hello[512], link[512], dir[512];
	snprintf(hello, sizeof hello, "%s", data_path("hello.txt"));
	snprintf(link, sizeof link, "%s", data_path("link"));
	snprintf(dir, sizeof dir, "%s", data_dir());

	int fd = syscall(SYS_open, hello, O_RDONLY);
	check(fd >= 3, "open(%s) returns a new fd (%d)", hello, fd);
	char buf[256];
	memset(buf, 0, sizeof buf);
	long n = syscall(SYS_read, fd, buf, sizeof buf);
	check(n == (long)hlen && memcmp(buf, HELLO_TEXT, hlen) == 0,
	      "read returns the known content (%ld bytes)", n);
	check(syscall(SYS_read, fd, buf, sizeof buf) == 0, "read at end of file returns 0");

	long long off = -1;
	check(syscall(SYS__llseek, fd, 0, 6, &off, SEEK_SET) == 0 && off == 6,
	      "_llseek SEEK_SET 6 (%lld)", off);
	n = syscall(SYS_read, fd, buf, 4);
	check(n == 4 && memcmp(buf, HELLO_TEXT + 6, 4) == 0,
	      "read after the seek starts at offset 6");
	check(syscall(SYS__llseek, fd, 0, 0, &off, SEEK_CUR) == 0 && off == 10,
	      "_llseek SEEK_CUR 0 reports 10 (%lld)", off);
	check(syscall(SYS__llseek, fd, (unsigned long)-1, (unsigned long)-5, &off, SEEK_END) == 0 &&
	          off == (long long)hlen - 5,
	      "_llseek SEEK_END -5 (%lld)", off);
	n = syscall(SYS_read, fd, buf, sizeof buf);
	check(n == 5 && memcmp(buf, HELLO_TEXT + hlen - 5, 5) == 0,
	      "read there returns the last 5 bytes");
	check_err(syscall(SYS__llseek, fd, (unsigned long)-1, (unsigned long)-100, &off, SEEK_SET),
	          EINVAL, "_llseek to a negative offset fails");
	check_err(syscall(SYS__llseek, fd, 0, 0, &off, 17), EINVAL, "_llseek with whence 17 fails");
	check(lseek(fd, 1000, SEEK_SET) == 1000 && read(fd, buf, 10) == 0,
	      "seeking past the end is allowed and reads 0");

	struct stat64 st;
	check(syscall(SYS_fstat64, fd, &st) == 0, "fstat64 succeeds");
	check(S_ISREG(st.st_mode) && st.st_size == (long long)hlen,
	      "fstat64: a regular file of %zu bytes (%lld)", hlen, (long long)st.st_size);
	check((st.st_mode & 0111) == 0, "fstat64: hello.txt has no exec bits (mode %o)",
	      st.st_mode & 07777);
	check(st.st_nlink >= 1 && st.st_ino != 0, "fstat64: nlink >= 1, inode number set");
	int fd2 = syscall(SYS_open, hello, O_RDONLY);
	check(fd2 > fd, "a second open returns another fd (%d)", fd2);
	check(lseek(fd2, 0, SEEK_CUR) == 0, "each open has its own offset");
	check_err(syscall(SYS_write, fd2, "x", 1), EBADF, "write to an O_RDONLY fd fails");
	check(syscall(SYS_close, fd2) == 0, "close succeeds");
	check_err(syscall(SYS_close, fd2), EBADF, "closing it again fails");
	check_err(syscall(SYS_read, fd2, buf, 1), EBADF, "read on the closed fd fails");
	int d = dup(fd);
	lseek(fd, 3, SEEK_SET);
	check(d >= 0 && lseek(d, 0, SEEK_CUR) == 3, "a dup'd fd shares the offset");
	close(d);
	close(fd);

	/* stat family and statx */
	struct stat64 s2;
	check(syscall(SYS_stat64, link, &s2) == 0 && S_ISREG(s2.st_mode) &&
	          s2.st_size == (long long)hlen && s2.st_ino == st.st_ino,
	      "stat64 follows the symlink to hello.txt (same inode)");
	check(syscall(SYS_lstat64, link, &s2) == 0 && S_ISLNK(s2.st_mode) && s2.st_size == 9,
	      "lstat64 sees the symlink itself (size 9 = strlen(\"hello.txt\"))");
	check(syscall(SYS_stat64, dir, &s2) == 0 && S_ISDIR(s2.st_mode),
	      "stat64 of the data directory: a directory");
	struct statx sx;
	memset(&sx, 0, sizeof sx);
	check(syscall(SYS_statx, AT_FDCWD, hello, 0, STATX_BASIC_STATS, &sx) == 0 &&
	          (sx.stx_mask & STATX_SIZE) && sx.stx_size == hlen && S_ISREG(sx.stx_mode),
	      "statx: size %llu, a regular file", (unsigned long long)sx.stx_size);
	check(syscall(SYS_statx, AT_FDCWD, link, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) ==
	              0 &&
	          S_ISLNK(sx.stx_mode),
	      "statx with AT_SYMLINK_NOFOLLOW sees the link");
	fd = open(hello, O_RDONLY);
	check(syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0 &&
	          sx.stx_size == hlen,
	      "statx(fd, \"\", AT_EMPTY_PATH) describes the open file");
	close(fd);
	check_err(syscall(SYS_stat64, data_path("missing"), &s2), ENOENT,
	          "stat64 of a missing file fails");

	/* symlinks */
	fd = syscall(SYS_open, link, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
	check(n == (long)hlen && memcmp(buf, HELLO_TEXT, hlen) == 0,
	      "open follows the symlink: the content of hello.txt");
	close(fd);
	check_err(syscall(SYS_open, link, O_RDONLY | O_NOFOLLOW), ELOOP,
	          "open(link, O_NOFOLLOW) fails");
	memset(buf, 0, sizeof buf);
	n = syscall(SYS_readlink, link, buf, sizeof buf);
	check(n == 9 && memcmp(buf, "hello.txt", 9) == 0 && buf[9] == 0,
	      "readlink returns \"hello.txt\", 9 bytes, unterminated");
	n = syscall(SYS_readlink, link, buf, 4);
	check(n == 4 && memcmp(buf, "hell", 4) == 0, "readlink into 4 bytes truncates to 4");
	check_err(syscall(SYS_readlink, hello, buf, sizeof buf), EINVAL,
	          "readlink of a regular file fails");
	check_err(syscall(SYS_readlink, data_path("missing"), buf, sizeof buf), ENOENT,
	          "readlink of a missing path fails");

	/* directories */
	int dfd = syscall(SYS_open, dir, O_RDONLY | O_DIRECTORY);
	check(dfd >= 0, "open(data dir, O_DIRECTORY) succeeds");
	static char dents[8192];
	int seen_dot = 0, seen_dotdot = 0, seen_hello = 0, seen_link = 0, seen_dir = 0, bad = 0;
	for (;;) {
		long got = syscall(SYS_getdents64, dfd, dents, sizeof dents);
		if (got <= 0) {
			check(got == 0, "getdents64 ends with 0 (%ld)", got);
			break;
		}
		for (long pos = 0; pos < got;) {
			struct dirent64_raw *de = (struct dirent64_raw *)(dents + pos);
			if (de->d_reclen == 0 || de->d_reclen % 8) {
				bad = 1;
				break;
			}
			if (!strcmp(de->d_name, "."))
				seen_dot++, bad |= de->d_type != DT_DIR;
			else if (!strcmp(de->d_name, ".."))
				seen_dotdot++, bad |= de->d_type != DT_DIR;
			else if (!strcmp(de->d_name, "hello.txt"))
				seen_hello++, bad |= de->d_type != DT_REG;
			else if (!strcmp(de->d_name, "link"))
				seen_link++, bad |= de->d_type != DT_LNK;
			else if (!strcmp(de->d_name, "dir"))
				seen_dir++, bad |= de->d_type != DT_DIR;
			pos += de->d_reclen;
		}
	}
	check(!bad, "getdents64 records are 8-byte aligned with the right d_type");
	check(seen_dot == 1 && seen_dotdot == 1 && seen_hello == 1 && seen_link == 1 &&
	          seen_dir == 1,
	      "getdents64 lists ., .., hello.txt, link and dir exactly once (%d %d %d %d %d)",
	      seen_dot, seen_dotdot, seen_hello, seen_link, seen_dir);
	lseek(dfd, 0, SEEK_SET);
	check_err(syscall(SYS_getdents64, dfd, dents, 8), EINVAL,
	          "getdents64 into an 8-byte buffer fails");
	check_err(syscall(SYS_read, dfd, buf, 10), EISDIR, "read of a directory fails");
	int sub = syscall(SYS_openat, dfd, "dir", O_RDONLY | O_DIRECTORY);
	check(sub >= 0, "openat(data dir fd, \"dir\", O_DIRECTORY) succeeds");
	int nf = syscall(SYS_openat, sub, "nested.txt", O_RDONLY);
	memset(buf, 0, sizeof buf);
	n = nf >= 0 ? read(nf, buf, sizeof buf) : -1;
	check(n == 7 && memcmp(buf, "nested\n", 7) == 0,
	      "openat(dir fd, \"nested.txt\") reads \"nested\\n\"");
	close(nf);
	nf = syscall(SYS_openat, dfd, "dir/../dir/./nested.txt", O_RDONLY);
	check(nf >= 0, "openat resolves \"dir/../dir/./nested.txt\"");
	close(nf);
	nf = syscall(SYS_openat, AT_FDCWD, data_path("dir/nested.txt"), O_RDONLY);
	check(nf >= 0, "openat(AT_FDCWD, absolute path) succeeds");
	close(nf);
	check_err(syscall(SYS_openat, dfd, "missing", O_RDONLY), ENOENT,
	          "openat of a missing name fails");
	check_err(syscall(SYS_open, hello, O_RDONLY | O_DIRECTORY), ENOTDIR,
	          "open(file, O_DIRECTORY) fails");
	check_err(syscall(SYS_open, data_path("hello.txt/x"), O_RDONLY), ENOTDIR,
	          "a path through a file fails");
	check_err(syscall(SYS_openat, 999, "hello.txt", O_RDONLY), EBADF,
	          "openat with a closed dirfd fails");
	check_err(syscall(SYS_openat, fd_file_for_dirfd(hello), "x", O_RDONLY), ENOTDIR,
	          "openat relative to a file's fd fails");
	close(sub);
	close(dfd);
	return done();
}
