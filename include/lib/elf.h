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
 *
 * Also the two checks the vDSO image needs (vdso/, include/sched/vdso.h): its shape
 * (elf_check_vdso) and its symbols' addresses (elf_dynsym_lookup), both bounds-checking every
 * offset they follow against the image's size, so a malformed image is refused, never read
 * past.
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
#define PT_DYNAMIC    2
#define PT_INTERP     3
#define PT_PHDR       6
#define PT_TLS        7
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

/* The dynamic section's entries and the dynamic symbols (DT_SYMTAB). */
#define DT_NULL             0
#define DT_HASH             4
#define DT_STRTAB           5
#define DT_SYMTAB           6
#define DT_STRSZ            10
#define DT_SYMENT           11
#define SHN_UNDEF           0
#define STB_LOCAL           0
#define ELF32_ST_BIND(info) ((info) >> 4)

struct elf32_dyn {
	int32_t d_tag;
	uint32_t d_val;
};

struct elf32_sym {
	uint32_t st_name, st_value, st_size;
	uint8_t st_info, st_other;
	uint16_t st_shndx;
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

/*
 * Check that the @size-byte ELF image at @image (4-byte aligned) can be mapped as a vDSO: a
 * valid ELFCLASS32 i386 ET_DYN header; exactly one PT_LOAD, at offset 0 and address 0, not
 * writable, with p_filesz == p_memsz <= @size (the image is its own memory image); a
 * PT_DYNAMIC inside it; no PT_INTERP or PT_TLS. Returns 0 or -ENOEXEC.
 */
int elf_check_vdso(const void *image, uint32_t size);

/*
 * Find the defined, non-local dynamic symbol @name in the @size-byte ELF image at @image
 * (4-byte aligned; the header checked as elf_check_vdso's first rule): PT_DYNAMIC gives
 * DT_SYMTAB, DT_STRTAB, DT_STRSZ and DT_HASH, whose nchain is the number of symbols, each
 * looked at in turn. The address part (vaddr -> file offset) goes through the PT_LOADs. On
 * success stores the symbol's value (its address relative to the image's link address: for
 * the vDSO, linked at 0, its offset in the image) in *@value and returns 0; -ENOENT when no
 * such symbol exists; -ENOEXEC for a malformed image (a table or a name outside the image,
 * no DT_HASH, DT_SYMTAB, DT_STRTAB or DT_STRSZ, DT_SYMENT not 16, a symbol whose value lies
 * in no PT_LOAD). Never reads outside [@image, @image + @size).
 */
int elf_dynsym_lookup(const void *image, uint32_t size, const char *name, uint32_t *value);

#endif
