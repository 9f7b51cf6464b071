/*
 * iter: the iov_iter cursor of include/fs/file.h — copies between a kernel buffer and a list
 * of user or kernel segments.
 *
 * Design: user copies go through copy_to_user/copy_from_user in pieces that never cross a
 * page of the user address, so a fault stops the copy at the first page that failed and the
 * count of bytes moved before it is exact (the copy helpers themselves only say "all or
 * -EFAULT"). The cursor advances by exactly what was copied.
 */
#include "fs/file.h"

#include "lib/compiler.h"
#include "lib/page_size.h"
#include "lib/string.h"
#include "mm/uaccess.h"

void iter_init(struct iov_iter *it, bool user, const struct io_seg *seg, uint32_t nr)
{
	it->user = user;
	it->seg = seg;
	it->nr = nr;
	it->idx = 0;
	it->off = 0;
	it->count = 0;
	for (uint32_t i = 0; i < nr; i++)
		it->count += seg[i].len;
}

/*
 * Copy @n bytes between kernel @k and the address @u of the iterator's kind (@to_iter: into
 * @u). Returns the bytes copied (short only at a user page that faulted).
 */
static size_t copy_piecewise(bool user, bool to_iter, uintptr_t u, void *k, size_t n)
{
	size_t done = 0;

	if (!user) {
		if (to_iter)
			memcpy((void *)u, k, n);
		else
			memcpy(k, (const void *)u, n);
		return n;
	}
	while (done < n) {
		uintptr_t a = u + done;
		size_t piece = MIN(n - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
		int rc = to_iter ? copy_to_user((void *)a, (const char *)k + done, piece)
		                 : copy_from_user((char *)k + done, (const void *)a, piece);
		if (rc < 0)
			break;
		done += piece;
	}
	return done;
}

/* The common walk of iter_copy_to/iter_copy_from. */
static size_t iter_copy(struct iov_iter *it, void *k, size_t n, bool to_iter)
{
	size_t done = 0;

	n = MIN(n, it->count);
	while (done < n && it->idx < it->nr) {
		const struct io_seg *s = &it->seg[it->idx];
		size_t piece = MIN(n - done, s->len - it->off);
		size_t got =
		    copy_piecewise(it->user, to_iter, s->base + it->off, (char *)k + done, piece);
		done += got;
		it->off += got;
		it->count -= got;
		if (got < piece)
			break;
		if (it->off == s->len) {
			it->idx++;
			it->off = 0;
		}
	}
	return done;
}

size_t iter_copy_to(struct iov_iter *it, const void *src, size_t n)
{
	return iter_copy(it, (void *)src, n, true);
}

size_t iter_copy_from(struct iov_iter *it, void *dst, size_t n)
{
	return iter_copy(it, dst, n, false);
}
