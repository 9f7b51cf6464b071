/*
 * Host tests for kernel/arch/fpu_legacy.c: the i387 environment Linux's i386 signal frame
 * carries in front of the FXSAVE image. The full tag word is computed from the registers as
 * Linux's twd_fxsr_to_i387 does (valid, zero, special, empty; physical register i is
 * ST((i - TOP) & 7)), the control/status words get their high ones, status and magic follow
 * the st registers; the way back writes the environment into an FXSAVE image (abridged tag)
 * and leaves MXCSR and the XMM registers alone; a round trip changes nothing.
 */
#include "htest.h"

#include <string.h>

#include "x86/fpu.h"

#define FX_FSW   2
#define FX_FTW   4
#define FX_FOP   6
#define FX_FIP   8
#define FX_FCS   12
#define FX_FDP   16
#define FX_FDS   20
#define FX_MXCSR 24
#define FX_ST    32
#define FX_XMM   160

static uint32_t env_word(const uint8_t *env, unsigned i)
{
	uint32_t v;

	memcpy(&v, env + 4 * i, sizeof(v));
	return v;
}

static void put16(uint8_t *b, unsigned off, uint16_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void put32(uint8_t *b, unsigned off, uint32_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

/* ST(@st) of @fx: 64-bit mantissa @mant, sign+exponent @exp. */
static void set_st(uint8_t *fx, unsigned st, uint64_t mant, uint16_t exp)
{
	memcpy(fx + FX_ST + 16 * st, &mant, sizeof(mant));
	put16(fx, FX_ST + 16 * st + 8, exp);
}

/* A fresh image: FNINIT's control word, nothing on the stack, MXCSR's reset value. */
static void fresh(uint8_t *fx)
{
	memset(fx, 0, FPU_STATE_SIZE);
	put16(fx, 0, FPU_FCW_INIT);
	put32(fx, FX_MXCSR, FPU_MXCSR_INIT);
}

HT_TEST(empty_stack_is_all_empty_tags)
{
	uint8_t fx[FPU_STATE_SIZE], env[FPU_LEGACY_SIZE];
	uint16_t status, magic;

	fresh(fx);
	fpu_fxsr_to_legacy(fx, env);
	HT_EXPECT_EQ(env_word(env, 0), 0xFFFF037Fu); /* cw */
	HT_EXPECT_EQ(env_word(env, 1), 0xFFFF0000u); /* sw */
	HT_EXPECT_EQ(env_word(env, 2), 0xFFFFFFFFu); /* tag: every register empty */
	memcpy(&status, env + 108, sizeof(status));
	memcpy(&magic, env + 110, sizeof(magic));
	HT_EXPECT_EQ(status, 0);
	HT_EXPECT_EQ(magic, FPU_MAGIC_FXSR);
}

HT_TEST(tags_follow_the_registers_contents)
{
	uint8_t fx[FPU_STATE_SIZE], env[FPU_LEGACY_SIZE];

	/* fldpi; fldz: TOP 6, ST0 = +0 (physical 6), ST1 = pi (physical 7). */
	fresh(fx);
	put16(fx, FX_FSW, 6u << 11);
	fx[FX_FTW] = 0xC0;
	set_st(fx, 0, 0, 0);
	set_st(fx, 1, 0xC90FDAA22168C235ull, 0x4000);
	fpu_fxsr_to_legacy(fx, env);
	HT_EXPECT_EQ(env_word(env, 2), 0xFFFF0000u | 0x0FFFu | (1u << 12) | (0u << 14));
	HT_EXPECT_EQ(env_word(env, 1), 0xFFFF3000u);
	HT_EXPECT(memcmp(env + 28 + 10, fx + FX_ST + 16, 10) == 0); /* ST1 = pi, 10 bytes */

	/* TOP 0, registers 0..2 in use: a NaN, a denormal, an unnormal: all special. */
	fresh(fx);
	fx[FX_FTW] = 0x07;
	set_st(fx, 0, 0xC000000000000000ull, 0x7FFF);
	set_st(fx, 1, 0x0000000000000001ull, 0x0000);
	set_st(fx, 2, 0x4000000000000000ull, 0x3FFF);
	fpu_fxsr_to_legacy(fx, env);
	HT_EXPECT_EQ(env_word(env, 2), 0xFFFF0000u | 0xFFC0u | 0x2u | (0x2u << 2) | (0x2u << 4));
}

HT_TEST(pointers_and_opcode_move_as_linux_packs_them)
{
	uint8_t fx[FPU_STATE_SIZE], env[FPU_LEGACY_SIZE];

	fresh(fx);
	put16(fx, FX_FOP, 0x05D9);
	put32(fx, FX_FIP, 0x08049ABCu);
	put16(fx, FX_FCS, 0x0073);
	put32(fx, FX_FDP, 0xBFFFF000u);
	put32(fx, FX_FDS, 0x007B);
	fpu_fxsr_to_legacy(fx, env);
	HT_EXPECT_EQ(env_word(env, 3), 0x08049ABCu);               /* ipoff */
	HT_EXPECT_EQ(env_word(env, 4), 0x0073u | (0x05D9u << 16)); /* cssel: cs | fop << 16 */
	HT_EXPECT_EQ(env_word(env, 5), 0xBFFFF000u);               /* dataoff */
	HT_EXPECT_EQ(env_word(env, 6), 0x007Bu);                   /* datasel */
}

HT_TEST(round_trip_changes_nothing_and_spares_sse)
{
	uint8_t fx[FPU_STATE_SIZE], back[FPU_STATE_SIZE], env[FPU_LEGACY_SIZE];

	fresh(fx);
	put16(fx, 0, 0x027F);
	put16(fx, FX_FSW, (5u << 11) | 0x21u);
	fx[FX_FTW] = 0xE0;
	put16(fx, FX_FOP, 0x01E8);
	put32(fx, FX_FIP, 0x1234);
	put32(fx, FX_FCS, 0x73);
	put32(fx, FX_FDP, 0x5678);
	put32(fx, FX_FDS, 0x7B);
	for (unsigned i = 0; i < 3; i++)
		set_st(fx, i, 0x8000000000000000ull | i, (uint16_t)(0x3FFF + i));
	for (unsigned i = FX_XMM; i < FX_XMM + 128; i++)
		fx[i] = (uint8_t)i;
	memcpy(back, fx, sizeof(back));
	fpu_fxsr_to_legacy(fx, env);
	fpu_legacy_to_fxsr(env, back);
	HT_EXPECT(memcmp(back, fx, sizeof(fx)) == 0);

	/* A handler's edit of the legacy part is what comes back (Linux: the header wins). */
	uint32_t cw = 0xFFFF0C7F;
	memcpy(env, &cw, sizeof(cw));
	fpu_legacy_to_fxsr(env, back);
	uint16_t fcw;
	memcpy(&fcw, back, sizeof(fcw));
	HT_EXPECT_EQ(fcw, 0x0C7F);
	HT_EXPECT(memcmp(back + FX_MXCSR, fx + FX_MXCSR, 4) == 0);
	HT_EXPECT(memcmp(back + FX_XMM, fx + FX_XMM, 128) == 0);
}
