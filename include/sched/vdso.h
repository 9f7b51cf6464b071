/*
 * vdso: the vDSO (linux-gate.so.1, built from vdso/ and embedded in the kernel image) and the
 * [vvar] pages below it, mapped into every process by exec (sched/vdso.c).
 *
 *   [vvar]  2 pages, read-only, shared by every process: the clock (struct vclock, written by
 *           the tick: include/x86/timer.h) and the memory-status page (struct
 *           vvar_memstatus, include/lib/vvar.h), which the tick refreshes and every switch to
 *           a user process fills with that process's own figures.
 *   [vdso]  the image, read and execute, its pages shared through the page cache.
 *
 * glibc finds the image through AT_SYSINFO_EHDR and calls __vdso_clock_gettime64 and the rest
 * instead of system calls; every glibc system call enters through __kernel_vsyscall
 * (AT_SYSINFO); a signal handler installed without SA_RESTORER returns through
 * __kernel_sigreturn / __kernel_rt_sigreturn (sched/signal_frame.c).
 *
 * The mapping follows the process through fork (the areas are copied) and exec maps a fresh
 * one. munmap and mremap of either area are allowed, as on Linux; a process whose [vdso] is
 * gone from vdso_base (unmapped or moved) gets signal frames with the on-stack return code
 * instead. Linux differs: its mremap hook follows a moved vDSO, and after a munmap its frames
 * still point at the old trampoline (the return faults).
 */
#ifndef STRATA_SCHED_VDSO_H
#define STRATA_SCHED_VDSO_H

#include <stdbool.h>
#include <stdint.h>

struct vm_space;
struct proc;

/* The image as the kernel embeds it (kernel/vdso_image.asm). */
extern const uint8_t vdso_image_start[], vdso_image_end[];

/* The image's entry points, as offsets from its first byte. */
enum vdso_sym {
	VDSO_SYM_VSYSCALL,     /* __kernel_vsyscall: AT_SYSINFO */
	VDSO_SYM_SIGRETURN,    /* __kernel_sigreturn */
	VDSO_SYM_RT_SIGRETURN, /* __kernel_rt_sigreturn */
	VDSO_SYMS,
};

/*
 * Find the image's symbols, make the vvar pages and the objects the areas map, and move the
 * clock into the vvar page; exec maps them from now on unless !@map (vdso=0: processes get no
 * vDSO and no AT_SYSINFO entries). At boot, after the memory managers and the timer; a
 * malformed image (a build error) or no memory panics.
 */
void vdso_init(bool map);

/*
 * Map [vvar] and [vdso] into the new space @vm (exec) just below USER_VDSO_END, above the
 * stack in its page table (anywhere free in the mmap area if that is taken), map the image's
 * pages at once, and set vm->vdso_base (left 0 under vdso=0). Returns 0, or -ENOMEM (no room or
 * memory: the caller abandons @vm).
 */
int vdso_map(struct vm_space *vm);

/* The user address of @sym in @vm's vDSO, or 0 when @vm has none at vdso_base any more. */
uint32_t vdso_sym_addr(struct vm_space *vm, enum vdso_sym sym);

/* The scheduler switches to the user process @p: show its own figures on the status page. */
void vdso_switch_to(struct proc *p);

#endif
