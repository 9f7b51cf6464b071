/*
 * Guest tests of the auditor (mm/vmcheck.c, sched/proc_vmcheck.c): two spaces built as the
 * VM tests build them (written pages, a read-only area, a zero-page read, fork sharing the
 * table, a copy-on-write break) pass with nothing reported; then each invariant is broken
 * in turn by poking a PTE, a PDE, a refcount, a counter or an area directly, and the auditor
 * must report exactly that one failure, of that kind, naming the space, the address and the
 * frame — and pass again once the poke is undone (at the end every frame and charge comes
 * back exactly, so the restores were exact). Also: a freshly spawned process passes the
 * pass over every process and a poked one is named by pid; the preemption rule recognises a
 * kernel-mode trap frame on a (fake) task's stack, shared-object and page-cache pages count
 * their cache's reference (and live on without it once a shrunk object dropped them), calls a task
 * spinning in the kernel and preempted by the tick busy, and a sleeping one not.
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/preempt.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "mm/vmcheck.h"
#include "sched/owner.h"
#include "sched/proc.h"
#include "sched/proc_vmcheck.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "x86/cpu.h"
#include "x86/gdt.h"
#include "x86/trap.h"

#define VA      0x40000000u /* the read-write area: 8 pages */
#define NPAGES  8u
#define RO_VA   (VA + 16 * PAGE_SIZE) /* a read-only area of 2 pages, same table */
#define ZERO_VA (VA + 6 * PAGE_SIZE)  /* read once: the zero page */
#define FREE_VA (VA + 7 * PAGE_SIZE)  /* never touched: no frame */

struct fixture {
	struct owner *oa, *ob;
	struct vm_space *a, *b;
	uint64_t before;
};

static uint64_t free_now(void)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	return mi.free;
}

static pte_t *pte_of(struct vm_space *vm, uintptr_t va)
{
	return paging_walk(vm->pgdir, va, false, NULL);
}

static struct page *page_at(uint32_t pa)
{
	return pfn_to_page(pa >> PAGE_SHIFT);
}

/*
 * Build A (pages 0..5 written, page 6 read: the zero page, page 7 untouched; the read-only
 * area's first page filled), fork B from it, and let B write page 0: B copies the table (A
 * keeps the old one, its PDE still read-only) and page 0; pages 1..5 and the read-only page
 * are then shared by both tables, copy-on-write. A failed step is a test failure.
 */
static void build(struct ktest_ctx *t, struct fixture *f)
{
	uint8_t x = 'x';

	memset(f, 0, sizeof(*f));
	f->before = free_now();
	f->oa = owner_create();
	f->ob = owner_create();
	KASSERT(t, f->oa && f->ob);
	f->a = vm_create(f->oa->id);
	f->b = vm_create(f->ob->id);
	KASSERT(t, f->a && f->b);
	KASSERT_EQ(t, vm_map(f->a, VA, NPAGES * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON), 0);
	KASSERT_EQ(t, vm_map(f->a, RO_VA, 2 * PAGE_SIZE, VM_READ, VM_ANON), 0);
	for (unsigned i = 0; i < 6; i++)
		KASSERT_EQ(t, vm_write(f->a, VA + i * PAGE_SIZE, &x, 1), 0);
	KASSERT_EQ(t, vm_write(f->a, RO_VA, &x, 1), 0);
	KASSERT_EQ(t, vm_fault(f->a, ZERO_VA, PF_U), 0);
	KASSERT_EQ(t, PTE_ADDR(*pte_of(f->a, ZERO_VA)), vm_zero_frame());
	KASSERT_EQ(t, vm_fork(f->b, f->a), 0);
	KASSERT_EQ(t, vm_write(f->b, VA, &x, 1), 0);
	KASSERT(t, PTE_ADDR(f->a->pgdir[PDX(VA)]) != PTE_ADDR(f->b->pgdir[PDX(VA)]));
}

static bool built(struct ktest_ctx *t, struct fixture *f)
{
	int failures = t->failures;

	build(t, f);
	return t->failures == failures;
}

/* Destroy both spaces: every frame and charge back exactly. */
static void teardown(struct ktest_ctx *t, struct fixture *f)
{
	vm_destroy(f->b);
	vm_destroy(f->a);
	if (f->ob)
		KEXPECT_EQ(t, owner_put(f->ob), 0);
	if (f->oa)
		KEXPECT_EQ(t, owner_put(f->oa), 0);
	KEXPECT_EQ(t, free_now(), f->before);
}

/* A quiet pass over A and B; the number of failures, *@r the result. */
static unsigned audit(struct fixture *f, struct vmcheck_result *r)
{
	struct vmcheck *c = vmcheck_begin(2, VMCHECK_QUIET);

	if (!c) {
		memset(r, 0, sizeof(*r));
		return ~0u;
	}
	vmcheck_space(c, f->a, "pid 901 (a)");
	vmcheck_space(c, f->b, "pid 902 (b)");
	return vmcheck_end(c, r);
}

/* Does @s contain @sub? */
static bool contains(const char *s, const char *sub)
{
	size_t n = strlen(sub);

	for (; *s; s++)
		if (strncmp(s, sub, n) == 0)
			return true;
	return false;
}

/* Expect exactly one failure, of @kind, whose line starts with @head (space, address). */
static void expect_one(struct ktest_ctx *t, struct fixture *f, enum vmcheck_kind kind,
                       const char *head)
{
	struct vmcheck_result r;

	KEXPECT_EQ(t, audit(f, &r), 1);
	KEXPECT_EQ(t, r.by_kind[kind], 1);
	char tag[32];

	ksnprintf(tag, sizeof(tag), ": %s: ", vmcheck_kind_name(kind));
	if (strncmp(r.last, head, strlen(head)) != 0 || !contains(r.last, tag))
		ktest_fail(t, __FILE__, __LINE__, "report \"%s\", expected \"%s...: %s\"", r.last,
		           head, vmcheck_kind_name(kind));
}

static void expect_clean(struct ktest_ctx *t, struct fixture *f)
{
	struct vmcheck_result r;

	KEXPECT_EQ(t, audit(f, &r), 0);
	if (r.failures)
		ktest_fail(t, __FILE__, __LINE__, "last report: %s", r.last);
}

KTEST(vmcheck, built_spaces_pass_and_are_counted)
{
	struct fixture f;
	struct vmcheck_result r;

	if (built(t, &f)) {
		KEXPECT_EQ(t, audit(&f, &r), 0);
		KEXPECT_EQ(t, r.spaces, 2);
		KEXPECT_EQ(t, r.tables, 2); /* A's old table and B's copy */
		/* A: pages 0..5 and the read-only page; B: its copy of page 0 (the rest shared). */
		KEXPECT_EQ(t, r.frames, 8);
		KEXPECT_EQ(t, r.last[0], 0);
		/* Many passes in a row (with the boot option, over the kept map, whose generations
		 * wrap every 255 passes): each sees only its own counts. */
		for (unsigned i = 0; i < 600; i++)
			if (audit(&f, &r) != 0 || r.frames != 8) {
				ktest_fail(t, __FILE__, __LINE__, "pass %u: %u failures, %u frames",
				           i, r.failures, r.frames);
				break;
			}
		/* A space given twice is audited once. */
		struct vmcheck *c = vmcheck_begin(3, VMCHECK_QUIET);
		KASSERT(t, c != NULL);
		vmcheck_space(c, f.a, "a");
		vmcheck_space(c, f.a, "a again");
		vmcheck_space(c, f.b, "b");
		KEXPECT_EQ(t, vmcheck_end(c, &r), 0);
		KEXPECT_EQ(t, r.spaces, 2);
		/* More spaces than asked for: refused, and the global counts are skipped. */
		c = vmcheck_begin(1, VMCHECK_QUIET);
		KASSERT(t, c != NULL);
		KEXPECT_EQ(t, vmcheck_space(c, f.a, "a"), 0);
		KEXPECT_EQ(t, vmcheck_space(c, f.b, "b"), -ENOSPC);
		KEXPECT_EQ(t, vmcheck_end(c, &r), 0);
	}
	teardown(t, &f);
}

KTEST(vmcheck, a_refcount_off_by_one_is_named)
{
	struct fixture f;

	if (built(t, &f)) {
		uint32_t pa = PTE_ADDR(*pte_of(f.a, VA + PAGE_SIZE));
		get_page(page_at(pa));
		expect_one(t, &f, VMCHECK_REFCOUNT,
		           "vmcheck: FAIL pid 901 (a) 0x40001000 frame 0x");
		put_page_testzero(page_at(pa));
		expect_clean(t, &f);
		/* A table's refcount too. */
		uint32_t tpa = PTE_ADDR(f.b->pgdir[PDX(VA)]);
		get_page(page_at(tpa));
		expect_one(t, &f, VMCHECK_TABLE_REF,
		           "vmcheck: FAIL pid 902 (b) 0x40000000 frame 0x");
		put_page_testzero(page_at(tpa));
		expect_clean(t, &f);
	}
	teardown(t, &f);
}

KTEST(vmcheck, writable_cow_zero_and_file_pages_are_caught)
{
	struct fixture f;

	if (built(t, &f)) {
		pte_t *e = pte_of(f.a, VA + 2 * PAGE_SIZE), saved = *e;
		pde_t *pde = &f.a->pgdir[PDX(VA)], saved_pde = *pde;

		/* PTE_COW with PTE_W (A's PDE is still read-only: not effectively writable). */
		*e |= PTE_W;
		expect_one(t, &f, VMCHECK_COW_W, "vmcheck: FAIL pid 901 (a) 0x40002000 frame 0x");
		*e = saved;
		/* A shared frame made effectively writable in A: PDE.W (A holds its table alone,
		 * which is allowed) and PTE.W without PTE_COW. */
		*pde |= PTE_W;
		expect_clean(t, &f);
		*e = (saved & ~PTE_COW) | PTE_W;
		expect_one(t, &f, VMCHECK_WRITE_SHARED,
		           "vmcheck: FAIL pid 901 (a) 0x40002000 frame 0x");
		*e = saved;
		*pde = saved_pde;
		/* The zero page writable. */
		pte_t *z = pte_of(f.a, ZERO_VA), zsaved = *z;
		*z = (zsaved & ~PTE_COW) | PTE_W;
		expect_one(t, &f, VMCHECK_ZERO_W, "vmcheck: FAIL pid 901 (a) 0x40006000 frame 0x");
		*z = zsaved;
		/* A page-cache page (PTE_FILE) mapped writable outside a shared area (B's page 0;
		 * no object caches it, so its count is as before; the RSS file count follows). */
		pte_t *w = pte_of(f.b, VA), wsaved = *w;
		KEXPECT(t, wsaved & PTE_W);
		*w = wsaved | PTE_FILE;
		f.b->rss_file++;
		expect_one(t, &f, VMCHECK_FILE_W, "vmcheck: FAIL pid 902 (b) 0x40000000 frame 0x");
		f.b->rss_file--;
		*w = wsaved;
		expect_clean(t, &f);
	}
	teardown(t, &f);
}

KTEST(vmcheck, rss_areas_coverage_and_protection_are_checked)
{
	struct fixture f;

	if (built(t, &f)) {
		f.b->rss_pages++;
		expect_one(t, &f, VMCHECK_RSS, "vmcheck: FAIL pid 902 (b): rss");
		f.b->rss_pages--;
		f.a->areas.count++;
		expect_one(t, &f, VMCHECK_AREAS, "vmcheck: FAIL pid 901 (a): areas");
		f.a->areas.count--;
		/* The read-only area overlapping the one below it. */
		struct vm_area *ro = vm_find(f.a, RO_VA);
		KASSERT(t, ro != NULL);
		uint32_t grown =
		    (uint32_t)((RO_VA - (VA + (NPAGES - 1) * PAGE_SIZE)) >> PAGE_SHIFT);
		ro->start = VA + (NPAGES - 1) * PAGE_SIZE;
		f.a->total_vm += grown; /* the sizes follow the area: only the overlap breaks */
		expect_one(t, &f, VMCHECK_AREAS, "vmcheck: FAIL pid 901 (a) 0x40007000 frame 0x");
		/* The read-write area shrunk below page 6 (the zero page): uncovered. */
		ro->start = RO_VA;
		f.a->total_vm -= grown;
		struct vm_area *rw = vm_find(f.a, VA);
		uint32_t cut = (rw->flags & VM_ACCOUNT) ? NPAGES - 6 : 0;
		rw->end = VA + 6 * PAGE_SIZE;
		f.a->committed -= cut; /* the charge follows the area: only the coverage breaks */
		f.a->total_vm -= NPAGES - 6;
		f.a->data_vm -= NPAGES - 6;
		expect_one(t, &f, VMCHECK_UNCOVERED,
		           "vmcheck: FAIL pid 901 (a) 0x40006000 frame 0x");
		rw->end = VA + NPAGES * PAGE_SIZE;
		f.a->committed += cut;
		f.a->total_vm += NPAGES - 6;
		f.a->data_vm += NPAGES - 6;
		/* A commitment off by one page. */
		f.a->committed++;
		expect_one(t, &f, VMCHECK_RSS, "vmcheck: FAIL pid 901 (a): rss: committed");
		f.a->committed--;
		/* A writable PTE in the read-only area (A's PDE is read-only: only the area rule
		 * is broken, not the sharing one). */
		pte_t *e = pte_of(f.a, RO_VA), saved = *e;
		*e |= PTE_W;
		expect_one(t, &f, VMCHECK_PROT, "vmcheck: FAIL pid 901 (a) 0x40010000 frame 0x");
		*e = saved;
		expect_clean(t, &f);
	}
	teardown(t, &f);
}

KTEST(vmcheck, bad_frames_user_bits_and_the_kernel_half_are_caught)
{
	struct fixture f;
	struct mm_error err;

	if (built(t, &f)) {
		/* A present PTE without PTE_U. */
		pte_t *e = pte_of(f.a, VA + 3 * PAGE_SIZE), saved = *e;
		*e &= ~PTE_U;
		expect_one(t, &f, VMCHECK_USER_BITS,
		           "vmcheck: FAIL pid 901 (a) 0x40003000 frame 0x");
		*e = saved;
		/* A frame that is not an allocated head: the tail of an order-1 block. */
		struct page *blk = alloc_pages(1, GFP_KERNEL, &err);
		KASSERT(t, blk != NULL);
		uint32_t tail = (uint32_t)PFN_PHYS(page_to_pfn(blk) + 1);
		pte_t *free_pte = pte_of(f.a, FREE_VA);
		*free_pte = tail | PTE_P | PTE_U | PTE_COW;
		f.a->rss_pages++;
		expect_one(t, &f, VMCHECK_FRAME, "vmcheck: FAIL pid 901 (a) 0x40007000 frame 0x");
		/* A page table mapped as a user page. */
		*free_pte = PTE_ADDR(f.b->pgdir[PDX(VA)]) | PTE_P | PTE_U | PTE_COW;
		expect_one(t, &f, VMCHECK_MAPS_TABLE,
		           "vmcheck: FAIL pid 901 (a) 0x40007000 frame 0x");
		*free_pte = 0;
		f.a->rss_pages--;
		free_pages(blk, 1);
		/* A user-accessible kernel-half PDE. */
		pde_t *k = &f.b->pgdir[PDX(KERNEL_BASE)], ksaved = *k;
		*k |= PTE_U;
		expect_one(t, &f, VMCHECK_KERNEL_HALF,
		           "vmcheck: FAIL pid 902 (b) 0xc0000000 frame 0x");
		*k = ksaved;
		expect_clean(t, &f);
	}
	teardown(t, &f);
}

KTEST(vmcheck, a_shared_table_with_a_writable_pde_is_caught)
{
	struct fixture f;

	if (built(t, &f)) {
		/* A fork of B: B's table shared by B and C, both PDEs read-only. */
		struct owner *oc = owner_create();
		struct vm_space *c = oc ? vm_create(oc->id) : NULL;
		struct vmcheck_result r;
		KASSERT(t, c != NULL);
		KASSERT_EQ(t, vm_fork(c, f.b), 0);
		struct vmcheck *pass = vmcheck_begin(3, VMCHECK_QUIET);
		KASSERT(t, pass != NULL);
		vmcheck_space(pass, f.a, "a");
		vmcheck_space(pass, f.b, "b");
		vmcheck_space(pass, c, "c");
		KEXPECT_EQ(t, vmcheck_end(pass, &r), 0);
		c->pgdir[PDX(VA)] |= PTE_W;
		pass = vmcheck_begin(3, VMCHECK_QUIET);
		KASSERT(t, pass != NULL);
		vmcheck_space(pass, f.a, "a");
		vmcheck_space(pass, f.b, "b");
		vmcheck_space(pass, c, "c");
		KEXPECT_EQ(t, vmcheck_end(pass, &r), 1);
		KEXPECT_EQ(t, r.by_kind[VMCHECK_TABLE_W], 1);
		KEXPECT(t, strncmp(r.last, "vmcheck: FAIL c 0x40000000 frame 0x", 35) == 0);
		c->pgdir[PDX(VA)] &= ~PTE_W;
		vm_destroy(c);
		KEXPECT_EQ(t, owner_put(oc), 0);
		expect_clean(t, &f);
	}
	teardown(t, &f);
}

KTEST(vmcheck, a_report_is_one_logged_line)
{
	struct fixture f;

	if (built(t, &f)) {
		struct vmcheck_result r;
		uint32_t mark = printk_ring_mark();
		struct vmcheck *c = vmcheck_begin(2, 0);
		KASSERT(t, c != NULL);
		f.a->rss_pages += 2;
		vmcheck_space(c, f.a, "pid 901 (a)");
		vmcheck_space(c, f.b, "pid 902 (b)");
		KEXPECT_EQ(t, vmcheck_end(c, &r), 1);
		f.a->rss_pages -= 2;
		KEXPECT(t, printk_ring_contains(
			       mark, "vmcheck: FAIL pid 901 (a): rss: rss_pages 9, "
				     "7 frames mapped; rss_file 0, 0; rss_shmem 0, 0\n"));
	}
	teardown(t, &f);
}

KTEST(vmcheck, every_process_pass_names_a_poked_process_by_pid)
{
	static char *const argv[] = { "/builtin/tiny_exit", NULL };
	struct vmcheck_result r;
	char head[48];
	int status, pid;

	/* Preemption off: the new process stays unstarted (settled) while it is audited. */
	preempt_disable();
	pid = proc_spawn(argv[0], argv, NULL, false);
	if (pid < 0) {
		preempt_enable();
		KASSERT(t, pid >= 0);
	}
	struct proc *p = proc_lookup(pid);
	KEXPECT_EQ(t, proc_vmcheck_all(VMCHECK_QUIET, &r, NULL), 0);
	if (r.failures)
		ktest_fail(t, __FILE__, __LINE__, "last report: %s", r.last);
	KEXPECT(t, r.spaces >= 1 && r.tables >= 1 && r.frames >= 1);
	p->vm->rss_pages++;
	KEXPECT_EQ(t, proc_vmcheck_all(VMCHECK_QUIET, &r, NULL), 1);
	p->vm->rss_pages--;
	preempt_enable();
	ksnprintf(head, sizeof(head), "vmcheck: FAIL pid %d (tiny_exit): rss", pid);
	KEXPECT(t, strncmp(r.last, head, strlen(head)) == 0);
	KEXPECT_EQ(t, proc_wait_kernel(pid, &status), 0);
	KEXPECT_EQ(t, status, W_EXITCODE(42));
}

KTEST(vmcheck, a_kernel_mode_trap_frame_marks_a_task_busy)
{
	/* A fake task whose stack holds, from its saved esp up: a word, then trap_dispatch's
	 * argument (the frame's address), then the frame. */
	static uint32_t stack[128];
	struct task fake;
	uintptr_t top = (uintptr_t)&stack[128];
	struct trap_frame *tf = (struct trap_frame *)&stack[64];

	memset(stack, 0, sizeof(stack));
	memset(&fake, 0, sizeof(fake));
	fake.stack.bottom = (uintptr_t)stack;
	fake.stack.top = top;
	fake.esp = (uint32_t)(uintptr_t)&stack[60];
	KEXPECT(t, !proc_vmcheck_task_busy(&fake));
	stack[63] = (uint32_t)(uintptr_t)tf;
	tf->esp_at_pusha = (uint32_t)(uintptr_t)&tf->vector;
	tf->vector = T_IRQ0;
	tf->cs = SEL_UCODE; /* from user mode: switched out on its way back, not busy */
	KEXPECT(t, !proc_vmcheck_task_busy(&fake));
	tf->cs = SEL_KCODE; /* from kernel mode: busy */
	KEXPECT(t, proc_vmcheck_task_busy(&fake));
	fake.esp = (uint32_t)(uintptr_t)&stack[70]; /* above the frame: no longer live */
	KEXPECT(t, !proc_vmcheck_task_busy(&fake));
	fake.esp = (uint32_t)(uintptr_t)&stack[60];
	stack[63] = 0; /* not the argument trap_common pushes */
	KEXPECT(t, !proc_vmcheck_task_busy(&fake));
}

#define SHM_VA  0x48000000u /* another span: a shared object's 2 pages */
#define FILE_VA 0x50000000u /* another span: a private mapping of kernel bytes, 2 pages */

/* Bytes a memory object describes (kernel memory that is never freed). */
static uint8_t file_bytes[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* A quiet pass over @n spaces labelled "s0", "s1"...; the failures, *@r the result. */
static unsigned audit_spaces(struct vm_space **vms, unsigned n, struct vmcheck_result *r)
{
	struct vmcheck *c = vmcheck_begin(n, VMCHECK_QUIET);
	char label[8];

	if (!c)
		return ~0u;
	for (unsigned i = 0; i < n; i++) {
		ksnprintf(label, sizeof(label), "s%u", i);
		vmcheck_space(c, vms[i], label);
	}
	return vmcheck_end(c, r);
}

KTEST(vmcheck, shared_and_file_pages_count_their_cache_reference)
{
	struct owner *op = owner_create(), *oq = owner_create();
	struct vm_space *v[2] = { op ? vm_create(op->id) : NULL, oq ? vm_create(oq->id) : NULL };
	struct vm_object *shm = vm_object_shared(2 * PAGE_SIZE);
	struct vm_object *file = vm_object_memory(file_bytes, sizeof(file_bytes));
	struct vma_backing sb = { shm, SHM_VA, SHM_VA + 2 * PAGE_SIZE };
	struct vma_backing fb = { file, FILE_VA, FILE_VA + 2 * PAGE_SIZE };
	struct vmcheck_result r;
	uint8_t x = 'x';

	KASSERT(t, v[0] && v[1] && shm && file);
	KASSERT_EQ(
	    t, vm_map_backed(v[0], SHM_VA, 2 * PAGE_SIZE, VM_READ | VM_WRITE, VM_SHARED, &sb), 0);
	vm_object_put(shm); /* the area holds its own reference */
	KASSERT_EQ(t, vm_map_backed(v[0], FILE_VA, 2 * PAGE_SIZE, VM_READ, VM_FILE, &fb), 0);
	KASSERT_EQ(t, vm_write(v[0], SHM_VA, &x, 1), 0);
	KASSERT_EQ(t, vm_fault(v[0], FILE_VA, PF_U), 0);
	KEXPECT(t, *pte_of(v[0], FILE_VA) & PTE_FILE);
	/* A writable page-cache page in the private read-only file mapping: the file rule and
	 * the area's protection (a page-cache page is never private: not the sharing rule). */
	pte_t *fe = pte_of(v[0], FILE_VA), fsaved = *fe;
	*fe |= PTE_W;
	KEXPECT_EQ(t, audit_spaces(v, 1, &r), 2);
	KEXPECT_EQ(t, r.by_kind[VMCHECK_FILE_W], 1);
	KEXPECT_EQ(t, r.by_kind[VMCHECK_PROT], 1);
	*fe = fsaved;
	/* Both spaces write the shared page: PTE_FILE and writable in both (allowed), its
	 * refcount the two tables plus the object's. */
	KASSERT_EQ(t, vm_fork(v[1], v[0]), 0);
	KASSERT_EQ(t, vm_write(v[1], SHM_VA, &x, 1), 0);
	KASSERT_EQ(t, vm_write(v[0], SHM_VA, &x, 1), 0);
	uint32_t pa = PTE_ADDR(*pte_of(v[0], SHM_VA));
	KEXPECT_EQ(t, PTE_ADDR(*pte_of(v[1], SHM_VA)), pa);
	KEXPECT(t, (*pte_of(v[1], SHM_VA) & PTE_W) && (v[1]->pgdir[PDX(SHM_VA)] & PTE_W));
	KEXPECT(t, (*pte_of(v[0], SHM_VA) & PTE_W) && (v[0]->pgdir[PDX(SHM_VA)] & PTE_W));
	KEXPECT_EQ(t, page_ref_count(page_at(pa)), 3);
	KEXPECT_EQ(t, audit_spaces(v, 2, &r), 0);
	if (r.failures)
		ktest_fail(t, __FILE__, __LINE__, "last report: %s", r.last);
	/* The object's reference missing: named. */
	put_page_testzero(page_at(pa));
	KEXPECT_EQ(t, audit_spaces(v, 2, &r), 1);
	KEXPECT_EQ(t, r.by_kind[VMCHECK_REFCOUNT], 1);
	get_page(page_at(pa));
	/* The object shrunk to nothing (ftruncate): its pages live on, mapped, without the
	 * object's reference. */
	KEXPECT_EQ(t, vm_object_resize(shm, 0), 0);
	KEXPECT_EQ(t, page_ref_count(page_at(pa)), 2);
	KEXPECT_EQ(t, audit_spaces(v, 2, &r), 0);
	if (r.failures)
		ktest_fail(t, __FILE__, __LINE__, "last report: %s", r.last);
	vm_destroy(v[1]);
	vm_destroy(v[0]);
	KEXPECT_EQ(t, owner_put(oq), 0);
	KEXPECT_EQ(t, owner_put(op), 0);
}

static volatile bool spin_started, spin_stop;
static struct wait_queue sleep_wq = WAIT_QUEUE_INIT(sleep_wq);

/* Spin in the kernel until told to stop: only the tick can switch it out. */
static void spinner(void *arg)
{
	(void)arg;
	spin_started = true;
	while (!spin_stop)
		__asm__ volatile("pause");
}

/* Sleep once on sleep_wq. */
static void sleeper(void *arg)
{
	uint32_t flags = irq_save();

	(void)arg;
	wait_queue_sleep(&sleep_wq);
	irq_restore(flags);
}

KTEST(vmcheck, a_real_preempted_task_is_busy_and_a_sleeping_one_is_not)
{
	int code, spin, sleep;

	spin_started = spin_stop = false;
	spin = task_create(spinner, NULL, "vmcheck-spin");
	KASSERT(t, spin > 0);
	while (!spin_started)
		task_yield(); /* it runs until the tick preempts it: then we run again */
	struct task *st = task_lookup(spin);
	KEXPECT_EQ(t, st->state, TASK_RUNNABLE);
	KEXPECT(t, proc_vmcheck_task_busy(st));
	spin_stop = true;
	KEXPECT_EQ(t, task_wait(spin, &code), 0);

	sleep = task_create(sleeper, NULL, "vmcheck-sleep");
	KASSERT(t, sleep > 0);
	struct task *sl = task_lookup(sleep);
	while (sl->state != TASK_BLOCKED)
		task_yield();
	KEXPECT(t, !proc_vmcheck_task_busy(sl));
	uint32_t flags = irq_save();
	wake_up(&sleep_wq);
	irq_restore(flags);
	KEXPECT_EQ(t, task_wait(sleep, &code), 0);
}
