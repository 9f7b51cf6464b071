/* The benchmarks' shared helpers (contracts in tests/user/bench.h). */
#include "bench.h"

#include <stdio.h>

/* The empty loop body the overhead is measured with: a call the loop pays each time. */
__attribute__((noinline)) void bench_nothing(void)
{
	__asm__ volatile("" ::: "memory");
}

uint64_t loop_overhead(unsigned ops)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < ops; i++)
		bench_nothing();
	return rdtsc() - t0;
}

void report(const char *name, uint64_t total, uint64_t overhead, unsigned ops)
{
	uint64_t net = total > overhead ? total - overhead : 0;

	printf("bench: %s %llu insn/op (%u ops, %llu total, loop overhead %llu)\n", name,
	       (unsigned long long)((net + ops / 2) / ops), ops, (unsigned long long)total,
	       (unsigned long long)overhead);
}
