/*
 * uaccess: copy_from_user, copy_to_user, clear_user, strncpy_from_user (contracts in
 * include/mm/uaccess.h).
 *
 * Design: a range check first (no access outside the user half ever starts), then one
 * string instruction (rep movsb / rep stosb) listed in the exception table; strings are
 * copied in chunks of up to 64 bytes that never cross a page, then scanned for their NUL. When the
 * instruction faults and the fault cannot be resolved, the #PF handler resumes at the fixup label
 * right after it, with ecx still counting the bytes not done: a non-zero remainder means -EFAULT.
 * The fixups need no code of their own. With SMAP (include/x86/smap.h) each user access is
 * bracketed by stac/clac: these are the only places the kernel may touch a user page.
 */
#include "mm/uaccess.h"

#include "lib/errno.h"
#include "lib/page_size.h"
#include "mm/layout.h"
#include "x86/extable.h"
#include "x86/smap.h"

bool user_range_ok(uintptr_t uaddr, size_t n)
{
	if (n == 0)
		return true;
	if (uaddr < USER_NULL_LIMIT || uaddr >= KERNEL_BASE)
		return false;
	return n <= KERNEL_BASE - uaddr; /* no wrap, no straddle into the kernel half */
}

/* rep movsb with a fixup; returns the bytes NOT copied (0 on success). */
static size_t copy_raw(void *dst, const void *src, size_t n)
{
	user_access_begin();
	__asm__ volatile("1: rep movsb\n"
	                 "2:\n\t" EXTABLE_ENTRY(1b, 2b)
	                 : "+D"(dst), "+S"(src), "+c"(n)
	                 :
	                 : "memory");
	user_access_end();
	return n;
}

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (!user_range_ok((uintptr_t)usrc, n))
		return -EFAULT;
	return copy_raw(dst, usrc, n) ? -EFAULT : 0;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	if (!user_range_ok((uintptr_t)udst, n))
		return -EFAULT;
	return copy_raw(udst, src, n) ? -EFAULT : 0;
}

int clear_user(void *udst, size_t n)
{
	if (!user_range_ok((uintptr_t)udst, n))
		return -EFAULT;
	user_access_begin();
	__asm__ volatile("1: rep stosb\n"
	                 "2:\n\t" EXTABLE_ENTRY(1b, 2b)
	                 : "+D"(udst), "+c"(n)
	                 : "a"(0)
	                 : "memory");
	user_access_end();
	return n ? -EFAULT : 0;
}

/* Bytes a string copy reads at a time: a path fits in one or two, a chunk never crosses a
 * page (the next may be unmapped where the string has already ended). */
#define STR_CHUNK 64u

/* The bytes from user address @a to the end of its page, at most @max. */
static size_t to_page_end(uintptr_t a, size_t max)
{
	size_t room = PAGE_SIZE - (a & (PAGE_SIZE - 1));

	return room < max ? room : max;
}

long strncpy_from_user(char *dst, const char *usrc, size_t n)
{
	uintptr_t a = (uintptr_t)usrc;
	size_t done = 0;

	if (n == 0)
		return 0;
	if (!user_range_ok(a, 1))
		return -EFAULT;
	/* Chunks within one page: a chunk copies whole or faults at its first byte, which is
	 * then a byte the string needs: -EFAULT. */
	while (done < n) {
		size_t chunk = to_page_end(a + done, n - done < STR_CHUNK ? n - done : STR_CHUNK);

		if (a + done >= KERNEL_BASE || copy_raw(dst + done, usrc + done, chunk))
			return -EFAULT;
		for (size_t i = 0; i < chunk; i++)
			if (dst[done + i] == '\0')
				return (long)(done + i);
		done += chunk;
	}
	return (long)n;
}

long strnlen_user(const char *usrc, size_t max)
{
	uintptr_t a = (uintptr_t)usrc;
	char buf[STR_CHUNK];
	size_t done = 0;

	if (max == 0)
		return 0;
	if (!user_range_ok(a, 1))
		return -EFAULT;
	while (done < max) {
		size_t chunk =
		    to_page_end(a + done, max - done < STR_CHUNK ? max - done : STR_CHUNK);

		if (a + done >= KERNEL_BASE || copy_raw(buf, usrc + done, chunk))
			return -EFAULT;
		for (size_t i = 0; i < chunk; i++)
			if (buf[i] == '\0')
				return (long)(done + i);
		done += chunk;
	}
	return (long)max;
}

int get_user_u32(uint32_t *val, const void *uaddr)
{
	return copy_from_user(val, uaddr, sizeof(*val));
}

int put_user_u32(void *uaddr, uint32_t val)
{
	return copy_to_user(uaddr, &val, sizeof(val));
}
