/*
 * mm error: one-line reports for struct mm_error (include/mm/error.h).
 *
 * Design: a switch over the kind, one ksnprintf each; the wording is fixed because tests and
 * the OOM report check it exactly. 64-bit fields print with %llu.
 */
#include "mm/error.h"

#include "lib/format.h"

int mm_error_format(const struct mm_error *err, char *buf, size_t size)
{
	switch (err->kind) {
	case MM_OK:
		return ksnprintf(buf, size, "ok");
	case MM_OUT_OF_MEMORY:
		return ksnprintf(
		    buf, size,
		    "OOM: requested %llu bytes, only %llu available (%llu used / %llu total)",
		    (unsigned long long)err->requested, (unsigned long long)err->available,
		    (unsigned long long)err->used, (unsigned long long)err->total);
	case MM_EXCEEDS_LIMIT:
		return ksnprintf(buf, size,
		                 "exceeds task limit: requested %llu, limit %llu, current %llu",
		                 (unsigned long long)err->requested, (unsigned long long)err->limit,
		                 (unsigned long long)err->current);
	case MM_INVALID_ARGUMENT:
		return ksnprintf(buf, size, "invalid argument: requested %llu bytes",
		                 (unsigned long long)err->requested);
	}
	return ksnprintf(buf, size, "unknown mm error %d", (int)err->kind);
}
