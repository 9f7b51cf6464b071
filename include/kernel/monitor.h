/*
 * monitor: the command prompt on the serial console.
 *
 * Commands live in a table (the .monitor_cmds linker section) that each subsystem extends
 * from its own file:
 *
 *     static int cmd_uptime(int argc, char **argv) { ...; return 0; }
 *     MONITOR_COMMAND(uptime, "uptime", "time since boot", cmd_uptime);
 *
 * A command returns 0, or a negative errno after printing its own one-line error; the
 * monitor then prints nothing more. Bad input never crashes the monitor.
 */
#ifndef STRATA_KERNEL_MONITOR_H
#define STRATA_KERNEL_MONITOR_H

#define MONITOR_LINE_MAX 128 /* bytes in a command line, NUL included */
#define MONITOR_ARGS_MAX 8

struct monitor_cmd {
	const char *name;
	const char *usage;  /* "crash pagefault|divide|panic|stack" */
	const char *help;   /* one line */
	int (*fn)(int argc, char **argv);
};

#define MONITOR_COMMAND(id, usage_, help_, fn_)                                          \
	static const struct monitor_cmd monitor_cmd_##id                                 \
		__attribute__((used, section(".monitor_cmds"), aligned(4))) = {          \
			#id, usage_, help_, fn_ }

/* Feed one received byte to the line editor; runs the command on Enter. */
void monitor_input(int c);

/* Print the prompt (once at start). */
void monitor_start(void);

/* Run one complete command line (used by monitor_input and by tests). Returns its result. */
int monitor_exec(char *line);

#endif
