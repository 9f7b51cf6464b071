/*
 * Guest tests of the overcommit policy on real spaces (include/mm/commit.h, include/mm/vm.h
 * Commitment): mode never refuses a mapping, a fork and a shared object past CommitLimit,
 * with the one refusal line, while a small mapping still fits and brk keeps the old break;
 * MAP_NORESERVE is charged in mode never only; mode always accepts what never refused; the
 * heuristic refuses one request larger than RAM. Free memory and the charge come back exactly.
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "mm/slab.h"
#include "mm/vm.h"
#include "sched/owner.h"

#define VA 0x40000000u

/* Free memory with the slab caches' empty slabs given back (a cache's first slab made during
 * the test is not a leak). */
static uint64_t free_now(void)
{
	struct mm_meminfo mi;

	kmem_shrink_all();
	mm_meminfo(&mi);
	return mi.free;
}

KTEST(commit, never_refuses_past_commitlimit_and_always_accepts)
{
	enum overcommit_mode mode0;
	uint32_t ratio0;
	vm_commit_get_policy(&mode0, &ratio0);
	struct owner *po = owner_create(), *co = owner_create();
	struct vm_space *parent = po ? vm_create(po->id) : NULL;
	struct vm_space *child = co ? vm_create(co->id) : NULL;

	KASSERT(t, parent != NULL && child != NULL);
	uint64_t free0 = free_now(), committed0 = vm_committed_pages();
	vm_commit_set_policy(OVERCOMMIT_ALWAYS, 100);
	uint64_t ram = vm_commit_limit_pages(); /* ratio 100: CommitLimit is RAM */
	uint32_t quarter = (uint32_t)(ram / 4);

	KASSERT_EQ(t, vm_map(parent, VA, quarter * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON), 0);
	KEXPECT_EQ(t, parent->committed, quarter);
	/* Mode never, CommitLimit 2-3% of RAM above what is committed now. */
	vm_commit_set_policy(OVERCOMMIT_NEVER, (uint32_t)(vm_committed_pages() * 100 / ram) + 3);
	uint32_t mark = printk_ring_mark();
	KEXPECT_EQ(t, vm_fork(child, parent), -ENOMEM); /* a quarter of RAM more: refused */
	KEXPECT(t, printk_ring_contains(mark, "kB refused:"));
	KEXPECT_EQ(t, vm_map(parent, 0x80000000u, PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON), 0);
	KEXPECT_EQ(t, vm_map(parent, 0x90000000u, quarter * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON),
	           -ENOMEM);
	KEXPECT_EQ(t,
	           vm_map(parent, 0x90000000u, quarter * PAGE_SIZE, VM_READ | VM_WRITE,
	                  VM_ANON | VM_NORESERVE),
	           -ENOMEM); /* mode never charges NORESERVE too */
	KEXPECT(t, vm_object_shared((uint64_t)quarter * PAGE_SIZE) == NULL);
	parent->brk_start = parent->brk = 0x70000000u;
	KEXPECT_EQ(t, vm_brk(parent, 0x70000000u + quarter * PAGE_SIZE), 0x70000000u); /* old */
	/* Mode always: the same requests go through; NORESERVE is not charged outside never. */
	vm_commit_set_policy(OVERCOMMIT_ALWAYS, ratio0);
	KEXPECT_EQ(t,
	           vm_map(parent, 0x90000000u, quarter * PAGE_SIZE, VM_READ | VM_WRITE,
	                  VM_ANON | VM_NORESERVE),
	           0);
	KEXPECT_EQ(t, parent->committed, quarter + 1);
	KEXPECT_EQ(t, vm_fork(child, parent), 0);
	vm_destroy(child);
	vm_destroy(parent);
	/* The heuristic: one request larger than RAM is refused, RAM itself is not (where the
	 * user half can hold such a request: not with 3 GiB of RAM). */
	vm_commit_set_policy(OVERCOMMIT_GUESS, ratio0);
	if ((ram + 1) * PAGE_SIZE < KERNEL_BASE - USER_BASE) {
		struct vm_space *h = vm_create(po->id);
		KASSERT(t, h != NULL);
		KEXPECT_EQ(t,
		           vm_map(h, USER_BASE, (uint32_t)(ram + 1) * PAGE_SIZE, VM_READ | VM_WRITE,
		                  VM_ANON),
		           -ENOMEM);
		KEXPECT_EQ(
		    t, vm_map(h, USER_BASE, (uint32_t)ram * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON),
		    0);
		vm_destroy(h);
	}
	vm_commit_set_policy(mode0, ratio0);
	KEXPECT_EQ(t, vm_committed_pages(), committed0);
	KEXPECT_EQ(t, owner_put(co), 0);
	KEXPECT_EQ(t, owner_put(po), 0);
	KEXPECT(t, free_now() >= free0); /* the spaces' own directories came back too */
}
