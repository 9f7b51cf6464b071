/*
 * owner: per-task accounting behind the page and slab owner hooks (include/sched/owner.h).
 *
 * The hooks run inside the allocators with interrupts masked; they only read and update the
 * owning task's counters, and refuse a charge that would pass the task's limit with
 * MM_EXCEEDS_LIMIT (requested, limit, current), which the allocation returns to its caller.
 * A task's usage against its limit is pages * PAGE_SIZE + slab bytes.
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

static uint64_t usage_of(const struct task *t)
{
	return (uint64_t)t->page_count * PAGE_SIZE + t->slab_bytes;
}

/* Refuse @bytes more for @t if it has a limit that would be passed. */
static int check_limit(const struct task *t, uint64_t bytes, struct mm_error *err)
{
	if (!t->limit || usage_of(t) + bytes <= t->limit)
		return 0;
	memset(err, 0, sizeof(*err));
	err->kind = MM_EXCEEDS_LIMIT;
	err->requested = bytes;
	err->limit = t->limit;
	err->current = usage_of(t);
	return -EDQUOT;
}

/*
 * Add @bytes (negative: remove) of kind @slab (slab bytes, else pages) to task @owner,
 * refusing a positive charge past its limit. An owner that is gone has nothing to count.
 */
static int charge(uint32_t owner, int64_t bytes, bool slab, struct mm_error *err)
{
	struct task *t = task_lookup((int)owner);
	if (!t)
		return 0;
	if (bytes > 0) {
		int rc = check_limit(t, (uint64_t)bytes, err);
		if (rc)
			return rc;
	}
	if (slab) {
		t->slab_bytes += (uint64_t)bytes;
		t->slab_peak = MAX(t->slab_peak, t->slab_bytes);
	} else {
		t->page_count += (uint32_t)(bytes / PAGE_SIZE);
		t->page_peak = MAX(t->page_peak, t->page_count);
	}
	return 0;
}

static int page_charge(uint32_t owner, int32_t pages, struct mm_error *err)
{
	return charge(owner, (int64_t)pages * PAGE_SIZE, false, err);
}

static struct page_link *page_list(uint32_t owner)
{
	struct task *t = task_lookup((int)owner);
	return t ? &t->pages : 0;
}

static int slab_charge(uint32_t owner, int64_t bytes, struct mm_error *err, void *ctx)
{
	(void)ctx;
	return charge(owner, bytes, true, err);
}

void owner_init(void)
{
	static const struct mm_owner_ops pops = { page_charge, page_list };
	static const struct kmem_owner_ops sops = { slab_charge, 0 };
	mm_set_owner_ops(&pops);
	kmem_set_owner_ops(&sops);
}

void owner_switch(uint32_t tid)
{
	mm_set_current_owner(tid);
	kmem_set_current_owner(tid);
}

struct batch {
	void *objs[RELEASE_BATCH];
	unsigned n;
};

static void collect(void *obj, size_t bytes, struct kmem_cache *c, void *ctx)
{
	(void)bytes;
	(void)c;
	struct batch *b = ctx;
	if (b->n < RELEASE_BATCH)
		b->objs[b->n++] = obj;
}

uint64_t owner_release_all(struct task *t)
{
	uint64_t freed = 0;

	/* Slab objects: collect a batch (the walk must not free), free it, repeat. */
	for (;;) {
		struct batch b = { .n = 0 };
		uint32_t flags = irq_save();
		size_t bytes = kmem_owner_walk(t->tid, collect, &b);
		irq_restore(flags);
		if (b.n == 0)
			break;
		(void)bytes;
		for (unsigned i = 0; i < b.n; i++) {
			freed += kmalloc_size(b.objs[i]);
			kfree(b.objs[i]);
		}
	}
	/* Page blocks, through the task's list. */
	for (;;) {
		uint32_t flags = irq_save();
		struct page_link *l = t->pages.next;
		irq_restore(flags);
		if (l == &t->pages)
			break;
		struct page *pg = (struct page *)(void *)((char *)l - offsetof(struct page, link));
		freed += (uint64_t)PAGE_SIZE << pg->order;
		free_pages(pg, pg->order);
	}
	return freed;
}

void owner_ledger_check(const struct task *t)
{
	size_t slab = kmem_owner_usage(t->tid);
	if (t->page_count || t->slab_bytes || slab || t->pages.next != &t->pages)
		panic("sched: ledger of task %u (%s) not empty after reaping: %u pages, %llu slab bytes (recount %zu)",
		      t->tid, t->name, t->page_count, (unsigned long long)t->slab_bytes, slab);
}
