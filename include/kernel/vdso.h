/*
 * vdso: the vDSO image the kernel maps into every process (linux-gate.so.1, sources in vdso/,
 * embedded by kernel/vdso_image.asm). The image starts page-aligned and its last page is
 * padded with zeros; the vvar pages go just below it (include/lib/vvar.h). Symbols inside it
 * (__kernel_vsyscall, __kernel_sigreturn, __kernel_rt_sigreturn) are found with
 * elf_dynsym_lookup (include/lib/elf.h).
 */
#ifndef STRATA_KERNEL_VDSO_H
#define STRATA_KERNEL_VDSO_H

#include <stdint.h>

extern const uint8_t vdso_image_start[], vdso_image_end[];

#endif
