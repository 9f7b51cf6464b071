/*
 * user/vdso.h: find a function in the vDSO the kernel mapped into this process, by name and
 * symbol version, the way glibc's dynamic loader does — for programs that call a vDSO
 * function glibc does not wrap (memsteer: __vdso_strata_memstatus) and for the tests that
 * check the image (tests/user/t_vdso.c, which includes this file by its relative path).
 *
 * Header only (static functions: user programs are built one .c file each):
 *
 *   struct vdso_image v;
 *   const char *why = vdso_open(&v, getauxval(AT_SYSINFO_EHDR));
 *   if (!why) fn = vdso_sym(&v, "__vdso_clock_gettime64", "LINUX_2.6", NULL);
 *
 * vdso_open() also checks that the image is well formed (an ELF32 i386 shared object with
 * exactly one PT_LOAD and a PT_DYNAMIC inside it, no PT_TLS, a dynamic section naming the
 * string and symbol tables and a hash table, every table inside the loaded segment), so a
 * broken image is a reason string rather than a fault. Nothing here makes a system call.
 */
#ifndef STRATA_USER_VDSO_H
#define STRATA_USER_VDSO_H

#include <elf.h>
#include <stdint.h>
#include <string.h>

struct vdso_image {
	uintptr_t base;        /* AT_SYSINFO_EHDR: the ELF header, first byte of [vdso] */
	uintptr_t lo, hi;      /* the loaded segment [lo, hi) in this process */
	uintptr_t load_offset; /* added to a link-time address gives the address here */
	const Elf32_Sym *symtab;
	const char *strtab;
	uint32_t strsz;
	uint32_t nsyms;             /* entries in symtab (from DT_HASH or DT_GNU_HASH) */
	const Elf32_Versym *versym; /* NULL when the image has no symbol versions */
	const Elf32_Verdef *verdef;
	int has_hash, has_gnu_hash;
};

/* True when [p, p + len) lies in the loaded segment of @v. */
static inline int vdso_inside(const struct vdso_image *v, uintptr_t p, uint32_t len)
{
	return p >= v->lo && p <= v->hi && len <= v->hi - p;
}

/* Symbol count from a DT_GNU_HASH table at @gh (inside the image): one past the highest
 * symbol any chain reaches. Returns 0 when the table runs out of the image. */
static inline uint32_t vdso_gnu_hash_count(const struct vdso_image *v, const uint32_t *gh)
{
	if (!vdso_inside(v, (uintptr_t)gh, 16))
		return 0;
	uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_size = gh[2];
	const uint32_t *buckets = gh + 4 + bloom_size; /* 32-bit bloom words */
	const uint32_t *chains = buckets + nbuckets;
	uint32_t last = 0;

	if (nbuckets > 4096 || bloom_size > 4096 ||
	    !vdso_inside(v, (uintptr_t)buckets, nbuckets * 4))
		return 0;
	for (uint32_t i = 0; i < nbuckets; i++)
		if (buckets[i] > last)
			last = buckets[i];
	if (last < symoffset)
		return symoffset;
	for (;;) {
		const uint32_t *c = chains + (last - symoffset);
		if (!vdso_inside(v, (uintptr_t)c, 4))
			return 0;
		if (*c & 1)
			return last + 1;
		last++;
	}
}

/*
 * Parse the vDSO whose ELF header is at @base (AT_SYSINFO_EHDR; 0 when the kernel gave none).
 * Fills @v and returns NULL, or returns a short reason the image cannot be used (@v is then
 * unusable). The image is only read.
 */
static inline const char *vdso_open(struct vdso_image *v, uintptr_t base)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)base;
	const Elf32_Phdr *load = NULL, *dyn = NULL;
	const uint32_t *hash = NULL, *gnu_hash = NULL;

	memset(v, 0, sizeof(*v));
	if (!base)
		return "no AT_SYSINFO_EHDR";
	v->base = base;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return "no ELF magic";
	if (eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return "not ELF32 little-endian";
	if (eh->e_type != ET_DYN || eh->e_machine != EM_386)
		return "not an i386 shared object (e_type/e_machine)";
	if (eh->e_phentsize != sizeof(Elf32_Phdr) || eh->e_phnum == 0 || eh->e_phnum > 16 ||
	    eh->e_phoff > 4096 - eh->e_phnum * sizeof(Elf32_Phdr))
		return "bad program header table";
	const Elf32_Phdr *ph = (const Elf32_Phdr *)(base + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD) {
			if (load)
				return "more than one PT_LOAD";
			load = &ph[i];
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = &ph[i];
		} else if (ph[i].p_type == PT_TLS) {
			return "a PT_TLS segment";
		}
	}
	if (!load || !dyn)
		return "no PT_LOAD or no PT_DYNAMIC";
	if (load->p_offset != 0)
		return "the PT_LOAD does not start at the ELF header";
	v->load_offset = base + load->p_offset - load->p_vaddr;
	v->lo = base;
	v->hi = base + load->p_memsz;
	if (load->p_memsz < load->p_filesz || load->p_memsz > (64u << 20))
		return "bad PT_LOAD size";
	uintptr_t dyn_at = dyn->p_vaddr + v->load_offset;
	if (!vdso_inside(v, dyn_at, dyn->p_memsz))
		return "PT_DYNAMIC outside the PT_LOAD";

	uintptr_t verdef = 0, versym = 0;
	for (const Elf32_Dyn *d = (const Elf32_Dyn *)dyn_at;
	     vdso_inside(v, (uintptr_t)(d + 1), 0) && d->d_tag != DT_NULL; d++) {
		uintptr_t at = d->d_un.d_ptr + v->load_offset;
		switch (d->d_tag) {
		case DT_STRTAB:
			v->strtab = (const char *)at;
			break;
		case DT_SYMTAB:
			v->symtab = (const Elf32_Sym *)at;
			break;
		case DT_STRSZ:
			v->strsz = d->d_un.d_val;
			break;
		case DT_HASH:
			hash = (const uint32_t *)at;
			break;
		case DT_GNU_HASH:
			gnu_hash = (const uint32_t *)at;
			break;
		case DT_VERSYM:
			versym = at;
			break;
		case DT_VERDEF:
			verdef = at;
			break;
		case DT_TEXTREL:
			return "DT_TEXTREL (text relocations)";
		}
	}
	if (!v->strtab || !v->symtab || !v->strsz)
		return "no DT_STRTAB, DT_STRSZ or DT_SYMTAB";
	if (!vdso_inside(v, (uintptr_t)v->strtab, v->strsz))
		return "string table outside the PT_LOAD";
	if (!hash && !gnu_hash)
		return "neither DT_HASH nor DT_GNU_HASH";
	v->has_hash = hash != NULL;
	v->has_gnu_hash = gnu_hash != NULL;
	if (hash) {
		if (!vdso_inside(v, (uintptr_t)hash, 8))
			return "DT_HASH outside the PT_LOAD";
		v->nsyms = hash[1]; /* nchain: one per symbol */
	} else {
		v->nsyms = vdso_gnu_hash_count(v, gnu_hash);
	}
	if (v->nsyms == 0 || !vdso_inside(v, (uintptr_t)v->symtab, v->nsyms * sizeof(Elf32_Sym)))
		return "symbol table empty or outside the PT_LOAD";
	if ((versym != 0) != (verdef != 0))
		return "DT_VERSYM without DT_VERDEF or the reverse";
	if (versym) {
		if (!vdso_inside(v, versym, v->nsyms * sizeof(Elf32_Versym)) ||
		    !vdso_inside(v, verdef, sizeof(Elf32_Verdef)))
			return "version tables outside the PT_LOAD";
		v->versym = (const Elf32_Versym *)versym;
		v->verdef = (const Elf32_Verdef *)verdef;
	}
	return NULL;
}

/* The string at offset @off of the image's string table, or "" when it is out of range. */
static inline const char *vdso_str(const struct vdso_image *v, uint32_t off)
{
	return off < v->strsz ? v->strtab + off : "";
}

/* True when symbol @i has the version named @version (its versym index's Verdef). */
static inline int vdso_version_is(const struct vdso_image *v, uint32_t i, const char *version)
{
	if (!v->versym)
		return 0;
	unsigned ndx = v->versym[i] & 0x7fff;
	const Elf32_Verdef *d = v->verdef;
	for (unsigned n = 0; n < 64; n++) {
		if (!vdso_inside(v, (uintptr_t)d, sizeof(*d)))
			return 0;
		if (d->vd_ndx == ndx && !(d->vd_flags & VER_FLG_BASE)) {
			const Elf32_Verdaux *a = (const void *)((const char *)d + d->vd_aux);
			return vdso_inside(v, (uintptr_t)a, sizeof(*a)) &&
			       strcmp(vdso_str(v, a->vda_name), version) == 0;
		}
		if (!d->vd_next)
			return 0;
		d = (const void *)((const char *)d + d->vd_next);
	}
	return 0;
}

/*
 * The address of the defined global (or weak) function or untyped symbol @name with version
 * @version in @v (opened by vdso_open), or NULL when there is none. The symbol's table entry
 * goes to *@sym_out when @sym_out is not NULL.
 */
static inline void *vdso_sym(const struct vdso_image *v, const char *name, const char *version,
                             const Elf32_Sym **sym_out)
{
	for (uint32_t i = 1; i < v->nsyms; i++) {
		const Elf32_Sym *s = &v->symtab[i];
		unsigned type = ELF32_ST_TYPE(s->st_info), bind = ELF32_ST_BIND(s->st_info);
		if ((type != STT_FUNC && type != STT_NOTYPE) ||
		    (bind != STB_GLOBAL && bind != STB_WEAK) || s->st_shndx == SHN_UNDEF)
			continue;
		if (strcmp(vdso_str(v, s->st_name), name) != 0 || !vdso_version_is(v, i, version))
			continue;
		uintptr_t at = s->st_value + v->load_offset;
		if (!vdso_inside(v, at, 1))
			continue;
		if (sym_out)
			*sym_out = s;
		return (void *)at;
	}
	return NULL;
}

#endif
