/*
 * multiboot: what the loader (GRUB, or QEMU -kernel) tells us, copied out of low memory
 * into kernel storage at boot, so nothing later depends on where the loader put it.
 * Multiboot specification 0.6.96, section 3.3 (boot information format).
 */
#ifndef STRATA_KERNEL_MULTIBOOT_H
#define STRATA_KERNEL_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOT_MAGIC 0x2BADB002u
#define MB_INFO_MEM          (1u << 0)
#define MB_INFO_CMDLINE      (1u << 2)
#define MB_INFO_MODS         (1u << 3)
#define MB_INFO_MMAP         (1u << 6)
#define MB_MMAP_MAX          64 /* entries kept; more are dropped with a warning */
#define MB_MODS_MAX          8  /* modules kept; more are dropped with a warning */
#define MB_MOD_CMDLINE_MAX   64 /* bytes of a module string kept, NUL included */

/* One memory-map entry as the loader gives it (its `size` field excludes itself). */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, string, reserved;
};

/* What we keep of the boot information. */
struct boot_info {
	char cmdline[256];
	uint32_t mmap_count;
	struct {
		uint64_t addr, len;
		uint32_t type;
	} mmap[MB_MMAP_MAX];
	/* Physical ranges the loader's data occupied (to reserve): info, cmdline, mmap, modules. */
	uint32_t info_start, info_end;
	uint32_t mods_start, mods_end; /* 0, 0 when there are no modules */
	/* The modules themselves (initramfs archives), in the loader's order; hostile entries
	 * (end before start, cmdline outside the boot mapping) are dropped or blanked. */
	uint32_t mods_count;
	struct boot_module {
		uint32_t start, end;              /* physical [start, end) */
		char cmdline[MB_MOD_CMDLINE_MAX]; /* the module string, "" if none */
	} mods[MB_MODS_MAX];
};

/*
 * Validate the loader's hand-over and copy it into @bi. Returns 0, or a negative errno after
 * printing the reason ("boot: bad multiboot magic ...", "boot: no memory map ...").
 * Must run while the boot identity/direct mapping of the first BOOT_MAP_BYTES exists.
 */
int multiboot_copy(uint32_t magic, uint32_t info_phys, struct boot_info *bi);

extern struct boot_info boot_info;

#endif
