/*
 * Guest tests of /proc (kernel/fs/procfs.c) through the ordinary file layer: it is mounted
 * (lookups cross into it, ".." leads back to the root, st_dev is its own), /proc/meminfo is
 * the monitor's emitter read in any chunk size with Linux's seq_file rules (end of file, lseek
 * back makes the text anew, SEEK_END -EINVAL, writes -EIO), and the sysctl files read "N\n"
 * only at position 0 and set the overcommit policy from a write, refusing garbage with
 * -EINVAL and changing nothing. A process's directory /proc/PID is listed while it lives,
 * opens and reads its files, and after the process is collected is -ENOENT to open, -ESRCH to
 * read from a file opened before (one already read goes on with its text), and goes from
 * memory with the last file. Each test ends with exactly the free memory and live slab
 * objects it started with (countfree), so an open file's state is seen to go with it.
 */
#include "fs/file.h"
#include "fs/procfs.h"
#include "fs/ramfs.h"
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/seqbuf.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "sched/proc.h"
#include "sched/stress.h"

#define TEXT_MAX  8192 /* room for meminfo */
#define OM_PATH   "/proc/sys/vm/overcommit_memory"
#define OR_PATH   "/proc/sys/vm/overcommit_ratio"
#define OWN_MINOR PROC_DEV_MINOR

/* Read all of @f in chunks of @chunk bytes into @buf (@cap). Returns the bytes or -errno. */
static long read_chunks(struct file *f, char *buf, size_t cap, size_t chunk)
{
	long n, total = 0;

	while ((size_t)total < cap && (n = file_read(f, buf + total, MIN(chunk, cap - total))) > 0)
		total += n;
	return n < 0 ? n : total;
}

KTEST(procfs, mounted_on_proc)
{
	struct ramfs_inode *ino, *root;
	struct strata_stat st;

	KASSERT(t, procfs_tree() != NULL);
	KASSERT_EQ(t, ramfs_lookup(fs_root(), "/proc", 0, &ino), 0);
	KEXPECT(t, ino == procfs_tree()->root);
	KEXPECT_EQ(t, ino->mode, (uint32_t)(S_IFDIR | 0555));
	KASSERT_EQ(t, ramfs_lookup(fs_root(), "/proc/sys/vm/../../..", 0, &root), 0);
	KEXPECT(t, root == fs_root()->root);
	KASSERT_EQ(t, ramfs_lookup(fs_root(), "/proc/meminfo", 0, &ino), 0);
	KASSERT_EQ(t, file_stat(ino, &st), 0);
	KEXPECT_EQ(t, st.mode, (uint32_t)(S_IFREG | 0444));
	KEXPECT_EQ(t, st.size, 0u);
	KEXPECT_EQ(t, st.dev_minor, OWN_MINOR);
	KASSERT_EQ(t, ramfs_lookup(fs_root(), OM_PATH, 0, &ino), 0);
	KASSERT_EQ(t, file_stat(ino, &st), 0);
	KEXPECT_EQ(t, st.mode, (uint32_t)(S_IFREG | 0644));
	KASSERT_EQ(t, ramfs_lookup(fs_root(), "/", 0, &ino), 0);
	KASSERT_EQ(t, file_stat(ino, &st), 0);
	KEXPECT_EQ(t, st.dev_minor, RAMFS_DEV_MINOR);
}

KTEST(procfs, directory_listing)
{
	uint64_t free0, objs0, free1, objs1;
	char buf[512];
	int err = 0;

	stress_snapshot(&free0, &objs0);
	struct file *d = file_open("/proc/sys/vm", O_RDONLY | O_DIRECTORY, &err);
	KASSERT(t, d != NULL);
	long n = file_getdents64(d, buf, sizeof(buf));
	KASSERT(t, n > 0);
	bool om = false, ratio = false, drop = false;
	int count = 0;
	for (long off = 0; off < n; count++) {
		struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + off);
		om |= !strcmp(e->d_name, "overcommit_memory") && e->d_type == DT_REG;
		ratio |= !strcmp(e->d_name, "overcommit_ratio") && e->d_type == DT_REG;
		drop |= !strcmp(e->d_name, "drop_caches") && e->d_type == DT_REG;
		off += e->d_reclen;
	}
	KEXPECT(t, om && ratio && drop);
	KEXPECT_EQ(t, count, 5); /* ".", "..", the three files */
	KEXPECT_EQ(t, file_getdents64(d, buf, sizeof(buf)), 0);
	file_put(d);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(procfs, meminfo_reads_as_seq_file)
{
	uint64_t free0, objs0, free1, objs1;
	char *whole = kmalloc(TEXT_MAX, KM_KERNEL), *bytes = kmalloc(TEXT_MAX, KM_KERNEL);
	char *emitted = kmalloc(TEXT_MAX, KM_KERNEL);
	struct seqbuf s;
	int err = 0;

	KASSERT(t, whole && bytes && emitted);
	stress_snapshot(&free0, &objs0);
	struct file *f = file_open("/proc/meminfo", O_RDONLY, &err);
	KASSERT(t, f != NULL);
	long n = read_chunks(f, whole, TEXT_MAX, TEXT_MAX);
	KASSERT(t, n > 0 && n < TEXT_MAX);
	KEXPECT(t, !strncmp(whole, "MemTotal:", 9));
	KEXPECT_EQ(t, whole[n - 1], '\n');
	KEXPECT_EQ(t, file_read(f, bytes, 16), 0); /* at the end: 0, and again */
	KEXPECT_EQ(t, file_read(f, bytes, 16), 0);
	/* the same emitter as the monitor's: the same lines (MemTotal never moves) */
	seq_init(&s, emitted, TEXT_MAX);
	mm_meminfo_show(&s);
	KEXPECT(t, !s.overflow);
	KEXPECT_EQ(t, (long)s.len, n);
	KEXPECT(t, !memcmp(emitted, whole, (size_t)(strchr(whole, '\n') - whole)));
	/* back to 0: one byte at a time gives the same length, line by line the same names */
	KEXPECT_EQ(t, file_llseek(f, 0, SEEK_SET), 0);
	KEXPECT_EQ(t, read_chunks(f, bytes, TEXT_MAX, 1), n);
	KEXPECT(t, !memcmp(bytes, whole, 24)); /* "MemTotal:" and its value */
	KEXPECT_EQ(t, file_llseek(f, 0, SEEK_END), -EINVAL);
	KEXPECT_EQ(t, file_llseek(f, -1, SEEK_SET), -EINVAL);
	KEXPECT_EQ(t, file_llseek(f, 100000, SEEK_SET), 100000);
	KEXPECT_EQ(t, file_read(f, bytes, 16), 0);
	KEXPECT_EQ(t, file_write(f, "x", 1), -EBADF); /* opened read-only */
	file_put(f);
	f = file_open("/proc/meminfo", O_WRONLY, &err);
	KASSERT(t, f != NULL);
	KEXPECT_EQ(t, file_write(f, "x", 1), -EIO); /* Linux's pde_write with no handler */
	file_put(f);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
	kfree(whole);
	kfree(bytes);
	kfree(emitted);
}

KTEST(procfs, overcommit_sysctls)
{
	uint64_t free0, objs0, free1, objs1;
	enum overcommit_mode mode0, mode;
	uint32_t ratio0, ratio;
	char buf[16];
	int err = 0;

	vm_commit_get_policy(&mode0, &ratio0);
	stress_snapshot(&free0, &objs0);
	struct file *f = file_open(OM_PATH, O_RDWR, &err);
	KASSERT(t, f != NULL);
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 2);
	KEXPECT_EQ(t, buf[0], (char)('0' + mode0));
	KEXPECT_EQ(t, buf[1], '\n');
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 0); /* only at position 0 */
	KEXPECT_EQ(t, file_llseek(f, 1, SEEK_SET), 1);
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 0);
	KEXPECT_EQ(t, file_llseek(f, 0, SEEK_SET), 0);
	KEXPECT_EQ(t, file_read(f, buf, 1), 1); /* a short buffer: the digit, then the end */
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 0);

	KEXPECT_EQ(t, file_llseek(f, 0, SEEK_SET), 0);
	KEXPECT_EQ(t, file_write(f, "2\n", 2), 2);
	vm_commit_get_policy(&mode, &ratio);
	KEXPECT_EQ(t, mode, OVERCOMMIT_NEVER);
	KEXPECT_EQ(t, file_write(f, "1", 1), 1); /* at position 2: accepted, ignored */
	vm_commit_get_policy(&mode, &ratio);
	KEXPECT_EQ(t, mode, OVERCOMMIT_NEVER);
	static const char *const bad[] = { "3", "-1", "x", "\n", "1x", "99999999999" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		KEXPECT_EQ(t, file_llseek(f, 0, SEEK_SET), 0);
		KEXPECT_EQ(t, file_write(f, bad[i], strlen(bad[i])), -EINVAL);
		KEXPECT_EQ(t, f->pos, 0);
	}
	vm_commit_get_policy(&mode, &ratio);
	KEXPECT_EQ(t, mode, OVERCOMMIT_NEVER);
	KEXPECT_EQ(t, ratio, ratio0);
	KEXPECT_EQ(t, file_write(f, "1", 1), 1);
	vm_commit_get_policy(&mode, &ratio);
	KEXPECT_EQ(t, mode, OVERCOMMIT_ALWAYS);
	file_put(f);

	f = file_open(OR_PATH, O_WRONLY | O_TRUNC, &err); /* as a shell's `echo 80 > ...` */
	KASSERT(t, f != NULL);
	KEXPECT_EQ(t, file_write(f, "80\n", 3), 3);
	vm_commit_get_policy(&mode, &ratio);
	KEXPECT_EQ(t, ratio, 80u);
	KEXPECT_EQ(t, file_read(f, buf, sizeof(buf)), -EBADF);
	file_put(f);
	vm_commit_set_policy(mode0, ratio0);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

/* Does a listing of /proc hold the name @name? */
static bool proc_lists(const char *name)
{
	static char buf[4096];
	int err;
	bool found = false;
	struct file *d = file_open("/proc", O_RDONLY | O_DIRECTORY, &err);
	long n;

	if (!d)
		return false;
	while ((n = file_getdents64(d, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			const struct linux_dirent64 *e = (const void *)(buf + off);
			found |= !strcmp(e->d_name, name);
			off += e->d_reclen;
		}
	file_put(d);
	return found;
}

KTEST(procfs, pid_directory_lifecycle)
{
	char *argv[] = { "/builtin/uhello", "sleep", NULL };
	static char buf[2048];
	char path[48], name[16];
	uint64_t free0, objs0, free1, objs1;
	int err, status;
	int pid = proc_spawn(argv[0], argv, NULL, false);

	/* a first run fills the page cache with the program for good: not counted */
	KASSERT(t, pid > 0);
	proc_kill(pid, SIGKILL);
	proc_wait_kernel(pid, &status);
	stress_snapshot(&free0, &objs0);
	pid = proc_spawn(argv[0], argv, NULL, false);
	KASSERT(t, pid > 0);
	ksnprintf(name, sizeof(name), "%d", pid);
	KEXPECT(t, proc_lists(name));
	ksnprintf(path, sizeof(path), "/proc/%d/stat", pid);
	struct file *held = file_open(path, O_RDONLY, &err);
	KASSERT(t, held != NULL);
	ksnprintf(path, sizeof(path), "/proc/%d/status", pid);
	struct file *read_first = file_open(path, O_RDONLY, &err);
	KASSERT(t, read_first != NULL);
	KEXPECT_EQ(t, file_read(read_first, buf, 12), 12);
	KEXPECT(t, !memcmp(buf, "Name:\tuhello", 12));
	ksnprintf(path, sizeof(path), "/proc/%d/statm", pid);
	struct file *f = file_open(path, O_RDONLY, &err);
	KASSERT(t, f != NULL);
	KEXPECT(t, file_read(f, buf, sizeof(buf)) > 0);
	file_put(f);
	KEXPECT(t, file_open("/proc/self", O_RDONLY, &err) == NULL && err == -ENOENT); /* a task */

	KEXPECT_EQ(t, proc_kill(pid, SIGKILL), 0);
	KEXPECT_EQ(t, proc_wait_kernel(pid, &status), 0);
	KEXPECT_EQ(t, status, W_SIGNALED(SIGKILL));
	ksnprintf(path, sizeof(path), "/proc/%d/stat", pid);
	KEXPECT(t, file_open(path, O_RDONLY, &err) == NULL && err == -ENOENT);
	ksnprintf(path, sizeof(path), "/proc/%d", pid);
	KEXPECT(t, file_open(path, O_RDONLY, &err) == NULL && err == -ENOENT);
	KEXPECT(t, !proc_lists(name));
	KEXPECT_EQ(t, file_read(held, buf, sizeof(buf)), -ESRCH);
	KEXPECT_EQ(t, file_read(read_first, buf, 3), 3); /* the text it made */
	KEXPECT(t, !memcmp(buf, "\nUm", 3));
	file_put(held);
	file_put(read_first);
	procfs_unpin(); /* the directory this task's last walk found: freed now, nothing holds it */
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}
