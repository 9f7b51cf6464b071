/* t_cycles: process lifetimes do not leak. 1,000 fork+exit+wait cycles and 1,000
 * fork+exec+exit+wait cycles (the child re-executes this program, which exits with a code
 * chosen by the parent) each return the right status every time, and (Strata only) leave
 * sysinfo's free memory exactly at the baseline taken after a warm-up. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { CYCLES = 1000, WARMUP = 10 };

static int cycle(const char *self, int i, int with_exec)
{
	char code[16];
	snprintf(code, sizeof code, "%d", i % 200);
	char *argv[] = { "t_cycles", "--exit", code, NULL };
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		if (with_exec) {
			execve(self, argv, environ);
			_exit(250);
		}
		_exit(i % 200);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == i % 200;
}

static void run(const char *self, int with_exec, const char *what)
{
	fflush(stdout);
	unsigned long long base = 0;
	int good = 0;
	for (int i = 0; i < WARMUP + CYCLES; i++) {
		if (i == WARMUP)
			base = free_ram_bytes();
		good += cycle(self, i, with_exec);
	}
	check(good == WARMUP + CYCLES, "%d %s cycles all end with the chosen exit code (%d good)",
	      WARMUP + CYCLES, what, good);
	char desc[96];
	snprintf(desc, sizeof(desc), "%d %s cycles", CYCLES, what);
	check_free_ram_back(base, desc);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--exit"))
		return atoi(argv[2]);
	const char *self = strdup(test_path("t_cycles"));
	/* A first check before any baseline: its counters' page is then already written (pages
	 * come on first write, so a later first check would move free memory by a page). */
	check(self != NULL, "the test's own path is %s", self ? self : "(none)");
	run(self, 0, "fork+exit+wait");
	run(self, 1, "fork+exec+exit+wait");
	int st;
	check_err(waitpid(-1, &st, WNOHANG), ECHILD, "no child is left behind");
	return done();
}
