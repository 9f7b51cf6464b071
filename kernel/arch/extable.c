/*
 * extable: lookup in the exception table (include/x86/extable.h). A linear scan: the table
 * has a handful of entries and is only read on a kernel-mode fault.
 */
#include "x86/extable.h"

#include "x86/trap.h"

extern const struct extable_entry __ex_table_start[], __ex_table_end[];

bool extable_fixup(struct trap_frame *tf)
{
	for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == tf->eip) {
			tf->eip = e->fixup;
			return true;
		}
	}
	return false;
}
