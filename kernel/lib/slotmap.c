/*
 * slotmap: the scanning operations of the slot allocator (see include/lib/slotmap.h): lowest
 * free slot, first-fit runs, range release. Whole taken words are skipped with one compare;
 * a run is counted bit by bit only through words that are partly free. Pure code, built for
 * the host tests too. No locking: the caller serialises.
 */
#include "lib/slotmap.h"

#include "lib/string.h"

#define WORD_FULL UINT32_MAX

void slotmap_reset(struct slotmap *m)
{
	memset(m->words, 0, SLOTMAP_WORDS(m->nslots) * sizeof(uint32_t));
}

uint32_t slotmap_alloc(struct slotmap *m)
{
	for (uint32_t w = 0; w < SLOTMAP_WORDS(m->nslots); w++) {
		uint32_t s;

		if (m->words[w] == WORD_FULL)
			continue;
		s = w * SLOTMAP_WORD_BITS + (uint32_t)__builtin_ctz(~m->words[w]);
		if (s >= m->nslots)
			break; /* the free bits of the last word lie past the table */
		slotmap_set(m, s);
		return s;
	}
	return m->nslots;
}

uint32_t slotmap_alloc_run(struct slotmap *m, uint32_t n)
{
	uint32_t run = 0;

	if (n == 0 || n > m->nslots)
		return m->nslots;
	for (uint32_t s = 0; s < m->nslots;) {
		if (s % SLOTMAP_WORD_BITS == 0 && m->words[s / SLOTMAP_WORD_BITS] == WORD_FULL) {
			run = 0; /* a whole taken word: no run crosses it */
			s += SLOTMAP_WORD_BITS;
			continue;
		}
		run = slotmap_test(m, s) ? 0 : run + 1;
		s++;
		if (run == n) {
			for (uint32_t i = s - n; i < s; i++)
				slotmap_set(m, i);
			return s - n;
		}
	}
	return m->nslots;
}

void slotmap_free_run(struct slotmap *m, uint32_t start, uint32_t n)
{
	for (uint32_t s = start; s < start + n; s++)
		slotmap_free(m, s);
}
