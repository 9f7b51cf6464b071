/* t_memsteer: the memory-status demo, /bin/memsteer (user/memsteer.c), beside a hog. On Strata
 * `memsteer 20000 --with-hog SIZE` (SIZE an eighth of RAM) grows its cache until the page says
 * WARNING, shrinks it, holds, starts /bin/hog SIZE, shrinks again as the hog's memory pushes
 * the level up, and ends the hog: it exits 0 with "done: peak P kB, final F kB, oom-kills 0",
 * F < P, the hog ended by memsteer's SIGTERM, no OOM kill in /proc/vmstat (oom_kill unchanged)
 * and the page's level normal afterwards. On Linux (no status page) memsteer must say so and
 * exit 0 having started nothing; the rest is skipped. */
#define _GNU_SOURCE
#include "common.h"
#include "../../user/vdso.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strata/memstatus.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char out[65536]; /* memsteer's output */

/* The memsteer program: $STRATA_MEMSTEER, else /bin/memsteer. */
static const char *memsteer_path(void)
{
	const char *p = getenv("STRATA_MEMSTEER");
	return p ? p : "/bin/memsteer";
}

/* Runs memsteer with @args (NULL-terminated, argv[0] included), its output into `out`
 * (each line also shown as a diagnostic). Returns the wait status, or -1. */
static int run_memsteer(char *const args[])
{
	int fds[2];

	if (pipe(fds) != 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]), close(fds[1]);
		execv(memsteer_path(), args);
		_exit(127);
	}
	close(fds[1]);
	long n = read_all(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	out[n > 0 ? n : 0] = 0;
	for (char *l = out, *e; *l; l = e + 1) {
		e = strchr(l, '\n');
		if (!e)
			e = l + strlen(l) - 1;
		note("%.*s", (int)(e - l), l);
	}
	return wait_pid(pid);
}

/* Offset of the first line of `out` starting with @prefix at or after @from, or -1. */
static long line_at(const char *prefix, long from)
{
	for (const char *l = out + from; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, prefix, strlen(prefix)) == 0)
			return l - out;
	return -1;
}

/* The level the page shows two ticks from now (fresh figures), or -1 when it does not move. */
static int level_after_ticks(strata_memstatus_fn *get)
{
	struct strata_memstatus st;
	struct timespec t0, t;

	get(&st);
	uint32_t tick0 = st.ticks;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (st.ticks - tick0 < 2) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 5) /* a hang guard: the page is not being updated */
			return -1;
		get(&st);
	}
	return (int)st.level;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access(memsteer_path(), X_OK) != 0 && !is_strata()) {
		skip("memsteer beside a hog # SKIP %s absent (a host run)", memsteer_path());
		return done();
	}
	struct vdso_image v;
	strata_memstatus_fn *get = NULL;
	if (!vdso_open(&v, getauxval(AT_SYSINFO_EHDR)))
		get = vdso_sym(&v, "__vdso_strata_memstatus", "LINUX_2.6", NULL);

	if (!is_strata()) {
		char *const args[] = { "memsteer", "50", "--with-hog", "1m", NULL };
		int st = run_memsteer(args);
		check(clean(st) && line_at("memsteer: no memory-status page", 0) == 0 &&
		          line_at("memsteer: hog:", 0) < 0,
		      "without a status page (Linux) memsteer says so and exits 0 having started "
		      "nothing (%s)",
		      status_str(st));
		skip("memsteer steers beside a hog # SKIP the memory-status page is Strata-only");
		return done();
	}

	int mounted = proc_mount();
	if (!check(get != NULL, "__vdso_strata_memstatus@LINUX_2.6 is in the vDSO") ||
	    !check(mounted, "/proc is there (vmstat's oom_kill)"))
		return done();
	struct strata_memstatus ms;
	get(&ms);
	long oom0 = proc_number("/proc/vmstat", "oom_kill ");
	char size[32];
	snprintf(size, sizeof(size), "%uk", ms.total_kb / 8);
	note("RAM %u kB, free %u kB, oom_kill %ld; the hog takes %s", ms.total_kb, ms.free_kb, oom0,
	     size);
	char *const args[] = { "memsteer", "20000", "--with-hog", size, NULL };
	int st = run_memsteer(args);
	long oom1 = proc_number("/proc/vmstat", "oom_kill ");

	check(clean(st),
	      "memsteer --with-hog %s exits 0: neither killed nor a hog that failed (%s)", size,
	      status_str(st));
	long warn = line_at("memsteer: level normal -> ", 0);
	long shrink = warn < 0 ? -1 : line_at("memsteer: shrink:", warn);
	check(warn >= 0 && shrink > warn,
	      "its cache grew until the level rose and then shrank (level line at %ld, shrink at "
	      "%ld)",
	      warn, shrink);
	long hog = line_at("memsteer: hog: started", 0);
	long hog_shrink = hog < 0 ? -1 : line_at("memsteer: shrink:", hog);
	long holding = hog < 0 ? -1 : line_at("memsteer: | hog: holding", hog);
	check(hog > shrink && holding > hog && hog_shrink > hog,
	      "after it held, the hog started, took its memory (holding) and the cache shrank "
	      "again (started at %ld, holding at %ld, shrink at %ld)",
	      hog, holding, hog_shrink);
	check(line_at("memsteer: hog: ended by SIGTERM as asked", 0) > holding,
	      "the hog lived until memsteer ended it (SIGTERM)");
	check(line_at("memsteer: after the hog: level normal", 0) >= 0,
	      "memsteer saw the level back to normal after the hog");
	unsigned peak = 0, final = 0;
	int kills = -1;
	long d = line_at("memsteer: done: ", 0);
	if (d >= 0)
		sscanf(out + d, "memsteer: done: peak %u kB, final %u kB, oom-kills %d", &peak,
		       &final, &kills);
	check(d >= 0 && kills == 0 && final < peak && peak > 0,
	      "done: peak %u kB, final %u kB, oom-kills %d", peak, final, kills);
	check(oom0 >= 0 && oom1 == oom0, "no OOM kill: vmstat oom_kill %ld before, %ld after", oom0,
	      oom1);
	int level = level_after_ticks(get);
	check(level == STRATA_PRESSURE_NORMAL, "the page's level is normal after it all (%d)",
	      level);
	proc_unmount();
	return done();
}
