/*
 * pageops: clear and copy one 4 KiB page as few instructions as the CPU allows
 * (kernel/arch/pageops.c). User pages are zeroed on demand-zero faults and copied on
 * copy-on-write faults, so these two loops are most of those faults' cost: with SSE they
 * move 16 bytes per instruction (`rep stosl`/`rep movsl` execute one instruction per 4 bytes),
 * a quarter of the work.
 *
 * The SSE path borrows XMM registers: it saves the ones it uses on the stack and restores
 * them, and runs with interrupts masked, so neither the interrupted user state nor a kernel
 * task preempted mid-copy (kernel tasks have no saved FPU state) can see a changed register.
 * Without SSE (CPUID) the string instructions are used. Both pointers must be page-aligned
 * kernel addresses (the direct map; copy_block_usrc's source may have any alignment); none
 * of these functions can fail. The _block forms do any
 * multiple of 256 bytes (a page directory's halves).
 */
#ifndef STRATA_X86_PAGEOPS_H
#define STRATA_X86_PAGEOPS_H

#include <stddef.h>

/* Zero @n bytes at @p (@n a multiple of 256, @p 16-byte aligned). */
void clear_block(void *p, size_t n);

/* Copy @n bytes from @src to @dst (@n a multiple of 256, both 16-byte aligned, disjoint). */
void copy_block(void *dst, const void *src, size_t n);

/* copy_block from a source of any alignment (@dst 16-byte aligned): the bytes of a file in
 * the initramfs, which is only 4-byte aligned, into a user page. */
void copy_block_usrc(void *dst, const void *src, size_t n);

/* Zero the page at @page. */
static inline void clear_page(void *page)
{
	clear_block(page, 4096);
}

/* Copy the page at @src to @dst (distinct pages). */
static inline void copy_page(void *dst, const void *src)
{
	copy_block(dst, src, 4096);
}

/* Choose the SSE path when CPUID has SSE and CR4.OSFXSR is on; called by fpu_init. */
void pageops_init(int have_sse);

#endif
