/*
 * owner: memory accounting owners behind the page and slab owner hooks (include/sched/owner.h).
 *
 * Data and its lock (interrupts masked; one CPU):
 *   owners[]   the owner table; a slot is free when its id is 0. A live id names its slot:
 *              id % OWNER_SLOTS is its index (OWNER_ID_FIRST is a multiple of OWNER_SLOTS), so
 *              owner_lookup is one compare, whichever owner the allocators charge
 *   next_id    ids are handed out from here on (OWNER_ID_FIRST..OWNER_ID_MAX, wrapping): the
 *              first id at or above it that names the free slot taken
 *
 * The hooks run inside the allocators with interrupts masked; they only read and update the
 * owner's counters, and refuse a charge that would pass the owner's limit with
 * MM_EXCEEDS_LIMIT (requested, limit, current), which the allocation returns to its caller.
 * An owner's usage against its limit is pages * PAGE_SIZE + slab bytes.
 *
 * The page list is a list_head ring through page->link (mm/phys.c links a block in
 * when it charges it and out when it is freed while charged); release unlinks each block,
 * uncharges it, hands it to the kernel (page->owner = PAGE_OWNER_KERNEL) and drops the
 * owner's reference with put_page(), so only a block nobody else references is freed — except
 * a user page or table (PG_USER), whose references are all its mappers'.
 */
#include "sched/owner.h"

#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/slab.h"
#include "sched/task.h"
#include "x86/cpu.h"

#define RELEASE_BATCH 32

_Static_assert(OWNER_SLOTS >= TASK_MAX, "every task may need its own owner");

static struct owner owners[OWNER_SLOTS];
static uint32_t next_id = OWNER_ID_FIRST;

struct owner *owner_lookup(uint32_t id)
{
	struct owner *o = &owners[id % OWNER_SLOTS];

	return id != 0 && o->id == id ? o : NULL;
}

void owner_totals(struct owner_totals *t)
{
	uint32_t flags = irq_save();

	*t = (struct owner_totals){ 0 };
	for (unsigned i = 0; i < OWNER_SLOTS; i++) {
		if (!owners[i].id)
			continue;
		t->owners++;
		t->pages += owners[i].page_count;
		t->slab_bytes += owners[i].slab_bytes;
	}
	irq_restore(flags);
}

uint64_t owner_usage(const struct owner *o)
{
	return (uint64_t)o->page_count * PAGE_SIZE + o->slab_bytes;
}

/* Refuse @bytes more for @o if it has a limit that would be passed: -EDQUOT, *@err filled. */
static int check_limit(const struct owner *o, uint64_t bytes, struct mm_error *err)
{
	if (!o->limit || owner_usage(o) + bytes <= o->limit)
		return 0;
	memset(err, 0, sizeof(*err));
	err->kind = MM_EXCEEDS_LIMIT;
	err->requested = bytes;
	err->limit = o->limit;
	err->current = owner_usage(o);
	return -EDQUOT;
}

/* Add @pages (negative: remove) to owner @id's pages, refusing a positive charge past its
 * limit (-EDQUOT): the page allocator's charge hook (struct mm_owner_ops). An owner that is
 * gone counts nothing. */
static int page_charge(uint32_t id, int32_t pages, struct mm_error *err)
{
	struct owner *o = owner_lookup(id);

	if (!o)
		return 0;
	if (pages > 0 && o->limit) {
		int rc = check_limit(o, (uint64_t)pages * PAGE_SIZE, err);
		if (rc)
			return rc;
	}
	o->page_count += (uint32_t)pages;
	if (o->page_count > o->page_peak)
		o->page_peak = o->page_count;
	return 0;
}

/* The page allocator's list hook: owner @id's block list, or NULL when it is gone. */
static struct list_head *page_list(uint32_t id)
{
	struct owner *o = owner_lookup(id);
	return o ? &o->pages : NULL;
}

/* Add @bytes (negative: remove) of slab objects to owner @id, as page_charge: the slab
 * layer's charge hook (struct kmem_owner_ops). */
static int slab_charge(uint32_t id, int64_t bytes, struct mm_error *err, void *ctx)
{
	(void)ctx;
	struct owner *o = owner_lookup(id);

	if (!o)
		return 0;
	if (bytes > 0) {
		int rc = check_limit(o, (uint64_t)bytes, err);
		if (rc)
			return rc;
	}
	o->slab_bytes += (uint64_t)bytes;
	o->slab_peak = MAX(o->slab_peak, o->slab_bytes);
	return 0;
}

void owner_init(void)
{
	static const struct mm_owner_ops pops = { page_charge, page_list };
	static const struct kmem_owner_ops sops = { slab_charge, 0 };
	mm_set_owner_ops(&pops);
	kmem_set_owner_ops(&sops);
}

_Static_assert(OWNER_ID_FIRST % OWNER_SLOTS == 0, "an id's slot is id % OWNER_SLOTS");

/*
 * The id for free slot @slot: the first id from next_id on (wrapping to OWNER_ID_FIRST past
 * OWNER_ID_MAX) whose slot is @slot; no live owner has it, since its slot is free.
 * Interrupts off.
 */
static uint32_t id_alloc(unsigned slot)
{
	uint64_t id = (uint64_t)next_id + ((slot - next_id) % OWNER_SLOTS); /* no 32-bit wrap */

	if (id > OWNER_ID_MAX)
		id = OWNER_ID_FIRST + slot;
	next_id = id == OWNER_ID_MAX ? OWNER_ID_FIRST : (uint32_t)id + 1;
	return (uint32_t)id;
}

void owner_id_seek(uint32_t id)
{
	uint32_t flags = irq_save();
	next_id = id < OWNER_ID_FIRST || id > OWNER_ID_MAX ? OWNER_ID_FIRST : id;
	irq_restore(flags);
}

struct owner *owner_create(void)
{
	uint32_t flags = irq_save();
	struct owner *o = NULL;
	/* From next_id's slot on: after a run of creations and exits that one is free. */
	for (unsigned i = 0, slot = next_id % OWNER_SLOTS; i < OWNER_SLOTS && !o;
	     i++, slot = (slot + 1) % OWNER_SLOTS)
		if (owners[slot].id == 0)
			o = &owners[slot];
	if (o) {
		unsigned slot = (unsigned)(o - owners);

		*o = (struct owner){ .id = id_alloc(slot), .users = 1 };
		list_init(&o->pages);
	}
	irq_restore(flags);
	return o;
}

void owner_get(struct owner *o)
{
	uint32_t flags = irq_save();
	BUG_ON(o->id == 0 || o->users == 0);
	o->users++;
	irq_restore(flags);
}

uint64_t owner_put(struct owner *o)
{
	uint32_t flags = irq_save();
	BUG_ON(o->id == 0 || o->users == 0);
	bool last = --o->users == 0;
	irq_restore(flags);
	if (!last)
		return 0;
	uint64_t freed = owner_release_all(o);
	owner_ledger_check(o);
	flags = irq_save();
	o->id = 0;
	irq_restore(flags);
	return freed;
}

void owner_switch(struct owner *o)
{
	uint32_t id = o ? o->id : 0;
	mm_set_current_owner(id);
	kmem_set_current_owner(id);
}

struct batch {
	void *objs[RELEASE_BATCH];
	unsigned n;
};

/* kmem_owner_walk callback: remember up to RELEASE_BATCH objects (the walk must not free). */
static void collect(void *obj, size_t bytes, struct kmem_cache *c, void *ctx)
{
	(void)bytes;
	(void)c;
	struct batch *b = ctx;
	if (b->n < RELEASE_BATCH)
		b->objs[b->n++] = obj;
}

/*
 * Take the first block off @o's list and out of its ledger, handing it to the kernel.
 * Returns its head page, or NULL when the list is empty.
 */
static struct page *disown_first_block(struct owner *o)
{
	uint32_t flags = irq_save();
	struct page *pg = NULL;
	if (!list_empty(&o->pages)) {
		pg = container_of(o->pages.next, struct page, link);
		list_del(&pg->link);
		o->page_count -= 1u << pg->order;
		pg->owner = PAGE_OWNER_KERNEL;
	}
	irq_restore(flags);
	return pg;
}

uint64_t owner_release_all(struct owner *o)
{
	uint64_t freed = 0;

	/* Slab objects: collect a batch (the walk must not free), free it, repeat. */
	for (;;) {
		struct batch b = { .n = 0 };
		uint32_t flags = irq_save();
		kmem_owner_walk(o->id, collect, &b);
		irq_restore(flags);
		if (b.n == 0)
			break;
		for (unsigned i = 0; i < b.n; i++) {
			freed += kmalloc_size(b.objs[i]);
			kfree(b.objs[i]);
		}
	}
	/* Page blocks: drop the owner's reference; a block referenced elsewhere lives on. A
	 * user page or table (PG_USER) has no owner's reference: still on the ledger it is
	 * mapped by a table shared with another space (since fork), which keeps it. */
	struct page *pg;
	while ((pg = disown_first_block(o)) != NULL) {
		uint64_t bytes = (uint64_t)PAGE_SIZE << pg->order;
		if (!(pg->flags & PG_USER) && put_page(pg))
			freed += bytes;
	}
	return freed;
}

void owner_ledger_check(const struct owner *o)
{
	size_t slab = kmem_owner_usage(o->id);
	if (o->page_count || o->slab_bytes || slab || o->pages.next != &o->pages)
		panic("sched: ledger of owner %u not empty after release: %u pages, %llu slab "
		      "bytes (recount %zu)",
		      o->id, o->page_count, (unsigned long long)o->slab_bytes, slab);
}
