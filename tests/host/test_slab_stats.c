/*
 * Host tests for the slab layer, second half: slabinfo and leak reports, large objects,
 * magazines and depot, a randomized million-operation stress with the invariant checker, and
 * the shrink hook inside the page provider. Harness: slab_harness.h.
 */
#include "slab_harness.h"

/* ---- statistics ------------------------------------------------------------------------------ */

static char info_lines[64][200];
static unsigned info_n;

static void grab_line(const char *line, void *ctx)
{
	(void)ctx;
	if (info_n < ARRAY_SIZE(info_lines))
		snprintf(info_lines[info_n++], sizeof(info_lines[0]), "%s", line);
}

HT_TEST(slabinfo_format)
{
	struct kmem_cache *c;
	struct kmem_cache_info ci;
	void *objs[100];
	char want[200];
	bool found = false;

	HT_ASSERT(setup());
	c = kmem_cache_create("info-test", 200, 0, NULL, 0);
	HT_ASSERT(c != NULL);
	for (unsigned i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(c, KM_NORMAL);
	for (unsigned i = 0; i < 40; i++)
		kmem_cache_free(c, objs[i]);
	info_n = 0;
	kmem_slabinfo(grab_line, NULL);
	HT_ASSERT(info_n >= 5); /* 2 header lines, kmem_cache, kmem_magazine, info-test */
	HT_EXPECT(strcmp(info_lines[0], "slabinfo - version: 2.1") == 0);
	HT_EXPECT(strcmp(info_lines[1],
	                 "# name            <active_objs> <num_objs> <objsize> "
	                 "<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
	                 "<sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>") ==
	          0);
	ci = info_of(c);
	HT_EXPECT_EQ(ci.active_objs, 60);
	snprintf(want, sizeof(want),
	         "%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu",
	         "info-test", 60ul, (unsigned long)ci.nr_slabs * ci.objs_per_slab, ci.stride,
	         ci.objs_per_slab, 8u, ci.magsize, ci.magsize, ci.depot_max,
	         (unsigned long)(ci.nr_full + ci.nr_partial), (unsigned long)ci.nr_slabs, 0ul);
	for (unsigned i = 2; i < info_n; i++)
		found |= strcmp(info_lines[i], want) == 0;
	HT_EXPECT(found);
	if (!found)
		printf("# wanted: %s\n", want);
	HT_EXPECT(strncmp(info_lines[2], "kmem_cache ", 11) == 0);
	/* meminfo's Slab: every slab page, the allocator's own included. */
	HT_EXPECT_EQ(kmem_slab_bytes(), hp.pages_out * PAGE_SIZE);
	for (unsigned i = 40; i < 100; i++)
		kmem_cache_free(c, objs[i]);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

HT_TEST(leak_scan_groups_by_caller)
{
	struct kmem_cache *c, *plain;
	struct kmem_leak tab[4], small[1];
	void *a[3], *b, *big, *p;
	size_t n, missed;

	HT_ASSERT(setup());
	c = kmem_cache_create("leaky", 128, 0, NULL, KMEM_DEBUG);
	plain = kmem_cache_create("plain", 128, 0, NULL, 0);
	HT_ASSERT(c && plain);
	for (unsigned i = 0; i < 3; i++)
		a[i] = kmem_cache_alloc_track_caller(c, KM_NORMAL, NULL, CALLER_A);
	b = kmem_cache_alloc_track_caller(c, KM_NORMAL, NULL, CALLER_B);
	big = kmem_large_alloc(5000, 0, KM_NORMAL, NULL, CALLER_C); /* 8 KiB block */
	p = kmem_cache_alloc(plain, KM_NORMAL);                     /* not tracked: no debug */
	n = kmem_leak_scan(tab, ARRAY_SIZE(tab), &missed);
	HT_ASSERT_EQ(n, 3);
	HT_EXPECT_EQ(missed, 0);
	HT_EXPECT_EQ(tab[0].caller, CALLER_C);
	HT_EXPECT_EQ(tab[0].count, 1);
	HT_EXPECT_EQ(tab[0].bytes, 8192);
	HT_EXPECT_EQ(tab[1].caller, CALLER_A);
	HT_EXPECT_EQ(tab[1].count, 3);
	HT_EXPECT_EQ(tab[1].bytes, 3 * 128);
	HT_EXPECT_EQ(tab[2].caller, CALLER_B);
	HT_EXPECT_EQ(tab[2].count, 1);
	n = kmem_leak_scan(small, 1, &missed);
	HT_EXPECT_EQ(n, 1);
	HT_EXPECT_EQ(missed, 2);
	kmem_cache_free(c, a[1]);
	n = kmem_leak_scan(tab, ARRAY_SIZE(tab), NULL);
	HT_EXPECT_EQ(tab[1].count, 2);
	kmem_cache_free(c, a[0]);
	kmem_cache_free(c, a[2]);
	kmem_cache_free(c, b);
	kmem_free(NULL, big, CALLER_C);
	kmem_cache_free(plain, p);
	HT_EXPECT_EQ(kmem_leak_scan(tab, ARRAY_SIZE(tab), NULL), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(plain), 0);
	teardown();
}

HT_TEST(large_objects)
{
	static const size_t lsizes[] = { 1, 100, 4032, 4033, 8000, 65536, 1000000 };
	static const size_t laligns[] = { 0, 16, 64, 128, 4096, 8192, 65536 };
	size_t before;

	HT_ASSERT(setup());
	before = hp.pages_out;
	for (unsigned i = 0; i < ARRAY_SIZE(lsizes); i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(laligns); j++) {
			size_t sz = lsizes[i], al = laligns[j];
			uint8_t *p = kmem_large_alloc(sz, al, KM_ZERO, NULL, CALLER_A);
			struct kmem_large *h;
			bool zero = true;

			HT_ASSERT(p != NULL);
			HT_EXPECT((uintptr_t)p % MAX(al, (size_t)16) == 0);
			h = kmem_large_of(p);
			HT_ASSERT(h != NULL);
			HT_EXPECT_EQ(h->size, sz);
			HT_EXPECT(kmem_object_size(p) >= sz);
			HT_EXPECT((uintptr_t)p + kmem_object_size(p) ==
			          (uintptr_t)h->block + ((size_t)PAGE_SIZE << h->order));
			for (size_t b = 0; b < sz; b++)
				zero &= p[b] == 0;
			HT_EXPECT(zero);
			memset(p, 0xee, kmem_object_size(p));
			HT_EXPECT_EQ(kmem_large_bytes(), (size_t)PAGE_SIZE << h->order);
			HT_EXPECT_EQ(kmem_check_all(), 0);
			HT_EXPECT_EQ(kmem_large_free(p, CALLER_B), 0);
			HT_EXPECT_EQ(kmem_large_bytes(), 0);
			HT_EXPECT_EQ(hp.pages_out, before);
		}
	}
	{
		struct mm_error err = { 0 };

		HT_EXPECT(kmem_large_alloc(100, 48, KM_NORMAL, &err, CALLER_A) == NULL);
		HT_EXPECT_EQ(err.kind, MM_INVALID_ARGUMENT);
		HT_EXPECT(kmem_large_alloc((size_t)1 << 29, 0, KM_NORMAL, &err, CALLER_A) == NULL);
		HT_EXPECT_EQ(err.kind, MM_OUT_OF_MEMORY);
	}
	teardown();
}

HT_TEST(magazines_and_depot)
{
	struct kmem_cache *c;
	struct kmem_cache_info ci;
	static void *objs[2000];

	HT_ASSERT(setup());
	c = kmem_cache_create("mag", 64, 0, NULL, 0);
	HT_ASSERT(c != NULL);
	ci = info_of(c);
	HT_EXPECT_EQ(ci.magsize, KMEM_MAG_MAX);
	HT_EXPECT_EQ(ci.depot_max, 8);
	for (unsigned i = 0; i < 2000; i++)
		objs[i] = kmem_cache_alloc(c, KM_NORMAL);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	for (unsigned i = 0; i < 2000; i++)
		kmem_cache_free(c, objs[i]);
	ci = info_of(c);
	/* The CPU's magazines and the depot are full (up to the loaded one), the rest went back
	 * to the slabs. */
	HT_EXPECT_EQ(ci.depot_full, ci.depot_max);
	HT_EXPECT_EQ(c->cpu[0].previous->rounds, ci.magsize);
	HT_EXPECT_EQ(ci.cached_objs, (1 + ci.depot_max) * ci.magsize + c->cpu[0].loaded->rounds);
	HT_EXPECT(ci.flushes > 0);
	HT_EXPECT_EQ(ci.active_objs, 0);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	/* Allocating again empties both CPU magazines, then takes one full one from the depot. */
	{
		unsigned n = c->cpu[0].loaded->rounds + c->cpu[0].previous->rounds + 1;
		unsigned long refills = ci.refills;

		for (unsigned i = 0; i < n; i++)
			objs[i] = kmem_cache_alloc(c, KM_NORMAL);
		ci = info_of(c);
		HT_EXPECT_EQ(ci.depot_full, ci.depot_max - 1);
		HT_EXPECT_EQ(ci.depot_empty, 1);
		HT_EXPECT_EQ(ci.refills, refills); /* no slab touched */
		HT_EXPECT_EQ(kmem_cache_check(c), 0);
		for (unsigned i = 0; i < n; i++)
			kmem_cache_free(c, objs[i]);
	}
	HT_EXPECT(kmem_cache_shrink(c) > 0);
	ci = info_of(c);
	HT_EXPECT_EQ(ci.depot_full + ci.depot_empty + ci.cached_objs + ci.nr_slabs, 0);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

/* ---- randomized stress with the invariant checker -------------------------------------------- */

#define STRESS_OPS      1000000u
#define STRESS_EVERY_OP 10000u /* check after every op for the first ones */
#define STRESS_PERIOD   1000u
#define STRESS_LIVE     3000u
#define STRESS_CACHES   5

struct live_obj {
	uint8_t *p;
	uint8_t cache;
	uint8_t owner;
	uint8_t tag;
};

static uint64_t rng_state;

static uint32_t rnd(void)
{
	return (uint32_t)(ht_xorshift64(&rng_state) >> 16);
}

static void stress_ctor(void *p)
{
	memset(p, 0x5c, 8);
}

HT_TEST(stress_one_million_ops)
{
	static const struct {
		size_t size, align;
		unsigned flags;
		bool ctor;
	} spec[STRESS_CACHES] = {
		{ 16, 0, 0, false },
		{ 96, 32, 0, false },
		{ 700, 0, 0, true },
		{ 40, 0, KMEM_DEBUG, false },
		{ 2048, 2048, KMEM_NO_MAGAZINE, false },
	};
	struct kmem_cache *caches[STRESS_CACHES];
	static struct live_obj live[STRESS_LIVE];
	size_t nlive = 0, checks = 0, refused = 0;
	int64_t expect[HT_OWNERS] = { 0 };
	unsigned long errors;
	bool contents_ok = true;
	int problems = 0;

	HT_ASSERT(setup());
	owners_reset();
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (unsigned i = 0; i < STRESS_CACHES; i++) {
		caches[i] = kmem_cache_create("stress", spec[i].size, spec[i].align,
		                              spec[i].ctor ? stress_ctor : NULL, spec[i].flags);
		HT_ASSERT(caches[i] != NULL);
	}
	ht_limit[3] = 64 * 1024; /* owner 3 runs into its limit now and then */
	errors = kmem_error_count();
	for (uint32_t op = 0; op < STRESS_OPS; op++) {
		uint32_t r = rnd();
		bool do_alloc = nlive == 0 || (nlive < STRESS_LIVE && (r % 100) < 52);

		if (r % 5000 == 1)
			kmem_shrink_all();
		if (do_alloc) {
			unsigned ci = rnd() % STRESS_CACHES;
			unsigned owner = rnd() % 4;
			struct kmem_cache *c = caches[ci];
			uint8_t *p;

			kmem_set_current_owner(owner);
			p = kmem_cache_alloc(c, (r & 0x100) ? KM_ZERO : KM_NORMAL);
			kmem_set_current_owner(0);
			if (!p) {
				if (owner != 3 || kmem_last_error()->kind != MM_EXCEEDS_LIMIT)
					problems++;
				refused++;
				goto check;
			}
			if (spec[ci].ctor && !(r & 0x100))
				contents_ok &= p[0] == 0x5c && p[7] == 0x5c;
			live[nlive].p = p;
			live[nlive].cache = (uint8_t)ci;
			live[nlive].owner = (uint8_t)owner;
			live[nlive].tag = (uint8_t)r;
			memset(p, (uint8_t)r, spec[ci].size);
			if (spec[ci].ctor)
				memset(p, 0x5c, 8);
			expect[owner] += (int64_t)spec[ci].size;
			nlive++;
		} else {
			size_t k = rnd() % nlive;
			struct live_obj o = live[k];
			size_t sz = spec[o.cache].size;
			size_t from = spec[o.cache].ctor ? 8 : 0;

			contents_ok &=
			    o.p[from] == o.tag && o.p[sz - 1] == o.tag && o.p[sz / 2] == o.tag;
			if (spec[o.cache].ctor)
				memset(o.p, 0x5c, 8); /* free in the constructed state */
			kmem_cache_free(caches[o.cache], o.p);
			expect[o.owner] -= (int64_t)sz;
			live[k] = live[--nlive];
		}
	check:
		if (op < STRESS_EVERY_OP || op % STRESS_PERIOD == 0) {
			problems += kmem_check_all();
			checks++;
			if (op % 50000 == 0) {
				for (unsigned o = 1; o < HT_OWNERS; o++) {
					problems += ht_charged[o] != expect[o];
					problems += kmem_owner_usage(o) != (size_t)expect[o];
				}
				problems += kmem_owner_usage(0) != (size_t)expect[0];
			}
		}
		if (problems)
			break;
	}
	HT_EXPECT_EQ(problems, 0);
	HT_EXPECT(contents_ok);
	HT_EXPECT(checks >= STRESS_EVERY_OP + STRESS_OPS / STRESS_PERIOD - 10);
	HT_EXPECT(refused > 0); /* the limit was exercised */
	printf("# stress: %zu checks, %zu allocations refused by the owner limit\n", checks,
	       refused);
	for (unsigned o = 1; o < HT_OWNERS; o++) {
		HT_EXPECT_EQ(ht_charged[o], expect[o]);
		HT_EXPECT_EQ(kmem_owner_usage(o), (size_t)expect[o]);
	}
	HT_EXPECT_EQ(kmem_owner_usage(0), (size_t)expect[0]);
	HT_EXPECT_EQ(kmem_check_all(), 0);
	HT_EXPECT_EQ(kmem_error_count(), errors);
	while (nlive) {
		nlive--;
		if (spec[live[nlive].cache].ctor)
			memset(live[nlive].p, 0x5c, 8);
		kmem_cache_free(caches[live[nlive].cache], live[nlive].p);
	}
	for (unsigned o = 0; o < HT_OWNERS; o++)
		HT_EXPECT_EQ(ht_charged[o], 0);
	HT_EXPECT_EQ(kmem_check_all(), 0);
	for (unsigned i = 0; i < STRESS_CACHES; i++)
		HT_EXPECT_EQ(kmem_cache_destroy(caches[i]), 0);
	teardown();
}

/* ---- the shrink hook running inside the page provider ------------------------------------------
 */

static unsigned reentries;

/* A provider that runs the pressure hook on every allocation, as the buddy allocator may. */
static void *shrinking_alloc_pages(unsigned order, uint32_t flags, struct mm_error *err, void *ctx)
{
	static bool busy;

	if (!busy) {
		busy = true;
		kmem_shrink_all();
		reentries++;
		busy = false;
	}
	return host_alloc_pages(order, flags, err, ctx);
}

HT_TEST(shrink_hook_inside_the_provider)
{
	struct slab_page_ops ops;
	struct kmem_cache *c[3];
	static void *held[3][600];
	int problems = 0;

	slab_set_debug(false);
	HT_ASSERT(host_pages_init(&hp, 64 * MiB) == 0);
	ops = host_pages_ops(&hp);
	ops.alloc_pages = shrinking_alloc_pages;
	HT_ASSERT(slab_init(&ops, 5) == 0);
	c[0] = kmem_cache_create("re-64", 64, 0, NULL, 0);
	c[1] = kmem_cache_create("re-1k", 1024, 0, NULL, 0);
	c[2] = kmem_cache_create("re-dbg", 200, 0, NULL, KMEM_DEBUG);
	HT_ASSERT(c[0] && c[1] && c[2]);
	rng_state = 77;
	for (unsigned op = 0; op < 200000; op++) {
		/* Phases of mostly-allocate and mostly-free make slabs come and go. */
		bool fill = (op / 5000) % 2 == 0, want = rnd() % 10 < (fill ? 9u : 1u);
		unsigned k = rnd() % 3, i = rnd() % 600;

		if (held[k][i] && want)
			continue;
		if (held[k][i]) {
			kmem_cache_free(c[k], held[k][i]);
			held[k][i] = NULL;
		} else if (want) {
			held[k][i] = kmem_cache_alloc(c[k], KM_NORMAL);
			problems += held[k][i] == NULL;
		}
		if (op % 997 == 0)
			problems += kmem_check_all();
	}
	printf("# provider ran the shrink hook %u times\n", reentries);
	HT_EXPECT(reentries > 20);
	HT_EXPECT_EQ(problems, 0);
	for (unsigned k = 0; k < 3; k++) {
		for (unsigned i = 0; i < 600; i++)
			kmem_cache_free(c[k], held[k][i]);
		HT_EXPECT_EQ(kmem_cache_destroy(c[k]), 0);
	}
	teardown();
}
