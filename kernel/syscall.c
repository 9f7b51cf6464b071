/*
 * syscall: int 0x80 dispatch (convention and registration in include/kernel/syscall.h).
 *
 * The table maps a number to its entry in the .syscalls section; it is built once at boot
 * and only read afterwards. The gate is an interrupt gate, so the handler re-enables
 * interrupts first (system calls are preemptible like any kernel code).
 */
#include "kernel/syscall.h"

#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "x86/cpu.h"

extern const struct syscall_entry __syscalls_start[], __syscalls_end[];

static const struct syscall_entry *table[SYSCALL_MAX];

void syscall_init(void)
{
	unsigned n = 0;

	for (const struct syscall_entry *e = __syscalls_start; e < __syscalls_end; e++, n++) {
		if (e->nr >= SYSCALL_MAX)
			panic("syscall: %s has number %u, above the table (%u)", e->name, e->nr,
			      SYSCALL_MAX);
		if (table[e->nr])
			panic("syscall: number %u registered twice (%s, %s)", e->nr,
			      table[e->nr]->name, e->name);
		table[e->nr] = e;
	}
	pr_info("syscall: int 0x80, %u Linux i386 system calls\n", n);
}

const struct syscall_entry *syscall_lookup(uint32_t nr)
{
	return nr < SYSCALL_MAX ? table[nr] : NULL;
}

void syscall_dispatch(struct trap_frame *tf)
{
	const struct syscall_entry *e = syscall_lookup(tf->eax);

	cpu_sti();
	if (!e) {
		tf->eax = (uint32_t)-ENOSYS;
		return;
	}
	tf->eax = (uint32_t)e->fn(tf, tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp);
}
