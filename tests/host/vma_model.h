/*
 * vma_model: the reference model of tests/host/test_vma.c and tests/fuzz/fuzz_vma.c — a
 * per-page picture of a small address space (M_PAGES pages from M_BASE) kept beside a real
 * struct vma_set, the operations applied to both, and m_compare, which checks every query of
 * mm/vma.c against the picture and the set's own invariants. The includer defines
 * MODEL_EQ(a, b) and MODEL_OK(cond, msg) (how a mismatch is reported: a test failure, or an
 * abort for the fuzzer) before including it.
 */
#ifndef STRATA_TESTS_VMA_MODEL_H
#define STRATA_TESTS_VMA_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm/vma.h"

#define M_PAGES 96u       /* the model's range: pages [0, M_PAGES) from M_BASE */
#define M_BASE  0x100000u /* addresses outside the range are free */
#define M_PG    4096u
#define M_GUARD 0x8u /* the kind with a guard gap below it (a stack's VM_GROWSDOWN) */

/* Per page: the area holding it as page numbers [start, end) (start -1: free), its prot and
 * flags. Every page of an area carries the same four values. */
static struct {
	int start[M_PAGES], end[M_PAGES];
	uint32_t prot[M_PAGES], flags[M_PAGES];
} m;

static const uint32_t m_kinds[4] = { 0x1, 0x2, M_GUARD, 0x1 | M_GUARD };

static unsigned m_live; /* nodes allocated and not freed */

/* A node full of garbage (vma_insert must not trust its link or tree fields). */
static struct vm_area *m_node(void)
{
	struct vm_area *a = malloc(sizeof(*a));

	if (!a)
		abort();
	memset(a, 0xa5, sizeof(*a));
	m_live++;
	return a;
}

static void m_node_free(struct vm_area *a)
{
	if (a) {
		m_live--;
		free(a);
	}
}

static void m_free_list(struct list_head *l)
{
	while (!list_empty(l)) {
		struct vm_area *a = list_first_entry(l, struct vm_area, link);
		list_del(&a->link);
		m_node_free(a);
	}
}

static uintptr_t m_addr(int p)
{
	return M_BASE + (uintptr_t)p * M_PG;
}

/* The page holding @x, or -1 when it lies below the range, M_PAGES when above. */
static int m_page(uintptr_t x)
{
	if (x < M_BASE)
		return -1;
	if (x >= m_addr(M_PAGES))
		return M_PAGES;
	return (int)((x - M_BASE) / M_PG);
}

static void m_reset(void)
{
	for (unsigned p = 0; p < M_PAGES; p++)
		m.start[p] = -1;
}

/* Make pages [p0, p1) one area (or free ones when start is -1). */
static void m_set(int p0, int p1, int start, uint32_t prot, uint32_t flags)
{
	for (int p = p0; p < p1; p++) {
		m.start[p] = start;
		m.end[p] = p1;
		m.prot[p] = prot;
		m.flags[p] = flags;
	}
}

static bool m_pages_free(int p0, int p1)
{
	for (int p = p0; p < p1; p++)
		if (p >= 0 && p < (int)M_PAGES && m.start[p] >= 0)
			return false;
	return true;
}

struct m_area {
	int start, end;
	uint32_t prot, flags;
};

/* The model's areas in address order into @out (room for M_PAGES). Returns their number. */
static unsigned m_areas(struct m_area *out)
{
	unsigned n = 0;

	for (int p = 0; p < (int)M_PAGES;) {
		if (m.start[p] < 0) {
			p++;
			continue;
		}
		out[n++] = (struct m_area){ m.start[p], m.end[p], m.prot[p], m.flags[p] };
		p = m.end[p];
	}
	return n;
}

/* The set equals the model, area for area, and every invariant of vma_check holds. */
static void m_compare(const struct vma_set *s)
{
	struct m_area want[M_PAGES];
	unsigned n = m_areas(want), i = 0;
	const struct vm_area *a;
	const char *err = vma_check(s, NULL);

	MODEL_OK(err == NULL, err);
	if (err)
		return;
	MODEL_EQ(s->count, n);
	list_for_each_entry(a, &s->head, link)
	{
		if (i >= n)
			break;
		MODEL_EQ(a->start, m_addr(want[i].start));
		MODEL_EQ(a->end, m_addr(want[i].end));
		MODEL_EQ(a->prot, want[i].prot);
		MODEL_EQ(a->flags, want[i].flags);
		i++;
	}
}

/* The model's answers, each by brute force over pages. */
static bool m_inside(uintptr_t x) /* strictly inside an area */
{
	int p = m_page(x);

	return p >= 0 && p < (int)M_PAGES && m.start[p] >= 0 && m_addr(m.start[p]) != x;
}

/* The first page at or above @x's page that is in an area, or -1. */
static int m_find_from_page(uintptr_t x)
{
	for (int p = m_page(x) < 0 ? 0 : m_page(x); p < (int)M_PAGES; p++)
		if (m.start[p] >= 0)
			return p;
	return -1;
}

static bool m_range_free(uintptr_t a, uintptr_t b)
{
	return m_pages_free(m_page(a), m_page(b - 1) + 1);
}

static bool m_range_covered(uintptr_t a, uintptr_t b)
{
	int p0 = m_page(a), p1 = m_page(b - 1);

	if (p0 < 0 || p1 >= (int)M_PAGES)
		return false;
	for (int p = p0; p <= p1; p++)
		if (m.start[p] < 0)
			return false;
	return true;
}

static uintptr_t m_find_free(uintptr_t len, uintptr_t lo, uintptr_t hi, uint32_t gap_flags,
                             uintptr_t gap)
{
	struct m_area ar[M_PAGES];
	unsigned n = m_areas(ar);

	if (!len || hi < lo || len > hi - lo)
		return 0;
	for (uintptr_t s = hi - len;; s -= M_PG) {
		bool ok = m_range_free(s, s + len);

		for (unsigned i = 0; ok && i < n; i++) {
			uintptr_t st = m_addr(ar[i].start);
			if ((ar[i].flags & gap_flags) && gap && s < st &&
			    s + len > (st >= gap ? st - gap : 0))
				ok = false; /* in the guard gap below ar[i] */
		}
		if (ok)
			return s;
		if (s - lo < M_PG)
			return 0;
	}
}

/* Split the model's area strictly containing page @p at @p. */
static void m_split(int p)
{
	if (p < 0 || p >= (int)M_PAGES || m.start[p] < 0 || m.start[p] == p)
		return;
	int s0 = m.start[p], e0 = m.end[p];
	for (int q = s0; q < p; q++)
		m.end[q] = p;
	for (int q = p; q < e0; q++)
		m.start[q] = p;
}

/* vma_split_range with exactly the announced nodes, checked against the model. */
static void m_do_split(struct vma_set *s, int p0, int p1)
{
	struct vm_area *spares[2] = { NULL, NULL };
	unsigned need = (unsigned)m_inside(m_addr(p0)) + (unsigned)m_inside(m_addr(p1));

	MODEL_EQ(vma_splits_needed(s, m_addr(p0), m_addr(p1)), need);
	for (unsigned i = 0; i < need && i < 2; i++)
		spares[i] = m_node();
	vma_split_range(s, m_addr(p0), m_addr(p1), spares);
	MODEL_OK(spares[0] == NULL && spares[1] == NULL, "a spare node was not taken");
	m_node_free(spares[0]);
	m_node_free(spares[1]);
	m_split(p0);
	m_split(p1);
}

/* vma_detach_range, checked against the areas wholly inside [p0, p1) in the model. */
static void m_do_detach(struct vma_set *s, int p0, int p1)
{
	struct m_area ar[M_PAGES];
	unsigned n = m_areas(ar), want = 0, got;
	struct list_head gone;
	const struct vm_area *a;

	list_init(&gone);
	got = vma_detach_range(s, m_addr(p0), m_addr(p1), &gone);
	list_for_each_entry(a, &gone, link)
	{
		while (want < n && !(ar[want].start >= p0 && ar[want].end <= p1))
			want++;
		MODEL_OK(want < n, "detached an area not inside the range");
		if (want >= n)
			break;
		MODEL_EQ(a->start, m_addr(ar[want].start));
		MODEL_EQ(a->end, m_addr(ar[want].end));
		m_set(ar[want].start, ar[want].end, -1, 0, 0);
		want++;
		got--;
	}
	MODEL_EQ(got, 0);
	for (unsigned i = 0; i < n; i++) /* none left behind */
		if (ar[i].start >= p0 && ar[i].end <= p1)
			MODEL_OK(m.start[ar[i].start] < 0, "an area inside the range stayed");
	m_free_list(&gone);
}

/*
 * vma_merge_range over [p0, p1], checked against the documented walk done on an array: from
 * the area before the first one ending above p0, while the current area starts at or below
 * p1, absorb the next one when adjacent with equal prot and flags.
 */
static void m_do_merge(struct vma_set *s, int p0, int p1)
{
	struct m_area ar[M_PAGES], gone_want[M_PAGES];
	unsigned n = m_areas(ar), i = 0, ngone = 0, k = 0;
	struct list_head gone;
	const struct vm_area *a;

	while (i < n && m_addr(ar[i].end) <= m_addr(p0))
		i++;
	if (i > 0)
		i--;
	while (i < n && i + 1 < n && ar[i].start <= p1) {
		if (ar[i].end == ar[i + 1].start && ar[i].prot == ar[i + 1].prot &&
		    ar[i].flags == ar[i + 1].flags) {
			gone_want[ngone++] = ar[i + 1];
			ar[i].end = ar[i + 1].end;
			m_set(ar[i].start, ar[i].end, ar[i].start, ar[i].prot, ar[i].flags);
			for (unsigned j = i + 1; j + 1 < n; j++)
				ar[j] = ar[j + 1];
			n--;
		} else {
			i++;
		}
	}
	list_init(&gone);
	MODEL_EQ(vma_merge_range(s, m_addr(p0), m_addr(p1), &gone), ngone);
	list_for_each_entry(a, &gone, link)
	{
		if (k >= ngone)
			break;
		MODEL_EQ(a->start, m_addr(gone_want[k].start));
		MODEL_EQ(a->end, m_addr(gone_want[k].end));
		k++;
	}
	m_free_list(&gone);
}

/*
 * One operation, chosen and parameterised by the 8 bytes at @b, done on @s and the model and
 * compared; then the whole set is compared with the model.
 */
static void m_step(struct vma_set *s, const uint8_t *b)
{
	int p0 = b[1] % M_PAGES, p1 = p0 + 1 + b[2] % 24;
	uint32_t prot = b[3] % 4, flags = m_kinds[b[4] % 4];

	if (p1 > (int)M_PAGES)
		p1 = M_PAGES;
	switch (b[0] % 10) {
	case 0: { /* insert where free */
		bool free_ = m_pages_free(p0, p1);
		MODEL_EQ(vma_range_free(s, m_addr(p0), m_addr(p1)), free_);
		if (free_) {
			struct vm_area *a = m_node();
			a->start = m_addr(p0);
			a->end = m_addr(p1);
			a->prot = prot;
			a->flags = flags;
			vma_insert(s, a);
			m_set(p0, p1, p0, prot, flags);
		}
		break;
	}
	case 1:
		m_do_split(s, p0, p1);
		break;
	case 2:
		m_do_detach(s, p0, p1);
		break;
	case 3:
		m_do_merge(s, p0, p1);
		break;
	case 4: /* mprotect: split, change prot in place, merge */
		m_do_split(s, p0, p1);
		for (struct vm_area *a = vma_find_from(s, m_addr(p0)); a && a->start < m_addr(p1);
		     a = vma_next(s, a))
			a->prot = prot;
		for (int p = p0; p < p1; p++)
			m.prot[p] = prot;
		m_do_merge(s, p0, p1);
		break;
	case 5: { /* mmap MAP_FIXED: split, detach, insert, merge */
		struct vm_area *a;
		m_do_split(s, p0, p1);
		m_do_detach(s, p0, p1);
		a = m_node();
		a->start = m_addr(p0);
		a->end = m_addr(p1);
		a->prot = prot;
		a->flags = flags;
		vma_insert(s, a);
		m_set(p0, p1, p0, prot, flags);
		m_do_merge(s, p0, p1);
		break;
	}
	case 6:
	case 7: { /* queries at any byte address around the range */
		uintptr_t x = M_BASE - 4 * M_PG +
		              (((uintptr_t)b[1] << 8 | b[2]) * 7) % ((M_PAGES + 8) * M_PG);
		uintptr_t y = x + 1 + (((uintptr_t)b[3] << 8 | b[5]) * 3) % (24 * M_PG);
		const struct vm_area *f = vma_find(s, x), *ff = vma_find_from(s, x);
		int p = m_page(x), q = m_find_from_page(x);
		bool in = p >= 0 && p < (int)M_PAGES && m.start[p] >= 0;

		MODEL_OK(!in == !f, "vma_find: present or not");
		if (f && in)
			MODEL_EQ(f->start, m_addr(m.start[p]));
		MODEL_OK((q < 0) == !ff, "vma_find_from: present or not");
		if (ff && q >= 0) {
			MODEL_EQ(ff->start, m_addr(m.start[q]));
			MODEL_EQ(ff->end, m_addr(m.end[q]));
			MODEL_OK(!vma_prev(s, ff) || vma_prev(s, ff)->end <= x,
			         "vma_find_from: not first");
		}
		MODEL_EQ(vma_range_free(s, x, y), m_range_free(x, y));
		MODEL_EQ(vma_range_covered(s, x, y), m_range_covered(x, y));
		MODEL_EQ(vma_splits_needed(s, x, y), (unsigned)m_inside(x) + (unsigned)m_inside(y));
		break;
	}
	case 8: { /* top-down placement */
		static const uint32_t gap_kinds[4] = { 0, M_GUARD, 0x1 | M_GUARD, 0x2 };
		uintptr_t len = (1 + (uintptr_t)(b[1] % 12)) * M_PG;
		uintptr_t lo = M_BASE + (uintptr_t)(b[2] % (M_PAGES + 8)) * M_PG - 4 * M_PG;
		uintptr_t hi = M_BASE + (uintptr_t)(b[3] % (M_PAGES + 8)) * M_PG - 4 * M_PG;
		uint32_t gap_flags = gap_kinds[b[4] % 4];
		uintptr_t gap = (uintptr_t)(b[5] % 10) * M_PG;

		MODEL_EQ(vma_find_free(s, len, lo, hi, gap_flags, gap),
		         m_find_free(len, lo, hi, gap_flags, gap));
		break;
	}
	default: { /* fork's copy by assignment into a new set; sometimes a teardown */
		struct vma_set copy;
		struct list_head out;
		const struct vm_area *a;
		struct m_area ar[M_PAGES];
		unsigned n = m_areas(ar), i = 0;

		vma_set_init(&copy);
		list_for_each_entry(a, &s->head, link)
		{
			struct vm_area *na = m_node();
			*na = *a; /* stale links and tree fields from the source */
			vma_insert(&copy, na);
		}
		m_compare(&copy);
		list_init(&out);
		vma_set_clear((b[1] & 7) ? &copy : s, &out);
		list_for_each_entry(a, &out, link)
		{
			MODEL_OK(i < n && a->start == m_addr(ar[i].start), "vma_set_clear: order");
			i++;
		}
		MODEL_EQ(i, n);
		m_free_list(&out);
		if (!(b[1] & 7)) { /* s was torn down: the copy becomes it, rebuilt once more */
			MODEL_OK(list_empty(&s->head) && s->count == 0 && !s->root,
			         "cleared: not empty");
			while (!list_empty(&copy.head)) {
				struct vm_area *c =
				    list_first_entry(&copy.head, struct vm_area, link);
				struct list_head one;
				list_init(&one);
				vma_detach_range(&copy, c->start, c->end, &one);
				c = list_first_entry(&one, struct vm_area, link);
				list_del(&c->link);
				vma_insert(s, c);
			}
		}
		break;
	}
	}
	m_compare(s);
}

#endif
