/*
 * Buddy allocator benchmarks (guest instructions under `qemu -icount shift=0`; make bench):
 *   order0_hot          order-0 alloc+free pair that needs no split or merge (budget 200)
 *   order0_hot_api      the same through alloc_pages/free_pages (interrupt masking, caller)
 *   orderK_pair         alloc+free of order K from the booted state (splits and merges)
 *   alloc_n_free_n      1024 order-0 allocations then 1024 frees, per alloc+free
 *   init_per_frame      mm_init's instructions per frame of memory (budget 1)
 * Split and merge, two definitions of "the cost of one step" (both reported):
 *   split_merge_step    the marginal cost (budget 25): an order-0 pair is timed when the
 *                       smallest free block of the zone has order A and its buddy is held
 *                       (A splits + A merges), and again with order A - K (K = 6); then
 *                       (pair(A) - pair(A - K)) / 2K, rounded to nearest. Both setups take
 *                       the only block of their order (its list empties), and both merges
 *                       stop at the held buddy, so everything but the K extra steps of each
 *                       kind cancels. It is the mean of a split step and a merge step, each
 *                       in its costlier case (every merged buddy empties its list).
 *                       split_merge_pair_a / _b and split_merge_levels_a / _b are the parts.
 *   split_merge_vs_hot  the older figure: only blocks of the zone's largest order M are left
 *                       (M splits + M merges), (pair(M) - order0_hot) / 2M. It also charges
 *                       the steps with the fixed cost of leaving the order-0 fast paths (the
 *                       out-of-line split and merge functions, the list head updates), so it
 *                       is the per-step price of a deep pair, not of one more level.
 *                       split_merge_levels is its M. No budget.
 */
#include "kernel/kbench.h"
#include "mm/page_list.h"
#include "mm/phys.h"

#define HOT_LOOPS 1000u
#define BATCH     1024u

static uint32_t batch_pfns[BATCH];

static void release_all(struct buddy *b, struct page_list *h)
{
	struct page *pg;
	unsigned order;

	while ((pg = page_list_pop(h, &order)))
		buddy_free(b, buddy_page_pfn(b, pg), order);
}

/* Instructions per order-0 alloc+free pair of the loop, with @gfp. */
static uint64_t hot_pair(struct buddy *b, gfp_t gfp)
{
	uint64_t t = kbench_start();
	for (unsigned i = 0; i < HOT_LOOPS; i++) {
		struct page *pg = buddy_alloc(b, 0, gfp, 0);
		buddy_free(b, buddy_page_pfn(b, pg), 0);
	}
	return kbench_per_op(kbench_end(t), HOT_LOOPS);
}

KBENCH(buddy)
{
	struct buddy *b = mm_buddy();

	/* An order-0 free block whose buddy is allocated: alloc/free neither split nor merge. */
	struct page *x = buddy_alloc(b, 0, GFP_KERNEL, 0);
	struct page *y = buddy_alloc(b, 0, GFP_KERNEL, 0);
	buddy_free(b, buddy_page_pfn(b, x), 0);
	uint64_t hot = hot_pair(b, GFP_KERNEL);
	kbench_report("buddy", "order0_hot", hot, "insn/pair", 200);

	uint64_t t = kbench_start();
	for (unsigned i = 0; i < HOT_LOOPS; i++)
		free_pages(alloc_pages(0, GFP_KERNEL, 0), 0);
	kbench_report("buddy", "order0_hot_api", kbench_per_op(kbench_end(t), HOT_LOOPS),
	              "insn/pair", 0);
	buddy_free(b, buddy_page_pfn(b, y), 0);

	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		static const char *const names[] = { "order0_pair", "order1_pair",  "order2_pair",
			                             "order3_pair", "order4_pair",  "order5_pair",
			                             "order6_pair", "order7_pair",  "order8_pair",
			                             "order9_pair", "order10_pair", "order11_pair",
			                             "order12_pair" };
		t = kbench_start();
		unsigned done = 0;
		for (unsigned i = 0; i < HOT_LOOPS; i++) {
			struct page *pg = buddy_alloc(b, order, GFP_HIGHUSER, 0);
			if (!pg)
				break;
			buddy_free(b, buddy_page_pfn(b, pg), order);
			done++;
		}
		uint64_t cost = kbench_end(t);
		if (done)
			kbench_report("buddy", names[order], kbench_per_op(cost, done), "insn/pair",
			              0);
	}

	t = kbench_start();
	for (unsigned i = 0; i < BATCH; i++)
		batch_pfns[i] = buddy_page_pfn(b, buddy_alloc(b, 0, GFP_KERNEL, 0));
	for (unsigned i = 0; i < BATCH; i++)
		buddy_free(b, batch_pfns[i], 0);
	kbench_report("buddy", "alloc_n_free_n", kbench_per_op(kbench_end(t), BATCH), "insn/pair",
	              0);

	/* Split/merge, older figure: leave only blocks of the zone's largest order M, then a
	 * pair costs M splits and M merges more than the hot pair. */
	enum zone_id z = b->zones[ZONE_NORMAL].managed_pages ? ZONE_NORMAL : ZONE_DMA;
	const struct buddy_zone *zone = &b->zones[z];
	gfp_t gfp = z == ZONE_NORMAL ? GFP_KERNEL : GFP_DMA;
	unsigned top = BUDDY_MAX_ORDER;
	while (top > 0 && !buddy_zone_has_free(zone, top))
		top--;
	struct page_list h;
	page_list_init(&h);
	for (unsigned o = 0; o < top; o++)
		while (buddy_zone_has_free(zone, o))
			page_list_push(&h, buddy_alloc(b, o, gfp, 0), o);
	uint64_t deep = hot_pair(b, gfp);
	kbench_report("buddy", "split_merge_levels", top, "steps", 0);
	kbench_report("buddy", "split_merge_vs_hot", top ? (deep - hot) / (2 * top) : 0,
	              "insn/step", 0);

	/* Marginal figure: hold all top blocks but one, then split that one by holding an
	 * order-A block (A = M - 1): the smallest free block is its order-A buddy. Then hold
	 * an order-(A - K) block from that buddy: the smallest free block has order A - K. */
	const unsigned k_levels = 6;
	if (top > k_levels + 1) {
		unsigned a = top - 1;
		while (buddy_zone_nr_free(zone, top) > 1)
			page_list_push(&h, buddy_alloc(b, top, gfp, 0), top);
		page_list_push(&h, buddy_alloc(b, a, gfp, 0), a);
		uint64_t pair_a = hot_pair(b, gfp);
		page_list_push(&h, buddy_alloc(b, a - k_levels, gfp, 0), a - k_levels);
		uint64_t pair_b = hot_pair(b, gfp);
		kbench_report("buddy", "split_merge_levels_a", a, "steps", 0);
		kbench_report("buddy", "split_merge_levels_b", a - k_levels, "steps", 0);
		kbench_report("buddy", "split_merge_pair_a", pair_a, "insn/pair", 0);
		kbench_report("buddy", "split_merge_pair_b", pair_b, "insn/pair", 0);
		/* rounded to nearest: truncating would flatter the figure by up to one */
		kbench_report("buddy", "split_merge_step",
		              pair_a > pair_b ? (pair_a - pair_b + k_levels) / (2 * k_levels) : 0,
		              "insn/step", 25);
	}
	release_all(b, &h);

	uint32_t frames = b->nframes;
	kbench_report("mm", "init_total", mm_init_tsc, "insn", 0);
	kbench_report("mm", "init_frames", frames, "frames", 0);
	kbench_report("mm", "init_per_frame_x100", mm_init_tsc * 100 / frames, "insn/100frames",
	              100);
}
