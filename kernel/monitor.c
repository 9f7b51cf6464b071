/*
 * monitor: line editor and command dispatcher for the serial console.
 *
 * Line editing: printable bytes are appended and echoed; Backspace/DEL erases one; Ctrl-U
 * erases the line; CR or LF ends it (an LF right after a CR is ignored). A line longer than
 * MONITOR_LINE_MAX - 1 is discarded whole with one error when it ends. Commands come from
 * the .monitor_cmds table; `help` lists it.
 * State: touched only from the main loop (never from interrupts), so no locking.
 */
#include "kernel/monitor.h"

#include "lib/compiler.h"
#include "lib/console.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PROMPT    "strata> "
#define CTRL_U    0x15
#define BACKSPACE 0x08
#define DEL       0x7F

static char line[MONITOR_LINE_MAX];
static unsigned len;
static bool overflowed;
static bool last_was_cr;

void monitor_start(void)
{
	kprintf("\nStrata monitor: type 'help' for commands.\n" PROMPT);
}

static const struct monitor_cmd *find_command(const char *name)
{
	for (const struct monitor_cmd *c = __monitor_cmds_start; c < __monitor_cmds_end; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return 0;
}

int monitor_exec(char *text)
{
	char *argv[MONITOR_ARGS_MAX + 1];
	int argc = 0;
	char *p = text;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == MONITOR_ARGS_MAX) {
			kprintf("monitor: too many arguments (at most %d)\n", MONITOR_ARGS_MAX - 1);
			return -E2BIG;
		}
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	argv[argc] = 0;
	if (argc == 0)
		return 0;
	const struct monitor_cmd *cmd = find_command(argv[0]);
	if (!cmd) {
		kprintf("monitor: unknown command '%s' (try 'help')\n", argv[0]);
		return -ENOENT;
	}
	return cmd->fn(argc, argv);
}

static void end_of_line(void)
{
	kprintf("\n");
	if (overflowed)
		kprintf("monitor: line too long (at most %d characters); ignored\n",
		        MONITOR_LINE_MAX - 1);
	else {
		line[len] = '\0';
		monitor_exec(line);
	}
	len = 0;
	overflowed = false;
	kprintf(PROMPT);
}

void monitor_input(int c)
{
	bool after_cr = last_was_cr;

	last_was_cr = c == '\r';
	if (c == '\n' && after_cr)
		return;
	if (c == '\r' || c == '\n') {
		end_of_line();
	} else if (c == BACKSPACE || c == DEL) {
		if (len > 0 && !overflowed) {
			len--;
			kprintf("\b \b");
		}
	} else if (c == CTRL_U) {
		while (len > 0 && !overflowed) {
			len--;
			kprintf("\b \b");
		}
	} else if (c >= ' ' && c < DEL) {
		if (len + 1 < MONITOR_LINE_MAX) {
			line[len++] = (char)c;
			console_write((const char *)&line[len - 1], 1);
		} else {
			overflowed = true;
		}
	}
	/* other control bytes are ignored */
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("Commands:\n");
	for (const struct monitor_cmd *c = __monitor_cmds_start; c < __monitor_cmds_end; c++)
		kprintf("  %-34s %s\n", c->usage, c->help);
	return 0;
}
MONITOR_COMMAND(help, "help", "list the commands", cmd_help);
