/*
 * proc_files: the texts of /proc/PID/ (sched/proc_files.c, sched/proc_maps.c) in Linux 6.1's
 * formats for i386; kernel/fs/procfs_pid.c serves them as files. Notions Strata does not have
 * (tty, scheduling class, swap, capabilities' variety, namespaces) print as Linux prints them
 * for a root process without them: 0, -1, or the constant Linux shows.
 *
 * Every function is called with interrupts off, with @p a process that is alive or a zombie
 * not yet freed (its address space NULL once it has exited). The show functions cannot fail
 * (a seqbuf drops what does not fit and the caller retries with a larger one); the write
 * functions return the bytes consumed or -errno with nothing changed.
 */
#ifndef STRATA_SCHED_PROC_FILES_H
#define STRATA_SCHED_PROC_FILES_H

#include <stddef.h>

#include "lib/seqbuf.h"
#include "sched/proc.h"

void proc_show_stat(struct seqbuf *s, struct proc *p);    /* 52 fields, one line */
void proc_show_statm(struct seqbuf *s, struct proc *p);   /* 7 page counts */
void proc_show_status(struct seqbuf *s, struct proc *p);  /* "Name:\t..." lines */
void proc_show_cmdline(struct seqbuf *s, struct proc *p); /* argv, NUL-separated */
void proc_show_comm(struct seqbuf *s, struct proc *p);    /* the name and a newline */
void proc_show_limits(struct seqbuf *s, struct proc *p);  /* Linux's table */
void proc_show_oom_score(struct seqbuf *s, struct proc *p);
void proc_show_oom_score_adj(struct seqbuf *s, struct proc *p);
void proc_show_maps(struct seqbuf *s, struct proc *p);         /* sched/proc_maps.c */
void proc_show_smaps_rollup(struct seqbuf *s, struct proc *p); /* sched/proc_maps.c */

/* comm: the process itself renames itself (the first 15 bytes, as written); another
 * process's comm is -EINVAL (Linux: same thread group only). Returns @len. */
long proc_write_comm(struct proc *p, const char *buf, size_t len);

/* oom_score_adj: an integer (blanks around it; 0x hex) in -1000..1000, else -EINVAL.
 * Returns @len. */
long proc_write_oom_score_adj(struct proc *p, const char *buf, size_t len);

/* Linux's state letter of @p: R running or runnable, S sleeping, Z zombie. */
char proc_state_char(const struct proc *p);

#endif
