/*
 * slotmap: a small allocator of numbered slots — a bitmap in caller-provided words, bit s set
 * when slot s is taken — for fixed tables of kernel resources: kmap slots, kernel stack
 * slots, vmalloc pages (mm/phys.c, mm/kstack.c, mm/vmalloc.c).
 *
 *   static uint32_t words[SLOTMAP_WORDS(N)];
 *   static struct slotmap map = SLOTMAP_INIT(words, N);
 *   uint32_t s = slotmap_alloc(&map);        // lowest free slot, or N when all are taken
 *   slotmap_free(&map, s);
 *
 * Design: allocation is lowest-first (first fit for runs), skipping whole taken words, so a
 * table of a few thousand slots costs a few dozen word reads at worst; a single slot is one
 * count-trailing-zeros. Bits past nslots in the last word are never set, so nothing ever
 * hands them out. The one-slot operations are inline here; the scans are in
 * kernel/lib/slotmap.c. Pure code: builds for the host tests (tests/host/test_slotmap.c).
 *
 * Locking: none inside; the table's owner serialises every call (the kernel's users mask
 * interrupts, single CPU).
 */
#ifndef STRATA_LIB_SLOTMAP_H
#define STRATA_LIB_SLOTMAP_H

#include <stdbool.h>
#include <stdint.h>

#define SLOTMAP_WORD_BITS     32u
#define SLOTMAP_WORDS(nslots) (((nslots) + SLOTMAP_WORD_BITS - 1) / SLOTMAP_WORD_BITS)

struct slotmap {
	uint32_t *words; /* SLOTMAP_WORDS(nslots) words; bit s % 32 of word s / 32 = slot s taken */
	uint32_t nslots; /* slots [0, nslots) */
};

/* A static initialiser over @words (an array of at least SLOTMAP_WORDS(@n) zeroed words). */
#define SLOTMAP_INIT(words, n)                                                                     \
	{                                                                                          \
		(words), (n)                                                                       \
	}

/* True when slot @s (< nslots) is taken. */
static inline bool slotmap_test(const struct slotmap *m, uint32_t s)
{
	return (m->words[s / SLOTMAP_WORD_BITS] >> (s % SLOTMAP_WORD_BITS)) & 1u;
}

/* Mark slot @s (< nslots) taken. Cannot fail. */
static inline void slotmap_set(struct slotmap *m, uint32_t s)
{
	m->words[s / SLOTMAP_WORD_BITS] |= 1u << (s % SLOTMAP_WORD_BITS);
}

/* Release slot @s (< nslots); releasing a free slot changes nothing. Cannot fail. */
static inline void slotmap_free(struct slotmap *m, uint32_t s)
{
	m->words[s / SLOTMAP_WORD_BITS] &= ~(1u << (s % SLOTMAP_WORD_BITS));
}

/* Release every slot. Cannot fail. */
void slotmap_reset(struct slotmap *m);

/* Take the lowest free slot and return it; returns nslots (nothing changes) when all are taken. */
uint32_t slotmap_alloc(struct slotmap *m);

/*
 * Take the lowest run of @n consecutive free slots (first fit) and return its first slot;
 * returns nslots (nothing changes) when no such run exists or @n is 0.
 */
uint32_t slotmap_alloc_run(struct slotmap *m, uint32_t n);

/* Release the @n slots from @start (the range must lie inside [0, nslots)). Cannot fail. */
void slotmap_free_run(struct slotmap *m, uint32_t start, uint32_t n);

#endif
