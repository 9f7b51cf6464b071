/*
 * vdso/entry.S: the vDSO's kernel entry and signal-return trampolines, byte for byte Linux's
 * int $0x80 forms (arch/x86/entry/vdso/vdso32/system_call.S and sigreturn.S), which gdb and
 * libgcc's unwinder recognise by their bytes:
 *
 *   __kernel_vsyscall      int $0x80; ret                        (AT_SYSINFO: the system call)
 *   __kernel_sigreturn     popl %eax; movl $119, %eax; int $0x80 (return of a sigframe handler)
 *   __kernel_rt_sigreturn  movl $173, %eax; int $0x80            (of an rt_sigframe handler)
 *
 * The kernel finds them by name in the image (elf_dynsym_lookup, include/lib/elf.h) and
 * makes a signal handler return into the second or the third. A nop precedes each
 * trampoline, as in Linux, so an unwinder that looks one byte before a return address (the
 * handler's) still lands in the trampoline's range.
 */
#define __NR_sigreturn    119
#define __NR_rt_sigreturn 173

	.text
	.globl	__kernel_vsyscall
	.type	__kernel_vsyscall, @function
	.p2align 4
__kernel_vsyscall:
	int	$0x80
	ret
	.size	__kernel_vsyscall, . - __kernel_vsyscall

	.globl	__kernel_sigreturn
	.type	__kernel_sigreturn, @function
	.p2align 4
	nop
__kernel_sigreturn:
	popl	%eax
	movl	$__NR_sigreturn, %eax
	int	$0x80
	.size	__kernel_sigreturn, . - __kernel_sigreturn

	.globl	__kernel_rt_sigreturn
	.type	__kernel_rt_sigreturn, @function
	.p2align 4
	nop
__kernel_rt_sigreturn:
	movl	$__NR_rt_sigreturn, %eax
	int	$0x80
	.size	__kernel_rt_sigreturn, . - __kernel_rt_sigreturn

	.section .note.GNU-stack, "", @progbits
