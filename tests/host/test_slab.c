/*
 * Host tests for the slab layer (mm/slab*.c) on the host page provider (tests/host/host_pages.h):
 * geometry for every size and alignment, constructors, destroy with live objects, shrink under
 * pressure, OOM and owner limits, owner accounting, each debug report checked exactly (with exact
 * error counts, as Linux's slub_kunit does), slabinfo, the leak scan, and a randomized
 * 10^6-operation stress run with the invariant checker.
 */
#include "htest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_pages.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "mm/slab.h"

#define MiB (1024u * 1024u)

/* Fake callers: reports print them with %pS (host: "0x%08x"). */
#define CALLER_A ((uintptr_t)0xc0101234u)
#define CALLER_B ((uintptr_t)0xc0105678u)
#define CALLER_C ((uintptr_t)0xc010abcdu)

/* ---- harness ------------------------------------------------------------------------------ */

static struct host_pages hp;
static size_t base_pages; /* provider pages held right after slab_init */

static bool setup(void)
{
	struct slab_page_ops ops;

	slab_set_debug(false);
	kmem_set_owner_ops(NULL);
	kmem_set_current_owner(0);
	if (host_pages_init(&hp, 64 * MiB) != 0)
		return false;
	ops = host_pages_ops(&hp);
	if (slab_init(&ops, 42) != 0)
		return false;
	base_pages = hp.pages_out;
	ht_log_clear();
	return true;
}

/* Stop the slab layer; every page must be back with the provider. */
static void teardown(void)
{
	HT_EXPECT_EQ(kmem_check_all(), 0);
	HT_EXPECT_EQ(slab_exit(), 0);
	HT_EXPECT_EQ(hp.pages_out, 0);
	host_pages_fini(&hp);
	slab_set_debug(false);
	kmem_set_owner_ops(NULL);
	kmem_set_current_owner(0);
}

/* True if the log holds the line formatted like the kernel formats it (%p, %pS). */
static struct kmem_cache_info info_of(struct kmem_cache *c)
{
	struct kmem_cache_info i;

	kmem_cache_get_info(c, &i);
	return i;
}

/* ---- geometry ----------------------------------------------------------------------------- */

static const size_t sizes[] = { 1,   7,    8,    9,    15,   16,   24,   31,   32,  33,  48,
	                        63,  64,   65,   100,  127,  128,  200,  255,  256, 300, 511,
	                        512, 1000, 1024, 2000, 2048, 3000, 4096, 5000, 8192 };
static const size_t aligns[] = { 0, 8, 16, 32, 64, 128, 256, 4096 };

/* Allocate 2.5 slabs' worth, check placement and that objects do not overlap, free all. */
static void exercise_geometry(size_t size, size_t align, unsigned flags)
{
	struct kmem_cache *c = kmem_cache_create("geo", size, align, NULL, flags);
	struct kmem_cache_info ci;
	size_t want_align = MAX(align, sizeof(void *));
	unsigned n;
	uint8_t **objs;

	HT_ASSERT(c != NULL);
	ci = info_of(c);
	HT_EXPECT(ci.objs_per_slab >= 1);
	HT_EXPECT(ci.stride >= size);
	n = ci.objs_per_slab * 5 / 2 + 1;
	objs = calloc(n, sizeof(*objs));
	for (unsigned i = 0; i < n; i++) {
		uintptr_t a, s;

		objs[i] = kmem_cache_alloc(c, KM_NORMAL);
		HT_ASSERT(objs[i] != NULL);
		a = (uintptr_t)objs[i];
		s = a & ~KMEM_SLAB_MASK;
		HT_EXPECT(a % want_align == 0);
		HT_EXPECT(kmem_cache_of(objs[i]) == c);
		HT_EXPECT(a >= s + sizeof(struct slab) +
		                   ci.objs_per_slab * sizeof(((struct slab *)0)->owners[0]));
		HT_EXPECT(a + size <= s + KMEM_SLAB_SIZE);
		HT_EXPECT(kmem_object_size(objs[i]) == size);
		memset(objs[i], (int)(i & 0xff), size);
	}
	for (unsigned i = 0; i < n; i++) {
		bool same = true;

		for (size_t b = 0; b < size; b++)
			same &= objs[i][b] == (uint8_t)(i & 0xff);
		HT_EXPECT(same);
	}
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	for (unsigned i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	HT_EXPECT_EQ(info_of(c).active_objs, 0);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	free(objs);
}

HT_TEST(every_size_and_alignment)
{
	HT_ASSERT(setup());
	for (unsigned d = 0; d < 2; d++)
		for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
			for (unsigned j = 0; j < ARRAY_SIZE(aligns); j++)
				exercise_geometry(sizes[i], aligns[j], d ? KMEM_DEBUG : 0);
	HT_EXPECT_EQ(kmem_error_count(), 0); /* the first test: nothing reported before */
	teardown();
}

HT_TEST(bad_arguments_rejected)
{
	HT_ASSERT(setup());
	HT_EXPECT(kmem_cache_create("zero", 0, 0, NULL, 0) == NULL);
	HT_EXPECT(ht_log_contains("slab: kmem_cache_create(zero): object size 0 not in 1..8192\n"));
	HT_EXPECT(kmem_cache_create("huge", KMEM_MAX_OBJECT_SIZE + 1, 0, NULL, 0) == NULL);
	HT_EXPECT(
	    ht_log_contains("slab: kmem_cache_create(huge): object size 8193 not in 1..8192\n"));
	HT_EXPECT(kmem_cache_create("odd", 32, 3, NULL, 0) == NULL);
	HT_EXPECT(ht_log_contains(
	    "slab: kmem_cache_create(odd): alignment 3 is not a power of two <= 4096\n"));
	HT_EXPECT(kmem_cache_create("big", 32, 8192, NULL, 0) == NULL);
	HT_EXPECT(kmem_cache_create(NULL, 32, 0, NULL, 0) == NULL);
	HT_EXPECT_EQ(kmem_cache_destroy(NULL), 0);
	HT_EXPECT_EQ(kmem_set_current_owner(KMEM_OWNER_MAX + 1), -EINVAL);
	teardown();
}

HT_TEST(coloring_shifts_slabs)
{
	struct kmem_cache *c;
	uintptr_t first[4];
	void *held[4][400];
	unsigned per;

	HT_ASSERT(setup());
	c = kmem_cache_create("color", 100, 8, NULL, KMEM_NO_MAGAZINE);
	HT_ASSERT(c != NULL);
	per = info_of(c).objs_per_slab;
	HT_ASSERT(per <= 400);
	for (unsigned s = 0; s < 4; s++) {
		for (unsigned i = 0; i < per; i++)
			held[s][i] = kmem_cache_alloc(c, KM_NORMAL);
		first[s] = (uintptr_t)held[s][0] & KMEM_SLAB_MASK;
	}
	/* Each new slab shifts object 0 by one more 64-byte color, cycling through the leftover. */
	HT_EXPECT(c->color_max >= 64);
	HT_EXPECT_EQ(c->color_step, 64);
	for (unsigned s = 0; s < 4; s++)
		HT_EXPECT_EQ(first[s], c->first_off + (s * 64) % (c->color_max + 64));
	for (unsigned s = 0; s < 4; s++)
		for (unsigned i = 0; i < per; i++)
			kmem_cache_free(c, held[s][i]);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

/* ---- constructors --------------------------------------------------------------------------- */

struct ctor_obj {
	uint32_t magic;
	uint32_t uses;
	char pad[40];
};

static unsigned ctor_calls;

static void ctor_fn(void *p)
{
	struct ctor_obj *o = p;

	ctor_calls++;
	o->magic = 0xC0FFEE;
	o->uses = 0;
}

static void ctor_run(unsigned flags)
{
	struct kmem_cache *c =
	    kmem_cache_create("ctor", sizeof(struct ctor_obj), 0, ctor_fn, flags);
	struct ctor_obj *o[100];
	unsigned per;
	bool all = true;

	HT_ASSERT(c != NULL);
	ctor_calls = 0;
	per = info_of(c).objs_per_slab;
	for (unsigned i = 0; i < 100; i++) {
		o[i] = kmem_cache_alloc(c, KM_NORMAL);
		HT_ASSERT(o[i] != NULL);
		all &= o[i]->magic == 0xC0FFEE;
		o[i]->uses++;
	}
	HT_EXPECT(all);
	/* Constructed once per object, when its slab was carved. */
	HT_EXPECT_EQ(ctor_calls, per * ((100 + per - 1) / per));
	for (unsigned i = 0; i < 100; i++)
		kmem_cache_free(c, o[i]);
	for (unsigned i = 0; i < 100; i++) {
		o[i] = kmem_cache_alloc(c, KM_NORMAL);
		HT_ASSERT(o[i] != NULL);
		all &= o[i]->magic == 0xC0FFEE && o[i]->uses == 1; /* state kept while free */
	}
	HT_EXPECT(all);
	HT_EXPECT_EQ(ctor_calls, per * ((100 + per - 1) / per));
	for (unsigned i = 0; i < 100; i++)
		kmem_cache_free(c, o[i]);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
}

HT_TEST(constructor_runs_once_per_object)
{
	unsigned long errors = kmem_error_count();

	HT_ASSERT(setup());
	ctor_run(0);
	ctor_run(KMEM_NO_MAGAZINE);
	ctor_run(KMEM_DEBUG); /* debug: red zones, no poison (it would destroy the state) */
	HT_EXPECT_EQ(kmem_error_count(), errors);
	teardown();
}

/* ---- destroy, shrink, OOM ------------------------------------------------------------------- */

HT_TEST(destroy_with_live_objects_is_reported)
{
	struct kmem_cache *c, *d;
	void *a, *b, *x, *y;
	unsigned long errors;

	HT_ASSERT(setup());
	c = kmem_cache_create("busy", 48, 0, NULL, 0);
	HT_ASSERT(c != NULL);
	a = kmem_cache_alloc(c, KM_NORMAL);
	b = kmem_cache_alloc(c, KM_NORMAL);
	errors = kmem_error_count();
	HT_EXPECT_EQ(kmem_cache_destroy(c), -EBUSY);
	HT_EXPECT(ht_log_contains("slab: kmem_cache_destroy(busy): 2 objects still in use\n"));
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	/* The cache still works. */
	x = kmem_cache_alloc(c, KM_NORMAL);
	HT_EXPECT(x != NULL);
	kmem_cache_free(c, x);
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);

	/* In debug mode the live objects are listed with their allocating callers. */
	d = kmem_cache_create("dbusy", 48, 0, NULL, KMEM_DEBUG);
	HT_ASSERT(d != NULL);
	y = kmem_cache_alloc_track_caller(d, KM_NORMAL, NULL, CALLER_A);
	ht_log_clear();
	HT_EXPECT_EQ(kmem_cache_destroy(d), -EBUSY);
	HT_EXPECT(ht_log_contains("slab: kmem_cache_destroy(dbusy): 1 objects still in use\n"));
	HT_EXPECT(ht_log_has("slab: dbusy: object %p still in use, allocated by %pS\n", y,
	                     (void *)CALLER_A));
	kmem_cache_free(d, y);
	HT_EXPECT_EQ(kmem_cache_destroy(d), 0);
	teardown();
}

HT_TEST(shrink_returns_pages_under_pressure)
{
	struct kmem_cache *c;
	static void *objs[20000];
	unsigned n = 0;
	size_t freed, before;
	void *p;

	HT_ASSERT(setup());
	c = kmem_cache_create("shrinkme", 256, 0, NULL, 0);
	HT_ASSERT(c != NULL);
	/* A 2 MiB budget: fill it. */
	hp.limit_pages = hp.pages_out + 512;
	while (n < ARRAY_SIZE(objs) && (p = kmem_cache_alloc(c, KM_NORMAL)) != NULL)
		objs[n++] = p;
	HT_EXPECT(n > 1000);
	HT_EXPECT_EQ(kmem_last_error()->kind, MM_OUT_OF_MEMORY);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	for (unsigned i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	/* Freed objects sit in magazines, the depot and kept empty slabs... */
	HT_EXPECT(info_of(c).nr_slabs > 0);
	HT_EXPECT(info_of(c).cached_objs > 0);
	/* ...until the pressure hook runs. */
	before = hp.pages_out;
	freed = kmem_shrink_all();
	HT_EXPECT(freed > 0);
	HT_EXPECT_EQ(before - hp.pages_out, freed);
	HT_EXPECT_EQ(info_of(c).nr_slabs, 0);
	HT_EXPECT_EQ(info_of(c).cached_objs, 0);
	HT_EXPECT_EQ(kmem_slab_bytes(), (hp.pages_out) * PAGE_SIZE);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	/* The cache refills after a shrink. */
	p = kmem_cache_alloc(c, KM_NORMAL);
	HT_EXPECT(p != NULL);
	kmem_cache_free(c, p);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	hp.limit_pages = 0;
	teardown();
}

HT_TEST(out_of_memory_fails_cleanly)
{
	struct kmem_cache *c;
	struct mm_error err;
	jmp_buf jb;
	void *p;
	char expect[200];

	HT_ASSERT(setup());
	c = kmem_cache_create("oom", 64, 0, NULL, 0);
	HT_ASSERT(c != NULL);
	hp.limit_pages = hp.pages_out; /* no page may be added */
	memset(&err, 0, sizeof(err));
	p = kmem_cache_alloc_track_caller(c, KM_NORMAL, &err, CALLER_A);
	HT_EXPECT(p == NULL);
	HT_EXPECT_EQ(err.kind, MM_OUT_OF_MEMORY);
	HT_EXPECT_EQ(err.requested, KMEM_SLAB_SIZE);
	HT_EXPECT_EQ(kmem_last_error()->kind, MM_OUT_OF_MEMORY);
	HT_EXPECT(kmem_cache_alloc(c, KM_NORMAL) == NULL);

	/* KM_NOFAIL: the panic names the cache, the size, the caller and the error. */
	ht_panic_jmp = &jb;
	if (setjmp(jb) == 0) {
		kmem_cache_alloc_track_caller(c, KM_NOFAIL, NULL, CALLER_B);
		HT_EXPECT(!"no panic");
	}
	ht_panic_jmp = NULL;
	ksnprintf(expect, sizeof(expect),
	          "out of memory: oom of 64 bytes by %pS: OOM: requested "
	          "32768 bytes, only 0 available",
	          (void *)CALLER_B);
	HT_EXPECT(strncmp(ht_panic_msg, expect, strlen(expect)) == 0);
	hp.limit_pages = 0;
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);

	/* A cache whose descriptor cannot be allocated. */
	hp.limit_pages = hp.pages_out;
	kmem_shrink_all();
	hp.fail_countdown = 1;
	HT_EXPECT(kmem_cache_create("nomem", 64, 0, NULL, 0) == NULL);
	hp.fail_countdown = -1;
	hp.limit_pages = 0;
	teardown();
}

/* ---- owners --------------------------------------------------------------------------------- */

static const struct kmem_owner_ops test_owner_ops = { ht_owner_charge, NULL };

static void owners_reset(void)
{
	ht_owners_reset();
	kmem_set_owner_ops(&test_owner_ops);
}

struct walk_count {
	unsigned long objs;
	size_t bytes;
};

static void count_obj(void *obj, size_t bytes, struct kmem_cache *c, void *ctx)
{
	struct walk_count *w = ctx;

	(void)obj;
	(void)c;
	w->objs++;
	w->bytes += bytes;
}

HT_TEST(owner_accounting_exact)
{
	struct kmem_cache *c;
	struct walk_count w = { 0, 0 };
	struct mm_error err;
	void *t1[50], *t2[30], *t3[2], *k[20], *big;

	HT_ASSERT(setup());
	owners_reset();
	c = kmem_cache_create("owned", 100, 0, NULL, 0);
	HT_ASSERT(c != NULL);
	HT_ASSERT(kmem_set_current_owner(1) == 0);
	HT_EXPECT_EQ(kmem_current_owner(), 1);
	for (unsigned i = 0; i < 50; i++)
		t1[i] = kmem_cache_alloc(c, KM_NORMAL);
	kmem_set_current_owner(2);
	for (unsigned i = 0; i < 30; i++)
		t2[i] = kmem_cache_alloc(c, KM_NORMAL);
	for (unsigned i = 0; i < 20; i++)
		k[i] = kmem_cache_alloc(c, KM_KERNEL);               /* charged to the kernel */
	big = kmem_large_alloc(20000, 0, KM_NORMAL, NULL, CALLER_A); /* 20064 bytes: 8 pages */
	HT_ASSERT(big != NULL);
	kmem_set_current_owner(0);
	HT_EXPECT_EQ(ht_charged[1], 50 * 100);
	HT_EXPECT_EQ(ht_charged[2], 30 * 100 + 8 * PAGE_SIZE);
	HT_EXPECT_EQ(kmem_owner_usage(1), 50 * 100);
	HT_EXPECT_EQ(kmem_owner_usage(2), 30 * 100 + 8 * PAGE_SIZE);
	HT_EXPECT_EQ(kmem_owner_usage(0), 20 * 100);
	HT_EXPECT_EQ(kmem_owner_walk(1, count_obj, &w), 5000);
	HT_EXPECT_EQ(w.objs, 50);
	HT_EXPECT_EQ(kmem_owner_walk(0, count_obj, &w), 0);
	HT_EXPECT_EQ(info_of(c).owned_objs, 80);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);

	/* Frees uncharge the owner recorded with the object, whoever frees it. */
	kmem_set_current_owner(2);
	for (unsigned i = 0; i < 25; i++)
		kmem_cache_free(c, t1[i]);
	kmem_set_current_owner(0);
	HT_EXPECT_EQ(ht_charged[1], 25 * 100);
	HT_EXPECT_EQ(ht_charged[2], 30 * 100 + 8 * PAGE_SIZE);
	HT_EXPECT_EQ(kmem_owner_usage(1), 25 * 100);

	/* The limit refuses with the structured error; nothing is charged. */
	ht_limit[3] = 250;
	kmem_set_current_owner(3);
	t3[0] = kmem_cache_alloc(c, KM_NORMAL);
	t3[1] = kmem_cache_alloc(c, KM_NORMAL);
	HT_EXPECT(t3[0] && t3[1]);
	memset(&err, 0, sizeof(err));
	HT_EXPECT(kmem_cache_alloc_track_caller(c, KM_NORMAL, &err, CALLER_A) == NULL);
	HT_EXPECT_EQ(err.kind, MM_EXCEEDS_LIMIT);
	HT_EXPECT_EQ(err.limit, 250);
	HT_EXPECT_EQ(err.current, 200);
	HT_EXPECT_EQ(kmem_last_error()->kind, MM_EXCEEDS_LIMIT);
	HT_EXPECT(kmem_large_alloc(100, 0, KM_NORMAL, NULL, CALLER_A) == NULL);
	HT_EXPECT_EQ(ht_charged[3], 200);
	kmem_set_current_owner(0);

	/* Task 2 exits: its objects become the kernel's; later frees do not touch its counter. */
	HT_EXPECT_EQ(kmem_owner_release(2), 30 * 100 + 8 * PAGE_SIZE);
	HT_EXPECT_EQ(ht_charged[2], 0);
	HT_EXPECT_EQ(kmem_owner_usage(2), 0);
	HT_EXPECT_EQ(kmem_owner_usage(0), 50 * 100 + 8 * PAGE_SIZE);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	for (unsigned i = 0; i < 30; i++)
		kmem_cache_free(c, t2[i]);
	HT_EXPECT_EQ(kmem_large_free(big, CALLER_A), 0);
	HT_EXPECT_EQ(ht_charged[2], 0);

	for (unsigned i = 25; i < 50; i++)
		kmem_cache_free(c, t1[i]);
	for (unsigned i = 0; i < 20; i++)
		kmem_cache_free(c, k[i]);
	for (unsigned i = 0; i < 2; i++)
		kmem_cache_free(c, t3[i]);
	for (unsigned o = 0; o < HT_OWNERS; o++)
		HT_EXPECT_EQ(ht_charged[o], 0);
	HT_EXPECT_EQ(info_of(c).owned_objs, 0);
	HT_EXPECT_EQ(info_of(c).active_objs, 0);
	HT_EXPECT_EQ(kmem_owner_usage(0), 0);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

/* ---- debug reports, each checked exactly ------------------------------------------------------
 */

/*
 * Owner ids are 32-bit: an id above 16 bits is recorded whole (an id sharing its low 16 bits
 * is a different owner), charged, walked, released and uncharged by that id only.
 */
#define WIDE_OWNER   0x12345678u
#define NARROW_ALIAS (WIDE_OWNER & 0xffffu)

static int64_t wide_charged, alias_charged;

static int wide_charge(uint32_t owner, int64_t bytes, struct mm_error *err, void *ctx)
{
	(void)err;
	(void)ctx;
	if (owner == WIDE_OWNER)
		wide_charged += bytes;
	else
		alias_charged += bytes; /* any other id: a truncation somewhere */
	return 0;
}

HT_TEST(owner_ids_are_32_bit)
{
	static const struct kmem_owner_ops ops = { wide_charge, NULL };
	struct walk_count w = { 0, 0 };
	struct kmem_cache *c;
	void *objs[40];

	HT_ASSERT(setup());
	wide_charged = alias_charged = 0;
	kmem_set_owner_ops(&ops);
	c = kmem_cache_create("wide", 48, 0, NULL, 0);
	HT_ASSERT(c != NULL);
	HT_EXPECT_EQ(kmem_set_current_owner(KMEM_OWNER_MAX), 0);
	HT_EXPECT_EQ(kmem_set_current_owner(WIDE_OWNER), 0);
	HT_EXPECT_EQ(kmem_current_owner(), WIDE_OWNER);
	for (unsigned i = 0; i < 40; i++)
		objs[i] = kmem_cache_alloc(c, KM_NORMAL);
	kmem_set_current_owner(0);
	HT_EXPECT_EQ(wide_charged, 40 * 48);
	HT_EXPECT_EQ(kmem_owner_usage(WIDE_OWNER), 40 * 48);
	HT_EXPECT_EQ(kmem_owner_usage(NARROW_ALIAS), 0);
	HT_EXPECT_EQ(kmem_owner_walk(WIDE_OWNER, count_obj, &w), 40 * 48);
	HT_EXPECT_EQ(w.objs, 40);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	for (unsigned i = 0; i < 20; i++)
		kmem_cache_free(c, objs[i]);
	HT_EXPECT_EQ(wide_charged, 20 * 48);
	HT_EXPECT_EQ(kmem_owner_release(WIDE_OWNER), 20 * 48);
	HT_EXPECT_EQ(wide_charged, 0);
	for (unsigned i = 20; i < 40; i++)
		kmem_cache_free(c, objs[i]);
	HT_EXPECT_EQ(wide_charged, 0);
	HT_EXPECT_EQ(alias_charged, 0);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

HT_TEST(debug_red_zone_overwrite)
{
	struct kmem_cache *c;
	unsigned long errors;
	uint8_t *p, *q;

	HT_ASSERT(setup());
	c = kmem_cache_create("rz", 24, 0, NULL, KMEM_DEBUG);
	HT_ASSERT(c != NULL);
	p = kmem_cache_alloc_track_caller(c, KM_NORMAL, NULL, CALLER_A);
	HT_ASSERT(p != NULL);
	p[24] = 'x'; /* one byte past the end */
	errors = kmem_error_count();
	kmem_cache_free_track_caller(c, p, CALLER_B);
	HT_EXPECT(ht_log_has("slab: rz: red zone overwritten at offset 24 of object %p (size 24); "
	                     "allocated by %pS, freed by %pS\n",
	                     (void *)p, (void *)CALLER_A, (void *)CALLER_B));
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	HT_EXPECT_EQ(kmem_cache_check(c), 0); /* repaired, and the free went through */
	HT_EXPECT_EQ(info_of(c).active_objs, 0);

	/* Underflow: the byte before the object. */
	q = kmem_cache_alloc_track_caller(c, KM_NORMAL, NULL, CALLER_A);
	HT_ASSERT(q != NULL);
	q[-1] = 0;
	ht_log_clear();
	kmem_cache_free_track_caller(c, q, CALLER_C);
	HT_EXPECT(ht_log_has("slab: rz: red zone overwritten at offset -1 of object %p (size 24); "
	                     "allocated by %pS, freed by %pS\n",
	                     (void *)q, (void *)CALLER_A, (void *)CALLER_C));
	HT_EXPECT_EQ(kmem_error_count(), errors + 2);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

HT_TEST(debug_use_after_free_write_caught_by_poison)
{
	struct kmem_cache *c;
	unsigned long errors;
	uint8_t *p, *q;

	HT_ASSERT(setup());
	c = kmem_cache_create("uaf", 64, 0, NULL, KMEM_DEBUG);
	HT_ASSERT(c != NULL);
	p = kmem_cache_alloc_track_caller(c, KM_NORMAL, NULL, CALLER_A);
	HT_ASSERT(p != NULL);
	kmem_cache_free_track_caller(c, p, CALLER_B);
	HT_EXPECT_EQ(p[0], KMEM_POISON_FREE);
	HT_EXPECT_EQ(p[63], KMEM_POISON_END);
	p[5] = 0x42;                         /* write after free */
	HT_EXPECT(kmem_cache_check(c) == 1); /* the checker sees it too */
	errors = kmem_error_count();
	ht_log_clear();
	q = kmem_cache_alloc_track_caller(c, KM_NORMAL, NULL, CALLER_C); /* LIFO: same object */
	HT_EXPECT(q == p);
	HT_EXPECT(ht_log_has("slab: uaf: use after free: object %p modified at offset 5; "
	                     "allocated by %pS, freed by %pS\n",
	                     (void *)p, (void *)CALLER_A, (void *)CALLER_B));
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	kmem_cache_free_track_caller(c, q, CALLER_B);
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

HT_TEST(debug_double_free)
{
	struct kmem_cache *c;
	struct kmem_cache_info before;
	unsigned long errors;
	void *p, *x, *y;

	HT_ASSERT(setup());
	c = kmem_cache_create("df", 32, 0, NULL, KMEM_DEBUG);
	HT_ASSERT(c != NULL);
	p = kmem_cache_alloc_track_caller(c, KM_NORMAL, NULL, CALLER_A);
	x = kmem_cache_alloc(c, KM_NORMAL);
	kmem_cache_free_track_caller(c, p, CALLER_B);
	kmem_cache_free(c, x); /* p is no longer the free-list head */
	before = info_of(c);
	errors = kmem_error_count();
	ht_log_clear();
	kmem_cache_free_track_caller(c, p, CALLER_C);
	HT_EXPECT(ht_log_has("slab: df: double free of object %p by %pS; allocated by %pS, "
	                     "freed by %pS\n",
	                     p, (void *)CALLER_C, (void *)CALLER_A, (void *)CALLER_B));
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	/* Nothing changed: same counts, and the object is handed out once. */
	HT_EXPECT_EQ(info_of(c).active_objs, before.active_objs);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	x = kmem_cache_alloc(c, KM_NORMAL);
	y = kmem_cache_alloc(c, KM_NORMAL);
	HT_EXPECT(x != y);
	kmem_cache_free(c, x);
	kmem_cache_free(c, y);
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

HT_TEST(hardened_double_free_without_debug)
{
	struct kmem_cache *c, *n;
	unsigned long errors;
	void *p, *x, *y;

	HT_ASSERT(setup());
	/* With magazines: the object on top of the loaded magazine. */
	c = kmem_cache_create("nd", 32, 0, NULL, 0);
	HT_ASSERT(c != NULL && !info_of(c).debug);
	p = kmem_cache_alloc(c, KM_NORMAL);
	kmem_cache_free(c, p);
	errors = kmem_error_count();
	ht_log_clear();
	kmem_cache_free_track_caller(c, p, CALLER_C);
	HT_EXPECT(ht_log_has("slab: nd: double free of object %p by %pS\n", p, (void *)CALLER_C));
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	/* The inline path catches it too (the caller is then the test's own code). */
	ht_log_clear();
	kmem_cache_free(c, p);
	HT_EXPECT(ht_log_has("slab: nd: double free of object %p by ", p));
	HT_EXPECT_EQ(kmem_error_count(), errors + 2);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	x = kmem_cache_alloc(c, KM_NORMAL);
	y = kmem_cache_alloc(c, KM_NORMAL);
	HT_EXPECT(x == p && y != p);
	kmem_cache_free(c, x);
	kmem_cache_free(c, y);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);

	/* Without magazines: the head of the slab's free list. */
	n = kmem_cache_create("nm", 32, 0, NULL, KMEM_NO_MAGAZINE);
	HT_ASSERT(n != NULL);
	p = kmem_cache_alloc(n, KM_NORMAL);
	kmem_cache_free(n, p);
	ht_log_clear();
	kmem_cache_free_track_caller(n, p, CALLER_A);
	HT_EXPECT(ht_log_has("slab: nm: double free of object %p by %pS\n", p, (void *)CALLER_A));
	HT_EXPECT_EQ(kmem_error_count(), errors + 3);
	HT_EXPECT_EQ(kmem_cache_check(n), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(n), 0);
	teardown();
}

HT_TEST(free_to_wrong_cache_rejected)
{
	struct kmem_cache *a, *b;
	unsigned long errors;
	void *p;

	HT_ASSERT(setup());
	a = kmem_cache_create("cache-a", 64, 0, NULL, 0);
	b = kmem_cache_create("cache-b", 64, 0, NULL, 0);
	HT_ASSERT(a && b);
	p = kmem_cache_alloc(a, KM_NORMAL);
	errors = kmem_error_count();
	kmem_cache_free_track_caller(b, p, CALLER_B);
	HT_EXPECT(
	    ht_log_has("slab: cache-b: free of object %p that belongs to cache cache-a, by %pS\n",
	               p, (void *)CALLER_B));
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	/* Rejected: still live in a. */
	HT_EXPECT_EQ(info_of(a).active_objs, 1);
	HT_EXPECT_EQ(info_of(b).active_objs, 0);
	/* Also through the inline path. */
	kmem_cache_free(b, p);
	HT_EXPECT_EQ(kmem_error_count(), errors + 2);
	HT_EXPECT_EQ(info_of(a).active_objs, 1);
	kmem_cache_free(a, p);
	HT_EXPECT_EQ(kmem_cache_check(a) + kmem_cache_check(b), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(a), 0);
	HT_EXPECT_EQ(kmem_cache_destroy(b), 0);
	teardown();
}

HT_TEST(non_slab_pointer_rejected)
{
	struct kmem_cache *c;
	unsigned long errors;
	int on_stack = 0;
	char *p;
	void *big;

	HT_ASSERT(setup());
	c = kmem_cache_create("ns", 64, 0, NULL, 0);
	HT_ASSERT(c != NULL);
	p = kmem_cache_alloc(c, KM_NORMAL);
	errors = kmem_error_count();
	kmem_cache_free_track_caller(c, &on_stack, CALLER_A);
	HT_EXPECT(ht_log_has("slab: ns: free of %p, which is not a slab object, by %pS\n",
	                     (void *)&on_stack, (void *)CALLER_A));
	kmem_cache_free_track_caller(c, p + 8, CALLER_B);
	HT_EXPECT(ht_log_has("slab: ns: free of %p, which is not the start of an object, by %pS\n",
	                     (void *)(p + 8), (void *)CALLER_B));
	/* The slab header itself. */
	kmem_cache_free_track_caller(c, (void *)((uintptr_t)p & ~KMEM_SLAB_MASK), CALLER_B);
	HT_EXPECT(ht_log_has("slab: ns: free of %p, which is not the start of an object, by %pS\n",
	                     (void *)((uintptr_t)p & ~KMEM_SLAB_MASK), (void *)CALLER_B));
	/* kmem_free (kfree) of something that is neither a slab nor a large object. */
	kmem_free(NULL, &on_stack, CALLER_C);
	HT_EXPECT(ht_log_has("slab: free of %p, which is not an allocated object, by %pS\n",
	                     (void *)&on_stack, (void *)CALLER_C));
	big = kmem_large_alloc(10000, 0, KM_NORMAL, NULL, CALLER_A);
	HT_ASSERT(big != NULL);
	kmem_free(NULL, (char *)big + 16, CALLER_C);
	HT_EXPECT(ht_log_has("slab: free of %p, which is not an allocated object, by %pS\n",
	                     (void *)((char *)big + 16), (void *)CALLER_C));
	HT_EXPECT_EQ(kmem_error_count(), errors + 5);
	HT_EXPECT_EQ(info_of(c).active_objs, 1);
	kmem_free(NULL, big, CALLER_C);
	kmem_cache_free(c, p);
	kmem_cache_free(c, NULL); /* no-op */
	kmem_free(NULL, NULL, CALLER_C);
	HT_EXPECT_EQ(kmem_error_count(), errors + 5);
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

HT_TEST(hardened_free_pointer_corruption)
{
	struct kmem_cache *c;
	unsigned long errors;
	void *x, *y, *z, *q;

	HT_ASSERT(setup());
	c = kmem_cache_create("fp", 64, 0, NULL, KMEM_NO_MAGAZINE);
	HT_ASSERT(c != NULL);
	x = kmem_cache_alloc(c, KM_NORMAL);
	y = kmem_cache_alloc(c, KM_NORMAL);
	z = kmem_cache_alloc(c, KM_NORMAL);
	kmem_cache_free(c, y);
	kmem_cache_free(c, x); /* free list: x -> y -> ... */
	/* The stored link is not the plain pointer. */
	HT_EXPECT(*(uintptr_t *)x != (uintptr_t)y);
	*(uintptr_t *)x = (uintptr_t)z; /* a use-after-free write pointing the list at z */
	errors = kmem_error_count();
	ht_log_clear();
	q = kmem_cache_alloc(c, KM_NORMAL);
	HT_EXPECT(q == x);
	HT_EXPECT(ht_log_has("slab: fp: corrupted free pointer "));
	HT_EXPECT(ht_log_has(" in object %p\n", x));
	HT_EXPECT_EQ(kmem_error_count(), errors + 1);
	/* The rest of that slab's list is abandoned, never handed out: z is not returned again. */
	q = kmem_cache_alloc(c, KM_NORMAL);
	HT_EXPECT(q != z && q != y);
	HT_EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_free(c, q);
	kmem_cache_free(c, x);
	kmem_cache_free(c, z);
	HT_EXPECT(info_of(c).lost_objs > 0);
	HT_EXPECT_EQ(info_of(c).active_objs, 0);
	/* The abandoned objects go with the cache. */
	HT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	teardown();
}

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
