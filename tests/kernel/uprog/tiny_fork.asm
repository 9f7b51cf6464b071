; tiny_fork: fork; the child writes "child\n" and exits 7; the parent waits with wait4 and
; exits with 0 if the status is 7 << 8 and the pid matches, 1 otherwise; when fork itself
; fails it exits with the errno (12 for ENOMEM).
bits 32
global _start
section .text
_start:
	mov eax, 2              ; fork
	int 0x80
	test eax, eax
	jz .child
	js .fork_failed
	mov esi, eax            ; child pid
	mov eax, 114            ; wait4(pid, &status, 0, NULL)
	mov ebx, esi
	mov ecx, status
	xor edx, edx
	xor esi, esi
	int 0x80
	cmp eax, ebx
	jne .fail
	cmp dword [status], 7 << 8
	jne .fail
	mov eax, 1
	xor ebx, ebx
	int 0x80
.child:
	mov eax, 4
	mov ebx, 1
	mov ecx, msg
	mov edx, msg_len
	int 0x80
	mov eax, 1
	mov ebx, 7
	int 0x80
.fail:
	mov eax, 1
	mov ebx, 1
	int 0x80
.fork_failed:
	neg eax                 ; -errno -> errno
	mov ebx, eax
	mov eax, 1
	int 0x80
section .rodata
msg: db "child", 10
msg_len equ $ - msg
section .bss
status: resd 1
