/*
 * extable: the exception table — kernel instructions allowed to fault, each with the address
 * to resume at (Linux's arch/x86/mm/extable.c, our code).
 *
 * An entry {insn, fixup} is emitted next to the instruction (inline asm or NASM) into the
 * __ex_table section, which linker.ld gathers between __ex_table_start and __ex_table_end.
 * When a kernel-mode exception hits an instruction listed there, the trap code sets the
 * frame's eip to the fixup and resumes instead of panicking. Users: the user copy helpers
 * (mm/uaccess.c: a #PF inside a copy returns -EFAULT) and trap_return (a stale user segment
 * selector is replaced by the null selector).
 */
#ifndef STRATA_X86_EXTABLE_H
#define STRATA_X86_EXTABLE_H

#include <stdbool.h>
#include <stdint.h>

struct extable_entry {
	uint32_t insn;  /* address of the instruction that may fault */
	uint32_t fixup; /* where to continue when it does */
};

struct trap_frame;

/* If tf->eip is in the table, point it at the fixup and return true; else false. */
bool extable_fixup(struct trap_frame *tf);

/* Emit an entry for label @insn resuming at label @fixup (inside an asm statement). */
#define EXTABLE_ENTRY(insn, fixup)                                                                 \
	".pushsection __ex_table, \"a\"\n\t.balign 4\n\t.long " #insn ", " #fixup                  \
	"\n\t.popsection\n\t"

#endif
