/*
 * memfd: anonymous memory files over a shared memory object (see include/fs/memfd.h).
 *
 * Design: file->priv is a struct memfd holding the object (one reference, the file's), the
 * seals, the inode number, the sleeping lock and the name. The object's size is the file's
 * size and its pages are the file's bytes, so read/write/lseek/fstat only look at the object:
 * a read copies from the pages present and zeros for the holes (nothing allocated, as shmem
 * reads a hole through the zero page); a write gets each page from the object's pager
 * (allocated zeroed on first use) after growing the object once to the write's end, and
 * shrinks it back to what was written when a user page faults (Linux grows the size page by
 * page as it writes; the end result is the same). As Linux 6.1's generic_perform_write, which
 * faults the source in before it makes the page, a piece whose first source byte cannot be
 * read ends the write before any page is made for it. Page bytes are reached through the direct
 * map (the shared pager allocates them from lowmem) or a kmap slot otherwise.
 *
 * Sizes are checked against MEMFD_MAX_SIZE (the object keeps a 32-bit size); positions, as
 * Linux's, may go up to MAX_LFS_FILESIZE, reading 0 bytes there and writing -EFBIG.
 *
 * Locking: see include/fs/memfd.h. The lock is the pipe's pattern: a flag and a wait queue,
 * tested with interrupts off.
 */
#include "fs/memfd.h"

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/page_size.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/page.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "sched/wait.h"
#include "x86/cpu.h"

#define MEMFD_DEV_MINOR  5u    /* st_dev 0:5: an anonymous device of its own (Linux: shm_mnt's) */
#define MEMFD_MODE       0777u /* S_IRWXUGO, as shmem_file_setup */
#define MAX_LFS_FILESIZE 0xFFFFFFFF000ll /* Linux i386: ULONG_MAX pages; lseek stops there */
#define ZERO_CHUNK       256u            /* bytes of the zero buffer holes are read from */
#define PAGE_OFF_MASK    (PAGE_SIZE - 1u)

struct memfd {
	struct vm_object *obj;   /* the bytes; size is the file's size */
	uint64_t ino;            /* st_ino */
	uint32_t seals;          /* F_SEAL_*; changed under the lock */
	bool locked;             /* a writer, truncate or F_ADD_SEALS holds the lock */
	struct wait_queue lockq; /* tasks waiting for it */
	char name[];             /* "memfd:NAME", for /proc/PID/fd's links when they come */
};

static const uint8_t zeros[ZERO_CHUNK];
static uint64_t next_ino = 1; /* changed with interrupts off */

/* Take @m's lock (sleeps while another task holds it). */
static void memfd_lock(struct memfd *m)
{
	uint32_t flags = irq_save();

	while (m->locked)
		wait_queue_sleep(&m->lockq);
	m->locked = true;
	irq_restore(flags);
}

/* Release it and wake whoever waits. */
static void memfd_unlock(struct memfd *m)
{
	uint32_t flags = irq_save();

	m->locked = false;
	wake_up(&m->lockq);
	irq_restore(flags);
}

/* The kernel address of @pg's bytes (direct map, else a kmap slot), or NULL (no slot). */
static uint8_t *page_map(struct page *pg)
{
	void *va = page_address(pg);

	return va ? va : kmap(page_to_pfn(pg));
}

/* Undo page_map(@pg) that gave @va. */
static void page_unmap(struct page *pg, uint8_t *va)
{
	if (!page_address(pg))
		kunmap(va);
}

/* Copy @n zero bytes into @to. Returns the bytes copied (short only at a faulting page). */
static size_t copy_zeros(struct iov_iter *to, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t want = MIN(n - done, (size_t)ZERO_CHUNK);
		size_t got = iter_copy_to(to, zeros, want);
		done += got;
		if (got < want)
			break;
	}
	return done;
}

/* True when the next byte of @from can be read (the iterator is left where it was). */
static bool readable(const struct iov_iter *from)
{
	struct iov_iter probe = *from;
	uint8_t byte;

	return iter_copy_from(&probe, &byte, 1) == 1;
}

/*
 * read: from the position up to the size, page by page. Returns the bytes (0 at or past the
 * end), -EFAULT when none could be delivered, -ENOMEM when no kmap slot was free.
 */
static long memfd_read(struct file *f, struct iov_iter *to)
{
	struct memfd *m = f->priv;
	size_t done = 0;
	long rc = 0;

	while (to->count > 0) {
		uint64_t size = m->obj->size;
		if ((uint64_t)f->pos >= size)
			break;
		uint32_t pos = (uint32_t)f->pos, off = pos & PAGE_OFF_MASK;
		size_t n = MIN((size_t)(PAGE_SIZE - off), (size_t)(size - pos));
		n = MIN(n, to->count);
		struct page *pg = vm_object_peek_page(m->obj, pos >> PAGE_SHIFT);
		size_t got;
		if (!pg) {
			got = copy_zeros(to, n); /* a hole */
		} else {
			uint8_t *va = page_map(pg);
			if (!va) {
				put_page(pg);
				rc = -ENOMEM;
				break;
			}
			got = iter_copy_to(to, va + off, n);
			page_unmap(pg, va);
			put_page(pg);
		}
		f->pos += (int64_t)got;
		done += got;
		if (got < n) {
			rc = -EFAULT;
			break;
		}
	}
	return done ? (long)done : rc;
}

/*
 * write: at the position (the end with O_APPEND), growing the file. Returns the bytes
 * written; -EFBIG (the position is at MEMFD_MAX_SIZE or past it), -EPERM (F_SEAL_GROW and the
 * first page's piece ends past the size, as shmem_write_begin), -EFAULT (nothing could be
 * copied), -ENOMEM.
 */
static long memfd_write(struct file *f, struct iov_iter *from)
{
	struct memfd *m = f->priv;
	struct vm_object *obj = m->obj;
	size_t done = 0;
	long rc = 0;

	if (from->count == 0)
		return 0;
	memfd_lock(m);
	uint64_t old = obj->size;
	uint64_t pos = (f->flags & O_APPEND) ? old : (uint64_t)f->pos;
	if (pos >= MEMFD_MAX_SIZE) {
		rc = -EFBIG;
		goto out;
	}
	uint64_t end = MIN(pos + from->count, MEMFD_MAX_SIZE);
	bool grow_sealed = m->seals & F_SEAL_GROW;
	if (end > old && !grow_sealed && (rc = vm_object_resize(obj, end)) < 0)
		goto out;
	while (pos < end) {
		uint32_t off = (uint32_t)pos & PAGE_OFF_MASK;
		size_t n = (size_t)MIN((uint64_t)(PAGE_SIZE - off), end - pos);
		struct page *pg;
		if (grow_sealed && pos + n > old) {
			rc = -EPERM;
			break;
		}
		if (!readable(from)) { /* as 6.1's fault-in before write_begin: no page made */
			rc = -EFAULT;
			break;
		}
		if ((rc = vm_object_get_page(obj, (uint32_t)(pos >> PAGE_SHIFT), &pg)) < 0)
			break;
		uint8_t *va = page_map(pg);
		if (!va) {
			put_page(pg);
			rc = -ENOMEM;
			break;
		}
		size_t got = iter_copy_from(from, va + off, n);
		page_unmap(pg, va);
		put_page(pg);
		pos += got;
		done += got;
		if (got < n) {
			rc = -EFAULT;
			break;
		}
	}
	uint64_t last = done ? MAX(old, pos) : old;
	if (obj->size > last) /* a fault stopped it: the file ends where the bytes do */
		vm_object_resize(obj, last);
	f->pos = (int64_t)pos;
out:
	memfd_unlock(m);
	return done ? (long)done : rc;
}

/*
 * The SEEK_DATA/SEEK_HOLE answer from @off (0 <= @off < size): the first byte at or after
 * @off in a page present (data) or absent (hole; the size when there is none); -ENXIO when
 * there is no data.
 */
static int64_t seek_data_hole(struct vm_object *obj, int64_t off, bool data)
{
	uint64_t size = obj->size;

	for (uint32_t i = (uint32_t)(off >> PAGE_SHIFT); i < obj->npages; i++) {
		struct page *pg = vm_object_peek_page(obj, i);
		if (pg)
			put_page(pg);
		if (!pg != data) {
			int64_t at = (int64_t)i << PAGE_SHIFT;
			return MAX(at, off);
		}
	}
	return data ? -ENXIO : (int64_t)size;
}

/*
 * lseek as shmem_file_llseek: SEEK_SET/CUR/END anywhere in [0, MAX_LFS_FILESIZE] (-EINVAL
 * outside, as Linux's vfs_setpos), SEEK_DATA/SEEK_HOLE within the size (-ENXIO outside).
 */
static int64_t memfd_llseek(struct file *f, int64_t off, int whence)
{
	struct memfd *m = f->priv;
	int64_t size = (int64_t)m->obj->size, base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE: {
		if (off < 0 || off >= size)
			return -ENXIO;
		int64_t pos = seek_data_hole(m->obj, off, whence == SEEK_DATA);
		if (pos >= 0)
			f->pos = pos;
		return pos;
	}
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > MAX_LFS_FILESIZE - off) || base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	return f->pos;
}

/* fstat: an unlinked regular file, 0777, its size, the pages present as blocks. Returns 0. */
static int memfd_stat(struct file *f, struct strata_stat *st)
{
	struct memfd *m = f->priv;

	memset(st, 0, sizeof(*st));
	st->ino = m->ino;
	st->mode = S_IFREG | MEMFD_MODE;
	st->nlink = 0;
	st->dev_minor = MEMFD_DEV_MINOR;
	st->size = m->obj->size;
	st->blksize = FILE_BLKSIZE;
	st->blocks = (uint64_t)m->obj->cached * (PAGE_SIZE / FILE_BLOCK_SIZE);
	return 0;
}

/* The last reference to the file: drop its reference to the object (mappings keep theirs). */
static void memfd_release(struct file *f)
{
	struct memfd *m = f->priv;

	vm_object_put(m->obj);
	kfree(m);
}

/* mmap: the object itself, with one more reference for the caller. Never NULL. */
static struct vm_object *memfd_mmap_object(struct file *f)
{
	struct memfd *m = f->priv;

	vm_object_get(m->obj);
	return m->obj;
}

static const struct file_ops memfd_ops = {
	.read = memfd_read,
	.write = memfd_write,
	.llseek = memfd_llseek,
	.stat = memfd_stat,
	.release = memfd_release,
	.mmap_object = memfd_mmap_object,
};

int memfd_open(const char *name, unsigned flags, struct file **out)
{
	size_t len = strlen(name);
	size_t prefix = sizeof(MFD_NAME_PREFIX) - 1;
	struct memfd *m;
	struct file *f;

	if (len > MFD_NAME_MAX)
		return -EINVAL;
	m = kzalloc(sizeof(*m) + prefix + len + 1, KM_KERNEL);
	if (!m)
		return -ENOMEM;
	m->obj = vm_object_shared(0);
	if (!m->obj) {
		kfree(m);
		return -ENOMEM;
	}
	memcpy(m->name, MFD_NAME_PREFIX, prefix);
	memcpy(m->name + prefix, name, len + 1);
	m->seals = (flags & MFD_ALLOW_SEALING) ? 0 : F_SEAL_SEAL;
	wait_queue_init(&m->lockq);
	uint32_t irq = irq_save();
	m->ino = next_ino++;
	irq_restore(irq);
	f = file_alloc(&memfd_ops, NULL, O_RDWR | O_LARGEFILE, m);
	if (!f) {
		vm_object_put(m->obj);
		kfree(m);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

bool memfd_is(const struct file *f)
{
	return f->ops == &memfd_ops;
}

/* Zero the bytes of the page holding @size from @size to the page's end, if it is present. */
static void zero_tail(struct vm_object *obj, uint64_t size)
{
	uint32_t off = (uint32_t)size & PAGE_OFF_MASK;
	struct page *pg;

	if (off == 0 || !(pg = vm_object_peek_page(obj, (uint32_t)(size >> PAGE_SHIFT))))
		return;
	uint8_t *va = page_map(pg);
	if (va) { /* no slot: cannot happen for the shared pager's lowmem pages */
		memset(va + off, 0, PAGE_SIZE - off);
		page_unmap(pg, va);
	}
	put_page(pg);
}

int memfd_truncate(struct file *f, uint64_t size)
{
	struct memfd *m = f->priv;
	int rc = 0;

	if (size > MEMFD_MAX_SIZE)
		return -EFBIG;
	memfd_lock(m);
	uint64_t old = m->obj->size;
	if ((size < old && (m->seals & F_SEAL_SHRINK)) ||
	    (size > old && (m->seals & F_SEAL_GROW))) {
		rc = -EPERM;
	} else if (size != old) {
		if (size < old)
			zero_tail(m->obj, size);
		rc = vm_object_resize(m->obj, size);
	}
	memfd_unlock(m);
	return rc;
}

/* F_ADD_SEALS on the memfd @f (open for writing): as memfd_fcntl. */
static long add_seals(struct file *f, uint32_t seals)
{
	struct memfd *m = f->priv;
	long rc = 0;

	memfd_lock(m);
	if (m->seals & F_SEAL_SEAL)
		rc = -EPERM;
	else if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		rc = -EINVAL; /* not supported (include/fs/memfd.h) */
	else
		m->seals |= seals;
	memfd_unlock(m);
	return rc;
}

long memfd_fcntl(struct file *f, unsigned cmd, unsigned long arg)
{
	switch (cmd) {
	case F_GET_SEALS:
		return memfd_is(f) ? (long)((struct memfd *)f->priv)->seals : -EINVAL;
	case F_ADD_SEALS: /* Linux's order: the access mode, the seal bits, then the file */
		if ((f->flags & O_ACCMODE) == O_RDONLY)
			return -EPERM;
		if (arg & ~(unsigned long)F_ALL_SEALS)
			return -EINVAL;
		if (!memfd_is(f))
			return -EINVAL;
		return add_seals(f, (uint32_t)arg);
	default:
		return -EINVAL;
	}
}
