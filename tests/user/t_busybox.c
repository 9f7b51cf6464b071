/* t_busybox: Debian's static busybox (an unmodified third-party binary) runs: fork+exec of
 * /bin/busybox (or $STRATA_BUSYBOX) for echo, true/false, sh -c with an exit code and a
 * self-kill, cat of a data file and ls of the data directory, each checked by its output
 * (through a pipe) and its wait status. Skipped with a message if busybox is absent. */
#define _GNU_SOURCE
#include "common.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *busybox(void)
{
	const char *b = getenv("STRATA_BUSYBOX");
	return b && *b ? b : "/bin/busybox";
}

/* Runs busybox with argv (argv[0] is the applet name busybox sees), output into out. */
static int bb(char *const argv[], char *out, size_t cap)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		char *envp[] = { "PATH=/bin", NULL };
		execve(busybox(), argv, envp);
		_exit(127);
	}
	close(p[1]);
	long n = read_all(p[0], out, cap - 1);
	close(p[0]);
	out[n < 0 ? 0 : n] = 0;
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

int main(void)
{
	if (access(busybox(), X_OK) != 0) {
		skip("busybox runs # SKIP %s is absent", busybox());
		return done();
	}
	char out[4096];
	char *echo[] = { "busybox", "echo", "hello", NULL };
	int st = bb(echo, out, sizeof out);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, "hello\n") == 0,
	      "busybox echo hello prints \"hello\\n\" and exits 0 (%s)", status_str(st));
	char *t[] = { "busybox", "true", NULL }, *f[] = { "busybox", "false", NULL };
	st = bb(t, out, sizeof out);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "busybox true exits 0 (%s)", status_str(st));
	st = bb(f, out, sizeof out);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 1, "busybox false exits 1 (%s)", status_str(st));
	char *sh[] = { "sh", "-c", "echo from sh; exit 7", NULL };
	st = bb(sh, out, sizeof out);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 7 && strcmp(out, "from sh\n") == 0,
	      "busybox sh -c 'echo from sh; exit 7' prints and exits 7 (%s)", status_str(st));
	char *k[] = { "sh", "-c", "kill -TERM $$", NULL };
	st = bb(k, out, sizeof out);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "busybox sh -c 'kill -TERM $$' dies of SIGTERM (%s)", status_str(st));
	char hello[512];
	snprintf(hello, sizeof hello, "%s", data_path("hello.txt"));
	char *cat[] = { "cat", hello, NULL };
	st = bb(cat, out, sizeof out);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, HELLO_TEXT) == 0,
	      "busybox cat hello.txt prints its content (%s)", status_str(st));
	char dir[512];
	snprintf(dir, sizeof dir, "%s", data_dir());
	char *ls[] = { "ls", "-1", dir, NULL };
	st = bb(ls, out, sizeof out);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strstr(out, "hello.txt\n") &&
	          strstr(out, "link\n") && strstr(out, "dir\n"),
	      "busybox ls -1 of the data dir lists hello.txt, link and dir (%s)", status_str(st));
	char *pipeline[] = { "sh", "-c", "echo piped | /bin/busybox cat", NULL };
	if (!strcmp(busybox(), "/bin/busybox")) {
		st = bb(pipeline, out, sizeof out);
		check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, "piped\n") == 0,
		      "busybox sh runs a pipeline into busybox cat (%s)", status_str(st));
	}
	return done();
}
