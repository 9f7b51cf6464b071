/*
 * slab_debug: the slab layer's reports and debug checks (include/mm/slab.h lists every
 * report line exactly).
 *
 * Design: kmem_report() prints one pr_err line and counts it (kmem_error_count()). In debug
 * mode (slub_debug, or KMEM_DEBUG per cache) each object has red zones on both sides, free
 * objects are poisoned, and a struct kmem_track after the right red zone records the state
 * and the allocating and freeing callers; the helpers here fill and check those bytes, and
 * repair them after a report. kmem_cache_check() and kmem_check_all() recount every
 * invariant from scratch; kmem_leak_scan() groups live objects by allocating caller.
 */
#include "slab_internal.h"

#include <stdarg.h>

#include "lib/printk.h"
#include "lib/format.h"
#include "lib/preempt.h"

static unsigned long error_count; /* reports so far */

__attribute__((format(printf, 1, 2))) void kmem_report(const char *fmt, ...)
{
	char line[REPORT_LEN];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	error_count++;
	pr_err("%s", line);
}

unsigned long kmem_error_count(void)
{
	return error_count;
}

/* ---- debug bytes ---------------------------------------------------------------------------- */

/* Offset of the first byte in [p, p + n) that is not @v, or -1. */
static long first_not(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return (long)i;
	return -1;
}

static bool cache_poisons(const struct kmem_cache *c)
{
	return cache_debug(c) && !c->ctor;
}

void kmem_poison_object(const struct kmem_cache *c, void *obj)
{
	if (!cache_poisons(c))
		return;
	memset(obj, KMEM_POISON_FREE, c->objsize - 1);
	((uint8_t *)obj)[c->objsize - 1] = KMEM_POISON_END;
}

/* Offset of the first byte of a free object that lost its poison, or -1. */
long kmem_poison_damage(const struct kmem_cache *c, const void *obj)
{
	long bad;

	if (!cache_poisons(c))
		return -1;
	bad = first_not(obj, c->objsize - 1, KMEM_POISON_FREE);
	if (bad >= 0)
		return bad;
	return ((const uint8_t *)obj)[c->objsize - 1] == KMEM_POISON_END ? -1
	                                                                 : (long)c->objsize - 1;
}

/*
 * Red zones of @obj: [obj - redzone, obj) and [obj + from, obj + track_off), where @from is
 * the requested size for a live object and objsize for a free one. Returns the offset of the
 * first damaged byte from the object start (negative on the left), or 0 with *@ok true.
 */
long kmem_redzone_damage(const struct kmem_cache *c, const void *obj, uint32_t from, bool *ok)
{
	const uint8_t *o = obj;
	long bad = first_not(o - c->redzone, c->redzone, KMEM_RED_BYTE);

	*ok = false;
	if (bad >= 0)
		return bad - (long)c->redzone;
	bad = first_not(o + from, c->track_off - from, KMEM_RED_BYTE);
	if (bad >= 0)
		return (long)from + bad;
	*ok = true;
	return 0;
}

void kmem_redzone_fill(const struct kmem_cache *c, void *obj, uint32_t from)
{
	uint8_t *o = obj;

	memset(o - c->redzone, KMEM_RED_BYTE, c->redzone);
	memset(o + from, KMEM_RED_BYTE, c->track_off - from);
}

/* Check the red zones of @obj (live: @from = requested bytes) and repair them. */
bool kmem_redzone_check(const struct kmem_cache *c, void *obj, uint32_t from, uintptr_t freer)
{
	struct kmem_track *t = track_of(c, obj);
	bool ok;
	long off = kmem_redzone_damage(c, obj, from, &ok);

	if (ok)
		return true;
	kmem_report("slab: %s: red zone overwritten at offset %ld of object %p (size %u); "
	            "allocated by %pS, freed by %pS\n",
	            c->name, off, obj,
	            (unsigned)(t->state == KMEM_TRACK_LIVE ? t->req : c->objsize),
	            (void *)t->alloc_caller, (void *)freer);
	kmem_redzone_fill(c, obj, from);
	return false;
}

/* A free debug object is about to be handed out: check it, then set it up as live. */
void kmem_debug_on_alloc(struct kmem_cache *c, void *obj, uintptr_t caller, size_t req)
{
	struct kmem_track *t = track_of(c, obj);
	long bad = kmem_poison_damage(c, obj);

	kmem_redzone_check(c, obj, c->objsize, t->free_caller);
	if (bad >= 0) {
		kmem_report("slab: %s: use after free: object %p modified at offset %ld; "
		            "allocated by %pS, freed by %pS\n",
		            c->name, obj, bad, (void *)t->alloc_caller, (void *)t->free_caller);
		kmem_poison_object(c, obj);
	}
	t->state = KMEM_TRACK_LIVE;
	t->alloc_caller = caller;
	t->free_caller = 0;
	t->req = (uint32_t)req;
	memset((uint8_t *)obj + req, KMEM_RED_BYTE, c->objsize - req);
}

/* Set up the debug bytes of a never-used object. */
void kmem_debug_init_object(const struct kmem_cache *c, void *obj)
{
	struct kmem_track *t = track_of(c, obj);

	kmem_redzone_fill(c, obj, c->objsize);
	kmem_poison_object(c, obj);
	t->alloc_caller = 0;
	t->free_caller = 0;
	t->req = 0;
	t->state = KMEM_TRACK_FREE;
}
/* Report the live objects of debug cache @c (at most KMEM_DESTROY_LIST). */
void kmem_report_live_objects(struct kmem_cache *c)
{
	const struct list_head *lists[] = { &c->full, &c->partial };
	unsigned listed = 0;
	struct slab *s;

	if (!cache_debug(c))
		return;
	for (unsigned l = 0; l < ARRAY_SIZE(lists); l++) {
		list_for_each_entry(s, lists[l], link)
		{
			for (uint32_t i = 0; i < c->capacity && listed < KMEM_DESTROY_LIST; i++) {
				void *obj = obj_at(c, s, i);
				struct kmem_track *t = track_of(c, obj);

				if (t->state != KMEM_TRACK_LIVE)
					continue;
				pr_err("slab: %s: object %p still in use, allocated by %pS\n",
				       c->name, obj, (void *)t->alloc_caller);
				listed++;
			}
		}
	}
}

/* ---- invariant checker
 * ---------------------------------------------------------------------------- */

static __attribute__((format(printf, 2, 3))) void check_fail(int *problems, const char *fmt, ...)
{
	char line[REPORT_LEN];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pr_err("slab: check: %s\n", line);
	(*problems)++;
}

/* Check one object pointer found in a magazine of @c. */
static void check_cached(struct kmem_cache *c, void *obj, int *problems)
{
	struct slab *s;
	long idx;

	if (!kmem_addr_is_slab((uintptr_t)obj)) {
		check_fail(problems, "%s: magazine holds %p, not a slab object", c->name, obj);
		return;
	}
	s = kmem_slab_of((uintptr_t)obj);
	if (s->cache != c) {
		check_fail(problems, "%s: magazine holds %p of another cache", c->name, obj);
		return;
	}
	idx = obj_index(c, s, (uintptr_t)obj);
	if (idx < 0)
		check_fail(problems, "%s: magazine holds %p, not an object start", c->name, obj);
	else if (s->owners[idx])
		check_fail(problems, "%s: cached object %p has owner %u", c->name, obj,
		           s->owners[idx]);
}

static void check_magazine(struct kmem_cache *c, const struct kmem_magazine *m, int *problems)
{
	if (m->rounds > c->magsize || m->objs[0] != NULL) {
		check_fail(problems, "%s: magazine %p has %u rounds (size %u) or a bad sentinel",
		           c->name, (const void *)m, m->rounds, c->magsize);
		return;
	}
	for (uint32_t i = 1; i <= m->rounds; i++)
		check_cached(c, m->objs[i], problems);
}

/* Check slab @s listed under @st; add its counts to the totals. */
static void check_slab(struct kmem_cache *c, struct slab *s, enum slab_state st, int *problems,
                       unsigned long *inuse, unsigned long *owned, unsigned long *lost)
{
	uint32_t nfree = 0, nowned = 0;
	void *obj;

	if (s->magic != slab_magic(s) || s->cache != c || !kmem_addr_is_slab((uintptr_t)s)) {
		check_fail(problems, "%s: slab %p has a bad header", c->name, (void *)s);
		return;
	}
	if (s->inuse > c->capacity || state_for(c, s->inuse) != st)
		check_fail(problems, "%s: slab %p with %u in use is on the wrong list", c->name,
		           (void *)s, s->inuse);
	for (obj = s->freelist; obj && nfree <= c->capacity; nfree++) {
		long idx = obj_index(c, s, (uintptr_t)obj);

		if (idx < 0) {
			check_fail(problems, "%s: slab %p free list holds %p", c->name, (void *)s,
			           obj);
			break;
		}
		if (s->owners[idx])
			check_fail(problems, "%s: free object %p has owner %u", c->name, obj,
			           s->owners[idx]);
		if (cache_debug(c)) {
			bool ok;

			if (track_of(c, obj)->state != KMEM_TRACK_FREE)
				check_fail(problems, "%s: free object %p not marked free", c->name,
				           obj);
			if (kmem_poison_damage(c, obj) >= 0)
				check_fail(problems, "%s: free object %p lost its poison", c->name,
				           obj);
			kmem_redzone_damage(c, obj, c->objsize, &ok);
			if (!ok)
				check_fail(problems, "%s: free object %p red zone damaged", c->name,
				           obj);
		}
		obj = get_free_next(c, obj);
	}
	if (nfree + s->inuse != c->capacity)
		check_fail(problems, "%s: slab %p: %u in use + %u free != capacity %u", c->name,
		           (void *)s, s->inuse, nfree, c->capacity);
	for (uint32_t i = 0; i < c->capacity; i++) {
		if (!s->owners[i])
			continue;
		nowned++;
		if (cache_debug(c) && track_of(c, obj_at(c, s, i))->state != KMEM_TRACK_LIVE)
			check_fail(problems, "%s: owned object %p is not live", c->name,
			           obj_at(c, s, i));
	}
	if (nowned != s->owned)
		check_fail(problems, "%s: slab %p owned %u, recount %u", c->name, (void *)s,
		           s->owned, nowned);
	if (cache_debug(c)) {
		for (uint32_t i = 0; i < c->capacity; i++) {
			void *o = obj_at(c, s, i);
			struct kmem_track *t = track_of(c, o);
			bool ok;

			if (t->state != KMEM_TRACK_LIVE)
				continue;
			kmem_redzone_damage(c, o, t->req, &ok);
			if (!ok)
				check_fail(problems, "%s: live object %p red zone damaged", c->name,
				           o);
		}
	}
	*inuse += s->inuse;
	*owned += s->owned;
	*lost += s->lost;
}

static int kmem_cache_check_unlocked(struct kmem_cache *c)
{
	static const enum slab_state states[] = { SLAB_EMPTY, SLAB_PARTIAL, SLAB_FULL };
	unsigned long inuse = 0, owned = 0, lost = 0, cached;
	uint32_t nslabs = 0, nfull = 0, nempty = 0;
	int problems = 0;
	struct slab *s;

	for (unsigned k = 0; k < ARRAY_SIZE(states); k++) {
		uint32_t n = 0;

		list_for_each_entry(s, list_for(c, states[k]), link)
		{
			check_slab(c, s, states[k], &problems, &inuse, &owned, &lost);
			n++;
		}
		if (n != *count_for(c, states[k]))
			check_fail(&problems, "%s: list %d holds %u slabs, counter says %u",
			           c->name, (int)states[k], n, *count_for(c, states[k]));
		nslabs += n;
		if (states[k] == SLAB_FULL)
			nfull = n;
		if (states[k] == SLAB_EMPTY)
			nempty = n;
	}
	if (nslabs != c->nr_slabs)
		check_fail(&problems, "%s: %u slabs on lists, nr_slabs %u", c->name, nslabs,
		           c->nr_slabs);
	if (inuse != c->inuse || owned != c->owned || lost != c->lost)
		check_fail(&problems,
		           "%s: in use %lu / owned %lu / lost %lu, recount %lu / %lu / %lu",
		           c->name, c->inuse, c->owned, c->lost, inuse, owned, lost);
	if (nempty > KMEM_EMPTY_KEEP)
		check_fail(&problems, "%s: %u empty slabs kept", c->name, nempty);
	(void)nfull;
	for (unsigned i = 0; i < KMEM_NR_CPUS; i++) {
		if (c->magsize == 0 && (c->cpu[i].loaded != &kmem_no_magazine ||
		                        c->cpu[i].previous != &kmem_no_magazine))
			check_fail(&problems, "%s: magazines without a magazine size", c->name);
		check_magazine(c, c->cpu[i].loaded, &problems);
		check_magazine(c, c->cpu[i].previous, &problems);
	}
	{
		uint32_t nf = 0, ne = 0;

		for (const struct kmem_magazine *m = c->depot_full; m; m = m->next, nf++) {
			if (m->rounds != c->magsize)
				check_fail(&problems, "%s: depot magazine with %u of %u rounds",
				           c->name, m->rounds, c->magsize);
			check_magazine(c, m, &problems);
		}
		for (const struct kmem_magazine *m = c->depot_empty; m; m = m->next, ne++)
			if (m->rounds)
				check_fail(&problems, "%s: empty depot magazine holds rounds",
				           c->name);
		if (nf != c->depot_nfull || ne != c->depot_nempty || nf > c->depot_max)
			check_fail(&problems, "%s: depot %u full / %u empty, counters %u / %u",
			           c->name, nf, ne, c->depot_nfull, c->depot_nempty);
	}
	cached = kmem_cached_objects(c, NULL);
	if (cached + c->owned + c->lost > c->inuse)
		check_fail(&problems, "%s: %lu cached + %lu owned + %lu lost > %lu in use", c->name,
		           cached, c->owned, c->lost, c->inuse);
	return problems;
}

static int kmem_check_all_unlocked(void)
{
	size_t pages = 0, lpages = 0;
	struct kmem_large *h;
	struct kmem_cache *c;
	int problems = 0;

	list_for_each_entry(c, &kmem_caches, link)
	{
		problems += kmem_cache_check(c);
		pages += (size_t)c->nr_slabs << KMEM_SLAB_ORDER;
	}
	if (pages != kmem_slab_pages)
		check_fail(&problems, "slab pages %zu, recount %zu", kmem_slab_pages, pages);
	list_for_each_entry(h, &kmem_large_objects, link)
	{
		if (h->magic != (KMEM_LARGE_MAGIC ^ (uintptr_t)h))
			check_fail(&problems, "large object header %p corrupted", (void *)h);
		lpages += (size_t)1 << h->order;
	}
	if (lpages != kmem_large_pages)
		check_fail(&problems, "large pages %zu, recount %zu", kmem_large_pages, lpages);
	return problems;
}

/* ---- leak scan
 * ------------------------------------------------------------------------------------ */

static void leak_add(struct kmem_leak *out, size_t max, size_t *used, size_t *missed,
                     uintptr_t caller, size_t bytes)
{
	for (size_t i = 0; i < *used; i++) {
		if (out[i].caller == caller) {
			out[i].count++;
			out[i].bytes += bytes;
			return;
		}
	}
	if (*used == max) {
		(*missed)++;
		return;
	}
	out[*used].caller = caller;
	out[*used].count = 1;
	out[*used].bytes = bytes;
	(*used)++;
}

static size_t kmem_leak_scan_unlocked(struct kmem_leak *out, size_t max, size_t *missed)
{
	size_t used = 0, lost = 0;
	struct kmem_large *h;
	struct kmem_cache *c;
	struct slab *s;

	list_for_each_entry(c, &kmem_caches, link)
	{
		const struct list_head *lists[] = { &c->full, &c->partial };

		if (!cache_debug(c))
			continue;
		for (unsigned l = 0; l < ARRAY_SIZE(lists); l++) {
			list_for_each_entry(s, lists[l], link)
			{
				for (uint32_t i = 0; i < c->capacity; i++) {
					struct kmem_track *t = track_of(c, obj_at(c, s, i));

					if (t->state == KMEM_TRACK_LIVE)
						leak_add(out, max, &used, &lost, t->alloc_caller,
						         c->objsize);
				}
			}
		}
	}
	list_for_each_entry(h, &kmem_large_objects, link)
	    leak_add(out, max, &used, &lost, h->caller, (size_t)PAGE_SIZE << h->order);
	/* Largest total first (insertion sort: the table is small). */
	for (size_t i = 1; i < used; i++) {
		struct kmem_leak x = out[i];
		size_t j = i;

		while (j > 0 && (out[j - 1].bytes < x.bytes ||
		                 (out[j - 1].bytes == x.bytes && out[j - 1].caller > x.caller))) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = x;
	}
	if (missed)
		*missed = lost;
	return used;
}

/* ---- entry points: preemption off while the allocator state is in use (lib/preempt.h) ---- */

int kmem_check_all(void)
{
	preempt_disable();
	int r = kmem_check_all_unlocked();
	preempt_enable();
	return r;
}

size_t kmem_leak_scan(struct kmem_leak *out, size_t max, size_t *missed)
{
	preempt_disable();
	size_t r = kmem_leak_scan_unlocked(out, max, missed);
	preempt_enable();
	return r;
}

int kmem_cache_check(struct kmem_cache *c)
{
	preempt_disable();
	int r = kmem_cache_check_unlocked(c);
	preempt_enable();
	return r;
}
