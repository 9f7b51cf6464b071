/*
 * panic: report and stop. Prints "PANIC: <message>", the CPU state, a symbolized backtrace
 * and each registered notifier's report (meminfo), then halts or, with `panic=exit` or during
 * a test run, exits QEMU with QEMU_EXIT_PANIC. A panic inside a panic stops at once.
 */
#include "lib/panic.h"

#include <stdarg.h>

#include "kernel/backtrace.h"
#include "kernel/cmdline.h"
#include "lib/ksym.h"
#include "lib/printk.h"
#include "kernel/qemu.h"
#include "lib/format.h"
#include "mm/layout.h"
#include "mm/paging.h"
#include "x86/cpu.h"

static panic_notifier_fn notifiers[PANIC_NOTIFIERS_MAX];
static unsigned notifier_count;
static volatile int panicking;

void panic_register_notifier(panic_notifier_fn fn)
{
	if (notifier_count < PANIC_NOTIFIERS_MAX)
		notifiers[notifier_count++] = fn;
}

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

static __noreturn void panic_finish(void)
{
	for (unsigned i = 0; i < notifier_count; i++)
		notifiers[i]();
	if (boot_opts.panic_action == PANIC_EXIT || boot_opts.test) {
		pr_emerg("panic: exiting QEMU with the failure code\n");
		qemu_exit(QEMU_EXIT_PANIC);
	}
	pr_emerg("panic: system halted\n");
	machine_halt();
}

/*
 * Mask interrupts and print "PANIC: <message>". A panic while panicking prints
 * "PANIC (nested): <message>" and halts at once: the first report is what matters.
 */
static void panic_begin(const char *fmt, va_list ap)
{
	char msg[256];

	cpu_cli();
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	if (panicking++) {
		pr_emerg("PANIC (nested): %s\n", msg);
		machine_halt();
	}
	pr_emerg("PANIC: %s\n", msg);
}

void panic_from_frame(uint32_t eip, uint32_t ebp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_begin(fmt, ap);
	va_end(ap);
	backtrace_print(eip, ebp);
	panic_finish();
}

void panic(const char *fmt, ...)
{
	va_list ap;
	uint32_t ebp = read_ebp();

	va_start(ap, fmt);
	panic_begin(fmt, ap);
	va_end(ap);
	pr_emerg("  cr0=%08x cr2=%08x cr3=%08x esp=%08x ebp=%08x\n", read_cr0(), read_cr2(),
		 read_cr3(), (uint32_t)__builtin_frame_address(0), ebp);
	backtrace_print((uint32_t)__builtin_return_address(0), ((const uint32_t *)ebp)[0]);
	panic_finish();
}
