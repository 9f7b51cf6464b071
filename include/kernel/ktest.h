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

#define KTEST_TIMEOUT_S 20

struct ktest_ctx {
	const char *name;
	int failures;
};

struct ktest {
	const char *suite;
	const char *name;
	void (*fn)(struct ktest_ctx *t);
};

#define KTEST(suite, name)                                                              \
	static void ktest_fn_##suite##_##name(struct ktest_ctx *t);                     \
	static const struct ktest ktest_desc_##suite##_##name                           \
		__attribute__((used, section(".ktests"), aligned(4))) = {               \
			#suite, #name, ktest_fn_##suite##_##name };                     \
	static void ktest_fn_##suite##_##name(struct ktest_ctx *t __attribute__((unused)))

/* Record a failure at file:line with a formatted explanation. */
void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define KEXPECT(t, cond)                                                                \
	do {                                                                            \
		if (!(cond))                                                            \
			ktest_fail((t), __FILE__, __LINE__, "expected %s", #cond);      \
	} while (0)

#define KEXPECT_EQ(t, a, b)                                                             \
	do {                                                                            \
		unsigned long long kt_a_ = (unsigned long long)(a);                     \
		unsigned long long kt_b_ = (unsigned long long)(b);                     \
		if (kt_a_ != kt_b_)                                                     \
			ktest_fail((t), __FILE__, __LINE__,                             \
				   "%s == %s: %llu (0x%llx) != %llu (0x%llx)", #a, #b,  \
				   kt_a_, kt_a_, kt_b_, kt_b_);                         \
	} while (0)

#define KEXPECT_STREQ(t, a, b)                                                          \
	do {                                                                            \
		const char *kt_sa_ = (a), *kt_sb_ = (b);                                \
		if (strcmp(kt_sa_, kt_sb_) != 0)                                        \
			ktest_fail((t), __FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", \
				   #a, #b, kt_sa_, kt_sb_);                             \
	} while (0)

#define KASSERT(t, cond)                                                                \
	do {                                                                            \
		if (!(cond)) {                                                          \
			ktest_fail((t), __FILE__, __LINE__, "assertion %s", #cond);     \
			return;                                                         \
		}                                                                       \
	} while (0)

#define KASSERT_EQ(t, a, b)                                                             \
	do {                                                                            \
		int kt_before_ = (t)->failures;                                         \
		KEXPECT_EQ(t, a, b);                                                    \
		if ((t)->failures != kt_before_)                                        \
			return;                                                         \
	} while (0)

/* Run the tests matching @glob, report, and exit QEMU. Never returns. */
__attribute__((noreturn)) void ktest_run_all(const char *glob);

#endif
