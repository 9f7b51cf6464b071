/*
 * vdso/fast.S: the vDSO's two budgeted readers, in assembly because GCC's i386 code for the
 * 64-bit arithmetic of include/lib/vclock.h spills and reloads its way to twice the size:
 *
 *   __vdso_clock_gettime64(clk, ts)  CLOCK_MONOTONIC and CLOCK_REALTIME, ~35 instructions;
 *                                    any other clock is a tail call of the C
 *                                    vdso_clock_gettime64_other (vdso/vdso.c)
 *   __vdso_strata_memstatus(out)     the memory-status page's 13 words, ~37 instructions
 *
 * The clock arithmetic is vclock_read()'s exactly (include/lib/vclock.h): under the sequence
 * counter, the tick's base plus min(((rdtsc - tsc_base) low 32 bits * mult) >> 24, 1 tick -
 * 1 ns), the sub-tick part being 1 tick - 1 ns outright when the delta is 2^32 cycles or more
 * (or negative) and mult is not 0; then one carry into the seconds. tests/vdso/test_vdso.c checks it against
 * vclock_read() on the same data.
 *
 * The vvar pages are reached PC-relatively: a call to the next instruction pops its own
 * address, and every field is at (vvar symbol - that label) from it, a link-time constant
 * (vdso/vdso.lds defines the symbols), so nothing is relocated.
 */
#include "layout.h"

	/* Not preemptible, whatever the version script says: resolved at link time, PC-relative. */
	.hidden	vdso_vvar_clock, vdso_vvar_memstatus, vdso_clock_gettime64_other

	.text

/*
 * READ_CLOCK base: the clock @base (mono or wall) into the struct __kernel_timespec at %esi
 * (seconds stored inside the loop, nanoseconds after it), with %ecx holding the address of
 * label 1 (the popped call); returns 0 from __vdso_clock_gettime64. Uses %eax, %edx, %ebx.
 */
.macro READ_CLOCK base
.Lloop_\base:
	movl	vdso_vvar_clock + VC_SEQ - 1b(%ecx), %ebx
	.ifc \base, mono
	movl	vdso_vvar_clock + VC_MONO_SEC - 1b(%ecx), %eax
	movl	%eax, (%esi)
	.else
	movl	vdso_vvar_clock + VC_WALL_SEC - 1b(%ecx), %eax
	movl	%eax, (%esi)
	movl	vdso_vvar_clock + VC_WALL_SEC + 4 - 1b(%ecx), %eax
	movl	%eax, 4(%esi)
	.endif
	rdtsc
	subl	vdso_vvar_clock + VC_TSC_LO - 1b(%ecx), %eax
	sbbl	vdso_vvar_clock + VC_TSC_HI - 1b(%ecx), %edx
	jnz	.Lclamp_\base			/* 2^32 cycles or more, or the TSC behind the tick */
	mull	vdso_vvar_clock + VC_MULT - 1b(%ecx)
	cmpl	$((VL_NSEC_PER_TICK >> (32 - VL_SHIFT)) - 1), %edx
	ja	.Lbig_\base			/* the product's high word: see .Lbig below */
	shrdl	$VL_SHIFT, %edx, %eax
.Lsub_\base:					/* %eax: ns since the tick, < 1 tick */
	.ifc \base, mono
	addl	vdso_vvar_clock + VC_MONO_NSEC - 1b(%ecx), %eax
	.else
	addl	vdso_vvar_clock + VC_WALL_NSEC - 1b(%ecx), %eax
	.endif
	cmpl	vdso_vvar_clock + VC_SEQ - 1b(%ecx), %ebx
	jne	.Lloop_\base			/* a tick came in between: again */
	testb	$1, %bl
	jnz	.Lloop_\base			/* read while written (only on SMP): again */
	.ifc \base, mono
	movl	$0, 4(%esi)
	.endif
	cmpl	$VL_NSEC_PER_SEC, %eax
	jae	.Lcarry_\base
.Lstore_\base:
	movl	%eax, 8(%esi)
	movl	$0, 12(%esi)
	xorl	%eax, %eax
	popl	%esi
	popl	%ebx
	ret
.Lcarry_\base:
	subl	$VL_NSEC_PER_SEC, %eax
	addl	$1, (%esi)
	adcl	$0, 4(%esi)
	jmp	.Lstore_\base
.Lclamp_\base:					/* 1 tick - 1 ns; 0 while mult is 0 */
	xorl	%eax, %eax
	cmpl	vdso_vvar_clock + VC_MULT - 1b(%ecx), %eax
	je	.Lsub_\base
	movl	$VL_NSEC_PER_TICK - 1, %eax
	jmp	.Lsub_\base
/*
 * The product's high word is at least 10^6 >> 8 = 0xF42 (below it the shifted product is
 * under 0xF42 << 8 = 999,936 ns: no clamp possible): shift it exactly and clamp it to
 * 1 tick - 1 ns.
 */
.Lbig_\base:
	shrdl	$VL_SHIFT, %edx, %eax
	shrl	$VL_SHIFT, %edx
	jnz	.Lclamp_\base
	cmpl	$VL_NSEC_PER_TICK - 1, %eax
	ja	.Lclamp_\base
	jmp	.Lsub_\base
.endm

/*
 * int __vdso_clock_gettime64(clockid_t clk, struct __kernel_timespec *ts): 0 with *ts the
 * clock's time (64-bit seconds, 64-bit nanoseconds whose high word is 0); for a clock other
 * than MONOTONIC and REALTIME whatever vdso_clock_gettime64_other returns (0, or the system
 * call's negative errno).
 */
	.globl	__vdso_clock_gettime64
	.type	__vdso_clock_gettime64, @function
	.p2align 4
__vdso_clock_gettime64:
	movl	4(%esp), %eax
	cmpl	$VL_CLOCK_MONOTONIC, %eax
	je	2f
	testl	%eax, %eax			/* CLOCK_REALTIME */
	jne	vdso_clock_gettime64_other	/* a tail call: same arguments, same frame */
	pushl	%ebx
	pushl	%esi
	movl	16(%esp), %esi
	call	1f
1:	popl	%ecx
	READ_CLOCK wall
2:	pushl	%ebx
	pushl	%esi
	movl	16(%esp), %esi
	call	1f
1:	popl	%ecx
	READ_CLOCK mono
	.size	__vdso_clock_gettime64, . - __vdso_clock_gettime64

/*
 * int __vdso_strata_memstatus(struct strata_memstatus *out): the status's first 13 words
 * copied to *out between two equal, even reads of the page's sequence counter (the writer
 * makes it odd while it writes); returns 0. Straight-line: the loop runs once unless a tick
 * or a context switch rewrote the page in between.
 */
	.globl	__vdso_strata_memstatus
	.type	__vdso_strata_memstatus, @function
	.p2align 4
__vdso_strata_memstatus:
	pushl	%ebx
	movl	8(%esp), %edx
	call	1f
1:	popl	%ecx
2:	movl	vdso_vvar_memstatus + VM_SEQ - 1b(%ecx), %eax
	.irp	w, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
	movl	vdso_vvar_memstatus + VM_STATUS + 4 * \w - 1b(%ecx), %ebx
	movl	%ebx, 4 * \w(%edx)
	.endr
	cmpl	vdso_vvar_memstatus + VM_SEQ - 1b(%ecx), %eax
	jne	2b
	andl	$1, %eax			/* 0 once the counter was even: the return value */
	jnz	2b
	popl	%ebx
	ret
	.size	__vdso_strata_memstatus, . - __vdso_strata_memstatus

	.section .note.GNU-stack, "", @progbits
