/*
 * Host tests for kernel/fs/ldisc.c (the n_tty line discipline): canonical lines and what a
 * read takes of them, the editing characters with their echoes (VERASE with and without
 * ECHOE, VKILL with ECHOKE and with ECHOK alone, VWERASE, a tab's erase), VEOF as end of file
 * and as a line end without a byte, ICRNL/IGNCR, ISIG (the signal, the flush, ^C's echo,
 * NOFLSH), VLNEXT, IXON's characters dropped, raw mode, the switch from raw to canonical,
 * a full buffer (held back in raw mode, an over-long canonical line dropped but its end kept),
 * peek/consume and a flush between them, and output processing (ONLCR, OPOST off).
 */
#include "htest.h"

#include <string.h>

#include "fs/ldisc.h"

static char echo[8192];
static size_t echo_len;
static int signals[8], nsignals;

static void emit(const char *s, size_t n, void *ctx)
{
	(void)ctx;
	if (echo_len + n < sizeof(echo)) {
		memcpy(echo + echo_len, s, n);
		echo_len += n;
		echo[echo_len] = 0;
	}
}

static void sig(int s, void *ctx)
{
	(void)ctx;
	if (nsignals < 8)
		signals[nsignals++] = s;
}

static const struct ldisc_ops ops = { .emit = emit, .signal = sig };
static struct ldisc ld;

static void setup(void)
{
	ldisc_init(&ld, &ops, NULL);
	echo_len = 0;
	echo[0] = 0;
	nsignals = 0;
}

/* Change the local modes: clear @clear, then set @set. */
static void lflags(uint32_t clear, uint32_t set)
{
	struct termios_linux t = ld.t;

	t.c_lflag = (t.c_lflag & ~clear) | set;
	ldisc_set_termios(&ld, &t);
}

static void type(const char *s)
{
	while (*s)
		HT_ASSERT(ldisc_receive(&ld, (uint8_t)*s++));
}

/* What one read of @cap bytes returns (taken); -1 if nothing could be read. */
static long take(char *buf, size_t cap)
{
	size_t used;
	bool end;
	if (!ldisc_line_ready(&ld) && (ld.t.c_lflag & T_ICANON))
		return -1;
	size_t n = ldisc_peek(&ld, buf, cap, &used, &end);
	ldisc_consume(&ld, used, ld.gen);
	buf[n] = 0;
	return (long)n;
}

HT_TEST(canonical_line_and_echo)
{
	char buf[64];

	setup();
	type("ab");
	HT_EXPECT(!ldisc_line_ready(&ld));
	HT_EXPECT_EQ(ldisc_readable(&ld), 0u);
	HT_EXPECT_EQ(take(buf, sizeof(buf)), -1);
	type("c\r");                             /* ICRNL */
	HT_EXPECT(strcmp(echo, "abc\r\n") == 0); /* ONLCR on the echo */
	HT_EXPECT_EQ(ldisc_readable(&ld), 4u);
	type("de\n");
	HT_EXPECT_EQ(take(buf, 2), 2); /* a short read takes part of the line */
	HT_EXPECT(strcmp(buf, "ab") == 0);
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 2);
	HT_EXPECT(strcmp(buf, "c\n") == 0); /* then the rest, to its end only */
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 3);
	HT_EXPECT(strcmp(buf, "de\n") == 0);
	HT_EXPECT_EQ(take(buf, sizeof(buf)), -1);
}

HT_TEST(erase_kill_werase)
{
	char buf[64];

	setup();
	type("abX\x7f"
	     "c\n");
	HT_EXPECT(strcmp(echo, "abX\b \bc\r\n") == 0);
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 4);
	HT_EXPECT(strcmp(buf, "abc\n") == 0);
	echo_len = 0;
	type("junk\x15ok\n"); /* ECHOKE: the line erased visually */
	HT_EXPECT(strcmp(echo, "junk\b \b\b \b\b \b\b \bok\r\n") == 0);
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 3);
	HT_EXPECT(strcmp(buf, "ok\n") == 0);
	type("hello wor\x17world\n");
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 12);
	HT_EXPECT(strcmp(buf, "hello world\n") == 0);
	type("\x7f\x15x\n"); /* nothing to erase at a line start */
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 2);
	HT_EXPECT(strcmp(buf, "x\n") == 0);
	/* ^C shown as ^C, erased as two columns */
	echo_len = 0;
	type("\x16\x03\x7f\n");
	HT_EXPECT(strcmp(echo, "^\b^C\b \b\b \b\r\n") == 0);
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 1);
}

HT_TEST(erase_without_echoe_and_kill_with_echok)
{
	char buf[64];

	setup();
	lflags(T_ECHOE | T_ECHOKE, 0);
	type("ab\x7f");
	HT_EXPECT(strcmp(echo, "ab^?") == 0); /* the erase character echoed */
	echo_len = 0;
	type("cd\x15");
	HT_EXPECT(strcmp(echo, "cd^U\r\n") == 0); /* ECHOK: kill echoed, then a new line */
	type("e\n");
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 2);
	HT_EXPECT(strcmp(buf, "e\n") == 0);
}

HT_TEST(tab_erase_goes_back_to_its_column)
{
	setup();
	type("ab\t");
	HT_EXPECT_EQ(ld.column, 8u);
	echo_len = 0;
	type("\x7f");
	HT_EXPECT(strcmp(echo, "\b\b\b\b\b\b") == 0); /* from column 8 back to 2 */
	HT_EXPECT_EQ(ld.column, 2u);
}

HT_TEST(eof_mark)
{
	char buf[64];

	setup();
	type("\x04");
	HT_EXPECT(ldisc_line_ready(&ld));
	HT_EXPECT_EQ(ldisc_readable(&ld), 0u);
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 0); /* end of file */
	HT_EXPECT(!ldisc_line_ready(&ld));
	type("abc\x04");
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 3); /* a line without its newline */
	HT_EXPECT(strcmp(buf, "abc") == 0);
	HT_EXPECT(!ldisc_line_ready(&ld));
	HT_EXPECT(strcmp(echo, "abc") == 0); /* ^D is not echoed */
}

HT_TEST(isig_signals_flushes_and_echoes)
{
	char buf[64];

	setup();
	type("done\npartial\x03");
	HT_EXPECT_EQ(nsignals, 1);
	HT_EXPECT_EQ(signals[0], LDISC_SIGINT);
	HT_EXPECT(ldisc_readable(&ld) == 0 && !ldisc_line_ready(&ld)); /* flushed */
	HT_EXPECT(strstr(echo, "partial^C") != NULL);
	type("\x1c\x1a");
	HT_EXPECT(nsignals == 3 && signals[1] == LDISC_SIGQUIT && signals[2] == LDISC_SIGTSTP);
	lflags(0, T_NOFLSH);
	type("kept\n\x03");
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 5);
	lflags(T_ISIG, 0);
	type("\x03\n"); /* without ISIG: an ordinary byte */
	HT_EXPECT_EQ(nsignals, 4);
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 2);
	HT_EXPECT(buf[0] == 3);
}

HT_TEST(input_mapping_and_flow_characters)
{
	char buf[64];
	struct termios_linux t;

	setup();
	type("a\x13\x11\n"); /* IXON: ^S ^Q taken, not stored */
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 2);
	t = ld.t;
	t.c_iflag |= T_IGNCR;
	ldisc_set_termios(&ld, &t);
	type("b\r\n");
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 2);
	HT_EXPECT(strcmp(buf, "b\n") == 0);
}

HT_TEST(raw_mode_and_back)
{
	char buf[64];

	setup();
	lflags(T_ICANON | T_ECHO, 0);
	type("x\x7fy");
	HT_EXPECT_EQ(echo_len, 0u);
	HT_EXPECT_EQ(ldisc_readable(&ld), 3u); /* no editing: DEL is data */
	HT_EXPECT_EQ(take(buf, 2), 2);
	HT_EXPECT(buf[0] == 'x' && buf[1] == 0x7f);
	type("z");
	lflags(0, T_ICANON); /* what raw mode buffered becomes a line */
	HT_EXPECT(ldisc_line_ready(&ld));
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 2);
	HT_EXPECT(strcmp(buf, "yz") == 0);
}

HT_TEST(full_buffer)
{
	char buf[LDISC_BUF_SIZE + 1];

	setup();
	lflags(T_ICANON | T_ECHO, 0);
	for (unsigned i = 0; i < LDISC_BUF_SIZE; i++)
		HT_ASSERT(ldisc_receive(&ld, 'r'));
	HT_EXPECT(!ldisc_receive(&ld, 'r')); /* raw: held back */
	HT_EXPECT_EQ(take(buf, 10), 10);
	HT_EXPECT(ldisc_receive(&ld, 'r'));
	setup(); /* canonical: one over-long line keeps a slot for its end */
	lflags(T_ECHO, 0);
	for (unsigned i = 0; i < LDISC_BUF_SIZE + 100; i++)
		HT_ASSERT(ldisc_receive(&ld, 'c'));
	HT_ASSERT(ldisc_receive(&ld, '\n'));
	HT_EXPECT_EQ(take(buf, sizeof(buf)), (long)LDISC_BUF_SIZE);
	HT_EXPECT(buf[LDISC_BUF_SIZE - 1] == '\n' && buf[LDISC_BUF_SIZE - 2] == 'c');
	/* complete lines waiting: a full buffer holds the next byte back instead */
	for (unsigned i = 0; i < LDISC_BUF_SIZE / 2; i++)
		type("l\n");
	HT_EXPECT(!ldisc_receive(&ld, 'x'));
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 2);
	HT_EXPECT(ldisc_receive(&ld, 'x'));
}

HT_TEST(flush_between_peek_and_consume)
{
	char buf[64];
	size_t used;
	bool end;

	setup();
	type("one\n");
	uint32_t gen = ld.gen;
	size_t n = ldisc_peek(&ld, buf, sizeof(buf), &used, &end);
	HT_EXPECT(n == 4 && used == 4 && end);
	ldisc_flush(&ld);
	type("two\n");
	ldisc_consume(&ld, used, gen); /* void: the flush came between */
	HT_EXPECT_EQ(take(buf, sizeof(buf)), 4);
	HT_EXPECT(strcmp(buf, "two\n") == 0);
}

HT_TEST(output_processing)
{
	char out[32];
	struct termios_linux t;

	setup();
	HT_EXPECT_EQ(ldisc_opost(&ld, "a\nb", 3, out), 4u);
	HT_EXPECT(memcmp(out, "a\r\nb", 4) == 0);
	HT_EXPECT_EQ(ld.column, 1u);
	t = ld.t;
	t.c_oflag &= ~T_OPOST;
	ldisc_set_termios(&ld, &t);
	HT_EXPECT_EQ(ldisc_opost(&ld, "a\nb", 3, out), 3u);
	HT_EXPECT(memcmp(out, "a\nb", 3) == 0);
}
