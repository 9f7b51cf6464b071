/*
 * kbench runner: runs every KBENCH in link order with interrupts off (so no timer tick is
 * counted), prints one line per figure, counts budgets met and missed, exits QEMU.
 */
#include "kernel/kbench.h"

#include "lib/console.h"
#include "kernel/qemu.h"

extern const struct kbench __kbench_start[], __kbench_end[];

static unsigned budgets_met, budgets_missed;
uint64_t kbench_loop_overhead;

#define CALIBRATION_LOOPS 10000u

/* An empty loop the compiler keeps (the asm is opaque to it). */
static void calibrate(void)
{
	uint64_t t = kbench_start();
	for (uint32_t i = 0; i < CALIBRATION_LOOPS; i++)
		__asm__ volatile("" ::: "memory");
	kbench_loop_overhead = kbench_end(t) / CALIBRATION_LOOPS;
	kprintf("bench: harness.loop_overhead %llu insn/iteration (subtracted below)\n",
	        (unsigned long long)kbench_loop_overhead);
}

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
	uint32_t f = irq_save();
	calibrate();
	irq_restore(f);
	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
		uint32_t flags = irq_save();
		b->fn();
		irq_restore(flags);
	}
	kprintf("%u passed, %u failed\n", budgets_met, budgets_missed);
	qemu_exit(budgets_missed ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
}
