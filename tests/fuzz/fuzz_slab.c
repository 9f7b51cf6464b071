/*
 * libFuzzer target for the slab layer and kmalloc (`make build/fuzz/fuzz_slab`, run with
 * -runs=N). Each input is a program of byte-coded operations on a few caches and kmalloc,
 * interleaved with owner switches, shrinks and detectable misuse (double frees, frees to the
 * wrong cache, frees of pointers that are not objects). After every input:
 *   - every object still holds the pattern it was filled with (no overlap, no corruption),
 *   - each misuse produced exactly one report and changed nothing,
 *   - the invariant checker finds nothing, per-owner charges equal the model,
 *   - once everything is freed and shrunk, the provider has every page back.
 * Any violation aborts (a crash for libFuzzer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_pages.h"
#include "htest.h"
#include "lib/errno.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"

#define MAX_LIVE   256
#define MAX_CACHES 4
#define NOWNERS    4

struct obj {
	uint8_t *p;
	uint32_t len; /* bytes filled with the pattern */
	int cache;    /* index into caches[], or -1 for kmalloc */
	uint8_t tag;
};

static struct host_pages hp;
static size_t base_pages;
static int64_t charged[NOWNERS];
static int64_t limit_of[NOWNERS] = { 0, 0, 0, 8192 };

static int fuzz_charge(uint32_t owner, int64_t bytes, struct mm_error *err, void *ctx)
{
	(void)ctx;
	if (owner >= NOWNERS)
		abort();
	if (bytes > 0 && limit_of[owner] && charged[owner] + bytes > limit_of[owner]) {
		err->kind = MM_EXCEEDS_LIMIT;
		return -EDQUOT;
	}
	charged[owner] += bytes;
	if (charged[owner] < 0)
		abort();
	return 0;
}

static const struct kmem_owner_ops fuzz_owner_ops = { fuzz_charge, NULL };

static void die(const char *what)
{
	fprintf(stderr, "fuzz_slab: %s\n", what);
	abort();
}

static void init_once(void)
{
	static bool done;
	struct slab_page_ops ops;

	if (done)
		return;
	done = true;
	ht_log_echo = false;
	if (host_pages_init(&hp, 64u << 20) != 0)
		die("no arena");
	ops = host_pages_ops(&hp);
	if (slab_init(&ops, 99) != 0 || kmalloc_init() != 0)
		die("init");
	kmem_set_owner_ops(&fuzz_owner_ops);
	kmem_shrink_all();
	base_pages = hp.pages_out;
}

struct input {
	const uint8_t *d;
	size_t n, i;
};

static uint32_t take(struct input *in, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned b = 0; b < bytes; b++)
		v = v << 8 | (in->i < in->n ? in->d[in->i++] : 0);
	return v;
}

static void fill(struct obj *o)
{
	memset(o->p, o->tag, o->len);
}

/* Every byte still the tag: the first is, and each equals the next (one memcmp). */
static void verify(const struct obj *o)
{
	if (o->len && (o->p[0] != o->tag || memcmp(o->p, o->p + 1, o->len - 1) != 0))
		die("object contents changed");
}

/* Bytes charged for kmalloc object @p: its class size, or its whole page block. */
static int64_t charge_of(const void *p)
{
	const struct kmem_large *h;

	if (kmem_cache_of(p))
		return kmem_cache_of(p)->objsize;
	h = kmem_large_of(p);
	if (!h)
		die("not a kmalloc object");
	return (int64_t)PAGE_SIZE << h->order;
}

/* One misuse: exactly one more report. */
static void expect_report(unsigned long before)
{
	if (kmem_error_count() != before + 1)
		die("misuse not reported exactly once");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct obj live[MAX_LIVE];
	struct kmem_cache *caches[MAX_CACHES] = { 0 };
	uint32_t cache_size[MAX_CACHES] = { 0 };
	bool cache_debug[MAX_CACHES] = { 0 };
	struct input in = { data, size, 0 };
	unsigned nlive = 0, ncaches = 0;
	int owner_of[MAX_LIVE];
	int64_t model[NOWNERS] = { 0 };
	uint32_t cur_owner = 0;

	init_once();
	memset(charged, 0, sizeof(charged));
	while (in.i < in.n) {
		uint32_t op = take(&in, 1);
		unsigned long errors = kmem_error_count();

		switch (op % 12) {
		case 0: { /* create a cache */
			uint32_t sz = 1 + take(&in, 2) % 3000, al = take(&in, 1);
			unsigned flags =
			    (al & 0x80 ? KMEM_DEBUG : 0) | (al & 0x40 ? KMEM_NO_MAGAZINE : 0);

			if (ncaches == MAX_CACHES)
				break;
			caches[ncaches] = kmem_cache_create(
			    "fuzz", sz, al & 0x20 ? 1u << (al % 9) : 0, NULL, flags);
			if (!caches[ncaches])
				die("create failed");
			cache_size[ncaches] = sz;
			cache_debug[ncaches] = flags & KMEM_DEBUG;
			ncaches++;
			break;
		}
		case 1:
		case 2: { /* allocate from a cache */
			unsigned c = take(&in, 1);
			uint8_t *p;

			if (!ncaches || nlive == MAX_LIVE)
				break;
			c %= ncaches;
			p = kmem_cache_alloc(caches[c], op & 0x10 ? KM_ZERO : KM_NORMAL);
			if (!p) {
				if (!(cur_owner == 3 &&
				      kmem_last_error()->kind == MM_EXCEEDS_LIMIT) &&
				    kmem_last_error()->kind != MM_OUT_OF_MEMORY)
					die("cache alloc failed");
				break;
			}
			if (op & 0x10)
				for (uint32_t i = 0; i < cache_size[c]; i++)
					if (p[i])
						die("KM_ZERO object not zero");
			live[nlive] = (struct obj){ p, cache_size[c], (int)c, (uint8_t)op };
			owner_of[nlive] = (int)cur_owner;
			model[cur_owner] += cache_size[c];
			fill(&live[nlive++]);
			break;
		}
		case 3:
		case 4: { /* kmalloc, sometimes aligned or large */
			uint32_t n = take(&in, 2), al = take(&in, 1);
			uint8_t *p;
			size_t usable;

			if (nlive == MAX_LIVE)
				break;
			if (op & 0x20)
				n *= 4; /* up to 256 KiB */
			p = (al & 0x80) ? kmalloc_aligned(n, (size_t)1 << (al % 14), KM_NORMAL)
			                : kmalloc(n, KM_NORMAL);
			if (!p) {
				if (!(cur_owner == 3 &&
				      kmem_last_error()->kind == MM_EXCEEDS_LIMIT) &&
				    kmem_last_error()->kind != MM_OUT_OF_MEMORY)
					die("kmalloc failed");
				break;
			}
			usable = kmalloc_size(p);
			if (usable < n || ((al & 0x80) && (uintptr_t)p % ((size_t)1 << (al % 14))))
				die("kmalloc size or alignment");
			live[nlive] = (struct obj){ p, n, -1, (uint8_t)op };
			owner_of[nlive] = (int)cur_owner;
			model[cur_owner] += charge_of(p);
			fill(&live[nlive++]);
			break;
		}
		case 5:
		case 6: { /* free one */
			unsigned k = take(&in, 1);
			struct obj o;

			if (!nlive)
				break;
			k %= nlive;
			o = live[k];
			verify(&o);
			if (o.cache >= 0) {
				model[owner_of[k]] -= cache_size[o.cache];
				kmem_cache_free(caches[o.cache], o.p);
			} else {
				model[owner_of[k]] -= charge_of(o.p);
				kfree(o.p);
			}
			live[k] = live[--nlive];
			owner_of[k] = owner_of[nlive];
			if (kmem_error_count() != errors)
				die("valid free reported");
			break;
		}
		case 7: { /* krealloc a kmalloc object */
			unsigned k = take(&in, 1);
			uint32_t n = 1 + take(&in, 2) % 9000;
			int64_t old_charge;
			uint8_t *q;

			if (!nlive)
				break;
			k %= nlive;
			if (live[k].cache >= 0 || owner_of[k] != (int)cur_owner || cur_owner == 3)
				break;
			verify(&live[k]);
			old_charge = charge_of(live[k].p);
			q = krealloc(live[k].p, n, KM_NORMAL);
			if (!q) {
				if (kmem_last_error()->kind != MM_OUT_OF_MEMORY)
					die("krealloc failed");
				break; /* the old object stays as it was */
			}
			live[k].len = MIN(live[k].len, n);
			live[k].p = q;
			verify(&live[k]);
			model[cur_owner] += charge_of(q) - old_charge;
			live[k].len = n;
			fill(&live[k]);
			break;
		}
		case 8: /* owner switch */
			cur_owner = take(&in, 1) % NOWNERS;
			kmem_set_current_owner(cur_owner);
			break;
		case 9:
			kmem_shrink_all();
			break;
		case 10: { /* misuse, detected */
			unsigned k = take(&in, 1), how = take(&in, 1) % 3;
			int on_stack;

			if (how == 0) { /* immediate double free (any mode) */
				struct obj o;

				if (!nlive)
					break;
				k %= nlive;
				o = live[k];
				if (o.cache >= 0) {
					model[owner_of[k]] -= cache_size[o.cache];
					kmem_cache_free(caches[o.cache], o.p);
				} else {
					model[owner_of[k]] -= charge_of(o.p);
					kfree(o.p);
					if (!kmem_cache_of(
						o.p)) { /* a large block: gone, not checkable */
						live[k] = live[--nlive];
						owner_of[k] = owner_of[nlive];
						break;
					}
				}
				errors = kmem_error_count();
				if (o.cache >= 0)
					kmem_cache_free(caches[o.cache], o.p);
				else
					kfree(o.p);
				expect_report(errors);
				live[k] = live[--nlive];
				owner_of[k] = owner_of[nlive];
			} else if (how == 1) { /* wrong cache */
				if (!nlive || ncaches < 2)
					break;
				k %= nlive;
				if (live[k].cache < 0)
					break;
				kmem_cache_free(caches[(live[k].cache + 1) % ncaches], live[k].p);
				expect_report(errors);
			} else { /* not an object */
				kfree(&on_stack);
				expect_report(errors);
			}
			break;
		}
		case 11: /* a double free in a debug cache, anywhere in the free list */
			for (unsigned k = 0; k < nlive; k++) {
				struct obj o = live[k];

				if (o.cache < 0 || !cache_debug[o.cache])
					continue;
				model[owner_of[k]] -= cache_size[o.cache];
				kmem_cache_free(caches[o.cache], o.p);
				live[k] = live[--nlive];
				owner_of[k] = owner_of[nlive];
				errors = kmem_error_count();
				kmem_cache_free(caches[o.cache], o.p);
				expect_report(errors);
				break;
			}
			break;
		}
	}
	if (kmem_check_all() != 0)
		die("invariants");
	for (unsigned o = 1; o < NOWNERS; o++)
		if (charged[o] != model[o] || kmem_owner_usage(o) != (size_t)model[o])
			die("owner charge differs from the model");
	if (kmem_owner_usage(0) != (size_t)model[0])
		die("kernel usage differs from the model");
	for (unsigned k = 0; k < nlive; k++) {
		verify(&live[k]);
		if (live[k].cache >= 0)
			kmem_cache_free(caches[live[k].cache], live[k].p);
		else
			kfree(live[k].p);
	}
	for (unsigned c = 0; c < ncaches; c++)
		if (kmem_cache_destroy(caches[c]) != 0)
			die("destroy");
	for (unsigned o = 0; o < NOWNERS; o++)
		if (o && charged[o])
			die("charges left after freeing everything");
	kmem_set_current_owner(0);
	kmem_shrink_all();
	if (kmem_check_all() != 0 || hp.pages_out != base_pages)
		die("pages not returned");
	return 0;
}
