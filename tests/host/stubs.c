/*
 * Host stand-ins for the kernel services the hardware-independent code calls: printk and
 * console_write (with a capture buffer tests can search) and an empty kernel symbol table.
 */
#include "htest.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/console.h"
#include "lib/ksym.h"
#include "lib/printk.h"
#include "lib/format.h"

#define HT_LOG_SIZE (1u << 20)

static char ht_log[HT_LOG_SIZE];
static size_t ht_log_len;
bool ht_log_echo = true;

void ht_log_clear(void)
{
	ht_log_len = 0;
	ht_log[0] = '\0';
}

bool ht_log_contains(const char *text)
{
	return strstr(ht_log, text) != NULL;
}

const char *ht_log_text(void)
{
	return ht_log;
}

unsigned ht_log_count(const char *needle)
{
	unsigned n = 0;
	size_t len = strlen(needle);

	for (const char *p = strstr(ht_log, needle); p; p = strstr(p + len, needle))
		n++;
	return n;
}

bool ht_log_has(const char *fmt, ...)
{
	char want[512];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (ht_log_contains(want))
		return true;
	printf("# expected in log: %s# log was:\n%s", want, ht_log_text());
	return false;
}

/* ---- fake owner ledger (htest.h) ------------------------------------------------------- */
#include "lib/errno.h"
#include "mm/error.h"

int64_t ht_charged[HT_OWNERS], ht_limit[HT_OWNERS];
unsigned long ht_charge_calls;

int ht_owner_charge(uint32_t owner, int64_t bytes, struct mm_error *err, void *ctx)
{
	(void)ctx;
	ht_charge_calls++;
	if (owner >= HT_OWNERS)
		abort();
	if (bytes > 0 && ht_limit[owner] && ht_charged[owner] + bytes > ht_limit[owner]) {
		err->kind = MM_EXCEEDS_LIMIT;
		err->requested = (uint64_t)bytes;
		err->limit = (uint64_t)ht_limit[owner];
		err->current = (uint64_t)ht_charged[owner];
		return -EDQUOT;
	}
	ht_charged[owner] += bytes;
	if (ht_charged[owner] < 0)
		abort(); /* more uncharged than charged: an accounting bug */
	return 0;
}

void ht_owners_reset(void)
{
	memset(ht_charged, 0, sizeof(ht_charged));
	memset(ht_limit, 0, sizeof(ht_limit));
	ht_charge_calls = 0;
}

static int ht_loglevel = LOG_DEBUG;

void printk_set_loglevel(int level)
{
	ht_loglevel = level;
}

int printk_get_loglevel(void)
{
	return ht_loglevel;
}

void printk(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (level > ht_loglevel)
		return;
	size_t n = strlen(line);
	if (ht_log_len + n + 1 > HT_LOG_SIZE)
		ht_log_len = 0; /* wrap: tests clear the log per test anyway */
	memcpy(ht_log + ht_log_len, line, n + 1);
	ht_log_len += n;
	if (ht_log_echo)
		fputs(line, stdout);
}

/* console_write (lib/console.h): into the same capture as printk. */
void console_write(const char *s, size_t len)
{
	if (ht_log_len + len + 1 > HT_LOG_SIZE)
		ht_log_len = 0;
	memcpy(ht_log + ht_log_len, s, len);
	ht_log_len += len;
	ht_log[ht_log_len] = '\0';
	if (ht_log_echo)
		fwrite(s, 1, len, stdout);
}

const struct ksym_table ksym_kernel_table = { 0, 0, "", 0 };

/* ---- panic ---------------------------------------------------------------------------- */
#include <setjmp.h>
#include "lib/panic.h"

jmp_buf *ht_panic_jmp;
char ht_panic_msg[512];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(ht_panic_msg, sizeof(ht_panic_msg), fmt, ap);
	va_end(ap);
	printf("PANIC: %s\n", ht_panic_msg);
	if (ht_panic_jmp)
		longjmp(*ht_panic_jmp, 1);
	abort();
}

void panic_register_notifier(panic_notifier_fn fn)
{
	(void)fn;
}
