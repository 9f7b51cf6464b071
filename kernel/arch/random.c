/*
 * random: xorshift64* stirred with rdtsc (see include/x86/random.h). The state is only
 * touched with interrupts off.
 */
#include "x86/random.h"

#include <stdint.h>

#include "lib/string.h"
#include "x86/cpu.h"

#define XORSHIFT_MUL 0x2545F4914F6CDD1DULL
#define RANDOM_SEED  0x9E3779B97F4A7C15ULL

static uint64_t state = RANDOM_SEED;

static uint64_t next(void)
{
	state ^= rdtsc();
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * XORSHIFT_MUL;
}

void get_random_bytes(void *buf, size_t len)
{
	uint8_t *b = buf;
	uint32_t flags = irq_save();

	while (len) {
		uint64_t r = next();
		size_t n = len < sizeof(r) ? len : sizeof(r);
		memcpy(b, &r, n);
		b += n;
		len -= n;
	}
	irq_restore(flags);
}
