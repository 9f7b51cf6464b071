/*
 * oom: the OOM killer's victim choice (contracts in include/mm/oom.h). Pure: no state, no
 * allocation; built for the kernel and for the host tests (64-bit division comes from
 * kernel/lib/divdi3.c in the kernel).
 */
#include "mm/oom.h"

int64_t oom_badness(const struct oom_candidate *c, uint64_t total_pages)
{
	if (c->unkillable || c->adj <= OOM_SCORE_ADJ_MIN)
		return OOM_BADNESS_NONE;
	int32_t adj = c->adj > OOM_SCORE_ADJ_MAX ? OOM_SCORE_ADJ_MAX : c->adj;
	int64_t points = (int64_t)c->rss_pages + (int64_t)c->pt_pages;
	/* Linux: adj *= totalpages / 1000 (integer division first). */
	return points + (int64_t)adj * (int64_t)(total_pages / 1000u);
}

int oom_choose(const struct oom_candidate *c, unsigned n, uint64_t total_pages)
{
	int chosen = -1;
	int64_t best = OOM_BADNESS_NONE;

	for (unsigned i = 0; i < n; i++) {
		int64_t points = oom_badness(&c[i], total_pages);
		if (points == OOM_BADNESS_NONE || (chosen >= 0 && points < best))
			continue;
		chosen = (int)i;
		best = points;
	}
	return chosen;
}

uint32_t oom_score_scaled(int64_t badness, uint64_t total_pages)
{
	if (badness == OOM_BADNESS_NONE || total_pages == 0)
		return 0;
	int64_t scaled = 1000 + badness * 1000 / (int64_t)total_pages;
	return scaled <= 0 ? 0 : (uint32_t)(scaled * 2 / 3);
}
