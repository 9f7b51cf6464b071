/*
 * memdemo: the graceful-OOM demonstration (mm/memdemo.c), callable from tests.
 */
#ifndef STRATA_MM_MEMDEMO_H
#define STRATA_MM_MEMDEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/error.h"

struct memdemo_result {
	uint64_t baseline_free, final_free; /* bytes free before and after */
	bool oom_seen;                      /* the oversized request failed with MM_OUT_OF_MEMORY */
	struct mm_error oom;                /* its structured error */
	bool retry_ok;                      /* the same request succeeded after freeing */
	/* Step 7, the user-space act (when registered): */
	bool user_ran;                                /* the act was run */
	bool user_killed;                             /* its hog died of the OOM killer */
	uint64_t user_baseline_free, user_final_free; /* settled free bytes before and after */
};

/*
 * Register step 7, a user process out of memory, from the process layer (mm cannot start
 * processes): @act fills the user_* fields and returns 0 when the process was OOM-killed and
 * free memory came back exactly.
 */
void memdemo_set_user_act(int (*act)(struct memdemo_result *res));

/* Run the demonstration. Returns 0 when every step behaved and free memory came back exactly. */
int memdemo_run(struct memdemo_result *res);

#endif
