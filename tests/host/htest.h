/*
 * htest: the host unit-test harness. Each tests/host/test_*.c is its own program, built with
 * the hardware-independent kernel sources under AddressSanitizer and UBSan (see Makefile).
 *
 *   HT_TEST(name) { ... }          registers a test (runs in file order)
 *   HT_EXPECT(cond)                 records a failure, continues
 *   HT_EXPECT_EQ(a, b)              compares as unsigned long long, prints both values
 *   HT_ASSERT(cond) / HT_ASSERT_EQ  records a failure and ends the test
 *   ht_log_contains("text")         true if printk output since ht_log_clear() contains text
 *
 * The program prints KTAP ("ok N name" / "not ok N name") and last "N passed, M failed",
 * exiting non-zero on any failure. Deterministic: randomized tests take a fixed seed.
 */
#ifndef STRATA_HTEST_H
#define STRATA_HTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef void (*ht_fn)(void);
void ht_register(const char *name, ht_fn fn);
void ht_fail(const char *file, int line, const char *msg);
extern int ht_current_failed;

#define HT_TEST(name)                                                                              \
	static void name(void);                                                                    \
	__attribute__((constructor)) static void ht_reg_##name(void)                               \
	{                                                                                          \
		ht_register(#name, name);                                                          \
	}                                                                                          \
	static void name(void)

#define HT_EXPECT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ht_fail(__FILE__, __LINE__, "expected " #cond);                            \
	} while (0)

#define HT_EXPECT_EQ(a, b)                                                                         \
	do {                                                                                       \
		unsigned long long ht_a_ = (unsigned long long)(a);                                \
		unsigned long long ht_b_ = (unsigned long long)(b);                                \
		if (ht_a_ != ht_b_) {                                                              \
			char ht_m_[256];                                                           \
			snprintf(ht_m_, sizeof(ht_m_), "%s == %s: %llu (0x%llx) != %llu (0x%llx)", \
			         #a, #b, ht_a_, ht_a_, ht_b_, ht_b_);                              \
			ht_fail(__FILE__, __LINE__, ht_m_);                                        \
		}                                                                                  \
	} while (0)

#define HT_ASSERT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			ht_fail(__FILE__, __LINE__, "assertion " #cond);                           \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define HT_ASSERT_EQ(a, b)                                                                         \
	do {                                                                                       \
		int ht_before_ = ht_current_failed;                                                \
		HT_EXPECT_EQ(a, b);                                                                \
		if (ht_current_failed != ht_before_)                                               \
			return;                                                                    \
	} while (0)

/* printk capture (tests/host/stubs.c). */
void ht_log_clear(void);
bool ht_log_contains(const char *text);
const char *ht_log_text(void);
/*
 * One step of xorshift64 (13, 7, 17): advances *@state and returns it. Tests seed their own
 * state, so every run sees the same sequence.
 */
static inline uint64_t ht_xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* How many times @needle occurs in the printk output captured since ht_log_clear(). */
unsigned ht_log_count(const char *needle);
/* True when the formatted text is in the captured log; if not, prints it and the log. */
bool ht_log_has(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A fake owner ledger for the slab layer's charge hook (struct kmem_owner_ops): owners
 * 0..HT_OWNERS-1, bytes charged per owner, an optional limit per owner (refused with
 * MM_EXCEEDS_LIMIT, -EDQUOT), and a call count. ht_owners_reset() zeroes it all.
 */
#define HT_OWNERS 8
#include <stdint.h>
struct mm_error;
extern int64_t ht_charged[HT_OWNERS], ht_limit[HT_OWNERS];
extern unsigned long ht_charge_calls;
int ht_owner_charge(uint32_t owner, int64_t bytes, struct mm_error *err, void *ctx);
void ht_owners_reset(void);

/* When false (default true), printk output is captured but not echoed to stdout. */
extern bool ht_log_echo;

/*
 * Catching panic() in host tests:
 *     jmp_buf jb; ht_panic_jmp = &jb;
 *     if (setjmp(jb) == 0) { call_that_should_panic(); HT_EXPECT(!"no panic"); }
 *     ht_panic_jmp = NULL;   // ht_panic_msg holds the message
 */
#include <setjmp.h>
extern jmp_buf *ht_panic_jmp;
extern char ht_panic_msg[512];

#endif
