/*
 * Guest tests of the vDSO and [vvar] mapping (sched/vdso.c) on a space built as exec builds one:
 * [vvar] two pages right below [vdso], with the kinds and protections the maps file and the
 * fault handler rely on; the entry points inside the image; [vvar] never writable (mprotect
 * EACCES, a write fault refused); the pages a process reads are the live clock and status pages;
 * fork keeps the address, an unmapped vDSO yields no entry points; memory comes back exactly.
 */
#include "kernel/ktest.h"
#include "lib/elf.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lib/vvar.h"
#include "mm/layout.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "mm/kmalloc.h"
#include "sched/owner.h"
#include "sched/proc.h"
#include "sched/resource.h"
#include "sched/task.h"
#include "sched/vdso.h"
#include "x86/cpu.h"
#include "x86/mmu.h"
#include "x86/timer.h"

static uint64_t free_now(void)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	return mi.free;
}

/* A space with [vvar] and [vdso] mapped and faulted in, charged to a new owner *@o. */
static struct vm_space *vdso_space(struct ktest_ctx *t, struct owner **o)
{
	struct vm_space *vm;

	*o = owner_create();
	vm = *o ? vm_create((*o)->id) : NULL;
	if (!vm) {
		ktest_fail(t, __FILE__, __LINE__, "no owner or space");
		return NULL;
	}
	if (vdso_map(vm) < 0 || vm_populate(vm, vm->vdso_base - VVAR_PAGES * PAGE_SIZE,
	                                    (VVAR_PAGES + 1) * PAGE_SIZE, VM_POPULATE_READ) < 0)
		ktest_fail(t, __FILE__, __LINE__, "vdso_map or populate failed");
	return vm;
}

static void space_end(struct vm_space *vm, struct owner *o)
{
	vm_destroy(vm);
	if (o)
		owner_put(o);
}

/* Free memory once the vDSO's page-cache page and the areas' slabs exist. */
static uint64_t settled_free(struct ktest_ctx *t)
{
	struct owner *o;
	struct vm_space *vm = vdso_space(t, &o);

	if (vm)
		space_end(vm, o);
	return free_now();
}

KTEST(vdso, vvar_lies_below_vdso_with_its_kinds_and_protections)
{
	uint64_t before = settled_free(t);
	struct owner *o;
	struct vm_space *vm = vdso_space(t, &o);

	KASSERT(t, vm != NULL);
	uintptr_t base = vm->vdso_base;
	struct vm_area *text = vm_find(vm, base), *vvar = vm_find(vm, base - 1);
	KASSERT(t, text != NULL && vvar != NULL);
	KEXPECT_EQ(t, vm->areas.count, 2u);
	KEXPECT_EQ(t, text->start, base);
	KEXPECT_EQ(t, text->prot, VM_READ | VM_EXEC);
	KEXPECT(t, text->flags & VM_VDSO);
	KEXPECT(t, !(text->flags & (VM_SHARED | VM_ACCOUNT)));
	KEXPECT_EQ(t, vvar->start, base - VVAR_PAGES * PAGE_SIZE);
	KEXPECT_EQ(t, vvar->end, base);
	KEXPECT_EQ(t, vvar->prot, VM_READ);
	KEXPECT_EQ(t, vvar->flags & (VM_VVAR | VM_SHARED | VM_NOWRITE),
	           VM_VVAR | VM_SHARED | VM_NOWRITE);
	KEXPECT(t, base + (uint32_t)(vdso_image_end - vdso_image_start) <= text->end);
	KEXPECT_EQ(t, text->end, USER_VDSO_END); /* above the stack, in its table */
	for (unsigned s = 0; s < VDSO_SYMS; s++) {
		uint32_t va = vdso_sym_addr(vm, (enum vdso_sym)s);
		KEXPECT(t, va > base && va < text->end);
	}
	/* the image is what processes read, and [vvar] never becomes writable */
	uint8_t magic[4] = { 0 };
	KEXPECT_EQ(t, vm_read(vm, base, magic, 4), 4u);
	KEXPECT(t, magic[0] == ELFMAG0 && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F');
	KEXPECT_EQ(t, vm_protect(vm, vvar->start, PAGE_SIZE, VM_READ | VM_WRITE), -EACCES);
	KEXPECT_EQ(t, vm_fault(vm, vvar->start, PF_P | PF_W | PF_U), -EFAULT);
	KEXPECT_EQ(t, vm_fault(vm, base, PF_P | PF_W | PF_U), -EFAULT);
	space_end(vm, o);
	KEXPECT_EQ(t, free_now(), before);
}

KTEST(vdso, vvar_pages_are_the_live_clock_and_status)
{
	struct owner *o;
	struct vm_space *vm = vdso_space(t, &o);
	struct vclock vc;
	struct vvar_memstatus ms;
	struct mm_meminfo mi;

	KASSERT(t, vm != NULL);
	uintptr_t lo = vm->vdso_base - VVAR_PAGES * PAGE_SIZE;
	uint32_t start = timer_ticks();
	while (timer_ticks() - start < 2)
		cpu_sti_hlt();
	uint32_t flags = irq_save(); /* no tick between the reads */
	uint32_t now = timer_ticks();
	KEXPECT_EQ(t, vm_read(vm, lo, &vc, sizeof(vc)), sizeof(vc));
	KEXPECT_EQ(t, vm_read(vm, lo + PAGE_SIZE, &ms, sizeof(ms)), sizeof(ms));
	mm_meminfo(&mi);
	irq_restore(flags);
	KEXPECT_EQ(t, vc.seq & 1, 0u);
	KEXPECT_EQ(t, vc.ticks, now);
	KEXPECT_EQ(t, vc.mono_sec * 1000u + vc.mono_nsec / 1000000u, now);
	KEXPECT(t, vc.mult != 0); /* calibrated after the first ticks */
	KEXPECT_EQ(t, ms.seq & 1, 0u);
	KEXPECT_EQ(t, ms.status.version, STRATA_MEMSTATUS_VERSION);
	KEXPECT_EQ(t, ms.status.ticks, now);
	KEXPECT_EQ(t, ms.status.total_kb, (uint32_t)(mi.total >> 10));
	KEXPECT_EQ(t, ms.status.free_kb, (uint32_t)(mi.free >> 10));
	KEXPECT_EQ(t, ms.status.available_kb, ms.status.free_kb);
	KEXPECT_EQ(t, ms.status.committed_kb, (uint32_t)(mi.committed >> 10));
	KEXPECT_EQ(t, ms.status.commit_limit_kb, (uint32_t)(vm_commit_limit_pages() * 4));
	struct mm_status mst;
	mm_status(&mst);
	KEXPECT_EQ(t, ms.status.level, mst.level);
	KEXPECT_EQ(t, ms.status.level_changes, mst.level_changes);
	for (unsigned i = 0; i < ARRAY_SIZE(ms.status.reserved); i++)
		KEXPECT_EQ(t, ms.status.reserved[i], 0u);

	/* 64 pages taken elsewhere show on the page at the next tick */
	struct mm_error err;
	struct page *blk = alloc_pages(6, GFP_KERNEL, &err);
	KASSERT(t, blk != NULL);
	start = timer_ticks();
	while (timer_ticks() == start)
		cpu_sti_hlt();
	flags = irq_save();
	KEXPECT_EQ(t, vm_read(vm, lo + PAGE_SIZE, &ms, sizeof(ms)), sizeof(ms));
	mm_meminfo(&mi);
	irq_restore(flags);
	KEXPECT_EQ(t, ms.status.free_kb, (uint32_t)(mi.free >> 10));
	free_pages(blk, 6);
	space_end(vm, o);
}

KTEST(vdso, fork_keeps_the_address_and_an_unmapped_vdso_has_no_entry_points)
{
	uint64_t before = settled_free(t);
	struct owner *o;
	struct vm_space *vm = vdso_space(t, &o);

	KASSERT(t, vm != NULL);
	struct vm_space *child = vm_create(o->id);
	KASSERT(t, child != NULL);
	KEXPECT_EQ(t, vm_fork(child, vm), 0);
	KEXPECT_EQ(t, child->vdso_base, vm->vdso_base);
	KEXPECT_EQ(t, vdso_sym_addr(child, VDSO_SYM_RT_SIGRETURN),
	           vdso_sym_addr(vm, VDSO_SYM_RT_SIGRETURN));
	vm_destroy(child);
	KEXPECT_EQ(t, vm_unmap(vm, vm->vdso_base, PAGE_SIZE), 0);
	KEXPECT_EQ(t, vdso_sym_addr(vm, VDSO_SYM_SIGRETURN), 0u);
	space_end(vm, o);
	KEXPECT_EQ(t, free_now(), before);
}

/* A switch to a process writes its own figures: RSS, commitment, RLIMIT_AS and the cap. */
KTEST(vdso, a_switch_shows_the_processs_own_figures)
{
	struct owner *o;
	struct vm_space *vm = vdso_space(t, &o);
	struct proc *p = kzalloc(sizeof(*p), KM_KERNEL);
	struct task *tk = kzalloc(sizeof(*tk), KM_KERNEL);
	struct vvar_memstatus ms;

	KASSERT(t, vm && p && tk);
	KASSERT_EQ(t, vm_map(vm, 0x40000000u, 8 * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON), 0);
	KASSERT_EQ(t, vm_populate(vm, 0x40000000u, 3 * PAGE_SIZE, VM_POPULATE_WRITE), 0);
	uintptr_t status = vm->vdso_base - PAGE_SIZE;
	p->vm = vm;
	p->task = tk;
	tk->owner = o;
	p->res.rlim[RLIMIT_AS].cur = 64u << 20;
	o->limit = 32u << 20;
	uint32_t flags = irq_save(); /* no tick in between */
	vdso_switch_to(p);
	KEXPECT_EQ(t, vm_read(vm, status, &ms, sizeof(ms)), sizeof(ms));
	irq_restore(flags);
	KEXPECT_EQ(t, ms.status.rss_kb, vm->rss_pages * 4u);
	KEXPECT(t, vm->rss_pages >= 3u + VVAR_PAGES + 1u);
	KEXPECT_EQ(t, ms.status.proc_committed_kb, 8u * 4u); /* the writable area's 8 pages */
	KEXPECT_EQ(t, ms.status.as_limit_kb, 65536u);
	KEXPECT_EQ(t, ms.status.cap_kb, 32768u);

	p->res.rlim[RLIMIT_AS].cur = RLIM_INFINITY;
	o->limit = 0;
	flags = irq_save();
	vdso_switch_to(p);
	KEXPECT_EQ(t, vm_read(vm, status, &ms, sizeof(ms)), sizeof(ms));
	irq_restore(flags);
	KEXPECT_EQ(t, ms.status.as_limit_kb, STRATA_MEMSTATUS_UNLIMITED);
	KEXPECT_EQ(t, ms.status.cap_kb, STRATA_MEMSTATUS_UNLIMITED);
	kfree(tk);
	kfree(p);
	space_end(vm, o);
}
