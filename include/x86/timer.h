/*
 * timer: the PIT tick (HZ per second) and time since boot (kernel/arch/pit.c). A hardware
 * helper like the rest of include/x86, so the scheduler may use it without reaching up.
 */
#ifndef STRATA_X86_TIMER_H
#define STRATA_X86_TIMER_H

#include <stdint.h>

#include "lib/vclock.h"

#define HZ 1000u /* timer interrupts per second */

/* Program the PIT for HZ and start counting; tick hooks run from the interrupt. */
void timer_init(void);

/* Ticks since timer_init (wraps after 49 days at 1000 Hz). */
uint32_t timer_ticks(void);

/*
 * The clock (struct vclock: the tick plus TSC cycles since, include/lib/vclock.h): @base's
 * time now as seconds and ns (< 10^9). The same timeline the vDSO reads. Never fails.
 */
void timer_clock_read(enum vclock_base base, int64_t *sec, uint32_t *nsec);

/* Microseconds since boot (CLOCK_MONOTONIC), monotonic. */
uint64_t timer_uptime_us(void);

/* Set the wall clock (CLOCK_REALTIME) to @epoch_sec + the uptime (the CMOS clock at boot). */
void timer_set_wall(int64_t epoch_sec);

/*
 * Move the clock's data to @page (the vvar page the vDSO reads), copying it; the tick writes
 * there from now on. Called once, at init.
 */
void timer_vclock_publish(struct vclock *page);

/* A function run on every tick, in interrupt context. Up to TIMER_HOOKS_MAX. */
typedef void (*timer_hook_fn)(uint32_t ticks);
#define TIMER_HOOKS_MAX 4
/* Returns 0, or -ENOSPC when the hook table is full. */
int timer_add_hook(timer_hook_fn fn);

#endif
