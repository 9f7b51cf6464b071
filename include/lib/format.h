/*
 * format: freestanding printf-style formatting (libk), and the decimal parser the monitor's
 * commands share.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%, length modifiers hh h l ll z t, flags '-' '0'
 * '+' ' ' '#', field width and precision (also '*'). Extension: %pS prints a code address
 * symbolized as "function+0xoff" (through ksym_snprint(), include/lib/ksym.h), or as
 * 0x%08x when no symbol covers it. No floating point (the kernel has no x87/SSE).
 */
#ifndef STRATA_LIB_FORMAT_H
#define STRATA_LIB_FORMAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Format into @buf (capacity @size, always NUL-terminated when @size > 0).
 * Returns the length the full output would have had (like C99 vsnprintf), so a return value
 * >= @size means the output was truncated. Unknown conversions are copied literally.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Parse the decimal number @s (digits only, at most @max) into *@out. False when @s is not
 * one (empty, another character, or above @max); *@out is then unchanged. */
bool parse_decimal(const char *s, uint32_t max, uint32_t *out);

/*
 * Parse a write of @len bytes to an integer sysctl file (/proc/sys/...) as Linux 6.1's
 * proc_dointvec_minmax does for one value: white space is skipped, then an optional '-' and
 * digits in C's bases (0x.. hex, 0.. octal), which must end at the end of the write or at a
 * ' ', '\t' or '\n'; white space after the number is consumed too. Only the first 4095 bytes
 * are looked at. Returns the bytes consumed — fewer than @len when something else follows,
 * Linux's short write — with the value in *@out; -EINVAL (no number, a bad character after
 * it, more than 20 digits, outside int or outside [@min, @max]) with *@out unchanged.
 */
long parse_sysctl_int(const char *buf, size_t len, int32_t min, int32_t max, int32_t *out);

#endif
