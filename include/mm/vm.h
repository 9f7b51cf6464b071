/*
 * vm: user address spaces (mm/vm.c) — a page directory sharing the kernel half, the set of VM
 * areas (include/mm/vma.h: sorted, disjoint, equal neighbours merged), the break, the mmap
 * area and the stack, and every user page and page table they hold.
 *
 *   struct vm_space     one per process; not loaded in CR3 while it is built or torn down
 *   struct vm_area      [start, end) page-aligned, prot (VM_READ/WRITE/EXEC) and kind flags
 *
 * Policy: lazy. vm_map() only records the area (VM_MAP_POPULATE, the eager policy: every page
 * now, or -ENOMEM now with the area gone); vm_populate() faults a range in on request
 * (madvise MADV_POPULATE_READ/WRITE: the explicit policy). The fault handler (vm_fault) resolves,
 * by case:
 *
 *   fault in an area whose prot allows the access (else -EFAULT: SIGSEGV)
 *     |-- read, no frame, file-backed page (the area's object covers it whole)
 *     |                                  map the object's page-cache page read-only with
 *     |                                  PTE_FILE (include/mm/pager.h), and the cached
 *     |                                  pages of its 128 KiB window (fault-around)
 *     |-- read, no frame, the page the object's end cuts: a private copy, tail zeroed
 *     |-- read, no frame, otherwise .... map the shared zero page read-only (PTE_COW if the
 *     |                                  area is writable)                   [zero_maps]
 *     `-- write (user, or the kernel's copy helpers: CR0.WP is set)
 *           |-- the span's table is shared (PDE without PTE_W, since fork)
 *           |      |-- this space holds the last reference .... regain PTE_W on the PDE
 *           |      `-- otherwise ............. copy the table: +1 ref on each frame, every
 *           |                                  writable entry read-only PTE_COW in both
 *           |-- no frame, or the zero page .. a fresh page (zeroed, or the object's
 *           |                                  bytes), writable                     [pgalloc]
 *           |-- a page-cache page (PTE_FILE) . copy it (the cache keeps its page)
 *           |-- frame with one reference .... reuse: set PTE_W (wp_page_reuse) [cow_reuse]
 *           `-- frame shared (refcount > 1) . copy it, drop one reference      [cow_copy]
 *
 * Shared areas (VM_SHARED: MAP_SHARED, SysV shm, memfd) map their object's pages on any
 * fault, writable when the area is, in every space: PTE_FILE with PTE_W (the only writable
 * PTE_FILE pages). A table copy keeps their PTE_W; fork shares them.
 *
 * Fork (On-Demand-Fork, Zhao et al., EuroSys 2021): the child gets the areas and every page
 * table of the parent by reference (the table's struct page counts the directories holding
 * it; both PDEs lose PTE_W), so fork costs O(tables), not O(pages); frames are counted once
 * per table that maps them. Exit puts each table; the last holder puts its frames. Any PTE
 * change (munmap, mprotect, MADV_DONTNEED, mremap, a fault) first makes the table exclusive.
 *
 * Invariants: a frame's refcount is the number of tables mapping it (plus kernel pins; the
 * zero page, pinned by its allocation, counts each PTE mapping it); the zero page is never
 * writable; a PTE is writable only in an exclusive table and only when its
 * frame has one reference, so a private page is never writable in two spaces.
 *
 * Limits (Linux's may_expand_vm): a new area, an area made writable, brk, mremap's growth and
 * the stack's growth are refused (-ENOMEM; a stack fault: SIGSEGV) when total_vm would pass
 * RLIMIT_AS or, for private writable memory, data_vm RLIMIT_DATA, with one line,
 * `mm: pid N (name): exceeds process limit: requested N kB, limit N kB, current N kB
 * (RLIMIT_AS)` (seed 000's ExceedsProcessLimit). total_vm counts the stack as grown, not its
 * 8 MiB reservation, as Linux counts its stack area.
 *
 * Commitment (Linux's Committed_AS): each charge is first offered to the overcommit policy
 * (include/mm/commit.h: heuristic, always, never) and a refusal is -ENOMEM with one line,
 * `mm: pid N (name): commit of N kB refused: N kB committed, limit N kB`. A private area that is
 * writable, or was made writable, is charged its size (VM_ACCOUNT, as Linux's vm_acct_memory),
 * unless VM_NORESERVE (charged too in mode never); the stack is charged as it grows
 * (stack_committed: from its lowest page touched up to stack_top); fork charges the child what the
 * parent is charged; unmap, exit and exec uncharge exactly. Shared objects charge their size once
 * (include/mm/pager.h). vm_counters.committed sums the spaces' charges.
 *
 * Pages: lowmem frames (the kernel reaches them through the direct map to load ELF segments,
 * build the initial stack and copy them), charged to the space's owner id (struct
 * vm_space.owner) whoever allocates them. A frame or table that outlives this space's
 * reference (still mapped elsewhere) is handed to the kernel (page_disown). Page tables are
 * charged to the owner too; a table is put when no area is left in its span, and all of them
 * by vm_destroy. The directory comes from paging_pgdir_create (kernel-owned, freed by
 * vm_destroy).
 *
 * Protection: x86 without PAE has no execute bit: VM_READ implies VM_EXEC. A read-only page
 * is present without PTE_W (CR0.WP: the kernel's copy helpers fault on it too). A PROT_NONE
 * page is NOT present: its PTE keeps the frame with the software bit PTE_PROTNONE (as Linux's
 * _PAGE_PROTNONE), so user accesses and the copy helpers both fault (vm_fault refuses: the
 * area allows nothing) and mprotect back restores the content.
 *
 * Locking: one CPU; a space is used by its own process (syscalls, faults) or by fork/exec/
 * exit while that process runs in the kernel, so no lock is taken. The #PF handler reaches the
 * running process's space through the resolver hook (include/mm/fault.h).
 */
#ifndef STRATA_MM_VM_H
#define STRATA_MM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/list.h"
#include "mm/commit.h"
#include "mm/vma.h"
#include "x86/mmu.h"

/*
 * Software PTE bits of user PTEs (available to the OS; PTE_COW is bit 9, include/x86/mmu.h):
 * PTE_PROTNONE  a PROT_NONE page: not present, the frame address kept
 * PTE_FILE      the frame is a page-cache page of a file object (include/mm/pager.h), which
 *               holds one reference of its own; such a PTE is never writable
 */
#define PTE_PROTNONE (1u << 10)
#define PTE_FILE     (1u << 11)

/* prot bits: Linux's PROT_* values. */
#define VM_READ      0x1u
#define VM_WRITE     0x2u
#define VM_EXEC      0x4u
#define VM_PROT_MASK (VM_READ | VM_WRITE | VM_EXEC)

/* Kinds (struct vm_area.flags). */
#define VM_ELF       (1u << 0) /* a PT_LOAD segment */
#define VM_HEAP      (1u << 1) /* the brk area */
#define VM_ANON      (1u << 2) /* mmap anonymous private */
#define VM_GROWSDOWN (1u << 3) /* the stack: reserved, populated on demand */
#define VM_SHARED    (1u << 4) /* MAP_SHARED: the backing object's pages, writable in all */
#define VM_FILE      (1u << 5) /* mmap of a file: a page past the object's end is -EIO (SIGBUS) */
#define VM_NORESERVE (1u << 6) /* MAP_NORESERVE: never charged to the commitment */
#define VM_ACCOUNT   (1u << 7) /* charged to the commitment (set by vm.c, see Commitment) */
#define VM_NOWRITE                                                                                 \
	(1u << 8)          /* may never be made writable (a shared mapping of a file not           \
	                    * open for writing, a SHM_RDONLY attachment): mprotect EACCES */
#define VM_VDSO (1u << 9)  /* the vDSO's text ([vdso] in maps; include/sched/vdso.h) */
#define VM_VVAR (1u << 10) /* the kernel's read-only data pages below it ([vvar]) */
/* vm_map only, not kept in the area: allocate every page now (MAP_POPULATE). */
#define VM_MAP_POPULATE (1u << 16)
#define VM_MAP_FLAGS    VM_MAP_POPULATE

/* Areas a space may have (Linux's default vm.max_map_count); one more is -ENOMEM. */
#define VM_MAX_AREAS 65530u

struct vm_space {
	pde_t *pgdir;               /* direct-map address of the page directory */
	struct vma_set areas;       /* struct vm_area, sorted, disjoint, at most VM_MAX_AREAS */
	uint32_t owner;             /* memory owner charged for the user pages */
	uintptr_t brk_start;        /* page-aligned end of bss: the heap starts here */
	uintptr_t brk;              /* current break (brk_start <= brk) */
	uintptr_t mmap_top;         /* mmap searches top-down below this */
	uintptr_t stack_top;        /* one past the highest stack byte */
	struct vm_area *fault_hint; /* the area of the last fault (a lookup shortcut); NULL
	                             * whenever an area node may have been freed */
	uint32_t committed;         /* pages charged: VM_ACCOUNT areas + stack_committed */
	uint32_t stack_committed;   /* pages of the stack's growth charged */
	uintptr_t stack_low;        /* lowest stack page touched (stack_top: none) */
	uint32_t total_vm;          /* pages of the areas, the stack counted as grown (RLIMIT_AS) */
	uint32_t data_vm;     /* pages of private writable areas but the stack (RLIMIT_DATA) */
	uint32_t as_limit;    /* RLIMIT_AS and RLIMIT_DATA in pages (0: none), set by the */
	uint32_t data_limit;  /* process layer before each memory call, as stack_limit */
	uint32_t stack_limit; /* RLIMIT_STACK: faults in the VM_GROWSDOWN area more than this
	                       * below stack_top are refused (0: the area's size is the limit) */
	uint32_t rss_pages;   /* frames mapped (the zero page not counted) */
	uint32_t rss_file;    /* of which page-cache pages of private file mappings */
	uint32_t rss_shmem;   /* of which shared objects' pages (VM_SHARED areas) */
	uint32_t pt_pages;    /* page tables this space made (shared ones count where made) */
	uint32_t min_flt;     /* faults resolved (Linux's min_flt) */
	uint32_t cow_faults;  /* write faults that copied a shared page */
	uint32_t zero_maps;   /* reads that mapped the zero page */
	/* Peaks (/proc/PID/status VmPeak, VmHWM) as Linux keeps them: raised to the current
	 * value just before total_vm or rss_pages falls (vm_update_hiwater), so the peak is
	 * MAX(hiwater, current) — exact, and nothing on the paths that only grow. */
	uint32_t hiwater_vm;  /* pages */
	uint32_t hiwater_rss; /* pages */
	/* Where exec put argv's strings ([arg_start, arg_end)) and envp's, and the initial %esp:
	 * /proc/PID/cmdline and stat. 0 before an exec. */
	uintptr_t arg_start, arg_end, env_start, env_end, start_stack;
	uintptr_t start_code, end_code, start_data, end_data; /* the ELF's text and data */
	uintptr_t vdso_base; /* where exec mapped the vDSO's text (0: none); fork keeps it */
};

/* Raise @vm's peaks to the current sizes (before they fall). */
static inline void vm_update_hiwater(struct vm_space *vm)
{
	if (vm->rss_pages > vm->hiwater_rss)
		vm->hiwater_rss = vm->rss_pages;
	if (vm->total_vm > vm->hiwater_vm)
		vm->hiwater_vm = vm->total_vm;
}

/* The peak virtual size and resident set (pages): VmPeak, VmHWM. */
static inline uint32_t vm_peak_vm(const struct vm_space *vm)
{
	return vm->total_vm > vm->hiwater_vm ? vm->total_vm : vm->hiwater_vm;
}
static inline uint32_t vm_peak_rss(const struct vm_space *vm)
{
	return vm->rss_pages > vm->hiwater_rss ? vm->rss_pages : vm->hiwater_rss;
}

/*
 * Copy up to @len bytes at user address @uva of @vm (any space, not necessarily loaded) into
 * @dst through the direct map, stopping at the first page that is not present (nothing is
 * faulted in). Returns the bytes copied. Never fails otherwise; call with @vm stable
 * (interrupts off, or the space's own process).
 */
size_t vm_read(const struct vm_space *vm, uintptr_t uva, void *dst, size_t len);

/* System-wide counters (vmstat); updated with interrupts on, single CPU: plain increments. */
struct vm_counters {
	uint64_t pgfault;      /* faults resolved in user areas */
	uint64_t pgalloc;      /* user frames allocated (zero fill and copies) */
	uint64_t pgfree;       /* user frames freed */
	uint64_t cow_copy;     /* copy-on-write faults that copied */
	uint64_t cow_reuse;    /* copy-on-write faults where the writer was the sole owner */
	uint64_t zero_maps;    /* zero-page maps */
	uint64_t file_maps;    /* page-cache pages mapped by read faults */
	uint64_t file_around;  /* cached pages mapped around them (fault-around) */
	uint64_t table_copies; /* shared page tables copied (On-Demand-Fork) */
	uint64_t forks;        /* address spaces forked */
	uint64_t anon_pages;   /* private anonymous pages allocated now (meminfo AnonPages) */
	uint64_t oom_kill;     /* processes the OOM killer chose (vmstat oom_kill) */
	uint64_t committed;    /* pages charged by all spaces (with the shared objects' pages:
	                        * meminfo Committed_AS) */
};
extern struct vm_counters vm_counters;

/* An empty space (kernel half shared, no areas) charged to @owner. NULL when out of memory. */
struct vm_space *vm_create(uint32_t owner);

/*
 * Free every user page, page table and area of @vm and its directory. @vm must not be the
 * directory loaded in CR3 (switch to the kernel's first). NULL is a no-op.
 */
void vm_destroy(struct vm_space *vm);

/*
 * New area [@start, @start + @len) (page-aligned, inside user space, overlapping nothing)
 * with @prot and @flags (a kind, plus VM_MAP_POPULATE to fault every page in now — the eager
 * commit policy: when memory runs out part way the area is unmapped again and the result is
 * -ENOMEM, where Linux's MAP_POPULATE keeps the mapping; pages are otherwise left to the fault
 * handler); merged with equal neighbours.
 * Returns 0, -EINVAL (bad range), -EEXIST (overlap) or -ENOMEM (no memory, or VM_MAX_AREAS reached;
 * nothing changed).
 */
int vm_map(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot, uint32_t flags);

/*
 * vm_map with the area's pages backed by @backing (include/mm/vma.h: an object from
 * include/mm/pager.h, and the user addresses it covers); NULL or a NULL object: anonymous.
 * Read faults map the object's page-cache pages read-only; writes copy them.
 */
int vm_map_backed(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot, uint32_t flags,
                  const struct vma_backing *backing);

/* How vm_populate() faults pages in. */
enum vm_populate {
	VM_POPULATE_READ,  /* as a read: the zero page, the page cache's page */
	VM_POPULATE_WRITE, /* as a write: a private page, copy-on-write broken */
};

/*
 * Fault in every page of [@start, @start + @len) now (page-aligned), as a read or a write
 * fault would (MADV_POPULATE_READ/WRITE: the explicit commit policy; MAP_POPULATE). Pages up
 * to a failure stay populated, as Linux's. Returns 0; -ENOMEM (a page not covered by an area,
 * or no memory for it), -EINVAL (an area without the access: PROT_NONE, or not writable for
 * a write; a bad range), -EFAULT (the fault would signal: past a file's end, the stack's
 * limit or a refused stack commitment).
 */
int vm_populate(struct vm_space *vm, uintptr_t start, size_t len, enum vm_populate how);

/*
 * Unmap [@start, @start + @len) (page-aligned, inside user space), splitting areas and
 * freeing their pages (and page tables left with no area); unmapping nothing is fine.
 * Returns 0, -EINVAL (bad range) or -ENOMEM (a split needed a node: nothing changed).
 */
int vm_unmap(struct vm_space *vm, uintptr_t start, size_t len);

/*
 * mprotect: give [@start, @start + @len) @prot, splitting and merging areas; pages keep their
 * content. Returns 0; -ENOMEM when part of the range is not mapped or a split needed a node;
 * -EACCES when @prot has VM_WRITE and an area of the range is VM_NOWRITE (nothing changed in
 * any of these cases); -EINVAL for a bad range.
 */
int vm_protect(struct vm_space *vm, uintptr_t start, size_t len, uint32_t prot);

/*
 * MADV_DONTNEED: free the pages of [@start, @start + @len) that areas cover (the areas stay;
 * the next touch sees zeros). Returns 0, or -ENOMEM when part of the range is not mapped
 * (the mapped parts are still discarded, as Linux), -EINVAL for a bad range.
 */
int vm_discard(struct vm_space *vm, uintptr_t start, size_t len);

/*
 * mremap without MREMAP_FIXED unless @fixed: resize [@old, @old + @old_len) (inside one area)
 * to @new_len bytes, in place when the room above is free, else (with @may_move) at a new
 * address (or at @fixed, replacing what is there), moving the pages themselves. Shrinking
 * unmaps the tail. All lengths page-aligned. Returns the new start (a long: an address above
 * 2 GiB looks negative; errors are -4095..-1, Linux's IS_ERR_VALUE), or -EFAULT (not inside
 * one area), -ENOMEM (no room, no memory), -EINVAL.
 */
long vm_remap(struct vm_space *vm, uintptr_t old, size_t old_len, size_t new_len, bool may_move,
              uintptr_t fixed);

/*
 * mmap placement: the highest free range of @len bytes below vm->mmap_top (and above
 * USER_BASE), keeping USER_STACK_GAP below a VM_GROWSDOWN area. Returns its start, or 0.
 */
uintptr_t vm_find_free(struct vm_space *vm, size_t len);

/* True when [@start, @start + @len) overlaps no area. */
bool vm_range_free(struct vm_space *vm, uintptr_t start, size_t len);

/* True when areas cover all of [@start, @start + @len). */
bool vm_range_mapped(struct vm_space *vm, uintptr_t start, size_t len);

/* True when the page at @va (in an area) has a frame (present, or kept under PROT_NONE). */
bool vm_page_resident(struct vm_space *vm, uintptr_t va);

/*
 * brk(2): move the break to @newbrk if possible: not below brk_start, and the grown heap must
 * end a page below the next area (USER_STACK_GAP below the stack). Shrinking frees the pages;
 * regrowing gives zeroed ones. Returns the break in force afterwards (never an error).
 */
uintptr_t vm_brk(struct vm_space *vm, uintptr_t newbrk);

/*
 * Fork @src into the empty @dst: the same areas, and every page table shared copy-on-write
 * (both directories lose PTE_W on those PDEs; see the policy above). Returns 0 or -ENOMEM
 * (then vm_destroy(@dst) frees what was taken).
 */
int vm_fork(struct vm_space *dst, struct vm_space *src);

/*
 * Resolve a fault at @addr with #PF error @error by the cases above. An access the area does
 * not allow (PROT_NONE, a write to a read-only area), an address in no area and a stack page
 * further than stack_limit below stack_top (the stack may not grow there) are refused.
 * A page of a file mapping (VM_FILE) wholly past the file's end is -EIO: Linux's SIGBUS.
 * Returns 0 (retry), -EFAULT (no area, or the access is not allowed), -EIO or -ENOMEM.
 */
int vm_fault(struct vm_space *vm, uintptr_t addr, uint32_t error);

/*
 * Kernel write of @len bytes at user address @uva of @vm (not necessarily loaded), through
 * the direct map, whatever the areas' protection (exec fills read-only segments with it);
 * each page is made private first (populated, or its copy-on-write broken) as a write fault
 * would. Returns 0, -EFAULT, -ENOMEM.
 */
int vm_write(struct vm_space *vm, uintptr_t uva, const void *src, size_t len);

/* The area containing @addr, or NULL. */
struct vm_area *vm_find(struct vm_space *vm, uintptr_t addr);

/*
 * Pages of [@start, @end) in @vm with a frame (the zero page not counted) in *@rss, of which
 * the CPU marked dirty (PTE_D) in *@dirty: pmap's columns. Reads only.
 */
void vm_range_stats(const struct vm_space *vm, uintptr_t start, uintptr_t end, uint32_t *rss,
                    uint32_t *dirty);

/* The policy's view of memory: @ram_pages of RAM, @free_pages free at boot (the user
 * reserve). Called once by kmain after mm_init. */
void vm_commit_init(uint64_t ram_pages, uint64_t free_pages);

/* Set or read the overcommit mode and ratio (boot options, the monitor's sysctl). */
void vm_commit_set_policy(enum overcommit_mode mode, uint32_t ratio);
void vm_commit_get_policy(enum overcommit_mode *mode, uint32_t *ratio);

/* CommitLimit and Committed_AS in pages (spaces and shared objects). */
uint64_t vm_commit_limit_pages(void);
uint64_t vm_committed_pages(void);

/*
 * May @pages more be charged (for @vm, the space asking: its size is the reserve mode never
 * keeps; NULL for none)? True, or false after logging the refusal line naming the process
 * @label reports (the process layer registers it: the current process).
 */
bool vm_commit_check(uint64_t pages, const struct vm_space *vm);
void vm_commit_set_label(void (*label)(int *pid, const char **comm));

/* The physical address of the shared zero page (0 before the first vm_create). */
uint32_t vm_zero_frame(void);

/* Bytes of all areas (VSZ). */
uint64_t vm_size_bytes(const struct vm_space *vm);

#endif
