/*
 * slab_magazine: the magazine layer in front of the slabs (Bonwick and Adams, "Magazines and
 * Vmem", 2001; include/mm/slab.h has the picture).
 *
 * Design: per CPU, a loaded and a previous magazine (arrays of object pointers, objs[0]
 * always NULL). Allocation pops from the loaded one; when it is empty the previous one is
 * tried, then a full magazine from the depot, then the loaded magazine is refilled from the
 * slabs in one batch. Free pushes, symmetrically; with both magazines full, the previous one
 * goes to the depot (an empty one comes back) or, if the depot already holds depot_max full
 * magazines, is flushed into the slabs. The inline fast paths in include/mm/slab.h and
 * include/mm/kmalloc.h do the plain pop and push; this file is their slow path.
 *
 * Locking: the magazines are this CPU's (preemption and interrupts off); the depot takes the
 * cache lock in an SMP version.
 */
#include "slab_internal.h"

struct kmem_magazine kmem_no_magazine;

/* ---- magazines (this CPU, interrupts off; depot: cache lock) -------------------------------- */

/* An empty magazine from kmem_magazine_cache, or NULL when memory runs out. */
struct kmem_magazine *magazine_new(void)
{
	struct mm_error err = { 0 };
	struct slab *s = slab_with_free(&kmem_magazine_cache, KM_KERNEL, &err);
	struct kmem_magazine *m;

	if (!s)
		return NULL;
	m = slab_take(&kmem_magazine_cache, s);
	m->rounds = 0;
	m->next = NULL;
	m->objs[0] = NULL;
	return m;
}

/* Give magazine @m back to its cache; kmem_no_magazine is ignored. */
void magazine_delete(struct kmem_magazine *m)
{
	uintptr_t a = (uintptr_t)m;

	if (m == &kmem_no_magazine)
		return;
	slab_put(&kmem_magazine_cache, kmem_slab_of(a), m);
}

/* Return every round of @m to the slabs. */
static void magazine_flush(struct kmem_cache *c, struct kmem_magazine *m)
{
	while (m->rounds) {
		void *obj = m->objs[m->rounds--];

		slab_put(c, kmem_slab_of((uintptr_t)obj), obj);
	}
	c->flushes++;
}

/* Slow-path allocation from @c's magazines: exchange, depot, then a refill from the
 * slabs. Returns an object, or NULL with *@err filled when the slabs cannot grow. */
void *magazine_alloc(struct kmem_cache *c, unsigned flags, struct mm_error *err)
{
	struct kmem_cpu_cache *cc = this_cpu_cache(c);

	for (;;) {
		struct kmem_magazine *m = cc->loaded;

		if (m->rounds) {
			void *obj = m->objs[m->rounds];

			m->rounds--;
			return obj;
		}
		if (cc->previous->rounds) {
			cc->loaded = cc->previous;
			cc->previous = m;
			continue;
		}
		if (c->depot_full) {
			struct kmem_magazine *full = c->depot_full;

			c->depot_full = full->next;
			c->depot_nfull--;
			cc->previous->next = c->depot_empty;
			c->depot_empty = cc->previous;
			c->depot_nempty++;
			cc->previous = m;
			cc->loaded = full;
			continue;
		}
		m->rounds = slab_take_batch(c, &m->objs[1], c->magsize, flags, err);
		c->refills++;
		if (m->rounds == 0)
			return NULL;
		/* Pops then hand out the batch in the order the slab gave it (ascending). */
		for (uint32_t i = 1, j = m->rounds; i < j; i++, j--) {
			void *t = m->objs[i];

			m->objs[i] = m->objs[j];
			m->objs[j] = t;
		}
	}
}

/* Slow-path free of validated @obj into @c's magazines (exchange, depot, flush). Never fails. */
void magazine_free(struct kmem_cache *c, void *obj)
{
	struct kmem_cpu_cache *cc = this_cpu_cache(c);

	for (;;) {
		struct kmem_magazine *m = cc->loaded;

		if (m->rounds < c->magsize) {
			m->objs[++m->rounds] = obj;
			return;
		}
		if (cc->previous->rounds == 0) {
			cc->loaded = cc->previous;
			cc->previous = m;
			continue;
		}
		if (c->depot_nfull < c->depot_max) {
			struct kmem_magazine *empty = c->depot_empty;

			if (empty) {
				c->depot_empty = empty->next;
				c->depot_nempty--;
				cc->previous->next = c->depot_full;
				c->depot_full = cc->previous;
				c->depot_nfull++;
				cc->previous = m;
				cc->loaded = empty;
				continue;
			}
			/*
			 * Getting a magazine may carve a slab, and the provider may run the shrink
			 * hook, which drains this very cache: so park the new magazine in the depot
			 * and look at the state again.
			 */
			empty = magazine_new();
			if (empty) {
				empty->next = c->depot_empty;
				c->depot_empty = empty;
				c->depot_nempty++;
				continue;
			}
		}
		magazine_flush(c, cc->previous);
	}
}

/* Objects held by @c's magazines and depot. */
unsigned long kmem_cached_objects(const struct kmem_cache *c, unsigned long *in_depot)
{
	unsigned long n = 0, d = 0;

	for (unsigned i = 0; i < KMEM_NR_CPUS; i++)
		n += c->cpu[i].loaded->rounds + c->cpu[i].previous->rounds;
	for (const struct kmem_magazine *m = c->depot_full; m; m = m->next)
		d += m->rounds;
	if (in_depot)
		*in_depot = d;
	return n + d;
}

/* Empty all of @c's magazines into the slabs; free the depot's magazines. */
void kmem_cache_drain(struct kmem_cache *c)
{
	for (unsigned i = 0; i < KMEM_NR_CPUS; i++) {
		if (c->cpu[i].loaded->rounds)
			magazine_flush(c, c->cpu[i].loaded);
		if (c->cpu[i].previous->rounds)
			magazine_flush(c, c->cpu[i].previous);
	}
	while (c->depot_full) {
		struct kmem_magazine *m = c->depot_full;

		c->depot_full = m->next;
		c->depot_nfull--;
		magazine_flush(c, m);
		magazine_delete(m);
	}
	while (c->depot_empty) {
		struct kmem_magazine *m = c->depot_empty;

		c->depot_empty = m->next;
		c->depot_nempty--;
		magazine_delete(m);
	}
}
