/*
 * string: the C memory and string functions the freestanding kernel needs (libk).
 *
 * Host unit-test builds (STRATA_HOST) use the C library's versions, so everything here but
 * kstrlcpy is compiled for the kernel only. On i386 the bulk operations use the string
 * instructions: memcpy and memset move 32-bit words with `rep movsl` / `rep stosl` and the
 * 0..3 byte tail with the byte forms; memmove copies backwards with the direction flag set
 * and clears it again before returning (the i386 ABI requires DF clear at every call, so
 * trap entry code must `cld` before calling C). Elsewhere plain byte loops are used.
 *
 * The compiler may recognise a byte loop as "memset" or "memcpy" and emit a call to the very
 * function being defined, which would recurse forever; GCC's loop-distribution pass is
 * turned off for this file, and the bulk operations are inline assembly on i386 anyway.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

#include "lib/string.h"

#include <stdint.h>

#ifndef STRATA_HOST

/* Fill @n bytes at @dst with the byte @c. Returns @dst; cannot fail. */
void *memset(void *dst, int c, size_t n)
{
#if defined(__i386__)
	uint32_t word = (uint8_t)c * 0x01010101u;
	void *d = dst;
	size_t words = n / 4, tail = n % 4;

	asm volatile("rep stosl\n\t"
	             "mov %3, %%ecx\n\t"
	             "rep stosb"
	             : "+D"(d), "+c"(words)
	             : "a"(word), "r"(tail)
	             : "memory");
#else
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
#endif
	return dst;
}

/* Copy @n bytes from @src to @dst; the areas must not overlap. Returns @dst; cannot fail. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
#if defined(__i386__)
	void *d = dst;
	const void *s = src;
	size_t words = n / 4, tail = n % 4;

	asm volatile("rep movsl\n\t"
	             "mov %3, %%ecx\n\t"
	             "rep movsb"
	             : "+D"(d), "+S"(s), "+c"(words)
	             : "r"(tail)
	             : "memory");
#else
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
#endif
	return dst;
}

/* Copy @n bytes from @src to @dst; the areas may overlap. Returns @dst; cannot fail. */
void *memmove(void *dst, const void *src, size_t n)
{
	if (n == 0 || dst == src)
		return dst;
	if ((uintptr_t)dst < (uintptr_t)src || (uintptr_t)dst - (uintptr_t)src >= n)
		return memcpy(dst, src, n); /* a forward copy never overwrites unread bytes */
#if defined(__i386__)
	{
		void *d = (char *)dst + n - 1;
		const void *s = (const char *)src + n - 1;

		asm volatile("std\n\t"
		             "rep movsb\n\t"
		             "cld"
		             : "+D"(d), "+S"(s), "+c"(n)
		             :
		             : "memory");
	}
#else
	{
		unsigned char *d = (unsigned char *)dst + n;
		const unsigned char *s = (const unsigned char *)src + n;

		while (n--)
			*--d = *--s;
	}
#endif
	return dst;
}

/* Compare @n bytes as unsigned chars. Returns <0, 0 or >0 like the C library. */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

/* Length of the NUL-terminated string @s. */
size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

/* Length of @s, but at most @max; never reads past s[max - 1]. */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Compare two strings as unsigned chars. Returns <0, 0 or >0 like the C library. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

/* Compare at most @n characters of two strings. Returns <0, 0 or >0 like the C library. */
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y || !*x)
			return *x - *y;
	}
	return 0;
}

/* First occurrence of (char)@c in @s (the terminating NUL counts); NULL when absent. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

#endif /* !STRATA_HOST */

/*
 * Copy at most @size - 1 bytes of @src into @dst and NUL-terminate it (nothing is written
 * when @size is 0). Returns strlen(@src); a value >= @size means the copy was truncated.
 */
size_t kstrlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
