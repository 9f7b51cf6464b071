/*
 * oom: the OOM killer (sched/oom_kill.c) — what happens when a user page fault finds no
 * memory. The victim choice is include/mm/oom.h's (Linux's oom_badness); this is the part
 * that walks the processes, logs as Linux 6.1 does, kills, and waits.
 *
 *   fault, no memory ──► shrinkers ran? ──► a victim still dying? ── yes ──► wait, retry
 *                                                │ no
 *                                                ▼
 *                          choose (RSS + tables + oom_score_adj; never init, kernel tasks
 *                          or -1000) ── nobody ──► the faulting process ends (its own line)
 *                                                │
 *                          log, SIGKILL ──► victim is the faulting process? ── yes ──► it dies
 *                                                │ no
 *                                                ▼
 *                          wait until the victim's memory is back (its exit), retry
 *
 * One shortage costs one process: while a victim's memory is being freed no second victim is
 * chosen; the victim's exit logs `oom_reaper: reaped process ...` and wakes the waiters.
 *
 * A per-process cap (`limit PID SIZE`: the owner's limit, RSS + page tables + slab) is not a
 * shortage: the process at its cap is killed alone, and the report names the cap.
 *
 * Log lines (printk levels as Linux: warning, info, err, info):
 *   hog invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0,
 * oom_score_adj=0 Tasks state (memory values in pages): [  pid  ]   uid  tgid total_vm      rss
 * pgtables_bytes swapents oom_score_adj name [     12]     0    12     2093     1930    12288 0 0
 * hog
 *   oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=12,uid=0
 *   Out of memory: Killed process 12 (hog) total-vm:8372kB, anon-rss:7720kB, file-rss:0kB,
 * shmem-rss:0kB, UID:0 pgtables:12kB oom_score_adj:0 oom_reaper: reaped process 12 (hog), now
 * anon-rss:0kB, file-rss:0kB, shmem-rss:0kB At a cap: `Memory cap out of memory: ...` (Linux's
 * memory cgroup wording) after mm: pid 12 (hog): memory cap 4096 kB reached (4092 kB in use)
 *
 * Locking: interrupts off around the victim state (one CPU).
 */
#ifndef STRATA_SCHED_OOM_H
#define STRATA_SCHED_OOM_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/oom.h"

struct proc;

enum oom_outcome {
	OOM_RETRY,   /* memory may be there now (shrunk, or a victim's freed): fault again */
	OOM_KILLED,  /* the faulting process was chosen (or is dying): it must end */
	OOM_NOTHING, /* nothing killable: the faulting process ends (its own report line) */
	OOM_CAPPED,  /* it is at its own cap: killed alone (reported) */
};

struct oom_stats {
	uint64_t invocations; /* faults that found no memory and called the killer */
	uint64_t kills;       /* victims chosen for a shortage (vmstat oom_kill) */
	uint64_t cap_kills;   /* processes killed at their own cap */
	uint64_t waits;       /* faults that waited for a victim's memory */
	uint64_t overlaps;    /* shortage victims chosen while another victim still had its
	                         memory (the one-kill-per-shortage rule broken: stays 0) */
};
extern struct oom_stats oom_stats;

/*
 * The current process @p's page fault found no memory (order @order; @user: from ring 3,
 * else a copy helper's access for a system call). Runs the shrinkers, chooses and kills a
 * victim, or waits for the one already dying. May sleep. Returns what the fault handler does
 * next (enum oom_outcome). At its own cap a system call's access is not a kill: OOM_CAPPED
 * without one, the call fails (EFAULT), as a memory cgroup's charge does on Linux.
 */
enum oom_outcome oom_out_of_memory(struct proc *p, unsigned order, bool user);

/* Process @p's address space is gone (proc_exit): if it was an OOM victim, log the reaper's
 * line and let the waiting faults retry. */
void oom_exited(struct proc *p);

/* Set @pid's oom_score_adj (-1000..1000). Returns 0, -ESRCH, -EINVAL. */
int oom_set_adj(int pid, int adj);

/*
 * The victim a shortage would choose now, without killing: its pid, or 0 when nothing is
 * killable. Fills *@badness (when non-NULL) with its score. For tests and `make bench`.
 */
int oom_pick(int64_t *badness);

/* Register memdemo's user-space act (sched/oom_demo.c). Called once by proc_init. */
void oom_demo_init(void);

/* RAM + swap in pages, the total oom_score_adj is scaled by. */
uint64_t oom_total_pages(void);

#endif
