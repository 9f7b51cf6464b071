/*
 * devices: the character devices the files layer knows, bound to device nodes of the root
 * file system by major/minor number when a node is opened (kernel/fs/devices.c):
 *
 *   5/1  /dev/console   the serial console (COM1), a terminal (include/fs/tty.h)
 *   5/0  /dev/tty       the caller's controlling terminal: the console, if it is that
 *                       (ENXIO when the caller has none, as Linux)
 *   1/3  /dev/null      reads end of file at once; writes are swallowed whole
 */
#ifndef STRATA_FS_DEVICES_H
#define STRATA_FS_DEVICES_H

#include <stdint.h>

#include "fs/file.h"

#define MEM_MAJOR     1 /* /dev/null and friends (Linux's numbers) */
#define NULL_MINOR    3
#define TTYAUX_MAJOR  5 /* /dev/tty and /dev/console */
#define TTY_MINOR     0
#define CONSOLE_MINOR 1

/* Terminal ioctls (Linux's asm-generic/ioctls.h). */
#define TCGETS     0x5401u
#define TCSETS     0x5402u
#define TCSETSW    0x5403u
#define TCSETSF    0x5404u
#define TCSBRK     0x5409u
#define TCXONC     0x540Au
#define TCFLSH     0x540Bu
#define TIOCSCTTY  0x540Eu
#define TIOCGPGRP  0x540Fu
#define TIOCSPGRP  0x5410u
#define TIOCOUTQ   0x5411u
#define TIOCGWINSZ 0x5413u
#define TIOCSWINSZ 0x5414u
#define FIONREAD   0x541Bu
#define TIOCNOTTY  0x5422u
#define TIOCGSID   0x5429u
#define FIONBIO    0x5421u
#define FIONCLEX   0x5450u
#define FIOCLEX    0x5451u

/* The file operations of the character device @major/@minor, or NULL when no driver has it. */
const struct file_ops *chrdev_ops(uint32_t major, uint32_t minor);

/*
 * The console opened O_RDWR for a new process's descriptors 0, 1 and 2: on the tree's
 * /dev/console node when there is one (so fstat shows it), else on no inode (fstat then
 * describes a character device 5/1). Returns a file with one reference, or NULL (no memory).
 */
struct file *console_open(void);

#endif
