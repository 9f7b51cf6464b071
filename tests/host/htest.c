/*
 * htest runner: runs every test registered with HT_TEST in registration order and prints
 * KTAP plus the closing "N passed, M failed" line. Exit status 0 only when all passed.
 */
#include "htest.h"

#include <stdlib.h>

#define HT_MAX_TESTS 512

static struct {
	const char *name;
	ht_fn fn;
} ht_tests[HT_MAX_TESTS];
static int ht_count;
int ht_current_failed;

void ht_register(const char *name, ht_fn fn)
{
	if (ht_count == HT_MAX_TESTS) {
		fprintf(stderr, "htest: too many tests\n");
		exit(2);
	}
	ht_tests[ht_count].name = name;
	ht_tests[ht_count].fn = fn;
	ht_count++;
}

void ht_fail(const char *file, int line, const char *msg)
{
	printf("    # %s:%d: %s\n", file, line, msg);
	ht_current_failed++;
}

int main(void)
{
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..%d\n", ht_count);
	for (int i = 0; i < ht_count; i++) {
		ht_current_failed = 0;
		ht_log_clear();
		ht_tests[i].fn();
		if (ht_current_failed) {
			failed++;
			printf("not ok %d %s\n", i + 1, ht_tests[i].name);
		} else {
			passed++;
			printf("ok %d %s\n", i + 1, ht_tests[i].name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
