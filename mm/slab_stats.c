/*
 * slab_stats: owners and statistics of the slab layer (include/mm/slab.h, "owners" and
 * "statistics and checks").
 *
 * Design: every live object records its owner (slab objects in their slab's owners[],
 * large objects in their header); charges of owners other than the kernel go through the
 * owner hook (struct kmem_owner_ops) registered by the scheduler. The walks here find an
 * owner's objects by scanning the slabs whose `owned` count is not 0, so kernel-only caches
 * cost nothing. Statistics (kmem_cache_get_info, /proc/slabinfo 2.1) are computed from the
 * caches' counters on demand.
 */
#include "slab_internal.h"

#include "lib/errno.h"
#include "lib/format.h"
#include "lib/preempt.h"

static struct kmem_owner_ops owner_ops; /* the owner hook; zero: owners are only recorded */

int kmem_charge(uint32_t owner, int64_t bytes, struct mm_error *err)
{
	if (owner == KMEM_OWNER_KERNEL || !owner_ops.charge)
		return 0;
	return owner_ops.charge(owner, bytes, err, owner_ops.ctx);
}

void kmem_uncharge(uint32_t owner, size_t bytes)
{
	struct mm_error ignored = { 0 };

	if (owner != KMEM_OWNER_KERNEL && owner_ops.charge)
		owner_ops.charge(owner, -(int64_t)bytes, &ignored, owner_ops.ctx);
}

void kmem_set_owner_ops(const struct kmem_owner_ops *ops)
{
	if (ops)
		owner_ops = *ops;
	else
		memset(&owner_ops, 0, sizeof(owner_ops));
}

int kmem_set_current_owner(uint32_t owner)
{
	if (owner > KMEM_OWNER_MAX)
		return -EINVAL;
	this_cpu_state()->owner = owner;
	return 0;
}

uint32_t kmem_current_owner(void)
{
	return this_cpu_state()->owner;
}

/* ---- owners -------------------------------------------------------------------------------------
 */

/* Visit each owned object of each cache: @fn(c, s, idx, ctx). */
static void for_each_owned(void (*fn)(struct kmem_cache *, struct slab *, uint32_t, void *),
                           void *ctx)
{
	struct kmem_cache *c;
	struct slab *s;

	list_for_each_entry(c, &kmem_caches, link)
	{
		const struct list_head *lists[] = { &c->full, &c->partial };

		if (!c->owned)
			continue;
		for (unsigned l = 0; l < ARRAY_SIZE(lists); l++)
			list_for_each_entry(s, lists[l],
			                    link) for (uint32_t i = 0; s->owned && i < c->capacity;
			                               i++) if (s->owners[i]) fn(c, s, i, ctx);
	}
}

struct owner_walk {
	uint32_t owner;
	kmem_object_fn fn;
	void *ctx;
	size_t bytes;
	bool release;
};

static void owner_visit(struct kmem_cache *c, struct slab *s, uint32_t idx, void *ctx)
{
	struct owner_walk *w = ctx;

	if (s->owners[idx] != w->owner)
		return;
	w->bytes += c->objsize;
	if (w->fn)
		w->fn(obj_at(c, s, idx), c->objsize, c, w->ctx);
	if (w->release) {
		s->owners[idx] = 0;
		s->owned--;
		c->owned--;
	}
}

static size_t owner_scan(struct owner_walk *w)
{
	struct kmem_large *h;

	for_each_owned(owner_visit, w);
	list_for_each_entry(h, &kmem_large_objects, link)
	{
		size_t bytes = (size_t)PAGE_SIZE << h->order;

		if (h->owner != w->owner)
			continue;
		w->bytes += bytes;
		if (w->fn)
			w->fn((char *)h + KMEM_LARGE_HDR, bytes, NULL, w->ctx);
		if (w->release)
			h->owner = KMEM_OWNER_KERNEL;
	}
	return w->bytes;
}

static size_t kmem_owner_walk_unlocked(uint32_t owner, kmem_object_fn fn, void *ctx)
{
	struct owner_walk w = { owner, fn, ctx, 0, false };

	if (owner == KMEM_OWNER_KERNEL)
		return 0;
	return owner_scan(&w);
}

static size_t kmem_owner_usage_unlocked(uint32_t owner)
{
	struct kmem_large *h;
	struct kmem_cache *c;
	size_t bytes = 0;

	if (owner != KMEM_OWNER_KERNEL)
		return kmem_owner_walk(owner, NULL, NULL);
	list_for_each_entry(c, &kmem_caches, link)
	{
		if (c->flags & KMEM_INTERNAL)
			continue;
		bytes += (c->inuse - c->lost - kmem_cached_objects(c, NULL) - c->owned) *
		         (size_t)c->objsize;
	}
	list_for_each_entry(h, &kmem_large_objects, link) if (h->owner == KMEM_OWNER_KERNEL)
	    bytes += (size_t)PAGE_SIZE << h->order;
	return bytes;
}

static size_t kmem_owner_release_unlocked(uint32_t owner)
{
	struct owner_walk w = { owner, NULL, NULL, 0, true };

	if (owner == KMEM_OWNER_KERNEL)
		return 0;
	owner_scan(&w);
	if (w.bytes)
		kmem_uncharge(owner, w.bytes);
	return w.bytes;
}

/* ---- statistics
 * ---------------------------------------------------------------------------------- */

static void kmem_cache_get_info_unlocked(const struct kmem_cache *c, struct kmem_cache_info *info)
{
	unsigned long cached = kmem_cached_objects(c, NULL);

	memset(info, 0, sizeof(*info));
	info->name = c->name;
	info->objsize = c->objsize;
	info->stride = c->stride;
	info->align = c->align;
	info->objs_per_slab = c->capacity;
	info->pages_per_slab = 1u << KMEM_SLAB_ORDER;
	info->active_objs = c->inuse - c->lost - cached;
	info->lost_objs = c->lost;
	info->num_objs = (unsigned long)c->nr_slabs * c->capacity;
	info->cached_objs = cached;
	info->owned_objs = c->owned;
	info->nr_slabs = c->nr_slabs;
	info->nr_full = c->nr_full;
	info->nr_partial = c->nr_partial;
	info->nr_empty = c->nr_empty;
	info->magsize = c->magsize;
	info->depot_max = c->depot_max;
	info->depot_full = c->depot_nfull;
	info->depot_empty = c->depot_nempty;
	info->grows = c->grows;
	info->reaps = c->reaps;
	info->refills = c->refills;
	info->flushes = c->flushes;
	info->debug = cache_debug(c);
}

static void kmem_for_each_cache_unlocked(void (*fn)(struct kmem_cache *c, void *ctx), void *ctx)
{
	struct kmem_cache *c, *tmp;

	list_for_each_entry_safe(c, tmp, &kmem_caches, link) fn(c, ctx);
}

static void kmem_slabinfo_unlocked(void (*emit)(const char *line, void *ctx), void *ctx)
{
	struct kmem_cache *c;
	char line[160];

	emit("slabinfo - version: 2.1", ctx);
	emit("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	     " : tunables <limit> <batchcount> <sharedfactor>"
	     " : slabdata <active_slabs> <num_slabs> <sharedavail>",
	     ctx);
	list_for_each_entry(c, &kmem_caches, link)
	{
		unsigned long depot;
		unsigned long cached = kmem_cached_objects(c, &depot);

		ksnprintf(
		    line, sizeof(line),
		    "%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu",
		    c->name, c->inuse - c->lost - cached, (unsigned long)c->nr_slabs * c->capacity,
		    c->stride, c->capacity, 1u << KMEM_SLAB_ORDER, c->magsize, c->magsize,
		    c->depot_max, (unsigned long)(c->nr_full + c->nr_partial),
		    (unsigned long)c->nr_slabs, depot);
		emit(line, ctx);
	}
}

size_t kmem_slab_bytes(void)
{
	return kmem_slab_pages * PAGE_SIZE;
}

/* ---- entry points: preemption off while the allocator state is in use (lib/preempt.h) ---- */

size_t kmem_owner_walk(uint32_t owner, kmem_object_fn fn, void *ctx)
{
	preempt_disable();
	size_t r = kmem_owner_walk_unlocked(owner, fn, ctx);
	preempt_enable();
	return r;
}

size_t kmem_owner_usage(uint32_t owner)
{
	preempt_disable();
	size_t r = kmem_owner_usage_unlocked(owner);
	preempt_enable();
	return r;
}

size_t kmem_owner_release(uint32_t owner)
{
	preempt_disable();
	size_t r = kmem_owner_release_unlocked(owner);
	preempt_enable();
	return r;
}

void kmem_cache_get_info(const struct kmem_cache *c, struct kmem_cache_info *info)
{
	preempt_disable();
	kmem_cache_get_info_unlocked(c, info);
	preempt_enable();
}

void kmem_for_each_cache(void (*fn)(struct kmem_cache *c, void *ctx), void *ctx)
{
	preempt_disable();
	kmem_for_each_cache_unlocked(fn, ctx);
	preempt_enable();
}

void kmem_slabinfo(void (*emit)(const char *line, void *ctx), void *ctx)
{
	preempt_disable();
	kmem_slabinfo_unlocked(emit, ctx);
	preempt_enable();
}
