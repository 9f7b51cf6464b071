/*
 * backtrace: symbolized stack walks from frame pointers (the kernel keeps them: the Makefile
 * passes -fno-omit-frame-pointer), and the registration of the machine hooks the bottom
 * layer's panic and printk need (kernel/backtrace.c).
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

/*
 * Register panic's hooks (interrupt masking, register line, this walker, halt and QEMU exit)
 * and printk's interrupt masking. kmain calls it first of all. Never fails.
 */
void backtrace_init(void);

#endif
