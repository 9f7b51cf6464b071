/*
 * Host tests for the interval logic of user address spaces (mm/vma.c) under ASan/UBSan:
 * find and range queries, splits that take exactly the nodes vma_splits_needed() announced,
 * detach of a range, merging of equal neighbours only, top-down placement with the stack's
 * guard gap, and a randomized run of map/unmap/protect (as mm/vm.c composes them) checked
 * page by page against a flat model, with the invariants (sorted, disjoint, count right,
 * no equal neighbours left unmerged) after every step and no node leaked.
 */
#include "htest.h"

#include <stdlib.h>
#include <string.h>

#include "mm/vma.h"

#define PG        4096u
#define NPAGES    256u /* the model's address space: pages [0, NPAGES) from BASE */
#define BASE      0x100000u
#define ROUNDS    20000u
#define GROWSDOWN 0x8u /* a kind standing for the stack (gap below it) */
#define KIND_A    0x1u
#define KIND_B    0x2u

static unsigned live_nodes; /* nodes malloc'd and not freed */

static struct vm_area *node(void)
{
	live_nodes++;
	return calloc(1, sizeof(struct vm_area));
}

static void node_free(struct vm_area *a)
{
	if (a) {
		live_nodes--;
		free(a);
	}
}

static void free_list(struct list_head *l)
{
	while (!list_empty(l)) {
		struct vm_area *a = list_first_entry(l, struct vm_area, link);
		list_del(&a->link);
		node_free(a);
	}
}

/* Insert [s, e) and merge around it (vm_map without pages). */
static void map(struct vma_set *s, uintptr_t start, uintptr_t end, uint32_t prot, uint32_t flags)
{
	struct vm_area *a = node();
	struct list_head gone;

	a->start = start;
	a->end = end;
	a->prot = prot;
	a->flags = flags;
	vma_insert(s, a);
	list_init(&gone);
	vma_merge_range(s, start, end, &gone);
	free_list(&gone);
}

/* Split with exactly the announced nodes; check none is left over. */
static void split(struct vma_set *s, uintptr_t start, uintptr_t end)
{
	struct vm_area *spares[2] = { NULL, NULL };
	unsigned need = vma_splits_needed(s, start, end), count = s->count;

	for (unsigned i = 0; i < need; i++)
		spares[i] = node();
	vma_split_range(s, start, end, spares);
	HT_EXPECT(spares[0] == NULL && spares[1] == NULL);
	HT_EXPECT_EQ(s->count, count + need);
}

static void unmap(struct vma_set *s, uintptr_t start, uintptr_t end)
{
	struct list_head gone;

	split(s, start, end);
	list_init(&gone);
	vma_detach_range(s, start, end, &gone);
	free_list(&gone);
	HT_EXPECT(vma_range_free(s, start, end));
}

static void protect(struct vma_set *s, uintptr_t start, uintptr_t end, uint32_t prot)
{
	struct list_head gone;

	split(s, start, end);
	for (struct vm_area *a = vma_find(s, start); a && a->start < end; a = vma_next(s, a))
		a->prot = prot;
	list_init(&gone);
	vma_merge_range(s, start, end, &gone);
	free_list(&gone);
}

/* Sorted, disjoint, page-aligned, counted, and no two equal neighbours touching. */
static void check_invariants(const struct vma_set *s)
{
	const struct vm_area *a, *prev = NULL;
	uint32_t n = 0;

	list_for_each_entry(a, &s->head, link)
	{
		HT_EXPECT(a->start < a->end);
		HT_EXPECT(a->start % PG == 0 && a->end % PG == 0);
		if (prev) {
			HT_EXPECT(prev->end <= a->start);
			HT_EXPECT(!(prev->end == a->start && prev->prot == a->prot &&
			            prev->flags == a->flags));
		}
		prev = a;
		n++;
	}
	HT_EXPECT_EQ(n, s->count);
}

static void clear(struct vma_set *s)
{
	free_list(&s->head);
	s->count = 0;
}

HT_TEST(find_and_range_queries)
{
	struct vma_set s;

	vma_set_init(&s);
	map(&s, 0x10000, 0x20000, 1, KIND_A);
	map(&s, 0x30000, 0x40000, 3, KIND_A);
	HT_EXPECT(vma_find(&s, 0x10000) != NULL);
	HT_EXPECT(vma_find(&s, 0x1ffff) != NULL);
	HT_EXPECT(vma_find(&s, 0x20000) == NULL);
	HT_EXPECT(vma_find(&s, 0xffff) == NULL);
	HT_EXPECT_EQ(vma_find_from(&s, 0x20000)->start, 0x30000);
	HT_EXPECT(vma_find_from(&s, 0x40000) == NULL);
	HT_EXPECT(vma_range_free(&s, 0x20000, 0x30000));
	HT_EXPECT(!vma_range_free(&s, 0x20000, 0x30001));
	HT_EXPECT(!vma_range_free(&s, 0x0, 0x10001));
	HT_EXPECT(vma_range_covered(&s, 0x11000, 0x20000));
	HT_EXPECT(!vma_range_covered(&s, 0x11000, 0x31000)); /* the hole */
	map(&s, 0x20000, 0x30000, 2, KIND_A);                /* fills it, different prot */
	HT_EXPECT(vma_range_covered(&s, 0x11000, 0x31000));
	HT_EXPECT_EQ(s.count, 3);
	check_invariants(&s);
	clear(&s);
	HT_EXPECT_EQ(live_nodes, 0);
}

HT_TEST(split_takes_exactly_the_announced_nodes)
{
	struct vma_set s;

	vma_set_init(&s);
	map(&s, 0x10000, 0x20000, 1, KIND_A);
	HT_EXPECT_EQ(vma_splits_needed(&s, 0x10000, 0x20000), 0); /* on the boundaries */
	HT_EXPECT_EQ(vma_splits_needed(&s, 0x8000, 0x28000), 0);  /* around it */
	HT_EXPECT_EQ(vma_splits_needed(&s, 0x12000, 0x28000), 1);
	HT_EXPECT_EQ(vma_splits_needed(&s, 0x12000, 0x14000), 2); /* the middle of one area */
	split(&s, 0x12000, 0x14000);
	HT_EXPECT_EQ(s.count, 3);
	HT_EXPECT_EQ(vma_find(&s, 0x13000)->start, 0x12000);
	HT_EXPECT_EQ(vma_find(&s, 0x13000)->end, 0x14000);
	HT_EXPECT_EQ(vma_find(&s, 0x14000)->prot, 1); /* halves keep prot and flags */
	HT_EXPECT_EQ(vma_find(&s, 0x14000)->flags, KIND_A);
	clear(&s);
	HT_EXPECT_EQ(live_nodes, 0);
}

HT_TEST(unmap_the_middle_and_merge_back_only_equal_neighbours)
{
	struct vma_set s;

	vma_set_init(&s);
	map(&s, 0x10000, 0x20000, 3, KIND_A);
	unmap(&s, 0x14000, 0x18000);
	HT_EXPECT_EQ(s.count, 2);
	map(&s, 0x14000, 0x18000, 3, KIND_A); /* equal: the three become one */
	HT_EXPECT_EQ(s.count, 1);
	HT_EXPECT_EQ(vma_find(&s, 0x10000)->end, 0x20000);
	protect(&s, 0x14000, 0x18000, 1); /* three areas */
	HT_EXPECT_EQ(s.count, 3);
	protect(&s, 0x14000, 0x18000, 3); /* back to one */
	HT_EXPECT_EQ(s.count, 1);
	map(&s, 0x20000, 0x21000, 3, KIND_B); /* another kind: stays apart */
	HT_EXPECT_EQ(s.count, 2);
	unmap(&s, 0x0, 0x100000); /* everything, from outside */
	HT_EXPECT_EQ(s.count, 0);
	unmap(&s, 0x0, 0x100000); /* nothing there: fine */
	check_invariants(&s);
	HT_EXPECT_EQ(live_nodes, 0);
}

HT_TEST(find_free_goes_top_down_and_keeps_the_stack_gap)
{
	struct vma_set s;

	vma_set_init(&s);
	HT_EXPECT_EQ(vma_find_free(&s, 0x2000, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0xfe000);
	HT_EXPECT_EQ(vma_find_free(&s, 0xf0000, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0x10000);
	HT_EXPECT_EQ(vma_find_free(&s, 0xf1000, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0);
	HT_EXPECT_EQ(vma_find_free(&s, 0, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0);
	map(&s, 0xf0000, 0x100000, 3, GROWSDOWN); /* a stack at the top: 64 KiB gap below */
	HT_EXPECT_EQ(vma_find_free(&s, 0x1000, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0xdf000);
	map(&s, 0xd0000, 0xe0000, 3, KIND_A); /* right under the gap */
	HT_EXPECT_EQ(vma_find_free(&s, 0x1000, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0xcf000);
	map(&s, 0x80000, 0xc0000, 3, KIND_B); /* leaves a 64 KiB hole at 0xc0000 */
	HT_EXPECT_EQ(vma_find_free(&s, 0x10000, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0xc0000);
	HT_EXPECT_EQ(vma_find_free(&s, 0x11000, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0x6f000);
	HT_EXPECT_EQ(vma_find_free(&s, 0x70000, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0x10000);
	HT_EXPECT_EQ(vma_find_free(&s, 0x71000, 0x10000, 0x100000, GROWSDOWN, 0x10000), 0);
	/* a window top below every area */
	HT_EXPECT_EQ(vma_find_free(&s, 0x1000, 0x10000, 0x50000, GROWSDOWN, 0x10000), 0x4f000);
	clear(&s);
	HT_EXPECT_EQ(live_nodes, 0);
}

/* The flat model: per page, 0 = unmapped, else prot + 1 (prot 0..7) with the kind above. */
static uint32_t model[NPAGES];

static uint32_t label(uint32_t prot, uint32_t flags)
{
	return (flags << 8) | (prot + 1);
}

static void check_model(const struct vma_set *s)
{
	for (unsigned p = 0; p < NPAGES; p++) {
		const struct vm_area *a = vma_find(s, BASE + p * PG);
		uint32_t got = a ? label(a->prot, a->flags) : 0;
		if (got != model[p]) {
			HT_EXPECT_EQ(got, model[p]);
			return;
		}
	}
}

HT_TEST(random_map_unmap_protect_match_a_flat_model)
{
	struct vma_set s;
	uint64_t rng = 0x9e3779b97f4a7c15ull;

	vma_set_init(&s);
	memset(model, 0, sizeof(model));
	for (unsigned round = 0; round < ROUNDS && !ht_current_failed; round++) {
		unsigned op = ht_xorshift64(&rng) % 3;
		unsigned p0 = ht_xorshift64(&rng) % NPAGES;
		unsigned n = 1 + ht_xorshift64(&rng) % 16;
		uint32_t prot = ht_xorshift64(&rng) % 3, kind = 1 + ht_xorshift64(&rng) % 2;
		uintptr_t start = BASE + p0 * PG, end;

		if (p0 + n > NPAGES)
			n = NPAGES - p0;
		end = start + n * PG;
		if (op == 0) { /* MAP_FIXED: unmap, then map */
			unmap(&s, start, end);
			map(&s, start, end, prot, kind);
			for (unsigned p = p0; p < p0 + n; p++)
				model[p] = label(prot, kind);
		} else if (op == 1) {
			unmap(&s, start, end);
			for (unsigned p = p0; p < p0 + n; p++)
				model[p] = 0;
		} else {
			bool covered = true;
			for (unsigned p = p0; p < p0 + n; p++)
				covered &= model[p] != 0;
			HT_EXPECT_EQ(vma_range_covered(&s, start, end), covered);
			if (covered) {
				protect(&s, start, end, prot);
				for (unsigned p = p0; p < p0 + n; p++)
					model[p] = label(prot, model[p] >> 8);
			}
		}
		check_invariants(&s);
		check_model(&s);
		uintptr_t f = vma_find_free(&s, 4 * PG, BASE, BASE + NPAGES * PG, 0, 0);
		if (f) {
			HT_EXPECT(vma_range_free(&s, f, f + 4 * PG));
			HT_EXPECT(f + 4 * PG == BASE + NPAGES * PG ||
			          !vma_range_free(&s, f + PG, f + 5 * PG)); /* the highest */
		}
	}
	clear(&s);
	HT_EXPECT_EQ(live_nodes, 0);
}
