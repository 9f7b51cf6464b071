/*
 * vm_pte: the page-table layer of user address spaces (policy and the fault handler's cases
 * in include/mm/vm.h; mm/vm.c calls these through mm/vm_internal.h).
 *
 * Page tables: the user half's tables are made here (vm_pte_mut), charged to the space's
 * owner, and reached through the direct map: a space being built (exec) or forked is never
 * loaded to be worked on. vm_pte_mut hands out a PTE only in a table this space alone holds
 * (a shared one is copied, or reclaimed by its last holder, first); vm_pte_peek reads without
 * changing. Operations over a range call vm_unshare_range first, so the PTE work after it
 * cannot fail. A table is put once no area is left in its 4 MiB span
 * (vm_drop_empty_tables). TLB: a PTE change is flushed (invlpg) when the directory is the
 * loaded one and the old entry was present; a PDE change reloads CR3.
 *
 * A PTE with a frame is either present (PTE_P, PTE_U; PTE_W if writable and exclusive, else
 * PTE_COW in a writable area) or, under PROT_NONE, not present with PTE_PROTNONE and the
 * frame address kept.
 */
#include "vm_internal.h"

#include "lib/compiler.h"
#include "lib/errno.h"
#include "mm/pager.h"
#include "x86/pageops.h"

/* ---- pages and PTEs -------------------------------------------------------------------- */

/* A page table or page charged to @owner, its content undefined; NULL when refused. */
static struct page *user_page_alloc(uint32_t owner)
{
	return alloc_page_for(owner);
}

/* A zeroed page charged to @owner, or NULL. */
static struct page *user_zeroed_page(uint32_t owner)
{
	struct page *pg = user_page_alloc(owner);

	if (pg)
		clear_page(phys_to_virt(page_pa(pg)));
	return pg;
}

/*
 * Drop @vm's reference to frame @pg (@kernel: an object's page, PTE_FILE, or the zero page,
 * which are kernel-owned: no ledger to check). The last reference frees it (never the zero
 * page's: its allocation's reference is never dropped); a page that lives on (mapped by
 * another space) and is still charged to @vm's owner goes to the kernel, since the owner's
 * ledger must not drop a reference it gave away.
 */
static inline __attribute__((always_inline)) void frame_put(struct vm_space *vm, struct page *pg,
                                                            bool kernel)
{
	if (put_page_testzero(pg)) { /* only a private anonymous page ends here: an object's
		                      * pages keep the object's reference */
		free_pages(pg, 0);
		vm_counters.pgfree++;
		vm_counters.anon_pages--;
	} else if (!kernel && pg->owner == vm->owner) {
		page_disown(pg);
	}
}

/*
 * Drop @vm's reference to the page table @tbl. The last reference puts every frame the
 * table maps, then frees it; otherwise (still shared) as frame_put. Frames in a table that
 * lives on stay on their owner's ledger: they are PG_USER, which the owner's release only
 * hands to the kernel (include/mm/page.h), so a parent ending before its child leaves them
 * to the child.
 */
void vm_table_put(struct vm_space *vm, struct page *tbl)
{
	if (!put_page_testzero(tbl)) {
		if (tbl->owner == vm->owner)
			page_disown(tbl);
		return;
	}
	/* Locals, not reloads: the reference drops below are compiler barriers. */
	const pte_t *t = phys_to_virt(page_pa(tbl));
	const pte_t *e = t + bounds_lo(tbl->private_data), *end = t + bounds_hi(tbl->private_data);
	for (; e < end; e++) {
		pte_t v = *e;

		if (pte_has_frame(v)) /* the zero page too: its references are counted */
			frame_put(vm, pa_page(PTE_ADDR(v)), v & PTE_FILE);
	}
	free_pages(tbl, 0);
	vm->pt_pages--;
}

/*
 * Give @vm its own copy of the shared table behind *@pde (On-Demand-Fork's table copy):
 * the sole holder just regains PTE_W on its PDE; otherwise a new table takes every entry,
 * one more reference on each frame, and writable entries become read-only PTE_COW in both
 * tables (the old one stays shared by the others, who cannot write through it anyway).
 * Returns 0 or -ENOMEM (nothing changed).
 */
static int unshare_table(struct vm_space *vm, pde_t *pde)
{
	struct page *old = pa_page(PTE_ADDR(*pde)), *tbl;
	pte_t *from = pde_table(*pde), *to;

	if (page_ref_count(old) == 1) {
		*pde |= PTE_W;
		flush_space(vm);
		return 0;
	}
	if (!(tbl = user_page_alloc(vm->owner)))
		return -ENOMEM;
	to = phys_to_virt(page_pa(tbl));
	clear_page(to);
	tbl->private_data = old->private_data;
	/* Locals, not reloads: the reference takes below are compiler barriers. */
	pte_t *src = from + bounds_lo(old->private_data),
	      *end = from + bounds_hi(old->private_data);
	for (to += bounds_lo(old->private_data); src < end; src++, to++) {
		pte_t e = *src;

		if (pte_has_frame(e)) {
			get_page(pa_page(PTE_ADDR(e))); /* the zero page too */
			/* Writable object pages (PTE_FILE) are shared; the rest become COW. */
			if ((e & (PTE_W | PTE_FILE)) == PTE_W) {
				e = (e & ~PTE_W) | PTE_COW;
				*src = e;
			}
		}
		*to = e;
	}
	*pde = page_pa(tbl) | USER_PDE_FLAGS;
	vm->pt_pages++;
	vm_table_put(vm, old);
	flush_space(vm);
	vm_counters.table_copies++;
	return 0;
}

/*
 * @vm's PTE for user address @va in a table @vm alone holds (a shared one is unshared
 * first), for changing it. NULL when the table is absent and @alloc is false (*@err 0), or
 * no memory for a table (*@err -ENOMEM). A new table is zeroed and charged to the owner (a
 * not-present PDE is never cached in the TLB: no flush).
 */
pte_t *vm_pte_mut(struct vm_space *vm, uintptr_t va, bool alloc, int *err)
{
	pde_t *pde = &vm->pgdir[PDX(va)];

	*err = 0;
	if (!(*pde & PTE_P)) {
		struct page *pg;

		if (!alloc)
			return NULL;
		if (!(pg = user_zeroed_page(vm->owner))) {
			*err = -ENOMEM;
			return NULL;
		}
		*pde = page_pa(pg) | USER_PDE_FLAGS;
		vm->pt_pages++;
	} else if (!(*pde & PTE_W) && (*err = unshare_table(vm, pde)) < 0) {
		return NULL;
	}
	return pde_table(*pde) + PTX(va);
}

/* @vm's PTE for @va for reading only (possibly in a shared table), or NULL (no table). */
pte_t *vm_pte_peek(const struct vm_space *vm, uintptr_t va)
{
	pde_t pde = vm->pgdir[PDX(va)];

	return (pde & PTE_P) ? pde_table(pde) + PTX(va) : NULL;
}

/*
 * Unshare every table holding part of [@start, @end), so that the PTE changes that follow
 * cannot fail. Returns 0 or -ENOMEM (tables already unshared stay so: that is invisible).
 */
int vm_unshare_range(struct vm_space *vm, uintptr_t start, uintptr_t end)
{
	for (uintptr_t span = ALIGN_DOWN(start, PDE_SPAN); span < end; span += PDE_SPAN) {
		pde_t *pde = &vm->pgdir[PDX(span)];
		int rc;

		if ((*pde & PTE_P) && !(*pde & PTE_W) && (rc = unshare_table(vm, pde)) < 0)
			return rc;
		if (span + PDE_SPAN < span)
			break;
	}
	return 0;
}

/*
 * Fill the new private page @pg for @va of area @a: the object's bytes where the area has
 * them (the tail past the backing's end zeroed), else zeros.
 */
static void fill_page(const struct vm_area *a, uintptr_t va, struct page *pg)
{
	uint8_t *dst = phys_to_virt(page_pa(pg));
	struct vm_object *obj = a->backing.obj;

	if (!obj || va >= a->backing.end) {
		clear_page(dst);
		return;
	}
	vm_object_read_page(obj, va - a->backing.base, dst, MIN(PAGE_SIZE, a->backing.end - va));
}

/*
 * Make the page at @va (in area @a) a private frame @vm alone maps, with the PTE @a's prot
 * gives an exclusive page: a missing page gets a new one (filled by fill_page), the zero page
 * is replaced by a zeroed one, a frame shared by copy-on-write or a page-cache page is copied
 * (a private frame whose last reference @vm holds is kept: Linux's wp_page_reuse). Returns
 * its PTE, or NULL with -ENOMEM in *@err. *@kind: 0 nothing done, 1 new page, 2 copied, 3
 * reused.
 */
pte_t *vm_make_private(struct vm_space *vm, const struct vm_area *a, uintptr_t va, int *err,
                       int *kind)
{
	pte_t *e = vm_pte_mut(vm, va, true, err);
	struct page *pg;
	uint32_t pa;

	*kind = 0;
	if (!e)
		return NULL;
	if (pte_has_frame(*e) && (pa = PTE_ADDR(*e)) != vm_zero_pa) {
		bool file = *e & PTE_FILE;
		pg = pa_page(pa);
		if (!file && page_ref_count(pg) == 1) {
			pte_t want = make_pte(pa, a->prot, true);
			if (*e != want) {
				set_pte(vm, e, va, want);
				*kind = 3;
			}
			return e;
		}
		struct page *copy = pager_anon_page(vm->owner, false);
		if (!copy) {
			*err = -ENOMEM;
			return NULL;
		}
		copy_page(phys_to_virt(page_pa(copy)), phys_to_virt(pa));
		set_pte(vm, e, va, make_pte(page_pa(copy), a->prot, true));
		frame_put(vm, pg, file);
		if (file)
			vm->rss_file--;
		vm_counters.pgalloc++;
		vm_counters.anon_pages++;
		*kind = 2;
		return e;
	}
	bool had_zero = pte_has_frame(*e);
	/* The anonymous provider's page: zeroed here, or filled from the area's object. */
	if (!(pg = pager_anon_page(vm->owner, had_zero || !a->backing.obj))) {
		*err = -ENOMEM;
		return NULL;
	}
	if (!had_zero && a->backing.obj)
		fill_page(a, va, pg);
	set_pte(vm, e, va, make_pte(page_pa(pg), a->prot, true));
	if (had_zero)
		frame_put(vm, pa_page(vm_zero_pa), true);
	vm->rss_pages++;
	vm_counters.pgalloc++;
	vm_counters.anon_pages++;
	*kind = 1;
	return e;
}

/*
 * Map the page at @va of the shared area @a (PTE @e) from its object: the object's page,
 * writable when the area is (every space mapping it sees every write). A page with a frame
 * already only regains write access (after mprotect or a table copy). Returns 0, -EFAULT (past
 * the object's end) or -ENOMEM.
 */
int vm_map_shared_page(struct vm_space *vm, const struct vm_area *a, uintptr_t va, pte_t *e)
{
	struct page *pg;
	int rc;

	if (pte_has_frame(*e)) {
		set_pte(vm, e, va, make_pte(PTE_ADDR(*e), a->prot, true) | PTE_FILE);
		return 0;
	}
	if (va >= a->backing.end ||
	    (rc = vm_object_get_page(a->backing.obj, (va - a->backing.base) >> PAGE_SHIFT, &pg)) <
	        0)
		return va >= a->backing.end || rc == -EFAULT ? -EFAULT : -ENOMEM;
	set_pte(vm, e, va, make_pte(page_pa(pg), a->prot, true) | PTE_FILE);
	vm->rss_pages++;
	vm->rss_shmem++;
	return 0;
}

/*
 * Give the page at @va of area @a a frame as a fault of kind @write would (shared areas map
 * their object's page; private ones get a private frame, make_private). Returns its PTE, or
 * NULL with the error in *@err.
 */
pte_t *vm_resolve_page(struct vm_space *vm, const struct vm_area *a, uintptr_t va, int *err)
{
	int kind;
	pte_t *e;

	if (!(a->flags & VM_SHARED))
		return vm_make_private(vm, a, va, err, &kind);
	if (!(e = vm_pte_mut(vm, va, true, err)))
		return NULL;
	return (*err = vm_map_shared_page(vm, a, va, e)) < 0 ? NULL : e;
}

/*
 * Unmap and put the frames of [@start, @end) (in areas that are @shared, or not), whose
 * tables unshare_range made exclusive.
 */
void vm_free_range(struct vm_space *vm, uintptr_t start, uintptr_t end, bool shared)
{
	vm_update_hiwater(vm); /* the peak before RSS falls (Linux's update_hiwater_rss) */
	for (uintptr_t va = start; va < end && va >= start;) {
		int err;
		pte_t *e = vm_pte_mut(vm, va, false, &err);

		if (!e) { /* no table: skip its whole span */
			va = next_span(va);
			continue;
		}
		if (pte_has_frame(*e)) {
			uint32_t pa = PTE_ADDR(*e);
			bool file = *e & PTE_FILE;
			if (file && shared)
				vm->rss_shmem--;
			else if (file)
				vm->rss_file--;
			set_pte(vm, e, va, 0);
			frame_put(vm, pa_page(pa), file || pa == vm_zero_pa);
			if (pa != vm_zero_pa)
				vm->rss_pages--;
		}
		va += PAGE_SIZE;
	}
}

/* Put the page table of every span touching [@start, @end) that no area overlaps. */
void vm_drop_empty_tables(struct vm_space *vm, uintptr_t start, uintptr_t end)
{
	for (uintptr_t span = ALIGN_DOWN(start, PDE_SPAN); span < end; span += PDE_SPAN) {
		pde_t *pde = &vm->pgdir[PDX(span)];

		if ((*pde & PTE_P) && vma_range_free(&vm->areas, span, span + PDE_SPAN)) {
			struct page *tbl = pa_page(PTE_ADDR(*pde));
			*pde = 0;
			flush_space(vm);
			vm_table_put(vm, tbl);
		}
		if (span + PDE_SPAN < span)
			break;
	}
}

/*
 * Rewrite the PTEs with frames in [@start, @end) of area @a for @prot (tables made exclusive
 * first): a shared area's pages are writable when @prot is; a private page only when it is
 * exclusive (not the zero page, not a page-cache page, one reference).
 */
void vm_reprotect_range(struct vm_space *vm, const struct vm_area *a, uintptr_t start,
                        uintptr_t end, uint32_t prot)
{
	bool shared = a->flags & VM_SHARED;

	for (uintptr_t va = start; va < end && va >= start;) {
		int err;
		pte_t *e = vm_pte_mut(vm, va, false, &err);

		if (!e) {
			va = next_span(va);
			continue;
		}
		if (pte_has_frame(*e)) {
			pte_t file = *e & PTE_FILE;
			uint32_t pa = PTE_ADDR(*e);
			set_pte(vm, e, va,
			        make_pte(pa, prot, shared || (!file && frame_exclusive(pa))) |
			            file);
		}
		va += PAGE_SIZE;
	}
}

/* Map page-cache page @pg (a reference taken for this mapping) at @va, PTE @e. */
static void set_file_pte(struct vm_space *vm, const struct vm_area *a, uintptr_t va, pte_t *e,
                         struct page *pg)
{
	set_pte(vm, e, va, make_pte(page_pa(pg), a->prot, false) | PTE_FILE);
	vm->rss_pages++;
	vm->rss_file++;
}

/*
 * Map page-cache page of @a's object read-only at @va (PTE @e, no frame yet), and around it
 * (Linux's fault-around: the aligned FAULT_AROUND_PAGES window in the same table) every page
 * of the area the object covers whole that has no frame yet and is in the cache already.
 * Returns 0 or -ENOMEM.
 */
int vm_map_file_page(struct vm_space *vm, const struct vm_area *a, uintptr_t va, pte_t *e)
{
	struct vm_object *obj = a->backing.obj;
	struct page *pg;
	int rc = vm_object_get_page(obj, (va - a->backing.base) >> PAGE_SHIFT, &pg);

	if (rc < 0)
		return rc == -EFAULT ? -EFAULT : -ENOMEM;
	set_file_pte(vm, a, va, e, pg);
	vm_counters.file_maps++;
	/* Fault-around: entries of one table; not present before, so no TLB flush. */
	uintptr_t lo = MAX(ALIGN_DOWN(va, FAULT_AROUND_PAGES * PAGE_SIZE), a->start);
	uintptr_t hi =
	    MIN(ALIGN_DOWN(va, FAULT_AROUND_PAGES * PAGE_SIZE) + FAULT_AROUND_PAGES * PAGE_SIZE,
	        MIN(a->end, ALIGN_DOWN(a->backing.end, PAGE_SIZE)));
	pte_t bits = make_pte(0, a->prot, false) | PTE_FILE;
	uint32_t pgoff = (lo - a->backing.base) >> PAGE_SHIFT, mapped = 0;
	uint32_t flags = irq_save(); /* the cache slots stay as read (include/mm/pager.h) */
	uint32_t n = hi > lo ? (hi - lo) / PAGE_SIZE : 0;
	if (pgoff + n > obj->npages) /* not past the object's slots (it may have shrunk) */
		n = pgoff < obj->npages ? obj->npages - pgoff : 0;
	pte_t *const first = e - (va - lo) / PAGE_SIZE;
	pte_t *pe = first, *const pend = first + n;
	struct page *const *slot = obj->cache + pgoff;
	for (; pe < pend; pe++, slot++) {
		if (*pe || !(pg = *slot))
			continue; /* p == va has its frame already */
		get_page(pg);
		*pe = page_pa(pg) | bits;
		mapped++;
	}
	irq_restore(flags);
	if (mapped) { /* one table: its bounds cover the window (a superset is allowed) */
		table_note(first);
		table_note(pend - 1);
	}
	vm->rss_pages += mapped;
	vm->rss_file += mapped;
	vm_counters.file_around += mapped;
	return 0;
}
