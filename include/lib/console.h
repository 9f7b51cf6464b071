/*
 * console: formatted output to the console without a timestamp — for monitor command output
 * and reports that are tables rather than log lines (meminfo, KTAP). Part of the bottom layer
 * (kernel/lib/printk.c): it writes through printk's registered sink, so any layer may use it.
 */
#ifndef STRATA_LIB_CONSOLE_H
#define STRATA_LIB_CONSOLE_H

#include <stddef.h>

/* Print formatted text as is. Lines longer than CONSOLE_LINE_MAX are truncated; never fails. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define CONSOLE_LINE_MAX 512

/* Write raw bytes (dropped while no sink is registered). Never fails. */
void console_write(const char *s, size_t len);

#endif
