/*
 * seqbuf: where a statistics emitter writes its text (kernel/lib/seqbuf.c) — a bounded
 * memory buffer (a /proc file's read) or the console (a monitor command, a panic report).
 * One emitter per statistic serves both: it calls seq_printf() and never knows which.
 *
 * A memory seqbuf never writes past its size: what does not fit is dropped and the buffer
 * marked overflowed, so the caller can retry with a larger one (as Linux's seq_file does).
 * The console form has no size and never overflows. Locking: none; one writer at a time.
 */
#ifndef STRATA_LIB_SEQBUF_H
#define STRATA_LIB_SEQBUF_H

#include <stdbool.h>
#include <stddef.h>

struct seqbuf {
	char *buf;     /* NULL: the console */
	size_t size;   /* bytes of buf */
	size_t len;    /* bytes written (never more than size) */
	bool overflow; /* something did not fit */
};

/* A seqbuf over @size bytes at @buf; NULL @buf makes it print to the console instead. */
void seq_init(struct seqbuf *s, char *buf, size_t size);

/* Append formatted text (lib/format.h's conversions). Never fails: see the top. */
void seq_printf(struct seqbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append @n bytes of @data. As seq_printf(). */
void seq_write(struct seqbuf *s, const char *data, size_t n);

#endif
