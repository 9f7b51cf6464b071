/*
 * fdtable: per-process descriptor tables (see include/fs/fdtable.h).
 *
 * Design: a plain array of slots indexed by descriptor, FD_SLOTS_INITIAL at first, then
 * straight to FD_SLOTS_GROWN (a page block, which goes back to the free pool the moment it is
 * freed: no slab of a middle size class is left behind by a process that once had many
 * descriptors) and doubling from there (krealloc); the lowest free descriptor is found by a scan
 * from the minimum (tables are small: a scan of a few dozen slots costs less than keeping a bitmap
 * in step). A process's table hangs off struct proc.files; the process layer calls the hooks
 * registered by files_init() at fork, exec and exit.
 */
#include "fs/fdtable.h"

#include "fs/devices.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "sched/proc.h"

struct fdtable *fdtable_create(void)
{
	struct fdtable *t = kzalloc(sizeof(*t), KM_KERNEL);

	if (!t)
		return NULL;
	t->slots = kzalloc(FD_SLOTS_INITIAL * sizeof(*t->slots), KM_KERNEL);
	if (!t->slots) {
		kfree(t);
		return NULL;
	}
	t->capacity = FD_SLOTS_INITIAL;
	t->limit = FD_NOFILE_DEFAULT;
	t->umask = FD_UMASK_DEFAULT;
	return t;
}

struct fdtable *fdtable_create_console(void)
{
	struct fdtable *t = fdtable_create();
	struct file *con = t ? console_open() : NULL;

	if (!con) {
		fdtable_destroy(t);
		return NULL;
	}
	for (uint32_t fd = 0; fd < FD_CONSOLE_FDS; fd++)
		t->slots[fd].file = fd ? file_get(con) : con;
	return t;
}

struct fdtable *fdtable_dup(const struct fdtable *t)
{
	struct fdtable *c = kzalloc(sizeof(*c), KM_KERNEL);

	if (!c)
		return NULL;
	c->slots = kmalloc(t->capacity * sizeof(*c->slots), KM_KERNEL);
	if (!c->slots) {
		kfree(c);
		return NULL;
	}
	memcpy(c->slots, t->slots, t->capacity * sizeof(*c->slots));
	for (uint32_t fd = 0; fd < t->capacity; fd++)
		if (c->slots[fd].file)
			file_get(c->slots[fd].file);
	c->capacity = t->capacity;
	c->limit = t->limit;
	c->cwd = t->cwd;
	ramfs_inode_hold(c->cwd); /* a /proc/PID directory stays while a cwd is in it */
	c->umask = t->umask;
	return c;
}

/* Empty slot @fd and drop its file. */
static void slot_close(struct fdtable *t, uint32_t fd)
{
	struct file *f = t->slots[fd].file;

	t->slots[fd].file = NULL;
	t->slots[fd].cloexec = false;
	file_put(f);
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (uint32_t fd = 0; fd < t->capacity; fd++)
		if (t->slots[fd].file && t->slots[fd].cloexec)
			slot_close(t, fd);
}

void fdtable_destroy(struct fdtable *t)
{
	if (!t)
		return;
	for (uint32_t fd = 0; fd < t->capacity; fd++)
		if (t->slots[fd].file)
			slot_close(t, fd);
	ramfs_inode_drop(t->cwd);
	kfree(t->slots);
	kfree(t);
}

/* Make slot @fd exist (grow the array by doubling). 0 or -ENOMEM. */
static int ensure_slot(struct fdtable *t, uint32_t fd)
{
	uint32_t cap = t->capacity;

	if (fd < cap)
		return 0;
	cap = MAX(cap, FD_SLOTS_GROWN);
	while (cap <= fd)
		cap *= 2;
	struct fd_slot *s = krealloc(t->slots, cap * sizeof(*s), KM_KERNEL);
	if (!s)
		return -ENOMEM;
	memset(s + t->capacity, 0, (cap - t->capacity) * sizeof(*s));
	t->slots = s;
	t->capacity = cap;
	return 0;
}

int fd_find_free(const struct fdtable *t, uint32_t minfd)
{
	uint32_t fd = minfd;

	if (minfd >= t->limit)
		return -EINVAL;
	while (fd < t->capacity && t->slots[fd].file)
		fd++;
	return fd < t->limit ? (int)fd : -EMFILE;
}

int fd_install(struct fdtable *t, struct file *f, uint32_t minfd, bool cloexec)
{
	int fd = fd_find_free(t, minfd);

	if (fd < 0)
		return fd;
	int rc = ensure_slot(t, (uint32_t)fd);
	if (rc < 0)
		return rc;
	t->slots[fd].file = f;
	t->slots[fd].cloexec = cloexec;
	return fd;
}

/* The open slot @fd, or NULL. */
static struct fd_slot *slot_of(const struct fdtable *t, int fd)
{
	if (fd < 0 || (uint32_t)fd >= t->capacity || !t->slots[fd].file)
		return NULL;
	return &t->slots[fd];
}

struct file *fd_get(const struct fdtable *t, int fd)
{
	struct fd_slot *s = slot_of(t, fd);

	return s ? file_get(s->file) : NULL;
}

int fd_close(struct fdtable *t, int fd)
{
	if (!slot_of(t, fd))
		return -EBADF;
	slot_close(t, (uint32_t)fd);
	return 0;
}

int fd_dup2(struct fdtable *t, int oldfd, int newfd, bool cloexec)
{
	struct fd_slot *old = slot_of(t, oldfd);

	if (!old || newfd < 0 || (uint32_t)newfd >= t->limit)
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	int rc = ensure_slot(t, (uint32_t)newfd);
	if (rc < 0)
		return rc;
	old = &t->slots[oldfd]; /* the array may have moved */
	struct file *prev = t->slots[newfd].file;
	t->slots[newfd].file = file_get(old->file);
	t->slots[newfd].cloexec = cloexec;
	file_put(prev);
	return newfd;
}

int fd_get_cloexec(const struct fdtable *t, int fd)
{
	struct fd_slot *s = slot_of(t, fd);

	return s ? (s->cloexec ? FD_CLOEXEC : 0) : -EBADF;
}

int fd_set_cloexec(struct fdtable *t, int fd, bool cloexec)
{
	struct fd_slot *s = slot_of(t, fd);

	if (!s)
		return -EBADF;
	s->cloexec = cloexec;
	return 0;
}

uint32_t fdtable_count(const struct fdtable *t)
{
	uint32_t n = 0;

	for (uint32_t fd = 0; fd < t->capacity; fd++)
		n += t->slots[fd].file != NULL;
	return n;
}

struct fdtable *fdtable_of(struct proc *p)
{
	if (!p)
		return NULL;
	if (!p->files)
		p->files = fdtable_create_console();
	return p->files;
}

struct fdtable *fdtable_current(void)
{
	return fdtable_of(proc_current());
}

struct ramfs_inode *fd_cwd_current(void)
{
	struct proc *p = proc_current();

	return p && p->files ? ((struct fdtable *)p->files)->cwd : NULL;
}

/* ---- the process hooks ---------------------------------------------------------------------- */

/* fork: the child gets a copy of the parent's table (or a fresh console one). */
static int files_fork(struct proc *child, const struct proc *parent)
{
	child->files = parent->files ? fdtable_dup(parent->files) : fdtable_create_console();
	return child->files ? 0 : -ENOMEM;
}

/* exec: close the close-on-exec descriptors. */
static void files_exec(struct proc *p)
{
	if (p->files)
		fdtable_close_on_exec(p->files);
}

/* exit: close everything. */
static void files_exit(struct proc *p)
{
	fdtable_destroy(p->files);
	p->files = NULL;
}

void files_init(void)
{
	static const struct proc_files_ops ops = { files_fork, files_exec, files_exit };

	proc_set_files_ops(&ops);
}
