/*
 * failinject: fault injection into the allocators, after Linux's fault_attr
 * (lib/fault-inject.c) behind fail_page_alloc and failslab (mm/failinject.c).
 *
 * Two attributes exist: fail_page_alloc (alloc_pages, mm/phys.c) and failslab (every slab
 * object and large kmalloc block, mm/slab.c and mm/slab_large.c). Each decides, per
 * allocation it is asked about, whether to fail it as out of memory:
 *
 *   enabled      "off" turns it off (the default); any other spec turns it on
 *   interval N   count the eligible calls; fail only every Nth (1: every call is a candidate)
 *   probability  percent 0..100: a candidate fails with this chance, drawn from a xorshift32
 *                generator started from seed (a fixed seed: the same run fails the same calls)
 *   times N      at most N failures, then none (default: unlimited)
 *   pid N        only allocations made while process N runs (default: any process but init)
 *
 * Which allocations are asked about (the callers' policy, written here once): only those made
 * while a user process runs — its system calls, fork and exec, whoever they are charged to —
 * and never a must-succeed one (__GFP_NOFAIL, KM_NOFAIL: their failure panics by design;
 * Linux's fail_page_alloc skips __GFP_NOFAIL too). Not while its page fault is resolved
 * (demand paging, copy-on-write: as Linux's default ignore-gfp-highmem spares user pages; a
 * fault has no caller to return an error to, and a fault without memory ends the process).
 * Kernel tasks (the monitor, the reaper, kmain, the in-kernel tests) are never failed. Init (pid 1)
 * is spared unless the pid filter names it: the runner that reports the injected run must survive
 * it. The point is to exercise the error paths a user action reaches; each failure must reach that
 * action as an error (ENOMEM, EAGAIN, a refused fork or exec) and leave nothing behind.
 *
 * Spec syntax (the command line's value, the monitor's arguments), fields separated by ','
 * or ' ', applied over the attribute's current settings:
 *
 *   off                 disable (counts are kept)
 *   N | every=N         fail every Nth eligible call (probability 100% unless set)
 *   P% | prob=P         fail with probability P percent (every call a candidate unless set)
 *   seed=S              the generator's seed (default 1)
 *   times=N             at most N failures (1..; default unlimited)
 *   pid=N               only process N (0: any process but init)
 *
 * e.g. "97", "5%,seed=42", "every=3,times=10,pid=7". Enabling (any spec without "off")
 * restarts the call count and the generator, so a configuration fails the same calls of the
 * same workload every time.
 *
 * Locking: one CPU; the allocators call failinject_should_fail with interrupts masked (pages)
 * or preemption off (slab). Pure code: builds for the host tests.
 */
#ifndef STRATA_MM_FAILINJECT_H
#define STRATA_MM_FAILINJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAULT_TIMES_UNLIMITED UINT32_MAX
#define FAULT_SPEC_MAX        96 /* bytes of a spec the monitor joins, NUL included */

struct fault_attr {
	const char *name; /* "fail_page_alloc", "failslab" */
	/* settings */
	bool enabled; /* read by the slab fast paths: failslab on sends them to the slow path */
	uint32_t interval;    /* >= 1 */
	uint32_t probability; /* percent, 0..100 */
	uint32_t seed;
	uint32_t times; /* failures left; FAULT_TIMES_UNLIMITED */
	uint32_t limit; /* times as configured (for the status line) */
	int pid;        /* 0: any process but init */
	/* state */
	uint32_t rng;      /* xorshift32 state, never 0 */
	uint64_t calls;    /* eligible calls since enabled */
	uint64_t injected; /* failures injected since boot */
};

extern struct fault_attr fail_page_alloc_attr, failslab_attr;

/*
 * Parse @spec (syntax above) over a copy of *@a and store it only if every field is valid.
 * Returns 0, or -1 on an unknown field, a bad number, P above 100, N or times 0, an empty
 * spec (*@a unchanged).
 */
int failinject_parse(struct fault_attr *a, const char *spec);

/*
 * Decide one allocation made on behalf of process @pid (0: no process, a kernel task). Counts
 * the call and the failure. True: fail it. Never fails itself.
 */
bool failinject_should_fail(struct fault_attr *a, int pid);

/*
 * The hook the kernel registers that says which process runs now (its pid, 0 in a kernel
 * task); before it is set every allocation counts as a kernel task's.
 */
void failinject_set_pid_hook(int (*current_pid)(void));

/* failinject_should_fail for the process running now (through the hook). */
bool failinject_now(struct fault_attr *a);

/*
 * One status line into @buf (NUL-terminated, truncated to @size), e.g.
 * "fail_page_alloc: every 97, 100%, seed 1, times unlimited, pid any: 3021 calls, 31 injected"
 * or "failslab: off: 0 injected". Returns the length it wanted (as snprintf).
 */
int failinject_format(const struct fault_attr *a, char *buf, size_t size);

#endif
