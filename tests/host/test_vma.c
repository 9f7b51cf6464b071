/*
 * Host tests for the interval logic of user address spaces (mm/vma.c) under ASan/UBSan:
 * find and range queries, splits that take exactly the nodes vma_splits_needed() announced,
 * detach of a range, merging of equal neighbours only, top-down placement with the stack's
 * guard gap, and a randomized run of map/unmap/protect (as mm/vm.c composes them) checked
 * page by page against a flat model, with the invariants (sorted, disjoint, count right,
 * no equal neighbours left unmerged) after every step and no node leaked. Then the tree
 * behind it: a differential run of every operation (insert, split, detach, merge, mprotect,
 * MAP_FIXED, the queries at any byte address, top-down placement with guard gaps, fork's copy
 * by assignment, teardown) against a per-page reference model, with vma_check's invariants
 * (list and tree agree, AVL balance, cached gaps/maxima/flags, count) after every step; and
 * 20,000 areas, where every lookup is shown to visit at most the tree's height in nodes,
 * itself within the AVL bound (about 1.44 log2 n), by counting nodes, not time.
 * The reference model is the same text as in tests/fuzz/fuzz_vma.c.
 */
#include "htest.h"

#include <stdlib.h>
#include <string.h>

#include "mm/vma.h"

#define MODEL_EQ(a, b) HT_EXPECT_EQ(a, b)
#define MODEL_OK(cond, msg)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ht_fail(__FILE__, __LINE__, msg);                                          \
	} while (0)

#define PG        4096u
#define NPAGES    256u /* the model's address space: pages [0, NPAGES) from BASE */
#define BASE      0x100000u
#define ROUNDS    20000u
#define GROWSDOWN 0x8u /* a kind standing for the stack (gap below it) */
#define KIND_A    0x1u
#define KIND_B    0x2u

#include "vma_model.h"

#define live_nodes m_live

static struct vm_area *node(void)
{
	return m_node();
}

static void free_list(struct list_head *l)
{
	m_free_list(l);
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

/* vma_check's invariants, page-aligned, and no two equal neighbours touching. */
static void check_invariants(const struct vma_set *s)
{
	const struct vm_area *a, *prev = NULL;
	uint32_t n = 0;
	const char *err = vma_check(s, NULL);

	if (err)
		ht_fail(__FILE__, __LINE__, err);

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
	struct list_head out;

	list_init(&out);
	vma_set_clear(s, &out);
	free_list(&out);
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

HT_TEST(random_operations_match_the_page_model)
{
	static const uint64_t seeds[] = { 1, 0x9e3779b97f4a7c15ull, 0xdeadbeefcafef00dull, 42 };
	struct list_head out;

	for (unsigned k = 0; k < ARRAY_SIZE(seeds); k++) {
		struct vma_set s;
		uint64_t rng = seeds[k];

		vma_set_init(&s);
		m_reset();
		for (unsigned round = 0; round < 15000 && !ht_current_failed; round++) {
			uint64_t r = ht_xorshift64(&rng);
			uint8_t b[8];

			memcpy(b, &r, sizeof(b));
			if (round < 400 && b[0] % 10 == 2)
				b[0] = 0; /* fill up first: more inserts than detaches */
			m_step(&s, b);
		}
		list_init(&out);
		vma_set_clear(&s, &out);
		m_free_list(&out);
	}
	HT_EXPECT_EQ(m_live, 0);
}

HT_TEST(fork_copies_by_assignment_and_clear_tears_down)
{
	struct vma_set src, dst;
	struct list_head out;
	struct vm_area *b;
	const struct vm_area *a;
	unsigned i = 0;

	vma_set_init(&src);
	vma_set_init(&dst);
	for (unsigned k = 0; k < 50; k++)
		map(&src, 0x10000 + k * 0x3000, 0x11000 + k * 0x3000, k % 3, KIND_A);
	list_for_each_entry(a, &src.head, link)
	{
		struct vm_area *na = node();
		*na = *a; /* every link and tree pointer names src */
		vma_insert(&dst, na);
	}
	HT_EXPECT(vma_check(&dst, NULL) == NULL);
	HT_EXPECT_EQ(dst.count, 50);
	HT_EXPECT_EQ(vma_find(&dst, 0x10000 + 49 * 0x3000)->prot, 49 % 3);
	HT_EXPECT(vma_find(&src, 0x10000) != vma_find(&dst, 0x10000));

	/* Teardown onto a list that already holds a node: appended after it, in order. */
	list_init(&out);
	b = node();
	list_add_tail(&b->link, &out);
	vma_set_clear(&dst, &out);
	HT_EXPECT(list_empty(&dst.head) && dst.count == 0 && dst.root == NULL);
	HT_EXPECT(vma_check(&dst, NULL) == NULL);
	list_for_each_entry(a, &out, link)
	{
		if (i > 0)
			HT_EXPECT_EQ(a->start, 0x10000 + (i - 1) * 0x3000);
		i++;
	}
	HT_EXPECT_EQ(i, 51);
	free_list(&out);
	map(&dst, 0x10000, 0x20000, 1, KIND_A); /* a cleared set is an empty one */
	HT_EXPECT_EQ(dst.count, 1);
	clear(&dst);
	clear(&src);
	HT_EXPECT_EQ(live_nodes, 0);
}

HT_TEST(find_free_guard_gap_reaching_below_zero_or_over_other_areas)
{
	struct vma_set s;

	vma_set_init(&s);
	map(&s, 0x3000, 0x4000, 3, GROWSDOWN); /* its 64 KiB gap reaches past address 0 */
	HT_EXPECT_EQ(vma_find_free(&s, 0x1000, 0x1000, 0x3000, GROWSDOWN, 0x10000), 0);
	HT_EXPECT_EQ(vma_find_free(&s, 0x1000, 0x1000, 0x5000, GROWSDOWN, 0x10000), 0x4000);
	HT_EXPECT_EQ(vma_find_free(&s, 0x1000, 0x1000, 0x3000, KIND_A, 0x10000), 0x2000);
	clear(&s);
	/* A guard covering a whole area and the windows around it. */
	map(&s, 0x40000, 0x41000, 3, GROWSDOWN);
	map(&s, 0x38000, 0x39000, 3, KIND_A); /* inside the guard */
	HT_EXPECT_EQ(vma_find_free(&s, 0x1000, 0x10000, 0x40000, GROWSDOWN, 0x10000), 0x2f000);
	HT_EXPECT_EQ(vma_find_free(&s, 0x1000, 0x10000, 0x40000, GROWSDOWN, 0x4000), 0x3b000);
	clear(&s);
	HT_EXPECT_EQ(live_nodes, 0);
}

/* The largest height of an AVL tree of @n nodes: the h whose sparsest tree (Fibonacci-like
 * minimum size N(h) = N(h-1) + N(h-2) + 1) still fits in n. */
static uint32_t avl_height_bound(uint32_t n)
{
	uint32_t a = 1, b = 2, h = 1; /* N(h), N(h + 1) */

	if (n == 0)
		return 0;
	while (b <= n) {
		uint32_t c = a + b + 1;
		a = b;
		b = c;
		h++;
	}
	return h;
}

#define MANY 20000u

/* A page-sized area at page 2i above BASE (a hole of one page after each). */
static uintptr_t many_start(unsigned i)
{
	return BASE + 2 * (uintptr_t)i * PG;
}

HT_TEST(twenty_thousand_areas_look_up_in_log_n_node_visits)
{
	struct vma_set s;
	struct list_head out;
	uint32_t h, bound = avl_height_bound(MANY);
	uint64_t rng = 7;
	unsigned long worst = 0;
	const unsigned mid = MANY / 2;

	HT_EXPECT_EQ(bound, 20); /* vs 20,000 steps for a list */
	vma_set_init(&s);
	for (unsigned i = 0; i < MANY; i++) { /* appended in order, as fork does */
		struct vm_area *a = node();
		a->start = many_start(i);
		a->end = a->start + PG;
		a->prot = i % 4;
		a->flags = i == mid + 1 ? GROWSDOWN : KIND_A;
		vma_insert(&s, a);
	}
	HT_ASSERT(vma_check(&s, &h) == NULL);
	HT_EXPECT(h <= bound);
	HT_EXPECT_EQ(s.count, MANY);

	/* Lookups: each at most the height in nodes. */
	for (unsigned k = 0; k < 5000; k++) {
		uintptr_t x = BASE - PG + ht_xorshift64(&rng) % ((2 * MANY + 2) * PG);
		const struct vm_area *a, *f;
		unsigned long v;

		vma_nodes_visited = 0;
		a = vma_find(&s, x);
		f = vma_find_from(&s, x);
		v = vma_nodes_visited;
		worst = MAX(worst, v);
		HT_EXPECT(v <= 2 * h);
		if (x >= BASE && ((x - BASE) / PG) % 2 == 0 && x < many_start(MANY)) {
			HT_EXPECT(a != NULL && a->start == ALIGN_DOWN(x, PG));
		} else {
			HT_EXPECT(a == NULL);
		}
		HT_EXPECT(f == NULL || f->end > x);
	}
	HT_EXPECT(worst <= 2 * bound);

	/* Range queries over the whole set: a few paths down the tree, not a walk. */
	vma_nodes_visited = 0;
	HT_EXPECT(!vma_range_covered(&s, many_start(0), many_start(MANY - 1) + PG));
	HT_EXPECT(vma_range_covered(&s, many_start(7), many_start(7) + PG));
	HT_EXPECT(!vma_range_free(&s, BASE, many_start(MANY)));
	HT_EXPECT_EQ(vma_splits_needed(&s, many_start(3) + PG / 2, many_start(9) + PG / 2), 2);
	HT_EXPECT(vma_nodes_visited <= 10 * (unsigned long)h);

	/* Placement: only the room below BASE is two pages wide. */
	vma_nodes_visited = 0;
	HT_EXPECT_EQ(vma_find_free(&s, 2 * PG, PG, many_start(MANY - 1), GROWSDOWN, PG),
	             BASE - 2 * PG);
	HT_EXPECT(vma_nodes_visited <= 6 * (unsigned long)h);

	/* Open a three-page hole under the guarded area: it fits with a one-page guard gap, not
	 * with a two-page one; either way a few paths down the tree. */
	{
		struct vm_area *spares[2] = { NULL, NULL };
		uintptr_t hole = many_start(mid) - PG;

		HT_EXPECT_EQ(vma_splits_needed(&s, many_start(mid), many_start(mid) + PG), 0);
		vma_split_range(&s, many_start(mid), many_start(mid) + PG, spares);
		list_init(&out);
		HT_EXPECT_EQ(vma_detach_range(&s, many_start(mid), many_start(mid) + PG, &out), 1);
		free_list(&out);
		HT_EXPECT(vma_check(&s, NULL) == NULL);
		vma_nodes_visited = 0;
		HT_EXPECT_EQ(vma_find_free(&s, 2 * PG, PG, many_start(MANY - 1), GROWSDOWN, PG),
		             hole);
		HT_EXPECT_EQ(vma_find_free(&s, 2 * PG, PG, many_start(MANY - 1), GROWSDOWN, 2 * PG),
		             BASE - 2 * PG);
		HT_EXPECT_EQ(vma_find_free(&s, 3 * PG, PG, many_start(MANY - 1), KIND_B, 2 * PG),
		             hole);
		HT_EXPECT(vma_nodes_visited <= 3 * 10 * (unsigned long)h);
	}

	/* Unmap a span of a thousand areas. */
	{
		uintptr_t lo = many_start(100), hi = many_start(1100);

		HT_EXPECT_EQ(vma_splits_needed(&s, lo, hi), 0);
		list_init(&out);
		vma_nodes_visited = 0;
		HT_EXPECT_EQ(vma_detach_range(&s, lo, hi, &out), 1000);
		HT_EXPECT(vma_nodes_visited <= 1000ul * 4 * h); /* O(log n) per area moved */
		free_list(&out);
		HT_EXPECT(vma_range_free(&s, lo, hi));
		HT_EXPECT(vma_check(&s, &h) == NULL);
		HT_EXPECT(h <= avl_height_bound(s.count));
	}
	clear(&s);

	/* The same count inserted in a shuffled order, half removed in another: still balanced. */
	{
		static unsigned order[MANY];

		for (unsigned i = 0; i < MANY; i++)
			order[i] = i;
		for (unsigned i = MANY - 1; i > 0; i--) {
			unsigned j = ht_xorshift64(&rng) % (i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (unsigned i = 0; i < MANY; i++) {
			struct vm_area *a = node();
			a->start = many_start(order[i]);
			a->end = a->start + PG;
			a->prot = 1;
			a->flags = KIND_A;
			vma_insert(&s, a);
		}
		HT_EXPECT(vma_check(&s, &h) == NULL);
		HT_EXPECT(h <= bound);
		for (unsigned i = 0; i < MANY; i += 2) {
			list_init(&out);
			vma_detach_range(&s, many_start(order[i]), many_start(order[i]) + PG, &out);
			free_list(&out);
		}
		HT_EXPECT_EQ(s.count, MANY / 2);
		HT_EXPECT(vma_check(&s, &h) == NULL);
		HT_EXPECT(h <= avl_height_bound(MANY / 2));
		/* Fill every free page: the areas merge into one; the tree stays right. */
		for (uintptr_t va = many_start(0); va < many_start(MANY); va += PG) {
			if (vma_range_free(&s, va, va + PG))
				map(&s, va, va + PG, 1, KIND_A);
		}
		HT_EXPECT(vma_check(&s, NULL) == NULL);
		HT_EXPECT_EQ(s.count, 1);
		HT_EXPECT(vma_range_covered(&s, many_start(0), many_start(MANY)));
	}
	clear(&s);
	HT_EXPECT_EQ(live_nodes, 0);
}
