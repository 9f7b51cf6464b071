/*
 * fpu: x87/SSE state for user tasks (kernel/arch/fpu.c).
 *
 * Boot (fpu_init): CR0.MP set, CR0.EM and CR0.TS clear, CR0.NE set (native #MF errors);
 * CR4.OSFXSR and CR4.OSXMMEXCPT when the CPU has FXSR/SSE (CPUID); CR4.OSXSAVE is never set,
 * so glibc sticks to FXSAVE-era code paths. The kernel itself never touches the FPU (built
 * with -mgeneral-regs-only / -mno-sse), so a user task's registers stay live while kernel
 * code and kernel tasks run.
 *
 * Per task: one 512-byte FXSAVE image, 16-byte aligned (the instruction requires it), saved
 * when a user task is switched away from and restored when one is switched to (eager; see
 * kernel/arch/task_arch.c). Without FXSR the first 108 bytes hold an FNSAVE image instead.
 * exec starts from fpu_state_fresh(): what FNINIT leaves (control word 0x037f, all
 * registers empty) and MXCSR 0x1f80 (all SIMD exceptions masked, round to nearest).
 */
#ifndef STRATA_X86_FPU_H
#define STRATA_X86_FPU_H

#include <stdint.h>

#define FPU_STATE_SIZE  512u
#define FPU_STATE_ALIGN 16u
#define FPU_FCW_INIT    0x037Fu /* x87 control word after FNINIT: all exceptions masked */
#define FPU_MXCSR_INIT  0x1F80u /* MXCSR after reset: all exceptions masked */

struct fpu_state {
	uint8_t image[FPU_STATE_SIZE];
} __attribute__((aligned(FPU_STATE_ALIGN)));

/* Set the CR0/CR4 bits above and FNINIT. Called once at boot, before any user task. */
void fpu_init(void);

/* Save the FPU/SSE registers into @st (FXSAVE, or FNSAVE without FXSR). */
void fpu_save(struct fpu_state *st);

/* Load the FPU/SSE registers from @st (an image from fpu_save or fpu_state_fresh). */
void fpu_restore(const struct fpu_state *st);

/* Fill @st with the state a freshly exec'd program starts with. Cannot fail. */
void fpu_state_fresh(struct fpu_state *st);

#endif
