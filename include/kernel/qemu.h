/*
 * qemu: leaving the machine. Under QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=4`
 * writing V to port 0xf4 exits QEMU with status (V << 1) | 1; poweroff uses ACPI (status 0).
 */
#ifndef STRATA_KERNEL_QEMU_H
#define STRATA_KERNEL_QEMU_H

#include "lib/compiler.h"

enum qemu_exit_code {
	QEMU_EXIT_PASS = 0x10,  /* QEMU exit status 33: every test passed */
	QEMU_EXIT_FAIL = 0x11,  /* status 35: a test failed */
	QEMU_EXIT_PANIC = 0x12, /* status 37: the kernel panicked */
};

/* Exit QEMU with @code; if there is no debug-exit device, halt forever. */
__noreturn void qemu_exit(enum qemu_exit_code code);

/* Power the machine off through ACPI (QEMU exits with status 0); halts if that fails. */
__noreturn void machine_poweroff(void);

/* Stop this CPU for good with interrupts off. */
__noreturn void machine_halt(void);

#endif
