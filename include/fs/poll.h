/*
 * poll: readiness of open files for poll, ppoll, select and pselect6 (kernel/fs/poll.c; the
 * system calls in kernel/sys_poll.c).
 *
 * A file type answers "what could be done now" through its ops->poll (POLL* bits below);
 * a type without one is always ready to read and write (Linux's DEFAULT_POLLMASK: regular
 * files, directories, /proc files, /dev/null).
 *
 * Waiting: one wait queue for every poller. A file type calls poll_notify() whenever one of
 * its files may have become ready (bytes or room in a pipe, an end closed, console input);
 * every poller wakes and looks again. One CPU and a handful of pollers make this cheaper than
 * a wait entry per file per poller (Linux's poll_table); poll_notify with nobody waiting costs
 * a sequence increment and an empty-list test. A poller reads poll_seq() before it looks at
 * its files and sleeps only if no notification came since (poll_wait_since), so none is lost.
 */
#ifndef STRATA_FS_POLL_H
#define STRATA_FS_POLL_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/file.h"

/* Linux's poll bits (asm-generic/poll.h). */
#define POLLIN            0x0001u
#define POLLPRI           0x0002u
#define POLLOUT           0x0004u
#define POLLERR           0x0008u
#define POLLHUP           0x0010u
#define POLLNVAL          0x0020u
#define POLLRDNORM        0x0040u
#define POLLRDBAND        0x0080u
#define POLLWRNORM        0x0100u
#define POLLWRBAND        0x0200u
#define POLL_DEFAULT_MASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

/* What @f is ready for now: its type's poll, or POLL_DEFAULT_MASK. Never sleeps. */
uint32_t file_poll(struct file *f);

/* Some file may have become ready: wake every poller. Any context (interrupts too). */
void poll_notify(void);

/* The notification count, read before looking at the files. */
uint32_t poll_seq(void);

/*
 * Sleep until a poll_notify() after @seq (at once when one came already), a signal wakes
 * the task, or @timeout_us microseconds pass (negative: no limit). Returns nothing: the
 * caller looks at its files, its clock and its signals again.
 */
void poll_wait_since(uint32_t seq, int64_t timeout_us);

#endif
