/*
 * procfs: the /proc file system (kernel/fs/procfs.c) — Linux's synthetic files, made by the
 * kernel, read and written as on Linux 6.1.
 *
 * The files come from the table subsystems fill beside what they show (include/lib/procfile.h:
 * a path, a mode, a kind — seq_file or sysctl — a show emitter and an optional write handler);
 * at boot procfs_init() builds a ramfs tree of them (include/fs/ramfs.h: directories are
 * ordinary ramfs directories, mode 0555; each file a synthetic inode, size 0, its entry in
 * priv) and mounts it on /proc of the root file system, so open/openat, read, pread,
 * lseek/_llseek, write, fstat/stat/statx, getdents64, chdir and access work through the
 * ordinary file layer (include/fs/file.h). st_dev is 0:PROC_DEV_MINOR.
 *
 * Files: the table's (meminfo, vmstat, buddyinfo, zoneinfo, slabinfo, stat, uptime, loadavg,
 * version, cmdline, sys/vm/...: their emitters beside the statistics, README lists them) and,
 * through the root's dynamic-directory hooks (struct ramfs_dyn_ops), /proc/self and one
 * directory per process (kernel/fs/procfs_pid.c: stat, statm, status, maps, smaps_rollup,
 * cmdline, comm, oom_score, oom_score_adj, limits), listed by getdents64 after the table's
 * entries. A process's directory is one allocation made at its first lookup; it lives while
 * the process does or an open file or a working directory holds it (ramfs_inode_hold/drop);
 * after the process is freed its files read -ESRCH and its pid is -ENOENT.
 *
 * Each open file has its own state (struct proc_open: the seq_file text made at the first
 * read, the position it was read up to), under a sleeping lock, since a forked child shares
 * the file and a copy to user memory may fault or be preempted. Texts and the state are
 * charged to the kernel, as the file is; they are freed with the file.
 */
#ifndef STRATA_FS_PROCFS_H
#define STRATA_FS_PROCFS_H

#include "fs/ramfs.h"

#define PROC_DEV_MINOR 18u /* st_dev 0:18: what Linux 6.1's proc shows in the reference boot */

/*
 * Build /proc from the table and mount it on /proc of the root file system (the directory is
 * made when the archive has none). Logs `procfs: N files mounted on /proc`. Returns 0;
 * -ENOMEM or -EEXIST (a duplicate path in the table) after a line saying so: the kernel then
 * runs without /proc.
 */
int procfs_init(void);

/* The /proc tree (for tests), or NULL before procfs_init() or when it failed. */
struct ramfs *procfs_tree(void);

/*
 * Release the calling task's pin: the process directory its last /proc path walk found, held
 * until its next walk or its end (so a lookup's result is never freed under the walker). For
 * exact memory counts in tests; no-op without a pin.
 */
void procfs_unpin(void);

#endif
