/*
 * ramfs: the RAM file system the initramfs is unpacked into (see include/fs/ramfs.h).
 *
 * Design: inodes are kmalloc'd one by one with their name; a directory's children are a
 * kmalloc'd array grown by doubling (readdir by index, lookup by a linear scan: an initramfs
 * directory holds tens of entries, not thousands). File data is borrowed from the archive.
 * Teardown is iterative (the tree may be as deep as a 4096-byte name allows, too deep to
 * recurse on a 16 KiB kernel stack): descend to a leaf, free it, drop it from its parent.
 * Path walks are iterative too; only symbolic-link targets recurse, at most MAXSYMLINKS deep.
 */
#include "fs/ramfs.h"

#include "fs/cpio.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

#define RAMFS_ROOT_MODE   (S_IFDIR | 0755u)
#define RAMFS_FIRST_INO   1u
#define RAMFS_DIR_MIN_CAP 4u

/* A new inode named @name (@len bytes) of @mode; unlinked. NULL when memory ran out. */
static struct ramfs_inode *inode_new(struct ramfs *fs, const char *name, size_t len, uint32_t mode)
{
	struct ramfs_inode *ino = kzalloc(sizeof(*ino), KM_KERNEL);
	if (!ino)
		return NULL;
	ino->name = kmalloc(len + 1, KM_KERNEL);
	if (!ino->name) {
		kfree(ino);
		return NULL;
	}
	memcpy(ino->name, name, len);
	ino->name[len] = '\0';
	ino->mode = mode;
	ino->ino = fs->next_ino++;
	ino->dev_minor = fs->dev_minor;
	ino->nlink = S_ISDIR(mode) ? 2 : 1;
	ino->parent = ino;
	return ino;
}

/* Free one inode that has no children left (its own storage only). */
static void inode_free(struct ramfs_inode *ino)
{
	if (S_ISDIR(ino->mode))
		kfree(ino->dir.children);
	else if (S_ISLNK(ino->mode))
		kfree(ino->target);
	kfree(ino->name);
	kfree(ino);
}

/* Free @top and everything below it, without recursion. */
static void subtree_free(struct ramfs_inode *top)
{
	struct ramfs_inode *cur = top;

	while (cur) {
		if (S_ISDIR(cur->mode) && cur->dir.count > 0) {
			cur = cur->dir.children[cur->dir.count - 1];
			continue;
		}
		struct ramfs_inode *parent = cur == top ? NULL : cur->parent;
		inode_free(cur);
		if (parent)
			parent->dir.count--;
		cur = parent;
	}
}

int ramfs_init(struct ramfs *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->next_ino = RAMFS_FIRST_INO;
	fs->dev_minor = RAMFS_DEV_MINOR;
	fs->root = inode_new(fs, "", 0, RAMFS_ROOT_MODE);
	return fs->root ? 0 : -ENOMEM;
}

void ramfs_destroy(struct ramfs *fs)
{
	if (fs->root)
		subtree_free(fs->root);
	memset(fs, 0, sizeof(*fs));
}

struct ramfs_inode *ramfs_child_at(const struct ramfs_inode *dir, uint32_t index)
{
	if (!dir || !S_ISDIR(dir->mode) || index >= dir->dir.count)
		return NULL;
	return dir->dir.children[index];
}

struct ramfs_inode *ramfs_find_child(const struct ramfs_inode *dir, const char *name, size_t len)
{
	if (!dir || !S_ISDIR(dir->mode))
		return NULL;
	if (dir->dyn &&
	    dir->dyn->lookup) { /* its names first: "self" is not sought past /proc's files */
		struct ramfs_inode *dyn = dir->dyn->lookup((struct ramfs_inode *)dir, name, len);
		if (dyn)
			return dyn;
	}
	char first = len ? name[0] : '\0'; /* most names differ there: no strncmp call */
	for (uint32_t i = 0; i < dir->dir.count; i++) {
		struct ramfs_inode *c = dir->dir.children[i];
		if (c->name[0] == first && strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
			return c;
	}
	return NULL;
}

void ramfs_inode_hold(struct ramfs_inode *ino)
{
	if (ino && ino->dyn && ino->dyn->hold)
		ino->dyn->hold(ino);
}

void ramfs_inode_drop(struct ramfs_inode *ino)
{
	if (ino && ino->dyn && ino->dyn->drop)
		ino->dyn->drop(ino);
}

int ramfs_readlink(const struct ramfs_inode *ino, char *buf, size_t size)
{
	if (!ino || !S_ISLNK(ino->mode))
		return -EINVAL;
	size_t n = ino->size < size ? ino->size : size;
	memcpy(buf, ino->target, n);
	return (int)n;
}

/* ---- lookup ------------------------------------------------------------------------------ */

/*
 * Walk @path from @start (the root when @path is absolute). @links counts the symbolic links
 * followed so far in this lookup. Returns 0 with *@out, or -errno as ramfs_lookup().
 */
static int walk(const struct ramfs *fs, struct ramfs_inode *start, const char *path,
                bool follow_last, unsigned *links, struct ramfs_inode **out)
{
	size_t plen = strnlen(path, PATH_MAX);
	if (plen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (plen == 0)
		return -ENOENT;
	bool must_be_dir = path[plen - 1] == '/';
	struct ramfs_inode *cur = path[0] == '/' ? fs->root : start;
	const char *p = path;

	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		const char *end = p;
		while (*end && *end != '/')
			end++;
		size_t n = (size_t)(end - p);
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		if (!S_ISDIR(cur->mode))
			return -ENOTDIR;
		const char *rest = end;
		while (*rest == '/')
			rest++;
		bool last = *rest == '\0';
		struct ramfs_inode *next;
		if (n == 1 && p[0] == '.')
			next = cur;
		else if (n == 2 && p[0] == '.' && p[1] == '.')
			next = cur->parent;
		else
			next = ramfs_find_child(cur, p, n);
		if (!next)
			return -ENOENT;
		if (next->mounted)
			next = next->mounted;
		if (S_ISLNK(next->mode) && (!last || follow_last || must_be_dir)) {
			if (++*links > MAXSYMLINKS)
				return -ELOOP;
			int rc = walk(fs, cur, next->target, true, links, &next);
			if (rc < 0)
				return rc;
		}
		cur = next;
		p = end;
	}
	if (must_be_dir && !S_ISDIR(cur->mode))
		return -ENOTDIR;
	*out = cur;
	return 0;
}

int ramfs_lookup(const struct ramfs *fs, const char *path, unsigned flags, struct ramfs_inode **out)
{
	return ramfs_lookup_at(fs, NULL, path, flags, out);
}

int ramfs_lookup_at(const struct ramfs *fs, struct ramfs_inode *start, const char *path,
                    unsigned flags, struct ramfs_inode **out)
{
	unsigned links = 0;

	if (!fs || !fs->root || !path || !out)
		return -EINVAL;
	if (start && !S_ISDIR(start->mode))
		return -ENOTDIR;
	return walk(fs, start ? start : fs->root, path, !(flags & RAMFS_NOFOLLOW), &links, out);
}

/* ---- unpacking ------------------------------------------------------------------------- */

/* Append @child to the directory @dir. Returns 0 or -ENOMEM (nothing changed). */
static int dir_add(struct ramfs_inode *dir, struct ramfs_inode *child)
{
	if (dir->dir.count == dir->dir.capacity) {
		uint32_t cap = dir->dir.capacity ? dir->dir.capacity * 2 : RAMFS_DIR_MIN_CAP;
		void *a = krealloc(dir->dir.children, cap * sizeof(*dir->dir.children), KM_KERNEL);
		if (!a)
			return -ENOMEM;
		dir->dir.children = a;
		dir->dir.capacity = cap;
	}
	dir->dir.children[dir->dir.count++] = child;
	child->parent = dir;
	if (S_ISDIR(child->mode))
		dir->nlink++;
	return 0;
}

struct ramfs_inode *ramfs_add(struct ramfs *fs, struct ramfs_inode *dir, const char *name,
                              uint32_t mode)
{
	size_t len = strnlen(name, NAME_MAX + 1);

	if (!dir || !S_ISDIR(dir->mode) || len == 0 || len > NAME_MAX || strchr(name, '/') ||
	    ramfs_find_child(dir, name, len))
		return NULL;
	struct ramfs_inode *ino = inode_new(fs, name, len, mode);
	if (ino && dir_add(dir, ino) < 0) {
		inode_free(ino);
		ino = NULL;
	}
	return ino;
}

int ramfs_mount(struct ramfs_inode *dir, struct ramfs *sub)
{
	struct ramfs_inode *root = sub->root;

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir->mounted || root->parent != root)
		return -EBUSY;
	size_t len = strlen(dir->name);
	char *name = kmalloc(len + 1, KM_KERNEL);
	if (!name)
		return -ENOMEM;
	memcpy(name, dir->name, len + 1);
	kfree(root->name);
	root->name = name;
	root->parent = dir->parent;
	dir->mounted = root;
	return 0;
}

/* Log an entry that is skipped and count it. */
static void skip_entry(struct ramfs *fs, const struct cpio_entry *e, const char *why)
{
	pr_warn("initramfs: entry %u '%.*s': skipped: %s\n", e->index, CPIO_ERR_NAME_MAX, e->name,
	        why);
	fs->stats.skipped++;
}

/* Copy the archive's attributes of @e into @ino. */
static void set_attrs(struct ramfs_inode *ino, const struct cpio_entry *e)
{
	ino->mode = e->mode;
	ino->uid = e->uid;
	ino->gid = e->gid;
	ino->mtime = e->mtime;
	ino->rdev_major = e->rdevmajor;
	ino->rdev_minor = e->rdevminor;
}

/*
 * Make the inode for @e (not the root). Returns 0 (made, or skipped with a log line), or
 * -ENOMEM.
 */
static int unpack_entry(struct ramfs *fs, const struct cpio_entry *e)
{
	uint32_t type = e->mode & S_IFMT;
	if (!S_ISREG(type) && !S_ISDIR(type) && !S_ISLNK(type) && !S_ISCHR(type) &&
	    !S_ISBLK(type) && !S_ISFIFO(type) && !S_ISSOCK(type)) {
		skip_entry(fs, e, "unknown file type");
		return 0;
	}
	/* Split off the last component; trailing slashes belong to no component. */
	size_t len = strlen(e->name);
	while (len > 0 && e->name[len - 1] == '/')
		len--;
	size_t base = len;
	while (base > 0 && e->name[base - 1] != '/')
		base--;
	const char *leaf = e->name + base;
	size_t leaf_len = len - base;
	if (leaf_len > NAME_MAX) {
		skip_entry(fs, e, "name component too long");
		return 0;
	}
	if (leaf_len == 1 && leaf[0] == '.') {
		skip_entry(fs, e, "'.' as a name");
		return 0;
	}

	/* The parent must exist and be a directory (Linux does not create missing parents). */
	struct ramfs_inode *parent = fs->root;
	if (base > 0) {
		char *dirpath = kmalloc(base + 1, KM_KERNEL);
		if (!dirpath)
			return -ENOMEM;
		memcpy(dirpath, e->name, base);
		dirpath[base] = '\0';
		int rc = ramfs_lookup(fs, dirpath, 0, &parent);
		kfree(dirpath);
		if (rc == -ENOENT || rc == -ENOTDIR || (rc == 0 && !S_ISDIR(parent->mode))) {
			skip_entry(fs, e, "parent directory missing");
			return 0;
		}
		if (rc < 0) {
			skip_entry(fs, e, "parent directory cannot be resolved");
			return 0;
		}
	}
	if (S_ISLNK(type) && (e->filesize == 0 || e->filesize >= PATH_MAX)) {
		skip_entry(fs, e, "symbolic link target empty or too long");
		return 0;
	}

	struct ramfs_inode *old = ramfs_find_child(parent, leaf, leaf_len);
	if (old && S_ISDIR(old->mode)) {
		if (!S_ISDIR(type)) {
			skip_entry(fs, e, "would replace a directory");
			return 0;
		}
		set_attrs(old, e); /* as Linux: an existing directory takes the new attributes */
		return 0;
	}

	struct ramfs_inode *ino = inode_new(fs, leaf, leaf_len, e->mode);
	if (!ino)
		return -ENOMEM;
	set_attrs(ino, e);
	if (S_ISREG(type)) {
		ino->data = e->data;
		ino->size = e->filesize;
	} else if (S_ISLNK(type)) {
		ino->target = kmalloc(e->filesize + 1, KM_KERNEL);
		if (!ino->target) {
			inode_free(ino);
			return -ENOMEM;
		}
		memcpy(ino->target, e->data, e->filesize);
		ino->target[e->filesize] = '\0';
		ino->size = e->filesize;
	}
	if (old) {
		/* Replace the old non-directory in its slot. */
		for (uint32_t i = 0; i < parent->dir.count; i++)
			if (parent->dir.children[i] == old)
				parent->dir.children[i] = ino;
		ino->parent = parent;
		inode_free(old);
	} else if (dir_add(parent, ino) < 0) {
		inode_free(ino);
		return -ENOMEM;
	}
	if (S_ISREG(type))
		fs->stats.files++;
	else if (S_ISDIR(type))
		fs->stats.dirs++;
	else if (S_ISLNK(type))
		fs->stats.symlinks++;
	else
		fs->stats.others++;
	return 0;
}

int ramfs_unpack(struct ramfs *fs, const void *buf, size_t len, char *err, size_t errlen)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int rc;

	if (!fs->root) {
		ksnprintf(err, errlen, "no root directory");
		return -EINVAL;
	}
	cpio_iter_init(&it, buf, len);
	while ((rc = cpio_next(&it, &e)) > 0) {
		fs->stats.entries++;
		if (e.name[0] == '\0') { /* "." : the root itself */
			if (S_ISDIR(e.mode)) {
				set_attrs(fs->root, &e);
				fs->stats.dirs++;
			} else {
				skip_entry(fs, &e, "the root must be a directory");
			}
			continue;
		}
		if (unpack_entry(fs, &e) < 0) {
			ksnprintf(err, errlen, "entry %u '%.*s': out of memory", e.index,
			          CPIO_ERR_NAME_MAX, e.name);
			return -ENOMEM;
		}
	}
	if (rc < 0) {
		ksnprintf(err, errlen, "%s", it.err);
		return rc;
	}
	fs->stats.bytes = len;
	err[0] = '\0';
	return 0;
}
