/*
 * procfs_internal: what kernel/fs/procfs.c (the tree, the table's files, the open-file text
 * machinery) shares with kernel/fs/procfs_pid.c (the per-process directories). Not a
 * subsystem header: only these two files include it.
 *
 * An open /proc file is a TEXT file: a show function writes its whole text into a seqbuf
 * (made at the first read, kept for the reads after it, made anew when the position moved
 * away from where the last read left it — Linux's seq_read) and an optional write function
 * takes the bytes written. The reading and writing rules of both kinds are include/lib/
 * procfile.h's.
 */
#ifndef STRATA_KERNEL_FS_PROCFS_INTERNAL_H
#define STRATA_KERNEL_FS_PROCFS_INTERNAL_H

#include "fs/file.h"
#include "lib/procfile.h"

/* Write the text of @arg into @s. Returns 0, or -errno (-ESRCH: its process is gone). */
typedef int (*proc_show_fn)(struct seqbuf *s, const void *arg);
/* Take the @len bytes written (a kernel copy). Returns bytes consumed or -errno. */
typedef long (*proc_write_fn)(const void *arg, const char *buf, size_t len);

/*
 * Make @f (being opened) a text file of @kind (PROC_SEQ or PROC_SYSCTL) whose text @show
 * makes from @arg; @write NULL makes writes -EIO. Returns 0 or -ENOMEM.
 */
int procfs_text_open(struct file *f, uint16_t kind, proc_show_fn show, proc_write_fn write,
                     const void *arg);

/* The file operations of a text file (the open above done by the type's own open). */
void procfs_text_release(struct file *f);
long procfs_text_read(struct file *f, struct iov_iter *to);
long procfs_text_write(struct file *f, struct iov_iter *from);
int64_t procfs_text_llseek(struct file *f, int64_t off, int whence);

/* Per-process directories (procfs_pid.c): hook /proc's root @root (its lookup of PID and
 * "self", its listing) and register the free hook. Cannot fail. */
void procfs_pid_init(struct ramfs_inode *root);

#endif
