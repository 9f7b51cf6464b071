/*
 * ldisc: the terminal line discipline, Linux's n_tty reduced to what shells and their tools
 * use (contract and the buffer's picture in include/fs/ldisc.h).
 *
 * Design: one ring of bytes with two bitmaps beside it (line ends, VEOF marks), as n_tty's
 * read_buf and read_flags; echoes are produced at once through ops->emit (n_tty queues them
 * for its worker; here the caller already runs with interrupts masked and the UART write is
 * polled). Pure and unlocked: the caller serialises (include/fs/tty.h).
 */
#include "fs/ldisc.h"

#include "lib/string.h"

#define MASK        (LDISC_BUF_SIZE - 1)
#define CTRL(c)     ((uint8_t)((c)&0x1F))
#define DEL         0x7F
#define TAB_STOP    8u
#define ECHO_MAX    8 /* the longest echo of one byte: "^X" or a tab's backspaces */
#define ERASE_ECHO  "\b \b"
#define CONTROL_BIT 0x40 /* ^X shows control byte c as c ^ 0x40 */

/* Linux's INIT_C_CC: ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, -, ^Q ^S ^Z, -, ^R ^O ^W ^V, - */
static const uint8_t init_cc[NCCS_LINUX] = {
	[VINTR] = CTRL('C'), [VQUIT] = CTRL('\\'),  [VERASE] = DEL,       [VKILL] = CTRL('U'),
	[VEOF] = CTRL('D'),  [VTIME] = 0,           [VMIN] = 1,           [VSTART] = CTRL('Q'),
	[VSTOP] = CTRL('S'), [VSUSP] = CTRL('Z'),   [VEOL] = 0,           [VREPRINT] = CTRL('R'),
	[13] = CTRL('O'),    [VWERASE] = CTRL('W'), [VLNEXT] = CTRL('V'), [VEOL2] = 0,
};

static bool bit(const uint8_t *map, uint32_t i)
{
	i &= MASK;
	return map[i / 8] & (1u << (i % 8));
}

static void set_bit(uint8_t *map, uint32_t i, bool on)
{
	i &= MASK;
	if (on)
		map[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		map[i / 8] &= (uint8_t) ~(1u << (i % 8));
}

static bool canon(const struct ldisc *ld)
{
	return ld->t.c_lflag & T_ICANON;
}

static bool lflag(const struct ldisc *ld, uint32_t f)
{
	return ld->t.c_lflag & f;
}

static bool is_cntrl(uint8_t c)
{
	return c < ' ' || c == DEL;
}

/* Is @c the special character in slot @idx (a 0 slot is disabled)? */
static bool is_cc(const struct ldisc *ld, uint8_t c, int idx)
{
	return ld->t.c_cc[idx] != 0 && c == ld->t.c_cc[idx];
}

void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops, void *ctx)
{
	memset(ld, 0, sizeof(*ld));
	ld->t.c_iflag = T_ICRNL | T_IXON;
	ld->t.c_oflag = T_OPOST | T_ONLCR;
	ld->t.c_cflag = T_B38400 | T_CS8 | T_CREAD | T_HUPCL;
	ld->t.c_lflag =
	    T_ISIG | T_ICANON | T_ECHO | T_ECHOE | T_ECHOK | T_ECHOCTL | T_ECHOKE | T_IEXTEN;
	memcpy(ld->t.c_cc, init_cc, sizeof(init_cc));
	ld->ops = ops;
	ld->ctx = ctx;
}

/* ---- output ------------------------------------------------------------------------------- */

size_t ldisc_opost(struct ldisc *ld, const char *in, size_t n, char *out)
{
	bool post = ld->t.c_oflag & T_OPOST;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (post && c == '\n' && (ld->t.c_oflag & T_ONLCR)) {
			out[o++] = '\r';
			ld->column = 0;
		} else if (post && c == '\r' && (ld->t.c_oflag & T_OCRNL)) {
			c = '\n';
		}
		out[o++] = c;
		if (c == '\r')
			ld->column = 0;
		else if (c == '\b')
			ld->column -= ld->column > 0;
		else if (c == '\t')
			ld->column = (ld->column | (TAB_STOP - 1)) + 1;
		else if (c != '\n' && !is_cntrl((uint8_t)c))
			ld->column++;
	}
	return o;
}

/* Emit @n bytes through output processing. */
static void emit(struct ldisc *ld, const char *s, size_t n)
{
	char out[2 * ECHO_MAX * 2];

	while (n > 0) {
		size_t k = n < ECHO_MAX * 2 ? n : ECHO_MAX * 2;
		size_t o = ldisc_opost(ld, s, k, out);
		if (ld->ops && ld->ops->emit)
			ld->ops->emit(out, o, ld->ctx);
		s += k;
		n -= k;
	}
}

/* Echo @c as n_tty's echo_char: ECHOCTL shows a control byte (not a tab) as ^X. */
static void echo_char(struct ldisc *ld, uint8_t c)
{
	if (lflag(ld, T_ECHOCTL) && is_cntrl(c) && c != '\t' && c != '\n') {
		char s[2] = { '^', (char)(c ^ CONTROL_BIT) };
		emit(ld, s, 2);
	} else {
		emit(ld, (const char *)&c, 1);
	}
}

/* ---- the buffer --------------------------------------------------------------------------- */

static uint32_t used_slots(const struct ldisc *ld)
{
	return ld->head - ld->tail;
}

static void put(struct ldisc *ld, uint8_t c, bool delim, bool eof)
{
	ld->buf[ld->head & MASK] = (char)c;
	set_bit(ld->delim, ld->head, delim);
	set_bit(ld->eof, ld->head, eof);
	ld->head++;
	if (delim)
		ld->canon_head = ld->head;
}

void ldisc_flush(struct ldisc *ld)
{
	ld->tail = ld->canon_head = ld->head;
	ld->lnext = false;
	ld->gen++;
}

uint32_t ldisc_readable(const struct ldisc *ld)
{
	if (!canon(ld))
		return used_slots(ld);
	uint32_t n = 0;
	for (uint32_t i = ld->tail; i != ld->canon_head; i++)
		n += !bit(ld->eof, i);
	return n;
}

bool ldisc_line_ready(const struct ldisc *ld)
{
	return ld->canon_head != ld->tail;
}

size_t ldisc_peek(const struct ldisc *ld, char *dst, size_t cap, size_t *used, bool *line_end)
{
	uint32_t end = canon(ld) ? ld->canon_head : ld->head;
	size_t n = 0;
	uint32_t i = ld->tail;

	*line_end = false;
	while (i != end && n < cap) {
		if (canon(ld) && bit(ld->eof, i)) {
			i++;
			*line_end = true;
			break;
		}
		dst[n++] = ld->buf[i & MASK];
		if (canon(ld) && bit(ld->delim, i++)) {
			*line_end = true;
			break;
		}
		if (!canon(ld))
			i++;
	}
	*used = i - ld->tail;
	return n;
}

void ldisc_consume(struct ldisc *ld, size_t used, uint32_t gen)
{
	if (gen != ld->gen || used > used_slots(ld))
		return;
	ld->tail += (uint32_t)used;
	if ((int32_t)(ld->canon_head - ld->tail) < 0)
		ld->canon_head = ld->tail;
}

void ldisc_set_termios(struct ldisc *ld, const struct termios_linux *t)
{
	bool was_canon = canon(ld);

	ld->t = *t;
	if (!was_canon && canon(ld) && ld->head != ld->canon_head) {
		/* n_tty: what raw mode buffered becomes one line a read can take */
		set_bit(ld->delim, ld->head - 1, true);
		ld->canon_head = ld->head;
	} else if (was_canon && !canon(ld)) {
		ld->canon_head = ld->head;
		ld->lnext = false;
	}
}

/* ---- editing ------------------------------------------------------------------------------ */

/* The column the byte at @pos of the edited line starts at (for erasing a tab). */
static uint32_t column_at(const struct ldisc *ld, uint32_t pos)
{
	uint32_t col = ld->canon_column;

	for (uint32_t i = ld->canon_head; i != pos; i++) {
		uint8_t c = (uint8_t)ld->buf[i & MASK];
		if (c == '\t')
			col = (col | (TAB_STOP - 1)) + 1;
		else if (is_cntrl(c))
			col += lflag(ld, T_ECHOCTL) ? 2 : 0;
		else
			col++;
	}
	return col;
}

/* Take back the echo of the byte at @pos (just removed from the line). */
static void unecho(struct ldisc *ld, uint32_t pos, uint8_t c)
{
	if (c == '\t') {
		uint32_t from = column_at(ld, pos), to = (from | (TAB_STOP - 1)) + 1;
		while (to-- > from && ld->column > 0)
			emit(ld, "\b", 1);
		return;
	}
	if (is_cntrl(c) && !lflag(ld, T_ECHOCTL))
		return;
	emit(ld, ERASE_ECHO, 3);
	if (is_cntrl(c))
		emit(ld, ERASE_ECHO, 3);
}

static bool is_word(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_';
}

/* n_tty's eraser for VERASE, VWERASE and VKILL (@cc: which). */
static void eraser(struct ldisc *ld, uint8_t c, int cc)
{
	bool echo = lflag(ld, T_ECHO);

	if (ld->head == ld->canon_head)
		return;
	if (cc == VKILL && echo &&
	    !(lflag(ld, T_ECHOK) && lflag(ld, T_ECHOKE) && lflag(ld, T_ECHOE))) {
		ld->head = ld->canon_head;
		echo_char(ld, c);
		if (lflag(ld, T_ECHOK))
			emit(ld, "\n", 1);
		return;
	}
	if (cc == VERASE && echo && !lflag(ld, T_ECHOE)) {
		ld->head--;
		echo_char(ld, c);
		return;
	}
	bool seen_word = false;
	while (ld->head != ld->canon_head) {
		uint32_t pos = ld->head - 1;
		uint8_t b = (uint8_t)ld->buf[pos & MASK];
		if (cc == VWERASE) {
			if (is_word(b))
				seen_word = true;
			else if (seen_word)
				break;
		}
		ld->head = pos;
		if (echo)
			unecho(ld, pos, b);
		if (cc == VERASE)
			break;
	}
}

/* VREPRINT: show ^R, a new line and the line being edited. */
static void reprint(struct ldisc *ld, uint8_t c)
{
	echo_char(ld, c);
	emit(ld, "\n", 1);
	ld->canon_column = ld->column;
	for (uint32_t i = ld->canon_head; i != ld->head; i++)
		echo_char(ld, (uint8_t)ld->buf[i & MASK]);
}

/* ISIG: flush unless NOFLSH, echo, signal. */
static void isig(struct ldisc *ld, uint8_t c, int sig)
{
	if (!lflag(ld, T_NOFLSH))
		ldisc_flush(ld);
	if (lflag(ld, T_ECHO))
		echo_char(ld, c);
	if (ld->ops && ld->ops->signal)
		ld->ops->signal(sig, ld->ctx);
}

/* A byte for the buffer: store (a line end ends the line) and echo. */
static bool store(struct ldisc *ld, uint8_t c, bool delim, bool eof)
{
	uint32_t used = used_slots(ld);

	if (used >= LDISC_BUF_SIZE)
		return false;
	if (canon(ld) && !delim && used >= LDISC_BUF_SIZE - 1) {
		if (ld->canon_head != ld->tail)
			return false; /* a reader will make room: hold the byte back */
		return true;          /* one over-long line: drop, keep the slot for its end */
	}
	if (eof) {
		put(ld, c, true, true);
		return true;
	}
	if (ld->head == ld->canon_head)
		ld->canon_column = ld->column; /* where the echo of the line starts */
	if (lflag(ld, T_ECHO) || (c == '\n' && canon(ld) && lflag(ld, T_ECHONL))) {
		if (c == '\n')
			emit(ld, "\n", 1);
		else
			echo_char(ld, c);
	}
	put(ld, c, delim, false);
	return true;
}

bool ldisc_receive(struct ldisc *ld, uint8_t c)
{
	const uint32_t iflag = ld->t.c_iflag;

	if (ld->lnext) {
		if (used_slots(ld) >= LDISC_BUF_SIZE - 1)
			return false;
		ld->lnext = false;
		if (lflag(ld, T_ECHO) && lflag(ld, T_ECHOCTL))
			emit(ld, "\b", 1); /* over the '^' shown for VLNEXT */
		return store(ld, c, false, false);
	}
	if (iflag & T_ISTRIP)
		c &= 0x7F;
	if (c == '\r') {
		if (iflag & T_IGNCR)
			return true;
		if (iflag & T_ICRNL)
			c = '\n';
	} else if (c == '\n' && (iflag & T_INLCR)) {
		c = '\r';
	}
	if ((iflag & T_IXON) && (is_cc(ld, c, VSTART) || is_cc(ld, c, VSTOP)))
		return true;
	if (lflag(ld, T_ISIG)) {
		if (is_cc(ld, c, VINTR)) {
			isig(ld, c, LDISC_SIGINT);
			return true;
		}
		if (is_cc(ld, c, VQUIT)) {
			isig(ld, c, LDISC_SIGQUIT);
			return true;
		}
		if (is_cc(ld, c, VSUSP)) {
			isig(ld, c, LDISC_SIGTSTP);
			return true;
		}
	}
	if (!canon(ld))
		return store(ld, c, false, false);
	bool ext = lflag(ld, T_IEXTEN);
	if (is_cc(ld, c, VERASE) || is_cc(ld, c, VKILL) || (ext && is_cc(ld, c, VWERASE))) {
		eraser(ld, c,
		       is_cc(ld, c, VERASE)  ? VERASE
		       : is_cc(ld, c, VKILL) ? VKILL
		                             : VWERASE);
		return true;
	}
	if (ext && is_cc(ld, c, VLNEXT)) {
		ld->lnext = true;
		if (lflag(ld, T_ECHO) && lflag(ld, T_ECHOCTL))
			emit(ld, "^", 1);
		return true;
	}
	if (ext && is_cc(ld, c, VREPRINT) && lflag(ld, T_ECHO)) {
		reprint(ld, c);
		return true;
	}
	if (c == '\n' || is_cc(ld, c, VEOL) || (ext && is_cc(ld, c, VEOL2)))
		return store(ld, c, true, false);
	if (is_cc(ld, c, VEOF))
		return store(ld, 0, true, true);
	return store(ld, c, false, false);
}
