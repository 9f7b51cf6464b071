/*
 * backtrace: symbolized frame-pointer stack walks, and the machine side of panic.
 *
 * panic (kernel/lib/panic.c) is in the bottom layer and knows no CPU; backtrace_init()
 * registers what it needs: masking interrupts, the control-register line, this walker, and
 * the two ways to stop (halt, or leave QEMU with QEMU_EXIT_PANIC). It also registers printk's
 * interrupt masking, the other bottom-layer service that needs the CPU.
 */
#include "kernel/backtrace.h"

#include <stdbool.h>

#include "kernel/qemu.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "x86/cpu.h"

/* A frame pointer we may read: aligned, in the kernel half, both words mapped. */
static bool frame_readable(uint32_t ebp)
{
	if (ebp == 0 || (ebp & 3) || ebp < KERNEL_BASE || ebp > 0xFFFFFFFFu - 8)
		return false;
	return paging_is_mapped(kernel_pgdir, ebp) && paging_is_mapped(kernel_pgdir, ebp + 4);
}

void backtrace_print(uint32_t eip, uint32_t ebp)
{
	pr_emerg("backtrace:\n");
	pr_emerg("  #0  %08x %pS\n", eip, (void *)eip);
	uint32_t prev = 0, repeats = 0;
	int i = 1;
	for (int depth = 0; depth < BACKTRACE_WALK_MAX && frame_readable(ebp); depth++) {
		const uint32_t *frame = (const uint32_t *)ebp;
		uint32_t ret = frame[1];
		if (ret == 0)
			break;
		if (ret == prev) { /* deep recursion: count the repeats instead of listing them */
			repeats++;
		} else {
			if (repeats)
				pr_emerg("      ... %u more frames at %08x\n", repeats, prev);
			repeats = 0;
			if (i == BACKTRACE_MAX_FRAMES)
				break;
			/* The return address points after the call; name the call site. */
			pr_emerg("  #%-2d %08x %pS\n", i++, ret, (void *)(ret - 1));
			prev = ret;
		}
		if (frame[0] <= ebp)
			break;
		ebp = frame[0];
	}
	if (repeats)
		pr_emerg("      ... %u more frames at %08x\n", repeats, prev);
}

/* panic's register line: the control registers and panic's own stack and frame pointers. */
static void print_regs(uint32_t esp, uint32_t ebp)
{
	pr_emerg("  cr0=%08x cr2=%08x cr3=%08x esp=%08x ebp=%08x\n", read_cr0(), read_cr2(),
	         read_cr3(), esp, ebp);
}

/* The hooks' forms of the CPU's inline helpers. None can fail. */
static void irq_off(void)
{
	cpu_cli();
}

static uint32_t irq_save_hook(void)
{
	return irq_save();
}

static void irq_restore_hook(uint32_t flags)
{
	irq_restore(flags);
}

/* Leave QEMU with the panic status (halts if there is no debug-exit device). */
static void exit_panic(void)
{
	qemu_exit(QEMU_EXIT_PANIC);
}

void backtrace_init(void)
{
	static const struct panic_hooks hooks = {
		.irq_off = irq_off,
		.print_regs = print_regs,
		.backtrace = backtrace_print,
		.exit = exit_panic,
		.halt = machine_halt,
	};
	printk_set_irq_ops(irq_save_hook, irq_restore_hook);
	panic_set_hooks(&hooks);
}
