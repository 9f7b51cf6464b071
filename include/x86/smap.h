/*
 * smap: SMEP and SMAP, where the CPU has them (kernel/arch/smap.c).
 *
 * SMEP (CR4 bit 20): the kernel cannot execute a user page; SMAP (CR4 bit 21): the kernel
 * cannot read or write a user page unless EFLAGS.AC is set. Strata sets AC only inside the
 * user copy helpers (mm/uaccess.c: user_access_begin/end around the one instruction that
 * touches user memory), and clears it on every entry from user mode (isr.asm,
 * user_entry.asm: a program may set AC itself with popf). A kernel access to a user page
 * anywhere else faults; the #PF handler reports it (mm/fault.c) instead of resolving it.
 * Without SMAP (CPUID.7:EBX bit 20) the helpers skip stac/clac, which would be #UD.
 */
#ifndef STRATA_X86_SMAP_H
#define STRATA_X86_SMAP_H

#include <stdbool.h>
#include <stdint.h>

#define CR4_SMEP  (1u << 20)
#define CR4_SMAP  (1u << 21)
#define EFLAGS_AC (1u << 18) /* alignment check / SMAP access control */
#define PF_I      (1u << 4)  /* #PF error: the access was an instruction fetch */

/* Set by cpu_protect_init; read by the entry code (byte) and the helpers below. */
extern uint8_t x86_smap_enabled, x86_smep_enabled;

/* Turn SMEP and SMAP on when CPUID has them, logging which. Called once at boot. */
void cpu_protect_init(void);

/* Allow the kernel to touch user pages (stac) until user_access_end (clac). */
static inline void user_access_begin(void)
{
	if (x86_smap_enabled)
		__asm__ volatile("stac" ::: "memory", "cc");
}

static inline void user_access_end(void)
{
	if (x86_smap_enabled)
		__asm__ volatile("clac" ::: "memory", "cc");
}

#endif
