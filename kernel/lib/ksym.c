/*
 * ksym: address -> "function+0xoff" lookup in the kernel's embedded symbol table.
 *
 * Design: the table (struct ksym_table, include/lib/ksym.h) is generated from the first
 * link by tools/gensyms.sh and linked into .ksyms; its entries are sorted by address and a
 * symbol covers [its address, the next symbol's address), the last one up to text_end.
 * Lookup is a binary search for the last entry at or below the address, so a backtrace of
 * a few dozen frames costs a few hundred comparisons. Lookups only read the table: no locks,
 * safe from panic and fault paths. Pure code: builds for the host tests, where the kernel
 * table is an empty stub (tests/host/stubs.c).
 */
#include "lib/ksym.h"

#include "lib/format.h"

/*
 * Find the symbol covering @addr in @t. On success store its name in *@name and @addr's
 * offset from the symbol's start in *@offset (either pointer may be NULL) and return true.
 * Returns false, storing nothing, for an empty table or an address outside
 * [first symbol, text_end).
 */
bool ksym_lookup_in(const struct ksym_table *t, uint32_t addr, const char **name, uint32_t *offset)
{
	uint32_t lo, hi;

	if (!t || t->count == 0 || addr < t->syms[0].addr || addr >= t->text_end)
		return false;

	/* invariant: syms[lo].addr <= addr, and every entry at or past hi is above addr */
	lo = 0;
	hi = t->count;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (name)
		*name = t->names + t->syms[lo].name_off;
	if (offset)
		*offset = addr - t->syms[lo].addr;
	return true;
}

/*
 * Format @addr into @buf (capacity @size) as "name+0xoff" when a kernel symbol covers it,
 * else as "0x%08x". Returns kvsnprintf's value: the untruncated length.
 */
int ksym_snprint(char *buf, size_t size, uint32_t addr)
{
	const char *name;
	uint32_t off;

	if (ksym_lookup_in(&ksym_kernel_table, addr, &name, &off))
		return ksnprintf(buf, size, "%s+0x%x", name, (unsigned int)off);
	return ksnprintf(buf, size, "0x%08x", (unsigned int)addr);
}
