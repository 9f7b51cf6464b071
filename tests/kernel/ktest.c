/*
 * ktest runner: selects tests by glob, runs them suite by suite, prints KTAP:
 *
 *   KTAP version 1
 *   1..2                       (suites with at least one selected test)
 *       KTAP version 1
 *       # Subtest: format
 *       1..3
 *       ok 1 plain
 *       ...
 *   ok 1 format
 *   ...
 *   7 passed, 0 failed
 *
 * then exits QEMU (33 pass, 35 fail). A watchdog on the timer tick fails a test that runs
 * longer than KTEST_TIMEOUT_S and exits, so a hang is a failure, not a stuck CI run; its
 * summary line still counts every test that ran before the hang.
 */
#include "kernel/ktest.h"

#include <stdarg.h>

#include "kernel/cmdline.h"
#include "lib/console.h"
#include "lib/printk.h"
#include "kernel/qemu.h"
#include "x86/timer.h"
#include "lib/format.h"
#include "lib/string.h"
#include "sched/proc_vmcheck.h"

extern const struct ktest __ktests_start[], __ktests_end[];

static const struct ktest *volatile current_test;
static volatile uint32_t test_deadline;
/* Results so far: the watchdog's summary counts every test that ran before a hang. */
static volatile unsigned tests_passed, tests_failed;
static volatile unsigned current_index, current_suite_index; /* KTAP numbers of the running test */

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("        # %s: %s:%d: %s\n", t->name, file, line, msg);
	t->failures++;
}

static bool selected(const struct ktest *k, const char *glob)
{
	char full[96];

	ksnprintf(full, sizeof(full), "%s.%s", k->suite, k->name);
	if (k->explicit_only && strncmp(glob, k->suite, strlen(k->suite)) != 0)
		return false;
	return glob_match(glob, full);
}

/* True when an earlier descriptor has the same suite (the suite was already run). */
static bool suite_seen_before(const struct ktest *k)
{
	for (const struct ktest *p = __ktests_start; p < k; p++)
		if (strcmp(p->suite, k->suite) == 0)
			return true;
	return false;
}

static unsigned count_selected(const char *suite, const char *glob)
{
	unsigned n = 0;
	for (const struct ktest *k = __ktests_start; k < __ktests_end; k++)
		if ((!suite || strcmp(k->suite, suite) == 0) && selected(k, glob))
			n++;
	return n;
}

static unsigned timeout_of(const struct ktest *k)
{
	return k->timeout_s ? k->timeout_s : KTEST_TIMEOUT_S;
}

static void watchdog(uint32_t now)
{
	const struct ktest *k = current_test;

	if (k && (int32_t)(now - test_deadline) > 0) {
		kprintf("        # %s.%s: timed out after %u s (a hang: tests size their work to "
		        "finish far sooner)\n",
		        k->suite, k->name, timeout_of(k));
		kprintf("    not ok %u %s\nnot ok %u %s\n%u passed, %u failed\n", current_index,
		        k->name, current_suite_index, k->suite, tests_passed, tests_failed + 1);
		qemu_exit(QEMU_EXIT_FAIL);
	}
}

/*
 * The `vmcheck` boot option: fail the test just run when an audit of every process's space
 * finds a broken invariant now, or the audits after its process exits found some (their
 * "vmcheck: FAIL" lines are above; @broken_before: the exit audits' count before the test).
 */
static void vmcheck_after_test(struct ktest_ctx *t, unsigned broken_before)
{
	int rc;

	if (!proc_vmcheck_enabled())
		return;
	rc = proc_vmcheck_all(0, NULL, NULL);
	if (rc > 0 || proc_vmcheck_exit_broken() != broken_before)
		ktest_fail(t, __FILE__, __LINE__,
		           "vmcheck: %d broken now, %u after exits (lines above)", rc > 0 ? rc : 0,
		           proc_vmcheck_exit_broken() - broken_before);
}

void ktest_run_all(const char *glob)
{
	unsigned suites = 0, suite_no = 0;

	timer_add_hook(watchdog);
	for (const struct ktest *k = __ktests_start; k < __ktests_end; k++)
		if (!suite_seen_before(k) && count_selected(k->suite, glob))
			suites++;
	kprintf("KTAP version 1\n1..%u\n", suites);
	if (suites == 0) { /* a mistyped glob must not look like a pass */
		kprintf("# no test matches '%s'\n0 passed, 1 failed\n", glob);
		qemu_exit(QEMU_EXIT_FAIL);
	}
	for (const struct ktest *s = __ktests_start; s < __ktests_end; s++) {
		if (suite_seen_before(s) || !count_selected(s->suite, glob))
			continue;
		unsigned n = 0, suite_failed = 0;
		kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", s->suite,
		        count_selected(s->suite, glob));
		for (const struct ktest *k = s; k < __ktests_end; k++) {
			if (strcmp(k->suite, s->suite) != 0 || !selected(k, glob))
				continue;
			struct ktest_ctx ctx = { k->name, 0 };
			current_index = n + 1;
			current_suite_index = suite_no + 1;
			test_deadline = timer_ticks() + timeout_of(k) * HZ;
			current_test = k;
			unsigned vm_broken = proc_vmcheck_exit_broken();
			k->fn(&ctx);
			vmcheck_after_test(&ctx, vm_broken);
			current_test = 0;
			n++;
			if (ctx.failures) {
				suite_failed++;
				tests_failed++;
				kprintf("    not ok %u %s\n", n, k->name);
			} else {
				tests_passed++;
				kprintf("    ok %u %s\n", n, k->name);
			}
		}
		kprintf("%s %u %s\n", suite_failed ? "not ok" : "ok", ++suite_no, s->suite);
	}
	kprintf("%u passed, %u failed\n", tests_passed, tests_failed);
	qemu_exit(tests_failed ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
}
