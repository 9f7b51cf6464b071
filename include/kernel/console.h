/*
 * console: formatted output to the serial console without a timestamp — for monitor command
 * output and reports that are tables rather than log lines (meminfo, KTAP).
 */
#ifndef STRATA_KERNEL_CONSOLE_H
#define STRATA_KERNEL_CONSOLE_H

#include <stddef.h>

/* Print formatted text as is. Lines longer than CONSOLE_LINE_MAX are truncated. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define CONSOLE_LINE_MAX 512

/* Write raw bytes. */
void console_write(const char *s, size_t len);

#endif
