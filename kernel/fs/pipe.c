/*
 * pipe: anonymous pipes over a ring buffer (see include/fs/pipe.h).
 *
 * Design: one struct pipe, shared by its two ends through file->priv, holds a PIPE_SIZE ring
 * (one page straight from the page allocator, so it is back in the free pool the moment the
 * pipe goes — no slab keeps it — and charged to the kernel, as the files are: a pipe
 * outlives whoever made it),
 * counts of open read and write ends, and two wait queues: readers wait on rq for bytes or
 * for the last writer to go, writers on wq for room or for the last reader to go. Copies
 * go straight between the ring and the caller's iterator.
 *
 * Locking: `len`, `rpos`, the end counts and the wait queues change with interrupts off,
 * and every wait tests its condition with interrupts off (wait_queue_sleep), so no wake-up
 * is lost. A reader or writer also holds the pipe's sleeping lock (`lock`, include/sched/wait.h)
 * while it copies, since a copy may be preempted and the two ends may be shared by several
 * processes; the lock is never held while waiting for bytes or room. Every change a poller
 * could see (bytes, room, an end closed) also calls poll_notify (include/fs/poll.h). Bytes in
 * [rpos, rpos + len) (mod PIPE_SIZE) are only read by the lock holder and the rest of the
 * ring only written by it.
 */
#include "fs/pipe.h"

#include "fs/devices.h"
#include "fs/poll.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/wait.h"

#define PIPEFS_DEV_MINOR 12u   /* st_dev 0:12, an anonymous device as Linux's pipefs */
#define PIPE_MODE        0600u /* fstat's permission bits, as Linux's */

_Static_assert(PIPE_SIZE == PAGE_SIZE, "the ring is one page");

struct pipe {
	struct page *page;      /* the ring's page (lowmem: GFP_KERNEL) */
	char *buf;              /* PIPE_SIZE bytes: its direct-map address */
	uint32_t rpos;          /* ring index of the first unread byte */
	uint32_t len;           /* unread bytes */
	uint32_t readers;       /* open read ends (struct files, not descriptors) */
	uint32_t writers;       /* open write ends */
	struct sleep_lock lock; /* held by a reader or writer while it copies */
	struct wait_queue rq;   /* readers waiting for bytes or EOF */
	struct wait_queue wq;   /* writers waiting for room or for the readers to go */
	uint32_t ino;           /* fstat's inode number */
};

static uint32_t next_pipe_ino = 1; /* changed with interrupts off */

/* Take the pipe's lock (sleeps while another task copies). */
static void pipe_lock(struct pipe *p)
{
	sleep_lock(&p->lock);
}

/* Release the lock and wake whoever waits for it. */
static void pipe_unlock(struct pipe *p)
{
	sleep_unlock(&p->lock);
}

/*
 * True when a waiter may go on: a reader (@need 0) when there are bytes or no writer is
 * left; a writer when @need bytes are free or no reader is left. Interrupts off.
 */
static bool pipe_ready(const struct pipe *p, uint32_t need)
{
	if (need == 0)
		return p->len > 0 || p->writers == 0;
	return p->readers == 0 || PIPE_SIZE - p->len >= need;
}

/*
 * Sleep on @q (lock not held) until pipe_ready(@p, @need) or a fatal signal is pending.
 * Returns true when ready, false on a signal.
 */
static bool pipe_wait(struct pipe *p, struct wait_queue *q, uint32_t need)
{
	uint32_t flags = irq_save();
	bool ok;

	while (!(ok = pipe_ready(p, need)) && !proc_signal_pending())
		wait_queue_sleep(q);
	irq_restore(flags);
	return ok;
}

/* Read what is there (see include/fs/pipe.h). */
static long pipe_read(struct file *f, struct iov_iter *to)
{
	struct pipe *p = f->priv;
	size_t done = 0;

	if (to->count == 0)
		return 0;
	for (;;) {
		pipe_lock(p);
		if (p->len > 0)
			break;
		bool eof = p->writers == 0;
		pipe_unlock(p);
		if (eof)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (!pipe_wait(p, &p->rq, 0))
			return -EINTR;
	}
	while (p->len > 0 && to->count > 0) {
		size_t piece = MIN((size_t)p->len, (size_t)(PIPE_SIZE - p->rpos));
		size_t want = MIN(piece, to->count);
		size_t got = iter_copy_to(to, p->buf + p->rpos, want);
		uint32_t flags = irq_save();
		p->rpos = (p->rpos + (uint32_t)got) % PIPE_SIZE;
		p->len -= (uint32_t)got;
		irq_restore(flags);
		done += got;
		if (got < want)
			break;
	}
	wake_up(&p->wq);
	poll_notify();
	pipe_unlock(p);
	return done ? (long)done : -EFAULT;
}

/*
 * Copy @n bytes (free room) from @from into the ring after the unread bytes and commit them.
 * Returns false (nothing committed) when the copy faulted. Lock held.
 */
static bool ring_fill(struct pipe *p, struct iov_iter *from, uint32_t n)
{
	uint32_t wpos = (p->rpos + p->len) % PIPE_SIZE;
	uint32_t first = MIN(n, PIPE_SIZE - wpos);

	if (iter_copy_from(from, p->buf + wpos, first) < first)
		return false;
	if (n > first && iter_copy_from(from, p->buf, n - first) < n - first)
		return false;
	uint32_t flags = irq_save();
	p->len += n;
	irq_restore(flags);
	return true;
}

/* Write all of @from, waiting for room (see include/fs/pipe.h). */
static long pipe_write(struct file *f, struct iov_iter *from)
{
	struct pipe *p = f->priv;
	size_t total = from->count, done = 0;
	long err = 0;

	if (total == 0)
		return 0;
	pipe_lock(p);
	while (done < total) {
		if (p->readers == 0) {
			if (proc_current())
				proc_kill(0, SIGPIPE);
			err = -EPIPE;
			break;
		}
		uint32_t room = PIPE_SIZE - p->len;
		uint32_t need = total <= PIPE_BUF ? (uint32_t)total : 1;
		if (room >= need) {
			uint32_t n = (uint32_t)MIN((size_t)room, total - done);
			if (!ring_fill(p, from, n)) {
				err = -EFAULT;
				break;
			}
			done += n;
			wake_up(&p->rq);
			poll_notify();
			continue;
		}
		if (f->flags & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		}
		pipe_unlock(p);
		bool ok = pipe_wait(p, &p->wq, need);
		pipe_lock(p);
		if (!ok) {
			err = -EINTR;
			break;
		}
	}
	pipe_unlock(p);
	return done ? (long)done : err;
}

/* FIONREAD: the unread bytes; anything else is not a terminal's. */
static long pipe_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pipe *p = f->priv;

	if (cmd == FIONREAD)
		return put_user_u32((void *)arg, p->len);
	return -ENOTTY;
}

/*
 * poll, as Linux's pipe_poll: the read end is readable with bytes there, hung up with no
 * writer left; the write end is writable with room, in error with no reader left.
 */
static uint32_t pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	uint32_t mask = 0, flags = irq_save();

	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		if (p->len > 0)
			mask |= POLLIN | POLLRDNORM;
		if (p->writers == 0)
			mask |= POLLHUP;
	} else {
		if (p->len < PIPE_SIZE)
			mask |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			mask |= POLLERR;
	}
	irq_restore(flags);
	return mask;
}

/* fstat: a fifo, mode 0600, size 0, on pipefs. */
static int pipe_stat(struct file *f, struct strata_stat *st)
{
	struct pipe *p = f->priv;

	memset(st, 0, sizeof(*st));
	st->ino = p->ino;
	st->mode = S_IFIFO | PIPE_MODE;
	st->nlink = 1;
	st->dev_minor = PIPEFS_DEV_MINOR;
	st->blksize = FILE_BLKSIZE;
	return 0;
}

/* One end closed: wake the other side; free the pipe with its last end. */
static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	uint32_t flags = irq_save();
	bool reader = (f->flags & O_ACCMODE) == O_RDONLY;

	if (reader)
		p->readers--;
	else
		p->writers--;
	bool last = p->readers == 0 && p->writers == 0;
	irq_restore(flags);
	if (last) {
		free_pages(p->page, 0);
		kfree(p);
		return;
	}
	wake_up(reader ? &p->wq : &p->rq);
	poll_notify();
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.stat = pipe_stat,
	.poll = pipe_poll,
	.release = pipe_release,
};

int pipe_create(int flags, struct file **rd, struct file **wr)
{
	struct pipe *p = kzalloc(sizeof(*p), KM_KERNEL);
	int nb = flags & O_NONBLOCK;
	struct mm_error err;

	if (!p)
		return -ENOMEM;
	p->page = alloc_pages(0, GFP_KERNEL | __GFP_KOWNED, &err);
	if (!p->page) {
		kfree(p);
		return -ENOMEM;
	}
	p->buf = page_address(p->page);
	wait_queue_init(&p->rq);
	wait_queue_init(&p->wq);
	sleep_lock_init(&p->lock);
	uint32_t irq = irq_save();
	p->ino = next_pipe_ino++;
	irq_restore(irq);
	*rd = file_alloc(&pipe_ops, NULL, O_RDONLY | nb, p);
	*wr = *rd ? file_alloc(&pipe_ops, NULL, O_WRONLY | nb, p) : NULL;
	if (!*wr) {
		if (*rd)
			kfree(*rd); /* not released: the pipe goes below */
		free_pages(p->page, 0);
		kfree(p);
		return -ENOMEM;
	}
	p->readers = 1;
	p->writers = 1;
	return 0;
}
