/*
 * multiboot: validation and copy of the loader's boot information (see the header).
 * Every pointer the loader gives is checked against the boot mapping before it is read.
 */
#include "kernel/multiboot.h"

#include "lib/printk.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/layout.h"

struct boot_info boot_info;

/* True when [pa, pa + len) lies inside the boot mapping (readable through KERNEL_BASE). */
static bool boot_mapped(uint32_t pa, uint32_t len)
{
	return pa < BOOT_MAP_BYTES && len <= BOOT_MAP_BYTES - pa;
}

static void widen(uint32_t *start, uint32_t *end, uint32_t s, uint32_t e)
{
	if (*start == *end) {
		*start = s;
		*end = e;
		return;
	}
	*start = MIN(*start, s);
	*end = MAX(*end, e);
}

/*
 * Copy the module list into @bi: each module's physical range and string. The list must lie in
 * the boot mapping (else all modules are ignored, with one line); a module whose end is before
 * its start is dropped with a line; a string outside the boot mapping is kept as "". The
 * module contents are not read here (they may lie above the boot mapping). The ranges of the
 * kept modules widen mods_start/mods_end, which mm_init reserves.
 */
static void copy_modules(const struct mb_info *mb, struct boot_info *bi)
{
	if (mb->mods_count > BOOT_MAP_BYTES / sizeof(struct mb_module) ||
	    !boot_mapped(mb->mods_addr, mb->mods_count * (uint32_t)sizeof(struct mb_module))) {
		pr_warn(
		    "boot: module list at %#x (%u entries) is outside the boot mapping; ignored\n",
		    mb->mods_addr, mb->mods_count);
		return;
	}
	const struct mb_module *m = phys_to_virt(mb->mods_addr);
	widen(&bi->info_start, &bi->info_end, mb->mods_addr,
	      mb->mods_addr + mb->mods_count * (uint32_t)sizeof(*m));
	for (uint32_t i = 0; i < mb->mods_count; i++) {
		if (m[i].end < m[i].start) {
			pr_warn("boot: module %u ends (%#x) before it starts (%#x); ignored\n", i,
			        m[i].end, m[i].start);
			continue;
		}
		if (bi->mods_count == MB_MODS_MAX) {
			pr_warn("boot: more than %d modules; the rest are ignored\n", MB_MODS_MAX);
			break;
		}
		struct boot_module *bm = &bi->mods[bi->mods_count++];
		bm->start = m[i].start;
		bm->end = m[i].end;
		bm->cmdline[0] = '\0';
		if (m[i].string && boot_mapped(m[i].string, 1)) {
			const char *s = phys_to_virt(m[i].string);
			size_t n = strnlen(s, MIN(sizeof(bm->cmdline) - 1,
			                          (size_t)(BOOT_MAP_BYTES - m[i].string)));
			memcpy(bm->cmdline, s, n);
			bm->cmdline[n] = '\0';
		}
		if (m[i].end > m[i].start)
			widen(&bi->mods_start, &bi->mods_end, m[i].start, m[i].end);
	}
}

int multiboot_copy(uint32_t magic, uint32_t info_phys, struct boot_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	if (magic != MULTIBOOT_BOOT_MAGIC) {
		pr_emerg("boot: bad multiboot magic %#x (expected %#x): not started by a multiboot "
		         "loader\n",
		         magic, MULTIBOOT_BOOT_MAGIC);
		return -EINVAL;
	}
	if (!boot_mapped(info_phys, sizeof(struct mb_info))) {
		pr_emerg("boot: multiboot info at %#x is outside the first %u MiB\n", info_phys,
		         BOOT_MAP_BYTES >> 20);
		return -EFAULT;
	}
	const struct mb_info *mb = phys_to_virt(info_phys);
	bi->info_start = info_phys;
	bi->info_end = info_phys + sizeof(*mb);

	if (mb->flags & MB_INFO_CMDLINE) {
		uint32_t max = sizeof(bi->cmdline) - 1;
		if (!boot_mapped(mb->cmdline, 1)) {
			pr_warn("boot: command line at %#x is outside the boot mapping; ignored\n",
			        mb->cmdline);
		} else {
			max = MIN(max, BOOT_MAP_BYTES - mb->cmdline);
			const char *src = phys_to_virt(mb->cmdline);
			size_t n = strnlen(src, max);
			memcpy(bi->cmdline, src, n);
			bi->cmdline[n] = '\0';
			widen(&bi->info_start, &bi->info_end, mb->cmdline,
			      mb->cmdline + (uint32_t)n + 1);
		}
	}

	if (!(mb->flags & MB_INFO_MMAP) || mb->mmap_length == 0) {
		pr_emerg("boot: the loader gave no memory map (flags %#x); cannot manage memory\n",
		         mb->flags);
		return -EINVAL;
	}
	if (!boot_mapped(mb->mmap_addr, mb->mmap_length)) {
		pr_emerg("boot: memory map at %#x (+%u) is outside the boot mapping\n",
		         mb->mmap_addr, mb->mmap_length);
		return -EFAULT;
	}
	widen(&bi->info_start, &bi->info_end, mb->mmap_addr, mb->mmap_addr + mb->mmap_length);
	uint32_t off = 0;
	while (off + sizeof(uint32_t) <= mb->mmap_length) {
		const struct mb_mmap_entry *e = phys_to_virt(mb->mmap_addr + off);
		if (e->size < sizeof(*e) - sizeof(e->size) ||
		    off + sizeof(e->size) + e->size > mb->mmap_length) {
			pr_warn("boot: malformed memory map entry at offset %u (size %u); rest "
			        "ignored\n",
			        off, e->size);
			break;
		}
		if (bi->mmap_count == MB_MMAP_MAX) {
			pr_warn("boot: more than %d memory map entries; the rest are ignored\n",
			        MB_MMAP_MAX);
			break;
		}
		bi->mmap[bi->mmap_count].addr = e->addr;
		bi->mmap[bi->mmap_count].len = e->len;
		bi->mmap[bi->mmap_count].type = e->type;
		bi->mmap_count++;
		off += e->size + sizeof(e->size);
	}
	if (bi->mmap_count == 0) {
		pr_emerg("boot: the memory map has no usable entries\n");
		return -EINVAL;
	}

	if ((mb->flags & MB_INFO_MODS) && mb->mods_count)
		copy_modules(mb, bi);
	return 0;
}
