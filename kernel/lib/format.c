/*
 * format: freestanding printf-style formatting for the kernel and the host tests.
 *
 * Design: one pass over the format string. Output goes through a small cursor (struct out)
 * that stores a character only while it fits in the buffer but counts every character, so
 * the return value is the full length C99 vsnprintf would report and truncation is just
 * "stop storing". Each conversion is parsed into a struct spec (flags, width, precision,
 * length modifier) and rendered by one of three helpers: put_int (all integers and %p),
 * put_str (%s, %c, %pS) and put_literal (unknown conversions, copied as written).
 *
 * Integers are fetched as 64-bit values after applying the length modifier's C conversion,
 * so %hhd of 300 prints 44 as in C. Decimal conversion of values above 32 bits peels off
 * nine digits at a time with one 64-bit division by 10^9 (on i386 that calls __udivdi3 from
 * kernel/lib/divdi3.c, never libgcc); octal and hex only shift. Padding that does not fit
 * in the buffer is counted, not looped over, so a huge width costs nothing.
 *
 * %p prints "0x" and the pointer in hex, zero-padded to 2 * sizeof(void *) digits (8 on the
 * kernel). %pS hands the address to ksym_snprint() (include/lib/ksym.h), which prints
 * "name+0xoff" or "0x%08x" when no symbol covers it. No floating point.
 */
#include "lib/format.h"

#include <stdbool.h>
#include <stdint.h>

#include "lib/errno.h"
#include "lib/ksym.h"
#include "lib/limits.h"
#include "lib/string.h"

#define F_LEFT  0x01u /* '-': pad on the right */
#define F_ZERO  0x02u /* '0': pad numbers with zeros after sign and prefix */
#define F_PLUS  0x04u /* '+': always print a sign for signed conversions */
#define F_SPACE 0x08u /* ' ': print a space where a '+' would go */
#define F_ALT   0x10u /* '#': 0x/0X prefix for hex, a leading 0 for octal */

#define PREC_NONE        (-1)
#define FIELD_MAX        (INT_MAX / 10 - 1) /* width/precision digits saturate here */
#define KSYM_BUF_LEN     128                /* room for "name+0xoff" from %pS */
#define DIGITS_MAX       24                 /* 64-bit octal needs 22 */
#define DEC_CHUNK        1000000000u        /* 10^9: nine decimal digits per 64-bit division */
#define DEC_CHUNK_DIGITS 9

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T };

/* Output cursor: @len counts every character produced, stored or not. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

/* One parsed conversion specification. */
struct spec {
	unsigned int flags; /* F_* */
	int width;          /* 0 = none */
	int prec;           /* PREC_NONE = none */
	enum length length;
};

/* Advance @o->len by @n, saturating instead of wrapping. */
static void out_advance(struct out *o, size_t n)
{
	o->len = n > SIZE_MAX - o->len ? SIZE_MAX : o->len + n;
}

/* How many of @n more characters fit before the terminating NUL. */
static size_t out_room(const struct out *o, size_t n)
{
	if (o->size == 0 || o->len >= o->size - 1)
		return 0;
	return n < o->size - 1 - o->len ? n : o->size - 1 - o->len;
}

/* Append @n copies of @c; stores only what fits before the terminating NUL. */
static void out_repeat(struct out *o, char c, size_t n)
{
	if (n == 0) /* most paddings */
		return;
	size_t fit = out_room(o, n);

	if (fit)
		memset(o->buf + o->len, c, fit);
	out_advance(o, n);
}

/* Append the @n bytes at @s; stores only what fits before the terminating NUL. */
static void out_mem(struct out *o, const char *s, size_t n)
{
	size_t fit = out_room(o, n);

	if (fit > 8) {
		memcpy(o->buf + o->len, s, fit);
	} else { /* a digit run or a short literal: no call */
		for (size_t i = 0; i < fit; i++)
			o->buf[o->len + i] = s[i];
	}
	out_advance(o, n);
}

/* Width padding left over once @body characters are printed (0 when none or not needed). */
static size_t pad_for(const struct spec *sp, size_t body)
{
	return (size_t)sp->width > body ? (size_t)sp->width - body : 0;
}

/*
 * Write the digits of @v in @base (8, 10 or 16) backwards, ending just before @end.
 * Returns a pointer to the first digit; always at least one digit ("0" for zero).
 */
static char *digits_rev(char *end, unsigned long long v, unsigned int base, bool upper)
{
	const char *xd = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;
	uint32_t w;

	if (base == 10) {
		while (v > UINT32_MAX) {
			uint32_t chunk = (uint32_t)(v % DEC_CHUNK);
			int i;

			v /= DEC_CHUNK;
			for (i = 0; i < DEC_CHUNK_DIGITS; i++) {
				*--p = (char)('0' + chunk % 10);
				chunk /= 10;
			}
		}
		w = (uint32_t)v;
		do {
			*--p = (char)('0' + w % 10);
			w /= 10;
		} while (w);
	} else {
		unsigned int shift = base == 16 ? 4 : 3;

		do {
			*--p = xd[v & (base - 1)];
			v >>= shift;
		} while (v);
	}
	return p;
}

/*
 * Render one integer: @sign is '-', '+', ' ' or 0; @prefix is "" / "0x" / "0X".
 * Follows C: a precision gives the minimum digit count and disables '0'; precision 0 with
 * value 0 prints no digits; '#' with octal forces a leading zero.
 */
static void put_int(struct out *o, const struct spec *sp, unsigned long long v, char sign,
                    const char *prefix, unsigned int base, bool upper)
{
	char buf[DIGITS_MAX];
	char *digits = digits_rev(buf + sizeof(buf), v, base, upper);
	size_t nd = (size_t)(buf + sizeof(buf) - digits);
	size_t npre = strlen(prefix);
	size_t zeros = 0, pad;

	if (sp->prec == 0 && v == 0)
		nd = 0;
	if (sp->prec > 0 && (size_t)sp->prec > nd)
		zeros = (size_t)sp->prec - nd;
	if (base == 8 && (sp->flags & F_ALT) && zeros == 0 && (nd == 0 || v != 0))
		zeros = 1;

	pad = pad_for(sp, (sign ? 1 : 0) + npre + zeros + nd);
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec == PREC_NONE) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	if (sign)
		out_repeat(o, sign, 1);
	out_mem(o, prefix, npre);
	out_repeat(o, '0', zeros);
	out_mem(o, digits, nd);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/* Render @n bytes of @s padded to the field width ('0' is ignored for strings). */
static void put_str(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	size_t pad = pad_for(sp, n);

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/* Fetch a signed argument of the size @len names, converted as C would. */
static long long fetch_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
		return (ptrdiff_t)va_arg(*ap, size_t); /* the signed type of size_t's width */
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Fetch an unsigned argument of the size @len names, converted as C would. */
static unsigned long long fetch_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (size_t)va_arg(*ap, ptrdiff_t); /* the unsigned type of ptrdiff_t's width */
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Parse a run of decimal digits at *@p (advancing it), saturating at FIELD_MAX. */
static int parse_field(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		if (v < FIELD_MAX)
			v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v > FIELD_MAX ? FIELD_MAX : v;
}

/*
 * Parse flags, width, precision and length of the conversion after a '%' at *@p, consuming
 * '*' arguments from @ap. Leaves *@p on the conversion character.
 */
static void parse_spec(const char **p, va_list *ap, struct spec *sp)
{
	const char *f = *p;

	sp->flags = 0;
	for (;; f++) {
		if (*f == '-')
			sp->flags |= F_LEFT;
		else if (*f == '0')
			sp->flags |= F_ZERO;
		else if (*f == '+')
			sp->flags |= F_PLUS;
		else if (*f == ' ')
			sp->flags |= F_SPACE;
		else if (*f == '#')
			sp->flags |= F_ALT;
		else
			break;
	}

	sp->width = 0;
	if (*f == '*') {
		int w = va_arg(*ap, int);

		f++;
		if (w < 0) {
			sp->flags |= F_LEFT;
			w = w == INT_MIN ? INT_MAX : -w;
		}
		sp->width = w;
	} else {
		sp->width = parse_field(&f);
	}

	sp->prec = PREC_NONE;
	if (*f == '.') {
		f++;
		if (*f == '*') {
			int pr = va_arg(*ap, int);

			f++;
			sp->prec = pr < 0 ? PREC_NONE : pr;
		} else {
			sp->prec = parse_field(&f);
		}
	}

	sp->length = LEN_NONE;
	if (*f == 'h') {
		f++;
		sp->length = LEN_H;
		if (*f == 'h') {
			f++;
			sp->length = LEN_HH;
		}
	} else if (*f == 'l') {
		f++;
		sp->length = LEN_L;
		if (*f == 'l') {
			f++;
			sp->length = LEN_LL;
		}
	} else if (*f == 'z') {
		f++;
		sp->length = LEN_Z;
	} else if (*f == 't') {
		f++;
		sp->length = LEN_T;
	}
	*p = f;
}

/* The sign character a signed conversion prints for a value (negative when @neg). */
static char sign_for(const struct spec *sp, bool neg)
{
	if (neg)
		return '-';
	if (sp->flags & F_PLUS)
		return '+';
	if (sp->flags & F_SPACE)
		return ' ';
	return 0;
}

/* %p and %pS; *@fmt is on the 'p' and is left on the last character consumed. */
static void put_pointer(struct out *o, struct spec *sp, const char **fmt, va_list *ap)
{
	uintptr_t addr = (uintptr_t)va_arg(*ap, void *);
	int hexdigits = (int)(2 * sizeof(void *));

	if ((*fmt)[1] == 'S') {
		char sym[KSYM_BUF_LEN];
		int n;

		(*fmt)++;
		n = ksym_snprint(sym, sizeof(sym), (uint32_t)addr);
		if (n < 0)
			n = 0;
		if ((size_t)n >= sizeof(sym))
			n = sizeof(sym) - 1;
		if (sp->prec >= 0 && sp->prec < n)
			n = sp->prec;
		put_str(o, sp, sym, (size_t)n);
		return;
	}
	if (sp->prec < hexdigits)
		sp->prec = hexdigits;
	put_int(o, sp, addr, 0, "0x", 16, false);
}

/*
 * Format into @buf (capacity @size; NUL-terminated when @size > 0; @buf may be NULL when
 * @size is 0). Returns the untruncated output length, saturated at INT_MAX; never fails.
 * Unknown conversions (and a lone '%' at the end) are copied literally.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp;
		long long sv;
		unsigned long long uv;
		const char *s;
		char c;

		if (*fmt != '%') {
			while (*fmt && *fmt != '%')
				fmt++;
			out_mem(&o, start, (size_t)(fmt - start));
			continue;
		}
		fmt++;
		parse_spec(&fmt, &args, &sp);
		switch (*fmt) {
		case '%':
			out_repeat(&o, '%', 1);
			break;
		case 'd':
		case 'i':
			sv = fetch_signed(&args, sp.length);
			uv = sv < 0 ? 0ULL - (unsigned long long)sv : (unsigned long long)sv;
			put_int(&o, &sp, uv, sign_for(&sp, sv < 0), "", 10, false);
			break;
		case 'u':
			put_int(&o, &sp, fetch_unsigned(&args, sp.length), 0, "", 10, false);
			break;
		case 'o':
			put_int(&o, &sp, fetch_unsigned(&args, sp.length), 0, "", 8, false);
			break;
		case 'x':
		case 'X':
			uv = fetch_unsigned(&args, sp.length);
			put_int(&o, &sp, uv, 0,
			        (sp.flags & F_ALT) && uv ? (*fmt == 'x' ? "0x" : "0X") : "", 16,
			        *fmt == 'X');
			break;
		case 'p':
			put_pointer(&o, &sp, &fmt, &args);
			break;
		case 'c':
			c = (char)va_arg(args, int);
			put_str(&o, &sp, &c, 1);
			break;
		case 's':
			s = va_arg(args, const char *);
			if (!s)
				s = "(null)";
			put_str(&o, &sp, s, sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s));
			break;
		case '\0':
			/* '%' at the very end: print what was written; fmt stays on the NUL */
			out_mem(&o, start, (size_t)(fmt - start));
			continue;
		default:
			out_mem(&o, start, (size_t)(fmt - start) + 1);
			break;
		}
		fmt++;
	}
	va_end(args);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

/* kvsnprintf with a variable argument list; same contract and return value. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

bool parse_decimal(const char *s, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint32_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	*out = v;
	return true;
}

#define SYSCTL_WRITE_MAX 4095u /* Linux: PAGE_SIZE - 1 */
#define SYSCTL_NUM_MAX   21u   /* Linux's TMPBUFLEN - 1: a number this long is refused */

/* isspace() of the C locale. */
static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The value of the digit @c in @base, or -1. */
static int digit_value(char c, unsigned base)
{
	int v = c >= '0' && c <= '9'   ? c - '0'
	        : c >= 'a' && c <= 'f' ? c - 'a' + 10
	        : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                               : -1;
	return v >= 0 && (unsigned)v < base ? v : -1;
}

long parse_sysctl_int(const char *buf, size_t len, int32_t min, int32_t max, int32_t *out)
{
	size_t left = len < SYSCTL_WRITE_MAX ? len : SYSCTL_WRITE_MAX, i = 0;

	while (i < left && is_space(buf[i]))
		i++;
	if (i == left)
		return -EINVAL; /* nothing but white space */
	/* proc_get_long: looks at no more than SYSCTL_NUM_MAX bytes */
	size_t n = left - i < SYSCTL_NUM_MAX ? left - i : SYSCTL_NUM_MAX;
	const char *p = buf + i, *end = p + n;
	bool neg = false;
	if (*p == '-' && n > 1) {
		neg = true;
		p++;
	}
	if (p == end || *p < '0' || *p > '9')
		return -EINVAL;
	unsigned base = 10;
	if (p[0] == '0' && end - p > 2 && (p[1] | 0x20) == 'x' && digit_value(p[2], 16) >= 0) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	uint64_t v = 0;
	for (int d; p < end && (d = digit_value(*p, base)) >= 0; p++) {
		v = v * base + (uint64_t)d;
		if (v > UINT32_MAX) /* Linux: more than an i386 unsigned long */
			return -EINVAL;
	}
	if ((size_t)(p - (buf + i)) == SYSCTL_NUM_MAX)
		return -EINVAL;
	if (p < buf + left && *p != ' ' && *p != '\t' && *p != '\n')
		return -EINVAL;
	if (neg ? v > (uint64_t)INT32_MAX + 1 : v > (uint64_t)INT32_MAX)
		return -EINVAL;
	int64_t val = neg ? -(int64_t)v : (int64_t)v;
	if (val < min || val > max)
		return -EINVAL;
	i = (size_t)(p - buf);
	while (i < left && is_space(buf[i]))
		i++;
	*out = (int32_t)val;
	return (long)(len - (left - i));
}
