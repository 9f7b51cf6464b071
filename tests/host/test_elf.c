/*
 * Host tests for kernel/lib/elf.c: a good static executable's headers are accepted with the
 * right entry, AT_PHDR and break; each rule in include/lib/elf.h refuses with -ENOEXEC.
 */
#include "htest.h"

#include <stdint.h>
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
