/*
 * vmcheck: the auditor of user address spaces (contract and the invariants it checks in
 * include/mm/vmcheck.h; the page-table scheme in include/mm/vm.h).
 *
 * Two phases over one frame map (a 32-bit word per managed frame, zeroed by vmcheck_begin,
 * in one buddy block or else vmalloc, and freed by vmcheck_end):
 *
 *   vmcheck_space (per space)   the space's own invariants: areas, kernel half, PDE bits,
 *                               RSS recount, coverage and protection of every PTE with a
 *                               frame. Marks its directory (M_DIR) and counts each user table
 *                               once per directory holding it (M_TABLE, M_TABLE_W when a
 *                               holder's PDE is writable). The first time a table is seen
 *                               its PTEs are checked bit by bit (COW/zero/file writable, PTE_U,
 *                               an allocated frame) and each frame counted once per PTE of
 *                               that table (M_DATA): so a table shared by several directories
 *                               counts once, as vm.c counts references. A PTE_FILE frame
 *                               still in its area's object's cache (the slot at its offset
 *                               holds it) is marked M_CACHED: the cache's reference is one
 *                               more (a page a shrunk memfd dropped lives on without it).
 *   vmcheck_end (global)        with every count complete: each distinct table's refcount
 *                               against its holders (and no writable PDE when shared), each
 *                               frame's refcount against the references seen, no effectively
 *                               writable private frame with more than one reference, and no
 *                               PTE mapping a table or a directory. Reported at the first
 *                               space and address found mapping the frame (M_DONE marks
 *                               what was checked already).
 *
 * Reading only: the auditor never changes a PTE, a count or a list; the caller keeps the
 * spaces still (include/mm/vmcheck.h). Tables are reached through the direct map (vm.c
 * allocates them in lowmem); a table or directory outside lowmem is a failure, not read.
 */
#include "mm/vmcheck.h"

#include <stdarg.h>

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/list.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/bitmap.h"
#include "mm/layout.h"
#include "mm/pager.h"
#include "mm/paging.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "mm/vmalloc.h"
#include "x86/cpu.h"

/*
 * Frame map word: the pass's generation (a word of another generation reads as 0, so a kept
 * map needs no clearing between passes), what the frame was seen as, and a count.
 */
#define M_GEN_SHIFT 24
#define M_GEN_MAX   0xFFu
#define M_COUNT     0x0000FFFFu /* PTEs mapping it (data), directories holding it (table) */
#define M_TABLE     (1u << 23)  /* a user page table */
#define M_DIR       (1u << 22)  /* a page directory */
#define M_DATA      (1u << 21)  /* mapped by a user PTE */
#define M_CACHED    (1u << 20)  /* in its object's page cache, which holds one more reference */
#define M_TABLE_W   (1u << 19)  /* table: some holder's PDE has PTE_W */
#define M_DONE      (1u << 18)  /* vmcheck_end checked it */
#define M_BAD       (1u << 17)  /* not an allocated head: its refcount means nothing */
#define M_ALIAS     (M_TABLE | M_DIR)
#define PTE_GROUP   8u /* entries tested at once for a quick skip of empty runs */

#define USER_PDES     PDX(KERNEL_BASE)
#define RECURSIVE_PDX PDX(RECURSIVE_BASE)
#define NO_ADDR       0xFFFFFFFFu     /* report(): the failure has no address */
#define HW_BITS       (PTE_A | PTE_D) /* set by the CPU in whichever directory it walked */

struct space_rec {
	struct vm_space *vm;
	char label[VMCHECK_LABEL_MAX];
};

struct vmcheck {
	uint32_t *map; /* [nframes] */
	uint32_t nframes;
	uint32_t lowmem_end;
	uint32_t zero_pa;
	const struct buddy *buddy;
	uint32_t flags;   /* VMCHECK_QUIET */
	bool incomplete;  /* a space was refused: skip the global counts */
	unsigned printed; /* report lines printed */
	unsigned max_spaces, nspaces;
	struct space_rec *spaces; /* [max_spaces], in the same memory */
	struct page *block;       /* the memory: a buddy block of this order, or (NULL) vmalloc */
	unsigned order;
	uint32_t gen; /* this pass's generation in the map, 1..M_GEN_MAX */
	bool kept;    /* the memory vmcheck_reserve keeps (not freed by vmcheck_end) */
	struct vmcheck_result res;
};

static const char *const kind_names[VMCHECK_KINDS] = {
	[VMCHECK_FRAME] = "frame",
	[VMCHECK_REFCOUNT] = "refcount",
	[VMCHECK_TABLE_REF] = "table-refcount",
	[VMCHECK_TABLE_W] = "shared-table-writable",
	[VMCHECK_WRITE_SHARED] = "writable-shared",
	[VMCHECK_COW_W] = "cow-writable",
	[VMCHECK_ZERO_W] = "zero-page-writable",
	[VMCHECK_FILE_W] = "file-page-writable",
	[VMCHECK_RSS] = "rss",
	[VMCHECK_AREAS] = "areas",
	[VMCHECK_UNCOVERED] = "uncovered",
	[VMCHECK_PROT] = "protection",
	[VMCHECK_USER_BITS] = "user-bits",
	[VMCHECK_KERNEL_HALF] = "kernel-half",
	[VMCHECK_MAPS_TABLE] = "maps-table",
};

/* The memory vmcheck_reserve keeps for passes (with room for kept_spaces), whether a pass
 * uses it now (changed with interrupts masked), and its last generation. */
static struct vmcheck *kept;
static unsigned kept_spaces;
static bool kept_busy;
static uint32_t kept_gen;

const char *vmcheck_kind_name(enum vmcheck_kind kind)
{
	return (unsigned)kind < VMCHECK_KINDS ? kind_names[kind] : "?";
}

/* Frame @pfn's map word in this pass (0 when untouched). */
static uint32_t map_get(const struct vmcheck *c, uint32_t pfn)
{
	uint32_t w = c->map[pfn];

	return (w >> M_GEN_SHIFT) == c->gen ? w & ~(M_GEN_MAX << M_GEN_SHIFT) : 0;
}

static void map_set(struct vmcheck *c, uint32_t pfn, uint32_t v)
{
	c->map[pfn] = (c->gen << M_GEN_SHIFT) | v;
}

/* Add @bits and one to the count of frame @pfn (the count saturates: then it is wrong,
 * and reported, rather than wrapped). */
static void map_count(struct vmcheck *c, uint32_t pfn, uint32_t bits)
{
	uint32_t v = map_get(c, pfn);

	map_set(c, pfn, (v | bits) + ((v & M_COUNT) < M_COUNT ? 1 : 0));
}

/* True when none of the PTE_GROUP entries at @t has a frame. */
static bool group_empty(const pte_t *t)
{
	pte_t any = 0;

	for (unsigned k = 0; k < PTE_GROUP; k++)
		any |= t[k];
	return !(any & (PTE_P | PTE_PROTNONE));
}

/*
 * Count a broken invariant of @kind in the space @s at user address @va (NO_ADDR: none) and
 * frame @pa, and print (unless quiet, and up to VMCHECK_MAX_LINES) the line
 * "vmcheck: FAIL LABEL 0xVA frame 0xPA: KIND: DETAIL". Cannot fail.
 */
__attribute__((format(printf, 6, 7))) static void report(struct vmcheck *c, enum vmcheck_kind kind,
                                                         const struct space_rec *s, uint32_t va,
                                                         uint32_t pa, const char *fmt, ...)
{
	char detail[VMCHECK_LINE_MAX];
	char *line = c->res.last;
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (va == NO_ADDR)
		ksnprintf(line, VMCHECK_LINE_MAX, "vmcheck: FAIL %s: %s: %s", s->label,
		          kind_names[kind], detail);
	else
		ksnprintf(line, VMCHECK_LINE_MAX, "vmcheck: FAIL %s 0x%08x frame 0x%08x: %s: %s",
		          s->label, va, pa, kind_names[kind], detail);
	c->res.failures++;
	c->res.by_kind[kind]++;
	if (c->flags & VMCHECK_QUIET)
		return;
	if (c->printed < VMCHECK_MAX_LINES)
		pr_err("%s\n", line);
	else if (c->printed == VMCHECK_MAX_LINES)
		pr_err("vmcheck: FAIL (more failures: only the first %u are printed)\n",
		       VMCHECK_MAX_LINES);
	c->printed++;
}

/* Is @pa the head of an allocated order-0 buddy block? */
static bool frame_allocated(const struct vmcheck *c, uint32_t pa)
{
	uint32_t pfn = pa >> PAGE_SHIFT;

	return pfn < c->nframes && bitmap_test(c->buddy->heads, pfn) &&
	       buddy_pfn_page(c->buddy, pfn)->order == 0;
}

/* A page table or directory frame @pa readable through the direct map? */
static bool frame_readable(const struct vmcheck *c, uint32_t pa)
{
	return pa < c->lowmem_end && (pa >> PAGE_SHIFT) < c->nframes;
}

/*
 * @bytes of zeroed kernel memory for a pass: one lowmem buddy block when one is free (a
 * single allocation: a pass may run after every exit), else vmalloc. *@block and *@order say
 * which (NULL: vmalloc). NULL when neither has the memory.
 */
static void *pass_memory(size_t bytes, struct page **block, unsigned *order)
{
	struct mm_error err;
	void *mem;

	*order = buddy_order_for(bytes);
	*block =
	    *order <= BUDDY_MAX_ORDER ? alloc_pages(*order, GFP_KERNEL | __GFP_KOWNED, &err) : NULL;
	if (*block && (mem = page_address(*block)) != NULL) {
		memset(mem, 0, bytes);
		return mem;
	}
	if (*block)
		free_pages(*block, *order);
	*block = NULL;
	return vmalloc(bytes, __GFP_ZERO, &err);
}

/* The bytes a pass over @max_spaces spaces needs, and where the map starts in them. */
static size_t pass_bytes(unsigned max_spaces, size_t *head)
{
	*head = ALIGN_UP(sizeof(struct vmcheck) + max_spaces * sizeof(struct space_rec), 4);
	return *head + (size_t)mm_buddy()->nframes * sizeof(uint32_t);
}

/* Fill in the fixed fields of a pass in @mem, which holds pass_bytes(@max_spaces). */
static struct vmcheck *pass_init(void *mem, unsigned max_spaces, struct page *block, unsigned order)
{
	struct vmcheck *c = mem;
	size_t head;

	pass_bytes(max_spaces, &head);
	c->block = block;
	c->order = order;
	c->spaces = (struct space_rec *)(c + 1);
	c->map = (uint32_t *)((uintptr_t)c + head);
	c->buddy = mm_buddy();
	c->nframes = c->buddy->nframes;
	c->lowmem_end = mm_lowmem_end();
	c->max_spaces = max_spaces;
	return c;
}

int vmcheck_reserve(unsigned max_spaces)
{
	size_t head, bytes = pass_bytes(max_spaces, &head);
	struct page *block;
	unsigned order;
	void *mem;

	if (kept)
		return 0;
	if (!(mem = pass_memory(bytes, &block, &order))) {
		pr_err("vmcheck: no memory to keep for the frame map (%zu kB): each pass allocates "
		       "its own\n",
		       bytes >> 10);
		return -ENOMEM;
	}
	kept = pass_init(mem, max_spaces, block, order);
	kept->kept = true;
	kept_spaces = max_spaces;
	return 0;
}

struct vmcheck *vmcheck_begin(unsigned max_spaces, uint32_t flags)
{
	size_t head, bytes = pass_bytes(max_spaces, &head);
	struct vmcheck *c = NULL;
	uint32_t irq = irq_save();

	if (kept && !kept_busy && max_spaces <= kept_spaces) {
		kept_busy = true;
		c = kept;
	}
	irq_restore(irq);
	if (c) { /* the kept memory: a new generation; every 255 passes, cleared */
		if (++kept_gen > M_GEN_MAX) {
			memset(c->map, 0, (size_t)c->nframes * sizeof(uint32_t));
			kept_gen = 1;
		}
		c->gen = kept_gen;
	} else {
		struct page *block;
		unsigned order;
		void *mem = pass_memory(bytes, &block, &order);

		if (!mem) {
			pr_err("vmcheck: no memory for the frame map (%zu kB): nothing checked\n",
			       bytes >> 10);
			return NULL;
		}
		c = pass_init(mem, max_spaces, block, order);
		c->gen = 1; /* the memory is zeroed: generation 0 everywhere */
	}
	c->zero_pa = vm_zero_frame();
	c->max_spaces = max_spaces;
	c->flags = flags;
	c->incomplete = false;
	c->printed = 0;
	c->nspaces = 0;
	memset(&c->res, 0, sizeof(c->res));
	return c;
}

/* Areas: sorted, disjoint, non-empty, page-aligned, in the user half, known prot bits, and as
 * many as the count says. Stops at the count + 1 nodes (a broken list may loop). */
static void check_areas(struct vmcheck *c, const struct space_rec *s)
{
	const struct vm_space *vm = s->vm;
	const struct list_head *pos;
	uintptr_t prev_end = 0;
	uint32_t n = 0;

	for (pos = vm->areas.head.next; pos != &vm->areas.head && n <= vm->areas.count;
	     pos = pos->next, n++) {
		const struct vm_area *a = container_of(pos, struct vm_area, link);

		if (a->start >= a->end || !IS_ALIGNED(a->start, PAGE_SIZE) ||
		    !IS_ALIGNED(a->end, PAGE_SIZE) || a->start < USER_BASE || a->end > KERNEL_BASE)
			report(c, VMCHECK_AREAS, s, a->start, 0,
			       "area [0x%08x, 0x%08x) is malformed", (uint32_t)a->start,
			       (uint32_t)a->end);
		else if (a->start < prev_end)
			report(c, VMCHECK_AREAS, s, a->start, 0,
			       "area [0x%08x, 0x%08x) starts below the previous end 0x%08x",
			       (uint32_t)a->start, (uint32_t)a->end, (uint32_t)prev_end);
		else if (a->prot & ~VM_PROT_MASK)
			report(c, VMCHECK_AREAS, s, a->start, 0, "area prot 0x%x has unknown bits",
			       a->prot);
		if (a->end > prev_end)
			prev_end = a->end;
	}
	if (n != vm->areas.count)
		report(c, VMCHECK_AREAS, s, NO_ADDR, 0, "areas.count %u, %s%u areas on the list",
		       vm->areas.count, n > vm->areas.count ? "at least " : "", n);
}

/* The kernel half: kernel_pgdir's PDEs (but for the accessed and dirty bits), never PTE_U;
 * the recursive PDE: the directory itself. */
static void check_kernel_half(struct vmcheck *c, const struct space_rec *s, uint32_t dir_pa)
{
	const pde_t *pd = s->vm->pgdir;

	for (unsigned i = USER_PDES; i < PD_ENTRIES; i++) {
		uint32_t va = (uint32_t)i << PDX_SHIFT;

		if (pd[i] & PTE_U)
			report(c, VMCHECK_KERNEL_HALF, s, va, PTE_ADDR(pd[i]),
			       "kernel-half PDE 0x%08x is user-accessible", pd[i]);
		else if (i == RECURSIVE_PDX ? PTE_ADDR(pd[i]) != dir_pa
		                            : (pd[i] ^ kernel_pgdir[i]) & ~HW_BITS)
			report(c, VMCHECK_KERNEL_HALF, s, va, PTE_ADDR(pd[i]),
			       "kernel-half PDE 0x%08x, expected 0x%08x", pd[i],
			       i == RECURSIVE_PDX ? dir_pa | PTE_P | PTE_W : kernel_pgdir[i]);
	}
}

/*
 * The bit checks of one PTE with a frame, and its count in the frame map: done once per
 * distinct table, in the space @s that saw the table first.
 */
static void count_pte(struct vmcheck *c, const struct space_rec *s, uint32_t va, pte_t e)
{
	uint32_t pa = PTE_ADDR(e);

	if ((e & PTE_P) && !(e & PTE_U))
		report(c, VMCHECK_USER_BITS, s, va, pa, "present PTE 0x%08x without PTE_U", e);
	if ((e & PTE_COW) && (e & PTE_W))
		report(c, VMCHECK_COW_W, s, va, pa, "PTE 0x%08x has PTE_COW and PTE_W", e);
	if (pa == c->zero_pa) {
		if (e & PTE_W)
			report(c, VMCHECK_ZERO_W, s, va, pa,
			       "the zero page mapped writable (0x%08x)", e);
		return;
	}
	if ((pa >> PAGE_SHIFT) >= c->nframes) {
		report(c, VMCHECK_FRAME, s, va, pa, "frame past the %u managed frames", c->nframes);
		return;
	}
	uint32_t bad = 0;
	if (!(map_get(c, pa >> PAGE_SHIFT) & M_DATA) && !frame_allocated(c, pa)) {
		report(c, VMCHECK_FRAME, s, va, pa,
		       "not an allocated page (free or a block's tail)");
		bad = M_BAD;
	}
	map_count(c, pa >> PAGE_SHIFT, M_DATA | bad);
}

/* Recounts of a space's RSS counters (struct vm_space). */
struct rss {
	uint32_t pages, file, shmem;
};

/* Is @pa the page the object of area @a caches for user address @va? */
static bool in_cache(const struct vmcheck *c, const struct vm_area *a, uint32_t va, uint32_t pa)
{
	const struct vm_object *obj = a->backing.obj;
	uint32_t pgoff = (va - (uint32_t)a->backing.base) >> PAGE_SHIFT;

	return obj && obj->cache && pgoff < obj->npages &&
	       obj->cache[pgoff] == buddy_pfn_page(c->buddy, pa >> PAGE_SHIFT);
}

/*
 * The checks of PTE @e (with a frame) at @va of space @s against its area @a (NULL: none):
 * coverage, protection, a writable page-cache page only in a shared area; its share of the
 * RSS recount in *@rss; M_CACHED on its frame when its object caches it.
 */
static void check_pte_area(struct vmcheck *c, const struct space_rec *s, uint32_t va, pte_t e,
                           const struct vm_area *a, struct rss *rss)
{
	uint32_t pa = PTE_ADDR(e);
	bool shared = a && (a->flags & VM_SHARED);

	if (pa != c->zero_pa)
		rss->pages++;
	if (e & PTE_FILE) {
		if (shared)
			rss->shmem++;
		else
			rss->file++;
		if ((e & PTE_W) && !shared)
			report(c, VMCHECK_FILE_W, s, va, pa,
			       "page-cache page mapped writable (0x%08x) outside a shared area", e);
		if (a && (pa >> PAGE_SHIFT) < c->nframes && in_cache(c, a, va, pa))
			map_set(c, pa >> PAGE_SHIFT, map_get(c, pa >> PAGE_SHIFT) | M_CACHED);
	}
	if (!a)
		report(c, VMCHECK_UNCOVERED, s, va, pa, "PTE 0x%08x has a frame outside every area",
		       e);
	else if ((e & PTE_P) && !(a->prot & VM_PROT_MASK))
		report(c, VMCHECK_PROT, s, va, pa, "present PTE 0x%08x in a PROT_NONE area", e);
	else if (!(e & PTE_P) && (a->prot & VM_PROT_MASK))
		report(c, VMCHECK_PROT, s, va, pa, "PROT_NONE PTE 0x%08x in an area with prot 0x%x",
		       e, a->prot);
	else if ((e & PTE_W) && !(a->prot & VM_WRITE))
		report(c, VMCHECK_PROT, s, va, pa, "writable PTE 0x%08x in an area with prot 0x%x",
		       e, a->prot);
}

/*
 * Walk the user table behind @pde (span @span) of space @s: each entry with a frame against
 * the areas from *@area on (advanced in address order; check_pte_area), and, when @first
 * (the table not seen before), count_pte.
 */
static void walk_table(struct vmcheck *c, const struct space_rec *s, uint32_t span, pde_t pde,
                       bool first, const struct vm_area **area, struct rss *rss)
{
	const pte_t *t = phys_to_virt(PTE_ADDR(pde));
	const struct vma_set *areas = &s->vm->areas;

	for (unsigned j = 0; j < PT_ENTRIES; j++) {
		pte_t e = t[j];
		uint32_t va = span + ((uint32_t)j << PAGE_SHIFT);

		if (j % PTE_GROUP == 0 && group_empty(&t[j])) {
			j += PTE_GROUP - 1;
			continue;
		}
		if (!(e & (PTE_P | PTE_PROTNONE)))
			continue;
		while (*area && (*area)->end <= va)
			*area = vma_next(areas, *area);
		check_pte_area(c, s, va, e, *area && (*area)->start <= va ? *area : NULL, rss);
		if (first)
			count_pte(c, s, va, e);
	}
}

int vmcheck_space(struct vmcheck *c, struct vm_space *vm, const char *label)
{
	struct space_rec *s;
	const struct vm_area *area;
	struct rss rss = { 0, 0, 0 };
	uint32_t dir_pa;

	for (unsigned i = 0; i < c->nspaces; i++)
		if (c->spaces[i].vm == vm)
			return 0;
	if (c->nspaces == c->max_spaces) {
		if (!c->incomplete && !(c->flags & VMCHECK_QUIET))
			pr_err("vmcheck: more than %u spaces: refcounts not checked\n",
			       c->max_spaces);
		c->incomplete = true;
		return -ENOSPC;
	}
	s = &c->spaces[c->nspaces++];
	s->vm = vm;
	kstrlcpy(s->label, label ? label : "?", sizeof(s->label));
	c->res.spaces++;

	check_areas(c, s);
	dir_pa = virt_to_phys(vm->pgdir);
	if (!frame_allocated(c, dir_pa))
		report(c, VMCHECK_FRAME, s, NO_ADDR, dir_pa,
		       "page directory 0x%08x is not an allocated page", dir_pa);
	else
		map_count(c, dir_pa >> PAGE_SHIFT, M_DIR);
	check_kernel_half(c, s, dir_pa);

	area = list_empty(&vm->areas.head)
	           ? NULL
	           : list_first_entry(&vm->areas.head, struct vm_area, link);
	for (unsigned i = 0; i < USER_PDES; i++) {
		pde_t pde = vm->pgdir[i];
		uint32_t span = (uint32_t)i << PDX_SHIFT, tpa = PTE_ADDR(pde);
		bool first;

		if (!(pde & PTE_P))
			continue;
		if (!(pde & PTE_U) || (pde & PTE_PS)) {
			report(c, VMCHECK_USER_BITS, s, span, tpa,
			       "user PDE 0x%08x without PTE_U or with PTE_PS", pde);
			if (pde & PTE_PS)
				continue;
		}
		if (!frame_readable(c, tpa) || !frame_allocated(c, tpa)) {
			report(c, VMCHECK_FRAME, s, span, tpa,
			       "page table is not an allocated lowmem page");
			continue;
		}
		first = !(map_get(c, tpa >> PAGE_SHIFT) & M_TABLE);
		map_count(c, tpa >> PAGE_SHIFT, M_TABLE | (pde & PTE_W ? M_TABLE_W : 0));
		if (first)
			c->res.tables++;
		walk_table(c, s, span, pde, first, &area, &rss);
	}
	if (rss.pages != vm->rss_pages || rss.file != vm->rss_file || rss.shmem != vm->rss_shmem)
		report(c, VMCHECK_RSS, s, NO_ADDR, 0,
		       "rss_pages %u, %u frames mapped; rss_file %u, %u; rss_shmem %u, %u",
		       vm->rss_pages, rss.pages, vm->rss_file, rss.file, vm->rss_shmem, rss.shmem);
	/* total_vm and data_vm (RLIMIT_AS, RLIMIT_DATA): the areas but the stack, whose grown
	 * part counts; data: private writable areas but the stack. */
	uint32_t total = vm->stack_top - vm->stack_low > 0
	                     ? (uint32_t)((vm->stack_top - vm->stack_low) >> PAGE_SHIFT)
	                     : 0,
		 data = 0;
	const struct vm_area *ta;
	list_for_each_entry(ta, &vm->areas.head, link)
	{
		uint32_t pages = (uint32_t)((ta->end - ta->start) >> PAGE_SHIFT);
		if (ta->flags & VM_GROWSDOWN)
			continue;
		total += pages;
		if ((ta->prot & VM_WRITE) && !(ta->flags & VM_SHARED))
			data += pages;
	}
	if (total != vm->total_vm || data != vm->data_vm)
		report(c, VMCHECK_RSS, s, NO_ADDR, 0,
		       "total_vm %u, recount %u; data_vm %u, recount %u", vm->total_vm, total,
		       vm->data_vm, data);
	/* The commitment: VM_ACCOUNT areas' pages plus the stack's charged growth. */
	uint32_t charged = vm->stack_committed;
	const struct vm_area *ca;
	list_for_each_entry(ca, &vm->areas.head, link) if (ca->flags & VM_ACCOUNT) charged +=
	    (uint32_t)((ca->end - ca->start) >> PAGE_SHIFT);
	if (charged != vm->committed)
		report(c, VMCHECK_RSS, s, NO_ADDR, 0,
		       "committed %u pages, recount %u (VM_ACCOUNT areas + stack %u)",
		       vm->committed, charged, vm->stack_committed);
	return 0;
}

/*
 * The global checks of the frames in the table behind @pde (walked once, from the first
 * space @s that holds it), whose map word is @tm.
 */
static void check_table_frames(struct vmcheck *c, const struct space_rec *s, uint32_t span,
                               pde_t pde, uint32_t tm)
{
	const pte_t *t = phys_to_virt(PTE_ADDR(pde));

	for (unsigned j = 0; j < PT_ENTRIES; j++) {
		pte_t e = t[j];
		uint32_t va = span + ((uint32_t)j << PAGE_SHIFT), pa = PTE_ADDR(e);
		uint32_t pfn = pa >> PAGE_SHIFT, m, seen, refs;

		if (j % PTE_GROUP == 0 && group_empty(&t[j])) {
			j += PTE_GROUP - 1;
			continue;
		}
		if (!(e & (PTE_P | PTE_PROTNONE)) || pa == c->zero_pa || pfn >= c->nframes)
			continue;
		m = map_get(c, pfn);
		if (m & M_ALIAS) {
			report(c, VMCHECK_MAPS_TABLE, s, va, pa, "a user PTE maps a %s",
			       m & M_DIR ? "page directory" : "page table");
			continue;
		}
		if (m & M_BAD)
			continue;
		seen = m & M_COUNT;
		refs = page_ref_count(buddy_pfn_page(c->buddy, pfn));
		if ((e & PTE_P) && (e & PTE_W) && !(e & PTE_FILE) && (tm & M_TABLE_W) &&
		    (refs > 1 || seen > 1))
			report(c, VMCHECK_WRITE_SHARED, s, va, pa,
			       "writable with refcount %u, mapped by %u tables", refs, seen);
		if (m & M_DONE)
			continue;
		map_set(c, pfn, m | M_DONE);
		c->res.frames++;
		if (refs != seen + (m & M_CACHED ? 1 : 0))
			report(c, VMCHECK_REFCOUNT, s, va, pa, "refcount %u, references seen %u%s",
			       refs, seen, m & M_CACHED ? " + 1 (page cache)" : "");
	}
}

unsigned vmcheck_end(struct vmcheck *c, struct vmcheck_result *res)
{
	unsigned failures;

	if (!c)
		return 0;
	for (unsigned k = 0; k < c->nspaces && !c->incomplete; k++) {
		const struct space_rec *s = &c->spaces[k];

		for (unsigned i = 0; i < USER_PDES; i++) {
			pde_t pde = s->vm->pgdir[i];
			uint32_t span = (uint32_t)i << PDX_SHIFT, tpa = PTE_ADDR(pde), m, holders;
			bool alias;

			if (!(pde & PTE_P) || (pde & PTE_PS) || !frame_readable(c, tpa))
				continue;
			m = map_get(c, tpa >> PAGE_SHIFT);
			if (!(m & M_TABLE))
				continue; /* refused in vmcheck_space (not allocated) */
			holders = m & M_COUNT;
			/* A table also mapped as a page (or a directory) is reported as maps-table:
			 * its count mixes both, so its own checks are skipped. */
			alias = m & (M_DATA | M_DIR);
			if (!alias && holders > 1 && (pde & PTE_W))
				report(c, VMCHECK_TABLE_W, s, span, tpa,
				       "PDE 0x%08x writable, the table held by %u directories", pde,
				       holders);
			if (m & M_DONE)
				continue;
			map_set(c, tpa >> PAGE_SHIFT, m | M_DONE);
			if (!alias &&
			    page_ref_count(buddy_pfn_page(c->buddy, tpa >> PAGE_SHIFT)) != holders)
				report(c, VMCHECK_TABLE_REF, s, span, tpa,
				       "table refcount %u, held by %u directories",
				       page_ref_count(buddy_pfn_page(c->buddy, tpa >> PAGE_SHIFT)),
				       holders);
			check_table_frames(c, s, span, pde, m);
		}
	}
	if (res)
		*res = c->res;
	failures = c->res.failures;
	if (c->kept)
		kept_busy = false;
	else if (c->block)
		free_pages(c->block, c->order);
	else
		vfree(c);
	return failures;
}
