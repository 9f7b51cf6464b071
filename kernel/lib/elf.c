/*
 * elf: validation of ELF32 static executables (rules in include/lib/elf.h). Pure: reads
 * only the structures it is given, so every refusal is host-tested.
 */
#include "lib/elf.h"

#include <stdbool.h>

#include "lib/errno.h"

#define ELFMAG1 'E'
#define ELFMAG2 'L'
#define ELFMAG3 'F'

int elf_check_header(const struct elf32_ehdr *eh, uint64_t file_size)
{
	const uint8_t *id = eh->e_ident;

	if (file_size < sizeof(*eh))
		return -ENOEXEC;
	if (id[0] != ELFMAG0 || id[1] != ELFMAG1 || id[2] != ELFMAG2 || id[3] != ELFMAG3)
		return -ENOEXEC;
	if (id[EI_CLASS] != ELFCLASS32 || id[EI_DATA] != ELFDATA2LSB ||
	    id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC || eh->e_machine != EM_386)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf32_phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	if ((uint64_t)eh->e_phoff + (uint64_t)eh->e_phnum * eh->e_phentsize > file_size)
		return -ENOEXEC;
	return 0;
}

int elf_check_phdrs(const struct elf32_ehdr *eh, const struct elf32_phdr *ph, uint64_t file_size,
                    uint32_t user_lo, uint32_t user_hi, struct elf_info *info)
{
	bool loads = false;
	uint32_t phdr = 0;

	info->brk_start = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf32_phdr *p = &ph[i];

		if (p->p_type == PT_INTERP)
			return -ENOEXEC;
		if (p->p_type == PT_PHDR)
			phdr = p->p_vaddr;
		if (p->p_type != PT_LOAD)
			continue;
		uint64_t end = (uint64_t)p->p_vaddr + p->p_memsz;
		if (p->p_filesz > p->p_memsz || p->p_memsz == 0)
			return -ENOEXEC;
		if ((uint64_t)p->p_offset + p->p_filesz > file_size)
			return -ENOEXEC;
		if ((p->p_offset % ELF_PAGE_SIZE) != (p->p_vaddr % ELF_PAGE_SIZE))
			return -ENOEXEC;
		if (p->p_vaddr < user_lo || end > user_hi)
			return -ENOEXEC;
		if (!phdr && eh->e_phoff >= p->p_offset &&
		    (uint64_t)eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*p) <=
		        (uint64_t)p->p_offset + p->p_filesz)
			phdr = p->p_vaddr + (eh->e_phoff - p->p_offset);
		uint32_t brk =
		    (uint32_t)((end + ELF_PAGE_SIZE - 1) & ~(uint64_t)(ELF_PAGE_SIZE - 1));
		if (brk > info->brk_start)
			info->brk_start = brk;
		loads = true;
	}
	if (!loads || eh->e_entry < user_lo || eh->e_entry >= user_hi)
		return -ENOEXEC;
	info->entry = eh->e_entry;
	info->phdr_vaddr = phdr;
	info->phnum = eh->e_phnum;
	info->phent = eh->e_phentsize;
	return 0;
}
