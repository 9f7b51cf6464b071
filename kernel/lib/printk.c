/*
 * printk and kprintf: formatted output to the console.
 *
 * printk prefixes each line with "[    0.012345] " (seconds since boot), keeps every message
 * in the log ring (like dmesg, whatever the loglevel) but debug-level ones the loglevel hides,
 * and prints those at or below the console loglevel. Only a printed line reads the clock and
 * gets the timestamp; a hidden debug line is not even formatted (pr_debug sits on hot paths:
 * the reaper logs every task, and formatting costs about a thousand instructions, as Linux
 * compiles its pr_debug out). kprintf prints as is. Both format into a stack buffer first
 * and write it with interrupts masked, so lines from interrupt handlers never interleave.
 *
 * This is the bottom layer: it knows no device, clock or CPU. The layers above register them
 * at boot (include/lib/printk.h): the serial driver the sink, kmain the clock and the
 * interrupt masking. Until then output is dropped (but kept in the ring), timestamps read 0
 * and nothing is masked (boot runs with interrupts off).
 */
#include "lib/printk.h"

#include <stdarg.h>
#include <stdbool.h>

#include "lib/compiler.h"
#include "lib/console.h"
#include "lib/format.h"
#include "lib/string.h"

static int console_loglevel = LOG_DEFAULT;

/* Ring of message text; ring_head counts every byte ever logged (index = head % size). */
static char ring[PRINTK_RING_SIZE];
static uint32_t ring_head;

/* Registered by the layers above; each may be NULL (see the file comment). */
static printk_sink_fn sink;
static printk_clock_fn clock_us;
static printk_irq_save_fn irq_save_fn;
static printk_irq_restore_fn irq_restore_fn;

void printk_set_loglevel(int level)
{
	console_loglevel = level;
}

int printk_get_loglevel(void)
{
	return console_loglevel;
}

void printk_set_sink(printk_sink_fn fn)
{
	sink = fn;
}

void printk_set_clock(printk_clock_fn fn)
{
	clock_us = fn;
}

void printk_set_irq_ops(printk_irq_save_fn save, printk_irq_restore_fn restore)
{
	irq_save_fn = save;
	irq_restore_fn = restore;
}

/* Mask interrupts through the registered hook; returns what unmask() restores (0 if none). */
static uint32_t mask(void)
{
	return irq_save_fn ? irq_save_fn() : 0;
}

static void unmask(uint32_t flags)
{
	if (irq_restore_fn)
		irq_restore_fn(flags);
}

/* Hand @len bytes to the sink, if one is registered; callers mask interrupts. */
static void emit(const char *s, size_t len)
{
	if (sink)
		sink(s, len);
}

void console_write(const char *s, size_t len)
{
	uint32_t flags = mask();
	emit(s, len);
	unmask(flags);
}

/*
 * Room before the message for its "[%5u.%06u] " stamp: ten digits of seconds (their most),
 * the point, six of microseconds, the brackets and the space; the stamp is formatted only
 * for a line that is printed (the ring keeps the message without it), so a message below
 * the loglevel reads no clock and formats no time.
 */
#define STAMP_MAX 21

void printk(int level, const char *fmt, ...)
{
	char line[CONSOLE_LINE_MAX];
	char *msg = line + STAMP_MAX;
	size_t room = sizeof(line) - STAMP_MAX;
	va_list ap;

	if (level >= LOG_DEBUG && level > console_loglevel)
		return;
	va_start(ap, fmt);
	kvsnprintf(msg, room, fmt, ap);
	va_end(ap);
	size_t len = strnlen(msg, room), n = 0;
	bool shown = level <= console_loglevel;
	if (shown) {
		char stamp[STAMP_MAX + 1];
		uint64_t us = clock_us ? clock_us() : 0;
		n = (size_t)ksnprintf(stamp, sizeof(stamp), "[%5u.%06u] ",
		                      (unsigned)(us / 1000000u), (unsigned)(us % 1000000u));
		memcpy(msg - n, stamp, n);
	}
	uint32_t flags = mask();
	for (size_t done = 0; done < len;) { /* at most two pieces: up to the ring's end, then on */
		uint32_t at = ring_head % PRINTK_RING_SIZE;
		size_t piece = MIN(len - done, (size_t)(PRINTK_RING_SIZE - at));
		memcpy(ring + at, msg + done, piece);
		done += piece;
		ring_head += (uint32_t)piece;
	}
	if (shown)
		emit(msg - n, n + len);
	unmask(flags);
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
