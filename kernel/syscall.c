/*
 * syscall: the int 0x80 dispatch table (convention and registration in
 * include/kernel/syscall.h; the entry and exit path in kernel/arch/user_entry.asm).
 *
 * Two tables, built once at boot from the .syscalls section and only read afterwards:
 *   syscall_fn_table[nr]  the handler of every number below SYSCALL_MAX, sys_ni_syscall
 *                         (-ENOSYS) where none is registered, so the entry stub calls
 *                         straight through it after one bounds check (syscall_nr_max);
 *   table[nr]             the registered entry (name and number), for syscall_lookup.
 * The gate is an interrupt gate; the stub enables interrupts before the call (system calls
 * are preemptible like any kernel code) and runs the exit work (trap_user_return) after it.
 */
#include "kernel/syscall.h"

#include <stddef.h>

#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "sched/proc.h"
#include "x86/cpu.h"

/* The offset the entry stub stores the result at (TF_EAX in user_entry.asm). */
_Static_assert(offsetof(struct trap_frame, eax) == 44, "user_entry.asm's TF_EAX");

extern const struct syscall_entry __syscalls_start[], __syscalls_end[];

static const struct syscall_entry *table[SYSCALL_MAX];

/* Read by the entry stub (user_entry.asm); written only by syscall_init. */
syscall_fn syscall_fn_table[SYSCALL_MAX];
const uint32_t syscall_nr_max = SYSCALL_MAX;

/* Every number without a handler, and every number >= SYSCALL_MAX: -ENOSYS, logged at debug
 * level (loglevel=7) with the caller, to find what a program misses. */
long sys_ni_syscall(struct trap_frame *tf, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
                    uint32_t a5, uint32_t a6)
{
	struct proc *p = proc_current();

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6;
	/* Formatted only when it is shown (printk's rule for debug lines): glibc's start-up
	 * probes calls Strata lacks (rseq, set_robust_list) in every exec. */
	pr_debug("syscall: pid %d (%s): no system call %u: ENOSYS\n", p ? p->pid : 0,
	         p ? p->comm : "kernel", tf ? tf->eax : 0u);
	return -ENOSYS;
}

void syscall_init(void)
{
	unsigned n = 0;

	for (unsigned nr = 0; nr < SYSCALL_MAX; nr++)
		syscall_fn_table[nr] = sys_ni_syscall;
	for (const struct syscall_entry *e = __syscalls_start; e < __syscalls_end; e++, n++) {
		if (e->nr >= SYSCALL_MAX)
			panic("syscall: %s has number %u, above the table (%u)", e->name, e->nr,
			      SYSCALL_MAX);
		if (table[e->nr])
			panic("syscall: number %u registered twice (%s, %s)", e->nr,
			      table[e->nr]->name, e->name);
		table[e->nr] = e;
		syscall_fn_table[e->nr] = e->fn;
	}
	pr_info("syscall: int 0x80, %u Linux i386 system calls\n", n);
	sys_time_init();
}

const struct syscall_entry *syscall_lookup(uint32_t nr)
{
	return nr < SYSCALL_MAX ? table[nr] : NULL;
}

void syscall_dispatch(struct trap_frame *tf)
{
	syscall_fn fn = tf->eax < SYSCALL_MAX ? syscall_fn_table[tf->eax] : sys_ni_syscall;

	cpu_sti();
	tf->eax = (uint32_t)fn(tf, tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp);
}
