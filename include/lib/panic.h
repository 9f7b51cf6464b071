/*
 * panic: the end of the line for a kernel that cannot continue.
 *
 * panic() prints "PANIC: <message>", the registers, a symbolized backtrace and (once memory
 * management is up) meminfo, then halts (make run) or exits QEMU with the failure code
 * (`panic=exit`, or any `test` run). It never returns. In host tests, tests/host/stubs.c
 * provides a panic() that a test can catch (ht_catch_panic()).
 */
#ifndef STRATA_LIB_PANIC_H
#define STRATA_LIB_PANIC_H

#include "lib/compiler.h"

__noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Hooks that add detail to every panic report (e.g. meminfo); called in registration order. */
typedef void (*panic_notifier_fn)(void);
#define PANIC_NOTIFIERS_MAX 4
void panic_register_notifier(panic_notifier_fn fn);

/* Kernel-side assertion: panics with file:line and the expression when @cond is false. */
#define BUG_ON(cond)                                                                   \
	do {                                                                           \
		if (unlikely(cond))                                                    \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);      \
	} while (0)

#endif
