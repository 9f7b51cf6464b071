/*
 * Guest tests of the loader hand-over checks: a wrong magic, a missing or malformed memory
 * map and pointers outside the boot mapping each get a clear error and no partial result.
 * The fake multiboot structures live in kernel data, passed by their physical address.
 */
#include "kernel/ktest.h"
#include "kernel/multiboot.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/layout.h"

static struct {
	struct mb_info info;
	struct mb_mmap_entry map[3];
	char cmdline[32];
} fake;
static struct boot_info out;

static uint32_t fake_phys(const void *p)
{
	return virt_to_phys(p);
}

static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.info.flags = MB_INFO_MMAP | MB_INFO_CMDLINE;
	fake.info.cmdline = fake_phys(fake.cmdline);
	kstrlcpy(fake.cmdline, "/boot/strata.elf loglevel=7", sizeof(fake.cmdline));
	for (int i = 0; i < 2; i++)
		fake.map[i].size = sizeof(struct mb_mmap_entry) - sizeof(uint32_t);
	fake.map[0].addr = 0;
	fake.map[0].len = 0x9f000;
	fake.map[0].type = 1;
	fake.map[1].addr = 0x100000;
	fake.map[1].len = 0x1000000;
	fake.map[1].type = 1;
	fake.info.mmap_addr = fake_phys(fake.map);
	fake.info.mmap_length = 2 * sizeof(struct mb_mmap_entry);
}

KTEST(multiboot, good_info_is_copied)
{
	fake_reset();
	KASSERT_EQ(t, multiboot_copy(MULTIBOOT_BOOT_MAGIC, fake_phys(&fake.info), &out), 0);
	KEXPECT_EQ(t, out.mmap_count, 2);
	KEXPECT_EQ(t, out.mmap[1].addr, 0x100000);
	KEXPECT_EQ(t, out.mmap[1].len, 0x1000000);
	KEXPECT_STREQ(t, out.cmdline, "/boot/strata.elf loglevel=7");
	KEXPECT(t, out.info_start <= fake_phys(&fake.info));
	KEXPECT(t, out.info_end >= fake_phys(fake.map) + fake.info.mmap_length);
}

KTEST(multiboot, wrong_magic_is_refused)
{
	fake_reset();
	KEXPECT_EQ(t, multiboot_copy(0x12345678, fake_phys(&fake.info), &out), -EINVAL);
	KEXPECT_EQ(t, out.mmap_count, 0);
}

KTEST(multiboot, missing_memory_map_is_refused)
{
	fake_reset();
	fake.info.flags = MB_INFO_CMDLINE;
	KEXPECT_EQ(t, multiboot_copy(MULTIBOOT_BOOT_MAGIC, fake_phys(&fake.info), &out), -EINVAL);
	fake_reset();
	fake.info.mmap_length = 0;
	KEXPECT_EQ(t, multiboot_copy(MULTIBOOT_BOOT_MAGIC, fake_phys(&fake.info), &out), -EINVAL);
}

KTEST(multiboot, hostile_pointers_and_entries)
{
	fake_reset();
	KEXPECT_EQ(t, multiboot_copy(MULTIBOOT_BOOT_MAGIC, 0xF0000000u, &out), -EFAULT);
	fake.info.mmap_addr = BOOT_MAP_BYTES - 8;
	KEXPECT_EQ(t, multiboot_copy(MULTIBOOT_BOOT_MAGIC, fake_phys(&fake.info), &out), -EFAULT);
	/* an entry whose size field runs past the map: the rest is ignored, earlier ones kept */
	fake_reset();
	fake.map[1].size = 4000;
	KEXPECT_EQ(t, multiboot_copy(MULTIBOOT_BOOT_MAGIC, fake_phys(&fake.info), &out), 0);
	KEXPECT_EQ(t, out.mmap_count, 1);
	/* a first entry too small to be one: no usable entries at all */
	fake_reset();
	fake.map[0].size = 4;
	KEXPECT_EQ(t, multiboot_copy(MULTIBOOT_BOOT_MAGIC, fake_phys(&fake.info), &out), -EINVAL);
}
