/*
 * user/memsteer.c: a program that steers by Strata's memory-status page — a cache that grows
 * until the kernel says WARNING, gives memory back until it says normal again, and holds
 * there, also while a memory hog runs beside it, so the OOM killer never has to act.
 *
 *   memsteer [ROUNDS] [--with-hog SIZE[k|m]]
 *
 * Each round (one tick apart: a 1 ms nanosleep) it reads the page through the vDSO's
 * __vdso_strata_memstatus (no system call) and acts on the pressure level:
 *   grow    level normal and still growing: map and write one more 1 MiB chunk of cache
 *   shrink  level warning or critical: unmap chunks until free memory is back above the
 *           kernel's normal line (75% of RAM in use, include/uapi/strata/memstatus.h) with a
 *           margin of 2% of RAM (one more chunk each time the level is still up two ticks
 *           after the last give-back: the kernel's count of RAM may differ from MemTotal)
 *   hold    normal again after a shrink: keep the cache as it is (it does not grow again)
 * and prints one line per change of state, with the figures. With --with-hog it starts
 * /bin/hog SIZE write brk hold as a child once its cache has settled (the first hold), relays
 * the hog's lines, keeps steering while the hog takes its memory, and 20 rounds after the hog
 * holds it all ends the hog with SIGTERM, reaps it and waits for the level to be normal.
 * It runs ROUNDS rounds (0 or none: until SIGINT/SIGTERM, or the end of the hog act), then
 * prints a summary and the line tests look for:
 *
 *   memsteer: done: peak N kB, final N kB, oom-kills N
 *
 * (oom-kills: the hog's deaths by a SIGKILL memsteer did not send; memsteer cannot count its
 * own — whoever waits for it sees that). Exit status 0; 1 when the hog died or failed on its
 * own; 2 on bad usage. Without the page (Linux: no such vDSO function) it says so and exits 0
 * having done nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strata/memstatus.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vdso.h"

#define CHUNK_KB       1024u
#define NORMAL_PERMIL  750u /* the kernel leaves WARNING below 75.0% in use */
#define MARGIN_PERMIL  20u  /* give back down to 2% of RAM below that line */
#define HOG_PATH       "/bin/hog"
#define HOG_HOLD_ROUND 20u   /* rounds of steering after the hog holds its memory */
#define SETTLE_ROUNDS  5000u /* at most this many rounds waiting for normal at the end */

enum state { GROW, SHRINK, HOLD };
static const char *const state_name[] = { "grow", "shrink", "hold" };
static const char *const level_name[] = { "normal", "WARNING", "CRITICAL" };

static strata_memstatus_fn *get_status;
static volatile sig_atomic_t stop;

static void **chunks; /* the cache: 1 MiB mappings, newest last */
static unsigned n_chunks, max_chunks, peak_chunks;

struct hog {
	pid_t pid; /* 0: none started; -1: ended and reaped */
	int out;   /* read end of its stdout, nonblocking */
	char line[256];
	size_t len;
	int holding; /* it printed "holding" */
	unsigned rounds_held;
	int status; /* its wait status once reaped */
	int oom_killed;
};

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* Size argument "N", "Nk" or "Nm" in bytes; 0 when it does not parse. */
static unsigned long parse_size(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (end == s)
		return 0;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	return *end ? 0 : v;
}

/* One more chunk of cache, written. Returns 0, or -1 when it cannot be mapped. */
static int grow_one(void)
{
	if (n_chunks == max_chunks)
		return -1;
	char *p =
	    mmap(NULL, CHUNK_KB * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (unsigned off = 0; off < CHUNK_KB * 1024; off += 4096)
		p[off] = (char)(off >> 12 | 1);
	chunks[n_chunks++] = p;
	if (n_chunks > peak_chunks)
		peak_chunks = n_chunks;
	return 0;
}

/* Gives back up to @n chunks (newest first); returns how many went. */
static unsigned shrink_by(unsigned n)
{
	unsigned done = 0;

	while (done < n && n_chunks > 0) {
		munmap(chunks[--n_chunks], CHUNK_KB * 1024);
		done++;
	}
	return done;
}

/* Starts the hog child with its stdout on a pipe to us. Returns 0, or -1 (reason printed). */
static int hog_start(struct hog *h, const char *size)
{
	int fds[2];

	if (pipe(fds) != 0) {
		printf("memsteer: hog: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		printf("memsteer: hog: fork: %s\n", strerror(errno));
		close(fds[0]), close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		char *const argv[] = { "hog", (char *)size, "write", "brk", "hold", NULL };
		dup2(fds[1], 1);
		close(fds[0]), close(fds[1]);
		execv(HOG_PATH, argv);
		fprintf(stderr, "memsteer: exec %s: %s\n", HOG_PATH, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	h->pid = pid;
	h->out = fds[0];
	printf("memsteer: hog: started pid %d: %s %s write brk hold\n", (int)pid, HOG_PATH, size);
	return 0;
}

/* Relays the complete lines the hog has written so far ("memsteer: | ..."). */
static void hog_relay(struct hog *h)
{
	char c;

	while (h->out >= 0 && read(h->out, &c, 1) == 1) {
		if (c != '\n' && h->len < sizeof(h->line) - 1) {
			h->line[h->len++] = c;
			continue;
		}
		h->line[h->len] = 0;
		printf("memsteer: | %s\n", h->line);
		if (strstr(h->line, "holding"))
			h->holding = 1;
		h->len = 0;
	}
}

/* Reaps the hog if it has ended (@wait: end it first with SIGTERM and wait). Records how. */
static void hog_reap(struct hog *h, int end_it)
{
	if (h->pid <= 0)
		return;
	if (end_it)
		kill(h->pid, SIGTERM);
	int st;
	pid_t r = waitpid(h->pid, &st, end_it ? 0 : WNOHANG);
	if (r != h->pid)
		return;
	hog_relay(h);
	close(h->out);
	h->out = -1;
	h->pid = -1;
	h->status = st;
	h->oom_killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && end_it)
		printf("memsteer: hog: ended by SIGTERM as asked\n");
	else if (h->oom_killed)
		printf("memsteer: hog: KILLED by SIGKILL (the OOM killer?)\n");
	else if (WIFSIGNALED(st))
		printf("memsteer: hog: killed by signal %d\n", WTERMSIG(st));
	else
		printf("memsteer: hog: exited with status %d on its own\n", WEXITSTATUS(st));
}

static void usage(void)
{
	fprintf(stderr, "usage: memsteer [ROUNDS] [--with-hog SIZE[k|m]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long rounds = 0;
	const char *hog_size = NULL;
	struct vdso_image v;
	struct strata_memstatus st;
	struct hog hog = { .out = -1 };

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--with-hog") == 0 && i + 1 < argc && parse_size(argv[i + 1]))
			hog_size = argv[++i];
		else if (argv[i][0] >= '0' && argv[i][0] <= '9')
			rounds = strtoul(argv[i], NULL, 10);
		else
			usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *why = vdso_open(&v, getauxval(AT_SYSINFO_EHDR));
	if (!why) {
		get_status = vdso_sym(&v, "__vdso_strata_memstatus", "LINUX_2.6", NULL);
		why = get_status ? NULL : "the vDSO has no __vdso_strata_memstatus";
	}
	if (why) {
		printf("memsteer: no memory-status page (%s): nothing to steer by, done\n", why);
		return 0;
	}
	get_status(&st);
	if (st.version < 1 || st.total_kb == 0) {
		printf("memsteer: the memory-status page is empty (version %u): done\n",
		       st.version);
		return 0;
	}
	max_chunks = st.total_kb / CHUNK_KB + 1;
	chunks = calloc(max_chunks, sizeof(*chunks));
	if (!chunks)
		return 1;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);

	/* Free memory that puts the kernel back below its normal line, with the margin. */
	uint32_t want_free =
	    (uint32_t)((uint64_t)st.total_kb * (1000 - NORMAL_PERMIL + MARGIN_PERMIL) / 1000);
	printf("memsteer: total %u kB, free %u kB, level %s; giving back down to %u kB free\n",
	       st.total_kb, st.free_kb, level_name[st.level % 3], want_free);

	enum state state = GROW;
	uint32_t last_level = st.level, first_changes = st.level_changes, acted_tick = st.ticks - 1;
	uint32_t shrink_tick = st.ticks;
	unsigned long round = 0, shrinks = 0, levels_seen = 0;
	unsigned long given_back_kb = 0;
	int printed_state = -1, grow_failed = 0;
	const struct timespec tick = { 0, 1000000 };

	for (; !stop && (rounds == 0 || round < rounds); round++) {
		get_status(&st);
		if (st.level != last_level) {
			levels_seen++;
			printf("memsteer: level %s -> %s (free %u kB, cache %u kB)\n",
			       level_name[last_level % 3], level_name[st.level % 3], st.free_kb,
			       n_chunks * CHUNK_KB);
			last_level = st.level;
		}
		if (st.ticks != acted_tick) { /* act once per fresh snapshot */
			acted_tick = st.ticks;
			if (st.level != STRATA_PRESSURE_NORMAL) {
				unsigned need =
				    st.free_kb < want_free
					? (want_free - st.free_kb + CHUNK_KB - 1) / CHUNK_KB
					: 0; /* enough already: the level lags a tick */
				if (need == 0 && st.ticks - shrink_tick >= 2)
					need = 1; /* two ticks on and still not normal: more */
				if (need)
					shrink_tick = st.ticks;
				if (state != SHRINK && n_chunks > 0)
					shrinks++;
				if (n_chunks > 0)
					state = SHRINK;
				given_back_kb += shrink_by(need) * CHUNK_KB;
			} else if (state == SHRINK) {
				state = HOLD;
			} else if (state == GROW && grow_one() != 0) {
				if (!grow_failed)
					printf("memsteer: cannot map another chunk (%s): holding\n",
					       strerror(errno));
				grow_failed = 1;
				state = HOLD;
			}
		}
		if ((int)state != printed_state) {
			printf("memsteer: %s: cache %u kB, free %u kB, level %s\n",
			       state_name[state], n_chunks * CHUNK_KB, st.free_kb,
			       level_name[st.level % 3]);
			printed_state = (int)state;
		}
		if (hog_size && hog.pid == 0 && state == HOLD && hog_start(&hog, hog_size) != 0)
			break;
		if (hog.pid > 0) {
			hog_relay(&hog);
			hog_reap(&hog, 0);
			if (hog.pid > 0 && hog.holding && state == HOLD &&
			    ++hog.rounds_held >= HOG_HOLD_ROUND)
				hog_reap(&hog, 1);
		}
		if (hog_size && hog.pid == -1)
			break;
		nanosleep(&tick, NULL);
	}
	if (hog.pid > 0)
		hog_reap(&hog, 1);

	if (hog_size) { /* the level after the hog: back to normal */
		unsigned long n = 0;
		for (get_status(&st); st.level != STRATA_PRESSURE_NORMAL && n < SETTLE_ROUNDS;
		     n++) {
			nanosleep(&tick, NULL);
			get_status(&st);
		}
		printf("memsteer: after the hog: level %s, free %u kB\n", level_name[st.level % 3],
		       st.free_kb);
	}
	get_status(&st);
	printf("memsteer: summary: %lu rounds, %lu level changes seen (kernel: %u), %lu shrinks "
	       "at WARNING or CRITICAL, %lu kB given back\n",
	       round, levels_seen, st.level_changes - first_changes, shrinks, given_back_kb);
	printf("memsteer: done: peak %u kB, final %u kB, oom-kills %d\n", peak_chunks * CHUNK_KB,
	       n_chunks * CHUNK_KB, hog.oom_killed);
	return hog_size && (hog.oom_killed || !WIFSIGNALED(hog.status) ||
	                    WTERMSIG(hog.status) != SIGTERM)
	           ? 1
	           : 0;
}
