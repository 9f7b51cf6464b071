/*
 * Helpers shared by the signal tests t_signal and t_sigwait, in this header (static: only the
 * two programs that include it carry them; the lib*.c files go into every test program).
 *   sig_count            a handler: counts its runs in sig_hits, remembers the signal
 *   sig_on, sig_on_info  sigaction(@sig) with handler @fn (SA_SIGINFO for sig_on_info),
 *                        @flags and an empty sa_mask; sigaction's result
 *   fork_checked         fork with stdout flushed; a failure (fault injection) is a failed
 *                        check, never a pid of -1 for kill() to broadcast to
 *   open_pipes           pipe() for each of @n pairs; false (a failed check, nothing left
 *                        open) if one fails
 */
#ifndef STRATA_USER_SIGTEST_H
#define STRATA_USER_SIGTEST_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "common.h"

static volatile sig_atomic_t sig_hits, sig_last;

static inline void sig_count(int sig)
{
	sig_hits++;
	sig_last = sig;
}

static inline int sig_on(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static inline int sig_on_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static inline pid_t fork_checked(const char *what)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		check(0, "fork for %s: %s", what, strerror(errno));
	return pid;
}

static inline bool open_pipes(int n, int (*fds[])[2])
{
	for (int i = 0; i < n; i++)
		if (pipe(*fds[i]) != 0) {
			check(0, "pipe: %s", strerror(errno));
			while (i-- > 0)
				close((*fds[i])[0]), close((*fds[i])[1]);
			return false;
		}
	return true;
}

#endif
