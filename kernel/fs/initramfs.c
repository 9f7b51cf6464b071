/*
 * initramfs: unpack the boot archive into the root file system (see include/fs/initramfs.h).
 *
 * Module memory: KEPT FOR GOOD. mm_init reserves the modules' physical range ("multiboot
 * modules" in the memory map) before the frame allocator starts, and it is never released:
 * regular files read their data in place from the archive (the root file system is read-only),
 * so there is no second copy and no copying at boot; the cost is the archive's size, for the
 * kernel's lifetime (Linux instead copies into tmpfs pages and frees the initrd). A refused
 * archive's range stays reserved too (no API hands reserved frames to the buddy allocator yet).
 * The archive is read through the direct map, so a module must lie below its end.
 *
 * All or nothing: the archive is unpacked into a fresh tree, which becomes the root only when
 * the whole archive was accepted; otherwise the tree is destroyed and the root is empty.
 */
#include "fs/initramfs.h"

#include "fs/cpio.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "lib/format.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "mm/layout.h"
#include "mm/phys.h"

#define KIB_SHIFT 10

static struct ramfs rootfs;

/* The first module that is a cpio newc archive and readable, or NULL (with lines saying why). */
static const struct boot_module *find_archive(const struct boot_info *bi, uint32_t *index)
{
	for (uint32_t i = 0; i < bi->mods_count; i++) {
		const struct boot_module *m = &bi->mods[i];
		if (m->end > mm_lowmem_end()) {
			pr_warn("initramfs: module %u [mem %#x-%#x] lies beyond the direct map; "
			        "ignored\n",
			        i, m->start, m->end);
			continue;
		}
		if (!cpio_is_newc(phys_to_virt(m->start), m->end - m->start)) {
			pr_info("initramfs: module %u is not a cpio newc archive; ignored\n", i);
			continue;
		}
		*index = i;
		return m;
	}
	return NULL;
}

void initramfs_init(const struct boot_info *bi)
{
	static char err[RAMFS_ERR_MAX];
	struct ramfs fresh;
	uint32_t index = 0;

	const struct boot_module *m = find_archive(bi, &index);
	if (m) {
		size_t len = m->end - m->start;
		int rc = ramfs_init(&fresh);
		if (rc == 0)
			rc = ramfs_unpack(&fresh, phys_to_virt(m->start), len, err, sizeof(err));
		else
			ksnprintf(err, sizeof(err), "out of memory for the root directory");
		if (rc == 0) {
			rootfs = fresh;
			pr_info(
			    "initramfs: unpacked %u entries (%u files, %u dirs, %u symlinks), %u "
			    "kB, "
			    "read in place from module %u [mem %#x-%#x] (kept reserved)\n",
			    rootfs.stats.entries, rootfs.stats.files, rootfs.stats.dirs,
			    rootfs.stats.symlinks,
			    (unsigned)((rootfs.stats.bytes + (1u << KIB_SHIFT) - 1) >> KIB_SHIFT),
			    index, m->start, m->end - 1);
			fs_set_root(&rootfs);
			return;
		}
		ramfs_destroy(&fresh);
		pr_err("initramfs: refused: %s\n", err);
	} else if (bi->mods_count == 0) {
		pr_info("initramfs: no initramfs module; the root is empty\n");
	}
	if (ramfs_init(&rootfs) < 0)
		panic("initramfs: no memory for an empty root directory");
	fs_set_root(&rootfs);
}
