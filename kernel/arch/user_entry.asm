; kernel/arch/user_entry.asm: the int 0x80 entry stub and the first entry into user mode.
;
; isr128: int 0x80 from ring 3 (an interrupt gate with DPL 3, kernel/arch/trap.c). Builds the
;   same struct trap_frame as every other vector (include/x86/trap.h) through trap_common;
;   trap_dispatch hands vector 0x80 to syscall_dispatch (kernel/syscall.c).
;
; void user_enter(const struct trap_frame *tf, uint32_t stack_top)   (never returns)
;   Copies *tf to the top of the current task's kernel stack (stack_top - TRAP_FRAME_SIZE,
;   exactly where the CPU and trap_common put the frame of a trap from ring 3) and leaves
;   through trap_return: the iret goes to tf->cs:tf->eip with tf->user_ss:tf->user_esp.
;   @tf must not lie in that top area (it is in a task_arch or proc structure, or lower on
;   the stack than the copy).

%define TRAP_FRAME_WORDS 19       ; sizeof(struct trap_frame) / 4, checked in trap.c
%define T_SYSCALL 0x80

extern trap_common
extern trap_return

section .text
global isr128
isr128:
	push dword 0
	push dword T_SYSCALL
	jmp trap_common

global user_enter
user_enter:
	cli
	mov esi, [esp + 4]
	mov eax, [esp + 8]
	sub eax, TRAP_FRAME_WORDS * 4
	mov esp, eax
	mov edi, eax
	mov ecx, TRAP_FRAME_WORDS
	cld
	rep movsd
	jmp trap_return
