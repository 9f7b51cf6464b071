/*
 * stress: create and end tasks that allocate (and leak on purpose), to show that exit and
 * the reaper return every byte (sched/commands.c; the `stress tasks N` monitor command and
 * the guest tests use it).
 */
#ifndef STRATA_SCHED_STRESS_H
#define STRATA_SCHED_STRESS_H

#include <stdint.h>

/* How a stress task ends. */
enum stress_end {
	STRESS_SELF_EXIT,      /* returns (task_exit(0)) after leaking */
	STRESS_KILLED,         /* runs until killed */
	STRESS_KILLED_BLOCKED, /* blocks on a wait queue nobody wakes, then is killed */
	STRESS_ENDS,
};

struct stress_result {
	uint32_t created, failed;
	uint64_t free_before, free_after; /* MemFree bytes, caches shrunk */
	uint64_t objs_before, objs_after; /* live slab objects, all caches */
};

/* A settled snapshot: zombies reaped and empty slabs returned, then free bytes and objects. */
void stress_snapshot(uint64_t *free_bytes, uint64_t *slab_objects);

/* Run @n tasks one after another, cycling through the stress_end kinds. */
void stress_tasks(uint32_t n, struct stress_result *res);

#endif
