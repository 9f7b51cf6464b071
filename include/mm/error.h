/*
 * mm error: the structured result of a failed allocation (seed 000's MemoryError, in C).
 *
 * A fallible allocator fills a struct mm_error when it fails, so the caller can report
 * exactly why: "OOM: requested N bytes, only N available (N used / N total)" or
 * "exceeds task limit: requested N, limit N, current N".
 */
#ifndef STRATA_MM_ERROR_H
#define STRATA_MM_ERROR_H

#include <stddef.h>
#include <stdint.h>

enum mm_error_kind {
	MM_OK = 0,
	MM_OUT_OF_MEMORY,    /* not enough free memory (or none of the needed order) */
	MM_EXCEEDS_LIMIT,    /* the owner's limit would be passed */
	MM_INVALID_ARGUMENT, /* bad size, order, alignment or zone */
};

struct mm_error {
	enum mm_error_kind kind;
	uint64_t requested; /* bytes asked for */
	uint64_t available; /* bytes free (OOM) */
	uint64_t used;      /* bytes in use (OOM) */
	uint64_t total;     /* bytes managed (OOM) */
	uint64_t limit;     /* the owner's limit (EXCEEDS_LIMIT) */
	uint64_t current;   /* the owner's usage (EXCEEDS_LIMIT) */
};

/*
 * Format @err as its one-line report (no trailing newline) into @buf; returns the length as
 * kvsnprintf does. MM_OK formats as "ok".
 */
int mm_error_format(const struct mm_error *err, char *buf, size_t size);

#endif
