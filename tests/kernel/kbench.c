/*
 * kbench runner: runs every KBENCH in link order with interrupts off (so no timer tick is
 * counted), prints one line per figure, counts budgets met and missed, exits QEMU.
 */
#include "kernel/kbench.h"

#include "kernel/console.h"
#include "kernel/qemu.h"

extern const struct kbench __kbench_start[], __kbench_end[];

static unsigned budgets_met, budgets_missed;

void kbench_report(const char *group, const char *metric, uint64_t value, const char *unit,
		   uint64_t budget)
{
	if (!budget) {
		kprintf("bench: %s.%s %llu %s\n", group, metric, (unsigned long long)value, unit);
		return;
	}
	bool ok = value <= budget;
	kprintf("bench: %s.%s %llu %s (budget %llu) %s\n", group, metric, (unsigned long long)value,
		unit, (unsigned long long)budget, ok ? "ok" : "OVER");
	if (ok)
		budgets_met++;
	else
		budgets_missed++;
}

void kbench_run_all(void)
{
	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
		uint32_t flags = irq_save();
		b->fn();
		irq_restore(flags);
	}
	kprintf("%u passed, %u failed\n", budgets_met, budgets_missed);
	qemu_exit(budgets_missed ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
}
