/*
 * printk and kprintf: formatted output to the serial console.
 *
 * printk prefixes each line with "[    0.012345] " (seconds since boot) and drops messages
 * above the console loglevel; kprintf prints as is. Both format into a stack buffer first and
 * write it with interrupts masked, so lines from interrupt handlers never interleave.
 */
#include "kernel/printk.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/serial.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/string.h"
#include "x86/cpu.h"

static int console_loglevel = LOG_DEFAULT;
static bool timer_running;

void printk_set_loglevel(int level)
{
	console_loglevel = level;
}

int printk_get_loglevel(void)
{
	return console_loglevel;
}

/* Called once the PIT runs; before that timestamps read 0. */
void printk_timer_ready(void);
void printk_timer_ready(void)
{
	timer_running = true;
}

void console_write(const char *s, size_t len)
{
	uint32_t flags = irq_save();
	serial_write(s, len);
	irq_restore(flags);
}

void printk(int level, const char *fmt, ...)
{
	char line[CONSOLE_LINE_MAX];
	va_list ap;

	if (level > console_loglevel)
		return;
	uint64_t us = timer_running ? timer_uptime_us() : 0;
	int n = ksnprintf(line, sizeof(line), "[%5u.%06u] ", (unsigned)(us / 1000000u),
			  (unsigned)(us % 1000000u));
	va_start(ap, fmt);
	kvsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	console_write(line, strnlen(line, sizeof(line)));
}

void kprintf(const char *fmt, ...)
{
	char line[CONSOLE_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_write(line, strnlen(line, sizeof(line)));
}
