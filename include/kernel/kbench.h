/*
 * kbench: in-kernel benchmarks measured in guest instructions.
 *
 * Under `qemu -icount shift=0` the TSC advances exactly one tick per guest instruction, so an
 * rdtsc delta is an exact, deterministic instruction count (tools/bench.sh runs it that way;
 * `make bench`). A benchmark reports each figure with kbench_report(), optionally against a
 * budget; the runner prints
 *     bench: buddy.order0_hot 143 insn/op (budget 200) ok
 * and finally "N passed, M failed" counting the budgets, then exits QEMU (33/35).
 */
#ifndef STRATA_KERNEL_KBENCH_H
#define STRATA_KERNEL_KBENCH_H

#include <stdint.h>

#include "x86/cpu.h"

struct kbench {
	const char *name;
	void (*fn)(void);
};

#define KBENCH(id)                                                                                 \
	static void kbench_fn_##id(void);                                                          \
	static const struct kbench kbench_desc_##id                                                \
	    __attribute__((used, section(".kbench"), aligned(4))) = { #id, kbench_fn_##id };       \
	static void kbench_fn_##id(void)

/* Report @value (per operation) for "@group.@metric"; @budget 0 means no budget. */
void kbench_report(const char *group, const char *metric, uint64_t value, const char *unit,
                   uint64_t budget);

/* Run every benchmark, print the results and exit QEMU. */
__attribute__((noreturn)) void kbench_run_all(void);

/*
 * The instructions an empty `for (i = 0; i < n; i++)` loop costs per iteration, measured once
 * at start; benchmarks subtract it so a budget measures the operation, not the loop.
 */
extern uint64_t kbench_loop_overhead;

/* Instruction count (under icount) of a timed region: t = kbench_start(); ...; kbench_end(t). */
static inline uint64_t kbench_start(void)
{
	return rdtsc();
}

static inline uint64_t kbench_end(uint64_t start)
{
	return rdtsc() - start;
}

/* Per-iteration cost of a loop of @n iterations that took @total, less the loop overhead. */
static inline uint64_t kbench_per_op(uint64_t total, uint32_t n)
{
	uint64_t per = total / n;
	return per > kbench_loop_overhead ? per - kbench_loop_overhead : 0;
}

#endif
