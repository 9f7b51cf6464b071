/*
 * kstack: kernel stacks in [KSTACK_BASE, VMALLOC_BASE), each KSTACK_PAGES pages with an
 * unmapped guard page below it, so an overflow faults (and becomes a double fault reported
 * as a stack overflow) instead of overwriting a neighbour.
 *
 *   slot i:  KSTACK_BASE + i * KSTACK_SLOT_SIZE
 *            [ guard page (never mapped) | stack pages ... ] <- top = initial esp
 *
 * Locking: the slot bitmap is changed with interrupts masked (single CPU).
 */
#ifndef STRATA_MM_KSTACK_H
#define STRATA_MM_KSTACK_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/error.h"
#include "mm/layout.h"
#include "mm/page.h"

#define KSTACK_SIZE      (KSTACK_PAGES * PAGE_SIZE)
#define KSTACK_SLOT_SIZE (KSTACK_SIZE + PAGE_SIZE)
#define KSTACK_SLOTS     ((VMALLOC_BASE - KSTACK_BASE) / KSTACK_SLOT_SIZE)

struct kstack {
	uintptr_t bottom; /* lowest stack address (the guard page is just below) */
	uintptr_t top;    /* one past the highest: the initial stack pointer */
};

/* Prepare the region (its page tables). Called once by mm_init. */
void kstack_init(void);

/*
 * Allocate and map a stack (kernel-owned pages; the reaper frees it). Returns 0, or -ENOMEM with
 * *@err filled (frames or slots ran out).
 */
int kstack_alloc(struct kstack *ks, struct mm_error *err);

/* Unmap and free a stack from kstack_alloc; returns the bytes freed. */
uint32_t kstack_free(struct kstack *ks);

/* True when @addr is the guard page of a stack slot (used or not). */
bool kstack_is_guard(uint32_t addr);

/* Stacks in use and pages they hold (meminfo's KernelStack). */
void kstack_stats(uint32_t *stacks, uint32_t *pages);

#endif
