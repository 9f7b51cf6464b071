/*
 * command: how a subsystem adds a command to the monitor, from its own file, without
 * including the monitor. The monitor (kernel/monitor.c, the top layer) iterates the table;
 * the subsystems beside it (mm/commands.c, sched/commands.c) only add rows:
 *
 *     static int cmd_uptime(int argc, char **argv) { kprintf(...); return 0; }
 *     MONITOR_COMMAND(uptime, "uptime", "time since boot", cmd_uptime);
 *
 * The rows go to the .monitor_cmds linker section (linker.ld brackets it with
 * __monitor_cmds_start/__monitor_cmds_end). A command prints with kprintf (lib/console.h,
 * included here) and returns 0, or a negative errno after printing its own one-line error;
 * the monitor then prints nothing more.
 */
#ifndef STRATA_LIB_COMMAND_H
#define STRATA_LIB_COMMAND_H

#include "lib/console.h"

struct monitor_cmd {
	const char *name;
	const char *usage; /* "crash pagefault|divide|panic|stack" */
	const char *help;  /* one line */
	int (*fn)(int argc, char **argv);
};

#define MONITOR_COMMAND(id, usage_, help_, fn_)                                                    \
	static const struct monitor_cmd monitor_cmd_##id                                           \
	    __attribute__((used, section(".monitor_cmds"), aligned(4))) = { #id, usage_, help_,    \
		                                                            fn_ }

/* The table, in link order (defined by linker.ld). */
extern const struct monitor_cmd __monitor_cmds_start[], __monitor_cmds_end[];

#endif
