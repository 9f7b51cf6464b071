/*
 * elf: ELF32 definitions and the pure validation of a static i386 executable's headers
 * (kernel/lib/elf.c). No hardware, scheduler or memory-manager header: it builds unchanged for
 * the host tests (tests/host/test_elf.c) and is the only judge of what exec accepts.
 *
 * Accepted: magic, ELFCLASS32, ELFDATA2LSB, EV_CURRENT, EM_386, ET_EXEC, a program header
 * table of struct elf32_phdr entries inside the file; every PT_LOAD with p_filesz <= p_memsz,
 * p_offset + p_filesz inside the file, p_offset == p_vaddr (mod 4096), [p_vaddr,
 * p_vaddr + p_memsz) inside user space [@user_lo, @user_hi) without wrapping; at least one
 * PT_LOAD. Refused with -ENOEXEC: anything else, ET_DYN (static-pie would need relocation
 * here: not yet) and PT_INTERP (dynamically linked programs: no loader).
 */
#ifndef STRATA_LIB_ELF_H
#define STRATA_LIB_ELF_H

#include <stdint.h>

#define EI_NIDENT     16
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFMAG0       0x7F
#define ELFCLASS32    1
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define ET_DYN        3
#define EM_386        3
#define PT_NULL       0
#define PT_LOAD       1
#define PT_INTERP     3
#define PT_PHDR       6
#define ELF_PF_X      0x1
#define ELF_PF_W      0x2
#define ELF_PF_R      0x4
#define ELF_PAGE_SIZE 4096u
#define ELF_MAX_PHNUM 64u /* more program headers than any static binary has */

struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};

/* What the loader needs after validation. */
struct elf_info {
	uint32_t entry;
	uint32_t phdr_vaddr; /* where the program headers are in memory (AT_PHDR), 0 if not */
	uint32_t phnum, phent;
	uint32_t brk_start; /* page-aligned end of the highest PT_LOAD */
};

/*
 * Check the file header @eh of a @file_size-byte file. Returns 0 or -ENOEXEC.
 */
int elf_check_header(const struct elf32_ehdr *eh, uint64_t file_size);

/*
 * Check the @eh->e_phnum program headers @ph (read from e_phoff) against the rules above for
 * user space [@user_lo, @user_hi), filling @info. Returns 0 or -ENOEXEC.
 */
int elf_check_phdrs(const struct elf32_ehdr *eh, const struct elf32_phdr *ph, uint64_t file_size,
                    uint32_t user_lo, uint32_t user_hi, struct elf_info *info);

#endif
