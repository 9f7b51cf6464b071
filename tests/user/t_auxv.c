/* t_auxv: what execve hands a new program arrives as passed: argc/argv/envp (exact strings,
 * order and count, also for thousands of arguments), the layout below main (argc word just
 * below argv, 16-byte aligned; envp right after argv's NULL; auxv right after envp's NULL) and
 * the auxiliary vector: AT_PAGESZ 4096, AT_RANDOM -> 16 bytes that differ between execs,
 * AT_PHDR/AT_PHENT/AT_PHNUM matching the ELF header, AT_ENTRY == _start, AT_UID/EUID/GID/EGID
 * == the ids, AT_SECURE 0, AT_EXECFN == the exec path, AT_PLATFORM "i686", AT_SYSINFO and
 * AT_SYSINFO_EHDR both or neither. The program runs the checks on itself, then re-executes
 * itself with chosen argv/envp; the child reports each check through a pipe. */
#define _GNU_SOURCE
#include "common.h"

#include <elf.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

extern char _start[];
extern const Elf32_Ehdr __ehdr_start; /* the linker's symbol for the loaded ELF header */
extern char **environ;

/* Reporting: in the parent, check(); in an exec'd child, "ok|desc" / "no|desc" lines on fd 1. */
static int child_mode;
static int n_child_fail;

static void report(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int cond, const char *fmt, ...)
{
	char desc[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	if (child_mode) {
		printf("%s|%s\n", cond ? "ok" : "no", desc);
		if (!cond)
			n_child_fail++;
	} else {
		check(cond, "%s", desc);
	}
}

static const char *const fixed_argv[] = { "custom-argv0", "--child", "two words", "",
	                                  "tab\there",    "x",       NULL };
static const char *const fixed_envp[] = { "FOO=bar", "EMPTY=", "NOEQUALS", "LAST=1", NULL };

/* The walk from environ's NULL to the auxv, compared with getauxval. */
static Elf32_auxv_t *find_auxv(void)
{
	char **e = environ;
	while (*e)
		e++;
	return (Elf32_auxv_t *)(e + 1);
}

static void check_layout(int argc, char **argv)
{
	report(((long *)argv)[-1] == argc, "the word below argv is argc (%d)", argc);
	report(((uintptr_t)argv - 4) % 16 == 0,
	       "the initial %%esp (address of argc, %p) is 16-byte aligned",
	       (void *)((uintptr_t)argv - 4));
	report(argv[argc] == NULL, "argv[argc] is NULL");
	report(environ == argv + argc + 1, "envp starts right after argv's NULL");
}

static void check_auxv(const char *execfn)
{
	Elf32_auxv_t *av = find_auxv();
	int n = 0, seen_sysinfo = 0, seen_ehdr = 0, consistent = 1;
	for (; av[n].a_type != AT_NULL && n < 100; n++) {
		if (av[n].a_type == AT_SYSINFO)
			seen_sysinfo = 1;
		if (av[n].a_type == AT_SYSINFO_EHDR)
			seen_ehdr = 1;
		/* glibc rewrites AT_HWCAP/AT_HWCAP2 for its own use; compare the others. */
		if (av[n].a_type != AT_HWCAP && av[n].a_type != AT_HWCAP2 &&
		    getauxval(av[n].a_type) != av[n].a_un.a_val)
			consistent = 0;
	}
	report(n > 0 && n < 100 && consistent,
	       "auxv follows envp's NULL, ends with AT_NULL, %d entries agree with getauxval", n);
	report(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ = 4096 (%lu)", getauxval(AT_PAGESZ));

	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	int nonzero = 0;
	if (rnd)
		for (int i = 0; i < 16; i++)
			nonzero |= rnd[i];
	report(rnd != NULL && nonzero, "AT_RANDOM points at 16 readable, not all-zero bytes");
	report(rnd && (uintptr_t)rnd > (uintptr_t)find_auxv(),
	       "AT_RANDOM bytes lie on the stack above the auxv");

	const Elf32_Ehdr *eh = &__ehdr_start;
	report(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0,
	       "the ELF header is mapped at __ehdr_start");
	report(getauxval(AT_PHDR) == (uintptr_t)eh + eh->e_phoff,
	       "AT_PHDR = load address + e_phoff (%#lx)", getauxval(AT_PHDR));
	report(getauxval(AT_PHNUM) == eh->e_phnum, "AT_PHNUM = e_phnum (%lu)", getauxval(AT_PHNUM));
	report(getauxval(AT_PHENT) == sizeof(Elf32_Phdr), "AT_PHENT = 32 (%lu)",
	       getauxval(AT_PHENT));
	const Elf32_Phdr *ph = (const Elf32_Phdr *)getauxval(AT_PHDR);
	int has_load = 0;
	for (unsigned i = 0; ph && i < getauxval(AT_PHNUM); i++)
		has_load |= ph[i].p_type == PT_LOAD;
	report(has_load, "the program headers at AT_PHDR are readable and contain a PT_LOAD");
	report(getauxval(AT_ENTRY) == (uintptr_t)_start && eh->e_entry == (uintptr_t)_start,
	       "AT_ENTRY = &_start (%p)", (void *)_start);
	report(getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid(),
	       "AT_UID/AT_EUID = getuid/geteuid (%u)", getuid());
	report(getauxval(AT_GID) == getgid() && getauxval(AT_EGID) == getegid(),
	       "AT_GID/AT_EGID = getgid/getegid (%u)", getgid());
	errno = 0;
	unsigned long sec = getauxval(AT_SECURE);
	report(sec == 0 && errno == 0, "AT_SECURE present and 0");
	const char *fn = (const char *)getauxval(AT_EXECFN);
	if (execfn)
		report(fn && strcmp(fn, execfn) == 0, "AT_EXECFN = the path given to execve (%s)",
		       fn ? fn : "(null)");
	else
		report(fn && fn[0], "AT_EXECFN is a non-empty string (%s)", fn ? fn : "(null)");
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	report(plat && strcmp(plat, "i686") == 0, "AT_PLATFORM = \"i686\" (%s)",
	       plat ? plat : "(null)");
	report(seen_sysinfo == seen_ehdr, "AT_SYSINFO and AT_SYSINFO_EHDR come together (%d, %d)",
	       seen_sysinfo, seen_ehdr);
}

/* Generated argument/environment strings for the big exec: deterministic, varied lengths. */
static void gen_arg(char *buf, int i)
{
	int len = snprintf(buf, 64, "arg-%d-", i);
	for (int k = 0; k < i % 37; k++)
		buf[len++] = 'a' + (i + k) % 26;
	buf[len] = 0;
}

static void gen_env(char *buf, int i)
{
	snprintf(buf, 64, "VAR%d=value-%d", i, i * 7919);
}

enum { BIG_ARGS = 3000, BIG_ENVS = 1000 };

static int child_fixed(int argc, char **argv)
{
	int same = argc == 6;
	for (int i = 0; same && i < argc; i++)
		same = strcmp(argv[i], fixed_argv[i]) == 0;
	report(same, "child: argc = 6 and argv strings exactly as passed (argv[0] too)");
	int ne = 0;
	same = 1;
	for (; environ[ne]; ne++)
		same &= ne < 4 && strcmp(environ[ne], fixed_envp[ne]) == 0;
	report(same && ne == 4, "child: envp exactly as passed (%d strings, none added)", ne);
	report(getenv("FOO") && strcmp(getenv("FOO"), "bar") == 0, "child: getenv(FOO) = bar");
	check_layout(argc, argv);
	check_auxv(NULL);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	printf("random|");
	for (int i = 0; rnd && i < 16; i++)
		printf("%02x", rnd[i]);
	printf("\n");
	printf("execfn|%s\n", (const char *)getauxval(AT_EXECFN));
	return n_child_fail;
}

static int child_big(int argc, char **argv)
{
	char buf[64];
	int same = argc == BIG_ARGS + 2;
	for (int i = 0; same && i < BIG_ARGS; i++) {
		gen_arg(buf, i);
		same = strcmp(argv[i + 2], buf) == 0;
	}
	report(same, "child: %d generated arguments arrive intact (argc %d)", BIG_ARGS, argc);
	int ne = 0;
	same = 1;
	for (; environ[ne]; ne++) {
		gen_env(buf, ne);
		same &= ne < BIG_ENVS && strcmp(environ[ne], buf) == 0;
	}
	report(same && ne == BIG_ENVS, "child: %d generated environment strings arrive intact (%d)",
	       BIG_ENVS, ne);
	check_layout(argc, argv);
	return n_child_fail;
}

/* Runs path with argv/envp in a child whose stdout is a pipe; feeds "ok|"/"no|" lines to
 * check(); copies "random|" and "execfn|" values out. Returns the wait status. */
static int run_exec(const char *path, char *const argv[], char *const envp[], char *random_out,
                    char *execfn_out)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execve(path, argv, envp);
		_exit(120);
	}
	close(fd[1]);
	static char out[65536];
	long n = read_all(fd[0], out, sizeof out - 1);
	close(fd[0]);
	int status = -1;
	waitpid(pid, &status, 0);
	out[n < 0 ? 0 : n] = 0;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "ok|", 3) || !strncmp(line, "no|", 3))
			check(line[0] == 'o' && line[1] == 'k', "%s", line + 3);
		else if (!strncmp(line, "random|", 7)) {
			if (random_out)
				snprintf(random_out, 40, "%s", line + 7);
		} else if (!strncmp(line, "execfn|", 7)) {
			if (execfn_out)
				snprintf(execfn_out, 512, "%s", line + 7);
		} else
			note("child said: %s", line);
	}
	return status;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--child") == 0) {
		child_mode = 1;
		return child_fixed(argc, argv);
	}
	if (argc >= 2 && strcmp(argv[1], "--big") == 0) {
		child_mode = 1;
		return child_big(argc, argv);
	}

	/* This process, as the runner started it. */
	check_layout(argc, argv);
	check_auxv(NULL);

	const char *self = strdup(test_path("t_auxv")); /* test_path reuses its buffers */
	char r1[40] = "", r2[40] = "", fn[512] = "";
	int st = run_exec(self, (char *const *)fixed_argv, (char *const *)fixed_envp, r1, fn);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "exec'd child with chosen argv/envp exits 0 (%s)", status_str(st));
	check(strcmp(fn, self) == 0, "child's AT_EXECFN = the path given to execve (%s)", fn);
	st = run_exec(self, (char *const *)fixed_argv, (char *const *)fixed_envp, r2, NULL);
	check(strlen(r1) == 32 && strlen(r2) == 32 && strcmp(r1, r2) != 0,
	      "AT_RANDOM differs between two execs (%s, %s)", r1, r2);

	/* Thousands of arguments and environment strings (about 150 KiB). */
	char **bargv = malloc((BIG_ARGS + 3) * sizeof *bargv);
	char **benvp = malloc((BIG_ENVS + 1) * sizeof *benvp);
	bargv[0] = "big";
	bargv[1] = "--big";
	for (int i = 0; i < BIG_ARGS; i++) {
		bargv[i + 2] = malloc(64);
		gen_arg(bargv[i + 2], i);
	}
	bargv[BIG_ARGS + 2] = NULL;
	for (int i = 0; i < BIG_ENVS; i++) {
		benvp[i] = malloc(64);
		gen_env(benvp[i], i);
	}
	benvp[BIG_ENVS] = NULL;
	st = run_exec(self, bargv, benvp, NULL, NULL);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "exec'd child with %d args and %d env strings exits 0 (%s)", BIG_ARGS, BIG_ENVS,
	      status_str(st));
	return done();
}
