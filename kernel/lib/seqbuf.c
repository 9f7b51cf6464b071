/*
 * seqbuf: emitter output into a buffer or to the console (see include/lib/seqbuf.h).
 *
 * Design: the console form formats one piece at a time into a stack line (CONSOLE_LINE_MAX,
 * as kprintf) and writes it out; the buffer form formats in place and keeps only what fits,
 * so an overflowed buffer still holds a clean prefix (never a cut multi-byte field: the
 * caller retries with a larger buffer anyway).
 */
#include "lib/seqbuf.h"

#include <stdarg.h>

#include "lib/console.h"
#include "lib/format.h"
#include "lib/string.h"

void seq_init(struct seqbuf *s, char *buf, size_t size)
{
	s->buf = buf;
	s->size = buf ? size : 0;
	s->len = 0;
	s->overflow = false;
}

void seq_write(struct seqbuf *s, const char *data, size_t n)
{
	if (!s->buf) {
		console_write(data, n);
		return;
	}
	if (s->overflow || n > s->size - s->len) {
		s->overflow = true;
		return;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
}

void seq_printf(struct seqbuf *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->buf) {
		char line[CONSOLE_LINE_MAX];
		va_start(ap, fmt);
		int n = kvsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		if (n > 0)
			console_write(line, strnlen(line, sizeof(line)));
		return;
	}
	if (s->overflow)
		return;
	size_t room = s->size - s->len;
	va_start(ap, fmt);
	int n = kvsnprintf(s->buf + s->len, room, fmt, ap); /* NUL-terminates within room */
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) { /* the piece and its NUL did not both fit: keep none of it */
		s->overflow = true;
		return;
	}
	s->len += (size_t)n;
}
