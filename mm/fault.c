/*
 * fault: the page-fault handler (policy in include/mm/fault.h).
 *
 *   #PF (error, CR2)
 *     |-- kernel mode, CR2 below KERNEL_BASE, EFLAGS.AC clear (SMAP) or an instruction
 *     |   fetch (SMEP) .......................... never resolved: the exception table (a
 *     |                                          helper's probe) or a report and panic
 *     |-- CR2 below KERNEL_BASE, inside a VM area of the running process, access allowed by
 *     |   the area and the page not present .... demand-zero (the user resolver, mm/vm.c)
 *     |                                          -> resume (user or kernel mode)
 *     |-- CR2 in a stack guard page ............ kernel stack overflow      -> report, panic
 *     |-- CR2 in a vmalloc guard page .......... vmalloc area overrun       -> report, panic
 *     |-- user mode (PF_U) ..................... user fault: not resolved here; trap_dispatch
 *     |                                          hands it to the process layer, which kills
 *     |                                          only that process (SIGSEGV, one log line)
 *     `-- kernel mode
 *           |-- EIP in the exception table ..... a user copy helper: resume at its fixup,
 *           |                                    which returns -EFAULT
 *           |-- CR2 < 4 KiB .................... NULL pointer dereference
 *           |-- present + write ................ write to a read-only page
 *           |-- not present .................... access to an unmapped address
 *           `-- otherwise ...................... protection violation
 */
#include "mm/fault.h"

#include "lib/printk.h"
#include "mm/layout.h"
#include "mm/vmalloc.h"
#include "x86/cpu.h"
#include "x86/extable.h"
#include "x86/mmu.h"
#include "x86/smap.h"
#include "x86/trap.h"

static int (*stack_guard_check)(uint32_t addr);
static int (*user_resolver)(uint32_t addr, uint32_t error);

void fault_set_user_resolver(int (*resolve)(uint32_t addr, uint32_t error))
{
	user_resolver = resolve;
}

void fault_set_stack_guard_check(int (*is_guard)(uint32_t addr))
{
	stack_guard_check = is_guard;
}

static bool is_stack_guard(uint32_t addr)
{
	if (addr >= (uint32_t)boot_stack_guard && addr < (uint32_t)boot_stack_bottom)
		return true;
	return stack_guard_check && stack_guard_check(addr);
}

enum fault_kind fault_classify(uint32_t addr, uint32_t error)
{
	if (is_stack_guard(addr))
		return FAULT_GUARD_STACK;
	if (vmalloc_is_guard(addr))
		return FAULT_GUARD_VMALLOC;
	if (error & PF_U)
		return FAULT_USER;
	if (addr < PAGE_SIZE)
		return FAULT_KERNEL_NULL;
	if ((error & PF_P) && (error & PF_W))
		return FAULT_KERNEL_WRITE_RO;
	if (!(error & PF_P))
		return FAULT_KERNEL_UNMAPPED;
	return FAULT_KERNEL_PROTECTION;
}

const char *fault_kind_name(enum fault_kind kind)
{
	switch (kind) {
	case FAULT_GUARD_STACK:
		return "kernel stack overflow (guard page hit)";
	case FAULT_GUARD_VMALLOC:
		return "vmalloc area overrun (guard page hit)";
	case FAULT_KERNEL_NULL:
		return "kernel NULL pointer dereference";
	case FAULT_KERNEL_WRITE_RO:
		return "kernel write to a read-only page";
	case FAULT_KERNEL_UNMAPPED:
		return "kernel access to an unmapped address";
	case FAULT_KERNEL_PROTECTION:
		return "kernel protection violation";
	case FAULT_USER:
		return "user-mode page fault";
	case FAULT_KERNEL_SMAP:
		return "kernel access to user memory outside the copy helpers (SMAP)";
	case FAULT_KERNEL_SMEP:
		return "kernel executed a user page (SMEP)";
	}
	return "page fault";
}

static bool page_fault(struct trap_frame *tf)
{
	uint32_t addr = read_cr2();
	enum fault_kind kind;

	/* A kernel access to a user page outside the copy helpers (SMAP: AC clear) or a kernel
	 * instruction fetch from one (SMEP) is a bug, never resolved (resolving it would fault
	 * again forever). */
	bool smap_violation = x86_smap_enabled && addr < KERNEL_BASE && !(tf->error & PF_U) &&
	                      !trap_from_user(tf) && !(tf->eflags & EFLAGS_AC);
	bool smep_violation = x86_smep_enabled && addr < KERNEL_BASE && (tf->error & PF_I) &&
	                      !(tf->error & PF_U) && !trap_from_user(tf);
	if (!smap_violation && !smep_violation && addr < KERNEL_BASE && user_resolver &&
	    user_resolver(addr, tf->error) == 0)
		return true;
	/* From ring 3 (PF_U; or an implicit supervisor access such as a descriptor-table read
	 * made for a user instruction): any address, guard pages too: trap_dispatch kills the
	 * process. */
	if ((tf->error & PF_U) || trap_from_user(tf))
		return false;
	kind = fault_classify(addr, tf->error);
	if (smep_violation)
		kind = FAULT_KERNEL_SMEP;
	else if (smap_violation)
		kind = FAULT_KERNEL_SMAP;
	if (extable_fixup(tf))
		return true;
	pr_emerg("mm: %s at %08x\n", fault_kind_name(kind), addr);
	trap_fatal(tf, fault_kind_name(kind));
}

void fault_init(void)
{
	trap_register(T_PGFLT, page_fault);
}
