/*
 * backtrace: symbolized stack walks from frame pointers (the kernel keeps them: the Makefile
 * passes -fno-omit-frame-pointer), and the panic entry for a known faulting frame.
 */
#ifndef STRATA_KERNEL_BACKTRACE_H
#define STRATA_KERNEL_BACKTRACE_H

#include <stdint.h>

#define BACKTRACE_MAX_FRAMES 24   /* frames printed */
#define BACKTRACE_WALK_MAX   4096 /* frames followed (identical ones are counted, not printed) */

/*
 * Print "  #N 0xADDR func+0xoff" for @eip and then each return address found by following
 * the saved-EBP chain from @ebp. Stops at a zero, misaligned, non-kernel or unmapped frame
 * pointer, a chain that does not grow upward, or after BACKTRACE_MAX_FRAMES distinct frames;
 * runs of one return address (recursion) print as one line and a count.
 */
void backtrace_print(uint32_t eip, uint32_t ebp);

/* panic() for a context other than the caller's (a trap frame, the double-faulted task). */
__attribute__((noreturn, format(printf, 3, 4)))
void panic_from_frame(uint32_t eip, uint32_t ebp, const char *fmt, ...);

#endif
