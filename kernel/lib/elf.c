/*
 * elf: validation of ELF32 static executables, and the vDSO image's shape check and dynamic
 * symbol lookup (rules in include/lib/elf.h). Pure: reads only the memory it is given, so
 * every refusal is host-tested.
 */
#include "lib/elf.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/errno.h"
#include "lib/string.h"

#define ELFMAG1 'E'
#define ELFMAG2 'L'
#define ELFMAG3 'F'

/*
 * The file header's own rules, shared by executables and the vDSO: magic, ELFCLASS32,
 * ELFDATA2LSB, EV_CURRENT, EM_386, e_type @type, struct elf32_phdr entries, 1 to
 * ELF_MAX_PHNUM of them. True when @eh follows them.
 */
static bool header_ok(const struct elf32_ehdr *eh, uint16_t type)
{
	const uint8_t *id = eh->e_ident;

	if (id[0] != ELFMAG0 || id[1] != ELFMAG1 || id[2] != ELFMAG2 || id[3] != ELFMAG3)
		return false;
	if (id[EI_CLASS] != ELFCLASS32 || id[EI_DATA] != ELFDATA2LSB ||
	    id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return false;
	if (eh->e_type != type || eh->e_machine != EM_386)
		return false;
	return eh->e_phentsize == sizeof(struct elf32_phdr) && eh->e_phnum != 0 &&
	       eh->e_phnum <= ELF_MAX_PHNUM;
}

int elf_check_header(const struct elf32_ehdr *eh, uint64_t file_size)
{
	if (file_size < sizeof(*eh) || !header_ok(eh, ET_EXEC))
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

/* True when [@off, @off + @len) lies inside a @size-byte image and @off is @align-aligned. */
static bool in_image(uint32_t off, uint64_t len, uint32_t size, uint32_t align)
{
	return off % align == 0 && (uint64_t)off + len <= size;
}

/*
 * The header and program headers of the @size-byte image @img (4-byte aligned) as an i386
 * ET_DYN object: stores them in *@ehp and *@ph and returns 0, or -ENOEXEC.
 */
static int dyn_headers(const uint8_t *img, uint32_t size, const struct elf32_ehdr **ehp,
                       const struct elf32_phdr **ph)
{
	const struct elf32_ehdr *eh = (const struct elf32_ehdr *)img;

	if ((uintptr_t)img % 4 || size < sizeof(*eh) || !header_ok(eh, ET_DYN) ||
	    !in_image(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf32_phdr), size, 4))
		return -ENOEXEC;
	*ehp = eh;
	*ph = (const struct elf32_phdr *)(img + eh->e_phoff);
	return 0;
}

int elf_check_vdso(const void *image, uint32_t size)
{
	const struct elf32_ehdr *eh;
	const struct elf32_phdr *ph, *load = NULL, *dyn = NULL;
	int rc = dyn_headers(image, size, &eh, &ph);

	if (rc)
		return rc;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP || ph[i].p_type == PT_TLS)
			return -ENOEXEC;
		if (ph[i].p_type == PT_LOAD) {
			if (load)
				return -ENOEXEC; /* a second PT_LOAD */
			load = &ph[i];
		}
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = &ph[i];
	}
	if (!load || !dyn || load->p_offset != 0 || load->p_vaddr != 0 ||
	    load->p_filesz != load->p_memsz || load->p_filesz > size || (load->p_flags & ELF_PF_W))
		return -ENOEXEC;
	if ((uint64_t)dyn->p_vaddr + dyn->p_memsz > load->p_memsz || dyn->p_offset != dyn->p_vaddr)
		return -ENOEXEC;
	return 0;
}

/*
 * The file offset of the @len bytes at address @vaddr through the PT_LOADs of @eh / @ph (their
 * file part), aligned to @align, checked against @size: 0 with *@off set, or -ENOEXEC.
 */
static int vaddr_to_off(const struct elf32_ehdr *eh, const struct elf32_phdr *ph, uint32_t size,
                        uint32_t vaddr, uint64_t len, uint32_t align, uint32_t *off)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf32_phdr *p = &ph[i];

		if (p->p_type != PT_LOAD || vaddr < p->p_vaddr ||
		    (uint64_t)vaddr + len > (uint64_t)p->p_vaddr + p->p_filesz)
			continue;
		uint64_t o = (uint64_t)p->p_offset + (vaddr - p->p_vaddr);
		if (o > UINT32_MAX || !in_image((uint32_t)o, len, size, align))
			return -ENOEXEC;
		*off = (uint32_t)o;
		return 0;
	}
	return -ENOEXEC;
}

/*
 * The value of the first @tag entry among the @n entries of @dyn (up to DT_NULL) in *@val:
 * true, or false when there is none.
 */
static bool dyn_value(const struct elf32_dyn *dyn, uint32_t n, int32_t tag, uint32_t *val)
{
	for (uint32_t i = 0; i < n && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == tag) {
			*val = dyn[i].d_val;
			return true;
		}
	}
	return false;
}

/* True when address @vaddr lies inside a PT_LOAD's memory. */
static bool vaddr_loaded(const struct elf32_ehdr *eh, const struct elf32_phdr *ph, uint32_t vaddr)
{
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && vaddr >= ph[i].p_vaddr &&
		    (uint64_t)vaddr < (uint64_t)ph[i].p_vaddr + ph[i].p_memsz)
			return true;
	return false;
}

int elf_dynsym_lookup(const void *image, uint32_t size, const char *name, uint32_t *value)
{
	const uint8_t *img = image;
	const struct elf32_ehdr *eh;
	const struct elf32_phdr *ph, *dynph = NULL;
	uint32_t hash, symtab, strtab, strsz, syment, hash_off, sym_off, str_off;
	int rc = dyn_headers(img, size, &eh, &ph);

	if (rc)
		return rc;
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dynph = &ph[i];
	if (!dynph || !in_image(dynph->p_offset, dynph->p_filesz, size, 4))
		return -ENOEXEC;

	const struct elf32_dyn *dyn = (const struct elf32_dyn *)(img + dynph->p_offset);
	uint32_t ndyn = dynph->p_filesz / sizeof(*dyn);
	if (!dyn_value(dyn, ndyn, DT_HASH, &hash) || !dyn_value(dyn, ndyn, DT_SYMTAB, &symtab) ||
	    !dyn_value(dyn, ndyn, DT_STRTAB, &strtab) || !dyn_value(dyn, ndyn, DT_STRSZ, &strsz))
		return -ENOEXEC;
	if (dyn_value(dyn, ndyn, DT_SYMENT, &syment) && syment != sizeof(struct elf32_sym))
		return -ENOEXEC;
	if (vaddr_to_off(eh, ph, size, hash, 8, 4, &hash_off))
		return -ENOEXEC;
	const uint32_t nchain = ((const uint32_t *)(img + hash_off))[1];
	if (vaddr_to_off(eh, ph, size, symtab, (uint64_t)nchain * sizeof(struct elf32_sym), 4,
	                 &sym_off) ||
	    vaddr_to_off(eh, ph, size, strtab, strsz, 1, &str_off))
		return -ENOEXEC;

	const struct elf32_sym *sym = (const struct elf32_sym *)(img + sym_off);
	const char *str = (const char *)img + str_off;
	size_t len = strlen(name);
	for (uint32_t i = 1; i < nchain; i++) {
		if (sym[i].st_name >= strsz)
			return -ENOEXEC;
		if (sym[i].st_shndx == SHN_UNDEF || ELF32_ST_BIND(sym[i].st_info) == STB_LOCAL)
			continue;
		const char *s = str + sym[i].st_name;
		size_t max = strsz - sym[i].st_name;
		if (len >= max || memcmp(s, name, len + 1) != 0)
			continue;
		if (!vaddr_loaded(eh, ph, sym[i].st_value))
			return -ENOEXEC;
		*value = sym[i].st_value;
		return 0;
	}
	return -ENOENT;
}
