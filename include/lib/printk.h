/*
 * printk: the kernel's one logging call.
 *
 * Every line printk emits starts with a "[    0.012345] " timestamp (seconds since boot); the
 * caller supplies the subsystem tag ("mm: ", "sched: ") as the start of its message and ends
 * the message with '\n'. A message at a level above the console loglevel (`loglevel=N` on the
 * command line) is not printed; the log ring keeps it unless it is a debug-level one, which
 * is then not even formatted (cheap on hot paths). Formatting is kvsnprintf's
 * (include/lib/format.h), including %pS.
 *
 * In host unit tests, tests/host/stubs.c provides printk: it formats the same way, prints to
 * stdout and keeps the text so a test can check an exact report (ht_log_contains()).
 */
#ifndef STRATA_LIB_PRINTK_H
#define STRATA_LIB_PRINTK_H

/* Levels as in Linux / syslog: lower is more severe. */
#define LOG_EMERG   0
#define LOG_ALERT   1
#define LOG_CRIT    2
#define LOG_ERR     3
#define LOG_WARNING 4
#define LOG_NOTICE  5
#define LOG_INFO    6
#define LOG_DEBUG   7
#define LOG_DEFAULT LOG_INFO /* console loglevel when the command line says nothing */

/* Format and emit one message at @level. Never fails; over-long messages are truncated. */
void printk(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_emerg(...)  printk(LOG_EMERG, __VA_ARGS__)
#define pr_err(...)    printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)   printk(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...)   printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)  printk(LOG_DEBUG, __VA_ARGS__)

/* Console loglevel: messages with level <= this are printed. */
void printk_set_loglevel(int level);
int printk_get_loglevel(void);

#ifndef STRATA_HOST
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/*
 * The kernel log ring: the last PRINTK_RING_SIZE bytes printk emitted (without timestamps;
 * debug-level messages only while the loglevel shows them),
 * so tests can check that an exact report line was logged:
 *     uint32_t m = printk_ring_mark();  ...;  KEXPECT(t, printk_ring_contains(m, "mm: bad"));
 */
#define PRINTK_RING_SIZE 16384u

/*
 * Hooks the layers above register at boot; printk knows no device, clock or CPU itself.
 * Each may be NULL (the default): no sink drops output (the ring still keeps it), no clock
 * gives timestamps of 0, no interrupt hooks mask nothing. None of them can fail.
 */
/* Write @len bytes to the console (the serial driver registers serial_write). */
typedef void (*printk_sink_fn)(const char *s, size_t len);
void printk_set_sink(printk_sink_fn fn);
/* Microseconds since boot (kmain registers the PIT's clock once the timer runs). */
typedef uint64_t (*printk_clock_fn)(void);
void printk_set_clock(printk_clock_fn fn);
/* Mask interrupts and return the state to restore; restore it (kmain registers them). */
typedef uint32_t (*printk_irq_save_fn)(void);
typedef void (*printk_irq_restore_fn)(uint32_t flags);
void printk_set_irq_ops(printk_irq_save_fn save, printk_irq_restore_fn restore);

uint32_t printk_ring_mark(void);
/* True when @text was logged since @mark (and is still in the ring). */
bool printk_ring_contains(uint32_t mark, const char *text);
#endif

#endif
