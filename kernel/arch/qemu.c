/*
 * qemu: the ways out of the machine (debug-exit port, ACPI poweroff, halt).
 */
#include "kernel/qemu.h"

#include "lib/printk.h"
#include "x86/timer.h"
#include "x86/cpu.h"
#include "x86/io.h"

#define DEBUG_EXIT_PORT 0xF4
#define ACPI_PM1A_PIIX4 0x604  /* QEMU i440fx/PIIX4 PM1a control */
#define ACPI_PM1A_BOCHS 0xB004 /* older QEMU and Bochs */
#define ACPI_SLP_EN_S5  0x2000

void machine_halt(void)
{
	for (;;) {
		cpu_cli();
		cpu_hlt();
	}
}

void qemu_exit(enum qemu_exit_code code)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)code);
	pr_emerg("qemu: no isa-debug-exit device; halting\n");
	machine_halt();
}

void machine_poweroff(void)
{
	outw(ACPI_PM1A_PIIX4, ACPI_SLP_EN_S5);
	outw(ACPI_PM1A_BOCHS, ACPI_SLP_EN_S5);
	/* QEMU acts on the request asynchronously: give it a second of ticks before giving up. */
	uint32_t start = timer_ticks();
	while (timer_ticks() - start < HZ)
		cpu_sti_hlt();
	pr_emerg("poweroff: ACPI poweroff did not work; halting\n");
	machine_halt();
}
