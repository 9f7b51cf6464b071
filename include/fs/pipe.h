/*
 * pipe: anonymous pipes (kernel/fs/pipe.c), two struct files — a read end (O_RDONLY) and a
 * write end (O_WRONLY) — over one PIPE_SIZE ring, with Linux's semantics:
 *
 *   read   waits until there are bytes (or returns 0 once every write end is closed), then
 *          returns what is there up to the request; O_NONBLOCK: -EAGAIN instead of waiting
 *   write  waits for room; a write of at most PIPE_BUF bytes goes in whole (atomically), a
 *          larger one piece by piece; with every read end closed: SIGPIPE to the writer and
 *          -EPIPE (the bytes already written counted instead, when there are some);
 *          O_NONBLOCK: -EAGAIN when nothing fits
 *   a fatal signal ends a wait (-EINTR, or the bytes moved so far)
 *
 * A user buffer that faults: a read returns the bytes delivered before the fault (-EFAULT
 * when none) and consumes only those; a write drops the piece that faulted (as Linux drops
 * the page being filled) and returns what went in before it, or -EFAULT.
 */
#ifndef STRATA_FS_PIPE_H
#define STRATA_FS_PIPE_H

#include "fs/file.h"

#define PIPE_SIZE 4096u    /* bytes the ring holds */
#define PIPE_BUF  4096u    /* writes up to this size are atomic (Linux's PIPE_BUF) */
#define O_DIRECT  00040000 /* pipe2's packet mode flag: accepted, ignored */

/*
 * Make a pipe. @flags: O_NONBLOCK (both ends; others are the caller's business). Returns 0
 * with one reference to each end in *@rd and *@wr, or -ENOMEM (nothing left behind).
 */
int pipe_create(int flags, struct file **rd, struct file **wr);

#endif
