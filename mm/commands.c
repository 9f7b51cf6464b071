/*
 * mm commands: the monitor's memory commands — meminfo, buddyinfo, memmap, vmstat, sysctl,
 * failinject (fault injection: include/mm/failinject.h) — and the /proc files of the same
 * statistics and settings (include/lib/procfile.h): meminfo, sys/vm/overcommit_memory,
 * sys/vm/overcommit_ratio, sys/vm/drop_caches. Output formats follow Linux's /proc files so
 * the numbers read the same way (vmstat adds Strata's own counters — COW reuse, zero-page and
 * page-cache maps, page-table sharing — under names of their own).
 */
#include "lib/command.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/procfile.h"
#include "lib/string.h"
#include "mm/failinject.h"
#include "mm/kmalloc.h"
#include "mm/pager.h"
#include "mm/phys.h"
#include "mm/pressure.h"
#include "mm/proc_stats.h"
#include "mm/vm.h"
#include "x86/cpu.h"

#define KB(bytes) ((unsigned long long)((bytes) >> 10))

static int cmd_meminfo(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		kprintf("usage: meminfo\n");
		return -EINVAL;
	}
	mm_print_meminfo();
	return 0;
}
MONITOR_COMMAND(meminfo, "meminfo", "memory statistics (/proc/meminfo)", cmd_meminfo);

/* /proc/meminfo: the same emitter as the command. */
static void meminfo_file_show(struct seqbuf *s, const struct proc_file *pf)
{
	(void)pf;
	mm_meminfo_show(s);
}
PROC_FILE(meminfo, "meminfo", 0444, PROC_SEQ, meminfo_file_show, NULL, NULL);

static int cmd_buddyinfo(int argc, char **argv)
{
	struct seqbuf s;

	(void)argv;
	if (argc != 1) {
		kprintf("usage: buddyinfo\n");
		return -EINVAL;
	}
	seq_init(&s, NULL, 0);
	mm_buddyinfo_show(&s);
	return 0;
}
MONITOR_COMMAND(buddyinfo, "buddyinfo", "free blocks per zone and order (/proc/buddyinfo)",
                cmd_buddyinfo);

static int cmd_memmap(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		kprintf("usage: memmap\n");
		return -EINVAL;
	}
	const struct memmap *map = mm_memmap();
	char line[MEMMAP_LINE_MAX];
	for (uint32_t i = 0; i < map->count; i++) {
		memmap_format_range(&map->ranges[i], line, sizeof(line));
		kprintf("%s\n", line);
	}
	kprintf("usable RAM: %llu kB\n", KB(memmap_usable_bytes(map)));
	return 0;
}
MONITOR_COMMAND(memmap, "memmap", "the sanitized physical memory map and reservations", cmd_memmap);

static int cmd_vmstat(int argc, char **argv)
{
	struct seqbuf s;

	(void)argv;
	if (argc != 1) {
		kprintf("usage: vmstat\n");
		return -EINVAL;
	}
	seq_init(&s, NULL, 0);
	mm_vmstat_show(&s); /* /proc/vmstat's emitter, then Strata's own counters */
	mm_vmstat_strata_show(&s);
	return 0;
}
MONITOR_COMMAND(vmstat, "vmstat",
                "virtual-memory event counters (/proc/vmstat's names where Linux has them)",
                cmd_vmstat);

/* `sysctl NAME` prints one setting, `sysctl NAME=VALUE` sets it (Linux's names). */
static int cmd_sysctl(int argc, char **argv)
{
	enum overcommit_mode mode;
	uint32_t ratio, v;
	char *eq;

	if (argc != 2) {
		kprintf("usage: sysctl vm.overcommit_memory[=0|1|2] | vm.overcommit_ratio[=N]\n");
		return -EINVAL;
	}
	vm_commit_get_policy(&mode, &ratio);
	eq = strchr(argv[1], '=');
	if (eq)
		*eq++ = '\0';
	if (!strcmp(argv[1], "vm.overcommit_memory")) {
		if (eq && (!parse_decimal(eq, 2, &v) || !commit_parse_mode(eq, &mode))) {
			kprintf("sysctl: vm.overcommit_memory takes 0, 1 or 2\n");
			return -EINVAL;
		}
		vm_commit_set_policy(mode, ratio);
		kprintf("vm.overcommit_memory = %d\n", (int)mode);
		return 0;
	}
	if (!strcmp(argv[1], "vm.overcommit_ratio")) {
		if (eq && !parse_decimal(eq, 1000, &ratio)) {
			kprintf("sysctl: vm.overcommit_ratio takes a percentage\n");
			return -EINVAL;
		}
		vm_commit_set_policy(mode, ratio);
		kprintf("vm.overcommit_ratio = %u\n", ratio);
		return 0;
	}
	kprintf("sysctl: unknown setting '%s'\n", argv[1]);
	return -EINVAL;
}
MONITOR_COMMAND(sysctl, "sysctl NAME[=VALUE]",
                "vm.overcommit_memory (0 heuristic, 1 always, 2 never) and vm.overcommit_ratio",
                cmd_sysctl);

/* /proc/sys/vm/overcommit_memory: "N\n"; a write of 0, 1 or 2 sets the mode. */
static void overcommit_memory_show(struct seqbuf *s, const struct proc_file *pf)
{
	enum overcommit_mode mode;
	uint32_t ratio;

	(void)pf;
	vm_commit_get_policy(&mode, &ratio);
	seq_printf(s, "%d\n", (int)mode);
}

/* Bytes consumed, or -EINVAL (not a number from 0 to 2: nothing changed). */
static long overcommit_memory_write(const struct proc_file *pf, const char *buf, size_t len)
{
	enum overcommit_mode mode;
	uint32_t ratio;
	int32_t v;
	long n = parse_sysctl_int(buf, len, OVERCOMMIT_GUESS, OVERCOMMIT_NEVER, &v);

	(void)pf;
	if (n < 0)
		return n;
	vm_commit_get_policy(&mode, &ratio);
	vm_commit_set_policy((enum overcommit_mode)v, ratio);
	return n;
}
PROC_FILE(overcommit_memory, "sys/vm/overcommit_memory", 0644, PROC_SYSCTL, overcommit_memory_show,
          overcommit_memory_write, NULL);

/* /proc/sys/vm/overcommit_ratio: "N\n"; a write of 0 .. INT_MAX sets the ratio (Linux also
 * takes a negative one, which makes no CommitLimit; Strata's is unsigned: -EINVAL). */
static void overcommit_ratio_show(struct seqbuf *s, const struct proc_file *pf)
{
	enum overcommit_mode mode;
	uint32_t ratio;

	(void)pf;
	vm_commit_get_policy(&mode, &ratio);
	seq_printf(s, "%u\n", ratio);
}

/* Bytes consumed, or -EINVAL (nothing changed). */
static long overcommit_ratio_write(const struct proc_file *pf, const char *buf, size_t len)
{
	enum overcommit_mode mode;
	uint32_t ratio;
	int32_t v;
	long n = parse_sysctl_int(buf, len, 0, INT32_MAX, &v);

	(void)pf;
	if (n < 0)
		return n;
	vm_commit_get_policy(&mode, &ratio);
	vm_commit_set_policy(mode, (uint32_t)v);
	return n;
}
PROC_FILE(overcommit_ratio, "sys/vm/overcommit_ratio", 0644, PROC_SYSCTL, overcommit_ratio_show,
          overcommit_ratio_write, NULL);

/* The last value written to /proc/sys/vm/drop_caches (Linux shows it back). */
static int32_t drop_caches_last;

static void drop_caches_show(struct seqbuf *s, const struct proc_file *pf)
{
	(void)pf;
	seq_printf(s, "%d\n", (int)drop_caches_last);
}

/*
 * /proc/sys/vm/drop_caches, as Linux: 1 drops the page cache's unmapped pages
 * (vm_object_shrink), 2 the reclaimable slab memory (every shrinker), 3 both, 4 only
 * records (Linux: silences its message). Bytes consumed, or -EINVAL (not 1..4: nothing done).
 */
static long drop_caches_write(const struct proc_file *pf, const char *buf, size_t len)
{
	int32_t v;
	long n = parse_sysctl_int(buf, len, 1, 4, &v);

	(void)pf;
	if (n < 0)
		return n;
	if (v & 1)
		vm_object_shrink();
	if (v & 2)
		mm_shrink_all();
	drop_caches_last = v;
	return n;
}
PROC_FILE(drop_caches, "sys/vm/drop_caches", 0200, PROC_SYSCTL, drop_caches_show, drop_caches_write,
          NULL);

/* Print both fault-injection attributes' status lines. */
static void failinject_print(void)
{
	char line[160];

	failinject_format(&fail_page_alloc_attr, line, sizeof(line));
	kprintf("%s\n", line);
	failinject_format(&failslab_attr, line, sizeof(line));
	kprintf("%s\n", line);
}

/*
 * `failinject` shows fail_page_alloc and failslab with their counts; `failinject page|slab
 * SPEC...` sets one (the words joined with spaces: include/mm/failinject.h's syntax).
 */
static int cmd_failinject(int argc, char **argv)
{
	char spec[FAULT_SPEC_MAX] = "";
	struct fault_attr *a = NULL;
	size_t len = 0;

	if (argc >= 3 && !strcmp(argv[1], "page"))
		a = &fail_page_alloc_attr;
	else if (argc >= 3 && !strcmp(argv[1], "slab"))
		a = &failslab_attr;
	if (argc == 1) {
		failinject_print();
		return 0;
	}
	for (int i = 2; a && i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (len + n + 2 > sizeof(spec)) {
			a = NULL;
			break;
		}
		if (len)
			spec[len++] = ' ';
		memcpy(spec + len, argv[i], n + 1);
		len += n;
	}
	uint32_t flags = irq_save(); /* the allocators read the attribute with interrupts masked */
	int bad = !a || failinject_parse(a, spec);

	kmalloc_failslab_sync();

	irq_restore(flags);
	if (bad) {
		kprintf(
		    "usage: failinject [page|slab N | P%% | every=N | prob=P | seed=S | times=N | "
		    "pid=N | off]\n");
		return -EINVAL;
	}
	failinject_print();
	return 0;
}
MONITOR_COMMAND(failinject, "failinject [page|slab SPEC...]",
                "fault injection (fail_page_alloc, failslab): show the counts, or set "
                "every=N, prob=P, seed=S, times=N, pid=N, off",
                cmd_failinject);
