/*
 * vm: user address spaces — areas, eager population, fork copy, brk, mmap placement,
 * mprotect, demand-zero and teardown (contracts and policy in include/mm/vm.h).
 *
 * Every page-table access goes through the one walker (paging_walk) on the space's own
 * directory, reached through the direct map: a space being built (exec) or copied into
 * (fork) is never loaded to be worked on. TLB: paging_map/unmap/set_flags flush when the
 * directory is the loaded one.
 *
 * Area metadata (struct vm_area, struct vm_space) is KM_KERNEL: owned by the space, never
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

/* PTE flags of a user page with @prot (no NX without PAE; PROT_NONE: supervisor-only). */
static uint32_t pte_flags(uint32_t prot)
{
	uint32_t f = 0;

	if (prot & (VM_READ | VM_WRITE | VM_EXEC))
		f |= PTE_U;
	if (prot & VM_WRITE)
		f |= PTE_W;
	return f;
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

/* Map a fresh zeroed page at @va with @prot. Returns 0 or -ENOMEM. */
static int populate_page(struct vm_space *vm, uintptr_t va, uint32_t prot)
{
	struct page *pg = user_page_alloc(vm->owner);

	if (!pg)
		return -ENOMEM;
	int rc = paging_map(vm->pgdir, va, (uint32_t)PFN_PHYS(page_to_pfn(pg)), pte_flags(prot));
	if (rc < 0) {
		free_pages(pg, 0);
		return rc == -EEXIST ? 0 : -ENOMEM;
	}
	vm->rss_pages++;
	return 0;
}

/* Unmap and free the present pages of [@start, @end). */
static void free_range(struct vm_space *vm, uintptr_t start, uintptr_t end)
{
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		pte_t *e = paging_walk(vm->pgdir, va, false, NULL);

		if (!e) { /* no table: skip to the next 4 MiB span */
			va = ALIGN_DOWN(va, PDE_SPAN) + PDE_SPAN - PAGE_SIZE;
			if (va + PAGE_SIZE < va)
				break;
			continue;
		}
		if (!(*e & PTE_P))
			continue;
		uint32_t pa = PTE_ADDR(*e);
		paging_unmap(vm->pgdir, va);
		free_pages(pfn_to_page(pa >> PAGE_SHIFT), 0);
		vm->rss_pages--;
	}
}

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
	list_init(&vm->areas);
	vm->owner = owner;
	vm->mmap_top = USER_MMAP_TOP;
	vm->stack_top = USER_STACK_TOP;
	return vm;
}

void vm_destroy(struct vm_space *vm)
{
	struct vm_area *a, *n;

	if (!vm)
		return;
	list_for_each_entry_safe(a, n, &vm->areas, link)
	{
		free_range(vm, a->start, a->end);
		list_del(&a->link);
		kfree(a);
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
	struct vm_area *a;

	list_for_each_entry(a, &vm->areas, link) if (addr >= a->start && addr < a->end) return a;
	return NULL;
}

bool vm_range_free(struct vm_space *vm, uintptr_t start, size_t len)
{
	struct vm_area *a;
	uintptr_t end = start + len;

	list_for_each_entry(a, &vm->areas, link) if (a->start < end && start < a->end) return false;
	return true;
}

/* Link @na into the sorted list. */
static void insert_area(struct vm_space *vm, struct vm_area *na)
{
	struct vm_area *a;

	list_for_each_entry(a, &vm->areas, link)
	{
		if (a->start > na->start) {
			list_add_tail(&na->link, &a->link);
			return;
		}
	}
	list_add_tail(&na->link, &vm->areas);
}

int vm_map(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot, uint32_t flags)
{
	if (!range_valid(start, len))
		return -EINVAL;
	if (!vm_range_free(vm, start, len))
		return -EEXIST;
	struct vm_area *na = kzalloc(sizeof(*na), KM_KERNEL);
	if (!na)
		return -ENOMEM;
	na->start = start;
	na->end = start + len;
	na->prot = prot & VM_PROT_MASK;
	na->flags = flags;
	if (!(flags & VM_GROWSDOWN)) {
		for (uintptr_t va = start; va < na->end; va += PAGE_SIZE) {
			if (populate_page(vm, va, na->prot) < 0) {
				free_range(vm, start, va);
				kfree(na);
				return -ENOMEM;
			}
		}
	}
	insert_area(vm, na);
	return 0;
}

/* Make an area boundary at @addr (split the area containing it). 0 or -ENOMEM. */
static int split_at(struct vm_space *vm, uintptr_t addr)
{
	struct vm_area *a = vm_find(vm, addr);

	if (!a || a->start == addr)
		return 0;
	struct vm_area *hi = kzalloc(sizeof(*hi), KM_KERNEL);
	if (!hi)
		return -ENOMEM;
	*hi = *a;
	hi->start = addr;
	a->end = addr;
	list_add(&hi->link, &a->link);
	return 0;
}

int vm_unmap(struct vm_space *vm, uintptr_t start, size_t len)
{
	struct vm_area *a, *n;
	uintptr_t end = start + len;

	if (!range_valid(start, len))
		return -EINVAL;
	if (split_at(vm, start) < 0 || split_at(vm, end) < 0)
		return -ENOMEM;
	list_for_each_entry_safe(a, n, &vm->areas, link)
	{
		if (a->start >= start && a->end <= end) {
			free_range(vm, a->start, a->end);
			list_del(&a->link);
			kfree(a);
		}
	}
	return 0;
}

int vm_protect(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot)
{
	struct vm_area *a;
	uintptr_t end = start + len, covered = start;

	if (!IS_ALIGNED(start, PAGE_SIZE) || start >= KERNEL_BASE || len > KERNEL_BASE - start)
		return -EINVAL;
	if (len == 0)
		return 0;
	list_for_each_entry(a, &vm->areas, link) /* sorted: check there is no hole */
	    if (a->start <= covered && a->end > covered) covered = a->end;
	if (covered < end)
		return -ENOMEM;
	if (split_at(vm, start) < 0 || split_at(vm, end) < 0)
		return -ENOMEM;
	list_for_each_entry(a, &vm->areas, link)
	{
		if (a->start < start || a->end > end)
			continue;
		a->prot = prot & VM_PROT_MASK;
		for (uintptr_t va = a->start; va < a->end; va += PAGE_SIZE)
			paging_set_flags(vm->pgdir, va, pte_flags(a->prot)); /* absent: skipped */
	}
	return 0;
}

uintptr_t vm_find_free(struct vm_space *vm, size_t len)
{
	struct vm_area *a;
	uintptr_t top = vm->mmap_top;

	if (!len || len > top - USER_BASE)
		return 0;
	for (struct list_head *l = vm->areas.prev; l != &vm->areas; l = l->prev) {
		a = list_entry(l, struct vm_area, link);
		if (a->start >= top)
			continue;
		if (a->end <= top && top - a->end >= len)
			return top - len;
		top = a->start;
	}
	if (top >= USER_BASE && top - USER_BASE >= len)
		return top - len;
	return 0;
}

uintptr_t vm_brk(struct vm_space *vm, uintptr_t newbrk)
{
	uintptr_t old_end = ALIGN_UP(vm->brk, PAGE_SIZE);
	uintptr_t new_end;

	if (newbrk < vm->brk_start || newbrk >= vm->mmap_top)
		return vm->brk;
	new_end = ALIGN_UP(newbrk, PAGE_SIZE);
	if (new_end > old_end) {
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
	list_for_each_entry(a, &src->areas, link)
	{
		struct vm_area *na = kzalloc(sizeof(*na), KM_KERNEL);
		if (!na)
			return -ENOMEM;
		*na = *a;
		list_add_tail(&na->link, &dst->areas); /* src is sorted, so dst is */
		for (uintptr_t va = a->start; va < a->end; va += PAGE_SIZE) {
			pte_t *e = paging_walk(src->pgdir, va, false, NULL);
			if (!e || !(*e & PTE_P))
				continue;
			struct page *pg = user_page_alloc(dst->owner);
			if (!pg)
				return -ENOMEM;
			uint32_t pa = (uint32_t)PFN_PHYS(page_to_pfn(pg));
			memcpy(phys_to_virt(pa), phys_to_virt(PTE_ADDR(*e)), PAGE_SIZE);
			if (paging_map(dst->pgdir, va, pa, *e & (PTE_W | PTE_U)) < 0) {
				free_pages(pg, 0);
				return -ENOMEM;
			}
			dst->rss_pages++;
		}
	}
	return 0;
}

int vm_fault(struct vm_space *vm, uintptr_t addr, uint32_t error)
{
	struct vm_area *a = vm_find(vm, addr);

	if (!a || (error & PF_P))
		return -EFAULT;
	if ((error & PF_W) && !(a->prot & VM_WRITE))
		return -EFAULT;
	if (!(a->prot & VM_PROT_MASK))
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
		e = paging_walk(vm->pgdir, page, false, NULL);
		if (!e || !(*e & PTE_P)) {
			if (populate_page(vm, page, a->prot) < 0)
				return -ENOMEM;
			e = paging_walk(vm->pgdir, page, false, NULL);
		}
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

	list_for_each_entry(a, &vm->areas, link) sum += a->end - a->start;
	return sum;
}
