/*
 * owner: memory accounting owners (sched/owner.c). An owner is what page blocks and slab
 * objects are charged to: a ledger (pages, slab bytes, peaks, a limit) and the list of page
 * blocks charged to it. It is not a task: a task points at its owner, and several tasks may
 * share one (a process will own the memory of all its threads); today each task made by
 * task_create() gets its own, and kmain (task 0) has none (the kernel, owner id 0).
 *
 * Owner ids are 32-bit, allocated independently of tids from OWNER_ID_FIRST (above 16 bits,
 * so anything that truncated an id would break the ledger at once) up to OWNER_ID_MAX, then
 * wrapping, never a live id; an id's remainder by OWNER_SLOTS is its owner's table slot (so
 * looking an id up is one compare, and ids skip the values that name busy slots). The page
 * allocator and the slab layer record the id.
 *
 * Life: owner_create() (one user) -> owner_get() per further task sharing it -> owner_put()
 * per task reaped; the last put releases everything still charged — slab objects are freed,
 * each page block's owner reference is dropped (put_page: a block still referenced elsewhere,
 * e.g. by copy-on-write, survives, charged to the kernel) — checks that the ledger is empty
 * (panics if not) and frees the owner.
 *
 * Locking: one CPU; the owner table and every ledger change with interrupts masked (the
 * charge hooks run inside the allocators with interrupts masked).
 */
#ifndef STRATA_SCHED_OWNER_H
#define STRATA_SCHED_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"
#include "mm/slab.h"

#define OWNER_ID_FIRST 0x10000u       /* first id handed out: wider than 16 bits */
#define OWNER_ID_MAX   KMEM_OWNER_MAX /* ids wrap to OWNER_ID_FIRST after this */
#define OWNER_SLOTS    128u           /* live owners at most (one per task slot today) */

struct owner {
	uint32_t id;            /* 0: slot free; else OWNER_ID_FIRST..OWNER_ID_MAX */
	uint32_t users;         /* tasks charging this owner (owner_get/owner_put) */
	struct list_head pages; /* blocks charged to it, through page->link; one reference each */
	uint32_t page_count, page_peak;
	uint64_t slab_bytes, slab_peak;
	uint64_t limit; /* bytes of pages + slab; 0 = no limit */
};

/* Register the hooks with the page allocator and the slab layer. */
void owner_init(void);

/* A new owner with one user and an empty ledger, or NULL when all OWNER_SLOTS are in use. */
struct owner *owner_create(void);

/*
 * Hand out ids from @id on (clamped to OWNER_ID_FIRST..OWNER_ID_MAX): for tests of the
 * wrap-around at OWNER_ID_MAX, which takes 2^32 creations otherwise.
 */
void owner_id_seek(uint32_t id);

/* One more task shares @o (must have a user already). */
void owner_get(struct owner *o);

/*
 * A task of @o is gone. When it was the last user: release everything still charged to @o
 * (owner_release_all), panic unless the ledger is then empty, free @o, and return the bytes
 * freed; otherwise return 0 and change nothing else.
 */
uint64_t owner_put(struct owner *o);

/* What counts against @o's limit: its pages' bytes plus its slab bytes. */
uint64_t owner_usage(const struct owner *o);

/* The live owner with id @id, or NULL (0, the kernel, has none). */
struct owner *owner_lookup(uint32_t id);

/* Charge allocations from now on to @o (NULL: the kernel). Called on every switch. */
void owner_switch(struct owner *o);

/*
 * Free every slab object charged to @o and drop @o's reference on every page block on its
 * list (a block nobody else references is freed). Returns the bytes actually freed.
 */
uint64_t owner_release_all(struct owner *o);

/* The whole ledger: live owners and what is charged to them, summed. */
struct owner_totals {
	uint32_t owners;
	uint64_t pages;      /* page blocks' pages */
	uint64_t slab_bytes; /* slab objects' and large kmalloc blocks' bytes */
};
void owner_totals(struct owner_totals *t);

/* Panic unless nothing at all is charged to @o any more (the reaper's ledger check). */
void owner_ledger_check(const struct owner *o);

#endif
