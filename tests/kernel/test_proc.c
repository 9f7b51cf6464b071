/*
 * Guest tests for user processes (suite "proc"): exec of the embedded programs
 * (kernel/builtin_progs.asm) and their exit statuses, each user fault's signal and its exact
 * report line, fork + wait4, a static glibc program (printf, fork, abort, malloc, execve, TLS),
 * kill, exec's errors, the copy helpers' EFAULT cases, and that after a process has exited
 * and been waited for, free memory and live slab objects are back exactly (countfree-style).
 */
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/uaccess.h"
#include "sched/proc.h"
#include "sched/stress.h"

#define UNMAPPED_USER 0x40000000u /* nothing is mapped there in a kernel task */
#define NAME_LEN      96

/* Run @path with up to two arguments; its wait status, or -errno if it did not start. */
static int run(const char *path, const char *arg1, const char *arg2)
{
	char *argv[] = { (char *)path, (char *)arg1, (char *)arg2, NULL };
	int status, pid = proc_spawn(path, argv, NULL, false);

	if (pid < 0)
		return pid;
	if (proc_wait_kernel(pid, &status) < 0)
		return -ECHILD;
	return status;
}

KTEST(proc, exec_and_exit_status)
{
	KEXPECT_EQ(t, run("/builtin/tiny_exit", NULL, NULL), W_EXITCODE(42));
	KEXPECT_EQ(t, run("/builtin/tiny_fault", "x", NULL), W_EXITCODE(0));
}

KTEST(proc, fork_and_wait)
{
	KEXPECT_EQ(t, run("/builtin/tiny_fork", NULL, NULL), W_EXITCODE(0));
}

/* Each fault mode of tiny_fault: the signal, and the report line (pid known after spawn). */
KTEST(proc, user_faults_kill_only_the_process)
{
	static const struct {
		const char *mode;
		int sig;
		const char *report; /* after "user: pid N (tiny_fault): " */
	} cases[] = {
		{ "n", SIGSEGV, "SIGSEGV at 0x00000000 ip 0x" },
		{ "k", SIGSEGV, "SIGSEGV at 0xc0000000 ip 0x" },
		{ "r", SIGSEGV, "SIGSEGV at 0x08048000 ip 0x" },
		{ "d", SIGFPE, "SIGFPE ip 0x" },
		{ "u", SIGILL, "SIGILL ip 0x" },
		{ "b", SIGTRAP, "SIGTRAP ip 0x" },
		{ "g", SIGSEGV, "SIGSEGV ip 0x" },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		char *argv[] = { "/builtin/tiny_fault", (char *)cases[i].mode, NULL };
		char line[NAME_LEN];
		uint32_t mark = printk_ring_mark();
		int status, pid = proc_spawn(argv[0], argv, NULL, false);

		KASSERT(t, pid > 0);
		KEXPECT_EQ(t, proc_wait_kernel(pid, &status), 0);
		KEXPECT_EQ(t, status, W_SIGNALED(cases[i].sig));
		ksnprintf(line, sizeof(line), "user: pid %d (tiny_fault): %s", pid,
		          cases[i].report);
		KEXPECT(t, printk_ring_contains(mark, line));
	}
	KEXPECT(t, printk_ring_contains(0, "(kernel address)"));
	KEXPECT(t, printk_ring_contains(0, "(NULL pointer)"));
	KEXPECT(t, printk_ring_contains(0, "(write to read-only memory)"));
}

KTEST(proc, glibc_static_programs)
{
	KEXPECT_EQ(t, run("/builtin/uhello", NULL, NULL), W_EXITCODE(0));
	KEXPECT_EQ(t, run("/builtin/uhello", "tls", NULL), W_EXITCODE(0));
	KEXPECT_EQ(t, run("/builtin/uhello", "fork", NULL), W_EXITCODE(0));
	KEXPECT_EQ(t, run("/builtin/uhello", "malloc", NULL), W_EXITCODE(0));
	KEXPECT_EQ(t, run("/builtin/uhello", "abort", NULL), W_SIGNALED(SIGABRT));
	KEXPECT_EQ(t, run("/builtin/uhello", "segv", NULL), W_SIGNALED(SIGSEGV));
	KEXPECT_EQ(t, run("/builtin/uhello", "exec", NULL), W_EXITCODE(4)); /* argc of "args a b" */
	KEXPECT_EQ(t, run("/builtin/uhello", "sleep", NULL), W_EXITCODE(0));
}

KTEST(proc, kill_terminates_with_the_signal)
{
	char *argv[] = { "/builtin/uhello", "sleep", NULL };
	int status, pid = proc_spawn(argv[0], argv, NULL, false);

	KASSERT(t, pid > 0);
	KEXPECT_EQ(t, proc_kill(pid, 0), 0); /* signal 0: it exists */
	KEXPECT_EQ(t, proc_kill(pid, 65), -EINVAL);
	KEXPECT_EQ(t, proc_kill(pid, SIGTERM), 0);
	KEXPECT_EQ(t, proc_wait_kernel(pid, &status), 0);
	KEXPECT_EQ(t, status, W_SIGNALED(SIGTERM));
	KEXPECT_EQ(t, proc_kill(pid, SIGTERM), -ESRCH); /* collected: gone */
}

KTEST(proc, exec_errors_leave_nothing)
{
	static const char not_elf[] = "#!/bin/sh\necho not an ELF file\n";
	uint64_t free0, objs0, free1, objs1;
	char *big;

	exec_register_image("/builtin/not_elf", not_elf, sizeof(not_elf)); /* -EEXIST on rerun */
	stress_snapshot(&free0, &objs0);
	KEXPECT_EQ(t, run("/builtin/missing", NULL, NULL), -ENOENT);
	KEXPECT_EQ(t, run("/builtin/not_elf", NULL, NULL), -ENOEXEC);
	big = kmalloc(131072 + 1, KM_KERNEL);
	KASSERT(t, big != NULL);
	memset(big, 'a', 131072);
	big[131072] = '\0';
	KEXPECT_EQ(t, run("/builtin/tiny_exit", big, NULL), -E2BIG); /* MAX_ARG_STRLEN */
	big[131071] = '\0';
	KEXPECT_EQ(t, run("/builtin/tiny_exit", big, NULL), W_EXITCODE(42));
	kfree(big);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(proc, memory_is_back_after_wait)
{
	uint64_t free0, objs0, free1, objs1;

	run("/builtin/uhello", "fork", NULL); /* warm up caches and page tables */
	stress_snapshot(&free0, &objs0);
	KEXPECT_EQ(t, run("/builtin/tiny_exit", NULL, NULL), W_EXITCODE(42));
	KEXPECT_EQ(t, run("/builtin/tiny_fork", NULL, NULL), W_EXITCODE(0));
	KEXPECT_EQ(t, run("/builtin/uhello", "fork", NULL), W_EXITCODE(0));
	KEXPECT_EQ(t, run("/builtin/uhello", "malloc", NULL), W_EXITCODE(0));
	KEXPECT_EQ(t, run("/builtin/tiny_fault", "n", NULL), W_SIGNALED(SIGSEGV));
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(proc, copy_helpers_refuse_bad_pointers)
{
	char buf[16];

	KEXPECT_EQ(t, copy_from_user(buf, NULL, 4), -EFAULT);
	KEXPECT_EQ(t, copy_from_user(buf, (const void *)KERNEL_BASE, 4), -EFAULT);
	KEXPECT_EQ(t, copy_from_user(buf, (const void *)(KERNEL_BASE - 4), 8), -EFAULT);
	KEXPECT_EQ(t, copy_to_user((void *)0xFFFFFFF0u, buf, 0x20), -EFAULT); /* wraps */
	KEXPECT_EQ(t, copy_from_user(buf, (const void *)UNMAPPED_USER, 4), -EFAULT);
	KEXPECT_EQ(t, copy_to_user((void *)UNMAPPED_USER, buf, 4), -EFAULT);
	KEXPECT_EQ(t, clear_user((void *)UNMAPPED_USER, 4), -EFAULT);
	KEXPECT_EQ(t, strncpy_from_user(buf, (const char *)UNMAPPED_USER, sizeof(buf)), -EFAULT);
	KEXPECT_EQ(t, strncpy_from_user(buf, NULL, sizeof(buf)), -EFAULT);
	KEXPECT_EQ(t, copy_from_user(buf, NULL, 0), 0); /* nothing to copy */
	KEXPECT(t, !user_range_ok(KERNEL_BASE - 4, 8));
	KEXPECT(t, user_range_ok(KERNEL_BASE - 4, 4));
}
