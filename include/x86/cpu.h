/*
 * cpu: control registers, interrupt flag, TLB and timestamp instructions.
 * The only place these instructions are written; everything above calls these wrappers.
 */
#ifndef STRATA_X86_CPU_H
#define STRATA_X86_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define CR0_WP    (1u << 16) /* supervisor writes honour read-only pages */
#define CR0_PG    (1u << 31) /* paging enabled */
#define CR4_PSE   (1u << 4)  /* 4 MiB pages */
#define EFLAGS_IF (1u << 9)  /* interrupts enabled */

static inline void cpu_cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void cpu_sti(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline void cpu_hlt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}
/* Enable interrupts and halt until the next one, with no window for a lost wake-up. */
static inline void cpu_sti_hlt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

static inline uint32_t cpu_eflags(void)
{
	uint32_t f;
	__asm__ volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

/* Disable interrupts and return the previous EFLAGS for irq_restore(). */
static inline uint32_t irq_save(void)
{
	uint32_t f = cpu_eflags();
	cpu_cli();
	return f;
}

static inline void irq_restore(uint32_t flags)
{
	if (flags & EFLAGS_IF)
		cpu_sti();
}

static inline bool irqs_enabled(void)
{
	return (cpu_eflags() & EFLAGS_IF) != 0;
}

#define DEFINE_CR(n)                                                                               \
	static inline uint32_t read_cr##n(void)                                                    \
	{                                                                                          \
		uint32_t v;                                                                        \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_cr##n(uint32_t v)                                                 \
	{                                                                                          \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                         \
	}
DEFINE_CR(0)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline uint32_t read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Time-stamp counter; under `qemu -icount shift=0` a delta is an exact instruction count. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint32_t read_ebp(void)
{
	uint32_t v;
	__asm__ volatile("mov %%ebp, %0" : "=r"(v));
	return v;
}

#endif
