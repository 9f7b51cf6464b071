/*
 * libFuzzer target for mm/vma.c, the VM-area set of user address spaces (a sorted list and
 * an augmented AVL tree of the same areas).
 *
 * The input is read 8 bytes at a time; each group is one operation on a set and on a
 * per-page reference model of 96 pages: insert where free, split with exactly the nodes
 * vma_splits_needed() announced, detach a range, merge a range, mprotect (split, change prot
 * in place, merge), MAP_FIXED (split, detach, insert, merge), the queries (vma_find,
 * vma_find_from, vma_range_free, vma_range_covered, vma_splits_needed) at any byte address
 * around the range, top-down placement (vma_find_free with and without guard gaps), and
 * fork's copy by assignment into a second set with vma_set_clear tearing one down. Every
 * answer must equal the model's (computed by brute force over pages), and after every
 * operation vma_check() must pass and the set must equal the model area for area. At the
 * end every node must have come back. Any violation abort()s, which libFuzzer reports with
 * the input. The model is the same text as in tests/host/test_vma.c.
 *
 *   make BUILD=build build/fuzz/fuzz_vma && ./build/fuzz/fuzz_vma -runs=200000
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htest.h"
#include "mm/vma.h"

#define MODEL_EQ(a, b)                                                                             \
	do {                                                                                       \
		unsigned long long ma_ = (unsigned long long)(a), mb_ = (unsigned long long)(b);   \
		if (ma_ != mb_) {                                                                  \
			fprintf(stderr, "%s:%d: %s == %s: 0x%llx != 0x%llx\n", __FILE__, __LINE__, \
			        #a, #b, ma_, mb_);                                                 \
			abort();                                                                   \
		}                                                                                  \
	} while (0)
#define MODEL_OK(cond, msg)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, (const char *)(msg));   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#include "vma_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vma_set s;
	struct list_head out;

	ht_log_echo = false;
	vma_set_init(&s);
	m_reset();
	for (size_t i = 0; i + 8 <= size; i += 8)
		m_step(&s, data + i);
	list_init(&out);
	vma_set_clear(&s, &out);
	m_free_list(&out);
	MODEL_EQ(m_live, 0);
	return 0;
}
