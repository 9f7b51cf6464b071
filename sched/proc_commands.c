/*
 * proc commands: the monitor's `run PATH [ARGS...]` and the process half of `ps` (after the
 * task table: PID, PPID, STATE as Linux's letters R/S/Z, NAME, VSZ and RSS in kB).
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
#define PS_LINE_MAX       96  /* one process line of ps */

void proc_status_str(char *buf, unsigned size, const char *who, int status)
{
	int sig = status & W_SIGNAL_MASK;

	if (sig)
		ksnprintf(buf, size, "%s killed by signal %d (%s)", who, sig, signal_name(sig));
	else
		ksnprintf(buf, size, "%s exited with status %d", who,
		          (status >> W_CODE_SHIFT) & W_CODE_MASK);
}

void proc_print_status(const char *who, int status)
{
	char line[PROC_RUN_LINE_MAX + sizeof(" killed by signal NN (SIGWINCH)")];

	proc_status_str(line, sizeof(line), who, status);
	kprintf("%s\n", line);
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

/* ps's state letter, as Linux's: R running or runnable, S sleeping, Z zombie. */
static char ps_state(const struct proc *p)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
	return p->task && p->task->state == TASK_BLOCKED ? 'S' : 'R';
}

void proc_ps_line(char *buf, unsigned size, const struct proc *p)
{
	ksnprintf(buf, size, "%5d %5d %c     %-15s %8llu %8u", p->pid, proc_getppid(p), ps_state(p),
	          p->comm, p->vm ? (unsigned long long)(vm_size_bytes(p->vm) >> KB_SHIFT) : 0ULL,
	          p->vm ? p->vm->rss_pages * (PAGE_SIZE >> KB_SHIFT) : 0u);
}

static void ps_proc_line(const struct proc *p, void *ctx)
{
	char line[PS_LINE_MAX];

	(void)ctx;
	proc_ps_line(line, sizeof(line), p);
	kprintf("%s\n", line);
}

void proc_ps_print(void)
{
	kprintf("\n%5s %5s %-5s %-15s %8s %8s\n", "PID", "PPID", "STATE", "NAME", "VSZ(kB)",
	        "RSS(kB)");
	proc_for_each(ps_proc_line, 0);
}
