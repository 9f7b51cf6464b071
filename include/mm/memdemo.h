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
};

/* Run the demonstration. Returns 0 when every step behaved and free memory came back exactly. */
int memdemo_run(struct memdemo_result *res);

#endif
