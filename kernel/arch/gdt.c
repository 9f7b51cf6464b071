/*
 * gdt: the global descriptor table, the main TSS and the double-fault TSS.
 *
 * Entries 6..8 are the running task's TLS descriptors (set_thread_area, kernel/arch/tls.c),
 * rewritten on every switch; empty (not present) in kernel tasks.
 *
 * The double fault (vector 8) is delivered through a task gate: the CPU saves the faulting
 * context into kernel_tss and loads df_tss, which runs double_fault_task() on df_stack with
 * the kernel's page directory. That is what lets a kernel stack overflow (a fault while
 * pushing onto an unmapped guard page) be reported instead of becoming a triple fault.
 */
#include "x86/gdt.h"

#include "lib/compiler.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "x86/cpu.h"
#include "x86/trap.h"

struct gdt_entry {
	uint16_t limit_lo;
	uint16_t base_lo;
	uint8_t base_mid;
	uint8_t access;
	uint8_t flags_limit_hi;
	uint8_t base_hi;
} __packed;

struct gdt_ptr {
	uint16_t limit;
	uint32_t base;
} __packed;

/* Access byte bits. */
#define GDT_A_PRESENT 0x80u
#define GDT_A_RING3   0x60u
#define GDT_A_SEGMENT 0x10u /* code/data (not system) */
#define GDT_A_CODE    0x0Au /* executable, readable */
#define GDT_A_DATA    0x02u /* writable */
#define GDT_A_TSS32   0x09u /* available 32-bit TSS */
/* Flags nibble. */
#define GDT_F_4K      0x80u
#define GDT_F_32BIT   0x40u
#define DF_STACK_SIZE 4096u

static struct gdt_entry gdt[GDT_ENTRIES];
struct tss kernel_tss;
static struct tss df_tss;
static uint8_t df_stack[DF_STACK_SIZE] __attribute__((aligned(16)));

static void gdt_set(int i, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	gdt[i].limit_lo = limit & 0xFFFF;
	gdt[i].base_lo = base & 0xFFFF;
	gdt[i].base_mid = (base >> 16) & 0xFF;
	gdt[i].access = access;
	gdt[i].flags_limit_hi = (uint8_t)(flags | ((limit >> 16) & 0x0F));
	gdt[i].base_hi = (base >> 24) & 0xFF;
}

/*
 * Reload CS with a far return and the data segments; then load the task register and the
 * null LDT. The LDTR must be loaded: after reset it describes a 64 KiB table at linear
 * address 0, so a user load of an LDT selector would make the CPU read "descriptors" from
 * user page 1 (a supervisor-mode #PF from ring 3) instead of raising #GP as on Linux.
 */
#define SEL_NULL_LDT 0 /* no LDT: every LDT selector faults (#GP) */

static void gdt_load(void)
{
	struct gdt_ptr p = { sizeof(gdt) - 1, (uint32_t)gdt };

	__asm__ volatile("lgdt %0\n\t"
	                 "pushl %1\n\t"
	                 "pushl $1f\n\t"
	                 "lret\n"
	                 "1:\n\t"
	                 "movw %w2, %%ds\n\t"
	                 "movw %w2, %%es\n\t"
	                 "movw %w2, %%fs\n\t"
	                 "movw %w2, %%gs\n\t"
	                 "movw %w2, %%ss\n\t"
	                 "ltr %w3\n\t"
	                 "lldt %w4"
	                 :
	                 : "m"(p), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_TSS), "r"(SEL_NULL_LDT)
	                 : "memory");
}

void gdt_init(void)
{
	const uint8_t code = GDT_A_PRESENT | GDT_A_SEGMENT | GDT_A_CODE;
	const uint8_t data = GDT_A_PRESENT | GDT_A_SEGMENT | GDT_A_DATA;
	const uint8_t flat = GDT_F_4K | GDT_F_32BIT;

	gdt_set(GDT_NULL, 0, 0, 0, 0);
	gdt_set(GDT_KCODE, 0, 0xFFFFF, code, flat);
	gdt_set(GDT_KDATA, 0, 0xFFFFF, data, flat);
	gdt_set(GDT_UCODE, 0, 0xFFFFF, code | GDT_A_RING3, flat);
	gdt_set(GDT_UDATA, 0, 0xFFFFF, data | GDT_A_RING3, flat);

	memset(&kernel_tss, 0, sizeof(kernel_tss));
	kernel_tss.ss0 = SEL_KDATA;
	kernel_tss.esp0 = (uint32_t)boot_stack_top;
	kernel_tss.iomap_base = sizeof(struct tss); /* no I/O bitmap */
	gdt_set(GDT_TSS, (uint32_t)&kernel_tss, sizeof(kernel_tss) - 1, GDT_A_PRESENT | GDT_A_TSS32,
	        0);

	memset(&df_tss, 0, sizeof(df_tss));
	df_tss.cr3 = read_cr3();
	df_tss.eip = (uint32_t)double_fault_task;
	df_tss.eflags = 0x2; /* reserved bit 1; interrupts off */
	df_tss.esp = (uint32_t)(df_stack + DF_STACK_SIZE);
	df_tss.ebp = 0; /* ends backtraces taken on the double-fault stack */
	df_tss.cs = SEL_KCODE;
	df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = df_tss.ss = SEL_KDATA;
	df_tss.ss0 = SEL_KDATA;
	df_tss.esp0 = df_tss.esp;
	df_tss.iomap_base = sizeof(struct tss);
	gdt_set(GDT_DF_TSS, (uint32_t)&df_tss, sizeof(df_tss) - 1, GDT_A_PRESENT | GDT_A_TSS32, 0);

	gdt_load();
}

void gdt_set_tls(unsigned slot, uint64_t desc)
{
	if (slot < GDT_TLS_SLOTS)
		__builtin_memcpy(&gdt[GDT_TLS_MIN + slot], &desc, sizeof(desc)); /* two stores */
}

void tss_set_kernel_stack(uint32_t esp0)
{
	kernel_tss.esp0 = esp0;
}
