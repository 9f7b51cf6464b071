/*
 * vmcheck: the auditor of user address spaces (mm/vmcheck.c). It walks a set of struct
 * vm_space (include/mm/vm.h has the page-table scheme it checks) through the direct map,
 * changing nothing, and checks every invariant of that scheme:
 *
 *   kind                 broken when
 *   VMCHECK_FRAME        a PTE or PDE (user table, directory) points at a frame that is not
 *                        an allocated order-0 buddy head (free, a tail, past the managed ones)
 *   VMCHECK_REFCOUNT     a frame's refcount differs from the references seen: one per PTE in
 *                        each distinct page table mapping it (a table shared by several
 *                        directories counts once), plus 1 when it is a PTE_FILE page its
 *                        area's object still caches (include/mm/pager.h: the cache's own);
 *                        kernel pins: none today. The zero page is not counted.
 *   VMCHECK_TABLE_REF    a user page table's refcount differs from the directories holding it
 *   VMCHECK_TABLE_W      a table held by several directories has a PDE with PTE_W
 *   VMCHECK_WRITE_SHARED a private frame (not PTE_FILE) is effectively writable (PDE.W &&
 *                        PTE.W) while its refcount, or the references seen, is above 1:
 *                        writable in two spaces
 *   VMCHECK_COW_W        a PTE has both PTE_COW and PTE_W (COW pages are read-only everywhere)
 *   VMCHECK_ZERO_W       the shared zero page is mapped with PTE_W
 *   VMCHECK_FILE_W       a page-cache page (PTE_FILE) is mapped with PTE_W outside a shared
 *                        (VM_SHARED) area, the only place its pages are writable
 *   VMCHECK_RSS          vm->rss_pages differs from a recount of the PTEs with a frame other
 *                        than the zero page in the tables of the space's directory, or
 *                        rss_file (PTE_FILE pages of private areas) or rss_shmem (of shared
 *                        areas) from theirs, or vm->committed from the pages of its
 *                        VM_ACCOUNT areas plus its charged stack growth
 *   VMCHECK_AREAS        areas not sorted, overlapping, empty, not page-aligned, outside
 *                        [USER_BASE, KERNEL_BASE), with unknown prot bits, or a count that
 *                        differs from the list
 *   VMCHECK_UNCOVERED    a PTE with a frame (present or PROT_NONE) outside every area
 *   VMCHECK_PROT         a PTE disagrees with its area: present in a PROT_NONE area, kept
 *                        PTE_PROTNONE in an accessible one, PTE_W in an area without VM_WRITE
 *   VMCHECK_USER_BITS    a present user PDE without PTE_U or with PTE_PS, or a present PTE of
 *                        a user table without PTE_U (a kernel mapping in user space)
 *   VMCHECK_KERNEL_HALF  a kernel-half PDE (>= PDX(KERNEL_BASE)) with PTE_U, or one that
 *                        differs from kernel_pgdir's (the recursive PDE: not the directory)
 *   VMCHECK_MAPS_TABLE   a user PTE maps a page table or a page directory
 *
 * The checks against areas (UNCOVERED, PROT, FILE_W) and RSS are made in every space holding
 * a table, so a bad entry of a table shared since fork is reported once per holder; the
 * others once per table or frame.
 *
 * Each broken invariant is counted and prints one line naming the space (its label, e.g.
 * "pid 12 (sh)"), the user address and the frame:
 *   vmcheck: FAIL pid 12 (sh) 0x08049000 frame 0x01234000: refcount 3, references seen 2
 * (at most VMCHECK_MAX_LINES lines per audit; the count includes the rest).
 *
 * Use (the caller keeps every audited space unchanged from begin to end: no VM operation
 * may run meanwhile, e.g. with preemption disabled and every space's user at a safe point):
 *   struct vmcheck *c = vmcheck_begin(max_spaces, 0);   // NULL: no memory (said on the log)
 *   vmcheck_space(c, vm, "pid 12 (sh)");                 // every space that maps frames
 *   unsigned failures = vmcheck_end(c, &result);         // global checks, then freed
 * The frame refcount check is exact only when every space mapping a frame is audited in the
 * same pass (the sched layer's proc_vmcheck_all gives it every process).
 *
 * Cost: O(user page-table entries) of the tables walked (8 empty entries skipped at a time),
 * plus, for a pass without kept memory (vmcheck_reserve), O(frames) to allocate and clear the
 * frame map (4 bytes per managed frame: one buddy block, else vmalloc, freed by the pass, so
 * free memory is the same before and after).
 */
#ifndef STRATA_MM_VMCHECK_H
#define STRATA_MM_VMCHECK_H

#include <stdbool.h>
#include <stdint.h>

struct vm_space;
struct vmcheck;

enum vmcheck_kind {
	VMCHECK_FRAME,
	VMCHECK_REFCOUNT,
	VMCHECK_TABLE_REF,
	VMCHECK_TABLE_W,
	VMCHECK_WRITE_SHARED,
	VMCHECK_COW_W,
	VMCHECK_ZERO_W,
	VMCHECK_FILE_W,
	VMCHECK_RSS,
	VMCHECK_AREAS,
	VMCHECK_UNCOVERED,
	VMCHECK_PROT,
	VMCHECK_USER_BITS,
	VMCHECK_KERNEL_HALF,
	VMCHECK_MAPS_TABLE,
	VMCHECK_KINDS
};

#define VMCHECK_LABEL_MAX 32  /* bytes of a space's label kept, NUL included */
#define VMCHECK_LINE_MAX  160 /* one report line */
#define VMCHECK_MAX_LINES 20  /* report lines printed per pass */

/* vmcheck_begin flags. */
#define VMCHECK_QUIET (1u << 0) /* count and keep the last line, print nothing (tests) */

struct vmcheck_result {
	unsigned spaces; /* spaces audited */
	unsigned tables; /* distinct user page tables walked */
	unsigned frames; /* distinct frames (other than the zero page) seen mapped */
	unsigned failures;
	unsigned by_kind[VMCHECK_KINDS];
	char last[VMCHECK_LINE_MAX]; /* the last failure's line ("" when none), no newline */
};

/*
 * Keep the memory of a pass over up to @max_spaces spaces from now on (the frame map: 4
 * bytes per managed frame, charged to the kernel), for callers that run a pass often (after
 * every exit): each pass then reuses it without clearing it (the map words carry the pass's
 * generation). Returns 0 (also when kept already), or -ENOMEM (said on the log; each pass
 * then allocates its own).
 */
int vmcheck_reserve(unsigned max_spaces);

/*
 * Start a pass over at most @max_spaces spaces with @flags (VMCHECK_QUIET): the kept memory
 * when it is free and large enough, else a frame map allocated for this pass (sized by the
 * managed frames; charged to the kernel; freed by vmcheck_end). Returns the pass, or NULL when
 * there is no memory for it (one line "vmcheck: no memory for the frame map (N kB)" is logged).
 */
struct vmcheck *vmcheck_begin(unsigned max_spaces, uint32_t flags);

/*
 * Audit @vm (its own invariants now; its frames and tables counted for vmcheck_end), naming
 * it @label in reports (copied). A space already given to this pass is ignored. Returns 0,
 * or -ENOSPC when @max_spaces spaces were given already (the pass then skips the global
 * refcount checks, whose counts would be incomplete, and says so).
 */
int vmcheck_space(struct vmcheck *c, struct vm_space *vm, const char *label);

/*
 * Finish the pass: the refcount, table-sharing and writability checks over every frame and
 * table the spaces map. Fills *@res (if not NULL), frees the pass. Returns the number of
 * broken invariants found by the whole pass (0: all hold). NULL @c returns 0.
 */
unsigned vmcheck_end(struct vmcheck *c, struct vmcheck_result *res);

/* The name of @kind ("refcount", "cow-writable", ...), for reports and tests. */
const char *vmcheck_kind_name(enum vmcheck_kind kind);

#endif
