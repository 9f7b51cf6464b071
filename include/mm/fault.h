/*
 * fault: the page-fault policy. Installs the #PF handler, which tells the cases apart and
 * gives each its own report before the panic:
 *
 *   guard page hit      the address is an unmapped guard page (below a kernel stack, after a
 *                       vmalloc area): "kernel stack overflow" / "vmalloc area overrun"
 *   kernel bug          kernel mode: NULL pointer (address < 4 KiB), write to a read-only
 *                       page (text/rodata), access to an unmapped kernel or user address
 *   user fault          user mode: demand-zero inside a VM area is resolved; anything else
 *                       is handed back to trap_dispatch, which kills the process
 *   copy fault          kernel mode at a listed instruction (the user copy helpers): resumed
 *                       at its fixup (-EFAULT)
 */
#ifndef STRATA_MM_FAULT_H
#define STRATA_MM_FAULT_H

#include <stdint.h>

enum fault_kind {
	FAULT_GUARD_STACK,
	FAULT_GUARD_VMALLOC,
	FAULT_KERNEL_NULL,
	FAULT_KERNEL_WRITE_RO,
	FAULT_KERNEL_UNMAPPED,
	FAULT_KERNEL_PROTECTION,
	FAULT_USER,
	FAULT_KERNEL_SMAP, /* set by the handler, not by fault_classify */
	FAULT_KERNEL_SMEP,
};

/* Classify a fault at @addr with #PF error code @error (pure but for the guard tables). */
enum fault_kind fault_classify(uint32_t addr, uint32_t error);

/* The report title of @kind ("kernel NULL pointer dereference"). */
const char *fault_kind_name(enum fault_kind kind);

/* Register the #PF handler. */
void fault_init(void);

/*
 * Stack guard registry: the scheduler registers each kernel stack's guard page so a fault
 * there is reported as a stack overflow. The boot stack's guard is built in.
 */
void fault_set_stack_guard_check(int (*is_guard)(uint32_t addr));

/*
 * The user-address resolver (the process layer registers vm_fault for the running process):
 * called for a #PF below KERNEL_BASE in user or kernel mode; returns 0 when it made the access
 * possible (the instruction is retried), a negative errno when it did not.
 */
void fault_set_user_resolver(int (*resolve)(uint32_t addr, uint32_t error));

#endif
