/*
 * Guest tests of the virtual-memory statistics: the vmstat counters (pgfault, pgalloc,
 * pgfree, zero-page maps, COW copies and reuses, table sharing and copies) and meminfo's
 * AnonPages move by exactly what a sequence of faults on a built space does; vm_range_stats
 * (pmap's RSS and Dirty) counts frames but not the zero page; the commitment (Committed_AS)
 * is charged and uncharged exactly by mmap, NORESERVE, mprotect, munmap, stack growth, fork
 * and exit; and proc_pmap prints a live process's areas in pmap -x's columns.
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "sched/owner.h"
#include "sched/proc.h"
#include "sched/task.h"
#include "x86/mmu.h"

#define VA 0x40000000u

static uint64_t anon_bytes(void)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	return mi.anon;
}

KTEST(vmstat, counters_and_anon_pages_follow_the_faults)
{
	struct owner *po = owner_create(), *co = owner_create();
	struct vm_space *parent = po ? vm_create(po->id) : NULL;
	struct vm_space *child = co ? vm_create(co->id) : NULL;
	uint32_t rss, dirty;

	KASSERT(t, parent != NULL && child != NULL);
	KASSERT_EQ(t, vm_map(parent, VA, 4 * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON), 0);
	struct vm_counters c0 = vm_counters;
	uint64_t anon0 = anon_bytes();

	KEXPECT_EQ(t, vm_fault(parent, VA, PF_U), 0);                    /* zero page */
	KEXPECT_EQ(t, vm_fault(parent, VA + PAGE_SIZE, PF_W | PF_U), 0); /* new page */
	KEXPECT_EQ(t, vm_fault(parent, VA + 2 * PAGE_SIZE, PF_W | PF_U), 0);
	KEXPECT_EQ(t, vm_counters.pgfault - c0.pgfault, 3);
	KEXPECT_EQ(t, vm_counters.zero_maps - c0.zero_maps, 1);
	KEXPECT_EQ(t, vm_counters.pgalloc - c0.pgalloc, 2);
	KEXPECT_EQ(t, anon_bytes() - anon0, 2 * PAGE_SIZE);
	vm_range_stats(parent, VA, VA + 4 * PAGE_SIZE, &rss, &dirty);
	KEXPECT_EQ(t, rss, 2);   /* the zero page is not resident memory of the space */
	KEXPECT_EQ(t, dirty, 0); /* nothing wrote through these PTEs: the kernel filled them */

	KASSERT_EQ(t, vm_fork(child, parent), 0);
	KEXPECT_EQ(t, vm_counters.forks - c0.forks, 1);
	KEXPECT_EQ(t, vm_fault(child, VA + PAGE_SIZE, PF_P | PF_W | PF_U), 0); /* copies */
	KEXPECT_EQ(t, vm_counters.table_copies - c0.table_copies, 1);
	KEXPECT_EQ(t, vm_counters.cow_copy - c0.cow_copy, 1);
	KEXPECT_EQ(t, anon_bytes() - anon0, 3 * PAGE_SIZE);
	vm_destroy(child);
	KEXPECT_EQ(t, anon_bytes() - anon0, 2 * PAGE_SIZE); /* the copy went with the child */
	KEXPECT_EQ(t, vm_counters.pgfree - c0.pgfree, 1);
	KEXPECT_EQ(t, vm_fault(parent, VA + 2 * PAGE_SIZE, PF_P | PF_W | PF_U), 0); /* sole owner */
	KEXPECT_EQ(t, vm_counters.cow_reuse - c0.cow_reuse, 1);
	vm_destroy(parent);
	KEXPECT_EQ(t, anon_bytes(), anon0);
	KEXPECT_EQ(t, owner_put(co), 0);
	KEXPECT_EQ(t, owner_put(po), 0);
}

static uint64_t committed_bytes(void)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	return mi.committed;
}

KTEST(vmstat, the_commitment_follows_maps_protections_forks_and_the_stack)
{
	struct owner *po = owner_create(), *co = owner_create();
	struct vm_space *parent = po ? vm_create(po->id) : NULL;
	struct vm_space *child = co ? vm_create(co->id) : NULL;
	uint64_t c0 = committed_bytes();

	KASSERT(t, parent != NULL && child != NULL);
	KASSERT_EQ(t, vm_map(parent, VA, 4 * PAGE_SIZE, VM_READ | VM_WRITE, VM_ANON), 0);
	KEXPECT_EQ(t, parent->committed, 4); /* private writable: charged at mmap */
	KASSERT_EQ(t,
	           vm_map(parent, VA + 8 * PAGE_SIZE, 4 * PAGE_SIZE, VM_READ | VM_WRITE,
	                  VM_ANON | VM_NORESERVE),
	           0);
	KASSERT_EQ(t, vm_map(parent, VA + 16 * PAGE_SIZE, 4 * PAGE_SIZE, VM_READ, VM_ANON), 0);
	KEXPECT_EQ(t, parent->committed, 4); /* NORESERVE and read-only: not charged */
	KEXPECT_EQ(t, vm_protect(parent, VA + 16 * PAGE_SIZE, 2 * PAGE_SIZE, VM_READ | VM_WRITE),
	           0);
	KEXPECT_EQ(t, parent->committed, 6); /* made writable: charged */
	KEXPECT_EQ(t, vm_protect(parent, VA + 16 * PAGE_SIZE, 2 * PAGE_SIZE, VM_READ), 0);
	KEXPECT_EQ(t, parent->committed, 6); /* as Linux: the charge stays */
	KEXPECT_EQ(t, vm_unmap(parent, VA + PAGE_SIZE, PAGE_SIZE), 0);
	KEXPECT_EQ(t, parent->committed, 5); /* uncharged exactly, the area split */
	KASSERT_EQ(t,
	           vm_map(parent, USER_STACK_TOP - USER_STACK_MAX, USER_STACK_MAX,
	                  VM_READ | VM_WRITE, VM_GROWSDOWN),
	           0);
	KEXPECT_EQ(t, parent->committed, 5); /* the stack: charged as it grows */
	KEXPECT_EQ(t, vm_fault(parent, USER_STACK_TOP - 3 * PAGE_SIZE, PF_W | PF_U), 0);
	KEXPECT_EQ(t, parent->committed, 8);
	KEXPECT_EQ(t, vm_fault(parent, USER_STACK_TOP - PAGE_SIZE, PF_W | PF_U), 0);
	KEXPECT_EQ(t, parent->committed, 8); /* above the lowest page: nothing more */
	KEXPECT_EQ(t, committed_bytes() - c0, 8 * PAGE_SIZE);
	KASSERT_EQ(t, vm_fork(child, parent), 0);
	KEXPECT_EQ(t, child->committed, 8); /* fork charges the parent's charge again */
	KEXPECT_EQ(t, committed_bytes() - c0, 16 * PAGE_SIZE);
	vm_destroy(child);
	KEXPECT_EQ(t, committed_bytes() - c0, 8 * PAGE_SIZE);
	vm_destroy(parent);
	KEXPECT_EQ(t, committed_bytes(), c0); /* exit uncharges exactly */
	KEXPECT_EQ(t, owner_put(co), 0);
	KEXPECT_EQ(t, owner_put(po), 0);
}

KTEST(vmstat, a_shared_object_is_charged_once)
{
	uint64_t c0 = committed_bytes();
	struct vm_object *obj = vm_object_shared(3 * PAGE_SIZE);
	struct owner *o = owner_create();
	struct vm_space *a = o ? vm_create(o->id) : NULL;
	struct vma_backing back = { obj, VA, VA + 3 * PAGE_SIZE };

	KASSERT(t, obj != NULL && a != NULL);
	KEXPECT_EQ(t, committed_bytes() - c0, 3 * PAGE_SIZE);
	KASSERT_EQ(t, vm_map_backed(a, VA, 3 * PAGE_SIZE, VM_READ | VM_WRITE, VM_SHARED, &back), 0);
	KASSERT_EQ(
	    t,
	    vm_map_backed(a, VA + 8 * PAGE_SIZE, 3 * PAGE_SIZE, VM_READ | VM_WRITE, VM_SHARED,
	                  &(struct vma_backing){ obj, VA + 8 * PAGE_SIZE, VA + 11 * PAGE_SIZE }),
	    0);
	KEXPECT_EQ(t, a->committed, 0); /* shared areas charge nothing of their own */
	KEXPECT_EQ(t, committed_bytes() - c0, 3 * PAGE_SIZE);
	KEXPECT_EQ(t, vm_object_resize(obj, 5 * PAGE_SIZE), 0);
	KEXPECT_EQ(t, committed_bytes() - c0, 5 * PAGE_SIZE);
	vm_object_put(obj); /* the areas keep it */
	KEXPECT_EQ(t, committed_bytes() - c0, 5 * PAGE_SIZE);
	vm_destroy(a); /* the last reference: released, uncharged */
	KEXPECT_EQ(t, committed_bytes(), c0);
	KEXPECT_EQ(t, owner_put(o), 0);
}

struct pmap_capture {
	char text[2048];
	size_t len;
	unsigned lines;
};

static void capture(const char *line, void *ctx)
{
	struct pmap_capture *c = ctx;
	size_t n = strlen(line);

	if (c->len + n + 2 < sizeof(c->text)) {
		memcpy(c->text + c->len, line, n);
		c->len += n;
		c->text[c->len++] = '\n';
		c->text[c->len] = '\0';
	}
	c->lines++;
}

/* Does @hay contain @needle? */
static bool has(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

KTEST(vmstat, pmap_lists_a_live_process)
{
	char *argv[] = { "/builtin/uhello", "pause", NULL };
	static struct pmap_capture c;
	int status, pid = proc_spawn(argv[0], argv, NULL, false);
	struct proc *p;

	KASSERT(t, pid > 0);
	p = proc_lookup(pid);
	KASSERT(t, p != NULL && p->vm != NULL);
	/* Until it sleeps in pause(): its start (glibc's brk, mmap, mprotect) changes its areas. */
	while (p->task->state != TASK_BLOCKED)
		task_yield();
	memset(&c, 0, sizeof(c));
	proc_pmap(p, capture, &c);
	KEXPECT(t, has(c.text, "Address   Kbytes     RSS   Dirty Mode  Mapping\n"));
	KEXPECT(t, has(c.text, " r-x-- uhello\n")); /* its text */
	KEXPECT(t, has(c.text, " rw--- [ stack ]\n"));
	KEXPECT(t, has(c.text, "bf7f0000    8192 ")); /* the stack area, 8 MiB */
	KEXPECT(t, has(c.text, "total kB "));
	KEXPECT_EQ(t, c.lines, 2 + p->vm->areas.count + 2);
	KEXPECT_EQ(t, proc_kill(pid, SIGKILL), 0);
	KEXPECT_EQ(t, proc_wait_kernel(pid, &status), 0);
	KEXPECT_EQ(t, status, W_SIGNALED(SIGKILL));
}
