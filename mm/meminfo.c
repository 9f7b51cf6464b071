/*
 * meminfo: the memory statistics in /proc/meminfo's format — one emitter (mm_meminfo_show)
 * for the monitor's meminfo, the panic report and the file /proc/meminfo.
 *
 * Linux 6.1's i386 fields in its order (as a Debian linux-image-686 kernel prints them), each
 * "Name:" then the value right-aligned to column 24 and " kB" (the HugePages_ counts have no
 * unit). Strata's figures where it has them; Strata has no LRU lists (every page counts as
 * active: anonymous and shared-memory pages as Active(anon), the rest of the page cache as
 * Active(file)), no swap, no dirty or writeback pages, no huge pages: those are 0.
 * MemAvailable is free plus what the shrinkers could give back (empty slabs). DirectMap4k and
 * DirectMap4M are the direct map's 4 KiB and 4 MiB pages (mm/phys.c, direct_map_init).
 */
#include "mm/phys.h"

#include "lib/compiler.h"
#include "lib/seqbuf.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/vm.h"

#define VALUE_COLUMN 24u /* where Linux's values end ("MemTotal:" + %15, "Name:       " + %8) */
#define PDE_BYTES    0x00400000u /* a 4 MiB page of the direct map */

/* One line: "@name:" and @v (bytes, printed in kB when @kb, else as a count). */
static void line(struct seqbuf *s, const char *name, uint64_t v, bool kb)
{
	int width = (int)VALUE_COLUMN - (int)strlen(name) - 1;

	if (width < 1)
		width = 1;
	if (kb)
		seq_printf(s, "%s:%*llu kB\n", name, width, (unsigned long long)(v >> 10));
	else
		seq_printf(s, "%s:%*llu\n", name, width, (unsigned long long)v);
}

void mm_meminfo_show(struct seqbuf *s)
{
	struct mm_meminfo mi;

	mm_meminfo(&mi);
	uint64_t anon_lru = mi.anon + mi.shmem, file_lru = mi.cached - mi.shmem;
	uint64_t lowmem = mm_lowmem_end();
	uint64_t map4k = MIN(lowmem, (uint64_t)BOOT_MAP_BYTES);
	uint64_t map4m = lowmem > BOOT_MAP_BYTES ? ALIGN_UP(lowmem - BOOT_MAP_BYTES, PDE_BYTES) : 0;
	const struct {
		const char *name;
		uint64_t v;
	} kb[] = {
		{ "MemTotal", mi.total },
		{ "MemFree", mi.free },
		{ "MemAvailable", mi.free + mi.reclaimable },
		{ "Buffers", 0 },
		{ "Cached", mi.cached },
		{ "SwapCached", 0 },
		{ "Active", anon_lru + file_lru },
		{ "Inactive", 0 },
		{ "Active(anon)", anon_lru },
		{ "Inactive(anon)", 0 },
		{ "Active(file)", file_lru },
		{ "Inactive(file)", 0 },
		{ "Unevictable", 0 },
		{ "Mlocked", 0 },
		{ "HighTotal", mi.high_total },
		{ "HighFree", mi.high_free },
		{ "LowTotal", mi.low_total },
		{ "LowFree", mi.low_free },
		{ "SwapTotal", 0 },
		{ "SwapFree", 0 },
		{ "Zswap", 0 },
		{ "Zswapped", 0 },
		{ "Dirty", 0 },
		{ "Writeback", 0 },
		{ "AnonPages", mi.anon },
		{ "Mapped", mi.mapped },
		{ "Shmem", mi.shmem },
		{ "KReclaimable", mi.reclaimable },
		{ "Slab", mi.slab },
		{ "SReclaimable", mi.reclaimable },
		{ "SUnreclaim", mi.slab - MIN(mi.slab, mi.reclaimable) },
		{ "KernelStack", mi.kernel_stack },
		{ "PageTables", mi.page_tables },
		{ "SecPageTables", 0 },
		{ "NFS_Unstable", 0 },
		{ "Bounce", 0 },
		{ "WritebackTmp", 0 },
		{ "CommitLimit", vm_commit_limit_pages() * PAGE_SIZE },
		{ "Committed_AS", mi.committed },
		{ "VmallocTotal", mi.vmalloc_total },
		{ "VmallocUsed", mi.vmalloc_used },
		{ "VmallocChunk", 0 },
		{ "Percpu", 0 },
		{ "HardwareCorrupted", 0 },
		{ "AnonHugePages", 0 },
		{ "ShmemHugePages", 0 },
		{ "ShmemPmdMapped", 0 },
		{ "FileHugePages", 0 },
		{ "FilePmdMapped", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kb); i++)
		line(s, kb[i].name, kb[i].v, true);
	line(s, "HugePages_Total", 0, false);
	line(s, "HugePages_Free", 0, false);
	line(s, "HugePages_Rsvd", 0, false);
	line(s, "HugePages_Surp", 0, false);
	line(s, "Hugepagesize", PDE_BYTES, true);
	line(s, "Hugetlb", 0, true);
	line(s, "DirectMap4k", map4k, true);
	line(s, "DirectMap4M", map4m, true);
}

void mm_print_meminfo(void)
{
	struct seqbuf s;

	seq_init(&s, NULL, 0);
	mm_meminfo_show(&s);
}
