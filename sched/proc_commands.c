/*
 * proc commands: the monitor's `run PATH [ARGS...]` and the process half of `ps`.
 *
 * `run` starts PATH as a kernel child in the foreground: the monitor waits (the serial input
 * then goes to the program whenever it reads fd 0) and prints how it ended:
 *   run: /builtin/uhello exited with status 0
 *   run: /builtin/tiny_fault killed by signal 11 (SIGSEGV)
 */
#include "lib/console.h"
#include "lib/command.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "mm/layout.h"
#include "mm/vm.h"
#include "sched/proc.h"

#define KB_SHIFT          10
#define PROC_RUN_LINE_MAX 160 /* "run: " and the path */

/* Print how a process with wait @status ended, after @who ("run: /bin/x"). */
void proc_print_status(const char *who, int status)
{
	int sig = status & W_SIGNAL_MASK;

	if (sig)
		kprintf("%s killed by signal %d (%s)\n", who, sig, signal_name(sig));
	else
		kprintf("%s exited with status %d\n", who, (status >> W_CODE_SHIFT) & W_CODE_MASK);
}

static int cmd_run(int argc, char **argv)
{
	static char *const envp[] = { "HOME=/", "PATH=/bin:/sbin:/usr/bin", "TERM=vt100", NULL };
	char who[PROC_RUN_LINE_MAX];
	int status, pid;

	if (argc < 2) {
		kprintf("usage: run PATH [ARGS...]\n");
		return -EINVAL;
	}
	pid = proc_spawn(argv[1], &argv[1], envp, false);
	if (pid < 0) {
		kprintf("run: cannot run %s: error %d\n", argv[1], pid);
		return pid;
	}
	proc_wait_kernel(pid, &status);
	ksnprintf(who, sizeof(who), "run: %s", argv[1]);
	proc_print_status(who, status);
	return 0;
}
MONITOR_COMMAND(run, "run PATH [ARGS...]",
                "run a program in the foreground and print its exit status", cmd_run);

static void ps_proc_line(const struct proc *p, void *ctx)
{
	(void)ctx;
	kprintf("%5d %5d  %-15s %-8s %8llu %8u\n", p->pid, p->parent ? p->parent->pid : 0, p->comm,
	        p->state == PROC_ZOMBIE ? "zombie" : "running",
	        p->vm ? (unsigned long long)(vm_size_bytes(p->vm) >> KB_SHIFT) : 0ULL,
	        p->vm ? p->vm->rss_pages * (PAGE_SIZE >> KB_SHIFT) : 0u);
}

void proc_ps_print(void)
{
	kprintf("%5s %5s  %-15s %-8s %8s %8s\n", "PID", "PPID", "NAME", "STATE", "VSZ(kB)",
	        "RSS(kB)");
	proc_for_each(ps_proc_line, 0);
}
