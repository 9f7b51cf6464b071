/*
 * heap: slab layer and kmalloc on the buddy allocator; the `slabinfo` and `leaks` monitor
 * commands (see include/mm/heap.h).
 */
#include "mm/heap.h"

#include "lib/command.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/seqbuf.h"
#include "lib/errno.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/pressure.h"
#include "mm/slab.h"
#include "x86/cpu.h"

#define LEAKS_MAX 32

static void *slab_alloc_pages(unsigned order, uint32_t flags, struct mm_error *err, void *ctx)
{
	(void)ctx;
	(void)flags;
	struct page *pg = alloc_pages(order, GFP_KERNEL | __GFP_KOWNED, err);
	return pg ? page_address(pg) : 0;
}

static void slab_free_pages(void *addr, unsigned order, void *ctx)
{
	(void)ctx;
	free_pages(virt_to_page(addr), order);
}

static uint32_t slab_shrink(void *ctx, enum mm_pressure_level level)
{
	(void)ctx;
	(void)level;
	return (uint32_t)kmem_shrink_all();
}

void heap_init(bool slub_debug)
{
	struct slab_page_ops ops = {
		.alloc_pages = slab_alloc_pages,
		.free_pages = slab_free_pages,
		.ctx = 0,
		.base = KERNEL_BASE,
		.span = mm_lowmem_end(),
	};
	slab_set_debug(slub_debug);
	int rc = slab_init(&ops, rdtsc());
	if (rc == 0)
		rc = kmalloc_init();
	if (rc < 0)
		panic("mm: cannot start the slab layer: %d", rc);
	mm_shrinker_register("slab", slab_shrink, 0);
	pr_info("mm: slab layer up%s\n", slub_debug ? " (slub_debug)" : "");
}

static void emit_line(const char *line, void *ctx)
{
	seq_printf(ctx, "%s\n", line);
}

void kmem_slabinfo_show(struct seqbuf *s)
{
	kmem_slabinfo(emit_line, s);
}

static int cmd_slabinfo(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		kprintf("usage: slabinfo\n");
		return -EINVAL;
	}
	struct seqbuf s;
	seq_init(&s, NULL, 0);
	kmem_slabinfo_show(&s);
	return 0;
}
MONITOR_COMMAND(slabinfo, "slabinfo", "slab caches (/proc/slabinfo 2.1)", cmd_slabinfo);

static int cmd_leaks(int argc, char **argv)
{
	static struct kmem_leak leaks[LEAKS_MAX];
	size_t missed = 0;
	(void)argv;
	if (argc != 1) {
		kprintf("usage: leaks\n");
		return -EINVAL;
	}
	uint32_t flags = irq_save();
	size_t n = kmem_leak_scan(leaks, LEAKS_MAX, &missed);
	irq_restore(flags);
	kprintf("%8s %10s  %s\n", "count", "bytes", "caller");
	for (size_t i = 0; i < n; i++)
		kprintf("%8lu %10zu  %pS\n", leaks[i].count, leaks[i].bytes,
		        (void *)leaks[i].caller);
	if (missed)
		kprintf("(%zu more callers not shown)\n", missed);
	if (!slab_debug_enabled())
		kprintf("(callers of small objects are recorded with slub_debug on the command "
		        "line)\n");
	return 0;
}
MONITOR_COMMAND(leaks, "leaks", "live allocations grouped by caller", cmd_leaks);
