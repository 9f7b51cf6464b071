/*
 * Host tests for the slab layer (mm/slab*.c) on the host page provider (tests/host/host_pages.h):
 * geometry for every size and alignment, constructors, destroy with live objects, shrink under
 * pressure, OOM and owner limits, owner accounting, each debug report checked exactly (with exact
 * error counts, as Linux's slub_kunit does), slabinfo, the leak scan, and a randomized
 * 10^6-operation stress run with the invariant checker.
 */
#include "slab_harness.h"

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
