/*
 * phys: the kernel's physical memory manager — the glue that turns the loader's map into a
 * running buddy allocator, and the page API the rest of the kernel uses.
 *
 * Boot (mm_init): sanitize the loader's map (clipped by mem=), reserve the first 1 MiB, the
 * kernel image (with the boot page tables and stack in its .bss) and the loader's data, build
 * the direct map of lowmem with 4 MiB pages (no page-table frames needed; the first
 * BOOT_MAP_BYTES keep their 4 KiB tables so the text stays read-only and the boot stack keeps
 * its guard page), place the frame bitmap and the struct page array in lowmem, and hand every
 * free frame to the buddy allocator.
 *
 * After boot, alloc_pages()/free_pages() are the buddy allocator with interrupts masked around
 * it (single CPU: that is the lock). Lowmem pages are reached through the direct map
 * (page_address), HIGHMEM pages through kmap()/kunmap() slots.
 */
#ifndef STRATA_MM_PHYS_H
#define STRATA_MM_PHYS_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/buddy.h"
#include "mm/error.h"
#include "mm/memmap.h"

/* rdtsc delta across mm_init: under `qemu -icount shift=0`, the instructions it took. */
extern uint64_t mm_init_tsc;

/*
 * What memory management needs from the boot, gathered by kmain from the loader's information
 * and the command line (mm never reads either itself).
 */
struct mm_boot_params {
	const struct memmap_raw *map; /* the loader's memory map, unsanitized */
	uint32_t map_count;
	uint64_t info_start, info_end; /* the loader's data (info, command line, map): reserved */
	uint64_t mods_start, mods_end; /* loaded modules: reserved; 0, 0 when there are none */
	uint64_t mem_limit;            /* mem=: use no RAM at or above this address; 0 = none */
	bool debug_pagealloc;          /* poison freed pages, check the poison on allocation */
	bool init_on_alloc;            /* zero every page when it is allocated */
	bool slub_debug;               /* slab red zones, poisoning, caller tracking (heap_init) */
};

/* Bring up physical memory as @p describes. Panics (with sizes) if it cannot. */
void mm_init(const struct mm_boot_params *p);

/* The allocator and the map, for statistics and tests (read them with interrupts masked). */
struct buddy *mm_buddy(void);
const struct memmap *mm_memmap(void);

/*
 * Ownership. A block from alloc_pages() is charged to the current owner (set by the scheduler
 * on every switch; 0 = the kernel) unless @gfp has __GFP_KOWNED (the kernel's own structures:
 * page tables, stacks, slabs, vmalloc). A block charged to a task is on that task's list
 * through page->link, so the task must not use page->link itself; the reaper frees the list.
 * The hook may refuse a charge (the task's limit): the allocation then fails with its error.
 */
#define __GFP_KOWNED (1u << 8) /* charge the kernel, whoever runs */

struct mm_owner_ops {
	/* Add @pages (negative: remove) to @owner's count; may refuse a positive charge by
	 * filling @err (MM_EXCEEDS_LIMIT) and returning a negative errno. */
	int (*charge)(uint32_t owner, int32_t pages, struct mm_error *err);
	/* The owner's block list head, or NULL when the owner is gone. */
	struct list_head *(*list)(uint32_t owner);
};
void mm_set_owner_ops(const struct mm_owner_ops *ops);
void mm_set_current_owner(uint32_t owner);
uint32_t mm_current_owner(void);

/*
 * Allocate 2^@order frames (see buddy_alloc for @gfp and the error), charged as above.
 * Returns the head page, or NULL with *@err filled (MM_OUT_OF_MEMORY, MM_EXCEEDS_LIMIT);
 * with __GFP_NOFAIL an out-of-memory failure panics with the backtrace and meminfo.
 */
struct page *alloc_pages(unsigned order, gfp_t gfp, struct mm_error *err);

/* Free a block from alloc_pages(); a bad free is reported and changes nothing (-EINVAL...). */
int free_pages(struct page *pg, unsigned order);

/*
 * One lowmem page (contents undefined) charged to @owner whoever runs (interrupts masked
 * around the owner swap): a process's page tables and pages, marked PG_USER (include/mm/page.h:
 * their mappers hold every reference). NULL when out of memory or the owner's limit refuses it.
 */
struct page *alloc_page_for(uint32_t owner);

/*
 * Hand the allocated block @pg to the kernel: off its owner's page list and out of its
 * ledger (nothing to do when it is the kernel's already). For a block that outlives the
 * reference its owner held (a page still mapped by another process after copy-on-write), so
 * that releasing the owner does not drop a reference it no longer has. Cannot fail.
 */
void page_disown(struct page *pg);

/* The struct page array of every managed frame (set by mm_init; read-only afterwards). */
extern struct page *mm_page_array;

/* pfn <-> struct page of a managed frame: inline, they are on every fault's path. */
static inline uint32_t page_to_pfn(const struct page *pg)
{
	return (uint32_t)(pg - mm_page_array);
}

static inline struct page *pfn_to_page(uint32_t pfn)
{
	return &mm_page_array[pfn];
}

/* The direct-map address of a lowmem page; NULL for a HIGHMEM page (use kmap). */
void *page_address(const struct page *pg);

/* The page of a direct-mapped kernel address; NULL if @va is not in the direct map of RAM. */
struct page *virt_to_page(const void *va);

/*
 * Map frame @pfn at a temporary kernel address (any frame: lowmem returns its direct-map
 * address). Returns NULL when all KMAP_SLOTS are in use. kunmap() releases the slot.
 */
void *kmap(uint32_t pfn);
void kunmap(void *va);

/* Physical bytes of lowmem the direct map covers (RAM end clipped to LOWMEM_LIMIT). */
uint32_t mm_lowmem_end(void);

/*
 * A page-table frame for the paging code: zeroed, lowmem, from the buddy allocator.
 * Returns its physical address, or 0 with *@err filled.
 */
uint32_t mm_alloc_page_table(struct mm_error *err);

/* mm_alloc_page_table with extra @gfp bits instead of __GFP_ZERO (0: the caller fills the
 * whole frame itself). Same results. */
uint32_t mm_alloc_page_table_gfp(gfp_t gfp, struct mm_error *err);

/* Give back a frame from mm_alloc_page_table (physical @pa). Returns 0, or free_pages' error. */
int mm_free_page_table(uint32_t pa);

/* Snapshot of the counters for meminfo and memstat. */
struct mm_meminfo {
	uint64_t total, free, used;     /* bytes managed by the buddy allocator */
	uint64_t low_total, low_free;   /* DMA + Normal zones */
	uint64_t high_total, high_free; /* HighMem zone */
	uint64_t page_tables;           /* bytes of page tables allocated after boot */
	uint64_t vmalloc_total, vmalloc_used;
	uint64_t slab;         /* bytes in slabs and large kmalloc blocks */
	uint64_t kernel_stack; /* bytes of kernel stacks */
	uint64_t reclaimable;  /* bytes shrinkers could give back (empty slabs) */
	uint64_t anon;         /* private anonymous user pages (AnonPages) */
	uint64_t shmem;        /* shared memory objects' pages (Shmem) */
	uint64_t cached;       /* page cache: file pages and shmem (Cached, as Linux) */
	uint64_t mapped;       /* page-cache pages some page table maps (Mapped) */
	uint64_t committed;    /* charged so far (Committed_AS: include/mm/vm.h, Commitment) */
};
void mm_meminfo(struct mm_meminfo *mi);

/*
 * The few figures the memory-status page shows, read without a walk or a lock (the timer tick
 * calls it): managed and free pages (MemTotal, MemFree; MemAvailable is MemFree, as
 * mm_meminfo's), the pressure level (include/mm/pressure.h) and its transitions so far.
 */
struct mm_status {
	uint32_t total_pages, free_pages;
	uint32_t level; /* enum mm_pressure_level */
	uint32_t level_changes;
};
void mm_status(struct mm_status *st);

/* Write the meminfo table in /proc/meminfo's format (Linux 6.1's fields, names, order and
 * columns; what Strata has no notion of is 0) into @s: the one emitter behind the monitor's
 * meminfo, the panic notifier and /proc/meminfo (mm/meminfo.c). Never fails. */
struct seqbuf;
void mm_meminfo_show(struct seqbuf *s);

/* mm_meminfo_show() to the console (the monitor command and the panic notifier). */
void mm_print_meminfo(void);

#endif
