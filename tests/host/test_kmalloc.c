/*
 * Host tests for mm/kmalloc.c over the slab layer and the host page provider: every size up
 * to the classes and beyond, the class table, alignment, kzalloc, krealloc, kmalloc_size,
 * failures (OOM, owner limit, KM_NOFAIL panic), owner charging, the reports of bad kfrees
 * (exact text), debug mode through kmalloc (the kmalloc red zone between the size asked for
 * and the class size), the leak scan, and a randomized stress run with the checker.
 */
#include "htest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_pages.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"

#define MiB      (1024u * 1024u)
#define CALLER_A ((uintptr_t)0xc0201111u)
#define CALLER_B ((uintptr_t)0xc0202222u)

static struct host_pages hp;

static bool setup_mode(bool debug)
{
	struct slab_page_ops ops;

	kmem_set_owner_ops(NULL);
	kmem_set_current_owner(0);
	if (host_pages_init(&hp, 128 * MiB) != 0)
		return false;
	ops = host_pages_ops(&hp);
	if (slab_init(&ops, 7) != 0)
		return false;
	slab_set_debug(debug);
	if (kmalloc_init() != 0)
		return false;
	ht_log_clear();
	return true;
}

static bool setup(void)
{
	return setup_mode(false);
}

static void teardown(void)
{
	HT_EXPECT_EQ(kmem_check_all(), 0);
	HT_EXPECT_EQ(kmalloc_exit(), 0);
	HT_EXPECT_EQ(slab_exit(), 0);
	HT_EXPECT_EQ(hp.pages_out, 0);
	host_pages_fini(&hp);
	slab_set_debug(false);
	kmem_set_owner_ops(NULL);
	kmem_set_current_owner(0);
}

static size_t class_of(size_t size)
{
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++)
		if (kmalloc_class_sizes[i] >= size)
			return kmalloc_class_sizes[i];
	return 0;
}

/* ---- sizes, classes, alignment ------------------------------------------------------------ */

HT_TEST(every_size_to_the_classes_and_beyond)
{
	HT_ASSERT(setup());
	for (size_t size = 0; size <= 9000; size++) {
		uint8_t *p = kmalloc(size, KM_NORMAL);
		size_t usable;
		size_t cls = class_of(size ? size : 1);

		HT_ASSERT(p != NULL);
		usable = kmalloc_size(p);
		HT_EXPECT((uintptr_t)p % KMALLOC_MIN_ALIGN == 0);
		if (size <= KMALLOC_MAX_CACHE_SIZE) {
			HT_EXPECT_EQ(usable, cls);
			HT_EXPECT(kmalloc_cache_for(size) == kmem_cache_of(p));
			/* Power-of-two classes are aligned to their size. */
			if ((cls & (cls - 1)) == 0)
				HT_EXPECT((uintptr_t)p % cls == 0);
		} else {
			HT_EXPECT(usable >= size);
			HT_EXPECT(kmem_cache_of(p) == NULL);
			HT_EXPECT(kmalloc_cache_for(size) == NULL);
		}
		memset(p, 0xa5, usable);
		kfree(p);
	}
	for (size_t size = 10000; size <= 4 * MiB; size = size * 3 / 2) {
		uint8_t *p = kmalloc(size, KM_NORMAL);

		HT_ASSERT(p != NULL);
		HT_EXPECT(kmalloc_size(p) >= size);
		p[0] = 1;
		p[size - 1] = 2;
		kfree(p);
	}
	HT_EXPECT_EQ(kmem_large_bytes(), 0);
	HT_EXPECT_EQ(kmem_error_count(), 0); /* the first test: nothing reported yet */
	teardown();
}

HT_TEST(class_table)
{
	HT_ASSERT(setup());
	HT_EXPECT(strcmp(kmalloc_cache_for(1)->name, "kmalloc-16") == 0);
	HT_EXPECT(strcmp(kmalloc_cache_for(17)->name, "kmalloc-32") == 0);
	HT_EXPECT(strcmp(kmalloc_cache_for(65)->name, "kmalloc-96") == 0);
	HT_EXPECT(strcmp(kmalloc_cache_for(129)->name, "kmalloc-192") == 0);
	HT_EXPECT(strcmp(kmalloc_cache_for(1000)->name, "kmalloc-1k") == 0);
	HT_EXPECT(strcmp(kmalloc_cache_for(4096)->name, "kmalloc-4k") == 0);
	for (size_t s = 0; s <= KMALLOC_MAX_CACHE_SIZE; s++)
		HT_EXPECT_EQ(kmalloc_cache_for(s)->objsize, class_of(s ? s : 1));
	/* Objects per 32 KiB slab: 4096 loses one object's worth to the header (12.5%). */
	HT_EXPECT_EQ(kmalloc_cache_for(4096)->capacity, 7);
	HT_EXPECT_EQ(kmalloc_cache_for(2048)->capacity, 15);
	teardown();
}

HT_TEST(kzalloc_zeroes)
{
	uint8_t *p, *q;
	bool zero = true;

	HT_ASSERT(setup());
	p = kmalloc(200, KM_NORMAL);
	memset(p, 0xff, kmalloc_size(p));
	kfree(p);
	q = kzalloc(200, KM_NORMAL);
	HT_EXPECT(q == p); /* the same object back from the magazine */
	for (size_t i = 0; i < kmalloc_size(q); i++)
		zero &= q[i] == 0;
	HT_EXPECT(zero);
	kfree(q);
	q = kzalloc(50000, KM_NORMAL);
	for (size_t i = 0; i < 50000; i++)
		zero &= q[i] == 0;
	HT_EXPECT(zero);
	kfree(q);
	teardown();
}

HT_TEST(kmalloc_aligned_alignments)
{
	static const size_t al[] = {
		1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 65536
	};
	static const size_t sz[] = { 1, 20, 100, 1000, 3000, 5000, 70000 };

	HT_ASSERT(setup());
	for (unsigned i = 0; i < ARRAY_SIZE(al); i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(sz); j++) {
			uint8_t *p = kmalloc_aligned(sz[j], al[i], KM_NORMAL);

			HT_ASSERT(p != NULL);
			HT_EXPECT((uintptr_t)p % MAX(al[i], (size_t)KMALLOC_MIN_ALIGN) == 0);
			HT_EXPECT(kmalloc_size(p) >= sz[j]);
			memset(p, 1, sz[j]);
			kfree(p);
		}
	}
	HT_EXPECT(kmalloc_aligned(10, 48, KM_NORMAL) == NULL);
	HT_EXPECT_EQ(kmem_last_error()->kind, MM_INVALID_ARGUMENT);
	HT_EXPECT_EQ(kmem_check_all(), 0);
	teardown();
}

HT_TEST(krealloc_keeps_contents)
{
	uint8_t *p, *q;
	bool same = true;

	HT_ASSERT(setup());
	p = krealloc(NULL, 10, KM_NORMAL); /* NULL: kmalloc */
	HT_ASSERT(p != NULL);
	for (unsigned i = 0; i < 10; i++)
		p[i] = (uint8_t)i;
	q = krealloc(p, 16, KM_NORMAL); /* fits the 16-byte object: in place */
	HT_EXPECT(q == p);
	p = krealloc(q, 3000, KM_NORMAL);
	HT_ASSERT(p != NULL);
	for (unsigned i = 0; i < 10; i++)
		same &= p[i] == i;
	for (unsigned i = 10; i < 3000; i++)
		p[i] = (uint8_t)i;
	q = krealloc(p, 100000, KM_NORMAL); /* to a large object */
	HT_ASSERT(q != NULL);
	for (unsigned i = 0; i < 3000; i++)
		same &= q[i] == (uint8_t)i;
	p = krealloc(q, 90000, KM_NORMAL); /* shrink a large object: in place */
	HT_EXPECT(p == q);
	q = krealloc(p, 40, KM_NORMAL); /* large to small: in place (still fits) */
	HT_EXPECT(q == p);
	/* Failure leaves the object alone. */
	p = kmalloc(100, KM_NORMAL);
	memset(p, 7, 100);
	hp.limit_pages = hp.pages_out;
	HT_EXPECT(krealloc(p, 1000000, KM_NORMAL) == NULL);
	HT_EXPECT_EQ(kmem_last_error()->kind, MM_OUT_OF_MEMORY);
	hp.limit_pages = 0;
	for (unsigned i = 0; i < 100; i++)
		same &= p[i] == 7;
	HT_EXPECT(same);
	HT_EXPECT(krealloc(p, 0, KM_NORMAL) == NULL); /* size 0: free */
	kfree(q);
	HT_EXPECT_EQ(kmem_error_count(), 0);
	teardown();
}

/* ---- failures ---------------------------------------------------------------------------------
 */

HT_TEST(failures_and_nofail_panic)
{
	static const struct kmem_owner_ops ops = { ht_owner_charge, NULL };
	struct mm_error err;
	char expect[200], why[160];
	jmp_buf jb;
	void *p, *held[64];
	unsigned n = 0;

	HT_ASSERT(setup());
	/* OOM: nothing more from the provider. */
	hp.limit_pages = hp.pages_out;
	memset(&err, 0, sizeof(err));
	HT_EXPECT(kmalloc_err(100000, KM_NORMAL, &err) == NULL);
	HT_EXPECT_EQ(err.kind, MM_OUT_OF_MEMORY);
	HT_EXPECT_EQ(err.requested, 128 * 1024);
	memset(&err, 0, sizeof(err));
	while (n < ARRAY_SIZE(held) && (p = kmalloc_err(64, KM_NORMAL, &err)) != NULL)
		held[n++] = p; /* no slab yet for kmalloc-64: the first one fails */
	HT_EXPECT_EQ(n, 0);
	HT_EXPECT_EQ(err.kind, MM_OUT_OF_MEMORY);
	HT_EXPECT_EQ(err.requested, KMEM_SLAB_SIZE);
	HT_EXPECT(memcmp(kmem_last_error(), &err, sizeof(err)) == 0);

	ht_panic_jmp = &jb;
	if (setjmp(jb) == 0) {
		kmalloc_track_caller(40, 0, KM_NOFAIL, NULL, CALLER_A);
		HT_EXPECT(!"no panic");
	}
	ht_panic_jmp = NULL;
	mm_error_format(kmem_last_error(), why, sizeof(why));
	ksnprintf(expect, sizeof(expect), "out of memory: kmalloc-64 of 64 bytes by %pS: %s",
	          (void *)CALLER_A, why);
	HT_EXPECT(strcmp(ht_panic_msg, expect) == 0);
	if (strcmp(ht_panic_msg, expect))
		printf("# panic was: %s\n# expected:  %s\n", ht_panic_msg, expect);
	hp.limit_pages = 0;

	/* The owner's limit. */
	kmem_set_owner_ops(&ops);
	ht_limit[2] = 1000;
	kmem_set_current_owner(2);
	p = kmalloc(512, KM_NORMAL);
	HT_EXPECT(p != NULL);
	memset(&err, 0, sizeof(err));
	HT_EXPECT(kmalloc_err(512, KM_NORMAL, &err) == NULL);
	HT_EXPECT_EQ(err.kind, MM_EXCEEDS_LIMIT);
	HT_EXPECT_EQ(err.limit, 1000);
	HT_EXPECT_EQ(err.current, 512);
	mm_error_format(&err, why, sizeof(why));
	HT_EXPECT(strcmp(why, "exceeds task limit: requested 512, limit 1000, current 512") == 0);
	/* KM_KERNEL is charged to the kernel, not the running task. */
	held[0] = kmalloc(512, KM_KERNEL);
	HT_EXPECT(held[0] != NULL);
	kmem_set_current_owner(0);
	HT_EXPECT_EQ(ht_charged[2], 512);
	kfree(p);
	kfree(held[0]);
	HT_EXPECT_EQ(ht_charged[2], 0);
	teardown();
}

HT_TEST(kmalloc_before_init_fails_cleanly)
{
	struct slab_page_ops ops;
	struct mm_error err = { 0 };

	HT_ASSERT(host_pages_init(&hp, 8 * MiB) == 0);
	ops = host_pages_ops(&hp);
	HT_ASSERT(slab_init(&ops, 1) == 0);
	HT_EXPECT(kmalloc(32, KM_NORMAL) == NULL);
	HT_EXPECT(kmalloc_err(32, KM_NORMAL, &err) == NULL);
	HT_EXPECT_EQ(err.kind, MM_INVALID_ARGUMENT);
	HT_EXPECT(kmalloc_cache_for(32) == NULL);
	kfree(NULL);
	HT_EXPECT_EQ(slab_exit(), 0);
	host_pages_fini(&hp);
}

/* ---- bad frees, owners ------------------------------------------------------------------------
 */

HT_TEST(bad_kfree_reported_exactly)
{
	unsigned long errors;
	int on_stack;
	char *p;

	HT_ASSERT(setup());
	errors = kmem_error_count();
	kfree(NULL); /* no-op */
	HT_EXPECT_EQ(kmem_error_count(), errors);
	p = kmalloc(64, KM_NORMAL);
	kfree(p);
	kfree_track_caller(p, CALLER_B); /* on top of the magazine */
	HT_EXPECT(
	    ht_log_has("slab: kmalloc-64: double free of object %p by %pS\n", p, (void *)CALLER_B));
	kfree(p); /* the inline path catches it as well */
	HT_EXPECT_EQ(kmem_error_count(), errors + 2);
	kfree_track_caller(&on_stack, CALLER_A);
	HT_EXPECT(ht_log_has("slab: free of %p, which is not an allocated object, by %pS\n",
	                     (void *)&on_stack, (void *)CALLER_A));
	p = kmalloc(100, KM_NORMAL);
	kfree_track_caller(p + 4, CALLER_A);
	HT_EXPECT(ht_log_has("slab: kmalloc-128: free of %p, which is not the start of an object, "
	                     "by %pS\n",
	                     (void *)(p + 4), (void *)CALLER_A));
	HT_EXPECT_EQ(kmem_error_count(), errors + 4);
	HT_EXPECT_EQ(kmalloc_size(p + 4), 0);
	HT_EXPECT_EQ(kmalloc_size(&on_stack), 0);
	HT_EXPECT_EQ(kmalloc_size(NULL), 0);
	kfree(p);
	HT_EXPECT_EQ(kmem_check_all(), 0);
	teardown();
}

HT_TEST(owner_charging_through_kmalloc)
{
	static const struct kmem_owner_ops ops = { ht_owner_charge, NULL };
	void *small[10], *big;

	HT_ASSERT(setup());
	ht_owners_reset();
	kmem_set_owner_ops(&ops);
	kmem_set_current_owner(1);
	for (unsigned i = 0; i < 10; i++)
		small[i] = kmalloc(100, KM_NORMAL); /* kmalloc-128: charged 128 each */
	big = kmalloc(10000, KM_NORMAL);            /* 16 KiB block */
	kmem_set_current_owner(0);
	HT_EXPECT_EQ(ht_charged[1], 10 * 128 + 16384);
	HT_EXPECT_EQ(kmem_owner_usage(1), 10 * 128 + 16384);
	for (unsigned i = 0; i < 10; i++)
		kfree(small[i]);
	kfree(big);
	HT_EXPECT_EQ(ht_charged[1], 0);
	HT_EXPECT_EQ(kmem_owner_usage(1), 0);
	teardown();
}

/* ---- debug mode through kmalloc
 * ------------------------------------------------------------------ */

HT_TEST(debug_kmalloc_red_zone_between_request_and_class)
{
	unsigned long errors;
	uint8_t *p, *q;
	struct kmem_leak tab[4];

	HT_ASSERT(setup_mode(true));
	p = kmalloc_track_caller(20, 0, KM_NORMAL, NULL, CALLER_A);
	HT_ASSERT(p != NULL);
	HT_EXPECT(strcmp(kmem_cache_of(p)->name, "kmalloc-32") == 0);
	HT_EXPECT_EQ(kmalloc_size(p), 20); /* debug: exactly what was asked */
	HT_EXPECT_EQ(p[20], KMEM_RED_BYTE);
	p[20] = 0; /* past the 20 bytes, inside the 32-byte object */
	errors = kmem_error_count();
	kfree_track_caller(p, CALLER_B);
	HT_EXPECT(ht_log_has("slab: kmalloc-32: red zone overwritten at offset 20 of object %p "
	                     "(size 20); allocated by %pS, freed by %pS\n",
	                     p, (void *)CALLER_A, (void *)CALLER_B));
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);

	/* krealloc in place moves the red zone with the size. */
	p = kmalloc_track_caller(20, 0, KM_NORMAL, NULL, CALLER_A);
	q = krealloc(p, 30, KM_NORMAL);
	HT_EXPECT(q == p);
	HT_EXPECT_EQ(kmalloc_size(q), 30);
	memset(q, 1, 30);
	q = krealloc(q, 5, KM_NORMAL);
	HT_EXPECT_EQ(kmalloc_size(q), 5);
	HT_EXPECT_EQ(q[5], KMEM_RED_BYTE);

	/* The leak scan sees kmalloc callers in debug mode. */
	p = kmalloc_track_caller(100, 0, KM_NORMAL, NULL, CALLER_B);
	HT_EXPECT_EQ(kmem_leak_scan(tab, ARRAY_SIZE(tab), NULL), 2);
	HT_EXPECT_EQ(tab[0].caller, CALLER_B);
	HT_EXPECT_EQ(tab[0].bytes, 128);
	HT_EXPECT_EQ(tab[1].caller, CALLER_A);
	kfree(p);
	kfree(q);
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	HT_EXPECT_EQ(kmem_check_all(), 0);
	teardown();
}

HT_TEST(debug_kmalloc_double_free_and_uaf)
{
	unsigned long errors;
	uint8_t *p, *q;

	HT_ASSERT(setup_mode(true));
	p = kmalloc_track_caller(64, 0, KM_NORMAL, NULL, CALLER_A);
	kfree_track_caller(p, CALLER_B);
	errors = kmem_error_count();
	kfree_track_caller(p, CALLER_A);
	HT_EXPECT(ht_log_has("slab: kmalloc-64: double free of object %p by %pS; allocated by %pS, "
	                     "freed by %pS\n",
	                     p, (void *)CALLER_A, (void *)CALLER_A, (void *)CALLER_B));
	p[63] = 0; /* write after free: the poison's last byte */
	q = kmalloc_track_caller(64, 0, KM_NORMAL, NULL, CALLER_B);
	HT_EXPECT(q == p);
	HT_EXPECT(ht_log_has("slab: kmalloc-64: use after free: object %p modified at offset 63; "
	                     "allocated by %pS, freed by %pS\n",
	                     p, (void *)CALLER_A, (void *)CALLER_B));
	HT_EXPECT_EQ(kmem_error_count(), errors + 2);
	kfree(q);
	teardown();
}

/* ---- randomized stress
 * ----------------------------------------------------------------------------- */

static uint64_t rs;

static uint32_t rnd(void)
{
	return (uint32_t)(ht_xorshift64(&rs) >> 16);
}

HT_TEST(kmalloc_stress)
{
	enum { LIVE = 2000, OPS = 300000 };
	static uint8_t *ptr[LIVE];
	static uint32_t len[LIVE];
	bool ok = true;
	int problems = 0;
	unsigned long errors = kmem_error_count();

	HT_ASSERT(setup());
	rs = 12345;
	for (uint32_t op = 0; op < OPS; op++) {
		uint32_t r = rnd(), k = rnd() % LIVE;

		if (ptr[k]) {
			ok &= (len[k] == 1 || ptr[k][0] == (uint8_t)len[k]) &&
			      ptr[k][len[k] - 1] == (uint8_t)k;
			if (r % 3 == 0) {
				uint32_t n = 1 + rnd() % 6000;
				uint8_t *q = krealloc(ptr[k], n, KM_NORMAL);

				if (!q) {
					problems++;
					continue;
				}
				ptr[k] = q;
				len[k] = n;
				memset(q, (uint8_t)n, n);
				q[n - 1] = (uint8_t)k;
			} else {
				kfree(ptr[k]);
				ptr[k] = NULL;
			}
		} else {
			uint32_t n = (r & 7) ? 1 + rnd() % 512 : 1 + rnd() % 20000;
			uint8_t *p = (r & 8) ? kmalloc(n, KM_NORMAL)
			                     : kmalloc_aligned(n, (size_t)1 << (rnd() % 13), 0);

			if (!p) {
				problems++;
				continue;
			}
			ok &= kmalloc_size(p) >= n;
			memset(p, (uint8_t)n, n);
			p[n - 1] = (uint8_t)k;
			ptr[k] = p;
			len[k] = n;
		}
		if (op % 1000 == 0)
			problems += kmem_check_all();
		if (op % 100000 == 0)
			kmem_shrink_all();
	}
	for (unsigned k = 0; k < LIVE; k++)
		kfree(ptr[k]);
	HT_EXPECT(ok);
	HT_EXPECT_EQ(problems, 0);
	HT_EXPECT_EQ(kmem_error_count(), errors);
	HT_EXPECT_EQ(kmem_check_all(), 0);
	teardown();
}
