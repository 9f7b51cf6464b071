/*
 * monitor: the command prompt on the serial console.
 *
 * Commands live in a table (the .monitor_cmds linker section) that each subsystem extends
 * from its own file with MONITOR_COMMAND (include/lib/command.h, so a subsystem never
 * includes this header). The monitor reads lines, splits them into words and runs the
 * matching row. Bad input never crashes the monitor.
 */
#ifndef STRATA_KERNEL_MONITOR_H
#define STRATA_KERNEL_MONITOR_H

#include "lib/command.h"

#define MONITOR_LINE_MAX 128 /* bytes in a command line, NUL included */
#define MONITOR_ARGS_MAX 8

/* Feed one received byte to the line editor; runs the command on Enter. */
void monitor_input(int c);

/* Print the prompt (once at start). */
void monitor_start(void);

/* Run one complete command line (used by monitor_input and by tests). Returns its result:
 * 0, the command's negative errno, -ENOENT for an unknown command, -E2BIG for too many words. */
int monitor_exec(char *line);

#endif
