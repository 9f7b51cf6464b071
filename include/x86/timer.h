/*
 * timer: the PIT tick (HZ per second) and time since boot (kernel/arch/pit.c). A hardware
 * helper like the rest of include/x86, so the scheduler may use it without reaching up.
 */
#ifndef STRATA_X86_TIMER_H
#define STRATA_X86_TIMER_H

#include <stdint.h>

#define HZ 1000u /* timer interrupts per second */

/* Program the PIT for HZ and start counting; tick hooks run from the interrupt. */
void timer_init(void);

/* Ticks since timer_init (wraps after 49 days at 1000 Hz). */
uint32_t timer_ticks(void);

/* Microseconds since boot, monotonic, with sub-tick precision from the PIT counter. */
uint64_t timer_uptime_us(void);

/* A function run on every tick, in interrupt context. Up to TIMER_HOOKS_MAX. */
typedef void (*timer_hook_fn)(uint32_t ticks);
#define TIMER_HOOKS_MAX 4
/* Returns 0, or -ENOSPC when the hook table is full. */
int timer_add_hook(timer_hook_fn fn);

#endif
