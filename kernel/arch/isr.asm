; kernel/arch/isr.asm: interrupt and exception entry stubs.
;
; Each stub pushes a dummy error code when the CPU does not push one, then the vector number,
; and jumps to trap_common (also entered from isr128, kernel/arch/user_entry.asm), which saves the registers into a struct trap_frame
; (include/x86/trap.h), loads kernel data segments and calls trap_dispatch(frame).
; Vector 8 has no stub: it is a task gate to the double-fault TSS (kernel/arch/gdt.c).

%define SEL_KDATA 0x10

extern trap_dispatch

%macro ISR_NOERR 1
global isr%1
isr%1:
	push dword 0
	push dword %1
	jmp trap_common
%endmacro

%macro ISR_ERR 1
global isr%1
isr%1:
	push dword %1
	jmp trap_common
%endmacro

extern x86_smap_enabled

section .text
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
%assign v 22
%rep 10
ISR_NOERR v
%assign v v + 1
%endrep
%rep 16
ISR_NOERR v
%assign v v + 1
%endrep

global trap_common
trap_common:
	cld                             ; C code expects DF clear (memmove may have set it)
	test byte [x86_smap_enabled], 1 ; SMAP: the kernel runs with EFLAGS.AC clear (a
	jz .ac_clear_trap                ; program may have set it: include/x86/smap.h)
	clac
.ac_clear_trap:
	pusha
	push ds
	push es
	push fs
	push gs
	mov ax, SEL_KDATA
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	push esp                        ; struct trap_frame *
	call trap_dispatch
	add esp, 4
global trap_return
trap_return:
.pop_gs:
	pop gs
.pop_fs:
	pop fs
.pop_es:
	pop es
.pop_ds:
	pop ds
	popa
	add esp, 8                      ; vector and error code
	iret

; A selector that no longer names a usable descriptor (a user %gs whose TLS slot was cleared)
; makes the pop #GP in kernel mode; the exception table (include/x86/extable.h) resumes at
; these fixups, which replace the saved selector by the null selector and retry the pop. The
; program then faults on its next use of the segment and gets SIGSEGV, as on Linux.
.fix_gs:
	mov dword [esp], 0
	jmp .pop_gs
.fix_fs:
	mov dword [esp], 0
	jmp .pop_fs
.fix_es:
	mov dword [esp], 0
	jmp .pop_es
.fix_ds:
	mov dword [esp], 0
	jmp .pop_ds

section __ex_table align=4
	dd trap_return.pop_gs, trap_return.fix_gs
	dd trap_return.pop_fs, trap_return.fix_fs
	dd trap_return.pop_es, trap_return.fix_es
	dd trap_return.pop_ds, trap_return.fix_ds

section .rodata
global isr_stub_table
isr_stub_table:
%assign v 0
%rep 48
	dd isr %+ v
%assign v v + 1
%endrep
