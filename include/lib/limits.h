/*
 * limits: the integer limits the kernel uses, taken from the compiler's predefined macros so
 * that no C library header is ever reached (the kernel builds with -nostdinc). Host builds
 * may also see <limits.h>; each name is defined only when it is not already.
 */
#ifndef STRATA_LIB_LIMITS_H
#define STRATA_LIB_LIMITS_H

#ifndef CHAR_BIT
#define CHAR_BIT __CHAR_BIT__
#endif
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif
#ifndef INT_MIN
#define INT_MIN (-__INT_MAX__ - 1)
#endif
#ifndef UINT_MAX
#define UINT_MAX (__INT_MAX__ * 2U + 1U)
#endif
#ifndef LONG_MAX
#define LONG_MAX __LONG_MAX__
#endif
#ifndef LONG_MIN
#define LONG_MIN (-__LONG_MAX__ - 1L)
#endif
#ifndef ULONG_MAX
#define ULONG_MAX (__LONG_MAX__ * 2UL + 1UL)
#endif

#endif
