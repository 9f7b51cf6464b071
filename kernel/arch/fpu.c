/*
 * fpu: CR0/CR4 set-up and the FXSAVE/FXRSTOR wrappers (contracts in include/x86/fpu.h).
 *
 * The FXSAVE image layout (Intel SDM vol. 1, 10.5.1) as far as the fresh state needs it:
 * bytes 0-1 FCW, 2-3 FSW, 4 abridged tag word (0 = every register empty), 24-27 MXCSR.
 * The FNSAVE image (no FXSR) starts with FCW, FSW and the full tag word (0xFFFF = empty).
 */
#include "x86/fpu.h"

#include <stdbool.h>

#include "lib/printk.h"
#include "lib/string.h"
#include "x86/cpu.h"
#include "x86/pageops.h"

#define CR0_MP         (1u << 1)  /* monitor coprocessor: WAIT/FWAIT honour TS */
#define CR0_EM         (1u << 2)  /* emulation: FPU instructions trap (#NM) when set */
#define CR0_TS         (1u << 3)  /* task switched: the next FPU instruction traps (#NM) */
#define CR0_NE         (1u << 5)  /* native x87 error reporting (#MF, not IRQ 13) */
#define CR4_OSFXSR     (1u << 9)  /* the OS saves with FXSAVE; SSE instructions allowed */
#define CR4_OSXMMEXCPT (1u << 10) /* the OS handles #XM */

#define CPUID_FEATURES 1u
#define CPUID_EDX_FPU  (1u << 0)
#define CPUID_EDX_FXSR (1u << 24)
#define CPUID_EDX_SSE  (1u << 25)

#define FX_FCW_OFFSET      0u
#define FX_MXMASK_OFFSET   28u
#define MXCSR_MASK_DEFAULT 0xFFBFu /* what a CPU reporting MXCSR_MASK 0 accepts (SDM 11.6.6) */
#define FNSAVE_TAG_OFFSET  8u      /* the 16-bit tag word in the 32-bit FNSAVE layout */
#define FNSAVE_TAG_EMPTY   0xFFFFu

static bool have_fxsr;
static uint32_t mxcsr_mask = MXCSR_MASK_DEFAULT;

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

void fpu_init(void)
{
	uint32_t a, b, c, d;

	cpuid(CPUID_FEATURES, &a, &b, &c, &d);
	have_fxsr = (d & CPUID_EDX_FXSR) != 0;
	write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	uint32_t cr4 = read_cr4();
	if (have_fxsr)
		cr4 |= CR4_OSFXSR;
	if (d & CPUID_EDX_SSE)
		cr4 |= CR4_OSXMMEXCPT;
	write_cr4(cr4);
	__asm__ volatile("fninit");
	if (have_fxsr) {
		static struct fpu_state probe;
		uint32_t m;
		memset(&probe, 0, sizeof(probe));
		__asm__ volatile("fxsave %0" : "=m"(probe));
		memcpy(&m, &probe.image[FX_MXMASK_OFFSET], sizeof(m));
		if (m)
			mxcsr_mask = m;
	}
	pageops_init(have_fxsr && (d & CPUID_EDX_SSE));
	pr_info("fpu: x87%s%s, state saved eagerly per user task\n", have_fxsr ? " FXSR" : "",
	        (d & CPUID_EDX_SSE) ? " SSE" : "");
}

void fpu_save(struct fpu_state *st)
{
	if (have_fxsr)
		__asm__ volatile("fxsave %0" : "=m"(*st));
	else
		__asm__ volatile("fnsave %0; fwait" : "=m"(*st));
}

void fpu_restore(const struct fpu_state *st)
{
	if (have_fxsr)
		__asm__ volatile("fxrstor %0" : : "m"(*st));
	else
		__asm__ volatile("frstor %0" : : "m"(*st));
}

void fpu_state_fresh(struct fpu_state *st)
{
	uint16_t fcw = FPU_FCW_INIT;

	memset(st, 0, sizeof(*st));
	memcpy(&st->image[FX_FCW_OFFSET], &fcw, sizeof(fcw));
	if (have_fxsr) {
		uint32_t mxcsr = FPU_MXCSR_INIT;
		memcpy(&st->image[FX_MXCSR_OFFSET], &mxcsr, sizeof(mxcsr));
	} else {
		uint16_t tag = FNSAVE_TAG_EMPTY;
		memcpy(&st->image[FNSAVE_TAG_OFFSET], &tag, sizeof(tag));
	}
}

bool fpu_has_fxsr(void)
{
	return have_fxsr;
}

uint32_t fpu_mxcsr_mask(void)
{
	return mxcsr_mask;
}
