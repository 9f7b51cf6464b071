/*
 * owner: per-task memory accounting (sched/owner.c). Connects the page allocator's and the
 * slab layer's owner hooks to struct task: every page block and slab object allocated while
 * a task runs is charged to it, limits are enforced there, and at exit everything the task
 * still owns is freed and the ledger checked.
 */
#ifndef STRATA_SCHED_OWNER_H
#define STRATA_SCHED_OWNER_H

#include <stdint.h>

struct task;

/* Register the hooks with the page allocator and the slab layer. */
void owner_init(void);

/* Charge allocations from now on to @tid (0 = the kernel). Called on every switch. */
void owner_switch(uint32_t tid);

/* Free every page block and slab object still charged to @t; returns the bytes freed. */
uint64_t owner_release_all(struct task *t);

/* Panic unless nothing at all is charged to @t any more (the reaper's ledger check). */
void owner_ledger_check(const struct task *t);

#endif
