/*
 * procfs: /proc built from the .proc_files table and its file type (see include/fs/procfs.h
 * and include/lib/procfile.h for the reading and writing rules).
 *
 * Design: the tree is a ramfs of its own whose files are synthetic inodes (fops = proc_ops,
 * priv = the table row); opening one makes a struct proc_open for the file. A text is made by
 * running the row's emitter into a kmalloc'd buffer, from PROC_TEXT_MIN bytes doubled while
 * the emitter overflows it (Linux's seq_file grows its buffer the same way), up to
 * PROC_TEXT_MAX. A seq_file's text is kept until the position moves away from where the last
 * read left it (an lseek, a pread elsewhere): the next read then makes it anew, as Linux's
 * seq_read compares its read_pos. Writes are copied into a kernel buffer and handed to the
 * row's write handler whole.
 */
#include "fs/procfs.h"

#include "procfs_internal.h"

#include "fs/file.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/procfile.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "sched/wait.h"

#define PROC_TEXT_MIN  4096u      /* the first buffer an emitter gets */
#define PROC_TEXT_MAX  (1u << 20) /* the largest: past it a read is -ENOMEM */
#define PROC_WRITE_MAX 4096u      /* bytes of a write handed on (sysctl parses 4095) */
#define PROC_DIR_MODE  (S_IFDIR | 0555u)
#define PROC_PATH_MAX  128u /* bytes of a table path */

/* The state of one open /proc file. */
struct proc_open {
	struct sleep_lock lock; /* guards the fields below and f->pos while a call runs */
	char *text;             /* PROC_SEQ: the text made at the first read, or NULL */
	size_t len;             /* its bytes */
	int64_t read_pos;       /* the position the last read left; another one: make anew */
	uint16_t kind;          /* PROC_SEQ or PROC_SYSCTL */
	proc_show_fn show;      /* makes the text from arg */
	proc_write_fn write;    /* takes writes, or NULL (-EIO) */
	const void *arg;        /* the table row, or the per-process inode */
};

static struct ramfs proc_tree;
static bool proc_ready;

struct ramfs *procfs_tree(void)
{
	return proc_ready ? &proc_tree : NULL;
}

/*
 * Run @po's show into a new buffer (charged to the kernel): *@text, *@len. Returns 0, -ENOMEM
 * when no buffer up to PROC_TEXT_MAX holds the text or memory ran out, or show's -errno.
 */
static int make_text(const struct proc_open *po, char **text, size_t *len)
{
	for (size_t size = PROC_TEXT_MIN; size <= PROC_TEXT_MAX; size *= 2) {
		char *buf = kmalloc(size, KM_KERNEL);
		struct seqbuf s;
		int rc;

		if (!buf)
			return -ENOMEM;
		seq_init(&s, buf, size);
		if ((rc = po->show(&s, po->arg)) < 0) {
			kfree(buf);
			return rc;
		}
		if (!s.overflow) {
			*text = buf;
			*len = s.len;
			return 0;
		}
		kfree(buf);
	}
	return -ENOMEM;
}

/* Copy @text[pos..len) into @to and advance the position. Bytes, 0 past the end, -EFAULT. */
static long copy_text(struct file *f, struct iov_iter *to, const char *text, size_t len)
{
	if (f->pos >= (int64_t)len || to->count == 0)
		return 0;
	size_t got = iter_copy_to(to, text + f->pos, MIN(len - (size_t)f->pos, to->count));
	if (got == 0)
		return -EFAULT;
	f->pos += (int64_t)got;
	return (long)got;
}

int procfs_text_open(struct file *f, uint16_t kind, proc_show_fn show, proc_write_fn write,
                     const void *arg)
{
	struct proc_open *po = kzalloc(sizeof(*po), KM_KERNEL);

	if (!po)
		return -ENOMEM;
	sleep_lock_init(&po->lock);
	po->kind = kind;
	po->show = show;
	po->write = write;
	po->arg = arg;
	f->priv = po;
	return 0;
}

/* A table row's text: its emitter (which cannot fail). */
static int row_show(struct seqbuf *s, const void *arg)
{
	const struct proc_file *pf = arg;

	pf->show(s, pf);
	return 0;
}

static long row_write(const void *arg, const char *buf, size_t len)
{
	const struct proc_file *pf = arg;

	return pf->write(pf, buf, len);
}

/* open of a table row's file. 0 or -ENOMEM. */
static int proc_open(struct file *f)
{
	const struct proc_file *pf = f->inode->priv;

	return procfs_text_open(f, pf->kind, row_show, pf->write ? row_write : NULL, pf);
}

void procfs_text_release(struct file *f)
{
	struct proc_open *po = f->priv;

	kfree(po->text);
	kfree(po);
}

/*
 * read: PROC_SEQ from the kept text (made anew when the position moved elsewhere);
 * PROC_SYSCTL only at position 0. Bytes, 0 at the end, -EFAULT, -ENOMEM.
 */
long procfs_text_read(struct file *f, struct iov_iter *to)
{
	struct proc_open *po = f->priv;
	long rc = 0;

	sleep_lock(&po->lock);
	if (po->kind == PROC_SYSCTL) {
		char *text;
		size_t len;
		if (f->pos == 0 && to->count && (rc = make_text(po, &text, &len)) == 0) {
			rc = copy_text(f, to, text, len);
			kfree(text);
		}
	} else {
		if (!po->text || f->pos != po->read_pos) {
			kfree(po->text);
			po->text = NULL;
			rc = make_text(po, &po->text, &po->len);
		}
		if (rc == 0)
			rc = copy_text(f, to, po->text, po->len);
		po->read_pos = f->pos;
	}
	sleep_unlock(&po->lock);
	return rc;
}

/*
 * write: the bytes to the row's handler (-EIO without one); a sysctl write at a position
 * other than 0 is accepted and ignored. Bytes consumed, -EFAULT, -ENOMEM, or the handler's
 * -errno.
 */
long procfs_text_write(struct file *f, struct iov_iter *from)
{
	struct proc_open *po = f->priv;
	size_t n = MIN(from->count, (size_t)PROC_WRITE_MAX);
	long rc;

	if (!po->write)
		return -EIO;
	if (n == 0)
		return 0;
	char *buf = kmalloc(n, KM_NORMAL);
	if (!buf)
		return -ENOMEM;
	sleep_lock(&po->lock);
	if (po->kind == PROC_SYSCTL && f->pos != 0) {
		rc = (long)from->count; /* sysctl_writes_strict: ignored, counted as written */
		f->pos += rc;
	} else if (iter_copy_from(from, buf, n) < n) {
		rc = -EFAULT;
	} else {
		rc = po->write(po->arg, buf, n);
		if (rc > 0 && po->kind == PROC_SYSCTL)
			f->pos += rc;
	}
	sleep_unlock(&po->lock);
	kfree(buf);
	return rc;
}

/*
 * lseek: PROC_SEQ as seq_lseek (SEEK_SET, SEEK_CUR; SEEK_END -EINVAL), PROC_SYSCTL as
 * default_llseek (SEEK_END from size 0). The new position, or -EINVAL (negative, bad whence).
 */
int64_t procfs_text_llseek(struct file *f, int64_t off, int whence)
{
	struct proc_open *po = f->priv;

	sleep_lock(&po->lock);
	int64_t rc = file_generic_llseek(f, off, whence, po->kind == PROC_SEQ ? -1 : 0);
	sleep_unlock(&po->lock);
	return rc;
}

static const struct file_ops proc_ops = {
	.open = proc_open,
	.read = procfs_text_read,
	.write = procfs_text_write,
	.llseek = procfs_text_llseek,
	.release = procfs_text_release,
};

/* ---- the tree ------------------------------------------------------------------------------ */

/* Add the row @pf to the tree, making its directories. 0, -EEXIST, -EINVAL, -ENOMEM. */
static int add_row(const struct proc_file *pf)
{
	char path[PROC_PATH_MAX];
	struct ramfs_inode *dir = proc_tree.root;

	if (strlen(pf->path) >= sizeof(path) || !pf->show)
		return -EINVAL;
	memcpy(path, pf->path, strlen(pf->path) + 1);
	char *name = path;
	for (char *slash; (slash = strchr(name, '/')); name = slash + 1) {
		*slash = '\0';
		struct ramfs_inode *sub = ramfs_find_child(dir, name, strlen(name));
		if (!sub)
			sub = ramfs_add(&proc_tree, dir, name, PROC_DIR_MODE);
		if (!sub || !S_ISDIR(sub->mode))
			return sub ? -EEXIST : -ENOMEM;
		dir = sub;
	}
	if (ramfs_find_child(dir, name, strlen(name)))
		return -EEXIST;
	struct ramfs_inode *ino = ramfs_add(&proc_tree, dir, name, S_IFREG | (pf->mode & 07777u));
	if (!ino)
		return -ENOMEM;
	ino->fops = &proc_ops;
	ino->priv = pf;
	return 0;
}

/* The directory /proc of the root file system, made when missing. NULL when out of memory. */
static struct ramfs_inode *mount_point(void)
{
	struct ramfs *root = fs_root();
	struct ramfs_inode *dir;

	if (!root || !root->root)
		return NULL;
	if (ramfs_lookup(root, "/proc", 0, &dir) == 0)
		return dir;
	return ramfs_add(root, root->root, "proc", PROC_DIR_MODE);
}

int procfs_init(void)
{
	const char *what = "out of memory";
	unsigned n = 0;
	int rc = ramfs_init(&proc_tree);

	if (rc == 0) {
		proc_tree.dev_minor = proc_tree.root->dev_minor = PROC_DEV_MINOR;
		proc_tree.root->mode = PROC_DIR_MODE;
		for (const struct proc_file *pf = __proc_files_start; pf < __proc_files_end; pf++) {
			if ((rc = add_row(pf)) < 0) {
				what = pf->path;
				break;
			}
			n++;
		}
	}
	if (rc == 0) {
		procfs_pid_init(proc_tree.root);
		struct ramfs_inode *dir = mount_point();
		rc = dir ? ramfs_mount(dir, &proc_tree) : -ENOMEM;
		what = "/proc";
	}
	if (rc < 0) {
		pr_err("procfs: not mounted: %s: error %d\n", what, rc);
		ramfs_destroy(&proc_tree);
		return rc;
	}
	proc_ready = true;
	pr_info("procfs: %u files mounted on /proc\n", n);
	return 0;
}
