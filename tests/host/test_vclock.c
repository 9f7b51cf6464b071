/*
 * Host tests for include/lib/vclock.h, the clock arithmetic the kernel and the vDSO share: the
 * sub-tick conversion and its clamp, tick resolution before calibration, the carry into the
 * next second, both bases, and monotonicity across ticks (the kernel's own writer step,
 * vclock_tick) whatever the TSC rate estimate.
 * The TSC is a variable here (VCLOCK_RDTSC).
 */
#include "htest.h"

#include <stdint.h>

static uint64_t fake_tsc;
static uint64_t read_fake_tsc(void)
{
	return fake_tsc;
}
#define VCLOCK_RDTSC read_fake_tsc
#include "lib/vclock.h"

#define ONE_NS (1u << VCLOCK_SHIFT) /* mult for a 1 GHz TSC: 1 ns per cycle */

static uint64_t mono_ns(const struct vclock *vc)
{
	int64_t sec;
	uint32_t nsec;

	vclock_read(vc, VCLOCK_MONO, &sec, &nsec);
	HT_EXPECT(nsec < VCLOCK_NSEC_PER_SEC);
	return (uint64_t)sec * VCLOCK_NSEC_PER_SEC + nsec;
}

HT_TEST(vclock_subtick_converts_and_clamps)
{
	HT_EXPECT_EQ(vclock_subtick_ns(0, ONE_NS), 0u);
	HT_EXPECT_EQ(vclock_subtick_ns(12345, ONE_NS), 12345u);
	HT_EXPECT_EQ(vclock_subtick_ns(12345, ONE_NS / 2), 6172u); /* a 2 GHz TSC */
	HT_EXPECT_EQ(vclock_subtick_ns(999999, ONE_NS), 999999u);
	/* a tick's worth or more: one ns short of the next tick */
	HT_EXPECT_EQ(vclock_subtick_ns(1000000, ONE_NS), VCLOCK_NSEC_PER_TICK - 1);
	HT_EXPECT_EQ(vclock_subtick_ns(0xFFFFFFFFull, ONE_NS), VCLOCK_NSEC_PER_TICK - 1);
	HT_EXPECT_EQ(vclock_subtick_ns(1ull << 40, ONE_NS), VCLOCK_NSEC_PER_TICK - 1);
	/* the largest product fits: 2^32 - 1 cycles at the largest mult */
	HT_EXPECT_EQ(vclock_subtick_ns(0xFFFFFFFFull, 0xFFFFFFFFu), VCLOCK_NSEC_PER_TICK - 1);
	HT_EXPECT_EQ(vclock_subtick_ns(5, 0), 0u); /* not calibrated */
}

HT_TEST(vclock_reads_base_plus_cycles)
{
	struct vclock vc = { .mono_sec = 7,
		             .mono_nsec = 250000000,
		             .wall_sec = 1700000000,
		             .wall_nsec = 250000000,
		             .tsc_base = 1000,
		             .mult = ONE_NS };
	int64_t sec;
	uint32_t nsec;

	fake_tsc = 1000 + 4321;
	vclock_read(&vc, VCLOCK_MONO, &sec, &nsec);
	HT_EXPECT_EQ(sec, 7);
	HT_EXPECT_EQ(nsec, 250004321u);
	vclock_read(&vc, VCLOCK_WALL, &sec, &nsec);
	HT_EXPECT_EQ(sec, 1700000000);
	HT_EXPECT_EQ(nsec, 250004321u);
	vc.mult = 0; /* before calibration: the tick's base exactly */
	vclock_read(&vc, VCLOCK_MONO, &sec, &nsec);
	HT_EXPECT_EQ(nsec, 250000000u);
}

HT_TEST(vclock_carries_into_the_next_second)
{
	struct vclock vc = { .mono_sec = 3, .mono_nsec = 999500000, .tsc_base = 0, .mult = ONE_NS };
	int64_t sec;
	uint32_t nsec;

	fake_tsc = 600000; /* 0.6 ms into the tick: past the second */
	vclock_read(&vc, VCLOCK_MONO, &sec, &nsec);
	HT_EXPECT_EQ(sec, 4);
	HT_EXPECT_EQ(nsec, 100000u);
}

/* Whatever the rate estimate (too slow, right, too fast), time never goes back across ticks. */
HT_TEST(vclock_monotonic_across_ticks_for_any_mult)
{
	const uint32_t mults[] = { 0, ONE_NS / 3, ONE_NS, ONE_NS * 3, 0xFFFFFFFFu };

	for (unsigned m = 0; m < sizeof(mults) / sizeof(mults[0]); m++) {
		struct vclock vc = { .mult = mults[m] };
		uint64_t last = 0, tsc = 0;
		for (unsigned t = 0; t < 3000; t++) {
			/* reads through the tick: 0, 1/4, 1/2, 3/4 and 5/4 of a 1 GHz tick (the
			 * last one late: its interrupt still pending) */
			for (unsigned q = 0; q <= 5; q++) {
				if (q == 4)
					continue;
				fake_tsc = tsc + q * 250000u;
				uint64_t now = mono_ns(&vc);
				HT_EXPECT(now >= last);
				HT_EXPECT(now < (uint64_t)(t + 1) * VCLOCK_NSEC_PER_TICK);
				last = now;
			}
			tsc += 1250000; /* the tick came late */
			vclock_tick(&vc, tsc, mults[m], vc.ticks + 1);
		}
		HT_EXPECT_EQ(vc.mono_sec, 3u);
		HT_EXPECT_EQ(vc.mono_nsec, 0u);
	}
}
