/*
 * procfs_pid: the per-process directories of /proc — /proc/PID/ with stat, statm, status,
 * maps, smaps_rollup, cmdline, comm, oom_score, oom_score_adj, limits — and /proc/self, a
 * symbolic link to the reader's own directory (see include/fs/procfs.h).
 *
 * Design: /proc's root is a dynamic ramfs directory (include/fs/ramfs.h, struct
 * ramfs_dyn_ops): a name of digits naming a live or zombie process, or "self", is looked up
 * here, and the root's listing adds "self" and one entry per process after the table's files.
 * A process's directory is made at its first lookup, as ONE allocation (struct pid_dir: the
 * directory inode, the self link and one inode per file, their child array) charged to the
 * kernel, and lives while its process does or something holds it: an open file or a working
 * directory in it (ramfs_inode_hold/drop count pid_dir.holds). When the process is freed
 * (proc_set_free_hook) the directory forgets it (proc = NULL): files open in it then read
 * -ESRCH (after the text they already made, as Linux's seq_file), a new lookup of the pid
 * finds nothing (-ENOENT), and the memory goes with the last hold.
 *
 * The texts are the emitters of include/sched/proc_files.h, run with interrupts off while the
 * process is looked up and checked alive, so the struct proc and its address space cannot
 * change or go under them (one CPU).
 *
 * Locking: pid_dirs, each pid_dir's proc and holds change with interrupts off. A lookup's
 * result is held for its walker: the calling task's pin (task->fs_pin, pin_walk) keeps the
 * directory until that task's next /proc walk or its reaping, so a process freed while the
 * walker is preempted between the walk and its open, stat or chdir frees nothing in use.
 */
#include "fs/procfs.h"
#include "kernel/syscall.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "procfs_internal.h"
#include "sched/proc.h"
#include "sched/task.h"
#include "sched/proc_files.h"
#include "x86/cpu.h"
#include "x86/timer.h"

#define PID_DIR_MODE   (S_IFDIR | 0555u)
#define PID_LINK_MODE  (S_IFLNK | 0777u)
#define PID_NAME_MAX   12u         /* "2147483647" and its NUL */
#define POS_SELF       0x8000      /* /proc listing: "self" after the table's entries */
#define POS_PID_BASE   0x10000     /* then PID at POS_PID_BASE + PID */
#define PID_INO_BASE   0x40000000u /* inode numbers of the per-process entries: */
#define PID_INO_STRIDE 32u         /* base + pid * stride + entry */
#define PID_INO_SELF   (PID_INO_BASE - 1u)

/* One file of a process directory: its name, mode and text. */
struct pid_file {
	const char *name;
	uint16_t mode;
	void (*show)(struct seqbuf *s, struct proc *p);
	long (*write)(struct proc *p, const char *buf, size_t len); /* NULL: read-only */
};

/* /proc/PID/syscalls (Strata's own; Linux has no such count): the system calls the process has
 * made since it was created, one decimal number. */
static void show_syscalls(struct seqbuf *s, struct proc *p)
{
	seq_printf(s, "%llu\n", (unsigned long long)proc_syscall_count(p));
}

static const struct pid_file pid_files[] = {
	{ "cmdline", 0444, proc_show_cmdline, NULL },
	{ "comm", 0644, proc_show_comm, proc_write_comm },
	{ "limits", 0444, proc_show_limits, NULL },
	{ "maps", 0444, proc_show_maps, NULL },
	{ "oom_score", 0444, proc_show_oom_score, NULL },
	{ "oom_score_adj", 0644, proc_show_oom_score_adj, proc_write_oom_score_adj },
	{ "smaps_rollup", 0444, proc_show_smaps_rollup, NULL },
	{ "stat", 0444, proc_show_stat, NULL },
	{ "statm", 0444, proc_show_statm, NULL },
	{ "status", 0444, proc_show_status, NULL },
	{ "syscalls", 0444, show_syscalls, NULL },
};
#define PID_FILES ARRAY_SIZE(pid_files)

/* A process's directory (see the top). */
struct pid_dir {
	struct list_head link; /* pid_dirs */
	int pid;
	struct proc *proc; /* NULL once the process is freed */
	uint32_t holds;    /* open files and working directories on its inodes */
	struct ramfs_inode dir;
	struct ramfs_inode self; /* /proc/self when this process looks */
	struct ramfs_inode files[PID_FILES];
	struct ramfs_inode *children[PID_FILES];
	char name[PID_NAME_MAX]; /* the directory's name, and self's target */
};

static struct list_head pid_dirs = LIST_HEAD_INIT(pid_dirs); /* interrupts off */
static struct ramfs_inode *proc_root;

static const struct ramfs_dyn_ops pid_dyn_ops;
static const struct file_ops pid_dir_ops, pid_file_ops;

/* The directory an inode of it belongs to. */
static struct pid_dir *dir_of(const struct ramfs_inode *ino)
{
	return (struct pid_dir *)(S_ISREG(ino->mode) ? ino->parent->priv : ino->priv);
}

/* Free @d if nothing needs it any more. Interrupts off. */
static void maybe_free(struct pid_dir *d)
{
	if (d->proc || d->holds)
		return;
	list_del(&d->link);
	kfree(d);
}

static void pid_hold(struct ramfs_inode *ino)
{
	uint32_t flags = irq_save();

	dir_of(ino)->holds++;
	irq_restore(flags);
}

static void pid_drop(struct ramfs_inode *ino)
{
	uint32_t flags = irq_save();
	struct pid_dir *d = dir_of(ino);

	d->holds--;
	maybe_free(d);
	irq_restore(flags);
}

/* The proc free hook: the directory of @p forgets it. */
static void pid_forget(struct proc *p)
{
	uint32_t flags = irq_save();
	struct pid_dir *d;

	list_for_each_entry(d, &pid_dirs, link) if (d->proc == p)
	{
		d->proc = NULL;
		maybe_free(d);
		break;
	}
	irq_restore(flags);
}

/* The live directory of @p, or NULL. Interrupts off. */
static struct pid_dir *find_dir(const struct proc *p)
{
	struct pid_dir *d;

	list_for_each_entry(d, &pid_dirs, link) if (d->proc == p) return d;
	return NULL;
}

/*
 * The files' inodes as every directory starts them (procfs_pid_init): all but the inode
 * number, the parent and the time, which dir_new sets after one copy of the lot.
 */
static struct ramfs_inode file_template[PID_FILES];

/* Set inode @index of pid @pid's directory, all of whose fields are zero: named @name, of
 * @mode, in @parent, made at @mtime. */
static void set_inode(struct ramfs_inode *ino, int pid, uint32_t index, const char *name,
                      uint32_t mode, struct ramfs_inode *parent, uint32_t mtime)
{
	ino->ino = PID_INO_BASE + (uint32_t)pid * PID_INO_STRIDE + index;
	ino->mode = mode;
	ino->nlink = S_ISDIR(mode) ? 2 : 1;
	ino->mtime = mtime;
	ino->parent = parent;
	ino->name = (char *)name; /* never freed: these inodes are no ramfs tree's */
	ino->dev_minor = PROC_DEV_MINOR;
	ino->dyn = &pid_dyn_ops;
}

/* Write @pid (> 0) in decimal and a NUL into @buf (PID_NAME_MAX bytes). Returns its length. */
static size_t pid_name(char *buf, int pid)
{
	char digits[PID_NAME_MAX];
	size_t n = 0, len;
	uint32_t v = (uint32_t)pid;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (len = n; n; n--)
		*buf++ = digits[n - 1];
	*buf = '\0';
	return len;
}

/*
 * A new directory for pid @pid, made at @mtime (seconds since the epoch; not linked), or
 * NULL when memory ran out. Every process that reads /proc/self (glibc's start-up looks for
 * /proc/self/exe in every exec) makes one, so the files come from file_template in one copy.
 */
static struct pid_dir *dir_new(int pid, uint32_t mtime)
{
	struct pid_dir *d = kmalloc(sizeof(*d), KM_KERNEL);

	if (!d)
		return NULL;
	list_init(&d->link);
	d->pid = pid;
	d->proc = NULL;
	d->holds = 0;
	size_t len = pid_name(d->name, pid);
	memset(&d->dir, 0, sizeof(d->dir));
	set_inode(&d->dir, pid, 0, d->name, PID_DIR_MODE, proc_root, mtime);
	d->dir.fops = &pid_dir_ops;
	d->dir.priv = d;
	d->dir.dir.children = d->children;
	d->dir.dir.count = d->dir.dir.capacity = PID_FILES;
	memset(&d->self, 0, sizeof(d->self));
	set_inode(&d->self, pid, PID_FILES + 1, "self", PID_LINK_MODE, proc_root, mtime);
	d->self.ino = PID_INO_SELF;
	d->self.priv = d;
	d->self.target = d->name;
	d->self.size = (uint32_t)len;
	memcpy(d->files, file_template, sizeof(file_template));
	for (uint32_t i = 0; i < PID_FILES; i++) {
		d->files[i].ino += (uint32_t)pid * PID_INO_STRIDE;
		d->files[i].parent = &d->dir;
		d->files[i].mtime = mtime;
		d->children[i] = &d->files[i];
	}
	return d;
}

/*
 * The directory of process @pid (0: the caller's), made when it has none. NULL when there is
 * no such process (or no caller process) or memory ran out.
 */
static struct pid_dir *dir_get(int pid)
{
	struct pid_dir *d = NULL, *made = NULL;

	for (;;) {
		uint32_t flags = irq_save();
		struct proc *p = pid ? proc_lookup(pid) : proc_current();
		if (p && !(d = find_dir(p)) && made && made->pid == p->pid) {
			made->proc = p;
			list_add_tail(&made->link, &pid_dirs);
			d = made;
			made = NULL;
		}
		if (d)
			d->holds++; /* the walk's own hold (pin_walk): not freed under the walker */
		int want = p && !d ? p->pid : 0;
		uint32_t started = p ? p->start_tick / HZ : 0;
		irq_restore(flags);
		kfree(made); /* another lookup made it meanwhile, or the process is gone */
		made = NULL;
		if (!want)
			return d;
		if (!(made = dir_new(want, (uint32_t)sys_boot_epoch() + started)))
			return NULL;
	}
}

/* Release a hold on @d taken by a walk (the task's pin). */
static void pin_release(void *pin)
{
	uint32_t flags = irq_save();
	struct pid_dir *d = pin;

	d->holds--;
	maybe_free(d);
	irq_restore(flags);
}

/*
 * @d (held by dir_get for this walk) becomes the calling task's pin, so the walker may use it
 * until its next /proc walk or its end; the previous pin is released. Returns @d.
 */
static struct pid_dir *pin_walk(struct pid_dir *d)
{
	struct task *t = task_current();
	void *old = NULL;

	if (!d)
		return NULL;
	if (t) {
		old = t->fs_pin;
		t->fs_pin = d;
	} else {
		old = d; /* no task to keep it: released at once (boot time only) */
	}
	if (old)
		pin_release(old);
	return d;
}

void procfs_unpin(void)
{
	struct task *t = task_current();
	void *pin = t ? t->fs_pin : NULL;

	if (pin) {
		t->fs_pin = NULL;
		pin_release(pin);
	}
}

/* The root's lookup: a pid's directory, or "self". NULL otherwise. */
static struct ramfs_inode *root_lookup(struct ramfs_inode *dir, const char *name, size_t len)
{
	char buf[PID_NAME_MAX];
	uint32_t pid;
	struct pid_dir *d;

	(void)dir;
	if (len == 4 && !memcmp(name, "self", 4))
		return (d = pin_walk(dir_get(0))) ? &d->self : NULL;
	if (len == 0 || len >= sizeof(buf) || name[0] < '1' || name[0] > '9')
		return NULL; /* the table's files: asked first (ramfs_dyn_ops), refused at once */
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (!parse_decimal(buf, PID_MAX, &pid) || pid == 0)
		return NULL;
	return (d = pin_walk(dir_get((int)pid))) ? &d->dir : NULL;
}

static const struct ramfs_dyn_ops root_dyn_ops = { .lookup = root_lookup };
static const struct ramfs_dyn_ops pid_dyn_ops = { .hold = pid_hold, .drop = pid_drop };

/* ---- the root's listing ---------------------------------------------------------------- */

struct next_pid {
	int from, found;
};

static void next_pid_fn(const struct proc *p, void *ctx)
{
	struct next_pid *n = ctx;

	if (p->pid >= n->from && (n->found == 0 || p->pid < n->found))
		n->found = p->pid;
}

/* The smallest pid >= @from of a process, or 0. */
static int pid_at_or_after(int from)
{
	struct next_pid n = { from, 0 };

	proc_for_each(next_pid_fn, &n);
	return n.found;
}

/*
 * /proc's getdents64: the table's entries (as a ramfs directory), then "self" (when the
 * reader is a process), then one directory per process in pid order (positions
 * POS_PID_BASE + pid, so a listing resumes after the last pid it gave). As file_dir_
 * getdents64.
 */
static long root_getdents64(struct file *f, void *buf, size_t len)
{
	struct ramfs_inode *dir = f->inode;
	long rc = 0;
	size_t used = 0;

	if (f->pos < POS_SELF) {
		rc = file_dir_getdents64(f, buf, len);
		if (rc != 0)
			return rc;
		f->pos = POS_SELF;
	}
	if (f->pos == POS_SELF) {
		struct proc *me = proc_current();
		char name[PID_NAME_MAX] = "self";
		if (me &&
		    !file_put_dirent(buf, len, &used, PID_INO_SELF, POS_PID_BASE, DT_LNK, name))
			return -EINVAL;
		f->pos = POS_PID_BASE;
	}
	for (;;) {
		int pid = pid_at_or_after((int)(f->pos - POS_PID_BASE));
		char name[PID_NAME_MAX];
		if (!pid)
			break;
		pid_name(name, pid);
		if (!file_put_dirent(buf, len, &used, PID_INO_BASE + (uint32_t)pid * PID_INO_STRIDE,
		                     POS_PID_BASE + pid + 1, DT_DIR, name)) {
			if (used == 0)
				return -EINVAL;
			break;
		}
		f->pos = POS_PID_BASE + pid + 1;
	}
	(void)dir;
	return (long)used;
}

/* The root's lseek: SEEK_SET and SEEK_CUR (as a ramfs directory). */
static int64_t root_llseek(struct file *f, int64_t off, int whence)
{
	return file_generic_llseek(f, off, whence, -1);
}

static const struct file_ops root_ops = {
	.llseek = root_llseek,
	.getdents64 = root_getdents64,
};

/* ---- a process directory and its files -------------------------------------------------- */

static int pid_dir_open(struct file *f)
{
	pid_hold(f->inode);
	return 0;
}

static void pid_dir_release(struct file *f)
{
	pid_drop(f->inode);
}

static const struct file_ops pid_dir_ops = {
	.open = pid_dir_open,
	.llseek = root_llseek,
	.getdents64 = file_dir_getdents64,
	.release = pid_dir_release,
};

/* A file's text: its emitter over the live process, or -ESRCH. */
static int pid_show(struct seqbuf *s, const void *arg)
{
	const struct ramfs_inode *ino = arg;
	const struct pid_file *pf = ino->priv;
	uint32_t flags = irq_save();
	struct proc *p = dir_of(ino)->proc;

	if (p)
		pf->show(s, p);
	irq_restore(flags);
	return p ? 0 : -ESRCH;
}

/* A file's write: its handler for the live process, or -ESRCH. */
static long pid_write(const void *arg, const char *buf, size_t len)
{
	const struct ramfs_inode *ino = arg;
	const struct pid_file *pf = ino->priv;
	uint32_t flags = irq_save();
	struct proc *p = dir_of(ino)->proc;
	long rc = p ? pf->write(p, buf, len) : -ESRCH;

	irq_restore(flags);
	return rc;
}

/* A read-only file's write: -EINVAL (Linux's vfs_write on a file without a write op). */
static long pid_write_refused(const void *arg, const char *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return -EINVAL;
}

static int pid_file_open(struct file *f)
{
	const struct pid_file *pf = f->inode->priv;
	int rc = procfs_text_open(f, PROC_SEQ, pid_show, pf->write ? pid_write : pid_write_refused,
	                          f->inode);

	if (rc == 0)
		pid_hold(f->inode);
	return rc;
}

static void pid_file_release(struct file *f)
{
	procfs_text_release(f);
	pid_drop(f->inode);
}

static const struct file_ops pid_file_ops = {
	.open = pid_file_open,
	.read = procfs_text_read,
	.write = procfs_text_write,
	.llseek = procfs_text_llseek,
	.release = pid_file_release,
};

void procfs_pid_init(struct ramfs_inode *root)
{
	for (uint32_t i = 0; i < PID_FILES; i++) {
		struct ramfs_inode *f = &file_template[i];
		set_inode(f, 0, i + 1, pid_files[i].name, S_IFREG | pid_files[i].mode, NULL, 0);
		f->fops = &pid_file_ops;
		f->priv = &pid_files[i];
	}
	proc_root = root;
	root->dyn = &root_dyn_ops;
	root->fops = &root_ops;
	proc_set_free_hook(pid_forget);
	task_set_pin_release(pin_release);
}
