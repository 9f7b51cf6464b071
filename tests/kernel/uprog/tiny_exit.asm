; tiny_exit: the smallest Linux i386 program: write(1, "tiny: hello\n") then exit(42).
; Used by tests/kernel/test_proc.c for exact memory accounting (no libc noise).
bits 32
global _start
section .text
_start:
	mov eax, 4              ; write
	mov ebx, 1
	mov ecx, msg
	mov edx, msg_len
	int 0x80
	mov eax, 1              ; exit
	mov ebx, 42
	int 0x80
section .rodata
msg: db "tiny: hello", 10
msg_len equ $ - msg
