; tiny_fault: fault in the way argv[1][0] says, to check each user fault kills only the
; process with Linux's signal: 'n' NULL read, 'k' kernel write (0xc0000000), 'r' write to its
; own read-only text, 'd' divide by zero, 'u' ud2, 'b' int3, 'g' a privileged instruction
; (#GP: hlt), 's' load a bad %gs selector; anything else exits 0.
bits 32
global _start
section .text
_start:
	mov eax, [esp + 8]      ; argv[1]
	test eax, eax
	jz .ok
	mov al, [eax]
	cmp al, 'n'
	je .null
	cmp al, 'k'
	je .kernel
	cmp al, 'r'
	je .rodata
	cmp al, 'd'
	je .div
	cmp al, 'u'
	je .ud
	cmp al, 'b'
	je .brk
	cmp al, 'g'
	je .gp
.ok:
	mov eax, 1
	xor ebx, ebx
	int 0x80
.null:
	mov eax, [0]
	jmp .ok
.kernel:
	mov dword [0xc0000000], 1
	jmp .ok
.rodata:
	mov dword [_start], 0
	jmp .ok
.div:
	xor edx, edx
	xor eax, eax
	xor ecx, ecx
	div ecx
	jmp .ok
.ud:
	ud2
.brk:
	int3
	jmp .ok
.gp:
	hlt
	jmp .ok
