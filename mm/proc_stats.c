/*
 * proc_stats: the memory statistics files of /proc beside meminfo — vmstat, buddyinfo,
 * zoneinfo, slabinfo — each one emitter (a seqbuf: the monitor's console or a /proc file's
 * buffer, include/lib/seqbuf.h) shared by the monitor command of the same name
 * (mm/commands.c, mm/heap.c) and the file.
 *
 * vmstat: Linux 6.1's names in its order (as the Debian 686 kernel prints them), Strata's
 * figures where it has the notion (free pages, anonymous, file, shared and mapped pages, slab,
 * kernel stacks in kB, page tables, page allocations and frees, faults, copy-on-write reuse
 * as pgreuse, OOM kills), 0 for the rest (LRU ages, swap, writeback, compaction, THP, NUMA).
 * Strata's own counters (copy-on-write copies, zero-page and page-cache maps, page-table
 * sharing) are a second emitter the monitor prints after it. buddyinfo: Linux's layout with
 * Strata's 13 orders. zoneinfo: per zone the fields that exist (free, spanned, present,
 * managed, start_pfn; watermarks and the per-zone LRU counts 0: Strata reclaims by pressure,
 * not per-zone watermarks, and keeps no LRU lists), the per-node statistics (vmstat's
 * figures) with the first zone, as Linux.
 */
#include "lib/compiler.h"
#include "lib/procfile.h"
#include "lib/seqbuf.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "mm/proc_stats.h"
#include "mm/slab.h"
#include "mm/vm.h"
#include "x86/cpu.h"

/* Linux 6.1's /proc/vmstat names, in its order. */
static const char *const vmstat_names[] = {
	"nr_free_pages",
	"nr_zone_inactive_anon",
	"nr_zone_active_anon",
	"nr_zone_inactive_file",
	"nr_zone_active_file",
	"nr_zone_unevictable",
	"nr_zone_write_pending",
	"nr_mlock",
	"nr_bounce",
	"nr_zspages",
	"nr_free_cma",
	"nr_inactive_anon",
	"nr_active_anon",
	"nr_inactive_file",
	"nr_active_file",
	"nr_unevictable",
	"nr_slab_reclaimable",
	"nr_slab_unreclaimable",
	"nr_isolated_anon",
	"nr_isolated_file",
	"workingset_nodes",
	"workingset_refault_anon",
	"workingset_refault_file",
	"workingset_activate_anon",
	"workingset_activate_file",
	"workingset_restore_anon",
	"workingset_restore_file",
	"workingset_nodereclaim",
	"nr_anon_pages",
	"nr_mapped",
	"nr_file_pages",
	"nr_dirty",
	"nr_writeback",
	"nr_writeback_temp",
	"nr_shmem",
	"nr_shmem_hugepages",
	"nr_shmem_pmdmapped",
	"nr_file_hugepages",
	"nr_file_pmdmapped",
	"nr_anon_transparent_hugepages",
	"nr_vmscan_write",
	"nr_vmscan_immediate_reclaim",
	"nr_dirtied",
	"nr_written",
	"nr_throttled_written",
	"nr_kernel_misc_reclaimable",
	"nr_foll_pin_acquired",
	"nr_foll_pin_released",
	"nr_kernel_stack",
	"nr_page_table_pages",
	"nr_sec_page_table_pages",
	"nr_swapcached",
	"nr_dirty_threshold",
	"nr_dirty_background_threshold",
	"pgpgin",
	"pgpgout",
	"pswpin",
	"pswpout",
	"pgalloc_dma",
	"pgalloc_normal",
	"pgalloc_high",
	"pgalloc_movable",
	"allocstall_dma",
	"allocstall_normal",
	"allocstall_high",
	"allocstall_movable",
	"pgskip_dma",
	"pgskip_normal",
	"pgskip_high",
	"pgskip_movable",
	"pgfree",
	"pgactivate",
	"pgdeactivate",
	"pglazyfree",
	"pgfault",
	"pgmajfault",
	"pglazyfreed",
	"pgrefill",
	"pgreuse",
	"pgsteal_kswapd",
	"pgsteal_direct",
	"pgdemote_kswapd",
	"pgdemote_direct",
	"pgscan_kswapd",
	"pgscan_direct",
	"pgscan_direct_throttle",
	"pgscan_anon",
	"pgscan_file",
	"pgsteal_anon",
	"pgsteal_file",
	"pginodesteal",
	"slabs_scanned",
	"kswapd_inodesteal",
	"kswapd_low_wmark_hit_quickly",
	"kswapd_high_wmark_hit_quickly",
	"pageoutrun",
	"pgrotated",
	"drop_pagecache",
	"drop_slab",
	"oom_kill",
	"pgmigrate_success",
	"pgmigrate_fail",
	"thp_migration_success",
	"thp_migration_fail",
	"thp_migration_split",
	"compact_migrate_scanned",
	"compact_free_scanned",
	"compact_isolated",
	"compact_stall",
	"compact_fail",
	"compact_success",
	"compact_daemon_wake",
	"compact_daemon_migrate_scanned",
	"compact_daemon_free_scanned",
	"htlb_buddy_alloc_success",
	"htlb_buddy_alloc_fail",
	"unevictable_pgs_culled",
	"unevictable_pgs_scanned",
	"unevictable_pgs_rescued",
	"unevictable_pgs_mlocked",
	"unevictable_pgs_munlocked",
	"unevictable_pgs_cleared",
	"unevictable_pgs_stranded",
	"thp_fault_alloc",
	"thp_fault_fallback",
	"thp_fault_fallback_charge",
	"thp_collapse_alloc",
	"thp_collapse_alloc_failed",
	"thp_file_alloc",
	"thp_file_fallback",
	"thp_file_fallback_charge",
	"thp_file_mapped",
	"thp_split_page",
	"thp_split_page_failed",
	"thp_deferred_split_page",
	"thp_split_pmd",
	"thp_scan_exceed_none_pte",
	"thp_scan_exceed_swap_pte",
	"thp_scan_exceed_share_pte",
	"thp_zero_page_alloc",
	"thp_zero_page_alloc_failed",
	"thp_swpout",
	"thp_swpout_fallback",
	"balloon_inflate",
	"balloon_deflate",
	"balloon_migrate",
	"swap_ra",
	"swap_ra_hit",
	"ksm_swpin_copy",
	"cow_ksm",
	"zswpin",
	"zswpout",
	"direct_map_level2_splits",
	"direct_map_level3_splits",
	"nr_unstable",
};

/* A figure Strata has, by its Linux name. */
struct vm_figure {
	const char *name;
	uint64_t value;
};

/* Fill @f (at most @max) with the figures Strata has now. Returns how many. */
static unsigned vm_figures(struct vm_figure *f, unsigned max)
{
	struct mm_meminfo mi;
	struct vm_counters c = vm_counters; /* plain counters: a snapshot is good enough */
	struct vm_object_stats os;
	unsigned n = 0;

	mm_meminfo(&mi);
	vm_object_get_stats(&os);
	const struct vm_figure all[] = {
		{ "nr_free_pages", mi.free / PAGE_SIZE },
		{ "nr_zone_active_anon", (mi.anon + mi.shmem) / PAGE_SIZE },
		{ "nr_zone_active_file", (mi.cached - mi.shmem) / PAGE_SIZE },
		{ "nr_active_anon", (mi.anon + mi.shmem) / PAGE_SIZE },
		{ "nr_active_file", (mi.cached - mi.shmem) / PAGE_SIZE },
		{ "nr_slab_reclaimable", mi.reclaimable / PAGE_SIZE },
		{ "nr_slab_unreclaimable", (mi.slab - MIN(mi.slab, mi.reclaimable)) / PAGE_SIZE },
		{ "nr_anon_pages", c.anon_pages },
		{ "nr_mapped", vm_object_mapped_pages() },
		{ "nr_file_pages", (uint64_t)os.cached + os.shmem },
		{ "nr_shmem", os.shmem },
		{ "nr_kernel_stack", mi.kernel_stack >> 10 }, /* kB, as Linux */
		{ "nr_page_table_pages", mi.page_tables / PAGE_SIZE },
		{ "pgalloc_normal", c.pgalloc },
		{ "pgfree", c.pgfree },
		{ "pgfault", c.pgfault },
		{ "pgreuse", c.cow_reuse },
		{ "oom_kill", c.oom_kill },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(all) && n < max; i++)
		f[n++] = all[i];
	return n;
}

/* @name's figure among @f (@n of them), or 0. */
static uint64_t figure(const struct vm_figure *f, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return f[i].value;
	return 0;
}

void mm_vmstat_show(struct seqbuf *s)
{
	struct vm_figure f[VM_FIGURES_MAX];
	unsigned n = vm_figures(f, ARRAY_SIZE(f));

	for (unsigned i = 0; i < ARRAY_SIZE(vmstat_names); i++)
		seq_printf(s, "%s %llu\n", vmstat_names[i],
		           (unsigned long long)figure(f, n, vmstat_names[i]));
}

void mm_vmstat_strata_show(struct seqbuf *s)
{
	struct vm_counters c = vm_counters;
	struct vm_object_stats os;

	vm_object_get_stats(&os);
	seq_printf(s, "pgalloc %llu\n", (unsigned long long)c.pgalloc);
	seq_printf(s, "cow_fault %llu\n", (unsigned long long)c.cow_copy);
	seq_printf(s, "cow_reuse %llu\n", (unsigned long long)c.cow_reuse);
	seq_printf(s, "zero_page_map %llu\n", (unsigned long long)c.zero_maps);
	seq_printf(s, "file_map %llu\n", (unsigned long long)c.file_maps);
	seq_printf(s, "file_map_around %llu\n", (unsigned long long)c.file_around);
	seq_printf(s, "page_cache_fill %llu\n", (unsigned long long)os.fills);
	seq_printf(s, "pt_share_fork %llu\n", (unsigned long long)c.forks);
	seq_printf(s, "pt_copy %llu\n", (unsigned long long)c.table_copies);
}

/* The buddy statistics, taken with interrupts off. */
static const struct buddy *stats_now(struct buddy_stats *st)
{
	struct buddy *b = mm_buddy();
	uint32_t flags = irq_save();

	buddy_stats(b, st);
	irq_restore(flags);
	return b;
}

void mm_buddyinfo_show(struct seqbuf *s)
{
	struct buddy_stats st;
	const struct buddy *b = stats_now(&st);

	for (int z = 0; z < ZONE_COUNT; z++) {
		if (b->zones[z].start_pfn == b->zones[z].end_pfn)
			continue;
		seq_printf(s, "Node 0, zone %8s ", b->zones[z].name);
		for (int o = 0; o < BUDDY_NR_ORDERS; o++)
			seq_printf(s, "%6u ", st.nr_free[z][o]);
		seq_write(s, "\n", 1);
	}
}

/* One statistic line of zoneinfo: the name in 12 columns, the value. */
static void zone_stat(struct seqbuf *s, const char *name, uint64_t v)
{
	seq_printf(s, "      %-12s %llu\n", name, (unsigned long long)v);
}

/*
 * vmstat_names[VMSTAT_ZONE_FIRST .. VMSTAT_ZONE_END) are the per-zone statistics zoneinfo
 * prints after nr_free_pages; [VMSTAT_NODE_FIRST .. VMSTAT_NODE_END) the per-node ones it
 * prints with the first zone (Linux's zone_stat_item and node_stat_item, in vmstat's order).
 */
#define VMSTAT_ZONE_FIRST 1
#define VMSTAT_ZONE_END   11
#define VMSTAT_NODE_FIRST 11
#define VMSTAT_NODE_END   52

/* zoneinfo's lines for vmstat_names[@first .. @end) with their figures. */
static void zone_stats(struct seqbuf *s, const struct vm_figure *f, unsigned n, unsigned first,
                       unsigned end)
{
	for (unsigned i = first; i < end; i++)
		zone_stat(s, vmstat_names[i], figure(f, n, vmstat_names[i]));
}

void mm_zoneinfo_show(struct seqbuf *s)
{
	struct vm_figure f[VM_FIGURES_MAX];
	unsigned n = vm_figures(f, ARRAY_SIZE(f));
	struct buddy_stats st;
	const struct buddy *b = stats_now(&st);

	for (int z = 0; z < ZONE_COUNT; z++) {
		const struct buddy_zone *zone = &b->zones[z];
		uint32_t spanned = zone->end_pfn - zone->start_pfn;
		seq_printf(s, "Node 0, zone %8s\n", zone->name);
		if (z == 0) {
			seq_printf(s, "  per-node stats\n");
			zone_stats(s, f, n, VMSTAT_NODE_FIRST, VMSTAT_NODE_END);
		}
		seq_printf(s,
		           "  pages free     %u\n        boost    0\n        min      0\n"
		           "        low      0\n        high     0\n        spanned  %u\n"
		           "        present  %u\n        managed  %u\n        cma      0\n"
		           "        protection: (0, 0, 0, 0)\n",
		           st.zone_free_pages[z], spanned, spanned, st.zone_managed_pages[z]);
		if (!spanned)
			continue;
		zone_stat(s, "nr_free_pages", st.zone_free_pages[z]);
		zone_stats(s, f, 0, VMSTAT_ZONE_FIRST, VMSTAT_ZONE_END); /* per zone: 0 (no LRUs) */
		seq_printf(s, "  pagesets\n  node_unreclaimable:  0\n  start_pfn:           %u\n",
		           zone->start_pfn);
	}
}

/* The files: the same emitters as the monitor's commands. */
static void vmstat_file(struct seqbuf *s, const struct proc_file *pf)
{
	(void)pf;
	mm_vmstat_show(s);
}
static void buddyinfo_file(struct seqbuf *s, const struct proc_file *pf)
{
	(void)pf;
	mm_buddyinfo_show(s);
}
static void zoneinfo_file(struct seqbuf *s, const struct proc_file *pf)
{
	(void)pf;
	mm_zoneinfo_show(s);
}
static void slabinfo_file(struct seqbuf *s, const struct proc_file *pf)
{
	(void)pf;
	kmem_slabinfo_show(s);
}
PROC_FILE(vmstat, "vmstat", 0444, PROC_SEQ, vmstat_file, NULL, NULL);
PROC_FILE(buddyinfo, "buddyinfo", 0444, PROC_SEQ, buddyinfo_file, NULL, NULL);
PROC_FILE(zoneinfo, "zoneinfo", 0444, PROC_SEQ, zoneinfo_file, NULL, NULL);
PROC_FILE(slabinfo, "slabinfo", 0400, PROC_SEQ, slabinfo_file, NULL, NULL);
