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
 * kernel addresses (the direct map); neither function can fail.
 */
#ifndef STRATA_X86_PAGEOPS_H
#define STRATA_X86_PAGEOPS_H

/* Zero the page at @page. */
void clear_page(void *page);

/* Copy the page at @src to @dst (distinct pages). */
void copy_page(void *dst, const void *src);

/* Choose the SSE path when CPUID has SSE and CR4.OSFXSR is on; called by fpu_init. */
void pageops_init(int have_sse);

#endif
