/*
 * uaccess: copy_from_user, copy_to_user, clear_user, strncpy_from_user (contracts in
 * include/mm/uaccess.h).
 *
 * Design: a range check first (no access outside the user half ever starts), then one
 * string instruction (rep movsb / rep stosb) or a byte loop whose loads are listed in the
 * exception table. When the instruction faults and the fault cannot be resolved, the #PF
 * handler resumes at the fixup label right after it, with ecx still counting the bytes not
 * done: a non-zero remainder means -EFAULT. The fixups need no code of their own. With SMAP
 * (include/x86/smap.h) each user access is bracketed by stac/clac: these are the only
 * places the kernel may touch a user page.
 */
#include "mm/uaccess.h"

#include "lib/errno.h"
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

/* Load one user byte into *@out; 0 or -EFAULT (the caller checked the address). */
static int load_byte(const char *uaddr, char *out)
{
	int err = 0;
	char c = 0;

	user_access_begin();
	__asm__ volatile("1: movb (%2), %1\n"
	                 "2:\n\t"
	                 ".pushsection .text.fixup, \"ax\"\n"
	                 "3: movl %3, %0\n\t"
	                 "jmp 2b\n\t"
	                 ".popsection\n\t" EXTABLE_ENTRY(1b, 3b)
	                 : "+r"(err), "+q"(c)
	                 : "r"(uaddr), "i"(-EFAULT));
	user_access_end();
	*out = c;
	return err;
}

long strncpy_from_user(char *dst, const char *usrc, size_t n)
{
	uintptr_t a = (uintptr_t)usrc;

	if (n == 0)
		return 0;
	if (!user_range_ok(a, 1))
		return -EFAULT;
	for (size_t i = 0; i < n; i++) {
		if (a + i >= KERNEL_BASE || load_byte(usrc + i, &dst[i]) < 0)
			return -EFAULT;
		if (dst[i] == '\0')
			return (long)i;
	}
	return (long)n;
}

long strnlen_user(const char *usrc, size_t max)
{
	uintptr_t a = (uintptr_t)usrc;
	char c;

	if (max == 0)
		return 0;
	if (!user_range_ok(a, 1))
		return -EFAULT;
	for (size_t i = 0; i < max; i++) {
		if (a + i >= KERNEL_BASE || load_byte(usrc + i, &c) < 0)
			return -EFAULT;
		if (c == '\0')
			return (long)i;
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
