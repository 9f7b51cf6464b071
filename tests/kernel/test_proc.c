/*
 * Guest tests for user processes (suite "proc"): exec of the embedded programs
 * (kernel/builtin_progs.asm) and their exit statuses, each user fault's signal and its exact
 * report line, fork + wait4, a static glibc program (printf, fork, abort, malloc, execve, TLS),
 * kill, exec's errors, the copy helpers' EFAULT cases, and that after a process has exited
 * and been waited for, free memory and live slab objects are back exactly (countfree-style).
 * Fork, spawn and execve that run out of memory at every point of the copy (fault injection
 * through owner limits, proc_inject_limits) fail with ENOMEM and leave nothing behind;
 * kernel children have parent pid 1 and never pid 1; orphans without init are reaped by the
 * kernel; blocked, ignored and fatal signals; pause; the ps line and run's status text.
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
#include "sched/task.h"
#include "x86/cpu.h"

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

	/* Warm up the slab caches, and the page cache with each program's pages (it keeps
	 * them: include/mm/pager.h). */
	run("/builtin/uhello", "fork", NULL);
	run("/builtin/uhello", "malloc", NULL);
	run("/builtin/tiny_exit", NULL, NULL);
	run("/builtin/tiny_fork", NULL, NULL);
	run("/builtin/tiny_fault", "n", NULL);
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

/* ---- out of memory in fork and exec (fault injection through owner limits) ------------ */

#define SWEEP_PAGES_MAX 1024 /* past any test program's needs: the sweep must end before */
#define SWEEP_STEP_BIG  16   /* pages per step for the glibc program (its image is large) */

/* run() with the injected limits (bytes) in force. */
static int run_limited(uint64_t spawn, uint64_t fork, const char *path, const char *arg)
{
	int st;

	proc_inject_limits(spawn, fork);
	st = run(path, arg, NULL);
	proc_inject_limits(0, 0);
	return st;
}

/*
 * Run @path @arg with a limit of 1, 1 + @step, ... pages (on its spawn or on the fork it
 * makes, per @on_fork) until it ends with @success; every other outcome must be @fail
 * (ENOMEM where it failed) or, for a limit that let the program start, death by a signal
 * (it ran out while running: SIGKILL, the OOM kill of a page fault, or glibc's own failure
 * when brk and mmap refuse: a NULL dereference, SIGSEGV), and after every run free memory and live
 * slab objects must be exactly as before. Returns how many runs failed with @fail, or -1 when no
 * limit up to SWEEP_PAGES_MAX let it succeed.
 */
static int enomem_sweep(struct ktest_ctx *t, const char *path, const char *arg, bool on_fork,
                        unsigned step, int success, int fail)
{
	uint64_t free0, objs0, free1, objs1;
	int failures = 0;

	/* Warm up the caches on both paths (a failure and a success). */
	run_limited(on_fork ? 0 : PAGE_SIZE, on_fork ? PAGE_SIZE : 0, path, arg);
	run(path, arg, NULL);
	for (unsigned pages = 1; pages < SWEEP_PAGES_MAX; pages += step) {
		uint64_t limit = (uint64_t)pages * PAGE_SIZE;
		stress_snapshot(&free0, &objs0);
		int st = run_limited(on_fork ? 0 : limit, on_fork ? limit : 0, path, arg);
		stress_snapshot(&free1, &objs1);
		KEXPECT_EQ(t, free1, free0);
		KEXPECT_EQ(t, objs1, objs0);
		if (st == success)
			return failures;
		if (st > 0 && (st & W_SIGNAL_MASK))
			continue;
		if (st != fail) {
			ktest_fail(t, __FILE__, __LINE__, "%s %s at %u pages: status %d", path,
			           arg ? arg : "", pages, st);
			return -1;
		}
		failures++;
	}
	return -1;
}

KTEST(proc, fork_charges_the_child_on_write_and_a_child_out_of_memory_dies_alone)
{
	/* On-Demand-Fork: fork itself takes nothing from the child's limit, so tiny_fork (whose
	 * child writes no user memory) succeeds under a one-page limit. */
	KEXPECT_EQ(
	    t,
	    enomem_sweep(t, "/builtin/tiny_fork", NULL, true, 1, W_EXITCODE(0), W_EXITCODE(ENOMEM)),
	    0);
	/* glibc's child writes at once (its stack, TLS): under small limits it is OOM-killed and
	 * the parent sees that (uhello exits 1), with free memory exact after every run. */
	KEXPECT(t, enomem_sweep(t, "/builtin/uhello", "forkerr", true, 1, W_EXITCODE(0),
	                        W_EXITCODE(1)) > 0);
}

KTEST(proc, exec_without_memory_fails_with_enomem_and_leaks_nothing)
{
	/* The kernel's exec (spawn): the new image runs out part way. */
	KEXPECT(t,
	        enomem_sweep(t, "/builtin/tiny_exit", NULL, false, 1, W_EXITCODE(42), -ENOMEM) > 0);
	KEXPECT(t, enomem_sweep(t, "/builtin/uhello", NULL, false, SWEEP_STEP_BIG, W_EXITCODE(0),
	                        -ENOMEM) > 0);
}

/*
 * Run uhello execerr under a limit of @pages pages; check memory is back exactly; count an
 * ENOMEM from its execve in *@enomem. Returns 1 once the exec succeeded, else 0.
 */
static int execerr_at(struct ktest_ctx *t, unsigned pages, int *enomem)
{
	uint64_t free0, objs0, free1, objs1;

	stress_snapshot(&free0, &objs0);
	int st = run_limited((uint64_t)pages * PAGE_SIZE, 0, "/builtin/uhello", "execerr");
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
	if (st == W_EXITCODE(ENOMEM))
		(*enomem)++;
	else if (st == W_EXITCODE(4)) /* uhello args a b: argc */
		return 1;
	else
		KEXPECT(t, st == -ENOMEM || (st > 0 && (st & W_SIGNAL_MASK)));
	return 0;
}

KTEST(proc, execve_without_memory_fails_with_enomem_and_keeps_the_caller)
{
	int enomem = 0, done = 0;
	unsigned pages;

	run("/builtin/uhello", "execerr", NULL); /* warm up */
	/* A limit between what the program needs and what it needs plus its new image's first
	 * pages (page tables, the stack with the arguments: exec maps the program itself from
	 * the page cache) makes its execve of itself fail, and the caller reports ENOMEM. Below:
	 * the spawn fails, or the program runs out while running (killed); above: success. A
	 * coarse pass finds the first success, a fine one walks the step below it. */
	for (pages = 1; pages < 2 * SWEEP_PAGES_MAX && !done; pages += SWEEP_STEP_BIG)
		done = execerr_at(t, pages, &enomem);
	KEXPECT(t, done);
	for (unsigned p = pages > 2 * SWEEP_STEP_BIG ? pages - 2 * SWEEP_STEP_BIG : 1; p < pages;
	     p++)
		execerr_at(t, p, &enomem);
	KEXPECT(t, enomem > 0);
}

/* ---- parents, orphans, signals, ps ------------------------------------------------------ */

struct find_ctx {
	const char *comm;
	int not_pid;
	struct proc *found;
};

static void find_fn(const struct proc *p, void *ctx)
{
	struct find_ctx *f = ctx;

	if (p->state == PROC_RUNNING && p->pid != f->not_pid && !strcmp(p->comm, f->comm))
		f->found = (struct proc *)p;
}

/* A live process named @comm other than @not_pid, or NULL. */
static struct proc *find_proc(const char *comm, int not_pid)
{
	struct find_ctx f = { comm, not_pid, NULL };

	proc_for_each(find_fn, &f);
	return f.found;
}

#define YIELDS_MAX 100000 /* bound on yields while waiting for another task's next step */

/* Yield until process @pid is gone (collected or reaped). True when it is. */
static bool yield_until_gone(int pid)
{
	for (unsigned i = 0; i < YIELDS_MAX; i++) {
		uint32_t flags = irq_save();
		bool gone = proc_lookup(pid) == NULL;
		irq_restore(flags);
		if (gone)
			return true;
		task_yield();
	}
	return false;
}

/* Yield until live process @pid sleeps (its task BLOCKED). True when it does. */
static bool yield_until_asleep(int pid)
{
	for (unsigned i = 0; i < YIELDS_MAX; i++) {
		uint32_t flags = irq_save();
		struct proc *p = proc_lookup(pid);
		bool asleep = p && p->state == PROC_RUNNING && p->task->state == TASK_BLOCKED;
		irq_restore(flags);
		if (asleep)
			return true;
		task_yield();
	}
	return false;
}

KTEST(proc, kernel_children_have_parent_pid_1_and_never_pid_1)
{
	char *argv[] = { "/builtin/uhello", "pause", NULL };
	int status, pid = proc_spawn(argv[0], argv, NULL, false);

	KASSERT(t, pid > 0);
	KEXPECT(t, pid != 1); /* pid 1 is init's alone */
	uint32_t flags = irq_save();
	struct proc *p = proc_lookup(pid);
	KEXPECT(t, p && p->parent == NULL && proc_getppid(p) == 1);
	KEXPECT(t, p && p->pgid == 0 && p->sid == 0);
	irq_restore(flags);
	KEXPECT_EQ(t, proc_kill(pid, SIGKILL), 0);
	KEXPECT_EQ(t, proc_wait_kernel(pid, &status), 0);
	KEXPECT_EQ(t, status, W_SIGNALED(SIGKILL));
}

KTEST(proc, orphans_without_init_are_reaped_by_the_kernel)
{
	uint64_t free0, objs0, free1, objs1;

	run("/builtin/uhello", "orphan", NULL); /* warm up, and end that orphan */
	struct proc *o = find_proc("uhello", 0);
	if (o) {
		int opid = o->pid;
		proc_kill(opid, SIGKILL);
		KEXPECT(t, yield_until_gone(opid));
	}
	stress_snapshot(&free0, &objs0);
	KEXPECT_EQ(t, run("/builtin/uhello", "orphan", NULL), W_EXITCODE(0));
	o = find_proc("uhello", 0);
	KASSERT(t, o != NULL); /* its child, paused, now an orphan */
	int opid = o->pid;
	KEXPECT(t, o->parent == NULL && !o->kernel_child);
	KEXPECT_EQ(t, proc_getppid(o), 1);
	KEXPECT(t, yield_until_asleep(opid));
	KEXPECT_EQ(t, proc_kill(opid, SIGTERM), 0);
	KEXPECT(t, yield_until_gone(opid)); /* nobody waits: the kernel reaps it */
	KEXPECT_EQ(t, proc_wait_kernel(opid, NULL), -ECHILD);
	stress_snapshot(&free1, &objs1);
	KEXPECT_EQ(t, free1, free0);
	KEXPECT_EQ(t, objs1, objs0);
}

KTEST(proc, wait4_collects_the_child_before_a_bad_status_pointer_fails)
{
	KEXPECT_EQ(t, run("/builtin/uhello", "waitfault", NULL), W_EXITCODE(0));
}

KTEST(proc, blocked_signals_wait_and_ignored_ones_do_nothing)
{
	/* SIGUSR1 held by the mask, SIGTERM ignored, SIGCHLD ignored by default: the program
	 * dies of SIGUSR1 only when it unblocks it. */
	KEXPECT_EQ(t, run("/builtin/uhello", "mask", NULL), W_SIGNALED(SIGUSR1));
}

KTEST(proc, pause_sleeps_until_a_fatal_signal)
{
	char *argv[] = { "/builtin/uhello", "pause", NULL };
	int status, pid = proc_spawn(argv[0], argv, NULL, false);

	KASSERT(t, pid > 0);
	KEXPECT(t, yield_until_asleep(pid));
	KEXPECT_EQ(t, proc_kill(pid, SIGCHLD), 0); /* ignored: discarded, no wake-up */
	KEXPECT_EQ(t, proc_kill(pid, SIGWINCH), 0);
	task_yield();
	uint32_t flags = irq_save();
	struct proc *p = proc_lookup(pid);
	KEXPECT(t, p && p->state == PROC_RUNNING && p->task->state == TASK_BLOCKED);
	KEXPECT(t, p && p->sig_pending == 0);
	irq_restore(flags);
	KEXPECT_EQ(t, proc_kill(pid, SIGHUP), 0);
	KEXPECT_EQ(t, proc_wait_kernel(pid, &status), 0);
	KEXPECT_EQ(t, status, W_SIGNALED(SIGHUP));
}

KTEST(proc, ps_line_and_run_status_text)
{
	char *argv[] = { "/builtin/uhello", "pause", NULL };
	char line[128], want[64];
	int status, pid = proc_spawn(argv[0], argv, NULL, false);

	KASSERT(t, pid > 0);
	KEXPECT(t, yield_until_asleep(pid));
	uint32_t flags = irq_save();
	struct proc *p = proc_lookup(pid);
	if (p)
		proc_ps_line(line, sizeof(line), p);
	irq_restore(flags);
	KASSERT(t, p != NULL);
	ksnprintf(want, sizeof(want), "%5d     1 S     uhello ", pid);
	KEXPECT(t, strncmp(line, want, strlen(want)) == 0);
	KEXPECT_EQ(t, proc_kill(pid, SIGKILL), 0);
	KEXPECT_EQ(t, proc_wait_kernel(pid, &status), 0);

	proc_status_str(line, sizeof(line), "run: /x", W_SIGNALED(SIGSEGV));
	KEXPECT_STREQ(t, line, "run: /x killed by signal 11 (SIGSEGV)");
	proc_status_str(line, sizeof(line), "run: /x", W_EXITCODE(3));
	KEXPECT_STREQ(t, line, "run: /x exited with status 3");
	proc_status_str(line, sizeof(line), "run: /x", W_SIGNALED(SIGABRT));
	KEXPECT_STREQ(t, line, "run: /x killed by signal 6 (SIGABRT)");
}
