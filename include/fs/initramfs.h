/*
 * initramfs: the root file system from the boot loader's modules, as Linux does it
 * (kernel/fs/initramfs.c). The first multiboot module whose contents start with a cpio newc
 * magic is unpacked into a fresh RAM file system, which then becomes the root (fs_root()).
 */
#ifndef STRATA_FS_INITRAMFS_H
#define STRATA_FS_INITRAMFS_H

#include "kernel/multiboot.h"

/*
 * Unpack the initramfs from @bi's modules (after kmalloc works; once, at boot). Logs one line:
 *   "initramfs: unpacked N entries (N files, N dirs, N symlinks), N kB, read in place ..."
 * or, for a defective archive, "initramfs: refused: entry N 'name': why" and nothing of it is
 * kept. Either way a root exists afterwards (empty when nothing was unpacked); only running
 * out of memory for the empty root itself panics.
 */
void initramfs_init(const struct boot_info *bi);

#endif
