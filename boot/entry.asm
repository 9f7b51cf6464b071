; boot/entry.asm: multiboot v1 header and the kernel's first instructions.
;
; The loader (GRUB or QEMU -kernel) enters _start in 32-bit protected mode, paging off, with
; EAX = multiboot magic and EBX = physical address of the multiboot info. We:
;   1. build the boot page tables: the first BOOT_MAP_BYTES of physical memory mapped twice,
;      at 0 (identity, so this code keeps running once paging is on) and at KERNEL_BASE;
;      the last PDE points at the directory itself (recursive mapping);
;   2. enable paging with CR0.WP, jump to the higher half;
;   3. switch to the boot stack (an unmapped guard page sits below it once arch_init runs)
;      and call kmain(magic, mbi_phys). The identity mapping is removed by kmain.

%define KERNEL_BASE     0xC0000000
%define BOOT_MAP_BYTES  0x00800000
%define BOOT_PT_COUNT   (BOOT_MAP_BYTES / 0x400000)
%define PAGE_SIZE       4096
%define PTE_P           1
%define PTE_W           2
%define CR0_PG          0x80000000
%define CR0_WP          0x00010000

%define MB_MAGIC        0x1BADB002
%define MB_ALIGN        (1 << 0)      ; modules page-aligned
%define MB_MEMINFO      (1 << 1)      ; give us mem_lower/upper and the memory map
%define MB_FLAGS        (MB_ALIGN | MB_MEMINFO)

%define BOOT_STACK_SIZE (16 * 1024)

section .multiboot
align 4
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)

section .boot.text
global _start
_start:
	cli
	cld
	mov esi, eax                    ; keep the magic and info pointer across setup
	mov edi, ebx

	; Fill the boot page tables: entry i maps physical i * 4 KiB, present + writable.
	mov ebx, boot_page_tables - KERNEL_BASE
	xor ecx, ecx
.fill_pt:
	mov eax, ecx
	shl eax, 12
	or eax, PTE_P | PTE_W
	mov [ebx + ecx * 4], eax
	inc ecx
	cmp ecx, BOOT_PT_COUNT * 1024
	jb .fill_pt

	; Point PDE 0.. and PDE 768.. at the tables; the last PDE at the directory itself.
	mov edx, boot_page_dir - KERNEL_BASE
	xor ecx, ecx
.fill_pd:
	mov eax, ecx
	shl eax, 12
	add eax, boot_page_tables - KERNEL_BASE
	or eax, PTE_P | PTE_W
	mov [edx + ecx * 4], eax
	mov [edx + (KERNEL_BASE >> 22) * 4 + ecx * 4], eax
	inc ecx
	cmp ecx, BOOT_PT_COUNT
	jb .fill_pd
	mov eax, edx
	or eax, PTE_P | PTE_W
	mov [edx + 1023 * 4], eax

	mov cr3, edx
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax

	lea eax, [higher_half]
	jmp eax

section .text
extern kmain
higher_half:
	mov esp, boot_stack_top
	xor ebp, ebp                    ; terminates backtraces
	push edi                        ; multiboot info (physical)
	push esi                        ; multiboot magic
	call kmain
.hang:                                  ; kmain never returns; if it did, stop here
	cli
	hlt
	jmp .hang

section .bss
align PAGE_SIZE
global boot_page_dir
boot_page_dir:
	resb PAGE_SIZE
boot_page_tables:
	resb PAGE_SIZE * BOOT_PT_COUNT
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:                       ; unmapped by arch_init: overflow faults here
	resb PAGE_SIZE
boot_stack_bottom:
	resb BOOT_STACK_SIZE
boot_stack_top:
