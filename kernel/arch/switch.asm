; kernel/arch/switch.asm: the context switch.
;
; void context_switch(uint32_t *save_esp, uint32_t next_esp)
;   Pushes the callee-saved registers (ebp, ebx, esi, edi) on the current stack, stores the
;   stack pointer in *save_esp, loads next_esp and pops the same four registers from it, then
;   returns on the next task's stack. A new task's stack is prepared by task_create() to look
;   like this frame: four zeros and the address of task_start. Interrupts must be off.

global context_switch
section .text
context_switch:
	mov eax, [esp + 4]
	mov edx, [esp + 8]
	push ebp
	push ebx
	push esi
	push edi
	mov [eax], esp
	mov esp, edx
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret
