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

#include <stdbool.h>
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

/* Does the CPU save with FXSAVE (else FNSAVE: the image's first 108 bytes)? */
bool fpu_has_fxsr(void);

/* The MXCSR bits FXRSTOR accepts (the CPU's MXCSR_MASK, 0xffbf when it reports none): a
 * user-supplied image is masked with it so that FXRSTOR cannot fault. */
uint32_t fpu_mxcsr_mask(void);

#define FX_MXCSR_OFFSET 24u /* MXCSR in the FXSAVE image */

/*
 * Linux's i386 signal frame carries the FPU state as struct _fpstate_32: a legacy i387
 * environment of FPU_LEGACY_SIZE bytes (cw sw tag ipoff cssel dataoff datasel as 32-bit words,
 * the eight 10-byte st registers, status, magic) followed by the FXSAVE image. Conversions
 * between the two (kernel/arch/fpu_legacy.c, pure; Linux's convert_from_fxsr/convert_to_fxsr):
 *   fpu_fxsr_to_legacy  the environment of FXSAVE image @fx (full tag word computed from the
 *                       registers), status = FSW, magic FPU_MAGIC_FXSR
 *   fpu_legacy_to_fxsr  write environment @env's control, status, tag (abridged), pointers
 *                       and st registers into @fx (MXCSR and the XMM registers untouched)
 */
#define FPU_LEGACY_SIZE 112u
#define FPU_MAGIC_FXSR  0x0000u /* _fpstate_32.magic: an FXSAVE image follows */
#define FPU_MAGIC_FSAVE 0xFFFFu /* _fpstate_32.magic: the legacy part only */
#define FPU_FNSAVE_SIZE 108u    /* FNSAVE's image (the legacy part without status/magic) */
void fpu_fxsr_to_legacy(const uint8_t fx[FPU_STATE_SIZE], uint8_t env[FPU_LEGACY_SIZE]);
void fpu_legacy_to_fxsr(const uint8_t env[FPU_LEGACY_SIZE], uint8_t fx[FPU_STATE_SIZE]);

#endif
