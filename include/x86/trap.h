/*
 * trap: the IDT, the common interrupt entry and per-vector handlers.
 *
 * Every vector's stub (kernel/arch/isr.asm) builds a struct trap_frame on the current stack
 * and calls trap_dispatch(). A handler registered for a vector runs first; if there is none,
 * or it returns false for a CPU exception, the exception is reported (vector name, decoded
 * error code, EIP with its symbol, registers) and the kernel panics. Vector 8 (double fault)
 * is a task gate onto its own stack (kernel/arch/gdt.c).
 */
#ifndef STRATA_X86_TRAP_H
#define STRATA_X86_TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define T_DIVIDE     0
#define T_DEBUG      1
#define T_NMI        2
#define T_BRKPT      3
#define T_OFLOW      4
#define T_BOUND      5
#define T_ILLOP      6
#define T_DEVICE     7
#define T_DBLFLT     8
#define T_TSS        10
#define T_SEGNP      11
#define T_STACK      12
#define T_GPFLT      13
#define T_PGFLT      14
#define T_FPERR      16
#define T_ALIGN      17
#define T_MCHK       18
#define T_SIMD       19
#define T_EXCEPTIONS 32
#define T_IRQ0       32 /* the 8259 PICs are remapped to vectors 32..47 */
#define T_IRQS       16
#define T_VECTORS    (T_IRQ0 + T_IRQS)
#define T_SYSCALL    0x80 /* int 0x80: Linux i386 system calls (kernel/syscall.c) */

/*
 * Registers as the entry stub leaves them; esp/ss only valid for traps from ring 3.
 *
 * The user trap frame: a trap from ring 3 (int 0x80, an exception, an IRQ) switches to the
 * task's kernel stack (TSS esp0 = its top) and leaves exactly this structure at
 * [top - sizeof(struct trap_frame), top), lowest address first:
 *     gs fs es ds | edi esi ebp (esp) ebx edx ecx eax | vector error | eip cs eflags esp ss
 * trap_frame_user(stack_top) finds it. System calls read their number and arguments from it
 * (eax; ebx ecx edx esi edi ebp) and return in eax; exec rewrites it; fork copies it. For
 * int 0x80, error holds the call number as it came (Linux's orig_eax: signal delivery
 * restarts an interrupted call with it; -1 after sigreturn, meaning no call to restart).
 */
struct trap_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
	uint32_t user_esp, user_ss;
};

#define TRAP_FRAME_WORDS 19 /* sizeof(struct trap_frame) / 4, also in user_entry.asm */
#define SEL_RPL_MASK     3u

/* Did the trap come from user mode (ring 3)? */
static inline bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & SEL_RPL_MASK) == SEL_RPL_MASK;
}

/* The user trap frame of a task whose kernel stack ends at @stack_top. */
static inline struct trap_frame *trap_frame_user(uint32_t stack_top)
{
	return (struct trap_frame *)(stack_top - TRAP_FRAME_WORDS * 4);
}

/*
 * Hooks for traps from user mode, set by the process layer (sched/proc.c):
 *   fault   an exception from ring 3 that no handler resolved: runs the process's signal
 *           handler for it (the frame is rewritten to enter it) or kills the process
 *   ret     called before returning to ring 3 after an IRQ, a system call or a resolved
 *           fault: acts on the pending signals (default actions, handlers' frames)
 */
struct trap_user_hooks {
	void (*fault)(struct trap_frame *tf);
	void (*ret)(struct trap_frame *tf);
};
void trap_set_user_hooks(const struct trap_user_hooks *hooks);

/*
 * The exit work before returning to ring 3 from a system call: calls the ret hook (if set)
 * with @tf. Called by the int 0x80 stub (kernel/arch/user_entry.asm) with interrupts on;
 * may not return (a fatal signal ends the process).
 */
void trap_user_return(struct trap_frame *tf);

/* Enter user mode with the registers of @tf (kernel/arch/user_entry.asm). */
__attribute__((noreturn)) void user_enter(const struct trap_frame *tf, uint32_t stack_top);

/*
 * The int 0x80 handler in C (kernel/syscall.c): result in tf->eax. The gate's own stub
 * (isr128) dispatches from the table itself; this is for a frame that reaches
 * trap_dispatch with vector 0x80 by another way.
 */
void syscall_dispatch(struct trap_frame *tf);

/* A handler returns true when it dealt with the event (the trapped code resumes). */
typedef bool (*trap_handler_fn)(struct trap_frame *tf);

void idt_init(void);

/* Install @fn for @vector (< T_VECTORS), replacing any earlier handler. */
void trap_register(unsigned vector, trap_handler_fn fn);

/* Called by the entry stubs only. */
void trap_dispatch(struct trap_frame *tf);

/* The exception's short name ("page fault"), or "unknown" for vectors without one. */
const char *trap_name(unsigned vector);

/*
 * Decode a #PF error code into @buf as "not-present write kernel-mode" style words.
 * Returns @buf. Pure: testable in the guest without faulting.
 */
char *trap_decode_pf(uint32_t error, char *buf, size_t size);

/* Print the decoded report of an unhandled exception and panic. Never returns. */
__attribute__((noreturn)) void trap_fatal(struct trap_frame *tf, const char *why);

/*
 * The double-fault task's code (kernel/arch/trap.c): entered by the task gate on its own
 * stack; reports the faulting context saved in kernel_tss and panics.
 */
__attribute__((noreturn)) void double_fault_task(void);

/* Print the general registers of @tf (used by reports and panic). */
void trap_print_regs(const struct trap_frame *tf);

#endif
