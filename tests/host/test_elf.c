/*
 * Host tests for kernel/lib/elf.c: a good static executable's headers are accepted with the
 * right entry, AT_PHDR and break; each rule in include/lib/elf.h refuses with -ENOEXEC. The
 * vDSO checks: elf_check_vdso and elf_dynsym_lookup on a small hand-made image (each defect
 * refused, never read past: the image sits in a buffer of its exact size under ASan) and on
 * the real $(BUILD)/vdso/vdso.img (VDSO_IMAGE_PATH, from the Makefile): every symbol found,
 * the trampolines' bytes Linux's.
 */
#include "htest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/elf.h"
#include "lib/errno.h"

#define USER_LO   0x00100000u
#define USER_HI   0xBF700000u
#define FILE_SIZE 0x3000u

struct image {
	struct elf32_ehdr eh;
	struct elf32_phdr ph[3];
};

/* A typical static binary: text at 0x08048000 (with the headers), data mid-page. */
static void good(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, "\177ELF", 4);
	im->eh.e_ident[EI_CLASS] = ELFCLASS32;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_386;
	im->eh.e_entry = 0x08048100;
	im->eh.e_phoff = sizeof(struct elf32_ehdr);
	im->eh.e_phentsize = sizeof(struct elf32_phdr);
	im->eh.e_phnum = 2;
	im->ph[0] = (struct elf32_phdr){ PT_LOAD, 0,      0x08048000,          0x08048000,
		                         0x1000,  0x1000, ELF_PF_R | ELF_PF_X, 0x1000 };
	im->ph[1] = (struct elf32_phdr){ PT_LOAD, 0x1f10, 0x0804af10,          0x0804af10,
		                         0x100,   0x2000, ELF_PF_R | ELF_PF_W, 0x1000 };
}

static int check(struct image *im, struct elf_info *info)
{
	int rc = elf_check_header(&im->eh, FILE_SIZE);

	return rc ? rc : elf_check_phdrs(&im->eh, im->ph, FILE_SIZE, USER_LO, USER_HI, info);
}

HT_TEST(good_static_executable)
{
	struct image im;
	struct elf_info info;

	good(&im);
	HT_EXPECT_EQ(check(&im, &info), 0);
	HT_EXPECT_EQ(info.entry, 0x08048100u);
	HT_EXPECT_EQ(info.phdr_vaddr, 0x08048000u + sizeof(struct elf32_ehdr));
	HT_EXPECT_EQ(info.phnum, 2u);
	HT_EXPECT_EQ(info.brk_start, 0x0804d000u); /* page-aligned end of bss */
}

HT_TEST(header_refusals)
{
	struct image im;
	struct elf_info info;

	good(&im);
	im.eh.e_ident[1] = 'X';
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.eh.e_ident[EI_CLASS] = 2;
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.eh.e_ident[EI_DATA] = 2;
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.eh.e_machine = 62;
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.eh.e_type = ET_DYN;
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.eh.e_phentsize = 20;
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.eh.e_phnum = 0;
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.eh.e_phoff = FILE_SIZE - 8;
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	HT_EXPECT_EQ(elf_check_header(&im.eh, sizeof(im.eh) - 1), -ENOEXEC); /* truncated */
}

HT_TEST(program_header_refusals)
{
	struct image im;
	struct elf_info info;

	good(&im);
	im.eh.e_phnum = 3;
	im.ph[2] = (struct elf32_phdr){ PT_INTERP, 0x200, 0, 0, 20, 20, ELF_PF_R, 1 };
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC); /* dynamically linked */
	good(&im);
	im.ph[1].p_offset = 0x1f00; /* offset != vaddr mod 4K */
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.ph[1].p_filesz = 0x3000; /* filesz > memsz */
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.ph[1].p_offset = 0x2f10;
	im.ph[1].p_filesz = 0x200; /* past the file */
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.ph[1].p_vaddr = 0xBFFFF000;
	im.ph[1].p_offset = 0x1000;
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC); /* into the kernel half */
	good(&im);
	im.ph[0].p_vaddr = 0;
	im.ph[0].p_offset = 0; /* the NULL page */
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.ph[1].p_vaddr = 0xFFFFFF10;
	im.ph[1].p_memsz = 0x1000; /* wraps */
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.ph[0].p_type = PT_NULL;
	im.ph[1].p_type = PT_NULL; /* nothing to load */
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
	good(&im);
	im.eh.e_entry = 0xC0000000; /* entry in the kernel */
	HT_EXPECT_EQ(check(&im, &info), -ENOEXEC);
}

/* ---- the vDSO image checks ---------------------------------------------------------------- */

/* A small vDSO-shaped image: headers, PT_DYNAMIC, DT_HASH, 4 symbols, strings, code. */
#define MINI_DYN    0x80u
#define MINI_HASH   0x100u
#define MINI_SYMTAB 0x140u
#define MINI_STRTAB 0x1c0u
#define MINI_SIZE   0x240u
#define MINI_NSYMS  4u
static const char mini_strings[] = "\0alpha\0beta\0local_one";

struct mini {
	union {
		uint8_t b[MINI_SIZE];
		uint32_t align;
	} u;
};

static struct elf32_ehdr *mini_eh(struct mini *m)
{
	return (struct elf32_ehdr *)m->u.b;
}

static struct elf32_phdr *mini_ph(struct mini *m)
{
	return (struct elf32_phdr *)(m->u.b + sizeof(struct elf32_ehdr));
}

static struct elf32_dyn *mini_dyn(struct mini *m)
{
	return (struct elf32_dyn *)(m->u.b + MINI_DYN);
}

static struct elf32_sym *mini_sym(struct mini *m)
{
	return (struct elf32_sym *)(m->u.b + MINI_SYMTAB);
}

static void mini_good(struct mini *m)
{
	struct elf32_ehdr *eh = mini_eh(m);
	uint32_t *hash = (uint32_t *)(m->u.b + MINI_HASH);
	struct elf32_sym *sym = mini_sym(m);

	memset(m, 0, sizeof(*m));
	memcpy(eh->e_ident, "\177ELF", 4);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_version = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_386;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(struct elf32_phdr);
	eh->e_phnum = 2;
	mini_ph(m)[0] = (struct elf32_phdr){
		PT_LOAD, 0, 0, 0, MINI_SIZE, MINI_SIZE, ELF_PF_R | ELF_PF_X, 0x1000
	};
	mini_ph(m)[1] = (struct elf32_phdr){ PT_DYNAMIC, MINI_DYN, MINI_DYN, MINI_DYN,
		                             6 * 8,      6 * 8,    ELF_PF_R, 4 };
	const struct elf32_dyn dyn[] = { { DT_HASH, MINI_HASH },
		                         { DT_SYMTAB, MINI_SYMTAB },
		                         { DT_STRTAB, MINI_STRTAB },
		                         { DT_STRSZ, sizeof(mini_strings) },
		                         { DT_SYMENT, sizeof(struct elf32_sym) },
		                         { DT_NULL, 0 } };
	memcpy(mini_dyn(m), dyn, sizeof(dyn));
	hash[0] = 1; /* nbucket */
	hash[1] = MINI_NSYMS;
	sym[1] = (struct elf32_sym){ 1, 0x200, 4, 0x12 /* GLOBAL FUNC */, 0, 1 };
	sym[2] = (struct elf32_sym){ 7, 0x210, 4, 0x12, 0, 1 };
	sym[3] = (struct elf32_sym){ 12, 0x220, 4, 0x02 /* LOCAL FUNC */, 0, 1 };
	memcpy(m->u.b + MINI_STRTAB, mini_strings, sizeof(mini_strings));
}

/* Look @name up in a copy of @m of exactly @size bytes (ASan sees any read past it). */
static int mini_lookup(const struct mini *m, uint32_t size, const char *name, uint32_t *value)
{
	void *copy = malloc(size);
	int rc;

	memcpy(copy, m->u.b, size);
	rc = elf_dynsym_lookup(copy, size, name, value);
	free(copy);
	return rc;
}

static int mini_check(const struct mini *m)
{
	void *copy = malloc(MINI_SIZE);
	int rc;

	memcpy(copy, m->u.b, MINI_SIZE);
	rc = elf_check_vdso(copy, MINI_SIZE);
	free(copy);
	return rc;
}

HT_TEST(dynsym_lookup_finds_global_symbols)
{
	struct mini m;
	uint32_t v = 0;

	mini_good(&m);
	HT_EXPECT_EQ(mini_check(&m), 0);
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), 0);
	HT_EXPECT_EQ(v, 0x200u);
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "beta", &v), 0);
	HT_EXPECT_EQ(v, 0x210u);
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "local_one", &v), -ENOENT); /* STB_LOCAL */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alph", &v), -ENOENT);      /* a prefix */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alphax", &v), -ENOENT);
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "", &v), -ENOENT);
	mini_sym(&m)[2].st_shndx = SHN_UNDEF; /* an undefined symbol is no definition */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "beta", &v), -ENOENT);
}

HT_TEST(dynsym_lookup_refuses_malformed_images)
{
	struct mini m;
	uint32_t v;

	mini_good(&m);
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SYMTAB + 0x20, "alpha", &v), -ENOEXEC); /* truncated */
	HT_EXPECT_EQ(mini_lookup(&m, 40, "alpha", &v), -ENOEXEC); /* not even a header */
	mini_good(&m);
	mini_eh(&m)->e_type = ET_EXEC;
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_eh(&m)->e_phoff = MINI_SIZE - 32; /* the program headers past the end */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_ph(&m)[1].p_offset = MINI_SIZE - 8; /* PT_DYNAMIC past the end */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_ph(&m)[1].p_type = PT_NULL; /* no PT_DYNAMIC */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_dyn(&m)[0].d_tag = 0x7fffffff; /* no DT_HASH */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_dyn(&m)[3].d_tag = 0x7fffffff; /* no DT_STRSZ */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_dyn(&m)[0].d_val = 0x10000; /* DT_HASH outside every PT_LOAD */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	((uint32_t *)(m.u.b + MINI_HASH))[1] = 0x10000000; /* nchain: symbols past the end */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_dyn(&m)[1].d_val = MINI_SYMTAB + 2; /* a misaligned symbol table */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_dyn(&m)[3].d_val = MINI_SIZE; /* DT_STRSZ past the end */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_dyn(&m)[4].d_val = 20; /* DT_SYMENT */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_sym(&m)[1].st_name = sizeof(mini_strings); /* a name outside the strings */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "beta", &v), -ENOEXEC);
	mini_good(&m);
	mini_sym(&m)[1].st_value = MINI_SIZE; /* a value in no PT_LOAD */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "alpha", &v), -ENOEXEC);
	mini_good(&m);
	mini_dyn(&m)[3].d_val = 11;  /* "beta" loses its NUL: not read past the table */
	mini_sym(&m)[3].st_name = 0; /* (and "local_one" is outside it: now nameless) */
	HT_EXPECT_EQ(mini_lookup(&m, MINI_SIZE, "beta", &v), -ENOENT);
}

HT_TEST(check_vdso_refusals)
{
	struct mini m;

	mini_good(&m);
	mini_ph(&m)[1].p_type = PT_LOAD; /* two PT_LOADs */
	HT_EXPECT_EQ(mini_check(&m), -ENOEXEC);
	mini_good(&m);
	mini_ph(&m)[0].p_flags |= ELF_PF_W;
	HT_EXPECT_EQ(mini_check(&m), -ENOEXEC);
	mini_good(&m);
	mini_ph(&m)[0].p_vaddr = 0x1000;
	HT_EXPECT_EQ(mini_check(&m), -ENOEXEC);
	mini_good(&m);
	mini_ph(&m)[0].p_memsz = MINI_SIZE + 0x1000; /* bss: not its own memory image */
	HT_EXPECT_EQ(mini_check(&m), -ENOEXEC);
	mini_good(&m);
	mini_ph(&m)[0].p_filesz = mini_ph(&m)[0].p_memsz = MINI_SIZE + 4; /* past the end */
	HT_EXPECT_EQ(mini_check(&m), -ENOEXEC);
	mini_good(&m);
	mini_ph(&m)[1].p_type = PT_INTERP;
	HT_EXPECT_EQ(mini_check(&m), -ENOEXEC);
	mini_good(&m);
	mini_ph(&m)[1].p_type = PT_NULL; /* no PT_DYNAMIC */
	HT_EXPECT_EQ(mini_check(&m), -ENOEXEC);
}

/* The real image: every symbol of vdso/vdso.ver, and the trampolines byte for byte. */
HT_TEST(real_vdso_image)
{
	static const char *const names[] = { "__vdso_clock_gettime", "__vdso_clock_gettime64",
		                             "__vdso_gettimeofday",  "__vdso_time",
		                             "__vdso_clock_getres",  "__vdso_strata_memstatus",
		                             "__kernel_vsyscall",    "__kernel_sigreturn",
		                             "__kernel_rt_sigreturn" };
	static const uint8_t vsyscall[] = { 0xcd, 0x80, 0xc3 };
	static const uint8_t sigreturn[] = { 0x58, 0xb8, 0x77, 0, 0, 0, 0xcd, 0x80 };
	static const uint8_t rt_sigreturn[] = { 0xb8, 0xad, 0, 0, 0, 0xcd, 0x80 };
	FILE *f = fopen(VDSO_IMAGE_PATH, "rb");
	uint8_t *img;
	long size;
	uint32_t v;

	HT_ASSERT(f != NULL);
	HT_ASSERT(fseek(f, 0, SEEK_END) == 0);
	size = ftell(f);
	HT_ASSERT(size > 0 && size <= 2 * 4096);
	rewind(f);
	img = malloc((size_t)size);
	HT_ASSERT(fread(img, 1, (size_t)size, f) == (size_t)size);
	fclose(f);

	HT_EXPECT_EQ(elf_check_vdso(img, (uint32_t)size), 0);
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v = 0;
		HT_EXPECT_EQ(elf_dynsym_lookup(img, (uint32_t)size, names[i], &v), 0);
		HT_EXPECT(v > 0 && v < (uint32_t)size);
	}
	HT_EXPECT_EQ(elf_dynsym_lookup(img, (uint32_t)size, "vdso_clock_gettime64_other", &v),
	             -ENOENT); /* local: not exported */
	HT_EXPECT_EQ(elf_dynsym_lookup(img, (uint32_t)size, "__kernel_vsyscall", &v), 0);
	HT_EXPECT(v + sizeof(vsyscall) <= (uint32_t)size &&
	          memcmp(img + v, vsyscall, sizeof(vsyscall)) == 0);
	HT_EXPECT_EQ(elf_dynsym_lookup(img, (uint32_t)size, "__kernel_sigreturn", &v), 0);
	HT_EXPECT(v + sizeof(sigreturn) <= (uint32_t)size &&
	          memcmp(img + v, sigreturn, sizeof(sigreturn)) == 0);
	HT_EXPECT_EQ(elf_dynsym_lookup(img, (uint32_t)size, "__kernel_rt_sigreturn", &v), 0);
	HT_EXPECT(v + sizeof(rt_sigreturn) <= (uint32_t)size &&
	          memcmp(img + v, rt_sigreturn, sizeof(rt_sigreturn)) == 0);
	free(img);
}
