/*
 * panic: report and stop. Prints "PANIC: <message>", the CPU state, a symbolized backtrace
 * and each registered notifier's report (meminfo), then halts or, with `panic=exit` or during
 * a test run, exits QEMU with the failure code. A panic inside a panic stops at once.
 *
 * This is the bottom layer: the report's wording and order live here, but everything that
 * touches the machine (masking interrupts, the register line, walking the stack, halting,
 * leaving QEMU) is a hook the kernel registers at boot (panic_set_hooks, kernel/backtrace.c).
 * A missing hook is skipped; without a halt hook the CPU spins.
 */
#include "lib/panic.h"

#include <stdarg.h>
#include <stdint.h>

#include "lib/format.h"
#include "lib/printk.h"

static panic_notifier_fn notifiers[PANIC_NOTIFIERS_MAX];
static unsigned notifier_count;
static volatile int panicking;
static struct panic_hooks hooks;
static bool exit_on_panic;

void panic_register_notifier(panic_notifier_fn fn)
{
	if (notifier_count < PANIC_NOTIFIERS_MAX)
		notifiers[notifier_count++] = fn;
}

void panic_set_hooks(const struct panic_hooks *h)
{
	hooks = *h;
}

void panic_set_exit(bool exit)
{
	exit_on_panic = exit;
}

/* Stop for good through the halt hook; spin if there is none. Never returns. */
static __noreturn void halt(void)
{
	if (hooks.halt)
		hooks.halt();
	for (;;)
		;
}

/* Print the backtrace from @eip and the frame chain at @ebp, if a walker is registered. */
static void backtrace(uint32_t eip, uint32_t ebp)
{
	if (hooks.backtrace)
		hooks.backtrace(eip, ebp);
}

static __noreturn void panic_finish(void)
{
	for (unsigned i = 0; i < notifier_count; i++)
		notifiers[i]();
	if (exit_on_panic && hooks.exit) {
		pr_emerg("panic: exiting QEMU with the failure code\n");
		hooks.exit();
	}
	pr_emerg("panic: system halted\n");
	halt();
}

/*
 * Mask interrupts and print "PANIC: <message>". A panic while panicking prints
 * "PANIC (nested): <message>" and halts at once: the first report is what matters.
 */
static void panic_begin(const char *fmt, va_list ap)
{
	char msg[256];

	if (hooks.irq_off)
		hooks.irq_off();
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	if (panicking++) {
		pr_emerg("PANIC (nested): %s\n", msg);
		halt();
	}
	pr_emerg("PANIC: %s\n", msg);
}

void panic_from_frame(uint32_t eip, uint32_t ebp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_begin(fmt, ap);
	va_end(ap);
	backtrace(eip, ebp);
	panic_finish();
}

void panic(const char *fmt, ...)
{
	va_list ap;
	/* The kernel keeps frame pointers: this frame's address is panic's own EBP. */
	uint32_t ebp = (uint32_t)(uintptr_t)__builtin_frame_address(0);

	va_start(ap, fmt);
	panic_begin(fmt, ap);
	va_end(ap);
	if (hooks.print_regs)
		hooks.print_regs((uint32_t)(uintptr_t)__builtin_frame_address(0), ebp);
	backtrace((uint32_t)(uintptr_t)__builtin_return_address(0), ((const uint32_t *)ebp)[0]);
	panic_finish();
}
