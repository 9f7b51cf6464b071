/*
 * run command: the monitor's `run PATH [ARGS...] [&]`.
 *
 * In the foreground, PATH starts as the leader of a new session whose controlling terminal
 * is the console, its group in the foreground (include/fs/tty.h: as getty and login set a
 * shell up), and the serial input goes to the console's line discipline until it ends; the
 * monitor waits, takes the input back (with what the program left unread) and prints how it
 * ended:
 *   run: /builtin/uhello exited with status 0
 *   run: /builtin/tiny_fault killed by signal 11 (SIGSEGV)
 * So `run /bin/sh` is an interactive shell with job control, and `exit` comes back here.
 * With a last argument "&" it runs in the background, in the kernel's session and group 0
 * with no controlling terminal: the monitor prints its pid and goes on (for `limit PID`,
 * `oomadj PID`, `pmap PID` on it); nobody waits for it, the kernel frees it when it ends.
 */
#include "fs/tty.h"
#include "lib/command.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "sched/proc.h"

#define RUN_LINE_MAX 160 /* "run: " and the path */

/* The foreground program, published and not yet running: give it the console. */
static void take_console(struct proc *p, void *ctx)
{
	(void)ctx;
	tty_foreground_begin(p->sid, p->pgid);
}

static int cmd_run(int argc, char **argv)
{
	static char *const envp[] = { "HOME=/", "PATH=/bin:/sbin:/usr/bin", "TERM=vt100", NULL };
	char who[RUN_LINE_MAX];
	int status, pid;

	bool background = argc > 2 && !strcmp(argv[argc - 1], "&");

	if (background)
		argv[--argc] = NULL;
	if (argc < 2) {
		kprintf("usage: run PATH [ARGS...] [&]\n");
		return -EINVAL;
	}
	if (background) {
		pid = proc_spawn(argv[1], &argv[1], envp, false);
	} else {
		const struct spawn_opts o = { .new_session = true, .before_start = take_console };
		pid = proc_spawn_opts(argv[1], &argv[1], envp, &o);
	}
	if (pid < 0) {
		kprintf("run: cannot run %s: error %d\n", argv[1], pid);
		return pid;
	}
	if (background) {
		proc_detach_kernel(pid);
		kprintf("run: %s started in the background, pid %d\n", argv[1], pid);
		return 0;
	}
	proc_wait_kernel(pid, &status);
	tty_foreground_end();
	ksnprintf(who, sizeof(who), "run: %s", argv[1]);
	proc_print_status(who, status);
	return 0;
}
MONITOR_COMMAND(run, "run PATH [ARGS...] [&]",
                "run a program and print its exit status (&: in the background, print its pid)",
                cmd_run);
