/*
 * mm commands: the monitor's memory commands. Until the physical memory manager is up,
 * `meminfo` reports what the loader's map says (usable RAM below 4 GiB).
 */
#include "kernel/console.h"
#include "kernel/monitor.h"
#include "kernel/multiboot.h"

#define MB_TYPE_AVAILABLE 1
#define FOUR_GIB          (1ull << 32)

static int cmd_meminfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint64_t usable = 0;
	for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
		uint64_t a = boot_info.mmap[i].addr, len = boot_info.mmap[i].len;
		if (boot_info.mmap[i].type != MB_TYPE_AVAILABLE || a >= FOUR_GIB)
			continue;
		usable += (len > FOUR_GIB - a) ? FOUR_GIB - a : len;
	}
	kprintf("MemTotal:       %8llu kB\n", usable >> 10);
	return 0;
}
MONITOR_COMMAND(meminfo, "meminfo", "memory statistics (/proc/meminfo style)", cmd_meminfo);
