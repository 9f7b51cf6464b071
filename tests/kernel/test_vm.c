/*
 * Guest tests of user address spaces (mm/vm.c over mm/vma.c), on a space built the way exec
 * builds one (not loaded, charged to a fresh owner): areas split by munmap and mprotect and
 * merged back; every user page and page table charged to the owner (the ledger counts them
 * exactly) and free memory back exactly after munmap and after vm_destroy; PROT_NONE pages
 * not present yet keeping their content; vm_fault refusing PROT_NONE, writes to read-only
 * areas and protection faults; the kernel's copy helpers failing on PROT_NONE and read-only
 * pages of the loaded space; brk keeping the stack's gap; mremap moving frames; and
 * MADV_DONTNEED (vm_discard) giving zeros back; reads mapping the zero page; fork sharing page
 * tables (On-Demand-Fork), then copying tables and pages on write, reusing a sole owner's page,
 * and either side going first with every frame and charge accounted.
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "mm/uaccess.h"
#include "mm/vm.h"
#include "sched/owner.h"
#include "x86/cpu.h"

#define VA        0x40000000u /* a user-half address in an empty span */
#define NPAGES    8u
#define LEN       (NPAGES * PAGE_SIZE)
#define PATTERN   0x5a
#define MAX_ERRNO 4095 /* -errno values lie in [-MAX_ERRNO, -1], as Linux's IS_ERR_VALUE */

static uint64_t free_now(void)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	return mi.free;
}

/*
 * Free memory once the slab caches the spaces use hold their first slabs: one space with a
 * few areas made and destroyed first, so a test's own counts see only its own pages.
 */
static uint64_t settled_free(void)
{
	struct owner *o = owner_create();
	struct vm_space *vm = o ? vm_create(o->id) : NULL;

	if (vm) {
		vm_map(vm, VA, LEN, VM_READ | VM_WRITE, VM_ANON);
		vm_protect(vm, VA + PAGE_SIZE, PAGE_SIZE, VM_READ);
		vm_protect(vm, VA + 3 * PAGE_SIZE, PAGE_SIZE, VM_READ);
		vm_destroy(vm);
	}
	if (o)
		owner_put(o);
	return free_now();
}

/* A space charged to a new owner; *@o gets the owner (NULL and a failure when none). */
static struct vm_space *space(struct ktest_ctx *t, struct owner **o)
{
	struct vm_space *vm;

	*o = owner_create();
	if (!*o) {
		ktest_fail(t, __FILE__, __LINE__, "owner_create failed");
		return NULL;
	}
	vm = vm_create((*o)->id);
	if (!vm)
		ktest_fail(t, __FILE__, __LINE__, "vm_create failed");
	return vm;
}

/* Destroy @vm, expect nothing left charged to @o and free memory at @before; drop @o. */
static void space_end(struct ktest_ctx *t, struct vm_space *vm, struct owner *o, uint64_t before)
{
	vm_destroy(vm);
	KEXPECT_EQ(t, o->page_count, 0);
	KEXPECT_EQ(t, owner_put(o), 0);
	KEXPECT_EQ(t, free_now(), before);
}

static uint32_t count_areas(struct vm_space *vm)
{
	return vm->areas.count;
}

/* The PTE of @va in @vm (NULL without a table). */
static pte_t *pte_of(struct vm_space *vm, uintptr_t va)
{
	return paging_walk(vm->pgdir, va, false, NULL);
}

KTEST(vm, pages_and_tables_are_charged_to_the_owner_and_freed_exactly)
{
	uint64_t before = settled_free();
	struct owner *o;
	struct vm_space *vm = space(t, &o);

	KASSERT(t, vm != NULL);
	KASSERT_EQ(t, vm_map(vm, VA, LEN, VM_READ | VM_WRITE, VM_ANON | VM_MAP_POPULATE), 0);
	KEXPECT_EQ(t, vm->rss_pages, NPAGES);
	KEXPECT_EQ(t, o->page_count, NPAGES + 1); /* the pages and their one table */
	uint64_t mapped = free_now();
	KEXPECT_EQ(t, vm_unmap(vm, VA + 2 * PAGE_SIZE, 3 * PAGE_SIZE), 0);
	KEXPECT_EQ(t, free_now(), mapped + 3 * PAGE_SIZE);
	KEXPECT_EQ(t, o->page_count, NPAGES - 3 + 1);
	KEXPECT_EQ(t, vm_unmap(vm, VA, LEN), 0); /* the span is empty: its table goes too */
	KEXPECT_EQ(t, o->page_count, 0);
	KEXPECT_EQ(t, vm->pgdir[PDX(VA)], 0);
	KEXPECT_EQ(t, vm_unmap(vm, VA, LEN), 0); /* nothing there: fine */
	KEXPECT_EQ(t, vm_map(vm, VA, LEN, VM_READ | VM_WRITE, VM_ANON), 0);
	space_end(t, vm, o, before);
}

KTEST(vm, munmap_and_mprotect_split_and_merge_areas)
{
	uint64_t before = settled_free();
	struct owner *o;
	struct vm_space *vm = space(t, &o);

	KASSERT(t, vm != NULL);
	KASSERT_EQ(t, vm_map(vm, VA, LEN, VM_READ | VM_WRITE, VM_ANON), 0);
	KASSERT_EQ(t, vm_map(vm, VA + LEN, LEN, VM_READ | VM_WRITE, VM_ANON), 0);
	KEXPECT_EQ(t, count_areas(vm), 1); /* adjacent and equal: merged */
	KEXPECT_EQ(t, vm_protect(vm, VA + PAGE_SIZE, PAGE_SIZE, VM_READ), 0);
	KEXPECT_EQ(t, count_areas(vm), 3);
	KEXPECT_EQ(t, vm_find(vm, VA + PAGE_SIZE)->prot, VM_READ);
	KEXPECT_EQ(t, vm_find(vm, VA + 2 * PAGE_SIZE)->prot, VM_READ | VM_WRITE);
	KEXPECT_EQ(t, vm_protect(vm, VA + PAGE_SIZE, PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KEXPECT_EQ(t, count_areas(vm), 1);
	KEXPECT_EQ(t, vm_unmap(vm, VA + 4 * PAGE_SIZE, PAGE_SIZE), 0);
	KEXPECT_EQ(t, count_areas(vm), 2);
	KEXPECT_EQ(t, vm_protect(vm, VA, LEN, VM_READ), -ENOMEM); /* the hole */
	KEXPECT_EQ(t, vm_find(vm, VA)->prot, VM_READ | VM_WRITE); /* nothing changed */
	KEXPECT_EQ(t, count_areas(vm), 2);
	KEXPECT_EQ(t, vm_map(vm, VA + LEN, PAGE_SIZE, VM_READ, VM_ANON), -EEXIST);
	space_end(t, vm, o, before);
}

KTEST(vm, prot_none_pages_are_not_present_and_keep_their_content)
{
	uint64_t before = settled_free();
	struct owner *o;
	struct vm_space *vm = space(t, &o);
	uint8_t buf[4] = { PATTERN, PATTERN, PATTERN, PATTERN };

	KASSERT(t, vm != NULL);
	KASSERT_EQ(t, vm_map(vm, VA, LEN, VM_READ | VM_WRITE, VM_ANON), 0);
	KASSERT_EQ(t, vm_write(vm, VA + 100, buf, sizeof(buf)), 0);
	KEXPECT_EQ(t, vm_protect(vm, VA, PAGE_SIZE, 0), 0);
	KEXPECT(t, !paging_is_mapped(vm->pgdir, VA));
	KEXPECT(t, vm_page_resident(vm, VA));                  /* the frame is kept */
	KEXPECT_EQ(t, vm_fault(vm, VA, 0), -EFAULT);           /* read */
	KEXPECT_EQ(t, vm_fault(vm, VA, PF_W | PF_U), -EFAULT); /* write */
	KEXPECT_EQ(t, vm_fault(vm, VA + LEN, PF_U), -EFAULT);  /* no area */
	KEXPECT_EQ(t, vm_protect(vm, VA + PAGE_SIZE, PAGE_SIZE, VM_READ), 0);
	KEXPECT_EQ(t, vm_fault(vm, VA + PAGE_SIZE, PF_P | PF_W | PF_U), -EFAULT);
	KEXPECT_EQ(t, vm_protect(vm, VA, PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KEXPECT(t, paging_is_mapped(vm->pgdir, VA));
	pte_t *e = pte_of(vm, VA);
	KASSERT(t, e != NULL);
	KEXPECT_EQ(t, ((uint8_t *)phys_to_virt(PTE_ADDR(*e)))[100], PATTERN);
	space_end(t, vm, o, before);
}

KTEST(vm, copy_helpers_fail_on_prot_none_and_read_only_pages)
{
	uint64_t before = settled_free();
	struct owner *o;
	struct vm_space *vm = space(t, &o);
	uint32_t v = 0x12345678, r = 0;

	KASSERT(t, vm != NULL);
	KASSERT_EQ(t, vm_map(vm, VA, 3 * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON | VM_MAP_POPULATE),
	           0);
	KASSERT_EQ(t, vm_protect(vm, VA + PAGE_SIZE, PAGE_SIZE, 0), 0);
	KASSERT_EQ(t, vm_protect(vm, VA + 2 * PAGE_SIZE, PAGE_SIZE, VM_READ), 0);

	uint32_t flags = irq_save(); /* the space is this task's only while interrupts are off */
	uint32_t cr3 = read_cr3();
	write_cr3(virt_to_phys(vm->pgdir));
	int rw = copy_to_user((void *)VA, &v, sizeof(v));
	int none_w = copy_to_user((void *)(VA + PAGE_SIZE), &v, sizeof(v));
	int none_r = copy_from_user(&r, (void *)(VA + PAGE_SIZE), sizeof(r));
	int none_z = clear_user((void *)(VA + PAGE_SIZE), sizeof(r));
	int ro_w = copy_to_user((void *)(VA + 2 * PAGE_SIZE), &v, sizeof(v));
	int ro_r = copy_from_user(&r, (void *)(VA + 2 * PAGE_SIZE), sizeof(r));
	write_cr3(cr3);
	irq_restore(flags);

	KEXPECT_EQ(t, rw, 0);
	KEXPECT_EQ(t, none_w, -EFAULT);
	KEXPECT_EQ(t, none_r, -EFAULT);
	KEXPECT_EQ(t, none_z, -EFAULT);
	KEXPECT_EQ(t, ro_w, -EFAULT);
	KEXPECT_EQ(t, ro_r, 0);
	pte_t *e = pte_of(vm, VA + PAGE_SIZE);
	KASSERT(t, e != NULL);
	KEXPECT_EQ(t, *(uint32_t *)phys_to_virt(PTE_ADDR(*e)), 0); /* nothing was written */
	space_end(t, vm, o, before);
}

KTEST(vm, brk_grows_shrinks_and_stops_short_of_the_next_area)
{
	uint64_t before = settled_free();
	struct owner *o;
	struct vm_space *vm = space(t, &o);

	KASSERT(t, vm != NULL);
	vm->brk_start = vm->brk = VA;
	KEXPECT_EQ(t, vm_brk(vm, VA + 3 * PAGE_SIZE + 1), VA + 3 * PAGE_SIZE + 1);
	KEXPECT_EQ(t, vm->rss_pages, 0); /* pages come on first touch */
	for (uintptr_t va = VA; va < VA + 4 * PAGE_SIZE; va += PAGE_SIZE)
		KEXPECT_EQ(t, vm_fault(vm, va, PF_W | PF_U), 0);
	KEXPECT_EQ(t, vm->rss_pages, 4);
	KEXPECT_EQ(t, vm_brk(vm, VA + PAGE_SIZE), VA + PAGE_SIZE);
	KEXPECT_EQ(t, vm->rss_pages, 1);
	KEXPECT_EQ(t, vm_brk(vm, VA - 1), VA + PAGE_SIZE); /* below the start */
	KASSERT_EQ(t, vm_map(vm, VA + 8 * PAGE_SIZE, PAGE_SIZE, VM_READ, VM_ANON), 0);
	KEXPECT_EQ(t, vm_brk(vm, VA + 8 * PAGE_SIZE), VA + PAGE_SIZE);     /* onto the area */
	KEXPECT_EQ(t, vm_brk(vm, VA + 7 * PAGE_SIZE + 1), VA + PAGE_SIZE); /* no page between */
	KEXPECT_EQ(t, vm_brk(vm, VA + 6 * PAGE_SIZE), VA + 6 * PAGE_SIZE);
	KASSERT_EQ(t,
	           vm_map(vm, USER_STACK_TOP - USER_STACK_MAX, USER_STACK_MAX, VM_READ | VM_WRITE,
	                  VM_GROWSDOWN),
	           0);
	KEXPECT_EQ(t, vm_find_free(vm, PAGE_SIZE), USER_MMAP_TOP - PAGE_SIZE);
	space_end(t, vm, o, before);
}

KTEST(vm, mremap_moves_frames_and_dontneed_gives_zeros)
{
	uint64_t before = settled_free();
	struct owner *o;
	struct vm_space *vm = space(t, &o);
	uint8_t b = PATTERN;

	KASSERT(t, vm != NULL);
	KASSERT_EQ(t, vm_map(vm, VA, 2 * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON | VM_MAP_POPULATE),
	           0);
	KASSERT_EQ(t, vm_map(vm, VA + 2 * PAGE_SIZE, PAGE_SIZE, VM_READ, VM_ANON | VM_MAP_POPULATE),
	           0);
	KEXPECT(t, vm_page_resident(vm, VA + 2 * PAGE_SIZE)); /* read in: the zero page, as Linux */
	KASSERT_EQ(t, vm_write(vm, VA + PAGE_SIZE, &b, 1), 0);
	uint32_t frame = PTE_ADDR(*pte_of(vm, VA + PAGE_SIZE));
	KEXPECT_EQ(t, vm_remap(vm, VA, 2 * PAGE_SIZE, 4 * PAGE_SIZE, false, 0), -ENOMEM);
	long to = vm_remap(vm, VA, 2 * PAGE_SIZE, 4 * PAGE_SIZE, true, 0);
	KASSERT(t, (unsigned long)to < (unsigned long)-MAX_ERRNO); /* an address, not -errno */
	KEXPECT(t, vm_find(vm, VA) == NULL);
	KEXPECT_EQ(t, PTE_ADDR(*pte_of(vm, (uintptr_t)to + PAGE_SIZE)), frame); /* moved */
	KEXPECT_EQ(t, vm->rss_pages,
	           2); /* the two moved (the zero page not counted); growth lazy */
	KEXPECT_EQ(t, vm_remap(vm, (uintptr_t)to, 4 * PAGE_SIZE, PAGE_SIZE, false, 0), to);
	KEXPECT_EQ(t, vm->rss_pages, 1);
	KEXPECT_EQ(t, vm_remap(vm, VA + 2 * PAGE_SIZE, 2 * PAGE_SIZE, 3 * PAGE_SIZE, true, 0),
	           -EFAULT); /* beyond its area */
	KEXPECT_EQ(t, vm_discard(vm, (uintptr_t)to, PAGE_SIZE), 0);
	KEXPECT(t, !vm_page_resident(vm, (uintptr_t)to));
	KEXPECT_EQ(t, vm_fault(vm, (uintptr_t)to, PF_W | PF_U), 0); /* demand-zero */
	KEXPECT_EQ(t, *(uint8_t *)phys_to_virt(PTE_ADDR(*pte_of(vm, (uintptr_t)to))), 0);
	KEXPECT_EQ(t, vm_discard(vm, VA, 4 * PAGE_SIZE), -ENOMEM); /* partly unmapped */
	space_end(t, vm, o, before);
}

/* The struct page of the frame @va maps in @vm. */
static struct page *frame_of(struct vm_space *vm, uintptr_t va)
{
	return pfn_to_page(PTE_ADDR(*pte_of(vm, va)) >> PAGE_SHIFT);
}

KTEST(vm, reads_map_the_zero_page_and_a_write_replaces_it)
{
	uint64_t before = settled_free();
	struct owner *o;
	struct vm_space *vm = space(t, &o);

	KASSERT(t, vm != NULL);
	KASSERT_EQ(t, vm_map(vm, VA, LEN, VM_READ | VM_WRITE, VM_ANON), 0);
	KEXPECT_EQ(t, vm->rss_pages, 0);
	KEXPECT_EQ(t, vm_fault(vm, VA, PF_U), 0);
	KEXPECT_EQ(t, vm_fault(vm, VA + PAGE_SIZE, 0), 0); /* a kernel read (copy_from_user) */
	KEXPECT_EQ(t, PTE_ADDR(*pte_of(vm, VA)), vm_zero_frame());
	KEXPECT_EQ(t, PTE_ADDR(*pte_of(vm, VA + PAGE_SIZE)), vm_zero_frame());
	KEXPECT(t, !(*pte_of(vm, VA) & PTE_W));
	KEXPECT(t, *pte_of(vm, VA) & PTE_COW);
	KEXPECT_EQ(t, vm->rss_pages, 0);
	KEXPECT_EQ(t, vm->zero_maps, 2);
	KEXPECT_EQ(t, o->page_count, 1); /* only the table */
	KEXPECT_EQ(t, vm_fault(vm, VA, PF_P | PF_W | PF_U), 0);
	KEXPECT(t, PTE_ADDR(*pte_of(vm, VA)) != vm_zero_frame());
	KEXPECT(t, *pte_of(vm, VA) & PTE_W);
	KEXPECT_EQ(t, *(uint32_t *)phys_to_virt(PTE_ADDR(*pte_of(vm, VA))), 0);
	KEXPECT_EQ(t, vm->rss_pages, 1);
	KEXPECT_EQ(t, *(uint32_t *)phys_to_virt(vm_zero_frame()), 0); /* still zero */
	/* A read-only area's read maps it too, never writable; its write is refused. */
	KASSERT_EQ(t, vm_map(vm, VA + LEN, PAGE_SIZE, VM_READ, VM_ANON), 0);
	KEXPECT_EQ(t, vm_fault(vm, VA + LEN, PF_U), 0);
	KEXPECT_EQ(t, *pte_of(vm, VA + LEN) & (PTE_W | PTE_COW), 0);
	KEXPECT_EQ(t, vm_fault(vm, VA + LEN, PF_P | PF_W | PF_U), -EFAULT);
	space_end(t, vm, o, before);
}

KTEST(vm, fork_shares_tables_then_pages_copy_on_write)
{
	uint64_t before = settled_free();
	struct owner *po, *co;
	struct vm_space *parent = space(t, &po), *child = space(t, &co);
	uint8_t a = 'A', b = 'B', c = 'C';

	KASSERT(t, parent != NULL && child != NULL);
	KASSERT_EQ(t, vm_map(parent, VA, 4 * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON), 0);
	for (uintptr_t va = VA; va < VA + 4 * PAGE_SIZE; va += PAGE_SIZE)
		KASSERT_EQ(t, vm_write(parent, va, &a, 1), 0);
	uint32_t table = PTE_ADDR(parent->pgdir[PDX(VA)]);
	uint32_t page1 = PTE_ADDR(*pte_of(parent, VA + PAGE_SIZE));
	KASSERT_EQ(t, vm_fork(child, parent), 0);

	/* One table, held by both directories, read-only in both; frames untouched. */
	KEXPECT_EQ(t, PTE_ADDR(child->pgdir[PDX(VA)]), table);
	KEXPECT(t, !(parent->pgdir[PDX(VA)] & PTE_W) && !(child->pgdir[PDX(VA)] & PTE_W));
	KEXPECT_EQ(t, page_ref_count(pfn_to_page(table >> PAGE_SHIFT)), 2);
	KEXPECT_EQ(t, page_ref_count(frame_of(parent, VA)), 1);
	KEXPECT_EQ(t, child->rss_pages, 4);
	KEXPECT_EQ(t, co->page_count, 0); /* fork charged the child nothing */

	/* The child's write copies the table, then the page. */
	KEXPECT_EQ(t, vm_write(child, VA, &b, 1), 0);
	KEXPECT(t, PTE_ADDR(child->pgdir[PDX(VA)]) != table);
	KEXPECT(t, child->pgdir[PDX(VA)] & PTE_W);
	KEXPECT_EQ(t, *(uint8_t *)phys_to_virt(PTE_ADDR(*pte_of(child, VA))), 'B');
	KEXPECT_EQ(t, *(uint8_t *)phys_to_virt(PTE_ADDR(*pte_of(parent, VA))), 'A');
	KEXPECT_EQ(t, page_ref_count(frame_of(parent, VA + PAGE_SIZE)), 2); /* both tables */
	KEXPECT(t, !(*pte_of(parent, VA + PAGE_SIZE) & PTE_W));
	KEXPECT(t, *pte_of(parent, VA + PAGE_SIZE) & PTE_COW);
	KEXPECT(t, !(*pte_of(child, VA + PAGE_SIZE) & PTE_W));
	KEXPECT_EQ(t, co->page_count, 2); /* its table and its copy */

	/* The parent, now the table's last holder, gets it back; its write copies the page. */
	KEXPECT_EQ(t, vm_fault(parent, VA + PAGE_SIZE, PF_P | PF_W | PF_U), 0);
	KEXPECT_EQ(t, PTE_ADDR(parent->pgdir[PDX(VA)]), table);
	KEXPECT(t, parent->pgdir[PDX(VA)] & PTE_W);
	KEXPECT(t, PTE_ADDR(*pte_of(parent, VA + PAGE_SIZE)) != page1);
	KEXPECT_EQ(t, PTE_ADDR(*pte_of(child, VA + PAGE_SIZE)), page1);
	KEXPECT_EQ(t, page_ref_count(pfn_to_page(page1 >> PAGE_SHIFT)), 1);
	KEXPECT_EQ(t, parent->cow_faults, 1);

	/* The child writes its now-sole copy of page1: reused in place, no copy. */
	KEXPECT_EQ(t, vm_write(child, VA + PAGE_SIZE, &c, 1), 0);
	KEXPECT_EQ(t, PTE_ADDR(*pte_of(child, VA + PAGE_SIZE)), page1);
	KEXPECT(t, *pte_of(child, VA + PAGE_SIZE) & PTE_W);

	/* The child goes: its directory, its table, its copy of VA and page1 (its alone now,
	 * though charged to the parent) are freed; the parent's shared pages come back to one
	 * reference, and its sole-owner write reuses the frame. */
	uint32_t page2 = PTE_ADDR(*pte_of(parent, VA + 2 * PAGE_SIZE));
	KEXPECT_EQ(t, page_ref_count(pfn_to_page(page2 >> PAGE_SHIFT)), 2);
	uint64_t f = free_now();
	vm_destroy(child);
	KEXPECT_EQ(t, co->page_count, 0);
	KEXPECT_EQ(t, owner_put(co), 0);
	KEXPECT_EQ(t, free_now() - f, 4 * PAGE_SIZE); /* and its page directory */
	KEXPECT_EQ(t, page_ref_count(pfn_to_page(page2 >> PAGE_SHIFT)), 1);
	KEXPECT_EQ(t, vm_fault(parent, VA + 2 * PAGE_SIZE, PF_P | PF_W | PF_U), 0);
	KEXPECT_EQ(t, PTE_ADDR(*pte_of(parent, VA + 2 * PAGE_SIZE)), page2);
	KEXPECT(t, *pte_of(parent, VA + 2 * PAGE_SIZE) & PTE_W);
	KEXPECT_EQ(t, *(uint8_t *)phys_to_virt(page2), 'A');
	space_end(t, parent, po, before);
}

KTEST(vm, a_parent_that_goes_first_leaves_the_child_whole)
{
	uint64_t before = settled_free();
	struct owner *po, *co;
	struct vm_space *parent = space(t, &po), *child = space(t, &co);
	uint8_t a = 'A';

	KASSERT(t, parent != NULL && child != NULL);
	KASSERT_EQ(t, vm_map(parent, VA, LEN, VM_READ | VM_WRITE, VM_ANON), 0);
	for (uintptr_t va = VA; va < VA + LEN; va += PAGE_SIZE)
		KASSERT_EQ(t, vm_write(parent, va, &a, 1), 0);
	KASSERT_EQ(t, vm_fork(child, parent), 0);
	KEXPECT_EQ(t, vm_write(parent, VA, &a, 1), 0); /* the parent copies the table */
	vm_destroy(parent);
	KEXPECT_EQ(t, po->page_count, 0); /* what the child still maps went to the kernel */
	KEXPECT_EQ(t, owner_put(po), 0);
	for (uintptr_t va = VA; va < VA + LEN; va += PAGE_SIZE)
		KEXPECT_EQ(t, *(uint8_t *)phys_to_virt(PTE_ADDR(*pte_of(child, va))), 'A');
	KEXPECT_EQ(t, vm_fault(child, VA, PF_P | PF_W | PF_U), 0); /* sole holder: reuse */
	space_end(t, child, co, before);
}

KTEST(vm, a_nowrite_area_refuses_write_permission)
{
	uint64_t before = settled_free();
	struct owner *o;
	struct vm_space *vm = space(t, &o);

	KASSERT(t, vm != NULL);
	KASSERT_EQ(t, vm_map(vm, VA, LEN, VM_READ, VM_ANON | VM_NOWRITE), 0);
	KASSERT_EQ(t, vm_map(vm, VA + LEN, LEN, VM_READ, VM_ANON), 0);
	KEXPECT_EQ(t, vm_protect(vm, VA, 2 * LEN, VM_READ | VM_WRITE), -EACCES);
	KEXPECT_EQ(t, vm_find(vm, VA + LEN)->prot, VM_READ); /* nothing changed, either area */
	KEXPECT_EQ(t, vm_protect(vm, VA, LEN, VM_READ | VM_EXEC), 0);
	KEXPECT_EQ(t, vm_protect(vm, VA + LEN, LEN, VM_READ | VM_WRITE), 0);
	space_end(t, vm, o, before);
}

/*
 * A parent that ends before its child while they still share page tables (the child never
 * wrote there, e.g. a read-only area): the parent's owner is released with its frames still
 * mapped by the child, which must keep them (they go to the kernel, not back to the
 * allocator), see the parent's bytes, and free them exactly at its own end.
 */
KTEST(vm, a_parent_ending_first_leaves_its_frames_to_the_child)
{
	uint64_t before = settled_free();
	uint8_t buf[64], back[64];
	struct owner *po, *co;
	struct vm_space *parent = space(t, &po);

	KASSERT(t, parent != NULL);
	memset(buf, PATTERN, sizeof(buf));
	KASSERT_EQ(t, vm_map(parent, VA, LEN, VM_READ | VM_WRITE, VM_ANON | VM_MAP_POPULATE), 0);
	KASSERT_EQ(t, vm_write(parent, VA + PAGE_SIZE, buf, sizeof(buf)), 0);
	struct vm_space *child = space(t, &co);
	KASSERT(t, child != NULL);
	KASSERT_EQ(t, vm_fork(child, parent), 0);
	vm_destroy(parent);
	KEXPECT_EQ(t, owner_put(po), 0); /* nothing freed: the child maps every frame */
	KEXPECT_EQ(t, vm_read(child, VA + PAGE_SIZE, back, sizeof(back)), sizeof(back));
	KEXPECT_EQ(t, memcmp(back, buf, sizeof(buf)), 0);
	space_end(t, child, co, before);
}

/*
 * The zero page is counted like any frame (one reference per PTE mapping it): reads map it,
 * fork shares the tables, a write in the child copies a table and replaces one mapping,
 * munmap and both ends drop the rest — and its count comes back exactly (an extra put would
 * free the zero page; vmcheck skips it, so this is its check).
 */
KTEST(vm, zero_page_references_come_back_after_reads_fork_cow_and_exit)
{
	struct owner *po, *co;
	struct vm_space *parent = space(t, &po);
	uint8_t one = 1;

	KASSERT(t, parent != NULL);
	struct page *zero = pfn_to_page(vm_zero_frame() >> PAGE_SHIFT);
	uint32_t base = page_ref_count(zero);
	KASSERT_EQ(t, vm_map(parent, VA, LEN, VM_READ | VM_WRITE, VM_ANON), 0);
	KASSERT_EQ(t, vm_populate(parent, VA, LEN, VM_POPULATE_READ), 0);
	KEXPECT_EQ(t, page_ref_count(zero), base + NPAGES);
	struct vm_space *child = space(t, &co);
	KASSERT(t, child != NULL);
	KASSERT_EQ(t, vm_fork(child, parent), 0);
	KEXPECT_EQ(t, page_ref_count(zero), base + NPAGES); /* the table is shared, not copied */
	KASSERT_EQ(t, vm_write(child, VA, &one, 1), 0);     /* copies the table, then the page */
	KEXPECT_EQ(t, page_ref_count(zero), base + 2 * NPAGES - 1);
	KEXPECT_EQ(t, vm_unmap(parent, VA + PAGE_SIZE, PAGE_SIZE), 0);
	KEXPECT_EQ(t, page_ref_count(zero), base + 2 * NPAGES - 2);
	vm_destroy(parent);
	KEXPECT_EQ(t, owner_put(po), 0);
	KEXPECT_EQ(t, page_ref_count(zero), base + NPAGES - 1);
	vm_destroy(child);
	KEXPECT_EQ(t, owner_put(co), 0);
	KEXPECT_EQ(t, page_ref_count(zero), base);
}
