/*
 * oom: the OOM killer's victim choice as pure arithmetic (mm/oom.c; host-tested by
 * tests/host/test_oom.c), Linux 6.1's oom_badness and select_bad_process. The killer itself,
 * which walks the processes, logs and kills, is sched/oom_kill.c (include/sched/oom.h).
 *
 *   badness = RSS pages + page-table pages + swap entries (none on Strata)
 *             + oom_score_adj * (total pages / 1000)
 *
 * A candidate with oom_score_adj -1000 (OOM_SCORE_ADJ_MIN), or marked unkillable by the caller
 * (the init process, a process already dying), scores OOM_BADNESS_NONE and is never chosen.
 * Among the rest the highest score wins; on a tie the later candidate wins (Linux walks the
 * task list and replaces the choice when points >= the chosen points). /proc/PID/oom_score is
 * the badness scaled to 0..2000 (oom_score_scaled).
 *
 * Locking: none; the caller serialises.
 */
#ifndef STRATA_MM_OOM_H
#define STRATA_MM_OOM_H

#include <stdbool.h>
#include <stdint.h>

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000
#define OOM_BADNESS_NONE  INT64_MIN /* never chosen */

/* What the choice looks at for one process. */
struct oom_candidate {
	uint32_t rss_pages; /* frames mapped: anonymous, file and shared memory */
	uint32_t pt_pages;  /* page tables */
	int32_t adj;        /* oom_score_adj, -1000..1000 */
	bool unkillable;    /* init, a kernel task, a process already dying */
};

/* Linux's oom_badness for @c with @total_pages of RAM + swap: a score, or OOM_BADNESS_NONE. */
int64_t oom_badness(const struct oom_candidate *c, uint64_t total_pages);

/*
 * The victim among @n candidates: the index of the highest badness (the later one on a tie),
 * or -1 when every candidate scores OOM_BADNESS_NONE (nothing killable).
 */
int oom_choose(const struct oom_candidate *c, unsigned n, uint64_t total_pages);

/* /proc/PID/oom_score (Linux 6.1): (1000 + badness * 1000 / total) * 2 / 3, 0 for NONE. */
uint32_t oom_score_scaled(int64_t badness, uint64_t total_pages);

#endif
