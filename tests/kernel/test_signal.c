/*
 * Guest tests for signals (suite "signal"): a fault caught by the program's handler prints no
 * fault report and leaves free memory and slab objects exactly as before; the kernel's group
 * signal (proc_kill_pgrp, what a tty's ^C uses) reaches a handler with SI_KERNEL and refuses
 * groups that do not exist; the user siginfo layout (si_pid/si_uid at 12/16, si_status at 20,
 * si_addr at 12).
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "sched/proc.h"
#include "sched/signal.h"
#include "sched/stress.h"
#include "sched/task.h"
#include "x86/cpu.h"

#define YIELDS_MAX   100000 /* bound on yields while waiting for the program's next step */
#define SIGINFO_SIZE 128
#define LINE_LEN     64

/* Start uhello in mode "catch"; its pid (> 0) or -errno. */
static int spawn_catch(void)
{
	char *argv[] = { "/builtin/uhello", "catch", NULL };

	return proc_spawn(argv[0], argv, NULL, false);
}

KTEST(signal, a_caught_fault_is_not_reported_and_frees_everything)
{
	uint64_t free0, objs0, free1, objs1;
	char line[LINE_LEN];
	int status = -1, pid = spawn_catch(); /* a warm-up run first */

	KASSERT(t, pid > 0 && proc_wait_kernel(pid, &status) == 0);
	KEXPECT_EQ(t, status, W_EXITCODE(0));
	stress_snapshot(&free0, &objs0);
	uint32_t mark = printk_ring_mark();
	pid = spawn_catch();
	KASSERT(t, pid > 0 && proc_wait_kernel(pid, &status) == 0);
	KEXPECT_EQ(t, status, W_EXITCODE(0));
	ksnprintf(line, sizeof(line), "user: pid %d (uhello)", pid);
	KEXPECT(t, !printk_ring_contains(mark, line));
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

/* Yield until process @pid leads its own group (setpgid done: its handler is installed). */
static bool yield_until_group_leader(int pid)
{
	for (unsigned i = 0; i < YIELDS_MAX; i++) {
		if (proc_getpgid(pid) == pid)
			return true;
		task_yield();
	}
	return false;
}

KTEST(signal, the_kernels_group_signal_reaches_a_handler_with_si_kernel)
{
	char *argv[] = { "/builtin/uhello", "sigint", NULL };
	int status, pid = proc_spawn(argv[0], argv, NULL, false);

	KASSERT(t, pid > 0);
	KEXPECT_EQ(t, proc_kill_pgrp(0, SIGINT), -ESRCH);
	KEXPECT_EQ(t, proc_kill_pgrp(PID_MAX + 1, SIGINT), -ESRCH);
	KEXPECT(t, yield_until_group_leader(pid));
	KEXPECT_EQ(t, proc_kill_pgrp(pid, NSIG_LINUX + 1), -EINVAL);
	KEXPECT_EQ(t, proc_kill_pgrp(pid, SIGINT), 0);
	KEXPECT_EQ(t, proc_wait_kernel(pid, &status), 0);
	KEXPECT_EQ(t, status, W_EXITCODE(0));
}

static int32_t word_at(const uint8_t *b, unsigned off)
{
	int32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

KTEST(signal, siginfo_layout_is_linuxs)
{
	uint8_t out[SIGINFO_SIZE];
	struct ksiginfo chld = { .code = CLD_EXITED, .pid = 42, .status = 3 };
	struct ksiginfo fault = { .code = SEGV_ACCERR, .addr = 0x0804A000u };
	struct ksiginfo user = { .code = SI_USER, .pid = 9 };

	siginfo_to_user_layout(out, SIGCHLD, &chld);
	KEXPECT_EQ(t, word_at(out, 0), SIGCHLD);
	KEXPECT_EQ(t, word_at(out, 4), 0);
	KEXPECT_EQ(t, word_at(out, 8), CLD_EXITED);
	KEXPECT_EQ(t, word_at(out, 12), 42);
	KEXPECT_EQ(t, word_at(out, 16), 0); /* si_uid: one user, root */
	KEXPECT_EQ(t, word_at(out, 20), 3);
	siginfo_to_user_layout(out, SIGSEGV, &fault);
	KEXPECT_EQ(t, word_at(out, 8), SEGV_ACCERR);
	KEXPECT_EQ(t, (uint32_t)word_at(out, 12), 0x0804A000u);
	KEXPECT_EQ(t, word_at(out, 16), 0);
	siginfo_to_user_layout(out, SIGUSR1, &user);
	KEXPECT_EQ(t, word_at(out, 8), SI_USER);
	KEXPECT_EQ(t, word_at(out, 12), 9);
	for (unsigned i = 20; i < SIGINFO_SIZE; i++)
		KEXPECT_EQ(t, out[i], 0);
}
