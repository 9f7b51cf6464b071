/*
 * gdt: segments and task-state segments. Flat 4 GiB code/data segments for rings 0 and 3,
 * the main TSS (ring-0 stack for traps from user mode; the CPU saves a task's state here on
 * a hardware task switch) and the double-fault TSS, whose task gate moves a double fault
 * onto its own stack so a kernel stack overflow is reported instead of resetting the machine.
 */
#ifndef STRATA_X86_GDT_H
#define STRATA_X86_GDT_H

#include <stdint.h>

#define GDT_NULL      0
#define GDT_KCODE     1
#define GDT_KDATA     2
#define GDT_UCODE     3
#define GDT_UDATA     4
#define GDT_TSS       5
#define GDT_TLS_MIN   6 /* 6..8: the running task's TLS slots (Linux's GDT_ENTRY_TLS_MIN) */
#define GDT_TLS_SLOTS 3
#define GDT_DF_TSS    9 /* after the TLS slots, where Linux keeps its double-fault TSS too */
#define GDT_ENTRIES   10

#define SEL_RPL3   3u
#define SEL_KCODE  (GDT_KCODE << 3)
#define SEL_KDATA  (GDT_KDATA << 3)
#define SEL_UCODE  ((GDT_UCODE << 3) | SEL_RPL3)
#define SEL_UDATA  ((GDT_UDATA << 3) | SEL_RPL3)
#define SEL_TSS    (GDT_TSS << 3)
#define SEL_DF_TSS (GDT_DF_TSS << 3)

/* The 32-bit TSS as the CPU reads and writes it (Intel SDM vol. 3, 8.2.1). */
struct tss {
	uint32_t link;
	uint32_t esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
} __attribute__((packed));

/* Load the GDT, reload the segment registers and the task register. Called once at boot. */
void gdt_init(void);

/* Set the ring-0 stack used when an interrupt arrives in user mode. */
void tss_set_kernel_stack(uint32_t esp0);

/*
 * Write the raw 8-byte descriptor @desc into GDT entry GDT_TLS_MIN + @slot (@slot <
 * GDT_TLS_SLOTS). The context switch copies the next task's TLS descriptors here; the CPU
 * reads them when %gs is next loaded (the pop in trap_return). Interrupts off.
 */
void gdt_set_tls(unsigned slot, uint64_t desc);

/* The main TSS (state of the interrupted context after a double fault's task switch). */
extern struct tss kernel_tss;

#endif
