/*
 * bitmap: the boot-time frame allocator and the buddy allocator's record of used frames.
 *
 * Design. Two bitmaps over frames [0, nframes) (include/mm/bitmap.h): `used` (1 = in use or
 * not RAM) and `ram` (1 = usable RAM). Keeping `ram` separately costs one bit per frame and
 * makes every bad free classifiable without consulting the memory map: outside the bitmap,
 * not RAM ("reserved"), or RAM that is already free.
 *
 * Everything that touches more than one frame works on whole 32-bit words: a range is a
 * partial first word, full middle words and a partial last word, so initialising 3 GiB costs
 * about 24 Ki word stores, and the buddy allocator's order-12 block is 128 words, not 4096
 * bits. Bits past nframes in the last word are kept used (and not RAM), so word scans never
 * need a bound check inside a word.
 *
 * frame_alloc() keeps a next-free hint (a word index): allocation scans from it, frees below
 * it move it back. That scan is linear, which is fine for early boot; after the hand-over to
 * the buddy allocator (buddy_init) the allocation/free entry points refuse to run and only the
 * trusted range operations change bits.
 *
 * Locking: none here; single CPU with interrupts masked by the callers.
 */
#include "mm/bitmap.h"

#include "lib/printk.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/page.h"

#define WORD_ALL  UINT32_MAX /* every bit of a word */
#define WORD_MASK (BITMAP_WORD_BITS - 1)

/* SWAR population count constants (no libgcc __popcountsi2 in the kernel). */
#define POP_M1    0x55555555u
#define POP_M2    0x33333333u
#define POP_M4    0x0F0F0F0Fu
#define POP_H01   0x01010101u
#define POP_SHIFT 24

static uint32_t popcount32(uint32_t x)
{
	x = x - ((x >> 1) & POP_M1);
	x = (x & POP_M2) + ((x >> 2) & POP_M2);
	x = (x + (x >> 4)) & POP_M4;
	return (x * POP_H01) >> POP_SHIFT;
}

/* Bits [lo, hi) of a word, 0 <= lo < hi <= 32. */
static inline uint32_t word_mask(uint32_t lo, uint32_t hi)
{
	uint32_t upto = hi == BITMAP_WORD_BITS ? WORD_ALL : (1u << hi) - 1;

	return upto & (WORD_ALL << lo);
}

/* The words covering bits [start, start + count), count > 0, and their partial masks. */
struct word_span {
	uint32_t first, last;           /* word indices */
	uint32_t first_mask, last_mask; /* masks of the partial words (equal when first == last) */
};

static inline struct word_span span_of(uint32_t start, uint32_t count)
{
	uint32_t end = start + count; /* <= 2^20: no overflow */
	struct word_span s;

	s.first = start / BITMAP_WORD_BITS;
	s.last = (end - 1) / BITMAP_WORD_BITS;
	if (s.first == s.last) {
		s.first_mask = s.last_mask =
		    word_mask(start & WORD_MASK, ((end - 1) & WORD_MASK) + 1);
	} else {
		s.first_mask = word_mask(start & WORD_MASK, BITMAP_WORD_BITS);
		s.last_mask = word_mask(0, ((end - 1) & WORD_MASK) + 1);
	}
	return s;
}

void bitmap_set_range(uint32_t *w, uint32_t start, uint32_t count)
{
	struct word_span s = span_of(start, count);

	if (s.first == s.last) {
		w[s.first] |= s.first_mask;
		return;
	}
	w[s.first] |= s.first_mask;
	for (uint32_t i = s.first + 1; i < s.last; i++)
		w[i] = WORD_ALL;
	w[s.last] |= s.last_mask;
}

void bitmap_clear_range(uint32_t *w, uint32_t start, uint32_t count)
{
	struct word_span s = span_of(start, count);

	if (s.first == s.last) {
		w[s.first] &= ~s.first_mask;
		return;
	}
	w[s.first] &= ~s.first_mask;
	for (uint32_t i = s.first + 1; i < s.last; i++)
		w[i] = 0;
	w[s.last] &= ~s.last_mask;
}

bool bitmap_range_all(const uint32_t *w, uint32_t start, uint32_t count, bool one)
{
	struct word_span s = span_of(start, count);
	uint32_t flip = one ? WORD_ALL : 0; /* compare (word ^ flip) against 0 */

	if (s.first == s.last)
		return ((w[s.first] ^ flip) & s.first_mask) == 0;
	if ((w[s.first] ^ flip) & s.first_mask)
		return false;
	for (uint32_t i = s.first + 1; i < s.last; i++)
		if (w[i] ^ flip)
			return false;
	return ((w[s.last] ^ flip) & s.last_mask) == 0;
}

/* The bits of word @i (s->first..s->last) that lie inside the span @s. */
static inline uint32_t span_mask(const struct word_span *s, uint32_t i)
{
	uint32_t m = WORD_ALL;

	if (i == s->first)
		m &= s->first_mask;
	if (i == s->last)
		m &= s->last_mask;
	return m;
}

/* The first set bit in [start, start + count), or FRAME_NONE. */
static uint32_t bits_find_set(const uint32_t *w, uint32_t start, uint32_t count)
{
	struct word_span s = span_of(start, count);

	for (uint32_t i = s.first; i <= s.last; i++) {
		uint32_t m = span_mask(&s, i);

		if (w[i] & m)
			return i * BITMAP_WORD_BITS + (uint32_t)__builtin_ctz(w[i] & m);
	}
	return FRAME_NONE;
}

static inline bool in_bitmap(const struct frame_bitmap *bm, uint32_t pfn, uint32_t count)
{
	return count > 0 && pfn < bm->nframes && count <= bm->nframes - pfn;
}

size_t frame_bitmap_storage_bytes(uint32_t nframes)
{
	return 2 * (size_t)FRAME_BITMAP_WORDS(nframes) * sizeof(uint32_t);
}

/* Words [from, to) of both bitmaps: all RAM and free (@ram) or all not RAM and used. */
static void fill_words(struct frame_bitmap *bm, uint32_t from, uint32_t to, bool ram)
{
	if (to <= from)
		return;
	memset(bm->used + from, ram ? 0 : 0xff, (to - from) * sizeof(uint32_t));
	memset(bm->ram + from, ram ? 0xff : 0, (to - from) * sizeof(uint32_t));
}

/* Bits [lo, hi) of word @w (already written) become RAM and free. */
static void mark_ram_bits(struct frame_bitmap *bm, uint32_t w, uint32_t lo, uint32_t hi)
{
	uint32_t m = word_mask(lo, hi);

	bm->used[w] &= ~m;
	bm->ram[w] |= m;
}

/*
 * One pass over the words in address order: each word of each bitmap is written once (by
 * memset, i.e. `rep stosl` on the kernel), the partial words at range edges get a mask.
 */
int frame_bitmap_init(struct frame_bitmap *bm, void *storage, size_t bytes, uint32_t nframes,
                      const struct memmap *map)
{
	uint32_t words = FRAME_BITMAP_WORDS(nframes);
	uint32_t cursor = 0, start, end;
	uint32_t done = 0; /* words [0, done) are written */

	if (bm == NULL || storage == NULL || map == NULL || nframes == 0 ||
	    nframes > PHYS_LIMIT_PFN || !IS_ALIGNED((uintptr_t)storage, sizeof(uint32_t)))
		return -EINVAL;
	if (bytes < frame_bitmap_storage_bytes(nframes))
		return -ENOSPC;

	bm->used = storage;
	bm->ram = bm->used + words;
	bm->nframes = nframes;
	bm->ram_frames = 0;
	bm->hint = 0;
	bm->handed_over = false;

	while (memmap_next_usable(map, &cursor, &start, &end)) {
		uint32_t first, last;

		if (start >= nframes)
			break; /* ranges are sorted */
		end = MIN(end, nframes);
		bm->ram_frames += end - start; /* ranges are disjoint: exact */
		first = start / BITMAP_WORD_BITS;
		last = (end - 1) / BITMAP_WORD_BITS;
		if (first >= done) { /* else the word is shared with the previous range */
			fill_words(bm, done, first + 1, false);
			done = first + 1;
		}
		if (first == last) {
			mark_ram_bits(bm, first, start & WORD_MASK, ((end - 1) & WORD_MASK) + 1);
			continue;
		}
		mark_ram_bits(bm, first, start & WORD_MASK, BITMAP_WORD_BITS);
		fill_words(bm, first + 1, last, true);
		fill_words(bm, last, last + 1, false);
		done = last + 1;
		mark_ram_bits(bm, last, 0, ((end - 1) & WORD_MASK) + 1);
	}
	fill_words(bm, done, words, false);
	bm->free_frames = bm->ram_frames;
	return 0;
}

uint32_t frame_alloc(struct frame_bitmap *bm)
{
	uint32_t words = BITMAP_WORDS(bm->nframes);

	if (bm->handed_over) {
		pr_err("mm: frame_alloc() from %pS after the buddy allocator took over\n",
		       (void *)RET_ADDR());
		return FRAME_NONE;
	}
	if (bm->free_frames == 0)
		return FRAME_NONE;
	for (uint32_t k = 0; k < words; k++) {
		uint32_t i = bm->hint + k;

		if (i >= words)
			i -= words;
		if (bm->used[i] != WORD_ALL) {
			uint32_t pfn = i * BITMAP_WORD_BITS + (uint32_t)__builtin_ctz(~bm->used[i]);

			bm->used[i] |= 1u << (pfn & WORD_MASK);
			bm->free_frames--;
			bm->hint = i;
			return pfn;
		}
	}
	return FRAME_NONE; /* unreachable while free_frames is exact */
}

uint32_t frame_alloc_contiguous(struct frame_bitmap *bm, uint32_t count, uint32_t align)
{
	uint32_t pfn = 0;

	if (align == 0)
		align = 1;
	if (bm->handed_over) {
		pr_err(
		    "mm: frame_alloc_contiguous() from %pS after the buddy allocator took over\n",
		    (void *)RET_ADDR());
		return FRAME_NONE;
	}
	if (count == 0 || count > bm->free_frames || (align & (align - 1)) || align > bm->nframes)
		return FRAME_NONE;
	while (pfn < bm->nframes && count <= bm->nframes - pfn) {
		uint32_t busy = bits_find_set(bm->used, pfn, count);

		if (busy == FRAME_NONE) {
			bitmap_set_range(bm->used, pfn, count);
			bm->free_frames -= count;
			return pfn;
		}
		pfn = ALIGN_UP(busy + 1, align); /* busy < 2^20: no overflow */
	}
	return FRAME_NONE;
}

int frame_free(struct frame_bitmap *bm, uint32_t pfn)
{
	uintptr_t caller = RET_ADDR();
	const char *why;
	int err;

	if (bm->handed_over) {
		why = "the buddy allocator owns free memory";
		err = -EBUSY;
	} else if (pfn >= bm->nframes) {
		why = "outside RAM";
		err = -EFAULT;
	} else if (!bitmap_test(bm->ram, pfn)) {
		why = "reserved";
		err = -EFAULT;
	} else if (!bitmap_test(bm->used, pfn)) {
		why = "already free";
		err = -EINVAL;
	} else {
		uint32_t word = pfn / BITMAP_WORD_BITS;

		bm->used[word] &= ~(1u << (pfn & WORD_MASK));
		bm->free_frames++;
		if (word < bm->hint)
			bm->hint = word;
		return 0;
	}
	pr_err("mm: bad frame_free(0x%llx) from %pS: %s\n", (unsigned long long)PFN_PHYS(pfn),
	       (void *)caller, why);
	return err;
}

bool frame_range_all_free(const struct frame_bitmap *bm, uint32_t pfn, uint32_t count)
{
	return in_bitmap(bm, pfn, count) && bitmap_range_all(bm->used, pfn, count, false);
}

bool frame_range_all_used(const struct frame_bitmap *bm, uint32_t pfn, uint32_t count)
{
	return in_bitmap(bm, pfn, count) && bitmap_range_all(bm->used, pfn, count, true);
}

uint32_t frame_bitmap_count_free(const struct frame_bitmap *bm, uint32_t start, uint32_t end)
{
	struct word_span s;
	uint32_t n = 0;

	end = MIN(end, bm->nframes);
	if (start >= end)
		return 0;
	s = span_of(start, end - start);
	for (uint32_t i = s.first; i <= s.last; i++) {
		uint32_t m = span_mask(&s, i);

		n += popcount32(~bm->used[i] & m);
	}
	return n;
}

void frame_bitmap_handover(struct frame_bitmap *bm)
{
	bm->handed_over = true;
}

void frame_bitmap_stats(const struct frame_bitmap *bm, struct frame_stats *st)
{
	st->ram_frames = bm->ram_frames;
	st->free_frames = bm->free_frames;
	st->used_frames = bm->ram_frames - bm->free_frames;
}
