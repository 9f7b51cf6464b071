/*
 * Host tests of the fault-injection decision (mm/failinject.c): every Nth eligible call fails
 * and no other; a probability with a fixed seed fails the same calls on every run and about
 * the share asked; times stops it; the pid filter and init's exemption; kernel tasks are
 * never failed; off fails nothing and keeps the count; the spec parser accepts the documented
 * forms and leaves the attribute untouched on a malformed one; the status line.
 */
#include "htest.h"
#include "mm/failinject.h"

#include <string.h>

/* A fresh attribute as the kernel's start: off, interval 1, 100%, unlimited. */
static struct fault_attr fresh(void)
{
	struct fault_attr a = { .name = "fail_test",
		                .interval = 1,
		                .probability = 100,
		                .seed = 1,
		                .times = FAULT_TIMES_UNLIMITED,
		                .limit = FAULT_TIMES_UNLIMITED,
		                .rng = 1 };
	return a;
}

/* Run @n calls for @pid; bit i of @out (up to 64) set when call i failed; returns failures. */
static unsigned run(struct fault_attr *a, int pid, unsigned n, uint64_t *out)
{
	unsigned failed = 0;

	if (out)
		*out = 0;
	for (unsigned i = 0; i < n; i++) {
		if (failinject_should_fail(a, pid)) {
			failed++;
			if (out && i < 64)
				*out |= 1ull << i;
		}
	}
	return failed;
}

HT_TEST(every_nth_call_fails_and_no_other)
{
	struct fault_attr a = fresh();

	HT_ASSERT(failinject_parse(&a, "7") == 0);
	for (unsigned i = 1; i <= 70; i++)
		HT_EXPECT(failinject_should_fail(&a, 5) == (i % 7 == 0));
	HT_EXPECT_EQ(a.calls, 70);
	HT_EXPECT_EQ(a.injected, 10);
	a = fresh();
	HT_ASSERT(failinject_parse(&a, "every=1") == 0);
	HT_EXPECT_EQ(run(&a, 5, 20, NULL), 20);
}

HT_TEST(probability_with_a_fixed_seed_is_reproducible)
{
	struct fault_attr a = fresh(), b = fresh(), c = fresh();
	uint64_t first, second, other;

	HT_ASSERT(failinject_parse(&a, "25%,seed=42") == 0);
	HT_ASSERT(failinject_parse(&b, "prob=25,seed=42") == 0);
	HT_ASSERT(failinject_parse(&c, "25%,seed=43") == 0);
	unsigned fa = run(&a, 3, 64, &first), fb = run(&b, 3, 64, &second);
	run(&c, 3, 64, &other);
	HT_EXPECT_EQ(first, second); /* the same seed: the same calls fail */
	HT_EXPECT_EQ(fa, fb);
	HT_EXPECT(first != other); /* another seed: another pattern */
	/* Enabling again restarts the generator: the same pattern once more. */
	HT_ASSERT(failinject_parse(&a, "25%,seed=42") == 0);
	run(&a, 3, 64, &second);
	HT_EXPECT_EQ(first, second);
	/* About a quarter of 10,000 calls (a generous band: the draw is fixed, not luck). */
	HT_ASSERT(failinject_parse(&a, "25%,seed=7") == 0);
	unsigned n = run(&a, 3, 10000, NULL);
	HT_EXPECT(n > 2200 && n < 2800);
	HT_ASSERT(failinject_parse(&a, "0%") == 0);
	HT_EXPECT_EQ(run(&a, 3, 1000, NULL), 0);
	HT_ASSERT(failinject_parse(&a, "100%") == 0);
	HT_EXPECT_EQ(run(&a, 3, 1000, NULL), 1000);
}

HT_TEST(interval_and_probability_combine_as_linux)
{
	struct fault_attr a = fresh();
	uint64_t mask;

	/* Only every 2nd call is a candidate; half the candidates fail: odd calls never. */
	HT_ASSERT(failinject_parse(&a, "every=2,prob=50,seed=9") == 0);
	unsigned n = run(&a, 4, 64, &mask);
	HT_EXPECT((mask & 0x5555555555555555ull) == 0);
	HT_EXPECT(n > 0 && n < 32);
}

HT_TEST(times_limits_the_failures)
{
	struct fault_attr a = fresh();

	HT_ASSERT(failinject_parse(&a, "every=2,times=3") == 0);
	HT_EXPECT_EQ(run(&a, 4, 100, NULL), 3);
	HT_EXPECT_EQ(a.times, 0);
	HT_ASSERT(failinject_parse(&a, "every=2,times=3") == 0); /* enabling again refills it */
	HT_EXPECT_EQ(run(&a, 4, 100, NULL), 3);
}

HT_TEST(pid_filter_init_and_kernel_tasks)
{
	struct fault_attr a = fresh();

	HT_ASSERT(failinject_parse(&a, "1") == 0);
	HT_EXPECT(!failinject_should_fail(&a, 0)); /* a kernel task: never */
	HT_EXPECT(!failinject_should_fail(&a, 1)); /* init: spared without a filter */
	HT_EXPECT(failinject_should_fail(&a, 2));
	HT_EXPECT_EQ(a.calls, 1); /* only eligible calls count */
	HT_ASSERT(failinject_parse(&a, "pid=9") == 0);
	HT_EXPECT(!failinject_should_fail(&a, 2));
	HT_EXPECT(failinject_should_fail(&a, 9));
	HT_ASSERT(failinject_parse(&a, "pid=1") == 0); /* named: init too */
	HT_EXPECT(failinject_should_fail(&a, 1));
	HT_EXPECT(!failinject_should_fail(&a, 9));
	HT_ASSERT(failinject_parse(&a, "pid=0") == 0);
	HT_EXPECT(failinject_should_fail(&a, 9));
	/* "pid=N" alone keeps the interval configured before. */
	HT_ASSERT(failinject_parse(&a, "every=3") == 0);
	HT_ASSERT(failinject_parse(&a, "pid=4") == 0);
	HT_EXPECT_EQ(a.interval, 3);
	HT_EXPECT_EQ(run(&a, 4, 9, NULL), 3);
}

HT_TEST(off_fails_nothing_and_keeps_the_count)
{
	struct fault_attr a = fresh();

	HT_EXPECT_EQ(run(&a, 5, 100, NULL), 0); /* the default is off */
	HT_ASSERT(failinject_parse(&a, "2") == 0);
	HT_EXPECT_EQ(run(&a, 5, 10, NULL), 5);
	HT_ASSERT(failinject_parse(&a, "off") == 0);
	HT_EXPECT(!a.enabled);
	HT_EXPECT_EQ(run(&a, 5, 100, NULL), 0);
	HT_EXPECT_EQ(a.injected, 5);
}

HT_TEST(malformed_specs_change_nothing)
{
	static const char *const bad[] = {
		"",       ",", "0",       "every=0",  "101%",        "prob=x", "seed=", "times=0",
		"pid=-1", "x", "7,bogus", "every=7x", "99999999999", "5%%",    "prob="
	};
	struct fault_attr a = fresh();

	HT_ASSERT(failinject_parse(&a, "every=5,seed=3") == 0);
	struct fault_attr before = a;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		HT_EXPECT(failinject_parse(&a, bad[i]) == -1);
		HT_EXPECT(memcmp(&a, &before, sizeof(a)) == 0);
	}
	HT_EXPECT(failinject_parse(&a, NULL) == -1);
	/* Spaces separate fields too (the monitor joins its words). */
	HT_EXPECT(failinject_parse(&a, "every=4 times=2 pid=3") == 0);
	HT_EXPECT_EQ(a.interval, 4);
	HT_EXPECT_EQ(a.limit, 2);
	HT_EXPECT_EQ(a.pid, 3);
}

HT_TEST(status_line)
{
	struct fault_attr a = fresh();
	char buf[160];

	failinject_format(&a, buf, sizeof(buf));
	HT_EXPECT(strcmp(buf, "fail_test: off: 0 injected") == 0);
	HT_ASSERT(failinject_parse(&a, "97") == 0);
	run(&a, 5, 200, NULL);
	failinject_format(&a, buf, sizeof(buf));
	HT_EXPECT(strcmp(buf, "fail_test: every 97, 100%, seed 1, times unlimited, pid any but "
	                      "init: 200 calls, 2 injected") == 0);
	HT_ASSERT(failinject_parse(&a, "5%,seed=42,times=3,pid=7") == 0);
	failinject_format(&a, buf, sizeof(buf));
	HT_EXPECT(strcmp(buf, "fail_test: every 1, 5%, seed 42, times 3 (3 left), pid 7: 0 calls, "
	                      "2 injected") == 0);
}
