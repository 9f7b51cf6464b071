; kernel/arch/user_entry.asm: the int 0x80 system-call entry and exit, and the first entry
; into user mode.
;
; isr128: int 0x80 (an interrupt gate with DPL 3, kernel/arch/trap.c). The fast path of every
;   system call, kept lean (tools/bench-user.sh measures it; tests/bench/results.md):
;     1. build the same struct trap_frame as every other vector (include/x86/trap.h) — the
;        call number in the error slot (Linux's orig_eax: a restarted call reloads it),
;        vector 0x80, pusha, the four data segments — so fork copies it, exec and sigreturn
;        rewrite it and trap_return/user_enter leave through it as before;
;     2. load the kernel data segments, count the call (proc_syscalls_pending, added to the
;        process at its next switch), enable interrupts (system calls are preemptible);
;     3. push (tf, ebx, ecx, edx, esi, edi, ebp) straight from the registers, which still hold
;        the user's arguments, and call syscall_fn_table[eax] (kernel/syscall.c: every slot
;        filled, unknown numbers go to the -ENOSYS handler; one bounds check against
;        syscall_nr_max, numbers are unsigned so -1 and 0x7fffffff fail it);
;     4. store the result in the frame's eax, run the exit work (trap_user_return: a pending
;        signal; interrupts on, as the trap path runs it), then disable interrupts and pop the
;        frame and iret — exactly trap_return's tail, whose exception-table fixups for a stale
;        user selector also cover this exit because it jumps there.
;   Nothing else: no trap_dispatch, no vector decoding, no FPU work (the kernel is built
;   without FPU/SSE code; the task's FPU image is switched by context_switch's caller only).
;
; void user_enter(const struct trap_frame *tf, uint32_t stack_top)   (never returns)
;   Copies *tf to the top of the current task's kernel stack (stack_top - TRAP_FRAME_SIZE,
;   exactly where the CPU and trap_common put the frame of a trap from ring 3) and leaves
;   through trap_return: the iret goes to tf->cs:tf->eip with tf->user_ss:tf->user_esp.
;   @tf must not lie in that top area (it is in a task_arch or proc structure, or lower on
;   the stack than the copy).

%define TRAP_FRAME_WORDS 19       ; sizeof(struct trap_frame) / 4, checked in trap.c
%define T_SYSCALL 0x80
%define SEL_KDATA 0x10            ; GDT_KDATA << 3 (include/x86/gdt.h)
%define TF_EAX    44              ; offsetof(struct trap_frame, eax), checked in syscall.c
%define ARG_BYTES 28              ; tf and the six arguments pushed for the handler

extern trap_return
extern trap_user_return
extern syscall_fn_table
extern syscall_nr_max
extern sys_ni_syscall

extern x86_smap_enabled
extern proc_syscalls_pending

section .text
global isr128
isr128:
	push eax                        ; error code slot: the call number (Linux's orig_eax)
	push dword T_SYSCALL            ; vector
	cld
	test byte [x86_smap_enabled], 1 ; SMAP: the kernel runs with EFLAGS.AC clear (a
	jz .ac_clear_sys                ; program may have set it: include/x86/smap.h)
	clac
.ac_clear_sys:
	pusha
	push ds
	push es
	push fs
	push gs
	mov ax, SEL_KDATA               ; eax is saved in the frame; reloaded below
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov eax, esp                    ; struct trap_frame *
	inc dword [proc_syscalls_pending] ; counted for /proc/PID/syscalls (sched/proc.c)
	sti
	push ebp                        ; a6 .. a1: the user's registers, untouched so far
	push edi
	push esi
	push edx
	push ecx
	push ebx
	push eax                        ; tf
	mov eax, [eax + TF_EAX]         ; the system-call number
	cmp eax, [syscall_nr_max]
	jae .unknown
	call [syscall_fn_table + eax * 4]
.stored:
	add esp, ARG_BYTES
	mov [esp + TF_EAX], eax
	push esp
	call trap_user_return           ; exit work: pending signal (may not return)
	add esp, 4
	cli
	jmp trap_return
.unknown:
	call sys_ni_syscall             ; -ENOSYS
	jmp .stored

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
