/*
 * pageops: clear_page and copy_page (contracts in include/x86/pageops.h).
 *
 * SSE path: clear_page stores one zeroed XMM register 16 times per 256-byte step (16 steps);
 * copy_page moves 256 bytes per step, twice through XMM0-XMM7 (16 steps); copy_block_usrc
 * the same with unaligned loads (movups). The registers are saved in a stack buffer first
 * (movups: the kernel stack is only 4-byte aligned) and reloaded after, with interrupts
 * masked.
 */
#include "x86/pageops.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/page_size.h"
#include "x86/cpu.h"

static bool use_sse;

void pageops_init(int have_sse)
{
	use_sse = have_sse != 0;
}

void clear_block(void *page, size_t n)
{
	if (!use_sse) {
		uint32_t words = n / 4, *p = page;
		__asm__ volatile("rep stosl" : "+D"(p), "+c"(words) : "a"(0) : "memory");
		return;
	}
	uint8_t save[16];
	uint32_t flags = irq_save();
	char *p = page, *end = p + n;

	__asm__ volatile("movups %%xmm0, %0\n\txorps %%xmm0, %%xmm0" : "=m"(save));
	do { /* 256 bytes per step */
		__asm__ volatile("movaps %%xmm0, 0(%0)\n\t"
		                 "movaps %%xmm0, 16(%0)\n\t"
		                 "movaps %%xmm0, 32(%0)\n\t"
		                 "movaps %%xmm0, 48(%0)\n\t"
		                 "movaps %%xmm0, 64(%0)\n\t"
		                 "movaps %%xmm0, 80(%0)\n\t"
		                 "movaps %%xmm0, 96(%0)\n\t"
		                 "movaps %%xmm0, 112(%0)\n\t"
		                 "movaps %%xmm0, 128(%0)\n\t"
		                 "movaps %%xmm0, 144(%0)\n\t"
		                 "movaps %%xmm0, 160(%0)\n\t"
		                 "movaps %%xmm0, 176(%0)\n\t"
		                 "movaps %%xmm0, 192(%0)\n\t"
		                 "movaps %%xmm0, 208(%0)\n\t"
		                 "movaps %%xmm0, 224(%0)\n\t"
		                 "movaps %%xmm0, 240(%0)"
		                 :
		                 : "r"(p)
		                 : "memory");
		p += 256;
	} while (p != end);
	__asm__ volatile("movups %0, %%xmm0" : : "m"(save));
	irq_restore(flags);
}

/*
 * One 256-byte step of a copy: two rounds through XMM0-XMM7, loading with LOAD (movaps for
 * an aligned source, movups for any) and storing aligned.
 */
#define COPY_STEP(LOAD, d, s)                                                                      \
	__asm__ volatile(LOAD " 0(%1), %%xmm0\n\t" LOAD " 16(%1), %%xmm1\n\t" LOAD                 \
	                      " 32(%1), %%xmm2\n\t" LOAD " 48(%1), %%xmm3\n\t" LOAD                \
	                      " 64(%1), %%xmm4\n\t" LOAD " 80(%1), %%xmm5\n\t" LOAD                \
	                      " 96(%1), %%xmm6\n\t" LOAD " 112(%1), %%xmm7\n\t"                    \
	                      "movaps %%xmm0, 0(%0)\n\tmovaps %%xmm1, 16(%0)\n\t"                  \
	                      "movaps %%xmm2, 32(%0)\n\tmovaps %%xmm3, 48(%0)\n\t"                 \
	                      "movaps %%xmm4, 64(%0)\n\tmovaps %%xmm5, 80(%0)\n\t"                 \
	                      "movaps %%xmm6, 96(%0)\n\tmovaps %%xmm7, 112(%0)\n\t" LOAD           \
	                      " 128(%1), %%xmm0\n\t" LOAD " 144(%1), %%xmm1\n\t" LOAD              \
	                      " 160(%1), %%xmm2\n\t" LOAD " 176(%1), %%xmm3\n\t" LOAD              \
	                      " 192(%1), %%xmm4\n\t" LOAD " 208(%1), %%xmm5\n\t" LOAD              \
	                      " 224(%1), %%xmm6\n\t" LOAD " 240(%1), %%xmm7\n\t"                   \
	                      "movaps %%xmm0, 128(%0)\n\tmovaps %%xmm1, 144(%0)\n\t"               \
	                      "movaps %%xmm2, 160(%0)\n\tmovaps %%xmm3, 176(%0)\n\t"               \
	                      "movaps %%xmm4, 192(%0)\n\tmovaps %%xmm5, 208(%0)\n\t"               \
	                      "movaps %%xmm6, 224(%0)\n\tmovaps %%xmm7, 240(%0)"                   \
	                 :                                                                         \
	                 : "r"(d), "r"(s)                                                          \
	                 : "memory")

/* copy_block and copy_block_usrc: @aligned_src picks the loads (a constant at each call). */
static inline __attribute__((always_inline)) void copy_any(void *dst, const void *src, size_t n,
                                                           bool aligned_src)
{
	if (!use_sse) {
		uint32_t words = n / 4;
		void *d = dst;
		const void *s = src;
		__asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
		return;
	}
	uint8_t save[128];
	uint32_t flags = irq_save();
	char *d = dst, *end = d + n;
	const char *s = src;

	__asm__ volatile("movups %%xmm0, 0(%0)\n\tmovups %%xmm1, 16(%0)\n\t"
	                 "movups %%xmm2, 32(%0)\n\tmovups %%xmm3, 48(%0)\n\t"
	                 "movups %%xmm4, 64(%0)\n\tmovups %%xmm5, 80(%0)\n\t"
	                 "movups %%xmm6, 96(%0)\n\tmovups %%xmm7, 112(%0)"
	                 :
	                 : "r"(save)
	                 : "memory");
	do { /* 256 bytes per step */
		if (aligned_src)
			COPY_STEP("movaps", d, s);
		else
			COPY_STEP("movups", d, s);
		d += 256;
		s += 256;
	} while (d != end);
	__asm__ volatile("movups 0(%0), %%xmm0\n\tmovups 16(%0), %%xmm1\n\t"
	                 "movups 32(%0), %%xmm2\n\tmovups 48(%0), %%xmm3\n\t"
	                 "movups 64(%0), %%xmm4\n\tmovups 80(%0), %%xmm5\n\t"
	                 "movups 96(%0), %%xmm6\n\tmovups 112(%0), %%xmm7"
	                 :
	                 : "r"(save)
	                 : "memory");
	irq_restore(flags);
}

void copy_block(void *dst, const void *src, size_t n)
{
	copy_any(dst, src, n, true);
}

void copy_block_usrc(void *dst, const void *src, size_t n)
{
	copy_any(dst, src, n, false);
}
