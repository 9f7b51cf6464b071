/* t_exec: execve of a program succeeds (the pid stays, fds without O_CLOEXEC stay open and
 * those with it close, ignored signals stay ignored and caught ones revert to default), and
 * each failure returns its errno with the calling image intact: ENOENT (missing path, empty
 * path), EACCES (file without exec permission, directory), ENOEXEC (text file with exec
 * permission, an x86_64 ELF, an ELF for another machine, a dynamic executable with PT_INTERP),
 * ENOTDIR, ENAMETOOLONG, E2BIG (one huge argument, arguments beyond the total limit) and
 * EFAULT (bad path, argv, argv[i], envp pointers); a bss that starts in the page the text
 * segment ends in reads as zeros (data/bsspage). Needs the /test/data files in README. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static long sys_execve(const void *path, const void *argv, const void *envp)
{
	return syscall(SYS_execve, path, argv, envp);
}

/* The calling image's canaries: a global, a heap block, a stack array, an open fd. */
static volatile unsigned int g_canary = 0x5ca1ab1e;
static unsigned char *heap_canary;
static int canary_fd = -1;

static int image_intact(const unsigned char *stack_canary)
{
	int ok = g_canary == 0x5ca1ab1e;
	for (int i = 0; i < 4096; i++)
		ok &= heap_canary[i] == (unsigned char)(i ^ 0x3c) &&
		      stack_canary[i] == (unsigned char)(i ^ 0xc3);
	struct stat st;
	ok &= fstat(canary_fd, &st) == 0;
	return ok;
}

static unsigned char *g_stack_canary;

/* Tries the exec and checks both the errno and that this image survived. */
static void exec_fails(const void *path, const void *argv, const void *envp, int err,
                       const char *what)
{
	errno = 0;
	long r = sys_execve(path, argv, envp);
	check_err(r, err, "execve %s fails", what);
	(void)check(image_intact(g_stack_canary),
	            "  ... and the calling image is intact afterwards");
}

static void exec_data(const char *name, int err, const char *what)
{
	const char *path = data_path(name);
	if (!strchr(name, '/') && access(path, F_OK) != 0 && err != ENOENT) {
		skip("execve %s # SKIP %s is missing from the test data", what, path);
		return;
	}
	char *argv[] = { (char *)path, NULL };
	exec_fails(path, argv, environ, err, what);
}

/* Runs path in a forked child; returns the wait status (exit 120 = execve itself failed). */
static int run_path(const char *path, char *const argv[], char *const envp[])
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(120);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

static void on_int(int sig)
{
	(void)sig;
	_exit(99);
}

static int helper(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--exit"))
		return atoi(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "--report")) {
		/* argv: --report <pipe fd> <inherited fd> <cloexec fd> */
		int out = atoi(argv[2]);
		struct stat st;
		long v[3] = { getpid(), fstat(atoi(argv[3]), &st) == 0,
			      fstat(atoi(argv[4]), &st) == -1 && errno == EBADF };
		write(out, v, sizeof v);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--signals")) {
		kill(getpid(), SIGTERM); /* ignored before exec: stays ignored */
		kill(getpid(), SIGINT);  /* caught before exec: default now, so this kills */
		return 7;
	}
	return 200;
}

static void build_canaries(unsigned char *stack)
{
	heap_canary = malloc(4096);
	for (int i = 0; i < 4096; i++) {
		heap_canary[i] = (unsigned char)(i ^ 0x3c);
		stack[i] = (unsigned char)(i ^ 0xc3);
	}
	g_stack_canary = stack;
	canary_fd = open(data_path("hello.txt"), O_RDONLY);
	if (canary_fd < 0)
		canary_fd = dup(1);
}

int main(int argc, char **argv)
{
	if (argc > 1 && argv[1][0] == '-' && argv[1][1] == '-')
		return helper(argc, argv);

	unsigned char stack_canary[4096];
	build_canaries(stack_canary);
	const char *self = strdup(test_path("t_exec")); /* test_path reuses its buffers */

	/* Successful execs. */
	char *a42[] = { "t_exec", "--exit", "42", NULL };
	int st = run_path(self, a42, environ);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "exec of %s --exit 42 runs it: exit 42 (%s)",
	      self, status_str(st));

	int p[2], keep = open(data_path("hello.txt"), O_RDONLY),
		  cloexec = open(data_path("hello.txt"), O_RDONLY | O_CLOEXEC);
	if (pipe(p) == 0 && keep >= 0 && cloexec >= 0) {
		char s1[16], s2[16], s3[16];
		snprintf(s1, sizeof s1, "%d", p[1]);
		snprintf(s2, sizeof s2, "%d", keep);
		snprintf(s3, sizeof s3, "%d", cloexec);
		char *ar[] = { "t_exec", "--report", s1, s2, s3, NULL };
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			execve(self, ar, environ);
			_exit(120);
		}
		close(p[1]);
		long v[3] = { 0 };
		long n = read_all(p[0], (char *)v, sizeof v);
		close(p[0]);
		waitpid(pid, &st, 0);
		check(n == sizeof v && v[0] == pid, "the exec'd program keeps the pid (%ld = %d)",
		      v[0], pid);
		check(v[1] == 1, "an fd without O_CLOEXEC stays open across exec");
		check(v[2] == 1, "an fd with O_CLOEXEC is closed by exec");
		check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the reporting program exits 0 (%s)",
		      status_str(st));
	} else {
		check(0, "open %s and pipe for the fd checks", data_path("hello.txt"));
	}
	close(keep);
	close(cloexec);

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, on_int);
		char *as[] = { "t_exec", "--signals", NULL };
		execve(self, as, environ);
		_exit(120);
	}
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT,
	      "exec keeps SIG_IGN (SIGTERM survived) and resets a handler to SIG_DFL (SIGINT "
	      "killed): %s",
	      status_str(st));

	/* Failures. */
	exec_data("does-not-exist", ENOENT, "of a missing file");
	char *argv1[] = { "x", NULL };
	exec_fails("", argv1, environ, ENOENT, "of the empty path");
	exec_data("hello.txt", EACCES, "of a file without exec permission (hello.txt, 0644)");
	exec_data("dir", EACCES, "of a directory");
	exec_data("notelf", ENOEXEC, "of an executable text file that is not ELF (notelf)");
	if (is_x86_64_host())
		skip("execve of an x86_64 ELF # SKIP this x86_64 host kernel runs it (ENOEXEC on "
		     "i386)");
	else
		exec_data("elf64", ENOEXEC, "of an x86_64 (ELFCLASS64) executable");
	exec_data("wrongmachine", ENOEXEC, "of an ELF32 for another machine (EM_ARM)");
	if (is_strata()) {
		exec_data("dynamic", ENOEXEC, "of a dynamic executable (PT_INTERP) on Strata");
	} else if (access("/lib/ld-linux.so.2", F_OK) != 0) {
		exec_data("dynamic", ENOENT,
		          "of a dynamic executable whose interpreter is absent (Linux)");
	} else if (access(data_path("dynamic"), F_OK) == 0) {
		char *ad[] = { "dynamic", NULL };
		st = run_path(data_path("dynamic"), ad, environ);
		check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "a dynamic executable runs where Linux has its interpreter (%s)",
		      status_str(st));
	} else {
		skip("execve of a dynamic executable # SKIP data/dynamic missing");
	}
	exec_data("hello.txt/x", ENOTDIR, "through a regular file as a directory");

	/* A bss starting in the page where the text segment's file bytes end reads as zeros. */
	char *abss[] = { "bsspage", NULL };
	st = run_path(data_path("bsspage"), abss, environ);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a bss sharing its first page with the text segment reads as zeros (%s)",
	      status_str(st));

	static char longpath[6000];
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	exec_fails(longpath, argv1, environ, ENAMETOOLONG, "of a 6000-byte path");
	static char longname[600];
	snprintf(longname, sizeof longname, "%s/", data_dir());
	memset(longname + strlen(longname), 'b', 300);
	exec_fails(longname, argv1, environ, ENAMETOOLONG, "with a 300-byte path component");

	/* E2BIG: one string past Linux's 128 KiB per-string limit; 3 MiB in total (past 8 MiB / 4).
	 */
	size_t huge = 200 * 1024;
	char *big = malloc(huge + 1);
	memset(big, 'x', huge);
	big[huge] = 0;
	char *abig[] = { "t_exec", big, NULL };
	exec_fails(self, abig, environ, E2BIG, "with one 200 KiB argument");
	char *chunk = malloc(64 * 1024);
	memset(chunk, 'y', 64 * 1024 - 1);
	chunk[64 * 1024 - 1] = 0;
	char *amany[50];
	amany[0] = "t_exec";
	for (int i = 1; i < 49; i++)
		amany[i] = chunk;
	amany[49] = NULL;
	exec_fails(self, amany, environ, E2BIG, "with 48 arguments of 64 KiB (3 MiB in total)");
	char *emany[50];
	for (int i = 0; i < 49; i++)
		emany[i] = chunk;
	emany[49] = NULL;
	exec_fails(self, argv1, emany, E2BIG, "with 3 MiB of environment");

	/* EFAULT. */
	exec_fails(NULL, argv1, environ, EFAULT, "with a NULL path");
	exec_fails(KERNEL_ADDR, argv1, environ, EFAULT, "with a kernel-address path (0xC0000000)");
	exec_fails(KERNEL_TOP, argv1, environ, EFAULT, "with path 0xFFFFF000");
	exec_fails(self, KERNEL_ADDR, environ, EFAULT, "with argv = 0xC0000000");
	exec_fails(self, (void *)1, environ, EFAULT, "with argv = 1");
	char *abad[] = { "t_exec", KERNEL_ADDR, NULL };
	exec_fails(self, abad, environ, EFAULT, "with argv[1] = 0xC0000000");
	char *abad2[] = { "t_exec", (char *)8, NULL };
	exec_fails(self, abad2, environ, EFAULT, "with argv[1] = 8");
	exec_fails(self, argv1, KERNEL_TOP, EFAULT, "with envp = 0xFFFFF000");
	char *ebad[] = { "A=1", KERNEL_ADDR, NULL };
	exec_fails(self, argv1, ebad, EFAULT, "with envp[1] = 0xC0000000");

	/* And after all the failures, exec still works. */
	st = run_path(self, a42, environ);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "exec still works after the failures (%s)",
	      status_str(st));
	return done();
}
