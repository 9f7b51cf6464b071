/*
 * pit: the 8253/8254 programmable interval timer, channel 0, as the system tick.
 * Uptime combines the tick count with the channel's down-counter for sub-tick precision.
 * Locking: ticks is written only by the interrupt; readers mask interrupts for a
 * consistent (ticks, counter) pair.
 */
#include "x86/timer.h"

#include "lib/errno.h"
#include "x86/cpu.h"
#include "x86/io.h"
#include "x86/pic.h"
#include "x86/trap.h"

#define PIT_CH0       0x40
#define PIT_CMD       0x43
#define PIT_FREQ_HZ   1193182u
#define PIT_MODE_RATE 0x34 /* channel 0, lobyte/hibyte, mode 2 (rate generator) */
#define PIT_LATCH_CH0 0x00
#define PIT_DIVISOR   ((PIT_FREQ_HZ + HZ / 2) / HZ)

static volatile uint32_t ticks;
static uint64_t last_uptime_us;
static timer_hook_fn hooks[TIMER_HOOKS_MAX];
static unsigned hook_count;

static bool timer_irq(struct trap_frame *tf)
{
	(void)tf;
	ticks++;
	for (unsigned i = 0; i < hook_count; i++)
		hooks[i](ticks);
	return true;
}

void timer_init(void)
{
	outb(PIT_CMD, PIT_MODE_RATE);
	outb(PIT_CH0, PIT_DIVISOR & 0xFF);
	outb(PIT_CH0, (PIT_DIVISOR >> 8) & 0xFF);
	trap_register(T_IRQ0 + IRQ_TIMER, timer_irq);
	pic_unmask(IRQ_TIMER);
}

uint32_t timer_ticks(void)
{
	return ticks;
}

uint64_t timer_uptime_us(void)
{
	uint32_t flags = irq_save();
	uint32_t t = ticks;
	outb(PIT_CMD, PIT_LATCH_CH0);
	uint32_t count = inb(PIT_CH0);
	count |= (uint32_t)inb(PIT_CH0) << 8;
	if (count > PIT_DIVISOR)
		count = PIT_DIVISOR;
	uint32_t elapsed = PIT_DIVISOR - count; /* PIT cycles into the current tick */
	uint64_t us = (uint64_t)t * (1000000u / HZ) + elapsed * (1000000u / HZ) / PIT_DIVISOR;
	/* A tick may be pending (counter wrapped, IRQ not yet taken): never go backwards. */
	if (us < last_uptime_us)
		us = last_uptime_us;
	last_uptime_us = us;
	irq_restore(flags);
	return us;
}

int timer_add_hook(timer_hook_fn fn)
{
	if (hook_count == TIMER_HOOKS_MAX)
		return -ENOSPC;
	hooks[hook_count++] = fn;
	return 0;
}
