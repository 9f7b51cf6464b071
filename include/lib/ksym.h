/*
 * ksym: the kernel's embedded symbol table and address -> "function+0xoff" lookup.
 *
 * The table is generated at build time from the first link (tools/gensyms.sh) and linked into
 * the .ksyms section, which sits after .data so regenerating it moves no code address.
 * Entries are sorted by address; a symbol covers [addr, next symbol's addr).
 */
#ifndef STRATA_LIB_KSYM_H
#define STRATA_LIB_KSYM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct ksym {
	uint32_t addr;     /* start address of the function */
	uint32_t name_off; /* offset of its NUL-terminated name in the names blob */
};

struct ksym_table {
	const struct ksym *syms; /* sorted ascending by addr */
	uint32_t count;
	const char *names;
	uint32_t text_end; /* first address past the last symbol's code */
};

/*
 * Find the symbol covering @addr in @t. On success store its name and the offset of @addr
 * from its start and return true; return false when @addr is outside [first symbol, text_end).
 */
bool ksym_lookup_in(const struct ksym_table *t, uint32_t addr, const char **name, uint32_t *offset);

/* The kernel's own table (empty in the first link and in host tests). */
extern const struct ksym_table ksym_kernel_table;

/* Format @addr as "name+0xoff" (or "0x%08x" if unknown) into @buf; returns kvsnprintf's value. */
int ksym_snprint(char *buf, size_t size, uint32_t addr);

#endif
