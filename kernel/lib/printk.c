/*
 * printk and kprintf: formatted output to the serial console.
 *
 * printk prefixes each line with "[    0.012345] " (seconds since boot), keeps every message
 * in the log ring (like dmesg, whatever the loglevel) and prints those at or below the console
 * loglevel; kprintf prints as is. Both format into a stack buffer first and
 * write it with interrupts masked, so lines from interrupt handlers never interleave.
 */
#include "lib/printk.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/serial.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/string.h"
#include "x86/cpu.h"

static int console_loglevel = LOG_DEFAULT;

/* Ring of message text; ring_head counts every byte ever logged (index = head % size). */
static char ring[PRINTK_RING_SIZE];
static uint32_t ring_head;
static bool timer_running;

void printk_set_loglevel(int level)
{
	console_loglevel = level;
}

int printk_get_loglevel(void)
{
	return console_loglevel;
}

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

	uint64_t us = timer_running ? timer_uptime_us() : 0;
	int n = ksnprintf(line, sizeof(line), "[%5u.%06u] ", (unsigned)(us / 1000000u),
			  (unsigned)(us % 1000000u));
	va_start(ap, fmt);
	kvsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = strnlen(line, sizeof(line));
	uint32_t flags = irq_save();
	for (size_t i = (size_t)n; i < len; i++)
		ring[ring_head++ % PRINTK_RING_SIZE] = line[i];
	if (level <= console_loglevel)
		serial_write(line, len);
	irq_restore(flags);
}

uint32_t printk_ring_mark(void)
{
	return ring_head;
}

bool printk_ring_contains(uint32_t mark, const char *text)
{
	size_t tlen = strlen(text);
	uint32_t head = ring_head;

	if (head - mark > PRINTK_RING_SIZE)
		mark = head - PRINTK_RING_SIZE;
	for (uint32_t start = mark; start + tlen <= head; start++) {
		size_t i = 0;
		while (i < tlen && ring[(start + i) % PRINTK_RING_SIZE] == text[i])
			i++;
		if (i == tlen)
			return true;
	}
	return false;
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
