/*
 * proc_maps: /proc/PID/maps and smaps_rollup in Linux 6.1's formats (include/sched/
 * proc_files.h), from a process's areas (include/mm/vm.h).
 *
 * maps: one line per area, "start-end perms offset dev inode", then, padded to column 49, a
 * name: [heap] for the brk area, [stack] for the stack (shown as grown: from its lowest page
 * touched, as Linux's stack area grows), nothing for the rest (Strata's areas do not keep
 * the file they map: dev 00:00, inode 0). smaps_rollup: the [rollup] line over all areas and
 * Linux's 21 counters, from the address space's RSS counters and a walk of its page tables
 * for the dirty pages; proportional figures count every page as the process's own (Pss = Rss:
 * no page-sharing count per mapping yet), the rest of Linux's notions (swap, huge pages,
 * locked) 0.
 */
#include "lib/compiler.h"
#include "lib/page_size.h"
#include "lib/string.h"
#include "mm/vm.h"
#include "sched/proc_files.h"

#define MAPS_NAME_COLUMN 48 /* Linux: 25 + sizeof(void *) * 6 - 1, then one blank */
#define KB_PER_PAGE      (PAGE_SIZE / 1024u)

/* The first address of @a that maps shows (the stack: from its lowest page touched). */
static uintptr_t shown_start(const struct vm_space *vm, const struct vm_area *a)
{
	if ((a->flags & VM_GROWSDOWN) && vm->stack_low > a->start && vm->stack_low < a->end)
		return ALIGN_DOWN(vm->stack_low, PAGE_SIZE);
	return a->start;
}

/* The maps line prefix of [@start, @end) @a; its name padded to the column, or none. [vvar]
 * is 'p' as on Linux: the kernel's pages, not a shared mapping the process asked for. */
static void maps_line(struct seqbuf *s, uintptr_t start, uintptr_t end, const struct vm_area *a,
                      const char *name)
{
	size_t before = s->len;
	uint32_t off = a->backing.obj ? (uint32_t)(a->start - a->backing.base) : 0;

	seq_printf(s, "%08x-%08x %c%c%c%c %08x 00:00 0 ", (unsigned)start, (unsigned)end,
	           (a->prot & VM_READ) ? 'r' : '-', (a->prot & VM_WRITE) ? 'w' : '-',
	           (a->prot & VM_EXEC) ? 'x' : '-',
	           (a->flags & VM_SHARED) && !(a->flags & VM_VVAR) ? 's' : 'p', off);
	if (name) {
		size_t used = s->len - before;
		int pad = used < MAPS_NAME_COLUMN ? (int)(MAPS_NAME_COLUMN - used) : 0;
		seq_printf(s, "%*s %s", pad, "", name);
	}
	seq_write(s, "\n", 1);
}

void proc_show_maps(struct seqbuf *s, struct proc *p)
{
	const struct vm_space *vm = p->vm;
	const struct vm_area *a;

	if (!vm)
		return;
	list_for_each_entry(a, &vm->areas.head, link)
	{
		const char *name = (a->flags & VM_HEAP)        ? "[heap]"
		                   : (a->flags & VM_GROWSDOWN) ? "[stack]"
		                   : (a->flags & VM_VDSO)      ? "[vdso]"
		                   : (a->flags & VM_VVAR)      ? "[vvar]"
		                                               : NULL;
		maps_line(s, shown_start(vm, a), a->end, a, name);
	}
}

/* One smaps_rollup counter: the name with its colon in 16 columns, kB in 8. */
static void rollup_line(struct seqbuf *s, const char *name, uint32_t pages)
{
	seq_printf(s, "%-16s%8u kB\n", name, pages * KB_PER_PAGE);
}

void proc_show_smaps_rollup(struct seqbuf *s, struct proc *p)
{
	const struct vm_space *vm = p->vm;
	const struct vm_area *a;
	uintptr_t lo = 0, hi = 0;
	uint32_t dirty = 0;

	if (!vm || list_empty(&vm->areas.head))
		return;
	list_for_each_entry(a, &vm->areas.head, link)
	{
		uint32_t rss, d;
		uintptr_t start = shown_start(vm, a);
		if (!hi)
			lo = start;
		hi = a->end;
		vm_range_stats(vm, start, a->end, &rss, &d);
		dirty += d;
	}
	uint32_t rss = vm->rss_pages, anon = rss - vm->rss_file - vm->rss_shmem;
	size_t before = s->len;
	seq_printf(s, "%08x-%08x ---p 00000000 00:00 0 ", (unsigned)lo, (unsigned)hi);
	size_t used = s->len - before;
	seq_printf(s, "%*s [rollup]\n",
	           used < MAPS_NAME_COLUMN ? (int)(MAPS_NAME_COLUMN - used) : 0, "");
	rollup_line(s, "Rss:", rss);
	rollup_line(s, "Pss:", rss);
	rollup_line(s, "Pss_Dirty:", dirty);
	rollup_line(s, "Pss_Anon:", anon);
	rollup_line(s, "Pss_File:", vm->rss_file);
	rollup_line(s, "Pss_Shmem:", vm->rss_shmem);
	rollup_line(s, "Shared_Clean:", 0);
	rollup_line(s, "Shared_Dirty:", 0);
	rollup_line(s, "Private_Clean:", rss - dirty);
	rollup_line(s, "Private_Dirty:", dirty);
	rollup_line(s, "Referenced:", rss);
	rollup_line(s, "Anonymous:", anon);
	static const char *const zeros[] = {
		"LazyFree:",      "AnonHugePages:",  "ShmemPmdMapped:",
		"FilePmdMapped:", "Shared_Hugetlb:", "Private_Hugetlb:",
		"Swap:",          "SwapPss:",        "Locked:"
	};
	for (unsigned i = 0; i < ARRAY_SIZE(zeros); i++)
		rollup_line(s, zeros[i], 0);
}
