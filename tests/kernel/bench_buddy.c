/*
 * Buddy allocator benchmarks (guest instructions under `qemu -icount shift=0`; make bench):
 *   order0_hot          order-0 alloc+free pair that needs no split or merge (budget 200)
 *   order0_hot_api      the same through alloc_pages/free_pages (interrupt masking, caller)
 *   orderK_pair         alloc+free of order K from the booted state (splits and merges)
 *   split_merge_step    one split or merge step: (pair with M splits+M merges - hot) / 2M
 *                       (budget 25)
 *   alloc_n_free_n      1024 order-0 allocations then 1024 frees, per alloc+free
 *   init_per_frame      mm_init's instructions per frame of memory (budget 1)
 */
#include "kernel/kbench.h"
#include "mm/page_list.h"
#include "mm/phys.h"

#define HOT_LOOPS   1000u
#define BATCH       1024u

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
	kbench_report("buddy", "order0_hot_api", kbench_per_op(kbench_end(t), HOT_LOOPS), "insn/pair", 0);
	buddy_free(b, buddy_page_pfn(b, y), 0);

	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		static const char *const names[] = {
			"order0_pair", "order1_pair", "order2_pair", "order3_pair", "order4_pair",
			"order5_pair", "order6_pair", "order7_pair", "order8_pair", "order9_pair",
			"order10_pair", "order11_pair", "order12_pair" };
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
			kbench_report("buddy", names[order], kbench_per_op(cost, done), "insn/pair", 0);
	}

	t = kbench_start();
	for (unsigned i = 0; i < BATCH; i++)
		batch_pfns[i] = buddy_page_pfn(b, buddy_alloc(b, 0, GFP_KERNEL, 0));
	for (unsigned i = 0; i < BATCH; i++)
		buddy_free(b, batch_pfns[i], 0);
	kbench_report("buddy", "alloc_n_free_n", kbench_per_op(kbench_end(t), BATCH), "insn/pair", 0);

	/* Split/merge: leave only blocks of the zone's largest order M, then a pair costs M
	 * splits and M merges more than the hot pair. */
	enum zone_id z = b->zones[ZONE_NORMAL].managed_pages ? ZONE_NORMAL : ZONE_DMA;
	gfp_t gfp = z == ZONE_NORMAL ? GFP_KERNEL : GFP_DMA;
	unsigned top = BUDDY_MAX_ORDER;
	while (top > 0 && b->zones[z].nr_free[top] == 0)
		top--;
	struct page_list h;
	page_list_init(&h);
	for (unsigned o = 0; o < top; o++)
		while (b->zones[z].nr_free[o])
			page_list_push(&h, buddy_alloc(b, o, gfp, 0), o);
	uint64_t deep = hot_pair(b, gfp);
	release_all(b, &h);
	kbench_report("buddy", "split_merge_levels", top, "steps", 0);
	kbench_report("buddy", "split_merge_step", top ? (deep - hot) / (2 * top) : 0, "insn/step",
		      25);

	uint32_t frames = b->nframes;
	kbench_report("mm", "init_total", mm_init_tsc, "insn", 0);
	kbench_report("mm", "init_frames", frames, "frames", 0);
	kbench_report("mm", "init_per_frame_x100", mm_init_tsc * 100 / frames, "insn/100 frames",
		      100);
}
