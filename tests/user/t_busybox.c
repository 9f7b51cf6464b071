/* t_busybox: Debian's static busybox (an unmodified third-party binary) runs: fork+exec of
 * /bin/busybox (or $STRATA_BUSYBOX) for echo, true/false, sh -c with an exit code and a
 * self-kill, cat of a data file and ls of the data directory, each checked by its output
 * (through a pipe) and its wait status. Then the tools people use to look at memory, their
 * output parsed: cat /proc/meminfo (the file's field names in order), free (its total is
 * MemTotal, its figures add up), ps (exactly the processes /proc lists, with the RSS of this
 * one as its statm says) and top -n 1 (its Mem: line and this process) — ps and top read
 * /proc/PID and are skipped, saying so, where the kernel has no /proc/PID yet. And shell
 * scripts: a pipeline, sleep 1, a self-kill; a background job collected by wait, a killed
 * one, a trap (these need signal handlers, which ash's wait relies on: skipped, saying so,
 * where handlers do not run). Skipped with a message if busybox is absent. */
#define _GNU_SOURCE
#include "common.h"

#include <signal.h>
#include <stdio.h>
#include <dirent.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *busybox(void)
{
	const char *b = getenv("STRATA_BUSYBOX");
	return b && *b ? b : "/bin/busybox";
}

static pid_t last_pid; /* the last busybox bb() ran */

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
		char *envp[] = { "PATH=/bin:/usr/bin:/sbin:/usr/sbin", NULL };
		execve(busybox(), argv, envp);
		_exit(127);
	}
	last_pid = pid;
	close(p[1]);
	long n = read_all(p[0], out, cap - 1);
	close(p[0]);
	out[n < 0 ? 0 : n] = 0;
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The value of "NAME:" in /proc/meminfo (kB), or -1. */
static long meminfo_kb(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, n) && l[n] == ':')
			return strtol(l + n + 1, NULL, 10);
	return -1;
}

static long read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
	return (long)n;
}

/* The field names of a meminfo text, one per line, into @out. */
static void field_names(const char *text, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *l = text; *l && o + 2 < cap;) {
		const char *c = strchr(l, ':'), *e = strchr(l, '\n');
		if (!c || !e)
			break;
		size_t k = (size_t)(c - l);
		if (o + k + 2 >= cap)
			break;
		memcpy(out + o, l, k);
		o += k;
		out[o++] = ',';
		l = e + 1;
	}
	out[o] = 0;
}

static char text[16384], out[16384];

static void meminfo_tools(void)
{
	char a[2048], b[2048];
	if (read_file("/proc/meminfo", text, sizeof text) <= 0) {
		check(0, "read /proc/meminfo");
		return;
	}
	char *cat[] = { "cat", "/proc/meminfo", NULL };
	int st = bb(cat, out, sizeof out);
	field_names(text, a, sizeof a);
	field_names(out, b, sizeof b);
	check(clean(st) && a[0] && !strcmp(a, b),
	      "busybox cat /proc/meminfo prints the file's fields in its order (%s)",
	      status_str(st));
	char *free_[] = { "free", NULL };
	st = bb(free_, out, sizeof out);
	long total = -1, used = -1, fr = -1, shared = -1, cache = -1, avail = -1;
	const char *mem = strstr(out, "\nMem:");
	if (mem)
		sscanf(mem + 5, "%ld %ld %ld %ld %ld %ld", &total, &used, &fr, &shared, &cache,
		       &avail);
	long mt = meminfo_kb(text, "MemTotal");
	check(clean(st) && mem && labs(total - mt) <= 4,
	      "busybox free: Mem total %ld kB is /proc/meminfo's MemTotal %ld kB (within a page)",
	      total, mt);
	check(used >= 0 && fr > 0 && cache >= 0 && labs(used + fr + cache - total) <= 4 &&
	          avail > 0 && avail <= total,
	      "busybox free: used + free + buff/cache = total, 0 < available <= total (%ld %ld %ld "
	      "%ld)",
	      used, fr, cache, avail);
}

/* ps and top: the processes /proc lists. */
static int proc_pids(int *pids, int cap)
{
	DIR *d = opendir("/proc");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) && n < cap)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			pids[n++] = atoi(e->d_name);
	if (d)
		closedir(d);
	return n;
}

static int has(const int *v, int n, int x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* A ps RSS column value in kB ("1234", "11m", "2g"). */
static long ps_kb(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	return *end == 'm' ? v * 1024 : *end == 'g' ? v * 1024 * 1024 : v;
}

static void process_tools(void)
{
	if (access("/proc/self/stat", R_OK) != 0) {
		skip("busybox ps and top # SKIP no /proc/PID on this kernel (the /proc/PID work)");
		return;
	}
	int before[512], after[512], listed[512];
	int nb = proc_pids(before, 512), nl = 0;
	char *ps[] = { "ps", "-o", "pid,rss,comm", NULL };
	char statm[128];
	long pages = -1, rss_self = -1;
	if (read_file("/proc/self/statm", statm, sizeof statm) > 0)
		sscanf(statm, "%*d %ld", &pages);
	int st = bb(ps, out, sizeof out);
	int na = proc_pids(after, 512);
	for (char *l = strchr(out, '\n'); l && l[1] && nl < 512; l = strchr(l + 1, '\n')) {
		int pid;
		char rss[32];
		if (sscanf(l + 1, "%d %31s", &pid, rss) == 2) {
			listed[nl++] = pid;
			if (pid == getpid())
				rss_self = ps_kb(rss);
		}
	}
	int missing = 0, extra = 0;
	for (int i = 0; i < nb; i++)
		missing += has(after, na, before[i]) && !has(listed, nl, before[i]);
	for (int i = 0; i < nl; i++)
		extra += !has(before, nb, listed[i]) && !has(after, na, listed[i]) &&
		         listed[i] != last_pid; /* ps lists itself */
	check(
	    clean(st) && nl > 0 && !missing && !extra && has(listed, nl, getpid()),
	    "busybox ps lists exactly the processes /proc lists, this one included (%d listed, %d "
	    "missing, %d unknown)",
	    nl, missing, extra);
	long kb = pages * (sysconf(_SC_PAGESIZE) / 1024);
	check(rss_self >= 0 && labs(rss_self - kb) <= 16,
	      "busybox ps: this process's RSS %ld kB is its /proc/self/statm resident %ld kB "
	      "(within 4 pages: it runs between the two reads)",
	      rss_self, kb);
	char *top[] = { "top", "-b", "-n", "1", NULL };
	st = bb(top, out, sizeof out);
	char me[32];
	snprintf(me, sizeof me, "\n%5d ", getpid());
	check(clean(st) && strstr(out, "Mem: ") && strstr(out, "  PID ") && strstr(out, me),
	      "busybox top -b -n 1: a Mem: line, the PID header, this process (%s)",
	      status_str(st));
}

/* Do signal handlers run here (ash's wait needs its SIGCHLD handler)? */
static int handlers_run(void)
{
	char *sh[] = { "sh", "-c", "trap 'echo trapped' USR1; kill -USR1 $$; echo after", NULL };
	int st = bb(sh, out, sizeof out);
	return clean(st) && !strcmp(out, "trapped\nafter\n");
}

static void scripts(void)
{
	char *a[] = { "sh", "-c",
		      "cat /proc/meminfo | grep -c ' kB$'; sleep 1; echo slept; kill -TERM $$; "
		      "echo not-reached",
		      NULL };
	long long t0 = now_ms();
	int st = bb(a, out, sizeof out);
	long long ms = now_ms() - t0;
	int lines = 0;
	for (const char *l = text; (l = strstr(l, " kB\n")); l++)
		lines++;
	char want[64];
	snprintf(want, sizeof want, "%d\nslept\n", lines);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && !strcmp(out, want) && ms >= 1000,
	      "sh script: a pipeline counts meminfo's kB lines (%d), sleep 1 takes >= 1 s (%lld "
	      "ms), kill -TERM $$ ends it (%s)",
	      lines, ms, status_str(st));
	if (!handlers_run()) {
		skip(
		    "sh script with wait, a killed job and a trap # SKIP signal handlers do not "
		    "run "
		    "on this kernel yet (ash's wait sleeps in sigsuspend for its SIGCHLD handler)");
		return;
	}
	char *b[] = { "sh", "-c",
		      "sleep 1 & wait $!; echo wait=$?; sleep 30 & kill $!; wait $!; "
		      "echo killed=$?; trap 'echo got USR1' USR1; kill -USR1 $$; echo done",
		      NULL };
	st = bb(b, out, sizeof out);
	check(clean(st) && !strcmp(out, "wait=0\nkilled=143\ngot USR1\ndone\n"),
	      "sh script: a background job collected by wait, a killed one (143), a trap (%s)",
	      status_str(st));
}

int main(void)
{
	if (access(busybox(), X_OK) != 0) {
		skip("busybox runs # SKIP %s is absent", busybox());
		return done();
	}
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
	if (!proc_mount()) {
		check(0, "/proc is there");
		return done();
	}
	meminfo_tools();
	process_tools();
	scripts();
	proc_unmount();
	return done();
}
