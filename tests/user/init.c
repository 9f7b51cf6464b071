/*
 * tests/user/init.c: the user-space test runner, /test/init in build/test-initramfs.cpio.
 *
 * Booted as the first process (`init=/test/init` on Strata, `rdinit=/test/init` on Linux),
 * it runs every test program /test/t_* in name order, each in its own process (fork +
 * execve with argv {path, NULL} and a small fixed environment, then wait4), and prints KTAP:
 *
 *   KTAP version 1
 *   1..N
 *       ok 1 what the test checked          <- the test program's own indented lines
 *   ok 1 t_name                             <- exit status 0
 *   not ok 2 t_other # exit status 3        <- or: # killed by signal 11
 *   N passed, M failed
 *
 * then syncs and powers the machine off (reboot(2) with LINUX_REBOOT_CMD_POWER_OFF), so
 * QEMU exits with status 0 and the host reads the verdict from the log.
 *
 * `--deadline=SECONDS` bounds each test (used only for the run under fault injection, where
 * a test that lost a fork or a pipe write to an injected failure may wait forever for a peer
 * that never came): each test then runs in its own process group, and a test still running
 * after SECONDS is killed with its whole group ("not ok N t_x # deadline: killed after N s").
 * It is a hang guard, not a verdict: that run judges the kernel, not the tests.
 *
 * Arguments that start with "t_" select tests by name (`/test/init t_fork t_brk`); "bench_"
 * names a benchmark program in /test the same way (tools/bench-user.sh boots
 * `/test/init bench_syscalls`, so a benchmark gets the console and the power-off too). A name
 * with no program behind it is "not ok ... # no such test". Other arguments (the kernel may
 * pass stray command-line words) are reported and ignored. When file descriptor 1 is not
 * open (a kernel that gives init no console) it opens /dev/console for 0, 1 and 2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_DIR     "/test"
#define MAX_TESTS    256
#define NAME_MAX_LEN 64

static char *const test_envp[] = { "HOME=/", "PATH=/bin:/test", "TERM=linux", NULL };

/* printf straight to fd 1, unbuffered, so our lines and the children's never interleave
 * out of order. */
static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (int done = 0; done < n;) {
		ssize_t w = write(1, buf + done, (size_t)(n - done));
		if (w <= 0 && errno != EINTR)
			return;
		if (w > 0)
			done += (int)w;
	}
}

static void console_if_needed(void)
{
	int fd;

	if (fcntl(1, F_GETFD) != -1)
		return;
	fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		return; /* nowhere to report; carry on so the power-off still happens */
	for (int i = 0; i < 3; i++)
		if (i != fd)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every /test/t_* regular file, sorted; returns how many (at most MAX_TESTS). */
static int find_tests(char **names)
{
	DIR *d = opendir(TEST_DIR);
	struct dirent *e;
	int n = 0;

	if (!d) {
		out("# cannot open " TEST_DIR ": %s\n", strerror(errno));
		return 0;
	}
	while ((e = readdir(d)) != NULL && n < MAX_TESTS) {
		if (strncmp(e->d_name, "t_", 2) != 0 || strlen(e->d_name) >= NAME_MAX_LEN)
			continue;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	return n;
}

/* A program the command line may name: t_* (a test) or bench_* (a benchmark), no '/'. */
static int selectable(const char *name)
{
	return (strncmp(name, "t_", 2) == 0 || strncmp(name, "bench_", 6) == 0) &&
	       strlen(name) < NAME_MAX_LEN && !strchr(name, '/');
}

static long deadline_s; /* --deadline=SECONDS: 0 for none */

/* Seconds on the monotonic clock. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait for test @pid within the deadline (its process group killed past it). Returns
 * wait4's result with *@status, or -1; *@late is set when it was killed for the deadline.
 */
static pid_t wait_bounded(pid_t pid, int *status, int *late)
{
	double end = now_s() + (double)deadline_s;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	pid_t r;

	*late = 0;
	while ((r = wait4(pid, status, WNOHANG, NULL)) == 0) {
		if (now_s() > end) {
			kill(-pid, SIGKILL);
			*late = 1;
			return wait4(pid, status, 0, NULL);
		}
		nanosleep(&tick, NULL);
	}
	return r;
}

/* Run one test program; print its result line; true when it passed. */
static int run_one(int num, const char *name)
{
	char path[sizeof(TEST_DIR) + NAME_MAX_LEN + 1];
	struct stat st;
	int status;
	pid_t pid;

	snprintf(path, sizeof(path), TEST_DIR "/%s", name);
	if (stat(path, &st) != 0) {
		out("not ok %d %s # no such test\n", num, name);
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		out("not ok %d %s # fork failed: %s\n", num, name, strerror(errno));
		return 0;
	}
	if (pid == 0) {
		char *const argv[] = { path, NULL };
		if (deadline_s)
			setpgid(0, 0);
		execve(path, argv, test_envp);
		out("# execve %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	int late = 0;
	if (deadline_s) {
		setpgid(pid, pid); /* either this or the child's own call makes the group */
		if (wait_bounded(pid, &status, &late) < 0) {
			out("not ok %d %s # wait4 failed: %s\n", num, name, strerror(errno));
			return 0;
		}
	}
	while (!deadline_s && wait4(pid, &status, 0, NULL) < 0) {
		if (errno != EINTR) {
			out("not ok %d %s # wait4 failed: %s\n", num, name, strerror(errno));
			return 0;
		}
	}
	if (late) {
		out("not ok %d %s # deadline: killed after %ld s\n", num, name, deadline_s);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		out("ok %d %s\n", num, name);
		return 1;
	}
	if (WIFEXITED(status))
		out("not ok %d %s # exit status %d\n", num, name, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		out("not ok %d %s # killed by signal %d\n", num, name, WTERMSIG(status));
	else
		out("not ok %d %s # wait status %#x\n", num, name, status);
	return 0;
}

int main(int argc, char **argv)
{
	static char *names[MAX_TESTS];
	int n = 0, passed = 0, failed = 0;

	console_if_needed();
	out("KTAP version 1\n");
	for (int i = 1; i < argc && n < MAX_TESTS; i++) {
		if (strncmp(argv[i], "--deadline=", 11) == 0)
			deadline_s = atol(argv[i] + 11);
		else if (selectable(argv[i]))
			names[n++] = argv[i];
		else
			out("# ignoring argument '%s' (tests are named t_*)\n", argv[i]);
	}
	if (n == 0)
		n = find_tests(names);

	out("1..%d\n", n);
	for (int i = 0; i < n; i++) {
		if (run_one(i + 1, names[i]))
			passed++;
		else
			failed++;
	}
	out("%d passed, %d failed\n", passed, failed);

	sync();
	/* The raw system call: glibc's reboot() passes the magic numbers itself. */
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF,
	        0);
	out("# power-off failed: %s\n", strerror(errno));
	for (;;)
		pause(); /* init must not exit */
}
