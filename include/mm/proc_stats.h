/*
 * proc_stats: the emitters of /proc/vmstat, buddyinfo and zoneinfo (mm/proc_stats.c), each
 * shared by the monitor command of the same name and the file (include/lib/seqbuf.h: a
 * seqbuf over the console or a buffer). slabinfo's is kmem_slabinfo_show (include/mm/
 * kmalloc.h), meminfo's mm_meminfo_show (include/mm/phys.h). None fails: a memory seqbuf
 * drops what does not fit and marks the overflow for a retry with a larger one.
 */
#ifndef STRATA_MM_PROC_STATS_H
#define STRATA_MM_PROC_STATS_H

#include "lib/seqbuf.h"

#define VM_FIGURES_MAX 32 /* figures with a value in vmstat (the rest print 0) */

/* /proc/vmstat: Linux 6.1's names in its order; Strata's figures where it has them. */
void mm_vmstat_show(struct seqbuf *s);

/* Strata's own virtual-memory counters (the monitor's vmstat prints them after the file's):
 * pgalloc, cow_fault, cow_reuse, zero_page_map, file_map, file_map_around, page_cache_fill,
 * pt_share_fork, pt_copy. */
void mm_vmstat_strata_show(struct seqbuf *s);

/* /proc/buddyinfo: "Node 0, zone %8s " and "%6u " per order (0..12) per populated zone. */
void mm_buddyinfo_show(struct seqbuf *s);

/* /proc/zoneinfo: the fields that exist (see mm/proc_stats.c). */
void mm_zoneinfo_show(struct seqbuf *s);

#endif
