/*
 * procfile: how a subsystem adds a /proc file from its own file, beside the statistic it
 * shows, without including the file layer (kernel/fs/procfs.c, the top layer, builds the
 * tree from the table at boot: include/fs/procfs.h). As lib/command.h for the monitor:
 *
 *     static void meminfo_show(struct seqbuf *s, const struct proc_file *pf) { ... }
 *     PROC_FILE(meminfo, "meminfo", 0444, PROC_SEQ, meminfo_show, NULL, NULL);
 *
 * The rows go to the .proc_files linker section (linker.ld brackets it with
 * __proc_files_start/__proc_files_end). @path is relative to /proc; its directories
 * ("sys/vm/overcommit_memory" makes sys and sys/vm, mode 0555) come into being with it.
 *
 * Two kinds of file, each read and written as Linux 6.1's:
 *   PROC_SEQ     a seq_file: the text is made at the first read and read from any position;
 *                reading on after the end gives 0; an lseek to another position (SEEK_SET,
 *                SEEK_CUR; SEEK_END is -EINVAL) makes it anew at the next read.
 *   PROC_SYSCTL  a /proc/sys file: a read at position 0 makes the text and returns what fits
 *                (a read at any other position is end of file); a write at position 0 goes
 *                to @write, a write at another position is accepted and ignored
 *                (sysctl_writes_strict); lseek anywhere.
 * A file without @write refuses writes with -EIO (Linux's pde_write); mmap is -EIO too.
 */
#ifndef STRATA_LIB_PROCFILE_H
#define STRATA_LIB_PROCFILE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/seqbuf.h"

enum proc_kind {
	PROC_SEQ,
	PROC_SYSCTL,
};

struct proc_file {
	const char *path; /* below /proc, no leading '/' */
	uint16_t mode;    /* permission bits (0444, 0644) */
	uint16_t kind;    /* enum proc_kind */
	/* Write the file's whole text into @s (it is retried with a larger buffer when it
	 * overflows). Never fails. */
	void (*show)(struct seqbuf *s, const struct proc_file *pf);
	/* Take the @len bytes written (a kernel copy). Returns the bytes consumed, or -errno
	 * (-EINVAL: nothing changed). NULL: read-only. */
	long (*write)(const struct proc_file *pf, const char *buf, size_t len);
	const void *data; /* the file's own, for show and write */
};

#define PROC_FILE(id, path_, mode_, kind_, show_, write_, data_)                                   \
	static const struct proc_file proc_file_##id                                               \
	    __attribute__((used, section(".proc_files"), aligned(4))) = { path_, mode_,  kind_,    \
		                                                          show_, write_, data_ }

/* The table, in link order (defined by linker.ld). */
extern const struct proc_file __proc_files_start[], __proc_files_end[];

#endif
