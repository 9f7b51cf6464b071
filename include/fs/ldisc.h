/*
 * ldisc: the terminal line discipline — Linux's n_tty, the parts a shell and its tools use
 * (kernel/fs/ldisc.c). Pure: no hardware, no scheduler, no locks; the console tty
 * (include/fs/tty.h) feeds it received bytes, reads lines or bytes out of it and serialises
 * every call (interrupts masked). Built on the host too (tests/host/test_ldisc.c).
 *
 * Input, one byte at a time (ldisc_receive), in n_tty's order:
 *   VLNEXT (IEXTEN, ICANON) quotes the next byte; ISTRIP; IGNCR / ICRNL / INLCR; IXON's
 *   VSTART/VSTOP are taken and dropped (output is never stopped); ISIG: VINTR, VQUIT, VSUSP
 *   flush the input (unless NOFLSH), echo (ECHOCTL: "^C") and hand SIGINT, SIGQUIT, SIGTSTP
 *   to ops->signal; ICANON: VERASE (ECHOE: "\b \b"), VWERASE (IEXTEN), VKILL (ECHOK, ECHOKE),
 *   VREPRINT (IEXTEN), and the line ends '\n', VEOL, VEOL2 (IEXTEN) and VEOF (a mark, not a
 *   byte: a read stops before it, and a line holding only it reads as end of file); any
 *   other byte is stored, echoed if ECHO (control bytes as ^X with ECHOCTL; '\n' alone with
 *   ECHONL). A special character whose c_cc slot is 0 (_POSIX_VDISABLE) is disabled.
 * Output processing (ldisc_opost) is OPOST with ONLCR ("\n" -> "\r\n") and OCRNL, and keeps
 *   the column that erasing a tab needs. Echoes go through it too.
 *
 * The buffer: LDISC_BUF_SIZE bytes in a ring with free-running indices
 *   tail <= canon_head <= head:  [tail, canon_head) complete lines (canonical mode),
 *                                [canon_head, head) the line being edited.
 * Non-canonical mode reads [tail, head). A canonical line that would overflow keeps one slot
 * for its end and drops the bytes before it (n_tty does the same); in non-canonical mode, and
 * in canonical mode while complete lines wait, a full buffer refuses the byte (ldisc_receive
 * returns false) and the caller holds it back until a reader makes room.
 */
#ifndef STRATA_FS_LDISC_H
#define STRATA_FS_LDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LDISC_BUF_SIZE 4096u /* N_TTY_BUF_SIZE; a power of two */
#define NCCS_LINUX     19

/* struct termios of Linux i386 (asm-generic/termbits.h), what TCGETS and TCSETS copy. */
struct termios_linux {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS_LINUX];
};

/* c_cc indices */
#define VINTR    0
#define VQUIT    1
#define VERASE   2
#define VKILL    3
#define VEOF     4
#define VTIME    5
#define VMIN     6
#define VSTART   8
#define VSTOP    9
#define VSUSP    10
#define VEOL     11
#define VREPRINT 12
#define VWERASE  14
#define VLNEXT   15
#define VEOL2    16

/* c_iflag */
#define T_ISTRIP 0x0020u
#define T_INLCR  0x0040u
#define T_IGNCR  0x0080u
#define T_ICRNL  0x0100u
#define T_IXON   0x0400u
/* c_oflag */
#define T_OPOST 0x0001u
#define T_ONLCR 0x0004u
#define T_OCRNL 0x0008u
/* c_cflag */
#define T_B38400 0x000Fu
#define T_CS8    0x0030u
#define T_CREAD  0x0080u
#define T_HUPCL  0x0400u
/* c_lflag */
#define T_ISIG    0x0001u
#define T_ICANON  0x0002u
#define T_ECHO    0x0008u
#define T_ECHOE   0x0010u
#define T_ECHOK   0x0020u
#define T_ECHONL  0x0040u
#define T_NOFLSH  0x0080u
#define T_ECHOCTL 0x0200u
#define T_ECHOKE  0x0800u
#define T_IEXTEN  0x8000u

/* Signals the line discipline raises (Linux i386 numbers). */
#define LDISC_SIGINT  2
#define LDISC_SIGQUIT 3
#define LDISC_SIGTSTP 20

struct ldisc_ops {
	/* Write @n processed bytes (echoes) to the terminal. */
	void (*emit)(const char *s, size_t n, void *ctx);
	/* ISIG: send @sig to the terminal's foreground process group. */
	void (*signal)(int sig, void *ctx);
};

struct ldisc {
	struct termios_linux t;
	char buf[LDISC_BUF_SIZE];
	uint8_t delim[LDISC_BUF_SIZE / 8]; /* bit: this slot ends a canonical line */
	uint8_t eof[LDISC_BUF_SIZE / 8];   /* bit: this slot is a VEOF mark (never read out) */
	uint32_t tail, canon_head, head;   /* free-running; see the top */
	uint32_t gen;                      /* bumped by every flush (see ldisc_consume) */
	uint32_t column;                   /* output column (OPOST), for erasing tabs */
	uint32_t canon_column;             /* the column the line being edited started at */
	bool lnext;                        /* the next byte is quoted (VLNEXT) */
	const struct ldisc_ops *ops;
	void *ctx;
};

/* Set up @ld empty with Linux's default termios (tty_std_termios: ICRNL IXON, OPOST ONLCR,
 * B38400 CS8 CREAD HUPCL, ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN, and INIT_C_CC). */
void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops, void *ctx);

/*
 * Process the received byte @c. Returns false when it cannot be taken now (the buffer is
 * full and a reader can empty it): nothing changed, offer it again later. True otherwise
 * (stored, acted on, or dropped as n_tty drops it).
 */
bool ldisc_receive(struct ldisc *ld, uint8_t c);

/* Install new settings (TCSETS*): switching ICANON on turns what is buffered into a line. */
void ldisc_set_termios(struct ldisc *ld, const struct termios_linux *t);

/* Discard all buffered input (TCSETSF, TCFLSH, ISIG); bumps gen. */
void ldisc_flush(struct ldisc *ld);

/* Bytes a read could take now: canonical mode, whole lines only (VEOF marks not counted);
 * otherwise everything buffered. FIONREAD's answer. */
uint32_t ldisc_readable(const struct ldisc *ld);

/* True when a canonical read would return now (a complete line, or a VEOF mark, waits). */
bool ldisc_line_ready(const struct ldisc *ld);

/*
 * Copy up to @cap bytes a read would return into @dst, without taking them: canonical mode,
 * up to and including the end of the first complete line (a VEOF mark ends it uncopied);
 * otherwise whatever is there. *@used: the buffer slots those bytes (and a mark ending them)
 * fill, for ldisc_consume; *@line_end: the copy ends a line. Returns the bytes copied (0 with
 * *@used 1 for a line that is only VEOF: end of file).
 */
size_t ldisc_peek(const struct ldisc *ld, char *dst, size_t cap, size_t *used, bool *line_end);

/* Take @used slots a peek made under generation @gen (nothing when a flush came between). */
void ldisc_consume(struct ldisc *ld, size_t used, uint32_t gen);

/* Output processing of @n bytes from @in into @out (room for 2 * @n): OPOST, ONLCR, OCRNL;
 * the column follows. Returns the bytes in @out. */
size_t ldisc_opost(struct ldisc *ld, const char *in, size_t n, char *out);

#endif
