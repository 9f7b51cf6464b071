/*
 * vm: user address spaces — areas (over the pure interval logic of mm/vma.c), eager
 * population, fork copy, brk, mmap placement, mprotect, mremap, MADV_DONTNEED, demand-zero
 * and teardown (contracts and policy in include/mm/vm.h).
 *
 * Page tables: the user half's tables are made here (user_pte), charged to the space's owner,
 * before the one walker (paging_walk) is asked for a PTE, so the walker never allocates for a
 * user address; a table is freed once no area is left in its 4 MiB span (drop_empty_tables)
 * and all of them by vm_destroy, before paging_pgdir_destroy frees the directory. Every PTE
 * is reached through the walker on the space's own directory through the direct map: a space
 * being built (exec) or copied into (fork) is never loaded to be worked on. TLB: a PTE change
 * is flushed (invlpg) when the directory is the loaded one.
 *
 * A PTE with a frame is either present (PTE_P, PTE_U, PTE_W if writable) or, under PROT_NONE,
 * not present with PTE_PROTNONE and the frame address kept.
 *
 * Operations that change areas get their nodes first (vma_splits_needed + kzalloc), so an
 * -ENOMEM leaves the space as it was. Area metadata is KM_KERNEL: owned by the space, never
 * charged to whichever task happens to run (fork builds the child's space in the parent).
 */
#include "mm/vm.h"

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "x86/cpu.h"

/* Software PTE bit (available to the OS; bit 9 is PTE_COW): a PROT_NONE page's frame. */
#define PTE_PROTNONE (1u << 10)
/* A user PDE: present, writable, user (the PTE decides). */
#define USER_PDE_FLAGS (PTE_P | PTE_W | PTE_U)
/* Nodes a range operation may need: one split at each end. */
#define MAX_SPLITS 2u

/* ---- pages and PTEs -------------------------------------------------------------------- */

/* The PTE value of frame @pa mapped with @prot. */
static pte_t make_pte(uint32_t pa, uint32_t prot)
{
	if (!(prot & VM_PROT_MASK))
		return pa | PTE_PROTNONE;
	return pa | PTE_P | PTE_U | ((prot & VM_WRITE) ? PTE_W : 0);
}

/* Does PTE @e hold a frame? */
static bool pte_has_frame(pte_t e)
{
	return (e & (PTE_P | PTE_PROTNONE)) != 0;
}

/* Store @val in @vm's PTE @e for @va, flushing the TLB when @vm is loaded. */
static void set_pte(struct vm_space *vm, pte_t *e, uintptr_t va, pte_t val)
{
	*e = val;
	if (vm->pgdir == paging_current_pgdir())
		invlpg(va);
}

/* A zeroed lowmem page charged to @owner (interrupts off around the owner swap). */
static struct page *user_page_alloc(uint32_t owner)
{
	struct mm_error err;
	uint32_t flags = irq_save();
	uint32_t prev = mm_current_owner();

	mm_set_current_owner(owner);
	struct page *pg = alloc_pages(0, GFP_KERNEL | __GFP_ZERO, &err);
	mm_set_current_owner(prev);
	irq_restore(flags);
	return pg;
}

static uint32_t page_pa(const struct page *pg)
{
	return (uint32_t)PFN_PHYS(page_to_pfn(pg));
}

/*
 * @vm's PTE for user address @va, or NULL when its table is absent and @alloc is false, or
 * no table frame could be had (then -ENOMEM for the caller). A new table is charged to the
 * owner (a not-present PDE is never cached in the TLB: no flush).
 */
static pte_t *user_pte(struct vm_space *vm, uintptr_t va, bool alloc)
{
	pde_t *pde = &vm->pgdir[PDX(va)];

	if (!(*pde & PTE_P)) {
		struct page *pg;

		if (!alloc || !(pg = user_page_alloc(vm->owner)))
			return NULL;
		*pde = page_pa(pg) | USER_PDE_FLAGS;
	}
	return paging_walk(vm->pgdir, va, false, NULL);
}

/* Give the page at @va a fresh zeroed frame with @prot unless it has one. 0 or -ENOMEM. */
static int populate_page(struct vm_space *vm, uintptr_t va, uint32_t prot)
{
	pte_t *e = user_pte(vm, va, true);
	struct page *pg;

	if (!e)
		return -ENOMEM;
	if (pte_has_frame(*e))
		return 0;
	if (!(pg = user_page_alloc(vm->owner)))
		return -ENOMEM;
	set_pte(vm, e, va, make_pte(page_pa(pg), prot));
	vm->rss_pages++;
	return 0;
}

/* The next page-table span boundary after @va (0 on wrap). */
static uintptr_t next_span(uintptr_t va)
{
	return ALIGN_DOWN(va, PDE_SPAN) + PDE_SPAN;
}

/* Unmap and free the frames of [@start, @end). */
static void free_range(struct vm_space *vm, uintptr_t start, uintptr_t end)
{
	for (uintptr_t va = start; va < end && va >= start;) {
		pte_t *e = user_pte(vm, va, false);

		if (!e) { /* no table: skip its whole span */
			va = next_span(va);
			continue;
		}
		if (pte_has_frame(*e)) {
			uint32_t pa = PTE_ADDR(*e);
			set_pte(vm, e, va, 0);
			free_pages(pfn_to_page(pa >> PAGE_SHIFT), 0);
			vm->rss_pages--;
		}
		va += PAGE_SIZE;
	}
}

/* Free the page table of every span touching [@start, @end) that no area overlaps. */
static void drop_empty_tables(struct vm_space *vm, uintptr_t start, uintptr_t end)
{
	for (uintptr_t span = ALIGN_DOWN(start, PDE_SPAN); span < end; span += PDE_SPAN) {
		pde_t *pde = &vm->pgdir[PDX(span)];

		if ((*pde & PTE_P) && vma_range_free(&vm->areas, span, span + PDE_SPAN)) {
			uint32_t pa = PTE_ADDR(*pde);
			*pde = 0;
			if (vm->pgdir == paging_current_pgdir())
				write_cr3(
				    read_cr3()); /* drop every cached translation of the span */
			free_pages(pfn_to_page(pa >> PAGE_SHIFT), 0);
		}
		if (span + PDE_SPAN < span)
			break;
	}
}

/* Rewrite the PTEs with frames in [@start, @end) for @prot. */
static void reprotect_range(struct vm_space *vm, uintptr_t start, uintptr_t end, uint32_t prot)
{
	for (uintptr_t va = start; va < end && va >= start;) {
		pte_t *e = user_pte(vm, va, false);

		if (!e) {
			va = next_span(va);
			continue;
		}
		if (pte_has_frame(*e))
			set_pte(vm, e, va, make_pte(PTE_ADDR(*e), prot));
		va += PAGE_SIZE;
	}
}

/* ---- area nodes ------------------------------------------------------------------------ */

static struct vm_area *area_alloc(void)
{
	return kzalloc(sizeof(struct vm_area), KM_KERNEL);
}

/* kfree every area on @list. */
static void free_area_list(struct list_head *list)
{
	struct vm_area *a, *n;

	list_for_each_entry_safe(a, n, list, link)
	{
		list_del(&a->link);
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

static void put_spares(struct vm_area *spares[MAX_SPLITS])
{
	kfree(spares[0]);
	kfree(spares[1]);
}

/* Merge around [@start, @end) and free the nodes merged away. */
static void merge_range(struct vm_space *vm, uintptr_t start, uintptr_t end)
{
	struct list_head gone;

	list_init(&gone);
	vma_merge_range(&vm->areas, start, end, &gone);
	free_area_list(&gone);
}

/* ---- spaces ---------------------------------------------------------------------------- */

struct vm_space *vm_create(uint32_t owner)
{
	struct mm_error err;
	struct vm_space *vm = kzalloc(sizeof(*vm), KM_KERNEL);

	if (!vm)
		return NULL;
	vm->pgdir = paging_pgdir_create(&err);
	if (!vm->pgdir) {
		kfree(vm);
		return NULL;
	}
	vma_set_init(&vm->areas);
	vm->owner = owner;
	vm->mmap_top = USER_MMAP_TOP;
	vm->stack_top = USER_STACK_TOP;
	return vm;
}

void vm_destroy(struct vm_space *vm)
{
	struct vm_area *a;

	if (!vm)
		return;
	list_for_each_entry(a, &vm->areas.head, link) free_range(vm, a->start, a->end);
	free_area_list(&vm->areas.head);
	vm->areas.count = 0;
	for (unsigned i = 0; i < PDX(KERNEL_BASE); i++) { /* the owner-charged user tables */
		if (vm->pgdir[i] & PTE_P) {
			free_pages(pfn_to_page(PTE_ADDR(vm->pgdir[i]) >> PAGE_SHIFT), 0);
			vm->pgdir[i] = 0;
		}
	}
	paging_pgdir_destroy(vm->pgdir);
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
	pte_t *e = user_pte(vm, ALIGN_DOWN(va, PAGE_SIZE), false);

	return e && pte_has_frame(*e);
}

int vm_map(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot, uint32_t flags)
{
	struct vm_area *na;
	uintptr_t end = start + len;

	if (!range_valid(start, len))
		return -EINVAL;
	if (!vma_range_free(&vm->areas, start, end))
		return -EEXIST;
	if (vm->areas.count >= VM_MAX_AREAS || !(na = area_alloc()))
		return -ENOMEM;
	na->start = start;
	na->end = end;
	na->prot = prot & VM_PROT_MASK;
	na->flags = flags & ~VM_MAP_LAZY;
	if (!(flags & (VM_GROWSDOWN | VM_MAP_LAZY)) && na->prot) {
		for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
			if (populate_page(vm, va, na->prot) < 0) {
				free_range(vm, start, va);
				drop_empty_tables(vm, start, end);
				kfree(na);
				return -ENOMEM;
			}
		}
	}
	vma_insert(&vm->areas, na);
	merge_range(vm, start, end);
	return 0;
}

int vm_unmap(struct vm_space *vm, uintptr_t start, size_t len)
{
	struct vm_area *spares[MAX_SPLITS], *a;
	uintptr_t end = start + len;
	struct list_head gone;

	if (!range_valid(start, len))
		return -EINVAL;
	if (vma_range_free(&vm->areas, start, end))
		return 0;
	if (get_spares(vm, start, end, spares) < 0)
		return -ENOMEM;
	vma_split_range(&vm->areas, start, end, spares);
	put_spares(spares);
	list_init(&gone);
	vma_detach_range(&vm->areas, start, end, &gone);
	list_for_each_entry(a, &gone, link) free_range(vm, a->start, a->end);
	free_area_list(&gone);
	drop_empty_tables(vm, start, end);
	return 0;
}

int vm_protect(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot)
{
	struct vm_area *spares[MAX_SPLITS];
	uintptr_t end = start + len;

	if (!IS_ALIGNED(start, PAGE_SIZE) || start >= KERNEL_BASE || len > KERNEL_BASE - start)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!vma_range_covered(&vm->areas, start, end))
		return -ENOMEM;
	if (get_spares(vm, start, end, spares) < 0)
		return -ENOMEM;
	vma_split_range(&vm->areas, start, end, spares);
	put_spares(spares);
	for (struct vm_area *a = vma_find(&vm->areas, start); a && a->start < end;
	     a = vma_next(&vm->areas, a))
		a->prot = prot & VM_PROT_MASK;
	reprotect_range(vm, start, end, prot);
	merge_range(vm, start, end);
	return 0;
}

int vm_discard(struct vm_space *vm, uintptr_t start, size_t len)
{
	uintptr_t end = start + len;

	if (!range_valid(start, len))
		return -EINVAL;
	for (struct vm_area *a = vma_find_from(&vm->areas, start); a && a->start < end;
	     a = vma_next(&vm->areas, a))
		free_range(vm, MAX(a->start, start), MIN(a->end, end));
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
	for (size_t off = 0; off < len; off += PDE_SPAN - ((to + off) & (PDE_SPAN - 1)))
		if (!user_pte(vm, to + off, true))
			return -ENOMEM;
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		pte_t *src = user_pte(vm, from + off, false), *dst;

		if (!src || !pte_has_frame(*src))
			continue;
		dst = user_pte(vm, to + off, false);
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
	if (!fixed && old + old_len == a->end && new_len <= KERNEL_BASE - old &&
	    old + new_len <= room_end(vm, a->end)) { /* grow in place */
		rc = vm_map(vm, a->end, old + new_len - a->end, prot, flags);
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
	if ((rc = vm_map(vm, to, new_len, prot, flags | VM_MAP_LAZY)) < 0)
		return rc;
	if ((rc = move_frames(vm, old, to, MIN(old_len, new_len))) < 0) {
		vm_unmap(vm, to, new_len);
		return rc;
	}
	if (new_len > old_len && prot && !(flags & VM_GROWSDOWN)) {
		for (uintptr_t va = to + old_len; va < to + new_len; va += PAGE_SIZE)
			populate_page(vm, va, prot); /* eager; a failure stays demand-zero */
	}
	if (old_len > new_len)
		free_range(vm, old + new_len, old + old_len);
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

int vm_fork(struct vm_space *dst, const struct vm_space *src)
{
	const struct vm_area *a;

	dst->brk_start = src->brk_start;
	dst->brk = src->brk;
	dst->mmap_top = src->mmap_top;
	dst->stack_top = src->stack_top;
	list_for_each_entry(a, &src->areas.head, link)
	{
		struct vm_area *na = area_alloc();
		if (!na)
			return -ENOMEM;
		*na = *a;
		list_add_tail(&na->link, &dst->areas.head); /* src is sorted, so dst is */
		dst->areas.count++;
		for (uintptr_t va = a->start; va < a->end;) {
			pte_t *e = paging_walk(src->pgdir, va, false, NULL), *de;
			struct page *pg;

			if (!e) {
				va = next_span(va);
				if (!va)
					break;
				continue;
			}
			if (pte_has_frame(*e)) {
				if (!(de = user_pte(dst, va, true)) ||
				    !(pg = user_page_alloc(dst->owner)))
					return -ENOMEM;
				memcpy(phys_to_virt(page_pa(pg)), phys_to_virt(PTE_ADDR(*e)),
				       PAGE_SIZE);
				*de = make_pte(page_pa(pg),
				               a->prot); /* dst is not loaded: no flush */
				dst->rss_pages++;
			}
			va += PAGE_SIZE;
		}
	}
	return 0;
}

int vm_fault(struct vm_space *vm, uintptr_t addr, uint32_t error)
{
	struct vm_area *a = vm_find(vm, addr);

	if (!a || (error & PF_P))
		return -EFAULT;
	if (!(a->prot & VM_PROT_MASK))
		return -EFAULT; /* PROT_NONE: the frame (if any) stays hidden */
	if ((error & PF_W) && !(a->prot & VM_WRITE))
		return -EFAULT;
	return populate_page(vm, ALIGN_DOWN(addr, PAGE_SIZE), a->prot);
}

int vm_write(struct vm_space *vm, uintptr_t uva, const void *src, size_t len)
{
	const uint8_t *s = src;

	while (len) {
		uintptr_t page = ALIGN_DOWN(uva, PAGE_SIZE);
		size_t off = uva - page, n = MIN(len, PAGE_SIZE - off);
		struct vm_area *a = vm_find(vm, uva);
		pte_t *e;

		if (!a)
			return -EFAULT;
		if (populate_page(vm, page, a->prot) < 0)
			return -ENOMEM;
		e = user_pte(vm, page, false);
		memcpy((uint8_t *)phys_to_virt(PTE_ADDR(*e)) + off, s, n);
		s += n;
		uva += n;
		len -= n;
	}
	return 0;
}

uint64_t vm_size_bytes(const struct vm_space *vm)
{
	const struct vm_area *a;
	uint64_t sum = 0;

	list_for_each_entry(a, &vm->areas.head, link) sum += a->end - a->start;
	return sum;
}
