/*
 * Guest tests of accounting owners (include/sched/owner.h) and page references
 * (include/mm/page.h): owner ids are not tids and are wider than 16 bits; an owner shared by
 * two tasks outlives the first; a page block with an extra reference survives its owner's
 * release, handed to the kernel, and is freed (free memory back exactly) by the last
 * put_page; and after every release nothing stays charged (the ledger check in owner_put
 * panics otherwise; the recounts here say so too).
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/page.h"
#include "mm/phys.h"
#include "mm/slab.h"
#include "sched/owner.h"
#include "sched/stress.h"
#include "sched/task.h"

/* What a test task saw while it ran, and when to let it end. */
struct probe {
	volatile bool ready, release;
	uint32_t owner_id;      /* kmem_current_owner() inside the task */
	uint32_t page_owner_id; /* mm_current_owner() inside the task */
	struct page *page;      /* an order-0 block it allocated (charged to its owner) */
	void *obj;              /* a slab object it allocated */
	bool extra_ref;         /* take a second reference on the page (as COW would) */
};

/* Allocate a page and an object, record the owner ids, signal, wait for the release. */
static void prober(void *arg)
{
	struct probe *p = arg;
	struct mm_error err;

	p->owner_id = kmem_current_owner();
	p->page_owner_id = mm_current_owner();
	p->page = alloc_pages(0, GFP_KERNEL, &err);
	p->obj = kmalloc(128, KM_NORMAL); /* a class size: charged as asked, debug or not */
	if (p->page && p->extra_ref)
		get_page(p->page);
	p->ready = true;
	while (!p->release)
		task_yield();
}

static void wait_ready(struct probe *p)
{
	while (!p->ready)
		task_yield();
}

KTEST(owner, ids_are_not_tids_and_wider_than_16_bits)
{
	struct probe a = { 0 }, b = { 0 };
	int ta = task_create(prober, &a, "owner-a");
	int tb = task_create(prober, &b, "owner-b");

	KASSERT(t, ta > 0 && tb > 0);
	wait_ready(&a);
	wait_ready(&b);
	struct owner *oa = task_lookup(ta)->owner, *ob = task_lookup(tb)->owner;
	KASSERT(t, oa && ob && oa != ob);
	KEXPECT(t, oa->id >= OWNER_ID_FIRST && oa->id > 0xFFFFu);
	KEXPECT(t, ob->id >= OWNER_ID_FIRST && ob->id > 0xFFFFu);
	KEXPECT(t, oa->id != (uint32_t)ta && ob->id != (uint32_t)tb);
	KEXPECT(t, oa->id != ob->id);
	KEXPECT_EQ(t, a.owner_id, oa->id);      /* the slab layer charges the wide id */
	KEXPECT_EQ(t, a.page_owner_id, oa->id); /* and so does the page allocator */
	KEXPECT_EQ(t, oa->page_count, 1);
	KEXPECT_EQ(t, kmem_owner_usage(oa->id), kmalloc_size(a.obj));
	KEXPECT_EQ(t, kmem_owner_usage(oa->id & 0xFFFFu), 0); /* no 16-bit alias */
	KEXPECT(t, a.page && a.page->owner == oa->id);
	uint32_t ida = oa->id;
	a.release = b.release = true;
	KEXPECT_EQ(t, task_wait(ta, 0), 0);
	KEXPECT_EQ(t, task_wait(tb, 0), 0);
	KEXPECT(t, owner_lookup(ida) == NULL);
	KEXPECT_EQ(t, kmem_owner_usage(ida), 0);
}

KTEST(owner, page_with_extra_reference_survives_release_until_last_put)
{
	uint64_t free0, objs0, free1, objs1, free2, objs2;
	struct probe p = { .extra_ref = true };

	stress_snapshot(&free0, &objs0);
	int tid = task_create(prober, &p, "owner-cow");
	KASSERT(t, tid > 0);
	wait_ready(&p);
	KASSERT(t, p.page != NULL && p.obj != NULL);
	uint32_t id = task_lookup(tid)->owner->id;
	KEXPECT_EQ(t, page_ref_count(p.page), 2);
	p.release = true;
	KEXPECT_EQ(t, task_wait(tid, 0), 0);

	/* Released: the object is freed, the page lives on with one reference, the kernel's. */
	KEXPECT(t, owner_lookup(id) == NULL);
	KEXPECT_EQ(t, kmem_owner_usage(id), 0);
	KEXPECT_EQ(t, page_ref_count(p.page), 1);
	KEXPECT_EQ(t, p.page->owner, PAGE_OWNER_KERNEL);
	memset(page_address(p.page), 0x5a, PAGE_SIZE); /* still ours to use */
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0 - PAGE_SIZE);
	KEXPECT_EQ(t, objs1, objs0);

	/* The last put frees it: free memory is back exactly. */
	KEXPECT(t, put_page(p.page));
	stress_snapshot(&free2, &objs2);
	KEXPECT_EQ(t, free2, free0);
	KEXPECT_EQ(t, objs2, objs0);
}

KTEST(owner, shared_owner_outlives_its_first_task)
{
	uint64_t free0, objs0, free1, objs1;
	struct probe a = { 0 }, b = { 0 };

	stress_snapshot(&free0, &objs0);
	int ta = task_create(prober, &a, "owner-lead");
	KASSERT(t, ta > 0);
	wait_ready(&a);
	int tb = task_create_shared(prober, &b, "owner-thread", ta);
	KASSERT(t, tb > 0);
	wait_ready(&b);
	struct owner *o = task_lookup(ta)->owner;
	uint32_t id = o->id;
	KEXPECT(t, task_lookup(tb)->owner == o);
	KEXPECT_EQ(t, o->users, 2);
	KEXPECT_EQ(t, b.owner_id, id);
	KEXPECT_EQ(t, o->page_count, 2);

	a.release = true;
	KEXPECT_EQ(t, task_wait(ta, 0), 0);
	KEXPECT(t, owner_lookup(id) == o); /* the second task still charges it */
	KEXPECT_EQ(t, o->users, 1);
	KEXPECT_EQ(t, o->page_count, 2);
	KEXPECT_EQ(t, kmem_owner_usage(id), kmalloc_size(a.obj) + kmalloc_size(b.obj));

	b.release = true;
	KEXPECT_EQ(t, task_wait(tb, 0), 0);
	KEXPECT(t, owner_lookup(id) == NULL);
	KEXPECT_EQ(t, kmem_owner_usage(id), 0);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
	KEXPECT_EQ(t, task_create_shared(prober, &b, "owner-none", 0), -ESRCH);
}

/* Ids near the top of the range wrap to OWNER_ID_FIRST, never past 2^32 to 0 or a small id,
 * whatever slots are busy (the arithmetic is done in 64 bits). */
KTEST(owner, ids_wrap_past_the_maximum_to_the_first)
{
	struct owner *busy[8], *o;

	/* the last eight slots busy, then ids from 8 below 2^32, whose slot is the first busy */
	owner_id_seek(OWNER_ID_FIRST + OWNER_SLOTS - 8);
	for (unsigned i = 0; i < ARRAY_SIZE(busy); i++) {
		busy[i] = owner_create();
		KASSERT(t, busy[i] != NULL);
		KEXPECT_EQ(t, busy[i]->id % OWNER_SLOTS, OWNER_SLOTS - 8 + i);
	}
	owner_id_seek(0xFFFFFFF8u);
	o = owner_create();
	KASSERT(t, o != NULL);
	KEXPECT(t, o->id >= OWNER_ID_FIRST && o->id < OWNER_ID_FIRST + OWNER_SLOTS);
	KEXPECT(t, owner_lookup(o->id) == o);
	owner_put(o);
	for (unsigned i = 0; i < ARRAY_SIZE(busy); i++)
		owner_put(busy[i]);
	owner_id_seek(OWNER_ID_FIRST);
}
