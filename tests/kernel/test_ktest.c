/*
 * Tests of the ktest framework itself, run only when named (`test=ktest_selftest.*`):
 * tools/test-all.sh boots them and checks that a hanging test is reported "not ok" with a
 * "timed out" line by the watchdog, and that the summary still counts the test that passed
 * before it ("1 passed, 1 failed"). Tests run in reverse file order, so the hang is first here.
 */
#include "kernel/ktest.h"

/* Spin with interrupts on until the watchdog (1 s) ends the run. */
KTEST_EXPLICIT(ktest_selftest, hang_is_reported_by_the_watchdog, 1)
{
	for (volatile unsigned spin = 0;; spin++)
		;
}

KTEST_EXPLICIT(ktest_selftest, passes_before_the_hang, 1)
{
	KEXPECT_EQ(t, 1 + 1, 2);
}
