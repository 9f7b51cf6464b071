/*
 * preempt: the preemption counter. While it is non-zero the scheduler does not switch tasks
 * from an interrupt (it retries at the next one), so code that touches per-CPU state without
 * masking interrupts — the slab layer's magazines — cannot be interleaved with another task.
 * Pure C (a plain counter): the allocator cores use it and still build for the host tests.
 * Nesting is allowed; every disable needs its enable.
 */
#ifndef STRATA_LIB_PREEMPT_H
#define STRATA_LIB_PREEMPT_H

#include <stdint.h>

/*
 * Not volatile: the compiler fences keep each change in program order with the code it
 * brackets, which is all a single CPU needs against an interrupt; the change itself is then
 * one memory add instruction (a volatile counter compiles to load, add, store).
 */
extern uint32_t preempt_count;

static inline void preempt_disable(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	preempt_count++;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void preempt_enable(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	preempt_count--;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

#endif
