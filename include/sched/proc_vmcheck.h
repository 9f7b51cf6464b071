/*
 * proc_vmcheck: the auditor (include/mm/vmcheck.h) over every process's address space
 * (sched/proc_vmcheck.c): the monitor command `vmcheck`, and the `vmcheck` boot option's runs
 * after each process exit (sched/proc.c) and after each in-kernel test (tests/kernel/ktest.c).
 *
 * When a pass may run: the kernel is preemptible and vm.c takes no lock, so a process whose
 * task was preempted in the middle of a VM operation (a fault, fork, exit's teardown, an
 * mmap call) leaves its space, and the refcounts of frames it shares, half changed. A pass
 * therefore runs with preemption disabled and only when no other process is inside the
 * kernel by preemption: a task is preempted only from an interrupt, whose kernel-mode trap
 * frame then lies on its stack (a task switched out from user mode has only its user frame;
 * one that slept did it at a sleep point, and VM operations never sleep). If some process is,
 * the caller yields (up to PROC_VMCHECK_TRIES times) to let it finish, and otherwise skips
 * the pass, saying so (a skip is not a failure).
 */
#ifndef STRATA_SCHED_PROC_VMCHECK_H
#define STRATA_SCHED_PROC_VMCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/vmcheck.h"

#define PROC_VMCHECK_TRIES 16 /* yields waiting for preempted processes before a skip */

/* Turn the runs after each exit and each in-kernel test on or off (kmain: boot option). On
 * keeps the auditor's memory from now on (vmcheck_reserve: 4 bytes per frame). */
void proc_vmcheck_enable(bool on);
bool proc_vmcheck_enabled(void);

/* Broken invariants found by the passes after exits so far (the ktest hook compares it). */
unsigned proc_vmcheck_exit_broken(void);

/* The passes after exits so far: run, skipped (-EBUSY) and the failures they found. */
void proc_vmcheck_exit_stats(unsigned *passes, unsigned *skipped, unsigned *broken);

struct task;
/*
 * Was task @t (not the running one) switched out by an interrupt while it ran in the kernel,
 * so that it may be in the middle of a VM operation? (The rule above; exposed for the tests.)
 */
bool proc_vmcheck_task_busy(const struct task *t);

/*
 * One pass over every live process's space (labels "pid N (comm)"), from a task at a point
 * outside any VM operation of its own, with @flags for vmcheck_begin (VMCHECK_QUIET).
 * Failure lines are printed by the auditor. Fills *@res (if not NULL). Returns the number of
 * broken invariants (0: all hold), -EBUSY (a process stayed preempted inside the kernel: the
 * pass was skipped; *@busy_pid says which, if not NULL) or -ENOMEM (no frame map).
 */
int proc_vmcheck_all(uint32_t flags, struct vmcheck_result *res, int *busy_pid);

/*
 * The exit hook (sched/proc.c, after the exiting process's space is destroyed): when enabled,
 * one pass; its failures are printed as "vmcheck: FAIL ..." lines and counted for the
 * monitor command. Nothing when disabled.
 */
void proc_vmcheck_on_exit(void);

#endif
