/*
 * fpu_legacy: conversion between the FXSAVE image and the legacy i387 environment that
 * Linux's i386 signal frame carries in front of it (struct _fpstate_32's first 112 bytes:
 * cw sw tag ipoff cssel dataoff datasel as 32-bit words, the eight 10-byte st registers,
 * status and magic). Pure: no CPU access, built and tested on the host too
 * (tests/host/test_fpu_legacy.c). Linux's convert_from_fxsr/convert_to_fxsr, 32-bit case.
 *
 * FXSAVE image offsets (Intel SDM vol. 1, 10.5.1): 0 FCW, 2 FSW, 4 abridged tag byte, 6 FOP,
 * 8 FIP, 12 FCS, 16 FDP, 20 FDS, 24 MXCSR, 28 MXCSR_MASK, 32 + 16 * i: ST(i) (10 bytes used).
 */
#include "x86/fpu.h"

#include "lib/string.h"

#define FX_FCW    0u
#define FX_FSW    2u
#define FX_FTW    4u
#define FX_FOP    6u
#define FX_FIP    8u
#define FX_FCS    12u
#define FX_FDP    16u
#define FX_FDS    20u
#define FX_ST     32u
#define FX_ST_LEN 16u

#define ENV_CWD    0u
#define ENV_SWD    4u
#define ENV_TWD    8u
#define ENV_FIP    12u
#define ENV_FCS    16u
#define ENV_FOO    20u
#define ENV_FOS    24u
#define ENV_ST     28u
#define ENV_ST_LEN 10u
#define ENV_STATUS 108u
#define ENV_MAGIC  110u

#define HIGH_ONES 0xFFFF0000u
#define TOP_SHIFT 11
#define TOP_MASK  7u

enum { TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3 };

static uint16_t rd16(const uint8_t *b, unsigned off)
{
	uint16_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint32_t rd32(const uint8_t *b, unsigned off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static void wr16(uint8_t *b, unsigned off, uint16_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void wr32(uint8_t *b, unsigned off, uint32_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

/* The full tag word from the abridged one, classifying each valid register (twd_fxsr_to_i387). */
static uint32_t full_tag(const uint8_t fx[FPU_STATE_SIZE])
{
	unsigned top = (rd16(fx, FX_FSW) >> TOP_SHIFT) & TOP_MASK;
	unsigned abridged = fx[FX_FTW];
	uint32_t ret = HIGH_ONES;

	for (unsigned i = 0; i < 8; i++) {
		unsigned tag = TAG_EMPTY;
		if (abridged & (1u << i)) {
			const uint8_t *st = fx + FX_ST + ((i - top) & TOP_MASK) * FX_ST_LEN;
			uint16_t exp = rd16(st, 8) & 0x7FFFu;
			bool mant_zero = rd32(st, 0) == 0 && rd32(st, 4) == 0;
			if (exp == 0x7FFFu)
				tag = TAG_SPECIAL;
			else if (exp == 0)
				tag = mant_zero ? TAG_ZERO : TAG_SPECIAL;
			else
				tag = (rd16(st, 6) & 0x8000u) ? TAG_VALID : TAG_SPECIAL;
		}
		ret |= (uint32_t)tag << (2 * i);
	}
	return ret;
}

/* The abridged tag byte from a full tag word: 1 for every register not empty. */
static uint8_t abridged_tag(uint32_t twd)
{
	uint32_t t = ~twd;

	t = (t | (t >> 1)) & 0x5555u;
	t = (t | (t >> 1)) & 0x3333u;
	t = (t | (t >> 2)) & 0x0F0Fu;
	t = (t | (t >> 4)) & 0x00FFu;
	return (uint8_t)t;
}

void fpu_fxsr_to_legacy(const uint8_t fx[FPU_STATE_SIZE], uint8_t env[FPU_LEGACY_SIZE])
{
	memset(env, 0, FPU_LEGACY_SIZE);
	wr32(env, ENV_CWD, rd16(fx, FX_FCW) | HIGH_ONES);
	wr32(env, ENV_SWD, rd16(fx, FX_FSW) | HIGH_ONES);
	wr32(env, ENV_TWD, full_tag(fx));
	wr32(env, ENV_FIP, rd32(fx, FX_FIP));
	wr32(env, ENV_FCS, rd16(fx, FX_FCS) | ((uint32_t)rd16(fx, FX_FOP) << 16));
	wr32(env, ENV_FOO, rd32(fx, FX_FDP));
	wr32(env, ENV_FOS, rd32(fx, FX_FDS));
	for (unsigned i = 0; i < 8; i++)
		memcpy(env + ENV_ST + i * ENV_ST_LEN, fx + FX_ST + i * FX_ST_LEN, ENV_ST_LEN);
	wr16(env, ENV_STATUS, rd16(fx, FX_FSW));
	wr16(env, ENV_MAGIC, FPU_MAGIC_FXSR);
}

void fpu_legacy_to_fxsr(const uint8_t env[FPU_LEGACY_SIZE], uint8_t fx[FPU_STATE_SIZE])
{
	wr16(fx, FX_FCW, (uint16_t)rd32(env, ENV_CWD));
	wr16(fx, FX_FSW, (uint16_t)rd32(env, ENV_SWD));
	fx[FX_FTW] = abridged_tag(rd32(env, ENV_TWD));
	fx[FX_FTW + 1] = 0;
	wr16(fx, FX_FOP, (uint16_t)(rd32(env, ENV_FCS) >> 16));
	wr32(fx, FX_FIP, rd32(env, ENV_FIP));
	wr32(fx, FX_FCS, rd32(env, ENV_FCS) & 0xFFFFu);
	wr32(fx, FX_FDP, rd32(env, ENV_FOO));
	wr32(fx, FX_FDS, rd32(env, ENV_FOS));
	for (unsigned i = 0; i < 8; i++)
		memcpy(fx + FX_ST + i * FX_ST_LEN, env + ENV_ST + i * ENV_ST_LEN, ENV_ST_LEN);
}
