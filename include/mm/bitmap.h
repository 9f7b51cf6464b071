/*
 * bitmap: the boot-time physical frame allocator, and afterwards the buddy allocator's
 * word-wise record of which frames are in use (mm/bitmap.c).
 *
 * Two bitmaps over the frames [0, nframes), one bit per 4 KiB frame, in storage the caller
 * provides (the kernel carves it from the memory map with memmap_alloc()):
 *   used: 1 = in use or not RAM, 0 = free RAM.
 *   ram:  1 = the frame is usable RAM in the sanitized map (after reservations), 0 = not RAM
 *         (a hole, firmware-reserved, or reserved by the kernel: image, metadata, ...).
 * The ram bitmap never changes after frame_bitmap_init(); it is what lets frame_free() tell a
 * double free (ram, already free) from a free of reserved memory (not ram).
 * Invariant: used == 0 implies ram == 1; free_frames == number of zero bits in used.
 *
 * Life cycle: during early boot frame_alloc*() / frame_free() allocate from the bitmap
 * (next-free hint, linear scans: boot only). buddy_init() then takes every free frame
 * (frame_bitmap_handover()); from then on the bitmap is the buddy's mirror, updated only
 * through the frame_range_*() operations, and frame_alloc*() / frame_free() refuse to run.
 *
 * Locking: single CPU; callers mask interrupts (the buddy allocator's callers do).
 */
#ifndef STRATA_MM_BITMAP_H
#define STRATA_MM_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "mm/memmap.h"

#define FRAME_NONE UINT32_MAX /* "no frame": the failure value of frame_alloc*() */

#define BITMAP_WORD_BITS    32u
#define BITMAP_WORDS(nbits) (((nbits) + BITMAP_WORD_BITS - 1) / BITMAP_WORD_BITS)

/*
 * The frame bitmaps extend to a multiple of FRAME_BITMAP_ALIGN frames (the buddy allocator's
 * largest block, 16 MiB), the extra bits used and not RAM: the buddy of any block inside
 * [0, nframes) can then be tested without a bound check.
 */
#define FRAME_BITMAP_ALIGN          4096u
#define FRAME_BITMAP_WORDS(nframes) BITMAP_WORDS(ALIGN_UP((nframes), FRAME_BITMAP_ALIGN))

struct frame_bitmap {
	uint32_t *used;       /* FRAME_BITMAP_WORDS(nframes) words; bits past nframes are 1 */
	uint32_t *ram;        /* FRAME_BITMAP_WORDS(nframes) words; bits past nframes are 0 */
	uint32_t nframes;     /* frames covered: [0, nframes) */
	uint32_t ram_frames;  /* bits set in ram */
	uint32_t free_frames; /* bits clear in used */
	uint32_t hint;        /* word index where frame_alloc() starts looking */
	bool handed_over;     /* the buddy allocator owns the free frames */
};

struct frame_stats {
	uint32_t ram_frames; /* usable RAM frames (after reservations) */
	uint32_t free_frames;
	uint32_t used_frames; /* ram_frames - free_frames */
};

/* Bytes of storage frame_bitmap_init() needs for @nframes frames (both bitmaps). */
size_t frame_bitmap_storage_bytes(uint32_t nframes);

/*
 * Set up @bm over frames [0, @nframes) in @storage (@bytes long, 4-byte aligned): every whole
 * frame of a usable range of @map becomes RAM and free, everything else not RAM and used.
 * Word-wise: the cost is per 32 frames, plus per range. @nframes is normally
 * memmap_end_pfn(@map); usable frames at or above it are left out.
 * Returns 0; -EINVAL when a pointer is NULL, @nframes is 0 or above 4 GiB worth of frames, or
 * @storage is misaligned; -ENOSPC when @bytes is too small.
 */
int frame_bitmap_init(struct frame_bitmap *bm, void *storage, size_t bytes, uint32_t nframes,
                      const struct memmap *map);

/*
 * Boot-time allocation of one free frame (the lowest one at or after the hint, wrapping).
 * Returns its pfn, or FRAME_NONE when none is free or after the hand-over to the buddy.
 */
uint32_t frame_alloc(struct frame_bitmap *bm);

/*
 * Boot-time allocation of @count contiguous free frames whose first pfn is a multiple of
 * @align (a power of two, in frames; 0 or 1 = any). Returns the first pfn, or FRAME_NONE
 * (no such run, @count 0, bad @align, or after the hand-over).
 */
uint32_t frame_alloc_contiguous(struct frame_bitmap *bm, uint32_t count, uint32_t align);

/*
 * Boot-time free of one frame. A frame that is already free, not RAM ("reserved") or outside
 * the bitmap is reported as "mm: bad frame_free(0x1234000) from func+0x12: already free"
 * with the caller's symbol, and nothing changes.
 * Returns 0; -EINVAL (already free), -EFAULT (reserved / outside RAM), -EBUSY (after the
 * hand-over: free through the buddy allocator).
 */
int frame_free(struct frame_bitmap *bm, uint32_t pfn);

/*
 * Word-wise operations on a raw bitmap of 32-bit words, bit b in word b / 32 at position
 * b % 32. Ranges must be non-empty and inside the words. Shared with the buddy allocator's
 * head bitmap.
 */
void bitmap_set_range(uint32_t *w, uint32_t start, uint32_t count);
void bitmap_clear_range(uint32_t *w, uint32_t start, uint32_t count);
bool bitmap_range_all(const uint32_t *w, uint32_t start, uint32_t count, bool one);

static inline bool bitmap_test(const uint32_t *w, uint32_t bit)
{
	return (w[bit / BITMAP_WORD_BITS] >> (bit % BITMAP_WORD_BITS)) & 1u;
}

static inline void bitmap_set(uint32_t *w, uint32_t bit)
{
	w[bit / BITMAP_WORD_BITS] |= 1u << (bit % BITMAP_WORD_BITS);
}

static inline void bitmap_clear(uint32_t *w, uint32_t bit)
{
	w[bit / BITMAP_WORD_BITS] &= ~(1u << (bit % BITMAP_WORD_BITS));
}

/* Questions about one frame (false outside the bitmap). */
static inline bool frame_is_ram(const struct frame_bitmap *bm, uint32_t pfn)
{
	return pfn < bm->nframes && bitmap_test(bm->ram, pfn);
}

static inline bool frame_is_free(const struct frame_bitmap *bm, uint32_t pfn)
{
	return pfn < bm->nframes && !bitmap_test(bm->used, pfn);
}

/*
 * The buddy allocator's range operations, word-wise. Trusted: the caller guarantees the range
 * is inside the bitmap and every frame in it is RAM and currently free (set_used) or used
 * (set_free); buddy_check() verifies the two never disagree. They keep free_frames exact.
 */
static inline void frame_range_set_used(struct frame_bitmap *bm, uint32_t pfn, uint32_t count)
{
	if (count == 1)
		bitmap_set(bm->used, pfn);
	else
		bitmap_set_range(bm->used, pfn, count);
	bm->free_frames -= count;
}

static inline void frame_range_set_free(struct frame_bitmap *bm, uint32_t pfn, uint32_t count)
{
	if (count == 1)
		bitmap_clear(bm->used, pfn);
	else
		bitmap_clear_range(bm->used, pfn, count);
	bm->free_frames += count;
}

/* True when every frame of [pfn, pfn + count) is free (resp. used); false if out of range. */
bool frame_range_all_free(const struct frame_bitmap *bm, uint32_t pfn, uint32_t count);
bool frame_range_all_used(const struct frame_bitmap *bm, uint32_t pfn, uint32_t count);

/* Recount the free frames in [start, end) from the bits (for checkers). */
uint32_t frame_bitmap_count_free(const struct frame_bitmap *bm, uint32_t start, uint32_t end);

/* Mark the hand-over to the buddy allocator (called by buddy_init()). */
void frame_bitmap_handover(struct frame_bitmap *bm);

void frame_bitmap_stats(const struct frame_bitmap *bm, struct frame_stats *st);

#endif
