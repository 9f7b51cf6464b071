/*
 * vma: the interval logic of user address spaces over a sorted list (contracts, cost and the
 * no-allocation design in include/mm/vma.h). Pure: no page tables, no allocator, no x86 or
 * sched header; the host tests (tests/host/test_vma.c) run it under ASan/UBSan.
 */
#include "mm/vma.h"

#include "lib/compiler.h"

void vma_set_init(struct vma_set *s)
{
	list_init(&s->head);
	s->count = 0;
}

struct vm_area *vma_find_from(const struct vma_set *s, uintptr_t addr)
{
	struct vm_area *a;

	list_for_each_entry(a, &s->head, link)
	{
		if (a->end > addr)
			return a;
	}
	return NULL;
}

struct vm_area *vma_find(const struct vma_set *s, uintptr_t addr)
{
	struct vm_area *a = vma_find_from(s, addr);

	return (a && a->start <= addr) ? a : NULL;
}

struct vm_area *vma_next(const struct vma_set *s, const struct vm_area *a)
{
	return a->link.next == &s->head ? NULL : list_entry(a->link.next, struct vm_area, link);
}

bool vma_range_free(const struct vma_set *s, uintptr_t start, uintptr_t end)
{
	struct vm_area *a = vma_find_from(s, start);

	return !a || a->start >= end;
}

bool vma_range_covered(const struct vma_set *s, uintptr_t start, uintptr_t end)
{
	uintptr_t covered = start;

	for (struct vm_area *a = vma_find_from(s, start); a && covered < end; a = vma_next(s, a)) {
		if (a->start > covered)
			return false; /* a hole before this area */
		covered = a->end;
	}
	return covered >= end;
}

void vma_insert(struct vma_set *s, struct vm_area *na)
{
	struct vm_area *a = vma_find_from(s, na->start);

	/* Disjoint: every area ending after na->start starts at or after na->end. */
	list_add_tail(&na->link, a ? &a->link : &s->head);
	s->count++;
}

/* True when @addr lies strictly inside an area (a split there needs a node). */
static bool inside_area(const struct vma_set *s, uintptr_t addr)
{
	struct vm_area *a = vma_find(s, addr);

	return a && a->start != addr;
}

unsigned vma_splits_needed(const struct vma_set *s, uintptr_t start, uintptr_t end)
{
	return (unsigned)inside_area(s, start) + (unsigned)inside_area(s, end);
}

/* Split the area strictly containing @addr at @addr with the node *@spare (taken). */
static void split_at(struct vma_set *s, uintptr_t addr, struct vm_area **spare)
{
	struct vm_area *a = vma_find(s, addr);
	struct vm_area *hi = *spare;

	if (!a || a->start == addr)
		return;
	*spare = NULL;
	hi->start = addr;
	hi->end = a->end;
	hi->prot = a->prot;
	hi->flags = a->flags;
	hi->backing = a->backing;
	a->end = addr;
	list_add(&hi->link, &a->link);
	s->count++;
}

/* The first non-NULL entry of @spares (two entries). */
static struct vm_area **next_spare(struct vm_area **spares)
{
	return spares[0] ? &spares[0] : &spares[1];
}

void vma_split_range(struct vma_set *s, uintptr_t start, uintptr_t end, struct vm_area **spares)
{
	if (inside_area(s, start))
		split_at(s, start, next_spare(spares));
	if (inside_area(s, end))
		split_at(s, end, next_spare(spares));
}

unsigned vma_detach_range(struct vma_set *s, uintptr_t start, uintptr_t end, struct list_head *out)
{
	struct vm_area *a = vma_find_from(s, start), *n;
	unsigned moved = 0;

	while (a && a->start < end) {
		n = vma_next(s, a);
		if (a->start >= start && a->end <= end) {
			list_move_tail(&a->link, out);
			s->count--;
			moved++;
		}
		a = n;
	}
	return moved;
}

/* May @a and @b (@b right after @a in the list) become one area? */
static bool mergeable(const struct vm_area *a, const struct vm_area *b)
{
	return a->end == b->start && a->prot == b->prot && a->flags == b->flags &&
	       a->backing.obj == b->backing.obj && a->backing.base == b->backing.base &&
	       a->backing.end == b->backing.end;
}

unsigned vma_merge_range(struct vma_set *s, uintptr_t start, uintptr_t end, struct list_head *out)
{
	struct vm_area *a = vma_find_from(s, start), *n;
	unsigned merged = 0;

	if (!a)
		return 0;
	if (a->link.prev != &s->head) /* the neighbour below may absorb the first one */
		a = list_entry(a->link.prev, struct vm_area, link);
	while ((n = vma_next(s, a)) != NULL && a->start <= end) {
		if (mergeable(a, n)) {
			a->end = n->end;
			list_move_tail(&n->link, out);
			s->count--;
			merged++;
		} else {
			a = n;
		}
	}
	return merged;
}

/* The lowest address an area leaves to others below it: its start, less the guard gap when
 * it has one of @gap_flags (0 when the gap reaches address 0). */
static uintptr_t area_floor(const struct vm_area *a, uint32_t gap_flags, uintptr_t gap)
{
	if (!(a->flags & gap_flags))
		return a->start;
	return a->start >= gap ? a->start - gap : 0;
}

uintptr_t vma_find_free(const struct vma_set *s, size_t len, uintptr_t lo, uintptr_t hi,
                        uint32_t gap_flags, uintptr_t gap)
{
	uintptr_t top = hi; /* the free window being looked at ends here */

	if (!len || hi < lo || len > hi - lo)
		return 0;
	for (struct list_head *l = s->head.prev; l != &s->head; l = l->prev) {
		const struct vm_area *a = list_entry(l, struct vm_area, link);

		if (a->end <= top && top - a->end >= len && top - len >= lo)
			return top - len; /* [a->end, top) is free and large enough */
		top = MIN(top, area_floor(a, gap_flags, gap));
		if (top < lo || top - lo < len)
			return 0; /* every window further down is lower still */
	}
	return top - len;
}
