/*
 * Host tests for kernel/lib/seqbuf.c: a memory seqbuf keeps exactly what fits and marks the
 * overflow (the /proc reader retries with a larger buffer), never writing past its size; the
 * console form passes everything to console_write.
 */
#include "htest.h"

#include <string.h>

#include "lib/seqbuf.h"

HT_TEST(fits_exactly_what_fits)
{
	char buf[16 + 4];
	struct seqbuf s;

	memset(buf, 'Z', sizeof(buf));
	seq_init(&s, buf, 16);
	seq_printf(&s, "%s:%5d\n", "ab", 42); /* 9 bytes */
	HT_EXPECT_EQ(s.len, 9u);
	HT_EXPECT(!s.overflow);
	seq_write(&s, "1234567", 7); /* 16: full */
	HT_EXPECT_EQ(s.len, 16u);
	HT_EXPECT(!s.overflow);
	HT_EXPECT(memcmp(buf, "ab:   42\n1234567", 16) == 0);
	seq_write(&s, "x", 1);
	HT_EXPECT(s.overflow);
	HT_EXPECT_EQ(s.len, 16u);
	HT_EXPECT(memcmp(buf + 16, "ZZZZ", 4) == 0); /* nothing past the size */
}

HT_TEST(printf_overflow_keeps_clean_prefix)
{
	char buf[12 + 4];
	struct seqbuf s;

	memset(buf, 'Z', sizeof(buf));
	seq_init(&s, buf, 12);
	seq_printf(&s, "%s\n", "hello");  /* 6 */
	seq_printf(&s, "%s\n", "world!"); /* 7: does not fit with its NUL */
	HT_EXPECT(s.overflow);
	HT_EXPECT_EQ(s.len, 6u);
	seq_printf(&s, "x"); /* nothing after an overflow */
	HT_EXPECT_EQ(s.len, 6u);
	HT_EXPECT(memcmp(buf + 12, "ZZZZ", 4) == 0);
}

HT_TEST(console_form)
{
	struct seqbuf s;

	ht_log_clear();
	seq_init(&s, NULL, 0);
	seq_printf(&s, "MemTotal:%15llu kB\n", 1234ull);
	seq_write(&s, "raw", 3);
	HT_EXPECT(ht_log_contains("MemTotal:           1234 kB\nraw"));
	HT_EXPECT(!s.overflow);
	HT_EXPECT_EQ(s.len, 0u);
}
