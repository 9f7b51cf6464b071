/*
 * exec_source: connects exec (include/sched/proc.h, struct exec_source) to the root file
 * system (kernel/fs/exec_source.c), so execve and init= run programs from the initramfs.
 */
#ifndef STRATA_FS_EXEC_SOURCE_H
#define STRATA_FS_EXEC_SOURCE_H

/* Register the file system as exec's program source (boot, once). */
void exec_fs_init(void);

#endif
