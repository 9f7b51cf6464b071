/*
 * vdso: the vDSO and the [vvar] pages in every process (contracts in include/sched/vdso.h).
 *
 * Objects. The image's pages come from a memory object over the embedded bytes (the page
 * cache shares them between processes, as a program's text); the vvar pages are two kernel
 * pages in a pinned object (include/mm/pager.h), mapped VM_SHARED read-only and VM_NOWRITE, so
 * mprotect cannot make them writable (EACCES, as Linux's [vvar]); a write faults: SIGSEGV.
 *
 * The memory-status page (struct vvar_memstatus) is written under its sequence counter:
 *   - on every tick (vdso_tick, a timer hook): the system figures, and the figures of the
 *     process the tick interrupted, if any;
 *   - on every switch to a user process (vdso_switch_to, from the scheduler): that process's
 *     figures.
 * One CPU runs one process at a time, so the process figures on the page are always the
 * reader's own: a reader preempted half-way sees the counter moved and reads again after it is
 * scheduled back, by which time the switch has put its figures back. (Several CPUs would need
 * a page per CPU.) Both writers run with interrupts masked.
 */
#include "sched/vdso.h"

#include "lib/compiler.h"
#include "lib/elf.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/vvar.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "sched/owner.h"
#include "sched/proc.h"
#include "sched/resource.h"
#include "sched/task.h"
#include "x86/cpu.h"
#include "x86/pageops.h"
#include "x86/timer.h"

#define KB_PER_PAGE (PAGE_SIZE / 1024u)

_Static_assert(sizeof(struct vclock) <= PAGE_SIZE, "the clock fits its page");
_Static_assert(sizeof(struct strata_memstatus) == 128, "the status struct is 128 bytes (ABI)");
_Static_assert(offsetof(struct strata_memstatus, reserved) == VVAR_MEMSTATUS_WORDS * 4,
               "version 1 fills the words before reserved");

static const char *const sym_names[VDSO_SYMS] = {
	[VDSO_SYM_VSYSCALL] = "__kernel_vsyscall",
	[VDSO_SYM_SIGRETURN] = "__kernel_sigreturn",
	[VDSO_SYM_RT_SIGRETURN] = "__kernel_rt_sigreturn",
};

static bool enabled; /* vdso=1: exec maps it */
static uint32_t sym_off[VDSO_SYMS];
static uint32_t image_pages; /* the image rounded up to pages */
static struct vm_object *text_obj, *vvar_obj;
static struct vvar_memstatus *status_page; /* direct-map address of the second vvar page */

/* Begin/end a write of the status page (interrupts masked by the caller). */
static void status_begin(void)
{
	status_page->seq++;
	vclock_barrier();
}
static void status_end(void)
{
	vclock_barrier();
	status_page->seq++;
}

/* kB of @pages, saturated below STRATA_MEMSTATUS_UNLIMITED. */
static uint32_t pages_kb(uint64_t pages)
{
	uint64_t kb = pages * KB_PER_PAGE;
	return kb >= STRATA_MEMSTATUS_UNLIMITED ? STRATA_MEMSTATUS_UNLIMITED - 1 : (uint32_t)kb;
}

/* @p's own figures into the page (inside a write). */
static void fill_process(struct strata_memstatus *st, struct proc *p)
{
	const struct vm_space *vm = p->vm;
	const struct owner *o = p->task ? p->task->owner : NULL;
	uint32_t as = p->res.rlim[RLIMIT_AS].cur;

	st->rss_kb = vm ? pages_kb(vm->rss_pages) : 0;
	st->proc_committed_kb = vm ? pages_kb(vm->committed) : 0;
	st->as_limit_kb = as == RLIM_INFINITY ? STRATA_MEMSTATUS_UNLIMITED : as / 1024u;
	st->cap_kb = o && o->limit ? pages_kb(o->limit / PAGE_SIZE) : STRATA_MEMSTATUS_UNLIMITED;
}

/* The system's figures into the page (inside a write). */
static void fill_system(struct strata_memstatus *st, uint32_t ticks)
{
	struct mm_status ms;

	mm_status(&ms);
	st->ticks = ticks;
	st->total_kb = pages_kb(ms.total_pages);
	st->free_kb = pages_kb(ms.free_pages);
	st->available_kb = st->free_kb; /* as /proc/meminfo's MemAvailable */
	st->committed_kb = pages_kb(vm_committed_pages());
	st->commit_limit_kb = pages_kb(vm_commit_limit_pages());
	st->level = ms.level;
	st->level_changes = ms.level_changes;
}

/* The timer hook (interrupt context): refresh the system figures and the running process's. */
static void vdso_tick(uint32_t ticks)
{
	struct proc *p = task_current()->proc;

	status_begin();
	fill_system(&status_page->status, ticks);
	if (p)
		fill_process(&status_page->status, p);
	status_end();
}

void vdso_switch_to(struct proc *p)
{
	if (!status_page)
		return;
	status_begin();
	fill_process(&status_page->status, p);
	status_end();
}

void vdso_init(bool map)
{
	uint32_t size = (uint32_t)(vdso_image_end - vdso_image_start);
	struct page *pages[VVAR_PAGES];
	struct mm_error err;

	enabled = map;
	if (elf_check_vdso(vdso_image_start, size) < 0)
		panic("vdso: the embedded image is not a vDSO (%u bytes)", size);
	for (unsigned i = 0; i < VDSO_SYMS; i++)
		if (elf_dynsym_lookup(vdso_image_start, size, sym_names[i], &sym_off[i]) < 0 ||
		    sym_off[i] >= size)
			panic("vdso: the image has no %s", sym_names[i]);
	image_pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	for (unsigned i = 0; i < VVAR_PAGES; i++)
		pages[i] =
		    alloc_pages(0, GFP_KERNEL | __GFP_ZERO | __GFP_KOWNED | __GFP_NOFAIL, &err);
	vvar_obj = vm_object_pinned(pages, VVAR_PAGES);
	/* whole pages (kernel/vdso_image.asm pads the last with zeros), so every process maps
	 * the page cache's pages instead of a private copy of a page the image's end cuts */
	text_obj = vm_object_memory(vdso_image_start, image_pages * PAGE_SIZE);
	if (!vvar_obj || !text_obj)
		panic("vdso: no memory for the vDSO's objects");
	vm_object_get(text_obj); /* ours: drop_caches never frees it */
	status_page = phys_to_virt(PFN_PHYS(page_to_pfn(pages[1])));
	status_page->status.version = STRATA_MEMSTATUS_VERSION;
	timer_vclock_publish(phys_to_virt(PFN_PHYS(page_to_pfn(pages[0]))));
	if (timer_add_hook(vdso_tick) < 0)
		panic("vdso: no timer hook slot for the status page");
	pr_info("vdso: %u-byte image (%u page%s), [vvar] %u pages%s\n", size, image_pages,
	        image_pages == 1 ? "" : "s", VVAR_PAGES, map ? "" : "; not mapped (vdso=0)");
}

int vdso_map(struct vm_space *vm)
{
	uint32_t vvar_len = VVAR_PAGES * PAGE_SIZE, len = vvar_len + image_pages * PAGE_SIZE;
	uintptr_t lo = USER_VDSO_END - len, text;
	int rc;

	if (!enabled)
		return 0;
	if (!vm_range_free(vm, lo, len) && !(lo = vm_find_free(vm, len)))
		return -ENOMEM;
	text = lo + vvar_len;
	struct vma_backing vvar = { vvar_obj, lo, text };
	struct vma_backing image = { text_obj, text, text + image_pages * PAGE_SIZE };
	rc = vm_map_backed(vm, lo, vvar_len, VM_READ, VM_SHARED | VM_NOWRITE | VM_VVAR, &vvar);
	if (rc == 0)
		rc = vm_map_backed(vm, text, len - vvar_len, VM_READ | VM_EXEC, VM_VDSO, &image);
	/* glibc's start-up reads the image at once (its ELF header and symbols): map its pages
	 * now rather than take a fault for them */
	if (rc == 0)
		rc = vm_populate(vm, text, len - vvar_len, VM_POPULATE_READ);
	if (rc < 0)
		return rc; /* the caller destroys the space, and the [vvar] area with it */
	vm->vdso_base = text;
	return 0;
}

uint32_t vdso_sym_addr(struct vm_space *vm, enum vdso_sym sym)
{
	const struct vm_area *a = vm->vdso_base ? vm_find(vm, vm->vdso_base) : NULL;

	if (!a || !(a->flags & VM_VDSO) || a->backing.base != vm->vdso_base)
		return 0;
	return vm->vdso_base + sym_off[sym];
}
