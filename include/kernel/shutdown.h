/*
 * shutdown: the power-off that init asks for, with the memory accounting checked at the end
 * (kernel/shutdown.c).
 *
 * When the init process that kmain started (init=) calls reboot(2) to power off, halt or
 * restart, the kernel first ends it (its exit status 0), then every process left (SIGKILL,
 * as a shutdown script's `kill -9 -1`), waits until they are all reaped, and only then
 * powers off. In between it prints one line of memory accounting, settled (zombies reaped,
 * the page cache nobody maps and unused file objects dropped, empty slabs returned):
 *
 *   mm: at power-off: free N kB, slab objects N, committed N kB, ledger N owners N pages
 *       N bytes, page cache N pages in N objects, shm N segments
 *
 * (one line) and the same line labelled "before init" just before init starts. With every
 * process gone, each field must equal its value before init: that is the proof that nothing
 * any process did — including every failure injected under fail_page_alloc and failslab,
 * whose counts follow the line — left memory, a charge or a ledger entry behind. (The page
 * cache and file objects are dropped at both points because they outlive processes by
 * design; SysV segments too, but a test removes its own, so they are only counted.)
 * A reboot(2) from any other process powers off at once, as before.
 */
#ifndef STRATA_KERNEL_SHUTDOWN_H
#define STRATA_KERNEL_SHUTDOWN_H

#include <stdbool.h>

/* Settle memory and print the accounting line with @label ("before init"). Sleeps. */
void shutdown_memory_line(const char *label);

/*
 * kmain waits for the init process from now on (@waiting) or no longer. While it does, a
 * reboot(2) by init is shutdown_by_init's.
 */
void shutdown_init_waited(bool waiting);

/*
 * For reboot(2): true when the caller is the init process kmain waits for; the power-off is
 * then recorded for shutdown_after_init and the caller must end itself (proc_exit).
 */
bool shutdown_by_init(void);

/*
 * After init has ended: if it asked for the power-off, end every process left, wait until
 * they are reaped (giving up after SHUTDOWN_WAIT_MS with a line naming how many remain),
 * print the accounting line and the fault-injection counts, and power off (never returns).
 * Otherwise return at once.
 */
#define SHUTDOWN_WAIT_MS 5000u
void shutdown_after_init(void);

#endif
