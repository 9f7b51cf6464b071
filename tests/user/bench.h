/* Shared helpers of the user-space benchmarks (tests/user/bench_*.c, linked with
 * tests/user/libbench.c): the time-stamp counter — under `qemu -icount shift=0` one tick is one
 * guest instruction, so every delta is an exact instruction count; elsewhere TSC cycles — the
 * cost of an empty measuring loop, and the one output line tools/bench-user.sh reads. */
#ifndef STRATA_USER_BENCH_H
#define STRATA_USER_BENCH_H

#include <stdint.h>

/* The time-stamp counter. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Ticks of a loop of @ops calls of an empty function: the harness cost subtracted from
 * per-op totals. */
uint64_t loop_overhead(unsigned ops);

/* Prints "bench: NAME N insn/op (...)": (@total - @overhead) / @ops, rounded. */
void report(const char *name, uint64_t total, uint64_t overhead, unsigned ops);

#endif
