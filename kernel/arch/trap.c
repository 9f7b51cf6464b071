/*
 * trap: IDT setup, dispatch of exceptions and IRQs, and the reports for the unhandled ones.
 *
 *   vector 0..31   CPU exceptions: a registered handler may resolve it (the page-fault policy
 *                  in mm/ does); otherwise trap_fatal() prints the decoded report and panics.
 *   vector 8       double fault: a task gate (not a stub) so it runs on its own stack even
 *                  when the kernel stack is gone; double_fault_task() reports and panics.
 *   vector 0x80    int 0x80 from ring 3 (DPL 3 gate): its own stub (isr128 in
 *                  kernel/arch/user_entry.asm) calls the handler from the system-call table
 *                  and trap_user_return; trap_dispatch sees vector 0x80 only from a frame
 *                  built by other means, and dispatches it the same way (syscall_dispatch).
 *   from ring 3    an exception no handler resolved goes to the process layer's fault hook
 *                  (kills that process with Linux's signal); kernel-mode exceptions at an
 *                  instruction in the exception table resume at its fixup; the rest panic.
 *   vector 32..47  IRQs from the 8259s: the handler runs, then the PIC gets its EOI.
 *                  Spurious IRQ 7/15 are recognised and not acknowledged.
 */
#include "x86/trap.h"

#include "kernel/backtrace.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/compiler.h"
#include "lib/format.h"
#include "mm/fault.h"
#include "sched/task.h"
#include "mm/layout.h"
#include "x86/cpu.h"
#include "x86/extable.h"
#include "x86/gdt.h"
#include "x86/mmu.h"
#include "x86/pic.h"

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;
	uint16_t off_hi;
} __packed;

#define IDT_PRESENT 0x80u
#define IDT_INT32   0x0Eu /* interrupt gate: IF cleared on entry */
#define IDT_TASK    0x05u
#define IDT_DPL3    0x60u /* the gate may be used by int n from ring 3 */
#define IDT_ENTRIES 256

static struct idt_entry idt[IDT_ENTRIES];
static trap_handler_fn handlers[T_VECTORS];
static struct trap_user_hooks user_hooks;
extern const uint32_t isr_stub_table[T_VECTORS];
extern const char isr128[];

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_WORDS * 4, "user_entry.asm's frame size");

static const char *const exception_names[T_EXCEPTIONS] = {
	[T_DIVIDE] = "divide error",
	[T_DEBUG] = "debug",
	[T_NMI] = "non-maskable interrupt",
	[T_BRKPT] = "breakpoint",
	[T_OFLOW] = "overflow",
	[T_BOUND] = "bound range exceeded",
	[T_ILLOP] = "invalid opcode",
	[T_DEVICE] = "device not available",
	[T_DBLFLT] = "double fault",
	[T_TSS] = "invalid TSS",
	[T_SEGNP] = "segment not present",
	[T_STACK] = "stack-segment fault",
	[T_GPFLT] = "general protection fault",
	[T_PGFLT] = "page fault",
	[T_FPERR] = "x87 floating-point error",
	[T_ALIGN] = "alignment check",
	[T_MCHK] = "machine check",
	[T_SIMD] = "SIMD floating-point error",
};

static const char *const exception_mnemonics[T_EXCEPTIONS] = {
	[T_DIVIDE] = "#DE", [T_DEBUG] = "#DB", [T_NMI] = "NMI",   [T_BRKPT] = "#BP",
	[T_OFLOW] = "#OF",  [T_BOUND] = "#BR", [T_ILLOP] = "#UD", [T_DEVICE] = "#NM",
	[T_DBLFLT] = "#DF", [T_TSS] = "#TS",   [T_SEGNP] = "#NP", [T_STACK] = "#SS",
	[T_GPFLT] = "#GP",  [T_PGFLT] = "#PF", [T_FPERR] = "#MF", [T_ALIGN] = "#AC",
	[T_MCHK] = "#MC",   [T_SIMD] = "#XM",
};

static void idt_set(unsigned v, uint32_t off, uint16_t sel, uint8_t type)
{
	idt[v].off_lo = off & 0xFFFF;
	idt[v].sel = sel;
	idt[v].zero = 0;
	idt[v].type = type;
	idt[v].off_hi = (uint16_t)(off >> 16);
}

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __packed p = { sizeof(idt) - 1, (uint32_t)idt };

	for (unsigned v = 0; v < T_VECTORS; v++)
		idt_set(v, isr_stub_table[v], SEL_KCODE, IDT_PRESENT | IDT_INT32);
	idt_set(T_DBLFLT, 0, SEL_DF_TSS, IDT_PRESENT | IDT_TASK);
	/* int3 and into are allowed from ring 3 (#BP/#OF rather than #GP), as on Linux. */
	idt_set(T_BRKPT, isr_stub_table[T_BRKPT], SEL_KCODE, IDT_PRESENT | IDT_INT32 | IDT_DPL3);
	idt_set(T_OFLOW, isr_stub_table[T_OFLOW], SEL_KCODE, IDT_PRESENT | IDT_INT32 | IDT_DPL3);
	idt_set(T_SYSCALL, (uint32_t)isr128, SEL_KCODE, IDT_PRESENT | IDT_INT32 | IDT_DPL3);
	__asm__ volatile("lidt %0" : : "m"(p));
}

void trap_set_user_hooks(const struct trap_user_hooks *hooks)
{
	user_hooks = *hooks;
}

void trap_user_return(struct trap_frame *tf)
{
	if (user_hooks.ret)
		user_hooks.ret(tf);
}

void trap_register(unsigned vector, trap_handler_fn fn)
{
	if (vector < T_VECTORS)
		handlers[vector] = fn;
}

const char *trap_name(unsigned vector)
{
	if (vector < T_EXCEPTIONS && exception_names[vector])
		return exception_names[vector];
	return "unknown";
}

static const char *trap_mnemonic(unsigned vector)
{
	if (vector < T_EXCEPTIONS && exception_mnemonics[vector])
		return exception_mnemonics[vector];
	return "#??";
}

char *trap_decode_pf(uint32_t error, char *buf, size_t size)
{
	ksnprintf(
	    buf, size, "%s %s %s%s%s", (error & PF_P) ? "protection-violation" : "not-present",
	    (error & PF_W) ? "write" : "read", (error & PF_U) ? "user-mode" : "kernel-mode",
	    (error & PF_RSVD) ? " reserved-bit" : "", (error & PF_I) ? " instruction-fetch" : "");
	return buf;
}

void trap_print_regs(const struct trap_frame *tf)
{
	pr_emerg("  eax=%08x ebx=%08x ecx=%08x edx=%08x\n", tf->eax, tf->ebx, tf->ecx, tf->edx);
	pr_emerg("  esi=%08x edi=%08x ebp=%08x esp=%08x\n", tf->esi, tf->edi, tf->ebp,
	         tf->esp_at_pusha + 5 * 4 /* vector, error, eip, cs, eflags */);
	pr_emerg("  eip=%08x cs=%04x eflags=%08x cr0=%08x cr3=%08x\n", tf->eip, tf->cs & 0xFFFF,
	         tf->eflags, read_cr0(), read_cr3());
}

/* Where in the address space @addr lies, for page-fault reports. */
static const char *describe_address(uint32_t addr)
{
	if (addr < PAGE_SIZE)
		return "NULL page";
	if (addr >= (uint32_t)boot_stack_guard && addr < (uint32_t)boot_stack_bottom)
		return "boot stack guard page";
	if (addr < KERNEL_BASE)
		return "user space";
	if (addr >= (uint32_t)__text_start && addr < (uint32_t)__rodata_end)
		return "kernel text/rodata (read-only)";
	if (addr >= RECURSIVE_BASE)
		return "page tables";
	if (addr >= KSTACK_BASE && addr < VMALLOC_BASE)
		return "kernel stack region";
	return "kernel space";
}

void trap_fatal(struct trap_frame *tf, const char *why)
{
	char buf[96];

	pr_emerg("trap: %s %s (vector %u) at eip=%08x (%pS)\n", trap_mnemonic(tf->vector),
	         trap_name(tf->vector), tf->vector, tf->eip, (void *)tf->eip);
	if (tf->vector == T_PGFLT) {
		uint32_t cr2 = read_cr2();
		pr_emerg("  error=%04x: %s\n", tf->error,
		         trap_decode_pf(tf->error, buf, sizeof(buf)));
		pr_emerg("  CR2=%08x (%s)\n", cr2, describe_address(cr2));
	} else {
		pr_emerg("  error=%04x\n", tf->error);
	}
	trap_print_regs(tf);
	panic_from_frame(tf->eip, tf->ebp, "%s: %s", why, trap_name(tf->vector));
}

void trap_dispatch(struct trap_frame *tf)
{
	unsigned v = tf->vector;

	if (v >= T_IRQ0 && v < T_IRQ0 + T_IRQS) {
		unsigned irq = v - T_IRQ0;
		if (pic_spurious(irq))
			return;
		/* EOI first: a handler that switches tasks must not leave the PIC waiting. */
		pic_eoi(irq);
		if (handlers[v])
			handlers[v](tf);
		sched_preempt(); /* the tick may have ended the running task's slice */
		if (trap_from_user(tf) && user_hooks.ret)
			user_hooks.ret(tf);
		return;
	}
	if (v == T_SYSCALL) {
		syscall_dispatch(tf);
		if (user_hooks.ret)
			user_hooks.ret(tf);
		return;
	}
	if (v < T_VECTORS && handlers[v] && handlers[v](tf))
		return; /* a signal sent meanwhile is acted on at the next tick or system call */
	if (trap_from_user(tf) && user_hooks.fault) {
		user_hooks.fault(tf);
		return;
	}
	if (!trap_from_user(tf) && extable_fixup(tf))
		return;
	trap_fatal(tf, "unhandled exception");
}

/*
 * The double-fault task (entered through the task gate, on df_stack, interrupts off).
 * kernel_tss holds the faulting context, saved by the CPU on the task switch.
 */
void double_fault_task(void)
{
	const struct tss *t = &kernel_tss;
	/* The failed push went to esp - 4 (or a little lower): in a stack's guard page? */
	bool overflow = fault_classify(t->esp - 4, PF_W) == FAULT_GUARD_STACK ||
	                fault_classify(t->esp, PF_W) == FAULT_GUARD_STACK;

	pr_emerg("trap: #DF double fault at eip=%08x (%pS)\n", t->eip, (void *)t->eip);
	pr_emerg("  esp=%08x ebp=%08x cr2=%08x\n", t->esp, t->ebp, read_cr2());
	if (overflow)
		pr_emerg(
		    "  kernel stack overflow: esp is in the guard page below the stack at %08x\n",
		    (t->esp + PAGE_SIZE) & PTE_ADDR_MASK);
	else
		pr_emerg("  kernel stack overflow? a fault occurred while delivering a fault\n");
	panic_from_frame(t->eip, t->ebp, "double fault%s",
	                 overflow ? " (kernel stack overflow)" : "");
}
