/*
 * vclock: the clock data the kernel publishes in the vvar page and the one function that reads
 * it, shared word for word by the kernel (kernel/arch/pit.c writes it on every tick and reads it
 * for clock_gettime and the sleeps) and by the vDSO (vdso/vdso.c reads it in user mode). Pure:
 * no hardware, kernel or libc header, so the vDSO and the host tests build it too.
 *
 * The timeline: CLOCK_MONOTONIC is the tick count in whole ticks (1/HZ s, VCLOCK_NSEC_PER_TICK)
 * plus, inside the current tick, the TSC cycles since the tick converted to ns:
 *
 *   now = (mono_sec, mono_nsec) + min((rdtsc - tsc_base) * mult >> VCLOCK_SHIFT, 1 tick - 1 ns)
 *
 * The clamp keeps the clock monotonic when the TSC rate is misjudged or a tick is late (its
 * interrupt pending): time then waits for the tick instead of running past it. With mult 0
 * (the TSC not calibrated yet) the clock has tick resolution. CLOCK_REALTIME is kept the same
 * way from (wall_sec, wall_nsec): the CMOS clock read at boot plus the ticks since.
 *
 * Writer protocol (Linux's seqcount): the tick handler, the only writer, makes seq odd, writes
 * the fields, makes seq even again, with compiler barriers between. A reader copies the fields
 * between two reads of an even, equal seq, and retries otherwise; on one CPU the writer runs
 * only as an interrupt, so a reader retries at most once per tick.
 *
 * The layout is an ABI between the kernel and the vDSO built with it (the same tree), not with
 * user programs: they go through the vDSO's functions.
 */
#ifndef STRATA_LIB_VCLOCK_H
#define STRATA_LIB_VCLOCK_H

#include <stdint.h>

#define VCLOCK_HZ            1000u
#define VCLOCK_NSEC_PER_TICK (1000000000u / VCLOCK_HZ)
#define VCLOCK_NSEC_PER_SEC  1000000000u
#define VCLOCK_SHIFT         24 /* mult = ns per TSC cycle << 24: any TSC from 4 MHz up */

struct vclock {
	volatile uint32_t seq; /* odd while the tick handler writes */
	uint32_t mult;         /* ns per TSC cycle << VCLOCK_SHIFT; 0: not calibrated */
	uint64_t tsc_base;     /* rdtsc at the last tick */
	uint32_t mono_sec;     /* CLOCK_MONOTONIC at the last tick (mono_nsec < 10^9) */
	uint32_t mono_nsec;
	int64_t wall_sec; /* CLOCK_REALTIME at the last tick (wall_nsec < 10^9) */
	uint32_t wall_nsec;
	uint32_t ticks; /* ticks since boot (wraps after 49 days) */
};

enum vclock_base {
	VCLOCK_MONO, /* CLOCK_MONOTONIC, MONOTONIC_RAW, BOOTTIME (nothing is suspended) */
	VCLOCK_WALL, /* CLOCK_REALTIME (and TAI: offset 0) */
};

/* The barrier between the seq reads and the field reads (one CPU: the compiler's). */
#define vclock_barrier() __asm__ __volatile__("" ::: "memory")

static inline uint64_t vclock_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * The writer's step, once per tick (the only writer: the tick interrupt, kernel/arch/pit.c):
 * both bases advance by one tick, and the tick's TSC, the rate @mult and the count @ticks are
 * recorded, all between two increments of seq. Never fails.
 */
static inline void vclock_tick(struct vclock *c, uint64_t tsc, uint32_t mult, uint32_t ticks)
{
	c->seq++;
	vclock_barrier();
	c->tsc_base = tsc;
	c->mult = mult;
	c->ticks = ticks;
	c->mono_nsec += VCLOCK_NSEC_PER_TICK;
	c->wall_nsec += VCLOCK_NSEC_PER_TICK;
	if (c->mono_nsec >= VCLOCK_NSEC_PER_SEC) {
		c->mono_nsec -= VCLOCK_NSEC_PER_SEC;
		c->mono_sec++;
	}
	if (c->wall_nsec >= VCLOCK_NSEC_PER_SEC) {
		c->wall_nsec -= VCLOCK_NSEC_PER_SEC;
		c->wall_sec++;
	}
	vclock_barrier();
	c->seq++;
}

/* The TSC reader vclock_read uses (a host test substitutes its own). */
#ifndef VCLOCK_RDTSC
#define VCLOCK_RDTSC vclock_rdtsc
#endif

/*
 * ns since the last tick for @cycles TSC cycles at @mult, clamped below one tick. Only the low
 * 32 bits of a delta are multiplied: a delta of 2^32 cycles or more (or a negative one) is past
 * any tick anyway. With @mult 0 always 0 (tick resolution), even for such a delta.
 */
static inline uint32_t vclock_subtick_ns(uint64_t cycles, uint32_t mult)
{
	if (cycles >> 32)
		return mult ? VCLOCK_NSEC_PER_TICK - 1 : 0;
	uint64_t ns = ((uint64_t)(uint32_t)cycles * mult) >> VCLOCK_SHIFT;
	return ns >= VCLOCK_NSEC_PER_TICK ? VCLOCK_NSEC_PER_TICK - 1 : (uint32_t)ns;
}

/*
 * The clock @base now from @vc: seconds in *@sec, nanoseconds (< 10^9) in *@nsec, read under
 * the sequence counter. No division: the tick's base is kept as seconds and ns, and the
 * sub-tick part is under one tick. Never fails.
 */
static inline void vclock_read(const struct vclock *vc, enum vclock_base base, int64_t *sec,
                               uint32_t *nsec)
{
	const volatile struct vclock *v = vc;
	uint32_t seq, mult, ns;
	uint64_t tsc_base, now;
	int64_t s;

	do {
		seq = v->seq;
		vclock_barrier();
		mult = v->mult;
		tsc_base = v->tsc_base;
		if (base == VCLOCK_MONO) {
			s = v->mono_sec;
			ns = v->mono_nsec;
		} else {
			s = v->wall_sec;
			ns = v->wall_nsec;
		}
		now = VCLOCK_RDTSC();
		vclock_barrier();
	} while ((seq & 1) || seq != v->seq);
	ns += vclock_subtick_ns(now - tsc_base, mult);
	if (ns >= VCLOCK_NSEC_PER_SEC) {
		ns -= VCLOCK_NSEC_PER_SEC;
		s++;
	}
	*sec = s;
	*nsec = ns;
}

#endif
