/* Shared helpers for the user-space tests (see common.h): KTAP-style check lines, the failure
 * count that becomes the exit code, Strata detection, free-memory probe, forked children. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static int n_checks, n_failed, n_skipped;

/* Line-buffered stdout whatever it is (tty, pipe, file), so a fork never duplicates output. */
__attribute__((constructor)) static void common_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static void vline(const char *status, const char *fmt, va_list ap, const char *suffix)
{
	printf("    %s %d ", status, ++n_checks);
	vprintf(fmt, ap);
	printf("%s\n", suffix);
}

int check(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(cond ? "ok" : "not ok", fmt, ap, "");
	va_end(ap);
	if (!cond)
		n_failed++;
	return !!cond;
}

int check_err(long r, int err, const char *fmt, ...)
{
	int e = errno;
	int ok = r == -1 && e == err;
	char suffix[96];
	if (ok)
		snprintf(suffix, sizeof suffix, " (%s)", strerrorname_np(err));
	else
		snprintf(suffix, sizeof suffix, " (want -1 %s, got %ld errno %s)",
		         strerrorname_np(err), r, r == -1 ? strerrorname_np(e) : "-");
	va_list ap;
	va_start(ap, fmt);
	vline(ok ? "ok" : "not ok", fmt, ap, suffix);
	va_end(ap);
	if (!ok)
		n_failed++;
	errno = e;
	return ok;
}

void skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline("ok", fmt, ap, strstr(fmt, "# SKIP") ? "" : " # SKIP");
	va_end(ap);
	n_skipped++;
}

void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("    # ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

int done(void)
{
	printf("    # %d checks, %d failed, %d skipped\n", n_checks, n_failed, n_skipped);
	fflush(stdout);
	return n_failed > 255 ? 255 : n_failed;
}

int is_strata(void)
{
	struct utsname u;
	return uname(&u) == 0 && strcmp(u.sysname, "Strata") == 0;
}

int is_x86_64_host(void)
{
	struct utsname u;
	return uname(&u) == 0 && strcmp(u.machine, "x86_64") == 0;
}

unsigned long long free_ram_bytes(void)
{
	struct sysinfo si;
	if (sysinfo(&si) != 0)
		return 0;
	return (unsigned long long)si.freeram * (si.mem_unit ? si.mem_unit : 1);
}

unsigned long long settled_free_ram(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			note("drop_caches: %s", strerror(errno));
		close(fd);
	}
	return free_ram_bytes();
}

extern const char __executable_start[], _end[];

void prefault_image(void)
{
	volatile char stack[64 * 1024];
	unsigned sum = 0;

	for (const char *p = __executable_start; p < _end; p += 4096)
		sum += *(const volatile char *)p;
	for (unsigned i = 0; i < sizeof(stack); i += 4096)
		stack[i] = (char)sum;
}

/* check_free_ram_back's body, with free RAM read by @now. */
static int check_ram_back(unsigned long long base, const char *what,
                          unsigned long long (*now)(void))
{
	if (!is_strata()) {
		skip("free RAM after %s is exactly the baseline # SKIP exact free-memory count is "
		     "Strata-only",
		     what);
		return 1;
	}
	unsigned long long v = now();
	return check(v == base, "free RAM after %s is exactly the baseline (%llu, was %llu)", what,
	             v, base);
}

int check_free_ram_back(unsigned long long base, const char *what)
{
	return check_ram_back(base, what, free_ram_bytes);
}

int check_settled_ram_back(unsigned long long base, const char *what)
{
	return check_ram_back(base, what, settled_free_ram);
}

int run_child_arg(void (*fn)(void *), void *arg)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return wait_pid(pid);
}

void recv1(int fd)
{
	char c;
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

int wait_pid(pid_t pid)
{
	int st;
	pid_t w;
	do
		w = waitpid(pid, &st, 0);
	while (w < 0 && errno == EINTR);
	return w == pid ? st : -1;
}

int clean(int st)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void call_plain(void *fn)
{
	((void (*)(void))fn)();
}

int run_child(void (*fn)(void))
{
	return run_child_arg(call_plain, (void *)fn);
}

const char *status_str(int status)
{
	static char buf[4][64];
	static int i;
	char *b = buf[i++ & 3];
	if (status == -1)
		snprintf(b, 64, "fork/wait failed");
	else if (WIFEXITED(status))
		snprintf(b, 64, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(b, 64, "signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(b, 64, "status 0x%x", status);
	return b;
}

const char *test_dir(void)
{
	const char *d = getenv("STRATA_TEST_DIR");
	return d && *d ? d : "/test";
}

const char *data_dir(void)
{
	static char buf[512];
	const char *d = getenv("STRATA_TEST_DATA");
	if (d && *d)
		return d;
	if (!buf[0])
		snprintf(buf, sizeof buf, "%s/data", test_dir());
	return buf;
}

static const char *join(const char *dir, const char *name)
{
	static char buf[8][512];
	static int i;
	char *b = buf[i++ & 7];
	snprintf(b, 512, "%s/%s", dir, name);
	return b;
}

const char *test_path(const char *name)
{
	return join(test_dir(), name);
}

const char *data_path(const char *name)
{
	return join(data_dir(), name);
}

long read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += r;
	}
	return n;
}

static int mounted_proc; /* proc_mount mounted /proc: proc_unmount unmounts it */

int proc_mount(void)
{
	if (access("/proc/meminfo", R_OK) == 0)
		return 1;
	mounted_proc = mount("proc", "/proc", "proc", 0, NULL) == 0;
	return access("/proc/meminfo", R_OK) == 0;
}

void proc_unmount(void)
{
	if (mounted_proc)
		check(umount("/proc") == 0, "/proc, mounted here, is unmounted again");
	mounted_proc = 0;
}

int sysctl_get(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 ? atoi(buf) : -1;
}

long sysctl_put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	long n = fd < 0 ? -1 : write(fd, text, strlen(text));
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
	return n;
}

long proc_number(const char *path, const char *field)
{
	char buf[16384]; /* on the stack: a static buffer would grow every test's .bss */
	size_t len = strlen(field);
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read_all(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (char *l = buf; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, field, len) == 0)
			return strtol(l + len, NULL, 10);
	return -1;
}
