/*
 * ktest: in-kernel tests, KUnit style.
 *
 *   KTEST(suite, name) { KEXPECT_EQ(t, 1 + 1, 2); KASSERT(t, p != NULL); ... }
 *
 * KTEST places a descriptor in the .ktests linker section; tests/kernel/ktest.c finds them,
 * groups them by suite (in link order), runs those whose "suite.name" matches the `test=GLOB`
 * command-line option, prints KTAP (nested like KUnit) and the line "N passed, M failed", and
 * exits QEMU through isa-debug-exit (33 = all passed, 35 = some failed). KEXPECT_* record a
 * failure and continue; KASSERT_* record it and end the test (they `return`). A test that
 * runs longer than KTEST_TIMEOUT_S seconds of ticks is failed by the watchdog, which exits.
 */
#ifndef STRATA_KERNEL_KTEST_H
#define STRATA_KERNEL_KTEST_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Writing a test: size its work by what it must show (a number of events, a count of
 * preemptions, an exact before/after recount), never by wall time or by "enough iterations
 * to probably see it". No verdict may depend on how fast the host emulates: the same test
 * must pass under -icount, under the debug switches (slub_debug debug_pagealloc
 * init_on_alloc) and on a loaded machine. No sleeps as synchronisation: wait for the event.
 *
 * The watchdog only guards against hangs, so it is generous: a test still running after
 * KTEST_TIMEOUT_S seconds of guest ticks is reported "not ok" with a "timed out" line, and
 * the summary counts every test that ran before it. Every test today finishes in well under
 * a second of guest time even with the debug switches on.
 */
#define KTEST_TIMEOUT_S 120

struct ktest_ctx {
	const char *name;
	int failures;
};

struct ktest {
	const char *suite;
	const char *name;
	void (*fn)(struct ktest_ctx *t);
	unsigned timeout_s; /* watchdog limit; 0 means KTEST_TIMEOUT_S */
	bool explicit_only; /* run only when test=GLOB starts with the suite's name */
};

#define KTEST_DEFINE(suite, name, timeout, explicit)                                               \
	static void ktest_fn_##suite##_##name(struct ktest_ctx *t);                                \
	static const struct ktest ktest_desc_##suite##_##name                                      \
	    __attribute__((used, section(".ktests"), aligned(4))) = { #suite, #name,               \
		                                                      ktest_fn_##suite##_##name,   \
		                                                      (timeout), (explicit) };     \
	static void ktest_fn_##suite##_##name(struct ktest_ctx *t __attribute__((unused)))

#define KTEST(suite, name) KTEST_DEFINE(suite, name, 0, false)
/*
 * A test of the test framework itself that must not run in the ordinary suites (it hangs on
 * purpose, say): selected only by a glob that names its suite, e.g. `test=ktest_selftest.*`,
 * with its own watchdog limit in seconds.
 */
#define KTEST_EXPLICIT(suite, name, timeout) KTEST_DEFINE(suite, name, timeout, true)

/* Record a failure at file:line with a formatted explanation. */
void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define KEXPECT(t, cond)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ktest_fail((t), __FILE__, __LINE__, "expected %s", #cond);                 \
	} while (0)

#define KEXPECT_EQ(t, a, b)                                                                        \
	do {                                                                                       \
		unsigned long long kt_a_ = (unsigned long long)(a);                                \
		unsigned long long kt_b_ = (unsigned long long)(b);                                \
		if (kt_a_ != kt_b_)                                                                \
			ktest_fail((t), __FILE__, __LINE__,                                        \
			           "%s == %s: %llu (0x%llx) != %llu (0x%llx)", #a, #b, kt_a_,      \
			           kt_a_, kt_b_, kt_b_);                                           \
	} while (0)

#define KEXPECT_STREQ(t, a, b)                                                                     \
	do {                                                                                       \
		const char *kt_sa_ = (a), *kt_sb_ = (b);                                           \
		if (strcmp(kt_sa_, kt_sb_) != 0)                                                   \
			ktest_fail((t), __FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,  \
			           kt_sa_, kt_sb_);                                                \
	} while (0)

#define KASSERT(t, cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			ktest_fail((t), __FILE__, __LINE__, "assertion %s", #cond);                \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define KASSERT_EQ(t, a, b)                                                                        \
	do {                                                                                       \
		int kt_before_ = (t)->failures;                                                    \
		KEXPECT_EQ(t, a, b);                                                               \
		if ((t)->failures != kt_before_)                                                   \
			return;                                                                    \
	} while (0)

/* Run the tests matching @glob, report, and exit QEMU. Never returns. */
__attribute__((noreturn)) void ktest_run_all(const char *glob);

#endif
