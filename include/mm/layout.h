/*
 * layout: Strata's virtual and physical memory layout — the one place its numbers live.
 *
 * 0xFFFFFFFF +-----------------------+
 *            | recursive page dir    |  0xFFC00000  RECURSIVE_BASE (page tables; PD at 0xFFFFF000)
 *            | kernel heap window    |  0xFF000000  VMALLOC_BASE (virtually contiguous)
 *            | kernel stacks + guard |  0xFE000000  KSTACK_BASE (unmapped page below each stack)
 *            | device memory         |  0xFD000000  DEVICE_BASE
 *            | (unused)              |  0xFC400000
 *            | kmap slots            |  0xFC000000  KMAP_BASE (temporary maps of HIGHMEM)
 *            | direct map of lowmem  |  0xC0000000  KERNEL_BASE (image at 0xC0100000)
 *            +-----------------------+  DIRECT_MAP_END = 0xFC000000 (960 MiB of lowmem at most;
 *                                        a multiple of 16 MiB, the largest buddy block, so the
 *                                        Normal/HighMem zone boundary is block-aligned)
 *            | free for the program  |  USER_TOP_GAP (64 KiB below KERNEL_BASE: as on Linux,
 *            |                       |  whose stack top sits below TASK_SIZE, a program may
 *            |                       |  map the last user pages; exec puts [vvar] and [vdso]
 *            |                       |  there, ending USER_VDSO_END, in the stack's table)
 *            | user stack            |  USER_STACK_TOP = 0xBFFF0000, growing down, at most
 *            |                       |  USER_STACK_MAX (RLIMIT_STACK, 8 MiB) -> 0xBF7F0000
 *            | guard gap             |  USER_STACK_GAP (1 MiB, never mapped)
 *            | mmap area (top down)  |  from USER_MMAP_TOP = 0xBF6F0000
 *            |        ...            |
 *            | heap (brk, grows up)  |  from the page-aligned end of the program's bss
 *            | program (ELF)         |  0x08048000 for Debian's static binaries
 *            | user space            |  0x00100000 .. KERNEL_BASE
 *            | reserved              |  0x00000000 (the NULL page is never mapped)
 *            +-----------------------+
 *
 * Physical zones: DMA below 16 MiB, NORMAL up to the end of the direct map, HIGHMEM above
 * (user pages, reached through kmap slots).
 */
#ifndef STRATA_MM_LAYOUT_H
#define STRATA_MM_LAYOUT_H

#define KERNEL_BASE      0xC0000000u
#define KERNEL_LOAD_PHYS 0x00100000u /* where the loader puts the image: 1 MiB */
#define USER_BASE        0x00100000u
#define USER_TOP_GAP     0x00010000u /* left free above the stack (see the picture) */
#define USER_STACK_TOP   (KERNEL_BASE - USER_TOP_GAP)
#define USER_VDSO_END    (KERNEL_BASE - 0x4000u) /* the last 4 user pages stay free */
#define USER_STACK_MAX   0x00800000u             /* RLIMIT_STACK default: 8 MiB */
#define USER_STACK_GAP   0x00100000u /* unmapped gap between the stack's limit and mmap */
#define USER_MMAP_TOP    (USER_STACK_TOP - USER_STACK_MAX - USER_STACK_GAP)
#define KMAP_BASE        0xFC000000u
#define KMAP_SLOTS       1024u
#define DEVICE_BASE      0xFD000000u
#define KSTACK_BASE      0xFE000000u
#define VMALLOC_BASE     0xFF000000u
#define RECURSIVE_BASE   0xFFC00000u
#define RECURSIVE_PD     0xFFFFF000u
#define DIRECT_MAP_END   KMAP_BASE
#define LOWMEM_LIMIT     (DIRECT_MAP_END - KERNEL_BASE) /* physical bytes the direct map covers */
#define DMA_ZONE_END     0x01000000u                    /* 16 MiB */

/* Boot mapping made by boot/entry.asm: the first BOOT_MAP_BYTES of physical memory. */
#define BOOT_MAP_BYTES 0x00800000u

#define KSTACK_PAGES 4u /* 16 KiB kernel stacks */

#ifndef __ASSEMBLER__
#include <stdint.h>
/* Direct-map conversions, valid only for physical addresses below LOWMEM_LIMIT. */
#define phys_to_virt(pa) ((void *)((uintptr_t)(pa) + KERNEL_BASE))
#define virt_to_phys(va) ((uint32_t)((uintptr_t)(va)-KERNEL_BASE))

/* Section bounds exported by linker.ld. */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
extern char __bss_start[], __bss_end[];
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];
extern uint32_t boot_page_dir[];
#endif

#endif
