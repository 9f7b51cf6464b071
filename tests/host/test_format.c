/*
 * Host tests for kernel/lib/format.c (kvsnprintf / ksnprintf) and kernel/lib/divdi3.c.
 *
 * Fixed cases pin every conversion, flag, modifier, width and precision form, truncation and
 * the return value; a deterministic pseudo-random sweep compares the integer conversions with
 * the host C library's snprintf. divdi3.c is kernel-only, so it is #included here with its
 * functions renamed and checked against the host's native 64-bit division.
 */
#include "htest.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/errno.h"
#include "lib/format.h"

#define __udivmoddi4 t_udivmoddi4
#define __udivdi3    t_udivdi3
#define __umoddi3    t_umoddi3
#define __divmoddi4  t_divmoddi4
#define __divdi3     t_divdi3
#define __moddi3     t_moddi3
#include "../../kernel/lib/divdi3.c"

static char out[256];

/* Format through kvsnprintf without compile-time format checking (for odd formats). */
static int rt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Expect @fmt (with the arguments) to produce exactly @want, returning strlen(@want). */
#define EXPECT_FMT(want, ...)                                                                      \
	do {                                                                                       \
		int n_ = ksnprintf(out, sizeof(out), __VA_ARGS__);                                 \
		if (strcmp(out, want) != 0) {                                                      \
			char m_[512];                                                              \
			snprintf(m_, sizeof(m_), "%s: got \"%s\", want \"%s\"", #__VA_ARGS__, out, \
			         want);                                                            \
			ht_fail(__FILE__, __LINE__, m_);                                           \
		}                                                                                  \
		HT_EXPECT_EQ(n_, strlen(want));                                                    \
	} while (0)

#define EXPECT_RT(want, ...)                                                                       \
	do {                                                                                       \
		int n_ = rt(out, sizeof(out), __VA_ARGS__);                                        \
		if (strcmp(out, want) != 0) {                                                      \
			char m_[512];                                                              \
			snprintf(m_, sizeof(m_), "%s: got \"%s\", want \"%s\"", #__VA_ARGS__, out, \
			         want);                                                            \
			ht_fail(__FILE__, __LINE__, m_);                                           \
		}                                                                                  \
		HT_EXPECT_EQ(n_, strlen(want));                                                    \
	} while (0)

HT_TEST(conversions_basic)
{
	EXPECT_FMT("", "%s", "");
	EXPECT_FMT("plain text", "plain text");
	EXPECT_FMT("42 -42 42", "%d %i %d", 42, -42, 42);
	EXPECT_FMT("0", "%d", 0);
	EXPECT_FMT("4294967295", "%u", 4294967295u);
	EXPECT_FMT("deadbeef DEADBEEF", "%x %X", 0xdeadbeefu, 0xdeadbeefu);
	EXPECT_FMT("777 0", "%o %o", 0777u, 0u);
	EXPECT_FMT("A", "%c", 'A');
	EXPECT_FMT("hello, world", "%s, %s", "hello", "world");
	EXPECT_FMT("100%", "%d%%", 100);
	EXPECT_FMT("%", "%%");
	EXPECT_FMT("-2147483648 2147483647", "%d %d", INT_MIN, INT_MAX);
}

HT_TEST(flags)
{
	EXPECT_FMT("42   |", "%-5d|", 42);
	EXPECT_FMT("00042", "%05d", 42);
	EXPECT_FMT("-0042", "%05d", -42);
	EXPECT_FMT("+42 -42", "%+d %+d", 42, -42);
	EXPECT_FMT(" 42 -42", "% d % d", 42, -42);
	EXPECT_RT("+42", "%+ d", 42);
	EXPECT_FMT("+0", "%+d", 0);
	EXPECT_FMT("0x1f 0X1F", "%#x %#X", 0x1fu, 0x1fu);
	EXPECT_FMT("0 0", "%#x %#o", 0u, 0u);
	EXPECT_FMT("017", "%#o", 017u);
	EXPECT_FMT("0x0001f", "%#07x", 0x1fu);
	EXPECT_FMT("0x1f   |", "%-#7x|", 0x1fu);
	EXPECT_RT("42   |", "%-05d|", 42); /* '-' overrides '0' */
	EXPECT_FMT("   +42", "%+6d", 42);
	EXPECT_FMT("+00042", "%+06d", 42);
	EXPECT_FMT(" 00042", "% 06d", 42);
}

HT_TEST(width_and_precision)
{
	EXPECT_FMT("   42", "%5d", 42);
	EXPECT_FMT("42", "%1d", 42);
	EXPECT_FMT("00042", "%.5d", 42);
	EXPECT_FMT("  00042", "%7.5d", 42);
	EXPECT_RT("  -0042", "%07.4d", -42); /* precision disables '0' */
	EXPECT_FMT("", "%.0d", 0);
	EXPECT_FMT("   ", "%3.0d", 0);
	EXPECT_FMT("", "%.d", 0);
	EXPECT_FMT("", "%.0x", 0u);
	EXPECT_FMT("0", "%#.0o", 0u);
	EXPECT_FMT("0012", "%#.4o", 012u);
	EXPECT_FMT("0x00ff", "%#.4x", 0xffu);
	EXPECT_FMT("   42", "%*d", 5, 42);
	EXPECT_FMT("42   |", "%*d|", -5, 42); /* negative '*' width means '-' */
	EXPECT_FMT("00042", "%.*d", 5, 42);
	EXPECT_FMT("42", "%.*d", -3, 42); /* negative '*' precision is ignored */
	EXPECT_FMT("   00042", "%*.*d", 8, 5, 42);
	EXPECT_FMT("hel", "%.3s", "hello");
	EXPECT_FMT("  hel", "%5.3s", "hello");
	EXPECT_FMT("hel  |", "%-5.3s|", "hello");
	EXPECT_FMT("hello", "%.*s", 10, "hello");
	EXPECT_FMT("he", "%.*s", 2, "hello");
	EXPECT_FMT("    x", "%5c", 'x');
	EXPECT_FMT("x    |", "%-5c|", 'x');
	EXPECT_RT("  abc", "%05s", "abc"); /* '0' does not apply to strings */
	EXPECT_FMT("     %", "%6s", "%");
}

HT_TEST(precision_does_not_read_past)
{
	char unterminated[3] = { 'a', 'b', 'c' }; /* ASan catches a read past it */

	EXPECT_FMT("abc", "%.3s", unterminated);
	EXPECT_FMT("ab", "%.2s", unterminated);
}

HT_TEST(null_string)
{
	EXPECT_RT("(null)", "%s", (char *)NULL);
	EXPECT_RT("  (null)", "%8s", (char *)NULL);
	EXPECT_RT("(nu", "%.3s", (char *)NULL);
}

HT_TEST(length_modifiers)
{
	EXPECT_FMT("44 -128 255", "%hhd %hhd %hhu", 300, 128, 255 + 256);
	EXPECT_FMT("ff", "%hhx", 0x1ff);
	EXPECT_FMT("-1 65535 1", "%hd %hu %hd", 65535, 65535, 65537);
	EXPECT_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	EXPECT_FMT("9223372036854775807", "%lld", LLONG_MAX);
	EXPECT_FMT("18446744073709551615", "%llu", ULLONG_MAX);
	EXPECT_FMT("ffffffffffffffff", "%llx", ULLONG_MAX);
	EXPECT_FMT("1777777777777777777777", "%llo", ULLONG_MAX);
	EXPECT_FMT("-1 18446744073709551615", "%ld %lu", -1L, (unsigned long)-1L);
	EXPECT_FMT("123 -5", "%zu %td", (size_t)123, (ptrdiff_t)-5);
	EXPECT_FMT("-7", "%zd", (size_t)-7);
	EXPECT_FMT("fffffffffffffffb", "%tx", (ptrdiff_t)-5);
	EXPECT_FMT("4294967296", "%llu", 1ULL << 32);
	EXPECT_FMT("1000000000000000000", "%llu", 1000000000000000000ULL);
	EXPECT_FMT("1000000000", "%llu", 1000000000ULL);
	EXPECT_FMT("10000000000000000000", "%llu", 10000000000000000000ULL);
	EXPECT_FMT("4294967295", "%llu", 4294967295ULL);
	EXPECT_FMT("-4294967296", "%lld", -4294967296LL);
	EXPECT_FMT("+9223372036854775807", "%+lld", LLONG_MAX);
	EXPECT_FMT("0x8000000000000000", "%#llx", 1ULL << 63);
}

HT_TEST(pointers)
{
	EXPECT_FMT("0x0000000000001234", "%p", (void *)0x1234);
	EXPECT_FMT("0x0000000000000000", "%p", NULL);
	EXPECT_FMT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	EXPECT_FMT("  0x0000000000000001|", "%20p|", (void *)1);
	EXPECT_FMT("0x0000000000000001  |", "%-20p|", (void *)1);
	EXPECT_RT("0x0000000000000010a", "%pa", (void *)0x10); /* only 'S' extends %p */
}

HT_TEST(pointer_symbol_unknown)
{
	/* the host's kernel table is empty: every address is unknown */
	EXPECT_FMT("0xdeadbeef", "%pS", (void *)0xdeadbeefUL);
	EXPECT_FMT("0x00001234", "%pS", (void *)0x1234);
	EXPECT_FMT("at 0x00000010!", "at %pS!", (void *)0x10);
	EXPECT_FMT("0x000000ff    |", "%-14pS|", (void *)0xff);
	EXPECT_FMT("    0x000000ff", "%14pS", (void *)0xff);
	EXPECT_RT("0x0000", "%.6pS", (void *)0xff);
	EXPECT_FMT("0x89abcdef", "%pS", (void *)0x123456789abcdefULL); /* low 32 bits */
}

HT_TEST(unknown_conversions_copied)
{
	EXPECT_RT("%y", "%y");
	EXPECT_RT("a%5yb", "a%5yb");
	EXPECT_RT("%-08.3qz", "%-08.3q%c", 'z');
	EXPECT_RT("abc%", "abc%");
	EXPECT_RT("abc%-5", "abc%-5");
	EXPECT_RT("%ll", "%ll");
	EXPECT_RT("1 %w 2", "%d %w %d", 1, 2);
}

HT_TEST(char_nul)
{
	int n = ksnprintf(out, sizeof(out), "a%cb", 0);

	HT_EXPECT_EQ(n, 3);
	HT_EXPECT_EQ(out[0], 'a');
	HT_EXPECT_EQ(out[1], 0);
	HT_EXPECT_EQ(out[2], 'b');
	HT_EXPECT_EQ(out[3], 0);
}

HT_TEST(truncation_and_return_value)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	HT_EXPECT_EQ(ksnprintf(buf, 4, "%s", "hello"), 5);
	HT_EXPECT(strcmp(buf, "hel") == 0);
	HT_EXPECT_EQ(buf[4], 'Z');

	memset(buf, 'Z', sizeof(buf));
	HT_EXPECT_EQ(ksnprintf(buf, 1, "%d", 12345), 5);
	HT_EXPECT_EQ(buf[0], 0);
	HT_EXPECT_EQ(buf[1], 'Z');

	memset(buf, 'Z', sizeof(buf));
	HT_EXPECT_EQ(ksnprintf(buf, 0, "%d", 12345), 5);
	HT_EXPECT_EQ(buf[0], 'Z');

	HT_EXPECT_EQ(ksnprintf(NULL, 0, "%s=%d", "abc", -1), 6);

	memset(buf, 'Z', sizeof(buf));
	HT_EXPECT_EQ(ksnprintf(buf, 6, "%5d", 42), 5); /* exactly fits */
	HT_EXPECT(strcmp(buf, "   42") == 0);
	memset(buf, 'Z', sizeof(buf));
	HT_EXPECT_EQ(ksnprintf(buf, 5, "%5d", 42), 5);
	HT_EXPECT(strcmp(buf, "   4") == 0);

	memset(buf, 'Z', sizeof(buf));
	HT_EXPECT_EQ(ksnprintf(buf, sizeof(buf), "%-20s|", "ab"), 21);
	HT_EXPECT(strcmp(buf, "ab     ") == 0);
}

HT_TEST(huge_width_is_counted_not_written)
{
	char buf[16];
	int n = rt(buf, sizeof(buf), "%99999999999d", 1);

	HT_EXPECT(n > 100000000);
	HT_EXPECT_EQ(strlen(buf), sizeof(buf) - 1);
	HT_EXPECT_EQ(buf[0], ' ');
	HT_EXPECT_EQ(rt(buf, sizeof(buf), "%*d%*d", INT_MAX, 1, INT_MAX, 1), INT_MAX);
	HT_EXPECT_EQ(rt(buf, sizeof(buf), "%*d", INT_MIN, 7), INT_MAX);
	HT_EXPECT_EQ(buf[0], '7');
}

/* ---- comparison with the host C library ------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: deterministic pseudo-random numbers. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_value(void)
{
	static const uint64_t special[] = {
		0,
		1,
		7,
		8,
		9,
		10,
		15,
		16,
		0x7f,
		0x80,
		0xff,
		0x100,
		0x7fff,
		0x8000,
		0xffff,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		0x100000000ULL,
		999999999,
		1000000000,
		4294967295999999999ULL,
		0x7fffffffffffffffULL,
		0x8000000000000000ULL,
		0xffffffffffffffffULL,
		(uint64_t)-1000000000LL,
		(uint64_t)-42,
	};

	switch (rnd() % 6) {
	case 0:
		return (uint64_t)((int64_t)(rnd() % 601) - 300);
	case 1:
		return special[rnd() % (sizeof(special) / sizeof(special[0]))];
	case 2:
		return rnd() & 0xffff;
	case 3:
		return rnd() & 0xffffffff;
	case 4:
		return rnd() >> (rnd() % 64);
	default:
		return rnd();
	}
}

/* Call @fn (rt or snprintf) with 0, 1 or 2 '*' arguments before the value. */
#define CALL_STARS(fn, buf, size, fmt, nstar, s1, s2, val)                                         \
	((nstar) == 0   ? fn(buf, size, fmt, val)                                                  \
	 : (nstar) == 1 ? fn(buf, size, fmt, s1, val)                                              \
	                : fn(buf, size, fmt, s1, s2, val))

#define CALL_BOTH(T, val)                                                                          \
	do {                                                                                       \
		r1 = CALL_STARS(rt, kb, ksize, fmt, nstar, s1, s2, (T)(val));                      \
		r2 = CALL_STARS(snprintf, hb, hsize, fmt, nstar, s1, s2, (T)(val));                \
	} while (0)

HT_TEST(integers_match_host_snprintf)
{
	static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t" };
	static const char convs[] = "diuxXo";
	int iter, mismatches = 0;

	for (iter = 0; iter < 3000; iter++) {
		char fmt[48], kb[160], hb[160];
		char *p = fmt;
		int nstar = 0, s1 = 0, s2 = 0, r1 = 0, r2 = 0;
		int li = (int)(rnd() % 7);
		char conv = convs[rnd() % 6];
		bool is_signed = conv == 'd' || conv == 'i';
		uint64_t v = rnd_value();
		size_t ksize = sizeof(kb), hsize = sizeof(hb);
		const char *f;

		*p++ = '%';
		for (f = "-0+ #"; *f; f++) {
			if (rnd() % 4 == 0)
				*p++ = *f;
		}
		switch (rnd() % 4) {
		case 1:
			p += sprintf(p, "%d", (int)(rnd() % 30));
			break;
		case 2:
			*p++ = '*';
			s1 = (int)(rnd() % 61) - 30;
			nstar++;
			break;
		default:
			break;
		}
		switch (rnd() % 4) {
		case 1:
			*p++ = '.';
			break;
		case 2:
			p += sprintf(p, ".%d", (int)(rnd() % 26));
			break;
		case 3:
			p += sprintf(p, ".*");
			if (nstar)
				s2 = (int)(rnd() % 31) - 5;
			else
				s1 = (int)(rnd() % 31) - 5;
			nstar++;
			break;
		default:
			break;
		}
		p += sprintf(p, "%s%c", lengths[li], conv);
		if (rnd() % 4 == 0) /* also exercise truncation */
			ksize = hsize = (size_t)(rnd() % 24);
		memset(kb, '#', sizeof(kb));
		memset(hb, '#', sizeof(hb));

		if (li <= 2)
			if (is_signed)
				CALL_BOTH(int, v);
			else
				CALL_BOTH(unsigned int, v);
		else if (li == 3)
			if (is_signed)
				CALL_BOTH(long, v);
			else
				CALL_BOTH(unsigned long, v);
		else if (li == 4)
			if (is_signed)
				CALL_BOTH(long long, v);
			else
				CALL_BOTH(unsigned long long, v);
		else if (li == 5)
			if (is_signed)
				CALL_BOTH(ptrdiff_t, v);
			else
				CALL_BOTH(size_t, v);
		else
			CALL_BOTH(ptrdiff_t, v);

		if (r1 != r2 || memcmp(kb, hb, sizeof(kb)) != 0) {
			char m[400];

			snprintf(m, sizeof(m),
			         "fmt \"%s\" stars %d,%d value 0x%llx size %zu: "
			         "got %d \"%.60s\", host %d \"%.60s\"",
			         fmt, s1, s2, (unsigned long long)v, ksize, r1, ksize ? kb : "", r2,
			         hsize ? hb : "");
			ht_fail(__FILE__, __LINE__, m);
			if (++mismatches == 10)
				return;
		}
	}
}

HT_TEST(strings_match_host_snprintf)
{
	static const char *const fmts[] = {
		"%s",  "%10s",  "%-10s|", "%.0s",  "%.2s",   "%8.3s", "%-8.3s|",
		"%*s", "%-*s|", "%.*s",   "[%3c]", "[%-3c]", "%c%c",
	};
	static const char *const strs[] = { "", "a", "hello", "a longer string here" };
	size_t i, j;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		for (j = 0; j < sizeof(strs) / sizeof(strs[0]); j++) {
			char kb[64], hb[64];
			int r1, r2;

			if (strchr(fmts[i], 'c')) {
				r1 = rt(kb, sizeof(kb), fmts[i], 'q', 'r');
				r2 = snprintf(hb, sizeof(hb), fmts[i], 'q', 'r');
			} else if (strchr(fmts[i], '*')) {
				r1 = rt(kb, sizeof(kb), fmts[i], 7, strs[j]);
				r2 = snprintf(hb, sizeof(hb), fmts[i], 7, strs[j]);
			} else {
				r1 = rt(kb, sizeof(kb), fmts[i], strs[j]);
				r2 = snprintf(hb, sizeof(hb), fmts[i], strs[j]);
			}
			HT_EXPECT_EQ(r1, r2);
			HT_EXPECT(strcmp(kb, hb) == 0);
		}
	}
}

/* ---- kernel/lib/divdi3.c ----------------------------------------------------------------- */

HT_TEST(divdi3_portable_divlu)
{
	int i;

	for (i = 0; i < 20000; i++) {
		uint32_t d = (uint32_t)rnd() >> (rnd() % 32);
		uint32_t hi, lo = (uint32_t)rnd(), r, q;
		uint64_t n;

		if (d == 0)
			d = 1;
		hi = (uint32_t)(rnd() % d);
		n = ((uint64_t)hi << 32) | lo;
		q = divlu(hi, lo, d, &r);
		HT_ASSERT_EQ(q, n / d);
		HT_ASSERT_EQ(r, n % d);
	}
	HT_EXPECT_EQ(divlu(0xfffffffe, 0xffffffff, 0xffffffff, &(uint32_t){ 0 }), 0xffffffffu);
}

/* Check one unsigned division against the host's native one. */
static bool udiv_ok(uint64_t n, uint64_t d)
{
	uint64_t r = 0, q = t_udivmoddi4(n, d, &r);

	return q == n / d && r == n % d && t_udivdi3(n, d) == n / d && t_umoddi3(n, d) == n % d;
}

HT_TEST(divdi3_unsigned)
{
	static const uint64_t edge[] = {
		1,
		2,
		3,
		7,
		10,
		1000000000,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		0x100000000ULL,
		0x100000001ULL,
		0x1ffffffffULL,
		0xfffffffffULL,
		0x7fffffffffffffffULL,
		0x8000000000000000ULL,
		0x8000000000000001ULL,
		0xfffffffeffffffffULL,
		0xffffffff00000000ULL,
		0xffffffffffffffffULL,
	};
	size_t i, j;
	int k;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		HT_EXPECT(udiv_ok(0, edge[i]));
		for (j = 0; j < sizeof(edge) / sizeof(edge[0]); j++) {
			HT_EXPECT(udiv_ok(edge[i], edge[j]));
			HT_EXPECT(udiv_ok(edge[i] - 1, edge[j]));
		}
	}
	for (k = 0; k < 200000; k++) {
		uint64_t d = rnd() >> (rnd() % 64);
		uint64_t n = rnd() >> (rnd() % 64);

		if (d == 0)
			continue;
		if (k % 3 == 0 && d > 1) {
			/* near a multiple: stresses the one-off quotient correction */
			uint64_t q = rnd() >> (rnd() % 64);

			q %= UINT64_MAX / d;
			n = q * d + (k % 2 ? d - 1 : 0);
		}
		if (!udiv_ok(n, d)) {
			char m[128];

			snprintf(m, sizeof(m), "udiv 0x%llx / 0x%llx", (unsigned long long)n,
			         (unsigned long long)d);
			ht_fail(__FILE__, __LINE__, m);
			return;
		}
	}
}

/* Check one signed division against the host's native one. */
static bool sdiv_ok(int64_t a, int64_t b)
{
	int64_t r = 0, q = t_divmoddi4(a, b, &r);

	return q == a / b && r == a % b && t_divdi3(a, b) == a / b && t_moddi3(a, b) == a % b;
}

HT_TEST(divdi3_signed)
{
	int k;

	HT_EXPECT(sdiv_ok(7, 2));
	HT_EXPECT(sdiv_ok(-7, 2));
	HT_EXPECT(sdiv_ok(7, -2));
	HT_EXPECT(sdiv_ok(-7, -2));
	HT_EXPECT(sdiv_ok(INT64_MIN, 1));
	HT_EXPECT(sdiv_ok(INT64_MIN, 2));
	HT_EXPECT(sdiv_ok(INT64_MIN, -2));
	HT_EXPECT(sdiv_ok(INT64_MIN, INT64_MIN));
	HT_EXPECT(sdiv_ok(INT64_MAX, INT64_MIN));
	HT_EXPECT(sdiv_ok(INT64_MIN, INT64_MAX));
	HT_EXPECT(sdiv_ok(-1, INT64_MIN));
	HT_EXPECT_EQ(t_divdi3(INT64_MIN, -1), INT64_MIN); /* wraps, as documented */
	HT_EXPECT_EQ(t_moddi3(INT64_MIN, -1), 0);
	for (k = 0; k < 100000; k++) {
		int64_t a = (int64_t)(rnd() >> (rnd() % 64));
		int64_t b = (int64_t)(rnd() >> (rnd() % 64));

		if (rnd() & 1)
			a = (int64_t)(0 - (uint64_t)a);
		if (rnd() & 1)
			b = (int64_t)(0 - (uint64_t)b);
		if (b == 0 || (a == INT64_MIN && b == -1))
			continue;
		if (!sdiv_ok(a, b)) {
			char m[128];

			snprintf(m, sizeof(m), "sdiv %lld / %lld", (long long)a, (long long)b);
			ht_fail(__FILE__, __LINE__, m);
			return;
		}
	}
}

/* parse_sysctl_int against the results of the Linux 6.1 reference boot (t_commit's probe of
 * /proc/sys/vm/overcommit_memory: min 0, max 2) and proc_dointvec's rules. */
HT_TEST(sysctl_int)
{
	static const struct {
		const char *in;
		int32_t min, max;
		long rc;
		int32_t v;
	} cases[] = {
		{ "1", 0, 2, 1, 1 },
		{ "0\n", 0, 2, 2, 0 },
		{ "3", 0, 2, -EINVAL, 0 },
		{ "abc", 0, 2, -EINVAL, 0 },
		{ " 1\n", 0, 2, 3, 1 },
		{ "0 x", 0, 2, 2, 0 }, /* Linux's short write */
		{ "\n", 0, 2, -EINVAL, 0 },
		{ "", 0, 2, -EINVAL, 0 },
		{ "-1", 0, 2, -EINVAL, 0 },
		{ "0x1", 0, 2, 3, 1 },
		{ "2junk", 0, 2, -EINVAL, 0 },
		{ "010", 0, 100, 3, 8 },
		{ "09", 0, 100, -EINVAL, 0 },
		{ "0x", 0, 100, -EINVAL, 0 },
		{ "-5", -10, 10, 2, -5 },
		{ "-", -10, 10, -EINVAL, 0 },
		{ "1\r", 0, 2, -EINVAL, 0 },
		{ "1\t\n  ", 0, 2, 5, 1 },
		{ "2147483647", 0, INT32_MAX, 10, INT32_MAX },
		{ "2147483648", 0, INT32_MAX, -EINVAL, 0 },
		{ "-2147483648", INT32_MIN, 0, 11, INT32_MIN },
		{ "99999999999", 0, INT32_MAX, -EINVAL, 0 },
		{ "000000000000000000001", 0, 2, -EINVAL, 0 }, /* 21 characters: refused */
		{ "00000000000000000001", 0, 2, 20, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t v = 77;
		long rc = parse_sysctl_int(cases[i].in, strlen(cases[i].in), cases[i].min,
		                           cases[i].max, &v);
		HT_EXPECT_EQ(rc, cases[i].rc);
		HT_EXPECT_EQ(v, cases[i].rc < 0 ? 77 : cases[i].v);
	}
	/* a NUL after the number is not a separator; only the first 4095 bytes are parsed */
	HT_EXPECT_EQ(parse_sysctl_int("1\0", 2, 0, 2, &(int32_t){ 0 }), -EINVAL);
	static char big[5000];
	memset(big, ' ', sizeof(big));
	big[0] = '1';
	HT_EXPECT_EQ(parse_sysctl_int(big, sizeof(big), 0, 2, &(int32_t){ 0 }), (long)sizeof(big));
	big[4094] = 'x';
	HT_EXPECT_EQ(parse_sysctl_int(big, sizeof(big), 0, 2, &(int32_t){ 0 }), 4094 + 905);
}
