/*
 * phys: boot-time bring-up of physical memory and the kernel's page API (see mm/phys.h).
 *
 * Locking: the buddy allocator and the kmap slot table are touched with interrupts masked
 * (irq_save/irq_restore); single CPU, so that is the whole lock. mm_init runs before anything
 * else allocates.
 */
#include "mm/phys.h"

#include "mm/pager.h"
#include "mm/vm.h"

#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/compiler.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/slotmap.h"
#include "lib/string.h"
#include "mm/failinject.h"
#include "mm/kstack.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"
#include "x86/cpu.h"
#include "x86/mmu.h"

#define MiB          (1024u * 1024u)
#define LOW_RESERVED (1u * MiB) /* BIOS data, VGA, option ROMs: never used */

static struct memmap memmap;
static struct frame_bitmap bitmap;
static struct buddy buddy;
struct page *mm_page_array;
static uint32_t lowmem_end;       /* physical end of the direct map */
static uint32_t page_table_pages; /* page tables allocated after boot, not yet freed */
uint64_t mm_init_tsc;             /* rdtsc delta of mm_init (make bench reads it) */

/* kmap: one page table covering KMAP_BASE..+4 MiB; slot i maps at KMAP_BASE + i pages. */
static pte_t *kmap_ptes;
static uint32_t kmap_words[SLOTMAP_WORDS(KMAP_SLOTS)];
static struct slotmap kmap_slots = SLOTMAP_INIT(kmap_words, KMAP_SLOTS);

struct buddy *mm_buddy(void)
{
	return &buddy;
}

const struct memmap *mm_memmap(void)
{
	return &memmap;
}

uint32_t mm_lowmem_end(void)
{
	return lowmem_end;
}

/* ---- boot ------------------------------------------------------------------------------ */

/*
 * Map [BOOT_MAP_BYTES, lowmem_end) at KERNEL_BASE with 4 MiB pages. The first BOOT_MAP_BYTES
 * keep the boot page tables (4 KiB pages: read-only text, the boot stack's guard page).
 */
static void direct_map_init(void)
{
	pde_t *pd = (pde_t *)RECURSIVE_PD;

	write_cr4(read_cr4() | CR4_PSE);
	for (uint32_t pa = BOOT_MAP_BYTES; pa < lowmem_end; pa += PDE_SPAN)
		pd[PDX(KERNEL_BASE + pa)] = pa | PTE_P | PTE_W | PTE_PS;
	write_cr3(read_cr3());
}

/*
 * Reserve @len bytes of lowmem for boot metadata, above the DMA zone when it fits there (so
 * a large struct page array does not use up the memory ISA DMA needs); panics when nothing fits.
 */
static uint32_t reserve_metadata(uint64_t len, const char *name)
{
	uint64_t base;
	int rc = memmap_alloc(&memmap, len, PAGE_SIZE, DMA_ZONE_END, lowmem_end, name, &base);
	if (rc < 0)
		rc = memmap_alloc(&memmap, len, PAGE_SIZE, LOW_RESERVED, lowmem_end, name, &base);
	if (rc < 0)
		panic("mm: no room for the %s (%llu bytes) in %u MiB of lowmem: %d", name,
		      (unsigned long long)len, lowmem_end / MiB, rc);
	return (uint32_t)base;
}

static void kmap_init(void)
{
	uint32_t pt = reserve_metadata(PAGE_SIZE, "kmap page table");
	pde_t *pd = (pde_t *)RECURSIVE_PD;

	memset(phys_to_virt(pt), 0, PAGE_SIZE);
	pd[PDX(KMAP_BASE)] = pt | PTE_P | PTE_W;
	kmap_ptes = (pte_t *)(RECURSIVE_BASE + PDX(KMAP_BASE) * PAGE_SIZE);
	invlpg((uintptr_t)kmap_ptes);
}

static void *buddy_map(void *ctx, uint32_t pfn)
{
	(void)ctx;
	return kmap(pfn);
}

static void buddy_unmap(void *ctx, uint32_t pfn, void *va)
{
	(void)ctx;
	(void)pfn;
	kunmap(va);
}

void mm_init(const struct mm_boot_params *p)
{
	uint64_t t0 = rdtsc();

	int rc = memmap_sanitize(&memmap, p->map, p->map_count, p->mem_limit);
	if (rc < 0) {
		memmap_print(&memmap);
		panic("mm: the memory map has no usable RAM (%d)", rc);
	}
	memmap_reserve(&memmap, 0, LOW_RESERVED, "first 1 MiB");
	memmap_reserve(&memmap, virt_to_phys(__kernel_start),
	               (uint64_t)(__kernel_end - __kernel_start), "kernel image");
	if (p->info_end > p->info_start)
		memmap_reserve(&memmap, p->info_start, p->info_end - p->info_start,
		               "multiboot info");
	if (p->mods_end > p->mods_start)
		memmap_reserve(&memmap, p->mods_start, p->mods_end - p->mods_start,
		               "multiboot modules");

	uint32_t nframes = memmap_end_pfn(&memmap);
	uint64_t ram_end = PFN_PHYS(nframes);
	lowmem_end = (uint32_t)MIN(ram_end, (uint64_t)LOWMEM_LIMIT);
	lowmem_end = MAX(lowmem_end, BOOT_MAP_BYTES);
	direct_map_init();

	size_t bm_bytes = frame_bitmap_storage_bytes(nframes);
	size_t pg_bytes = buddy_storage_bytes(nframes);
	uint32_t bm_pa = reserve_metadata(bm_bytes, "frame bitmap");
	uint32_t pg_pa = reserve_metadata(pg_bytes, "struct page array");
	kmap_init();

	uint64_t usable = memmap_usable_bytes(&memmap);
	uint64_t needed = 4 * MiB; /* room for the heap, stacks and tests to be useful */
	if (usable < needed)
		panic("mm: only %llu kB of usable RAM after reservations; Strata needs %llu kB",
		      (unsigned long long)(usable >> 10), (unsigned long long)(needed >> 10));

	rc = frame_bitmap_init(&bitmap, phys_to_virt(bm_pa), bm_bytes, nframes, &memmap);
	if (rc < 0)
		panic("mm: frame bitmap init failed: %d", rc);
	struct buddy_config cfg = {
		.storage = phys_to_virt(pg_pa),
		.storage_bytes = pg_bytes,
		.normal_end_pfn = lowmem_end >> PAGE_SHIFT,
		.map = buddy_map,
		.unmap = buddy_unmap,
		.map_ctx = 0,
		.debug_pagealloc = p->debug_pagealloc,
		.init_on_alloc = p->init_on_alloc,
	};
	rc = buddy_init(&buddy, &bitmap, &cfg);
	mm_page_array = buddy.pages;
	if (rc < 0)
		panic("mm: buddy allocator init failed: %d", rc);
	uint64_t t1 = rdtsc();
	memmap_print(&memmap); /* after the measurement: printing is not initialization */
	buddy_print_info(&buddy);

	mm_init_tsc = t1 - t0;
	pr_info("mm: init: %llu TSC ticks for %u frames (under -icount shift=0: instructions)\n",
	        (unsigned long long)mm_init_tsc, nframes);
	panic_register_notifier(mm_print_meminfo);
	vmalloc_init();
	kstack_init();
}

/* ---- page API ---------------------------------------------------------------------------- */

static const struct mm_owner_ops *owner_ops;
static uint32_t current_owner;

void mm_set_owner_ops(const struct mm_owner_ops *ops)
{
	owner_ops = ops;
}

void mm_set_current_owner(uint32_t owner)
{
	current_owner = owner;
}

uint32_t mm_current_owner(void)
{
	return current_owner;
}

struct page *alloc_pages(unsigned order, gfp_t gfp, struct mm_error *err)
{
	uint32_t owner = (gfp & __GFP_KOWNED) ? PAGE_OWNER_KERNEL : current_owner;
	struct mm_error local;
	if (!err)
		err = &local;
	uint32_t flags = irq_save();
	/* fail_page_alloc (include/mm/failinject.h): never a must-succeed allocation. */
	if (unlikely(fail_page_alloc_attr.enabled) && !(gfp & __GFP_NOFAIL) &&
	    failinject_now(&fail_page_alloc_attr)) {
		uint64_t free = (uint64_t)buddy.bm->free_frames << PAGE_SHIFT;
		uint64_t total = (uint64_t)buddy.managed_pages << PAGE_SHIFT;

		irq_restore(flags);
		/* The report shows the real figures: memory was there, the failure was injected. */
		*err = (struct mm_error){ .kind = MM_OUT_OF_MEMORY,
			                  .requested = (uint64_t)PAGE_SIZE << order,
			                  .available = free,
			                  .used = total - free,
			                  .total = total };
		return 0;
	}
	if (owner != PAGE_OWNER_KERNEL && owner_ops && order <= BUDDY_MAX_ORDER &&
	    owner_ops->charge(owner, 1 << order, err) < 0) {
		irq_restore(flags);
		return 0;
	}
	struct page *pg = buddy_alloc_caller(&buddy, order, gfp & ~__GFP_KOWNED, err, RET_ADDR());
	if (owner != PAGE_OWNER_KERNEL && owner_ops) {
		struct list_head *list = owner_ops->list(owner);
		if (pg && list) {
			pg->owner = owner;
			list_add(&pg->link, list);
		} else {
			owner_ops->charge(owner, -(1 << order), 0); /* undo */
		}
	}
	irq_restore(flags);
	return pg;
}

int free_pages(struct page *pg, unsigned order)
{
	uint32_t pfn = buddy_page_pfn(&buddy, pg);
	uint32_t flags = irq_save();
	/* Only a valid allocated head has a meaningful owner: check before touching its link. */
	bool head = pfn < buddy.nframes && bitmap_test(buddy.heads, pfn) && pg->order == order;
	uint32_t owner = head ? pg->owner : PAGE_OWNER_KERNEL;
	if (owner != PAGE_OWNER_KERNEL) {
		list_del(&pg->link);
	}
	int rc = buddy_free_caller(&buddy, pfn, order, RET_ADDR());
	if (owner != PAGE_OWNER_KERNEL && owner_ops)
		owner_ops->charge(owner, -(1 << order), 0);
	irq_restore(flags);
	return rc;
}

struct page *alloc_page_for(uint32_t owner)
{
	struct mm_error err;
	uint32_t flags = irq_save();
	uint32_t prev = current_owner;

	current_owner = owner;
	struct page *pg = alloc_pages(0, GFP_KERNEL, &err);
	current_owner = prev;
	if (pg)
		pg->flags |= PG_USER;
	irq_restore(flags);
	return pg;
}

void page_disown(struct page *pg)
{
	uint32_t flags = irq_save();
	uint32_t owner = pg->owner;

	if (owner != PAGE_OWNER_KERNEL) {
		list_del(&pg->link);
		pg->owner = PAGE_OWNER_KERNEL;
		if (owner_ops)
			owner_ops->charge(owner, -(1 << pg->order), 0);
	}
	irq_restore(flags);
}

void *page_address(const struct page *pg)
{
	uint64_t pa = PFN_PHYS(page_to_pfn(pg));
	return pa < lowmem_end ? phys_to_virt((uint32_t)pa) : 0;
}

struct page *virt_to_page(const void *va)
{
	uintptr_t v = (uintptr_t)va;
	if (v < KERNEL_BASE || v - KERNEL_BASE >= lowmem_end)
		return 0;
	uint32_t pfn = (uint32_t)(v - KERNEL_BASE) >> PAGE_SHIFT;
	return pfn < buddy.nframes ? pfn_to_page(pfn) : 0;
}

void *kmap(uint32_t pfn)
{
	uint64_t pa = PFN_PHYS(pfn);
	if (pa < lowmem_end)
		return phys_to_virt((uint32_t)pa);
	uint32_t flags = irq_save();
	uint32_t slot = slotmap_alloc(&kmap_slots);
	if (slot < KMAP_SLOTS) {
		uintptr_t va = KMAP_BASE + slot * PAGE_SIZE;
		kmap_ptes[slot] = (uint32_t)pa | PTE_P | PTE_W;
		invlpg(va);
		irq_restore(flags);
		return (void *)va;
	}
	irq_restore(flags);
	pr_err("mm: kmap: all %u slots in use\n", KMAP_SLOTS);
	return 0;
}

void kunmap(void *va)
{
	uintptr_t v = (uintptr_t)va;
	if (v < KMAP_BASE || v >= KMAP_BASE + KMAP_SLOTS * PAGE_SIZE)
		return; /* a direct-map address: nothing to release */
	unsigned slot = (unsigned)((v - KMAP_BASE) >> PAGE_SHIFT);
	uint32_t flags = irq_save();
	if (!slotmap_test(&kmap_slots, slot)) {
		irq_restore(flags);
		pr_err("mm: kunmap(%p) of a free slot from %pS\n", va, (void *)RET_ADDR());
		return;
	}
	kmap_ptes[slot] = 0;
	invlpg(v & ~(uintptr_t)PAGE_OFFSET_MASK);
	slotmap_free(&kmap_slots, slot);
	irq_restore(flags);
}

uint32_t mm_alloc_page_table(struct mm_error *err)
{
	return mm_alloc_page_table_gfp(__GFP_ZERO, err);
}

uint32_t mm_alloc_page_table_gfp(gfp_t gfp, struct mm_error *err)
{
	struct page *pg = alloc_pages(0, GFP_KERNEL | __GFP_KOWNED | gfp, err);
	if (!pg)
		return 0;
	page_table_pages++;
	return (uint32_t)PFN_PHYS(page_to_pfn(pg));
}

int mm_free_page_table(uint32_t pa)
{
	int rc = free_pages(pfn_to_page(pa >> PAGE_SHIFT), 0);
	if (rc == 0)
		page_table_pages--;
	return rc;
}

/* ---- statistics ---------------------------------------------------------------------------- */

void mm_status(struct mm_status *st)
{
	st->total_pages = buddy.managed_pages;
	st->free_pages = buddy.bm ? buddy_free_pages(&buddy) : 0;
	st->level = buddy.pressure.level;
	st->level_changes = buddy.pressure.transitions;
}

void mm_meminfo(struct mm_meminfo *mi)
{
	struct buddy_stats st;
	uint32_t flags = irq_save();
	buddy_stats(&buddy, &st);
	irq_restore(flags);

	memset(mi, 0, sizeof(*mi));
	mi->total = st.total_bytes;
	mi->free = st.free_bytes;
	mi->used = st.used_bytes;
	mi->high_total = (uint64_t)st.zone_managed_pages[ZONE_HIGHMEM] * PAGE_SIZE;
	mi->high_free = (uint64_t)st.zone_free_pages[ZONE_HIGHMEM] * PAGE_SIZE;
	mi->low_total = mi->total - mi->high_total;
	mi->low_free = mi->free - mi->high_free;
	mi->page_tables = (uint64_t)page_table_pages * PAGE_SIZE;
	vmalloc_stats(&mi->vmalloc_total, &mi->vmalloc_used);
	mi->slab = kmem_slab_bytes() + kmem_large_bytes();
	uint32_t stacks, stack_pages;
	kstack_stats(&stacks, &stack_pages);
	mi->kernel_stack = (uint64_t)stack_pages * PAGE_SIZE;
	struct vm_object_stats os;
	vm_object_get_stats(&os);
	mi->anon = vm_counters.anon_pages * PAGE_SIZE;
	mi->shmem = (uint64_t)os.shmem * PAGE_SIZE;
	mi->cached = (uint64_t)(os.cached + os.shmem) * PAGE_SIZE;
	mi->mapped = (uint64_t)vm_object_mapped_pages() * PAGE_SIZE;
	mi->committed = (vm_counters.committed + os.committed) * PAGE_SIZE;
}
