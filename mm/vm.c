/*
 * vm: user address spaces — areas (over the pure interval logic of mm/vma.c), the fault
 * handler's cases (demand-zero, the zero page, copy-on-write, On-Demand-Fork's shared page
 * tables: the diagram is in include/mm/vm.h), brk, mmap placement, mprotect, mremap,
 * MADV_DONTNEED and teardown.
 *
 * The page-table layer (PTE values, sharing and copying tables, private and shared frames,
 * teardown) is mm/vm_pte.c, behind mm/vm_internal.h; this file keeps the areas, the
 * operations over them, the commitment and limits, and the fault handler's dispatch.
 *
 * Operations that change areas get their nodes first (vma_splits_needed + kzalloc), so an
 * -ENOMEM leaves the space as it was. Area metadata is KM_KERNEL: owned by the space, never
 * charged to whichever task happens to run (fork builds the child's space in the parent).
 */
#include "mm/vm.h"

#include "vm_internal.h"

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lib/printk.h"
#include "mm/commit.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "x86/cpu.h"
#include "x86/pageops.h"

/* Nodes a range operation may need: one split at each end. */
#define MAX_SPLITS 2u

/* The shared zero page (allocated by the first vm_create, never freed: that reference is
 * never dropped; each PTE mapping it holds one more, as for any frame) and its frame. */
static struct page *zero_page;
uint32_t vm_zero_pa;

struct vm_counters vm_counters;

/* ---- area nodes ------------------------------------------------------------------------ */

/* An area node, uninitialised: every user sets all of its fields (vm_map_backed and the
 * splits fill start, end, prot, flags and backing; vma_insert the list and tree links). */
static struct vm_area *area_alloc(void)
{
	return kmalloc(sizeof(struct vm_area), KM_KERNEL);
}

/* kfree every area on @list. */
static inline void free_area_list(struct list_head *list)
{
	struct vm_area *a, *n;

	list_for_each_entry_safe(a, n, list, link)
	{
		list_del(&a->link);
		vm_object_put(a->backing.obj);
		kfree(a);
	}
}

/* Get the nodes @vm needs to split at @start and @end into @spares. 0 or -ENOMEM. */
static int get_spares(struct vm_space *vm, uintptr_t start, uintptr_t end,
                      struct vm_area *spares[MAX_SPLITS])
{
	unsigned need = vma_splits_needed(&vm->areas, start, end);

	spares[0] = spares[1] = NULL;
	if (vm->areas.count + need > VM_MAX_AREAS)
		return -ENOMEM;
	for (unsigned i = 0; i < need; i++) {
		if (!(spares[i] = area_alloc())) {
			kfree(spares[0]);
			spares[0] = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * vma_split_range, then one more object reference for each node a split took (the new half
 * shares its area's backing).
 */
static void split_range(struct vm_space *vm, uintptr_t start, uintptr_t end,
                        struct vm_area *spares[MAX_SPLITS])
{
	struct vm_area *given[MAX_SPLITS] = { spares[0], spares[1] };

	vma_split_range(&vm->areas, start, end, spares);
	for (unsigned i = 0; i < MAX_SPLITS; i++)
		if (given[i] && !spares[i] && given[i]->backing.obj)
			vm_object_get(given[i]->backing.obj);
}

static void put_spares(struct vm_area *spares[MAX_SPLITS])
{
	kfree(spares[0]);
	kfree(spares[1]);
}

/* Merge around [@start, @end) and free the nodes merged away. */
static void merge_range(struct vm_space *vm, uintptr_t start, uintptr_t end)
{
	vm->fault_hint = NULL; /* the nodes merged away are freed */
	struct list_head gone;

	list_init(&gone);
	vma_merge_range(&vm->areas, start, end, &gone);
	free_area_list(&gone);
}

/* ---- commitment ------------------------------------------------------------------------ */

static struct commit_policy commit_policy = { OVERCOMMIT_GUESS, OVERCOMMIT_RATIO_DEFAULT, 0 };
static uint64_t commit_ram_pages; /* RAM the policy counts (set by vm_commit_init) */
static void (*commit_label)(int *pid, const char **comm);

void vm_commit_init(uint64_t ram_pages, uint64_t free_pages)
{
	commit_ram_pages = ram_pages;
	commit_policy.user_reserve_pages = commit_user_reserve(free_pages);
}

void vm_commit_set_policy(enum overcommit_mode mode, uint32_t ratio)
{
	commit_policy.mode = mode;
	commit_policy.ratio = ratio;
}

void vm_commit_get_policy(enum overcommit_mode *mode, uint32_t *ratio)
{
	*mode = commit_policy.mode;
	*ratio = commit_policy.ratio;
}

uint64_t vm_commit_limit_pages(void)
{
	return commit_limit(commit_ram_pages, commit_policy.ratio, 0);
}

uint64_t vm_committed_pages(void)
{
	struct vm_object_stats os;

	vm_object_get_stats(&os);
	return vm_counters.committed + os.committed;
}

void vm_commit_set_label(void (*label)(int *pid, const char **comm))
{
	commit_label = label;
}

/* The policy's verdict and the refusal line (commit_ok's slow path). */
static bool __attribute__((noinline)) commit_check_slow(uint64_t pages, const struct vm_space *vm)
{
	if (commit_policy.mode == OVERCOMMIT_ALWAYS || !pages || !commit_ram_pages)
		return true; /* (before vm_commit_init: the boot's own spaces) */
	uint64_t committed = commit_policy.mode == OVERCOMMIT_NEVER ? vm_committed_pages() : 0;
	uint64_t space =
	    (vm && commit_policy.mode == OVERCOMMIT_NEVER) ? vm_size_bytes(vm) >> PAGE_SHIFT : 0;
	if (commit_allowed(&commit_policy, pages, committed, commit_ram_pages, 0, space))
		return true;
	int pid = 0;
	const char *comm = "kernel";
	if (commit_label)
		commit_label(&pid, &comm);
	pr_info("mm: pid %d (%s): commit of %llu kB refused: %llu kB committed, limit %llu kB\n",
	        pid, comm, (unsigned long long)(pages << (PAGE_SHIFT - 10)),
	        (unsigned long long)(vm_committed_pages() << (PAGE_SHIFT - 10)),
	        (unsigned long long)(vm_commit_limit_pages() << (PAGE_SHIFT - 10)));
	return false;
}

/* The common case inline: the heuristic with a request no larger than RAM. */
static inline bool commit_ok(uint64_t pages, const struct vm_space *vm)
{
	if (likely(commit_policy.mode == OVERCOMMIT_GUESS && pages <= commit_ram_pages))
		return true;
	return commit_check_slow(pages, vm);
}

bool vm_commit_check(uint64_t pages, const struct vm_space *vm)
{
	return commit_ok(pages, vm);
}

/* Log a refusal by a process limit (seed 000's ExceedsProcessLimit; @limit and @current in
 * pages) and return false. */
static bool __attribute__((noinline))
limit_refused(const char *which, uint64_t pages, uint32_t limit, uint32_t current)
{
	int pid = 0;
	const char *comm = "kernel";

	if (commit_label)
		commit_label(&pid, &comm);
	pr_info("mm: pid %d (%s): exceeds process limit: requested %llu kB, limit %u kB, current "
	        "%u kB (%s)\n",
	        pid, comm, (unsigned long long)(pages << (PAGE_SHIFT - 10)),
	        limit << (PAGE_SHIFT - 10), current << (PAGE_SHIFT - 10), which);
	return false;
}

/*
 * May @vm grow by @pages more (@data: of private writable memory)? Linux's may_expand_vm
 * against vm->as_limit and vm->data_limit; false after the refusal line.
 */
static inline bool may_expand(const struct vm_space *vm, uint64_t pages, bool data)
{
	/* pages <= 2^20 and the counts are below 2^20: no overflow in 32 bits */
	if (unlikely(vm->as_limit) && vm->total_vm + (uint32_t)pages > vm->as_limit)
		return limit_refused("RLIMIT_AS", pages, vm->as_limit, vm->total_vm);
	if (data && unlikely(vm->data_limit) && vm->data_vm + (uint32_t)pages > vm->data_limit)
		return limit_refused("RLIMIT_DATA", pages, vm->data_limit, vm->data_vm);
	return true;
}

/* Is an area of @flags with @prot data (Linux's data_vm: private, writable, not the stack)? */
static inline bool data_area(uint32_t flags, uint32_t prot)
{
	return (prot & VM_WRITE) && !(flags & (VM_SHARED | VM_GROWSDOWN));
}

/* Count the area @a (@sign +1: added, -1: gone) in total_vm and data_vm; the stack counts as
 * grown (stack_grow adds its pages). */
static inline void count_area(struct vm_space *vm, const struct vm_area *a, int sign)
{
	uint32_t pages = (uint32_t)((a->end - a->start) >> PAGE_SHIFT);

	if (a->flags & VM_GROWSDOWN)
		return;
	if (sign < 0)
		vm_update_hiwater(vm);
	vm->total_vm += (uint32_t)sign * pages;
	if (data_area(a->flags, a->prot))
		vm->data_vm += (uint32_t)sign * pages;
}

/* Would an area of @flags with @prot be charged? Private, writable, not the stack (charged
 * as it grows), not NORESERVE — except in mode never, which charges NORESERVE too (Linux). */
static bool accountable(uint32_t flags, uint32_t prot)
{
	if ((flags & VM_NORESERVE) && commit_policy.mode != OVERCOMMIT_NEVER)
		return false;
	return (prot & VM_WRITE) && !(flags & (VM_SHARED | VM_GROWSDOWN));
}

/* Charge (@pages > 0) or uncharge @vm's commitment and the system's. */
static void commit_add(struct vm_space *vm, int32_t pages)
{
	vm->committed += (uint32_t)pages;
	vm_counters.committed += (uint64_t)(int64_t)pages;
}

static int32_t area_pages(const struct vm_area *a)
{
	return (int32_t)((a->end - a->start) >> PAGE_SHIFT);
}

/* The stack area @a has a page touched at @va: charge its growth down to @va. False when
 * the commitment refuses it. */
static bool __attribute__((noinline)) stack_grow_slow(struct vm_space *vm, uintptr_t va)
{
	int32_t pages = (int32_t)((vm->stack_low - va) >> PAGE_SHIFT);
	if (!may_expand(vm, (uint32_t)pages, false) || !commit_ok((uint32_t)pages, vm))
		return false;
	vm->stack_low = va;
	vm->total_vm += (uint32_t)pages;
	vm->stack_committed += (uint32_t)pages;
	commit_add(vm, pages);
	return true;
}

static inline bool stack_grow(struct vm_space *vm, const struct vm_area *a, uintptr_t va)
{
	if (likely(!(a->flags & VM_GROWSDOWN) || va >= vm->stack_low || va >= vm->stack_top))
		return true;
	return stack_grow_slow(vm, va);
}

/* Uncharge the stack's charged pages inside [@start, @end) (a stack area being unmapped). */
static void stack_unmap(struct vm_space *vm, uintptr_t start, uintptr_t end)
{
	uintptr_t lo = MAX(start, vm->stack_low), hi = MIN(end, vm->stack_top);

	if (lo >= hi)
		return;
	int32_t pages = (int32_t)((hi - lo) >> PAGE_SHIFT);
	vm_update_hiwater(vm);
	vm->stack_committed -= (uint32_t)pages;
	vm->total_vm -= (uint32_t)pages;
	commit_add(vm, -pages);
	if (lo == vm->stack_low)
		vm->stack_low = hi; /* the lowest pages went */
}

/* ---- spaces ---------------------------------------------------------------------------- */

struct vm_space *vm_create(uint32_t owner)
{
	struct mm_error err;
	struct vm_space *vm = kzalloc(sizeof(*vm), KM_KERNEL);

	if (!vm)
		return NULL;
	if (!zero_page) {
		if (!(zero_page = alloc_pages(0, GFP_KERNEL | __GFP_ZERO | __GFP_KOWNED, &err))) {
			kfree(vm);
			return NULL;
		}
		vm_zero_pa = page_pa(zero_page);
	}
	vm->pgdir = paging_pgdir_create(&err);
	if (!vm->pgdir) {
		kfree(vm);
		return NULL;
	}
	vma_set_init(&vm->areas);
	vm->owner = owner;
	vm->mmap_top = USER_MMAP_TOP;
	vm->stack_top = USER_STACK_TOP;
	vm->stack_low = USER_STACK_TOP;
	return vm;
}

/*
 * Call @fn(@vm, slot, @ctx) once for each directory slot a table may occupy: those of the
 * spans the areas touch (a table is dropped when no area is left in its span), in address
 * order; a few per process however far apart its areas lie.
 */
static void for_each_table_slot(struct vm_space *vm,
                                void (*fn)(struct vm_space *, unsigned, void *), void *ctx)
{
	const struct vm_area *a;
	unsigned next = 0; /* slots below this were visited */

	list_for_each_entry(a, &vm->areas.head, link)
	{
		unsigned last = PDX(a->end - 1);
		for (unsigned i = MAX(PDX(a->start), next); i <= last; i++)
			fn(vm, i, ctx);
		next = MAX(next, last + 1);
	}
}

/* vm_destroy's slot step: put the table in @slot. */
static void destroy_slot(struct vm_space *vm, unsigned slot, void *ctx)
{
	(void)ctx;
	if (vm->pgdir[slot] & PTE_P) {
		struct page *tbl = pa_page(PTE_ADDR(vm->pgdir[slot]));
		vm->pgdir[slot] = 0;
		vm_table_put(vm, tbl);
	}
}

void vm_destroy(struct vm_space *vm)
{
	if (!vm)
		return;
	/* Frames live only in tables: put each table (its last holder puts its frames). */
	for_each_table_slot(vm, destroy_slot, NULL);
	commit_add(vm, -(int32_t)vm->committed);
	struct list_head all;
	list_init(&all);
	vma_set_clear(&vm->areas, &all);
	free_area_list(&all);
	paging_pgdir_free(vm->pgdir);
	kfree(vm);
}

static bool range_valid(uintptr_t start, size_t len)
{
	return len && IS_ALIGNED(start, PAGE_SIZE) && IS_ALIGNED(len, PAGE_SIZE) &&
	       start >= USER_BASE && start < KERNEL_BASE && len <= KERNEL_BASE - start;
}

struct vm_area *vm_find(struct vm_space *vm, uintptr_t addr)
{
	return vma_find(&vm->areas, addr);
}

bool vm_range_free(struct vm_space *vm, uintptr_t start, size_t len)
{
	return vma_range_free(&vm->areas, start, start + len);
}

bool vm_range_mapped(struct vm_space *vm, uintptr_t start, size_t len)
{
	return vma_range_covered(&vm->areas, start, start + len);
}

bool vm_page_resident(struct vm_space *vm, uintptr_t va)
{
	pte_t *e = vm_pte_peek(vm, va);

	return e && pte_has_frame(*e);
}

int vm_map(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot, uint32_t flags)
{
	return vm_map_backed(vm, start, len, prot, flags, NULL);
}

int vm_map_backed(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot, uint32_t flags,
                  const struct vma_backing *backing)
{
	struct vm_area *na;
	uintptr_t end = start + len;

	if (!range_valid(start, len))
		return -EINVAL;
	if (!vma_range_free(&vm->areas, start, end))
		return -EEXIST;
	if (!(flags & VM_GROWSDOWN) &&
	    !may_expand(vm, len >> PAGE_SHIFT, data_area(flags, prot & VM_PROT_MASK)))
		return -ENOMEM;
	if (((flags & VM_ACCOUNT) || accountable(flags, prot & VM_PROT_MASK)) &&
	    !commit_ok(len >> PAGE_SHIFT, vm))
		return -ENOMEM;
	if (vm->areas.count >= VM_MAX_AREAS || !(na = area_alloc()))
		return -ENOMEM;
	na->start = start;
	na->end = end;
	na->prot = prot & VM_PROT_MASK;
	na->flags = flags & ~VM_MAP_FLAGS;
	na->backing = (struct vma_backing){ NULL, 0, 0 };
	if (accountable(na->flags, na->prot))
		na->flags |= VM_ACCOUNT;
	if (backing && backing->obj) {
		na->backing = *backing;
		vm_object_get(backing->obj);
	}
	vma_insert(&vm->areas, na);
	count_area(vm, na, 1);
	if (na->flags & VM_ACCOUNT)
		commit_add(vm, area_pages(na));
	merge_range(vm, start, end);
	/* MAP_POPULATE, the eager commit policy: every page now, or ENOMEM now with the mapping
	 * gone (Linux's mm_populate would keep it and leave the rest to faults); a page that
	 * cannot be populated for another reason (past a file's end) is left to its fault. */
	if ((flags & VM_MAP_POPULATE) && (prot & (VM_READ | VM_WRITE)) &&
	    vm_populate(vm, start, len,
	                (prot & VM_WRITE) && !(flags & VM_SHARED) ? VM_POPULATE_WRITE
	                                                          : VM_POPULATE_READ) == -ENOMEM) {
		vm_unmap(vm, start, len);
		return -ENOMEM;
	}
	return 0;
}

int vm_populate(struct vm_space *vm, uintptr_t start, size_t len, enum vm_populate how)
{
	uint32_t need = how == VM_POPULATE_WRITE ? VM_WRITE : VM_READ;

	if (!range_valid(start, len))
		return -EINVAL;
	for (uintptr_t va = start; va < start + len; va += PAGE_SIZE) {
		struct vm_area *a = vm_find(vm, va);
		if (!a)
			return -ENOMEM;
		if (!(a->prot & need))
			return -EINVAL; /* Linux: check_vma_flags' refusal, reported as EINVAL */
		if (how == VM_POPULATE_READ && vm_page_resident(vm, va))
			continue;
		int rc = vm_fault(vm, va, how == VM_POPULATE_WRITE ? PF_W | PF_U : PF_U);
		if (rc < 0)
			return rc == -ENOMEM ? -ENOMEM : -EFAULT; /* SIGBUS, SIGSEGV: EFAULT */
	}
	return 0;
}

/* Detach the areas inside [@start, @end) (boundaries made already), free their pages and
 * uncharge them, free the nodes and the tables left with no area. */
static void unmap_whole_areas(struct vm_space *vm, uintptr_t start, uintptr_t end)
{
	struct list_head gone;
	struct vm_area *a;

	list_init(&gone);
	vm->fault_hint = NULL; /* the nodes detached are freed */
	vma_detach_range(&vm->areas, start, end, &gone);
	list_for_each_entry(a, &gone, link)
	{
		vm_free_range(vm, a->start, a->end, a->flags & VM_SHARED);
		count_area(vm, a, -1);
		if (a->flags & VM_ACCOUNT)
			commit_add(vm, -area_pages(a));
		if (a->flags & VM_GROWSDOWN)
			stack_unmap(vm, a->start, a->end);
	}
	free_area_list(&gone);
	vm_drop_empty_tables(vm, start, end);
}

int vm_unmap(struct vm_space *vm, uintptr_t start, size_t len)
{
	struct vm_area *spares[MAX_SPLITS], *a;
	uintptr_t end = start + len;

	if (!range_valid(start, len))
		return -EINVAL;
	a = vma_find_from(&vm->areas, start);
	if (!a || a->start >= end)
		return 0;                         /* nothing mapped there */
	if (a->start == start && a->end == end) { /* exactly one area (munmap of a mapping) */
		if (vm_unshare_range(vm, start, end) < 0)
			return -ENOMEM;
		unmap_whole_areas(vm, start, end);
		return 0;
	}
	if (get_spares(vm, start, end, spares) < 0)
		return -ENOMEM;
	if (vm_unshare_range(vm, start, end) < 0) {
		put_spares(spares);
		return -ENOMEM;
	}
	split_range(vm, start, end, spares);
	put_spares(spares);
	unmap_whole_areas(vm, start, end);
	return 0;
}

int vm_protect(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot)
{
	struct vm_area *spares[MAX_SPLITS];
	uintptr_t end = start + len;
	int rc;

	if (!IS_ALIGNED(start, PAGE_SIZE) || start >= KERNEL_BASE || len > KERNEL_BASE - start)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!vma_range_covered(&vm->areas, start, end))
		return -ENOMEM;
	if (prot & VM_WRITE) {
		uint64_t charge = 0, data = 0;
		for (struct vm_area *a = vma_find(&vm->areas, start); a && a->start < end;
		     a = vma_next(&vm->areas, a)) {
			uint64_t pages = (MIN(a->end, end) - MAX(a->start, start)) >> PAGE_SHIFT;
			if (a->flags & VM_NOWRITE)
				return -EACCES; /* as Linux: the mapping may never be written */
			if (!(a->flags & VM_ACCOUNT) && accountable(a->flags, prot))
				charge += pages;
			if (!data_area(a->flags, a->prot) && data_area(a->flags, prot))
				data += pages;
		}
		if (data && !may_expand(vm, data, true))
			return -ENOMEM; /* turning into data past RLIMIT_DATA */
		if (!commit_ok(charge, vm))
			return -ENOMEM; /* made writable: charged, and refused */
	}
	if (get_spares(vm, start, end, spares) < 0)
		return -ENOMEM;
	if ((rc = vm_unshare_range(vm, start, end)) < 0) {
		put_spares(spares);
		return rc;
	}
	split_range(vm, start, end, spares);
	put_spares(spares);
	for (struct vm_area *a = vma_find(&vm->areas, start); a && a->start < end;
	     a = vma_next(&vm->areas, a)) {
		vm_reprotect_range(vm, a, a->start, a->end, prot);
		count_area(vm, a, -1);
		a->prot = prot & VM_PROT_MASK;
		count_area(vm, a, 1);
		if (!(a->flags & VM_ACCOUNT) && accountable(a->flags, a->prot)) {
			/* made writable: charged from now on (Linux keeps the charge if the write
			 * permission goes again) */
			vma_set_flags(&vm->areas, a, a->flags | VM_ACCOUNT);
			commit_add(vm, area_pages(a));
		}
	}
	merge_range(vm, start, end);
	return 0;
}

int vm_discard(struct vm_space *vm, uintptr_t start, size_t len)
{
	uintptr_t end = start + len;
	int rc;

	if (!range_valid(start, len))
		return -EINVAL;
	if ((rc = vm_unshare_range(vm, start, end)) < 0)
		return rc;
	for (struct vm_area *a = vma_find_from(&vm->areas, start); a && a->start < end;
	     a = vma_next(&vm->areas, a))
		vm_free_range(vm, MAX(a->start, start), MIN(a->end, end), a->flags & VM_SHARED);
	return vma_range_covered(&vm->areas, start, end) ? 0 : -ENOMEM;
}

uintptr_t vm_find_free(struct vm_space *vm, size_t len)
{
	return vma_find_free(&vm->areas, len, USER_BASE, vm->mmap_top, VM_GROWSDOWN,
	                     USER_STACK_GAP);
}

/*
 * Move the frames of [@from, @from + @len) to [@to, @to + @len) (no area change), making
 * @to's tables first. Returns 0 or -ENOMEM (nothing moved: the tables made stay, empty).
 */
static int move_frames(struct vm_space *vm, uintptr_t from, uintptr_t to, size_t len)
{
	int err;

	if (vm_unshare_range(vm, from, from + len) < 0)
		return -ENOMEM;
	for (size_t off = 0; off < len; off += PDE_SPAN - ((to + off) & (PDE_SPAN - 1)))
		if (!vm_pte_mut(vm, to + off, true, &err))
			return -ENOMEM;
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		pte_t *src = vm_pte_mut(vm, from + off, false, &err), *dst;

		if (!src || !pte_has_frame(*src))
			continue;
		dst = vm_pte_mut(vm, to + off, false, &err);
		set_pte(vm, dst, to + off, *src);
		set_pte(vm, src, from + off, 0);
	}
	return 0;
}

/*
 * The end of the free room from @addr up: the start of the next area (less USER_STACK_GAP
 * below the stack), or vm->mmap_top's stack when none. Callers check @addr itself is free.
 */
static uintptr_t room_end(struct vm_space *vm, uintptr_t addr)
{
	struct vm_area *next = vma_find_from(&vm->areas, addr);

	if (!next)
		return KERNEL_BASE;
	if (next->flags & VM_GROWSDOWN)
		return next->start > USER_STACK_GAP ? next->start - USER_STACK_GAP : 0;
	return next->start;
}

long vm_remap(struct vm_space *vm, uintptr_t old, size_t old_len, size_t new_len, bool may_move,
              uintptr_t fixed)
{
	struct vm_area *a = vma_find(&vm->areas, old);
	uintptr_t to;
	uint32_t prot, flags;
	struct vma_backing backing;
	int rc;

	if (!fixed && old_len >= new_len) { /* shrink (or same): Linux unmaps the tail only */
		if (old_len > new_len && (rc = vm_unmap(vm, old + new_len, old_len - new_len)) < 0)
			return rc;
		return (long)old;
	}
	if (!a || old_len > a->end - old)
		return -EFAULT;
	if (old_len == 0)
		return -EINVAL; /* duplicating a private mapping */
	prot = a->prot;
	flags = a->flags;
	backing = a->backing;
	if (!fixed && old + old_len == a->end && new_len <= KERNEL_BASE - old &&
	    old + new_len <= room_end(vm, a->end)) { /* grow in place */
		rc = vm_map_backed(vm, a->end, old + new_len - a->end, prot, flags, &backing);
		return rc < 0 ? rc : (long)old;
	}
	if (!may_move)
		return -ENOMEM;
	if (fixed) {
		if (fixed < old + old_len && old < fixed + new_len)
			return -EINVAL; /* the ranges overlap */
		if ((rc = vm_unmap(vm, fixed, new_len)) < 0)
			return rc;
		to = fixed;
	} else if (!(to = vm_find_free(vm, new_len))) {
		return -ENOMEM;
	}
	/* The new area lazily, then the old frames moved in, then the old range unmapped. */
	if (backing.obj) { /* the same object bytes at the same offsets from the new start */
		backing.base += to - old;
		backing.end += to - old;
	}
	if ((rc = vm_map_backed(vm, to, new_len, prot, flags, &backing)) < 0)
		return rc;
	if ((rc = vm_unshare_range(vm, old, old + old_len)) < 0 ||
	    (rc = move_frames(vm, old, to, MIN(old_len, new_len))) < 0) {
		vm_unmap(vm, to, new_len);
		return rc;
	}
	if (old_len > new_len)
		vm_free_range(vm, old + new_len, old + old_len, flags & VM_SHARED);
	/* The old range's frames are gone; should its unmap fail (a split needing a node), the
	 * range stays mapped with absent pages (demand-zero), which leaks nothing. */
	vm_unmap(vm, old, old_len);
	return (long)to;
}

uintptr_t vm_brk(struct vm_space *vm, uintptr_t newbrk)
{
	uintptr_t old_end = ALIGN_UP(vm->brk, PAGE_SIZE);
	uintptr_t new_end;

	if (newbrk < vm->brk_start || newbrk >= vm->mmap_top)
		return vm->brk;
	new_end = ALIGN_UP(newbrk, PAGE_SIZE);
	if (new_end > old_end) {
		uintptr_t limit = room_end(vm, old_end);

		if (vma_find(&vm->areas, old_end))
			return vm->brk; /* something is mapped at the break itself */
		if (new_end > limit || limit - new_end < PAGE_SIZE)
			return vm->brk; /* Linux keeps a page free below the next area */
		if (vm_map(vm, old_end, new_end - old_end, VM_READ | VM_WRITE, VM_HEAP) < 0)
			return vm->brk;
	} else if (new_end < old_end) {
		if (vm_unmap(vm, new_end, old_end - new_end) < 0)
			return vm->brk;
	}
	vm->brk = newbrk;
	return vm->brk;
}

/* vm_fork's slot step: share the table in @slot with the child @ctx, read-only in both. */
static void fork_slot(struct vm_space *src, unsigned slot, void *ctx)
{
	struct vm_space *dst = ctx;
	pde_t pde = src->pgdir[slot];

	if (!(pde & PTE_P))
		return;
	get_page(pa_page(PTE_ADDR(pde)));
	src->pgdir[slot] = dst->pgdir[slot] = pde & ~PTE_W;
}

int vm_fork(struct vm_space *dst, struct vm_space *src)
{
	const struct vm_area *a;

	if (!commit_ok(src->committed, src))
		return -ENOMEM; /* the child would be charged what the parent is */
	dst->brk_start = src->brk_start;
	dst->brk = src->brk;
	dst->mmap_top = src->mmap_top;
	dst->vdso_base = src->vdso_base;
	dst->stack_top = src->stack_top;
	list_for_each_entry(a, &src->areas.head, link)
	{
		struct vm_area *na = area_alloc();
		if (!na)
			return -ENOMEM;
		*na = *a;
		if (na->backing.obj)
			vm_object_get(na->backing.obj);
		vma_insert(&dst->areas, na);
	}
	/* On-Demand-Fork: share every page table, read-only in both directories; the first
	 * write (or PTE change) in a span copies that table (unshare_table). */
	for_each_table_slot(src, fork_slot, dst);
	dst->rss_pages = src->rss_pages;
	dst->rss_file = src->rss_file;
	dst->rss_shmem = src->rss_shmem;
	dst->stack_low = src->stack_low;
	dst->stack_committed = src->stack_committed;
	dst->total_vm = dst->hiwater_vm = src->total_vm; /* peaks start anew, as Linux's dup_mm */
	dst->hiwater_rss = src->rss_pages;
	dst->data_vm = src->data_vm;
	dst->as_limit = src->as_limit;
	dst->data_limit = src->data_limit;
	/* The image's bounds are the parent's (/proc/PID/cmdline of a forked child is its argv) */
	dst->arg_start = src->arg_start;
	dst->arg_end = src->arg_end;
	dst->env_start = src->env_start;
	dst->env_end = src->env_end;
	dst->start_stack = src->start_stack;
	dst->start_code = src->start_code;
	dst->end_code = src->end_code;
	dst->start_data = src->start_data;
	dst->end_data = src->end_data;
	commit_add(dst, (int32_t)src->committed);
	flush_space(src);
	vm_counters.forks++;
	return 0;
}

int vm_fault(struct vm_space *vm, uintptr_t addr, uint32_t error)
{
	uintptr_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	struct vm_area *a = vm->fault_hint;
	int err, kind;
	pte_t *e;

	if (!a || addr < a->start || addr >= a->end)
		vm->fault_hint = a = vma_find(&vm->areas, addr);
	if (!a || !(a->prot & VM_PROT_MASK))
		return -EFAULT; /* no area; PROT_NONE: the frame (if any) stays hidden */
	if ((a->flags & VM_GROWSDOWN) && vm->stack_limit && vm->stack_top - va > vm->stack_limit)
		return -EFAULT; /* stack growth past RLIMIT_STACK */
	if (!stack_grow(vm, a, va))
		return -EFAULT; /* the commitment refused the growth: SIGSEGV, as Linux */
	if ((a->flags & VM_FILE) && va >= ALIGN_UP(a->backing.end, PAGE_SIZE))
		return -EIO; /* past the end of the mapped file */
	vm->min_flt++;
	vm_counters.pgfault++;
	if (a->flags & VM_SHARED) {
		if ((error & PF_W) && !(a->prot & VM_WRITE))
			return -EFAULT;
		if (!(e = vm_pte_mut(vm, va, true, &err)))
			return err;
		return vm_map_shared_page(vm, a, va, e);
	}
	if (error & PF_W) {
		if (!(a->prot & VM_WRITE))
			return -EFAULT;
		if (!vm_make_private(vm, a, va, &err, &kind))
			return err;
		if (kind == 2) {
			vm->cow_faults++;
			vm_counters.cow_copy++;
		} else if (kind == 3) {
			vm_counters.cow_reuse++;
		}
		return 0;
	}
	if (error & PF_P)
		return -EFAULT; /* a read of a present page the area allows cannot fault */
	if (!(e = vm_pte_mut(vm, va, true, &err)))
		return err;
	if (pte_has_frame(*e))
		return 0;
	/* Read of a missing page: a whole page of the object from its cache; a page the
	 * object's end cuts gets a private copy with the tail zeroed; else the zero page. */
	if (a->backing.obj && va < a->backing.end) {
		if (a->backing.end - va >= PAGE_SIZE)
			return vm_map_file_page(vm, a, va, e);
		return vm_make_private(vm, a, va, &err, &kind) ? 0 : err;
	}
	get_page(zero_page); /* counted as any frame: the table loops need no test for it */
	set_pte(vm, e, va, make_pte(vm_zero_pa, a->prot, false));
	vm->zero_maps++;
	vm_counters.zero_maps++;
	return 0;
}

int vm_write(struct vm_space *vm, uintptr_t uva, const void *src, size_t len)
{
	const uint8_t *s = src;

	while (len) {
		uintptr_t page = ALIGN_DOWN(uva, PAGE_SIZE);
		size_t off = uva - page, n = MIN(len, PAGE_SIZE - off);
		struct vm_area *a = vm_find(vm, uva);
		int err;
		pte_t *e;

		if (!a)
			return -EFAULT;
		if (!stack_grow(vm, a, page))
			return -ENOMEM;
		if (!(e = vm_resolve_page(vm, a, page, &err)))
			return err;
		memcpy((uint8_t *)phys_to_virt(PTE_ADDR(*e)) + off, s, n);
		s += n;
		uva += n;
		len -= n;
	}
	return 0;
}

size_t vm_read(const struct vm_space *vm, uintptr_t uva, void *dst, size_t len)
{
	uint8_t *d = dst;
	size_t done = 0;

	while (done < len && uva < KERNEL_BASE) {
		uintptr_t page = ALIGN_DOWN(uva, PAGE_SIZE);
		size_t off = uva - page, n = MIN(len - done, PAGE_SIZE - off);
		const pte_t *e = vm_pte_peek(vm, page);

		if (!e || !pte_has_frame(*e))
			break;
		memcpy(d + done, (const uint8_t *)phys_to_virt(PTE_ADDR(*e)) + off, n);
		done += n;
		uva += n;
	}
	return done;
}

void vm_range_stats(const struct vm_space *vm, uintptr_t start, uintptr_t end, uint32_t *rss,
                    uint32_t *dirty)
{
	*rss = *dirty = 0;
	for (uintptr_t va = start; va < end && va >= start;) {
		const pte_t *e = vm_pte_peek(vm, va);

		if (!e) {
			va = next_span(va);
			continue;
		}
		if (pte_has_frame(*e) && PTE_ADDR(*e) != vm_zero_pa) {
			(*rss)++;
			if (*e & PTE_D)
				(*dirty)++;
		}
		va += PAGE_SIZE;
	}
}

uint32_t vm_zero_frame(void)
{
	return vm_zero_pa;
}

uint64_t vm_size_bytes(const struct vm_space *vm)
{
	const struct vm_area *a;
	uint64_t sum = 0;

	list_for_each_entry(a, &vm->areas.head, link) sum += a->end - a->start;
	return sum;
}
