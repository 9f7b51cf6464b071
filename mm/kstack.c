/*
 * kstack: kernel stacks with guard pages (see include/mm/kstack.h).
 * Invariant: a slot is taken in `slots` iff its stack pages are mapped; the guard page of
 * every slot is never mapped.
 */
#include "mm/kstack.h"

#include "lib/panic.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/slotmap.h"
#include "lib/string.h"
#include "mm/fault.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "x86/cpu.h"
#include "x86/mmu.h"

static uint32_t slot_words[SLOTMAP_WORDS(KSTACK_SLOTS)];
static struct slotmap slots = SLOTMAP_INIT(slot_words, KSTACK_SLOTS);
static uint32_t stacks_in_use;

static int is_guard_cb(uint32_t addr)
{
	return kstack_is_guard(addr);
}

void kstack_init(void)
{
	paging_prealloc_tables(KSTACK_BASE, VMALLOC_BASE, "kernel stack region");
	fault_set_stack_guard_check(is_guard_cb);
}

static uintptr_t slot_base(uint32_t slot)
{
	return KSTACK_BASE + (uintptr_t)slot * KSTACK_SLOT_SIZE;
}

int kstack_alloc(struct kstack *ks, struct mm_error *err)
{
	uint32_t flags = irq_save();
	uint32_t slot = slotmap_alloc(&slots);
	irq_restore(flags);
	if (slot == KSTACK_SLOTS) {
		memset(err, 0, sizeof(*err));
		err->kind = MM_OUT_OF_MEMORY;
		err->requested = KSTACK_SIZE;
		err->total = (uint64_t)KSTACK_SLOTS * KSTACK_SIZE;
		err->used = err->total;
		return -ENOMEM;
	}
	ks->bottom = slot_base(slot) + PAGE_SIZE;
	ks->top = ks->bottom + KSTACK_SIZE;
	for (uint32_t i = 0; i < KSTACK_PAGES; i++) {
		struct page *pg = alloc_pages(0, GFP_HIGHUSER | __GFP_KOWNED, err);
		if (!pg) {
			ks->top = ks->bottom + i * PAGE_SIZE; /* free what was mapped */
			kstack_free(ks);
			return -ENOMEM;
		}
		paging_map(kernel_pgdir, ks->bottom + i * PAGE_SIZE, page_to_pfn(pg) << PAGE_SHIFT,
		           PTE_W);
	}
	flags = irq_save();
	stacks_in_use++;
	irq_restore(flags);
	return 0;
}

uint32_t kstack_free(struct kstack *ks)
{
	uint32_t freed = 0;
	uint32_t slot = (uint32_t)((ks->bottom - PAGE_SIZE - KSTACK_BASE) / KSTACK_SLOT_SIZE);
	bool whole = ks->top - ks->bottom == KSTACK_SIZE;

	for (uintptr_t va = ks->bottom; va < ks->top; va += PAGE_SIZE) {
		uint32_t pa;
		if (paging_lookup(kernel_pgdir, va, &pa) < 0)
			continue;
		paging_unmap(kernel_pgdir, va);
		free_pages(pfn_to_page(pa >> PAGE_SHIFT), 0);
		freed += PAGE_SIZE;
	}
	uint32_t flags = irq_save();
	slotmap_free(&slots, slot);
	if (whole)
		stacks_in_use--;
	irq_restore(flags);
	ks->bottom = ks->top = 0;
	return freed;
}

bool kstack_is_guard(uint32_t addr)
{
	if (addr < KSTACK_BASE || addr >= KSTACK_BASE + KSTACK_SLOTS * KSTACK_SLOT_SIZE)
		return false;
	return (addr - KSTACK_BASE) % KSTACK_SLOT_SIZE < PAGE_SIZE;
}

void kstack_stats(uint32_t *stacks, uint32_t *pages)
{
	*stacks = stacks_in_use;
	*pages = stacks_in_use * KSTACK_PAGES;
}
