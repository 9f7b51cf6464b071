/*
 * Guest tests of the foundation: symbolization, formatting with %pS, the command line, the
 * boot-time page tables (read-only text, guard page, no identity map), the CPU tables, the
 * timer and the monitor's error paths.
 */
#include "kernel/cmdline.h"
#include "lib/ksym.h"
#include "kernel/ktest.h"
#include "kernel/monitor.h"
#include "x86/timer.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "x86/cpu.h"
#include "x86/gdt.h"
#include "x86/trap.h"

KTEST(boot, ksym_names_kernel_functions)
{
	char buf[64];

	ksnprintf(buf, sizeof(buf), "%pS", (void *)((uintptr_t)monitor_exec + 3));
	KEXPECT_STREQ(t, buf, "monitor_exec+0x3");
	ksnprintf(buf, sizeof(buf), "%pS", (void *)0x1000);
	KEXPECT_STREQ(t, buf, "0x00001000");
	const char *name;
	uint32_t off;
	KASSERT(
	    t, ksym_lookup_in(&ksym_kernel_table, (uint32_t)(uintptr_t)ktest_run_all, &name, &off));
	KEXPECT_STREQ(t, name, "ktest_run_all");
	KEXPECT_EQ(t, off, 0);
	KEXPECT(t, ksym_kernel_table.count > 50);
}

KTEST(boot, cmdline_options_in_force)
{
	KEXPECT(t, boot_opts.test);
	KEXPECT_EQ(t, boot_opts.panic_action, PANIC_EXIT);
	struct boot_options o;
	cmdline_defaults(&o);
	KEXPECT_EQ(t, cmdline_parse("loglevel=3 mem=64M memstat=5 bogus", &o), 1);
	KEXPECT_EQ(t, o.loglevel, 3);
	KEXPECT_EQ(t, o.mem_limit, 64ull << 20);
	KEXPECT_EQ(t, o.memstat_seconds, 5);
}

KTEST(boot, text_and_rodata_are_read_only)
{
	pde_t *large;
	pte_t *e = paging_walk(kernel_pgdir, (uintptr_t)monitor_exec, false, &large);
	KASSERT(t, e != 0);
	KEXPECT(t, !large);
	KEXPECT(t, *e & PTE_P);
	KEXPECT(t, !(*e & PTE_W));
	e = paging_walk(kernel_pgdir, (uintptr_t)__rodata_start, false, NULL);
	KASSERT(t, e != 0);
	KEXPECT(t, !(*e & PTE_W));
	e = paging_walk(kernel_pgdir, (uintptr_t)__data_start, false, NULL);
	KASSERT(t, e != 0);
	KEXPECT(t, *e & PTE_W);
	KEXPECT(t, read_cr0() & CR0_WP);
}

KTEST(boot, guard_page_and_null_unmapped)
{
	KEXPECT(t, !paging_is_mapped(kernel_pgdir, (uintptr_t)boot_stack_guard));
	KEXPECT(t, paging_is_mapped(kernel_pgdir, (uintptr_t)boot_stack_bottom));
	KEXPECT(t, !paging_is_mapped(kernel_pgdir, 0));
	/* the identity mapping of the loader's memory is gone */
	KEXPECT(t, !paging_is_mapped(kernel_pgdir, KERNEL_LOAD_PHYS));
	uint32_t pa;
	KASSERT(t, paging_lookup(kernel_pgdir, (uintptr_t)monitor_exec, &pa) == 0);
	KEXPECT_EQ(t, pa, (uint32_t)(uintptr_t)monitor_exec - KERNEL_BASE);
	KEXPECT_EQ(t, paging_lookup(kernel_pgdir, 0, &pa), -EFAULT);
}

KTEST(boot, cpu_tables_loaded)
{
	uint16_t tr;
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr;
	__asm__ volatile("str %0" : "=r"(tr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	KEXPECT_EQ(t, tr, SEL_TSS);
	KEXPECT_EQ(t, idtr.limit, 256 * 8 - 1);
	const uint8_t *df_gate = (const uint8_t *)(uintptr_t)idtr.base + T_DBLFLT * 8;
	KEXPECT_EQ(t, df_gate[5] & 0x1F, 0x05); /* task gate */
	KEXPECT_EQ(t, *(const uint16_t *)(df_gate + 2), SEL_DF_TSS);
	KEXPECT(t, irqs_enabled());
}

KTEST(boot, page_fault_error_decoding)
{
	char buf[96];

	KEXPECT_STREQ(t, trap_decode_pf(PF_W, buf, sizeof(buf)), "not-present write kernel-mode");
	KEXPECT_STREQ(t, trap_decode_pf(PF_P | PF_U, buf, sizeof(buf)),
	              "protection-violation read user-mode");
	KEXPECT_STREQ(t, trap_decode_pf(PF_P | PF_I, buf, sizeof(buf)),
	              "protection-violation read kernel-mode instruction-fetch");
	KEXPECT_STREQ(t, trap_name(T_PGFLT), "page fault");
	KEXPECT_STREQ(t, trap_name(T_DBLFLT), "double fault");
	KEXPECT_STREQ(t, trap_name(99), "unknown");
}

KTEST(boot, timer_ticks_advance)
{
	uint32_t start = timer_ticks();
	uint64_t us0 = timer_uptime_us();

	while (timer_ticks() - start < 5)
		cpu_sti_hlt();
	uint64_t us1 = timer_uptime_us();
	uint32_t ticks = timer_ticks() - start;
	/*
	 * Uptime follows the tick count (plus the TSC cycles into the tick), whatever the
	 * host's speed: a loaded host may deliver late ticks in a burst, so the bound comes from
	 * the ticks that really passed, never from wall time.
	 */
	KEXPECT(t, us1 >= us0 + 4 * (1000000 / HZ));
	KEXPECT(t, us1 <= us0 + (uint64_t)(ticks + 1) * (1000000 / HZ));
}

KTEST(boot, monitor_rejects_bad_input)
{
	char unknown[] = "frobnicate now";
	char many[] = "help 1 2 3 4 5 6 7 8";
	char blank[] = "   ";
	char crash_bad[] = "crash sideways";
	char crash_none[] = "crash";

	KEXPECT_EQ(t, monitor_exec(unknown), -ENOENT);
	KEXPECT_EQ(t, monitor_exec(many), -E2BIG);
	KEXPECT_EQ(t, monitor_exec(blank), 0);
	KEXPECT_EQ(t, monitor_exec(crash_bad), -EINVAL);
	KEXPECT_EQ(t, monitor_exec(crash_none), -EINVAL);
}
