/*
 * Guest tests for the information and time system calls (suite "sys"): the dispatch tables
 * the int 0x80 fast path reads, the CMOS date arithmetic, and /builtin/usys
 * (tests/kernel/uprog/usys.c), a static glibc program that checks, mode by mode, what
 * tests/user/t_sys.c does not reach (every rlimit and its inheritance by fork and exec,
 * every clock id, the sleeps' checks, CPU times, the id calls, prctl, priorities, unknown
 * numbers). usys prints "usys: not ok ..." per failed check and exits with their number.
 */
#include "kernel/ktest.h"
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "sched/proc.h"
#include "x86/rtc.h"

#define NR_GETPPID 64
#define NR_RSEQ    386

/* Run /builtin/usys @mode; its wait status, or -errno if it did not start. */
static int run_usys(const char *mode)
{
	char *argv[] = { "/builtin/usys", (char *)mode, NULL };
	int status, pid = proc_spawn(argv[0], argv, NULL, false);

	if (pid < 0)
		return pid;
	if (proc_wait_kernel(pid, &status) < 0)
		return -ECHILD;
	return status;
}

KTEST(sys, table_has_every_slot)
{
	unsigned unset = 0;

	KEXPECT_EQ(t, syscall_nr_max, SYSCALL_MAX);
	for (unsigned nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_entry *e = syscall_lookup(nr);
		KEXPECT(t, syscall_fn_table[nr] != NULL);
		if (e)
			KEXPECT(t, syscall_fn_table[nr] == e->fn);
		else
			unset += syscall_fn_table[nr] == sys_ni_syscall;
		if (!e && syscall_fn_table[nr] != sys_ni_syscall)
			KEXPECT_EQ(t, nr, ~0u); /* names the bad slot */
	}
	KEXPECT(t, unset > 0);
	KEXPECT(t, syscall_lookup(SYSCALL_MAX) == NULL);
	KEXPECT(t, syscall_lookup(NR_RSEQ) == NULL);
	KASSERT(t, syscall_lookup(NR_GETPPID) != NULL);
	KEXPECT_STREQ(t, syscall_lookup(NR_GETPPID)->name, "getppid");
	KEXPECT_EQ(t, sys_ni_syscall(NULL, 0, 0, 0, 0, 0, 0), -ENOSYS);
}

KTEST(sys, rtc_days_from_civil)
{
	KEXPECT_EQ(t, rtc_days_from_civil(1970, 1, 1), 0);
	KEXPECT_EQ(t, rtc_days_from_civil(1970, 1, 2), 1);
	KEXPECT_EQ(t, rtc_days_from_civil(2000, 3, 1), 11017);
	KEXPECT_EQ(t, rtc_days_from_civil(2020, 1, 1), 18262);
	KEXPECT_EQ(t, rtc_days_from_civil(2024, 2, 29), 19782);
	KEXPECT_EQ(t, rtc_days_from_civil(2038, 1, 19), 24855);
	KEXPECT_EQ(t, rtc_days_from_civil(1969, 12, 31), -1);
}

KTEST(sys, wall_clock_is_read)
{
	KEXPECT(t, rtc_read_epoch() > 0);
}

KTEST(sys, usys_rlimit)
{
	KEXPECT_EQ(t, run_usys("rlimit"), W_EXITCODE(0));
}

KTEST(sys, usys_clocks)
{
	KEXPECT_EQ(t, run_usys("clocks"), W_EXITCODE(0));
}

KTEST(sys, usys_sleep)
{
	KEXPECT_EQ(t, run_usys("sleep"), W_EXITCODE(0));
}

KTEST(sys, usys_cpu_times)
{
	KEXPECT_EQ(t, run_usys("cpu"), W_EXITCODE(0));
}

KTEST(sys, usys_ids)
{
	KEXPECT_EQ(t, run_usys("ids"), W_EXITCODE(0));
}

KTEST(sys, usys_misc)
{
	KEXPECT_EQ(t, run_usys("misc"), W_EXITCODE(0));
}
