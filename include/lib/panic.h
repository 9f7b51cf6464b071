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

#include <stdbool.h>
#include <stdint.h>

#include "lib/compiler.h"

__noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* panic() for a context other than the caller's (a trap frame, the double-faulted task):
 * the backtrace starts at @eip and follows the frame chain from @ebp. Never returns. */
__attribute__((noreturn, format(printf, 3, 4))) void panic_from_frame(uint32_t eip, uint32_t ebp,
                                                                      const char *fmt, ...);

/*
 * What panic needs from the machine, registered once by the kernel at boot (kmain, before
 * anything can panic). Any hook may be NULL: it is skipped (a NULL halt spins).
 */
struct panic_hooks {
	void (*irq_off)(void);                          /* mask interrupts on this CPU */
	void (*print_regs)(uint32_t esp, uint32_t ebp); /* the control-register line */
	void (*backtrace)(uint32_t eip, uint32_t ebp);  /* the symbolized frame walk */
	void (*exit)(void); /* leave the machine with the failure code; must not return */
	void (*halt)(void); /* stop this CPU for good; must not return */
};
/* Copy @h as the hooks in force. Never fails. */
void panic_set_hooks(const struct panic_hooks *h);
/* After the report: exit (true: `panic=exit`, test runs) or halt (false, the default). */
void panic_set_exit(bool exit);

/* Hooks that add detail to every panic report (e.g. meminfo); called in registration order. */
typedef void (*panic_notifier_fn)(void);
#define PANIC_NOTIFIERS_MAX 4
void panic_register_notifier(panic_notifier_fn fn);

/* Kernel-side assertion: panics with file:line and the expression when @cond is false. */
#define BUG_ON(cond)                                                                               \
	do {                                                                                       \
		if (unlikely(cond))                                                                \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);                   \
	} while (0)

#endif
