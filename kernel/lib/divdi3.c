/*
 * divdi3: 64-bit division helpers for the 32-bit kernel, so it never links libgcc.
 *
 * On i386, GCC and clang compile a 64-bit `/` or `%` into calls to __udivdi3, __umoddi3,
 * __divdi3 and __moddi3 (and on some configurations __udivmoddi4 / __divmoddi4). All of them
 * funnel into __udivmoddi4, which uses the hardware's 64-by-32 divide (`divl`, wrapped in
 * divlu()) instead of a bit-at-a-time loop:
 *
 *   divisor < 2^32:  two divl steps, high word then low word (schoolbook long division);
 *   divisor >= 2^32: the quotient fits in 32 bits; estimate it from the divisor's top 32
 *                    normalised bits and correct it by at most one (Hacker's Delight,
 *                    2nd ed., 9-5 "divDU").
 *
 * Division by zero executes a 32-bit divide by zero, i.e. raises #DE exactly like a 32-bit
 * `/` by zero would; there is no failure value. No 64-bit `/` or `%` appears in this file
 * (64-bit multiply and shifts are inline instructions on i386).
 *
 * Kernel only (the Makefile leaves it out of host builds); the host test test_format.c
 * #includes it under other names to check the portable divlu() and the estimate logic.
 */
#include <stddef.h>
#include <stdint.h>

int64_t __divdi3(int64_t a, int64_t b);
int64_t __moddi3(int64_t a, int64_t b);
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);

/*
 * Divide the 64-bit value @hi:@lo by @d, where @hi < @d so the quotient fits in 32 bits.
 * Returns the quotient and stores the remainder in *@rem.
 */
static inline uint32_t divlu(uint32_t hi, uint32_t lo, uint32_t d, uint32_t *rem)
{
#if defined(__i386__)
	uint32_t q, r;

	asm("divl %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
	*rem = r;
	return q;
#else
	/* restoring division, one quotient bit per step, 32-bit arithmetic only */
	int i;

	for (i = 0; i < 32; i++) {
		uint32_t carry = hi >> 31;

		hi = (hi << 1) | (lo >> 31);
		lo <<= 1;
		if (carry || hi >= d) {
			hi -= d;
			lo |= 1;
		}
	}
	*rem = hi;
	return lo;
#endif
}

/*
 * Unsigned 64-bit division: returns @n / @d and stores @n % @d in *@rem when @rem is not
 * NULL. @d == 0 raises #DE (see the file comment).
 */
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint32_t n_hi = (uint32_t)(n >> 32), n_lo = (uint32_t)n;
	uint32_t d_hi = (uint32_t)(d >> 32), d_lo = (uint32_t)d;
	uint64_t q, r;

	if (d_hi == 0) {
		uint32_t q_hi, q_lo, r32;

		if (n_hi == 0) {
			/* 32 / 32 (a zero divisor traps here, as in 32-bit code) */
			q = n_lo / d_lo;
			r = n_lo % d_lo;
		} else {
			q_hi = n_hi / d_lo;
			q_lo = divlu(n_hi % d_lo, n_lo, d_lo, &r32);
			q = ((uint64_t)q_hi << 32) | q_lo;
			r = r32;
		}
	} else if (n < d) {
		q = 0;
		r = n;
	} else {
		/* normalise: d1 is the divisor's top 32 significant bits, d1 >= 2^31 */
		int s = __builtin_clz(d_hi);
		uint32_t d1 = (uint32_t)((d << s) >> 32);
		uint64_t n1 = n >> 1; /* n1 < 2^63, so n1's high word < d1: divlu cannot overflow */
		uint32_t unused;
		uint32_t q1 = divlu((uint32_t)(n1 >> 32), (uint32_t)n1, d1, &unused);

		q = ((uint64_t)q1 << s) >> 31; /* the true quotient, or one too big */
		if (q != 0)
			q--; /* now the true quotient or one too small */
		r = n - q * d;
		if (r >= d) {
			q++;
			r -= d;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

/* Unsigned 64-bit quotient @n / @d. */
uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return __udivmoddi4(n, d, NULL);
}

/* Unsigned 64-bit remainder @n % @d. */
uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	__udivmoddi4(n, d, &r);
	return r;
}

/* |@v| as an unsigned value (well defined for INT64_MIN). */
static inline uint64_t uabs64(int64_t v)
{
	return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

/*
 * Signed 64-bit division truncating toward zero, as C's `/` and `%`: returns @a / @b and
 * stores @a % @b (which has the sign of @a) in *@rem when @rem is not NULL.
 * INT64_MIN / -1 wraps to INT64_MIN, as the hardware would.
 */
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem)
{
	uint64_t r;
	uint64_t q = __udivmoddi4(uabs64(a), uabs64(b), &r);

	if (rem)
		*rem = (int64_t)(a < 0 ? 0 - r : r);
	return (int64_t)((a < 0) != (b < 0) ? 0 - q : q);
}

/* Signed 64-bit quotient @a / @b. */
int64_t __divdi3(int64_t a, int64_t b)
{
	return __divmoddi4(a, b, NULL);
}

/* Signed 64-bit remainder @a % @b. */
int64_t __moddi3(int64_t a, int64_t b)
{
	int64_t r;

	__divmoddi4(a, b, &r);
	return r;
}
