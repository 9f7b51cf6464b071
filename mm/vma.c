/*
 * vma: the interval logic of user address spaces over a sorted list and an augmented AVL
 * tree of the same areas (contracts, cost and the no-allocation design in include/mm/vma.h).
 * Pure: no page tables, no allocator, no x86 or sched header; the host tests
 * (tests/host/test_vma.c) and the fuzzer (tests/fuzz/fuzz_vma.c) run it under ASan/UBSan.
 *
 * The tree is keyed by start; since areas are disjoint, it is ordered by end too, so a
 * search for "the first area ending after x" descends it directly. Each node caches, for its
 * subtree, its height, the largest gap (free bytes between an area and the one before it)
 * and the OR of the flags. Every change walks from the changed node to the root recomputing
 * these (tree_fixup), rotating where a node has become unbalanced; that walk is O(log n).
 * The list is kept beside the tree: the previous and next areas are O(1), and callers walk
 * the areas of a range with it.
 */
#include "mm/vma.h"

#include "lib/compiler.h"

#ifdef STRATA_HOST
unsigned long vma_nodes_visited;
#define VISIT() (vma_nodes_visited++)
#else
#define VISIT() ((void)0)
#endif

/* ---- tree primitives -------------------------------------------------------------------- */

static uint32_t height_of(const struct vm_area *a)
{
	return a ? a->node.height : 0;
}

static uintptr_t max_gap_of(const struct vm_area *a)
{
	return a ? a->node.max_gap : 0;
}

static uint32_t flags_or_of(const struct vm_area *a)
{
	return a ? a->node.flags_or : 0;
}

/* Recompute @a's cached height, max_gap and flags_or from its own fields and its children. */
static void recompute(struct vm_area *a)
{
	const struct vm_area *l = a->node.left, *r = a->node.right;

	a->node.height = 1 + MAX(height_of(l), height_of(r));
	a->node.max_gap = MAX(a->node.gap, MAX(max_gap_of(l), max_gap_of(r)));
	a->node.flags_or = a->flags | flags_or_of(l) | flags_or_of(r);
}

/* Make @parent (NULL: the root of @s) point at @new where it pointed at @old. */
static void replace_child(struct vma_set *s, struct vm_area *parent, struct vm_area *old,
                          struct vm_area *new)
{
	if (!parent)
		s->root = new;
	else if (parent->node.left == old)
		parent->node.left = new;
	else
		parent->node.right = new;
	if (new)
		new->node.parent = parent;
}

/* Rotate @x down to the left (its right child takes its place). Returns the new top. */
static struct vm_area *rotate_left(struct vma_set *s, struct vm_area *x)
{
	struct vm_area *y = x->node.right;

	x->node.right = y->node.left;
	if (y->node.left)
		y->node.left->node.parent = x;
	replace_child(s, x->node.parent, x, y);
	y->node.left = x;
	x->node.parent = y;
	recompute(x);
	recompute(y);
	return y;
}

/* Rotate @x down to the right (its left child takes its place). Returns the new top. */
static struct vm_area *rotate_right(struct vma_set *s, struct vm_area *x)
{
	struct vm_area *y = x->node.left;

	x->node.left = y->node.right;
	if (y->node.right)
		y->node.right->node.parent = x;
	replace_child(s, x->node.parent, x, y);
	y->node.right = x;
	x->node.parent = y;
	recompute(x);
	recompute(y);
	return y;
}

/*
 * From @a (may be NULL) up to the root: recompute each node's cached fields and rotate where
 * the heights of its children differ by 2 (after one insertion or removal below, never more).
 */
static void tree_fixup(struct vma_set *s, struct vm_area *a)
{
	while (a) {
		uint32_t hl = height_of(a->node.left), hr = height_of(a->node.right);

		if (hl > hr + 1) {
			struct vm_area *l = a->node.left;
			if (height_of(l->node.right) > height_of(l->node.left))
				rotate_left(s, l);
			a = rotate_right(s, a);
		} else if (hr > hl + 1) {
			struct vm_area *r = a->node.right;
			if (height_of(r->node.left) > height_of(r->node.right))
				rotate_right(s, r);
			a = rotate_left(s, a);
		} else {
			recompute(a);
		}
		a = a->node.parent;
	}
}

/* Link @a into the tree as a leaf (its start overlaps no area). Returns the area after it. */
static struct vm_area *tree_link(struct vma_set *s, struct vm_area *a)
{
	struct vm_area *parent = NULL, *succ = NULL, **slot = &s->root;

	while (*slot) {
		parent = *slot;
		VISIT();
		if (a->start < parent->start) {
			succ = parent;
			slot = &parent->node.left;
		} else {
			slot = &parent->node.right;
		}
	}
	a->node.parent = parent;
	a->node.left = a->node.right = NULL;
	*slot = a;
	return succ;
}

/* Take @z out of the tree and rebalance; its list link is untouched. */
static void tree_erase(struct vma_set *s, struct vm_area *z)
{
	struct vm_area *fix;

	if (!z->node.left || !z->node.right) {
		fix = z->node.parent;
		replace_child(s, fix, z, z->node.left ? z->node.left : z->node.right);
	} else {
		struct vm_area *y = z->node.right; /* the successor takes z's place */

		while (y->node.left)
			y = y->node.left;
		if (y->node.parent == z) {
			fix = y;
		} else {
			fix = y->node.parent;
			fix->node.left = y->node.right;
			if (y->node.right)
				y->node.right->node.parent = fix;
			y->node.right = z->node.right;
			z->node.right->node.parent = y;
		}
		y->node.left = z->node.left;
		z->node.left->node.parent = y;
		replace_child(s, z->node.parent, z, y);
	}
	tree_fixup(s, fix);
}

/* Set @a's gap from the area before it and refresh the cached fields above it. */
static void update_gap(struct vma_set *s, struct vm_area *a)
{
	struct vm_area *prev = vma_prev(s, a);

	a->node.gap = a->start - (prev ? prev->end : 0);
	for (struct vm_area *p = a; p; p = p->node.parent)
		recompute(p);
}

/*
 * Small sets are a list only (a process has a dozen areas: walking them beats keeping a tree
 * balanced); the tree is built when a set reaches VMA_TREE_MIN areas and dropped when it
 * falls below VMA_TREE_MIN / 2, so a set near the threshold does not rebuild on every change.
 */
#define VMA_TREE_MIN 16u

/* Build a balanced subtree of the @n areas from *@cur on (list order); *@cur moves past them. */
static struct vm_area *tree_build_n(struct vma_set *s, struct list_head **cur, uint32_t n,
                                    struct vm_area *parent)
{
	if (n == 0)
		return NULL;
	struct vm_area *left = tree_build_n(s, cur, n / 2, NULL);
	struct vm_area *a = list_entry(*cur, struct vm_area, link);

	*cur = (*cur)->next;
	a->node.parent = parent;
	a->node.left = left;
	if (left)
		left->node.parent = a;
	a->node.right = tree_build_n(s, cur, n - n / 2 - 1, a);
	recompute(a);
	return a;
}

/* Make the tree of @s from its list: O(n), perfectly balanced. */
static void tree_build(struct vma_set *s)
{
	struct list_head *cur = s->head.next;
	uintptr_t prev_end = 0;
	struct vm_area *a;

	list_for_each_entry(a, &s->head, link)
	{
		a->node.gap = a->start - prev_end;
		prev_end = a->end;
	}
	s->root = tree_build_n(s, &cur, s->count, NULL);
}

/* ---- queries ---------------------------------------------------------------------------- */

void vma_set_init(struct vma_set *s)
{
	list_init(&s->head);
	s->count = 0;
	s->root = NULL;
}

void vma_set_clear(struct vma_set *s, struct list_head *out)
{
	if (!list_empty(&s->head)) {
		struct list_head *first = s->head.next, *last = s->head.prev;

		list_join(out->prev, first);
		list_join(last, out);
	}
	vma_set_init(s);
}

struct vm_area *vma_find_from(const struct vma_set *s, uintptr_t addr)
{
	struct vm_area *a = s->root, *best = NULL;

	if (!a) { /* list mode */
		list_for_each_entry(a, &s->head, link)
		{
			VISIT();
			if (a->end > addr)
				return a;
		}
		return NULL;
	}

	while (a) {
		VISIT();
		if (a->end > addr) {
			best = a;
			a = a->node.left;
		} else {
			a = a->node.right;
		}
	}
	return best;
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

struct vm_area *vma_prev(const struct vma_set *s, const struct vm_area *a)
{
	return a->link.prev == &s->head ? NULL : list_entry(a->link.prev, struct vm_area, link);
}

bool vma_range_free(const struct vma_set *s, uintptr_t start, uintptr_t end)
{
	struct vm_area *a = vma_find_from(s, start);

	return !a || a->start >= end;
}

/* The largest gap of the areas whose start lies in (@lo, @hi]. O(log n). */
static uintptr_t max_gap_between(const struct vma_set *s, uintptr_t lo, uintptr_t hi)
{
	struct vm_area *a = s->root, *x;
	uintptr_t m;

	while (a && (a->start <= lo || a->start > hi)) { /* the top of the range's subtree */
		VISIT();
		a = a->start <= lo ? a->node.right : a->node.left;
	}
	if (!a)
		return 0;
	m = a->node.gap;
	for (x = a->node.left; x;) { /* its left side: everything above lo */
		VISIT();
		if (x->start > lo) {
			m = MAX(m, MAX(x->node.gap, max_gap_of(x->node.right)));
			x = x->node.left;
		} else {
			x = x->node.right;
		}
	}
	for (x = a->node.right; x;) { /* its right side: everything up to hi */
		VISIT();
		if (x->start <= hi) {
			m = MAX(m, MAX(x->node.gap, max_gap_of(x->node.left)));
			x = x->node.right;
		} else {
			x = x->node.left;
		}
	}
	return m;
}

bool vma_range_covered(const struct vma_set *s, uintptr_t start, uintptr_t end)
{
	if (!s->root) { /* list mode: walk the areas from start */
		uintptr_t covered = start;

		for (struct vm_area *a = vma_find_from(s, start); a && covered < end;
		     a = vma_next(s, a)) {
			if (a->start > covered)
				return false; /* a hole before this area */
			covered = a->end;
		}
		return covered >= end;
	}
	struct vm_area *first = vma_find(s, start), *last = vma_find(s, end - 1);

	/* Both ends inside areas, and no area in between with free room below it. */
	return first && last && max_gap_between(s, first->start, last->start) == 0;
}

/* ---- changes ---------------------------------------------------------------------------- */

void vma_insert(struct vma_set *s, struct vm_area *na)
{
	struct vm_area *succ, *prev;

	if (!s->root) { /* list mode: before the first area ending after na->start */
		succ = vma_find_from(s, na->start);
		list_add_tail(&na->link, succ ? &succ->link : &s->head);
		if (++s->count >= VMA_TREE_MIN)
			tree_build(s);
		return;
	}

	succ = tree_link(s, na);
	/* Disjoint: the area after na in the tree is the first one ending after na->start. */
	list_add_tail(&na->link, succ ? &succ->link : &s->head);
	prev = vma_prev(s, na);
	na->node.gap = na->start - (prev ? prev->end : 0);
	if (succ) /* an ancestor of the new leaf: tree_fixup recomputes it */
		succ->node.gap = succ->start - na->end;
	recompute(na);
	tree_fixup(s, na->node.parent);
	s->count++;
}

void vma_set_flags(struct vma_set *s, struct vm_area *a, uint32_t flags)
{
	a->flags = flags;
	if (s->root)
		for (struct vm_area *p = a; p; p = p->node.parent)
			recompute(p);
}

/* Take @a out of @s onto the tail of @out, keeping the gap of the area after it right. */
static void area_remove(struct vma_set *s, struct vm_area *a, struct list_head *out)
{
	struct vm_area *succ = vma_next(s, a);

	if (!s->root) { /* list mode */
		list_move_tail(&a->link, out);
		s->count--;
		return;
	}
	tree_erase(s, a);
	list_move_tail(&a->link, out);
	s->count--;
	if (s->count < VMA_TREE_MIN / 2)
		s->root = NULL; /* back to list mode; the node fields are rebuilt with the tree */
	else if (succ)
		update_gap(s, succ);
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
	a->end = addr; /* a's gap and the order are unchanged; hi goes right after it */
	vma_insert(s, hi);
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
			area_remove(s, a, out);
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
	if (vma_prev(s, a)) /* the neighbour below may absorb the first one */
		a = vma_prev(s, a);
	while ((n = vma_next(s, a)) != NULL && a->start <= end) {
		if (mergeable(a, n)) {
			/* a takes n's end first, so n's successor finds its gap unchanged. */
			a->end = n->end;
			area_remove(s, n, out);
			merged++;
		} else {
			a = n;
		}
	}
	return merged;
}

/* ---- top-down placement ----------------------------------------------------------------- */

/* The last area starting below @key with a gap of at least @len, or NULL. O(log n). */
static struct vm_area *last_gap_below(const struct vma_set *s, uintptr_t key, uintptr_t len)
{
	struct vm_area *a = s->root, *cand = NULL;

	/* Along the search path for key, each node below key and its left subtree lie under
	 * everything met later; remember the last such node with a fit in it or its left. */
	while (a) {
		VISIT();
		if (a->start < key) {
			if (a->node.gap >= len || max_gap_of(a->node.left) >= len)
				cand = a;
			a = a->node.right;
		} else {
			a = a->node.left;
		}
	}
	if (!cand || cand->node.gap >= len)
		return cand;
	for (a = cand->node.left;;) { /* the highest fit in its left subtree: one exists */
		VISIT();
		if (max_gap_of(a->node.right) >= len)
			a = a->node.right;
		else if (a->node.gap >= len)
			return a;
		else
			a = a->node.left;
	}
}

/* The first area starting above @key with one of @flags, or NULL. O(log n). */
static struct vm_area *first_flagged_above(const struct vma_set *s, uintptr_t key, uint32_t flags)
{
	struct vm_area *a = s->root, *cand = NULL;

	while (a) { /* the mirror of last_gap_below */
		VISIT();
		if (a->start > key) {
			if ((a->flags & flags) || (flags_or_of(a->node.right) & flags))
				cand = a;
			a = a->node.left;
		} else {
			a = a->node.right;
		}
	}
	if (!cand || (cand->flags & flags))
		return cand;
	for (a = cand->node.right;;) {
		VISIT();
		if (flags_or_of(a->node.left) & flags)
			a = a->node.left;
		else if (a->flags & flags)
			return a;
		else
			a = a->node.right;
	}
}

/*
 * The highest start with [start, start + len) between @lo and @top and clear of every area
 * (guard gaps not considered), or 0. @lo < @top and @top - @lo >= @len.
 */
static uintptr_t highest_fit(const struct vma_set *s, uintptr_t len, uintptr_t lo, uintptr_t top)
{
	struct vm_area *above = vma_find_from(s, top), *below, *a;
	uintptr_t wtop, wbot;

	/* The window reaching top: between the area ending at or under top and the next. */
	if (above)
		below = vma_prev(s, above);
	else
		below =
		    list_empty(&s->head) ? NULL : list_last_entry(&s->head, struct vm_area, link);
	wtop = above ? MIN(top, above->start) : top;
	wbot = MAX(below ? below->end : 0, lo);
	if (wtop > wbot && wtop - wbot >= len)
		return wtop - len;
	/* The windows wholly under it: the highest one large enough, if lo leaves it room. */
	a = last_gap_below(s, above ? above->start : UINTPTR_MAX, len);
	if (!a || a->start < lo || a->start - lo < len)
		return 0;
	return a->start - len;
}

uintptr_t vma_find_free(const struct vma_set *s, size_t len, uintptr_t lo, uintptr_t hi,
                        uint32_t gap_flags, uintptr_t gap)
{
	uintptr_t top = hi, start;
	const struct vm_area *guarded;

	if (!len || hi < lo || len > hi - lo)
		return 0;
	if (!s->root) { /* list mode: windows top-down between the areas */
		for (struct list_head *l = s->head.prev; l != &s->head; l = l->prev) {
			const struct vm_area *a = list_entry(l, struct vm_area, link);
			uintptr_t floor;

			VISIT();
			if (a->end <= top && top - a->end >= len && top - len >= lo)
				return top - len; /* [a->end, top) is free and large enough */
			floor = !(a->flags & gap_flags) ? a->start
			        : a->start >= gap       ? a->start - gap
			                                : 0;
			top = MIN(top, floor);
			if (top < lo || top - lo < len)
				return 0; /* every window further down is lower still */
		}
		return top - len;
	}
	for (;;) {
		start = highest_fit(s, len, lo, top);
		if (!start || !gap_flags || !gap)
			return start;
		/* Only the first guarded area above the range can reach down into it: the range is
		 * clear of areas, so that area starts at or above start + len. */
		guarded = first_flagged_above(s, start, gap_flags);
		if (!guarded || (guarded->start >= gap && guarded->start - gap >= start + len))
			return start;
		/* Every start from here up to top meets that gap: look under it. Each round passes
		 * one more guarded area, so there are at most 1 + (their number) rounds. */
		top = guarded->start >= gap ? guarded->start - gap : 0;
		if (top < lo || top - lo < len)
			return 0;
	}
}

/* ---- checking --------------------------------------------------------------------------- */

#define CHECK_MAX_DEPTH 64 /* far above any AVL tree's height: deeper means a cycle */

struct check_walk {
	const struct vma_set *s;
	const struct list_head *cursor; /* the list node matched by the last tree node */
	uint32_t nodes;                 /* tree nodes seen */
	const char *err;                /* the first problem, or NULL */
};

/* Record @msg as the problem found (the first one stays). Returns 0, a height to give up with. */
static uint32_t check_fail(struct check_walk *w, const char *msg)
{
	if (!w->err)
		w->err = msg;
	return 0;
}

/* Check the subtree @a (whose parent must be @parent) in order against the list; returns
 * its height (0 after setting w->err). */
static uint32_t check_subtree(struct check_walk *w, const struct vm_area *a,
                              const struct vm_area *parent, unsigned depth)
{
	const struct vm_area *prev;
	uint32_t hl, hr;

	if (!a || w->err)
		return 0;
	if (depth > CHECK_MAX_DEPTH)
		return check_fail(w, "vma: tree deeper than any balanced tree (a cycle?)");
	if (a->node.parent != parent)
		return check_fail(w, "vma: a tree node's parent link is wrong");
	hl = check_subtree(w, a->node.left, a, depth + 1);
	if (w->err)
		return 0;
	w->cursor = w->cursor->next;
	if (w->cursor != &a->link)
		return check_fail(w, "vma: tree order and list order differ");
	if (++w->nodes > w->s->count)
		return check_fail(w, "vma: more tree nodes than the count");
	hr = check_subtree(w, a->node.right, a, depth + 1);
	if (w->err)
		return 0;
	if (hl > hr + 1 || hr > hl + 1)
		return check_fail(w, "vma: tree out of balance");
	if (a->node.height != 1 + MAX(hl, hr))
		return check_fail(w, "vma: a cached height is wrong");
	prev = vma_prev(w->s, a);
	if (a->node.gap != a->start - (prev ? prev->end : 0))
		return check_fail(w, "vma: a cached gap is wrong");
	if (a->node.max_gap !=
	    MAX(a->node.gap, MAX(max_gap_of(a->node.left), max_gap_of(a->node.right))))
		return check_fail(w, "vma: a cached max_gap is wrong");
	if (a->node.flags_or != (a->flags | flags_or_of(a->node.left) | flags_or_of(a->node.right)))
		return check_fail(w, "vma: a cached flags_or is wrong");
	return a->node.height;
}

const char *vma_check(const struct vma_set *s, uint32_t *height)
{
	const struct list_head *l;
	const struct vm_area *a, *prev = NULL;
	uint32_t n = 0, h;
	struct check_walk w = { s, &s->head, 0, NULL };

	if (s->head.next->prev != &s->head)
		return "vma: the list's links disagree";
	for (l = s->head.next; l != &s->head; l = l->next) {
		if (l->next->prev != l)
			return "vma: the list's links disagree";
		if (++n > s->count)
			return "vma: more areas on the list than the count";
		a = list_entry(l, struct vm_area, link);
		if (a->start >= a->end)
			return "vma: an empty area";
		if (prev && prev->end > a->start)
			return "vma: areas out of order or overlapping";
		prev = a;
	}
	if (n != s->count)
		return "vma: fewer areas on the list than the count";
	if (!s->root) { /* list mode */
		if (s->count >= VMA_TREE_MIN)
			return "vma: no tree at VMA_TREE_MIN areas or more";
		if (height)
			*height = 0;
		return NULL;
	}
	if (s->count < VMA_TREE_MIN / 2)
		return "vma: a tree below VMA_TREE_MIN / 2 areas";
	h = check_subtree(&w, s->root, NULL, 0);
	if (w.err)
		return w.err;
	if (w.nodes != s->count)
		return "vma: fewer tree nodes than the count";
	if (height)
		*height = h;
	return NULL;
}
