/*
 * string: the C string and memory functions the kernel provides (kernel/lib/string.c).
 * Host unit-test builds (STRATA_HOST defined) use the C library's versions instead, so the
 * allocator cores include this header in both worlds.
 */
#ifndef STRATA_LIB_STRING_H
#define STRATA_LIB_STRING_H

#include <stddef.h>

#ifdef STRATA_HOST
#include <string.h>
#else
void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copy at most size-1 bytes of @src into @dst and NUL-terminate; returns strlen(src). */
size_t kstrlcpy(char *dst, const char *src, size_t size);

#endif
