/*
 * trace_bench: replay one deterministic allocation trace on an allocator, for the host
 * comparison in tools/bench-host.sh (which builds this file four times and counts the
 * replay's instructions with callgrind).
 *
 *   -DBENCH_SLAB      Strata's kmalloc/kfree over the slab layer, native -O2, on the host
 *                     page provider (tests/host/host_pages.h), owner 0, no debug mode
 *   -DBENCH_GLIBC     malloc/free of the C library
 *   -DBENCH_JEMALLOC  malloc/free, linked with -ljemalloc (Debian's jemalloc replaces
 *                     malloc; the program checks it is really jemalloc through mallctl)
 *   -DBENCH_MIMALLOC  mi_malloc/mi_free (-lmimalloc)
 *
 * The trace (generate()): BENCH_OPS = 1,000,000 operations, half allocations, half frees,
 * from xorshift64* seeded with BENCH_SEED, so every build replays the same operations.
 *   sizes      8..4096 bytes, weighted toward small: 55% 8..64, 25% 65..256, 12% 257..1024,
 *              6% 1025..2048, 2% 2049..4096 (uniform inside each band)
 *   lifetimes  50% freed by the very next operation ("immediate");
 *              30% held in a pool of up to 4096 objects; when the pool is full, a random
 *              held object is freed first (so lifetimes are random and long);
 *              20% join the current batch, freed all at once (in allocation order) when
 *              the batch reaches its size, drawn from 64..1023 per batch
 *   end        everything still held is freed, and those frees count in the 10^6
 * An operation is {slot, size}: size > 0 allocates size bytes into the slot, 0 frees it.
 *
 * Measurement: the trace is built, then replayed twice; only the second replay (steady
 * state: the allocator has its memory and metadata warm) runs between
 * CALLGRIND_START_INSTRUMENTATION and CALLGRIND_STOP_INSTRUMENTATION; run under
 * `valgrind --tool=callgrind --instr-atstart=no`. Each allocation writes one byte of its
 * object, like a caller would. The replay loop is identical for all allocators, so its
 * own instructions are included in every figure alike.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#define BENCH_OPS  1000000u
#define BENCH_SEED 0x5354524154410001ULL /* "STRATA", 1 */
#define HELD_MAX   4096u
#define BATCH_MIN  64u
#define BATCH_SPAN 960u
#define SLOTS      (HELD_MAX + BATCH_MIN + BATCH_SPAN + 4)

#if defined(BENCH_SLAB)
#include "host_pages.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#define ALLOCATOR "strata-slab"
#define ALLOC(n)  kmalloc((n), KM_NORMAL)
#define FREE(p)   kfree(p)
static struct host_pages hp;
static void setup(void)
{
	struct slab_page_ops ops;

	if (host_pages_init(&hp, 256u << 20) != 0)
		abort();
	hp.poison = false;
	ops = host_pages_ops(&hp);
	if (slab_init(&ops, 1) != 0 || kmalloc_init() != 0)
		abort();
}
#elif defined(BENCH_MIMALLOC)
#include <mimalloc.h>
#define ALLOCATOR "mimalloc"
#define ALLOC(n)  mi_malloc(n)
#define FREE(p)   mi_free(p)
static void setup(void)
{
	printf("mimalloc version %d\n", mi_version());
}
#elif defined(BENCH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#define ALLOCATOR "jemalloc"
#define ALLOC(n)  malloc(n)
#define FREE(p)   free(p)
static void setup(void)
{
	const char *v = NULL;
	size_t len = sizeof(v);

	if (mallctl("version", &v, &len, NULL, 0) != 0 || !v) {
		fprintf(stderr, "malloc is not jemalloc\n");
		exit(1);
	}
	printf("jemalloc version %s\n", v);
}
#elif defined(BENCH_GLIBC)
#define ALLOCATOR "glibc"
#define ALLOC(n)  malloc(n)
#define FREE(p)   free(p)
static void setup(void)
{
}
#else
#error "define one of BENCH_SLAB, BENCH_GLIBC, BENCH_JEMALLOC, BENCH_MIMALLOC"
#endif

struct op {
	uint32_t slot;
	uint32_t size; /* 0: free */
};

static struct op *ops;
static uint32_t nops;
static void *ptrs[SLOTS];

static uint64_t rng = BENCH_SEED;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t pick_size(void)
{
	uint32_t r = rnd() % 100;

	if (r < 55)
		return 8 + rnd() % 57;
	if (r < 80)
		return 65 + rnd() % 192;
	if (r < 92)
		return 257 + rnd() % 768;
	if (r < 98)
		return 1025 + rnd() % 1024;
	return 2049 + rnd() % 2048;
}

/* Free-slot stack. */
static uint32_t free_slots[SLOTS], nfree_slots;

static uint32_t slot_get(void)
{
	if (!nfree_slots)
		abort();
	return free_slots[--nfree_slots];
}

static void emit(uint32_t slot, uint32_t size)
{
	ops[nops].slot = slot;
	ops[nops].size = size;
	nops++;
	if (!size)
		free_slots[nfree_slots++] = slot;
}

static uint64_t bytes_asked;
static uint64_t waste_pow2, waste_mid; /* rounding waste of two class sets */

static uint32_t round_to(uint32_t n, const uint32_t *cls, unsigned k)
{
	for (unsigned i = 0; i < k; i++)
		if (cls[i] >= n)
			return cls[i];
	return n;
}

static void generate(void)
{
	static const uint32_t pow2[] = { 16, 32, 64, 128, 256, 512, 1024, 2048, 4096 };
	static const uint32_t mid[] = { 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096 };
	static uint32_t held[HELD_MAX], batch[BATCH_MIN + BATCH_SPAN];
	uint32_t nheld = 0, nbatch = 0, batch_size = BATCH_MIN + rnd() % BATCH_SPAN;

	ops = calloc(BENCH_OPS, sizeof(*ops));
	for (uint32_t s = SLOTS; s > 0; s--)
		free_slots[nfree_slots++] = s - 1;
	/* Stop allocating when the remaining frees (held + batch) fill up the budget. */
	while (nops + 2 + nheld + nbatch < BENCH_OPS) {
		uint32_t size = pick_size(), slot = slot_get(), life = rnd() % 100;

		emit(slot, size);
		bytes_asked += size;
		waste_pow2 += round_to(size, pow2, 9) - size;
		waste_mid += round_to(size, mid, 11) - size;
		if (life < 50) {
			emit(slot, 0);
		} else if (life < 80) {
			if (nheld == HELD_MAX) {
				uint32_t k = rnd() % nheld;

				emit(held[k], 0);
				held[k] = held[--nheld];
			}
			held[nheld++] = slot;
		} else {
			batch[nbatch++] = slot;
			if (nbatch == batch_size) {
				for (uint32_t i = 0; i < nbatch; i++)
					emit(batch[i], 0);
				nbatch = 0;
				batch_size = BATCH_MIN + rnd() % BATCH_SPAN;
			}
		}
	}
	for (uint32_t i = 0; i < nbatch; i++)
		emit(batch[i], 0);
	while (nheld)
		emit(held[--nheld], 0);
}

static __attribute__((noinline)) void replay(void)
{
	for (uint32_t i = 0; i < nops; i++) {
		const struct op *o = &ops[i];

		if (o->size) {
			char *p = ALLOC(o->size);

			if (!p)
				abort();
			p[0] = 1;
			ptrs[o->slot] = p;
		} else {
			FREE(ptrs[o->slot]);
		}
	}
}

int main(void)
{
	uint32_t allocs = 0;

	generate();
	for (uint32_t i = 0; i < nops; i++)
		allocs += ops[i].size != 0;
	setup();
	replay(); /* warm-up: the allocator gets its memory */
	CALLGRIND_START_INSTRUMENTATION;
	replay();
	CALLGRIND_STOP_INSTRUMENTATION;
	printf("allocator %s\n", ALLOCATOR);
	printf("ops %u allocs %u frees %u\n", nops, allocs, nops - allocs);
	printf("rounding waste: powers of two %.1f%%, with 96/192 %.1f%%\n",
	       100.0 * (double)waste_pow2 / (double)bytes_asked,
	       100.0 * (double)waste_mid / (double)bytes_asked);
#ifdef BENCH_SLAB
	printf("provider peak %zu KiB, errors %lu\n", hp.peak_pages * 4, kmem_error_count());
#endif
	return 0;
}
