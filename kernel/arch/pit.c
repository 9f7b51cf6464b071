/*
 * pit: the 8253/8254 programmable interval timer, channel 0, as the system tick, and the
 * kernel's clock built on it (include/x86/timer.h).
 *
 * The clock is a struct vclock (include/lib/vclock.h): on every tick the interrupt advances
 * its base by one tick and records the TSC, so any reader — the kernel here, or a user
 * process through the vDSO, which sees the same structure in its [vvar] page — gets the time
 * as the tick's base plus the TSC cycles since, converted with `mult` and clamped below one
 * tick. Kernel and vDSO thus share one timeline, exactly.
 *
 * TSC calibration: the rate is measured against the tick itself, with no boot-time wait: the
 * TSC is sampled at the first tick, then mult is computed over 1, 2, 4, ... 1024 ticks from
 * there, and afterwards over each following window of 1024 ticks. Until the first estimate (one
 * tick) the clock has tick resolution. Lost or late ticks only stall the clock (the clamp); they
 * never make it go back.
 *
 * Locking: the tick interrupt is the only writer of the clock; readers use its sequence
 * counter (vclock_read), so they never mask interrupts. The publication page can be moved
 * once, at init (timer_vclock_publish), with interrupts masked.
 */
#include "x86/timer.h"

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "x86/cpu.h"
#include "x86/io.h"
#include "x86/pic.h"
#include "x86/trap.h"

#define PIT_CH0       0x40
#define PIT_CMD       0x43
#define PIT_FREQ_HZ   1193182u
#define PIT_MODE_RATE 0x34 /* channel 0, lobyte/hibyte, mode 2 (rate generator) */
#define PIT_DIVISOR   ((PIT_FREQ_HZ + HZ / 2) / HZ)
#define CALIB_WINDOW  1024u /* ticks per calibration window once the first ones are done */

_Static_assert(HZ == VCLOCK_HZ, "the vDSO's tick is the kernel's");

static volatile uint32_t ticks;
static struct vclock boot_clock;           /* until timer_vclock_publish moves it */
static struct vclock *clock = &boot_clock; /* written by the tick only */
static uint64_t calib_tsc;                 /* TSC at the start of the calibration window */
static uint32_t calib_tick;                /* the tick of calib_tsc; 0: not sampled yet */
static bool calib_warm;                    /* the first 1024-tick window is done */
static timer_hook_fn hooks[TIMER_HOOKS_MAX];
static unsigned hook_count;

/* ns per TSC cycle << VCLOCK_SHIFT for @cycles over @n ticks (n <= CALIB_WINDOW: no overflow). */
static uint32_t calib_mult(uint64_t cycles, uint32_t n)
{
	uint64_t m = ((uint64_t)VCLOCK_NSEC_PER_TICK << VCLOCK_SHIFT) * n / (cycles ? cycles : 1);
	return m > UINT32_MAX ? UINT32_MAX : (uint32_t)m;
}

/* The tick's clock update (interrupt context): one tick more, the TSC now, the rate. */
static void clock_tick(uint32_t t)
{
	struct vclock *c = clock;
	uint64_t tsc = rdtsc();
	uint32_t n = t - calib_tick, mult = c->mult;

	if (!calib_tick) {
		calib_tick = t;
		calib_tsc = tsc;
	} else if (calib_warm ? n == CALIB_WINDOW : (n & (n - 1)) == 0) { /* 1, 2, 4, ... */
		mult = calib_mult(tsc - calib_tsc, n);
		if (n == CALIB_WINDOW) {
			calib_warm = true;
			calib_tick = t;
			calib_tsc = tsc;
		}
	}
	vclock_tick(c, tsc, mult, t);
}

static bool timer_irq(struct trap_frame *tf)
{
	(void)tf;
	ticks++;
	clock_tick(ticks);
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

void timer_clock_read(enum vclock_base base, int64_t *sec, uint32_t *nsec)
{
	vclock_read(clock, base, sec, nsec);
}

uint64_t timer_uptime_us(void)
{
	int64_t sec;
	uint32_t nsec;

	vclock_read(clock, VCLOCK_MONO, &sec, &nsec);
	return (uint64_t)sec * 1000000u + nsec / 1000u;
}

void timer_set_wall(int64_t epoch_sec)
{
	uint32_t flags = irq_save();
	struct vclock *c = clock;

	c->seq++;
	vclock_barrier();
	c->wall_sec = epoch_sec + c->mono_sec;
	c->wall_nsec = c->mono_nsec;
	vclock_barrier();
	c->seq++;
	irq_restore(flags);
}

void timer_vclock_publish(struct vclock *page)
{
	uint32_t flags = irq_save();

	memcpy(page, clock, sizeof(*page));
	page->seq &= ~1u;
	clock = page;
	irq_restore(flags);
}

int timer_add_hook(timer_hook_fn fn)
{
	if (hook_count == TIMER_HOOKS_MAX)
		return -ENOSPC;
	hooks[hook_count++] = fn;
	return 0;
}
