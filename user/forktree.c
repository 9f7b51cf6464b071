/*
 * user/forktree.c: a tree of processes, to exercise fork, exit and wait together.
 *
 *   forktree DEPTH [WIDTH]        (WIDTH defaults to 2)
 *
 * The root (depth 0) forks WIDTH children; each child at depth < DEPTH forks WIDTH of its
 * own, so a full tree has 1 + WIDTH + ... + WIDTH^DEPTH processes, all alive at once (every
 * parent waits for its children before it exits). Each process waits for its children with
 * wait4, reports each child's exit status, and exits with the number of processes in its
 * own subtree (itself included) — the exit status is how the count travels up, so every
 * subtree below the root must stay under 255 processes. A fork that fails is reported and
 * counted as missing. The root prints the total and exits 0 when it matches the full tree,
 * else 1 (2 on bad usage).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SUBTREE 254 /* an exit status holds 0..255; 255 is kept for "went wrong" */

static unsigned depth_max, width;

static unsigned long tree_size(unsigned levels)
{
	unsigned long n = 1, level = 1;

	for (unsigned i = 0; i < levels; i++) {
		level *= width;
		n += level;
	}
	return n;
}

/* Run this process's part of the tree; returns the processes counted in its subtree. */
static unsigned long grow(unsigned depth)
{
	unsigned long count = 1;
	pid_t kids[64];
	unsigned n = 0;

	for (unsigned i = 0; depth < depth_max && i < width; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			printf("forktree: pid %d (depth %u): fork failed: %s\n", getpid(), depth,
			       strerror(errno));
			continue;
		}
		if (pid == 0) {
			unsigned long sub = grow(depth + 1);
			fflush(stdout);
			_exit(sub > MAX_SUBTREE ? 255 : (int)sub);
		}
		kids[n++] = pid;
	}
	for (unsigned i = 0; i < n; i++) {
		int status;
		pid_t pid = wait4(kids[i], &status, 0, NULL);
		if (pid < 0) {
			printf("forktree: pid %d: wait4(%d) failed: %s\n", getpid(), kids[i],
			       strerror(errno));
		} else if (WIFEXITED(status)) {
			printf("forktree: pid %d (depth %u): child %d exited with status %d\n",
			       getpid(), depth, pid, WEXITSTATUS(status));
			if (WEXITSTATUS(status) != 255)
				count += (unsigned long)WEXITSTATUS(status);
		} else if (WIFSIGNALED(status)) {
			printf("forktree: pid %d (depth %u): child %d killed by signal %d\n",
			       getpid(), depth, pid, WTERMSIG(status));
		} else {
			printf("forktree: pid %d: child %d: status %#x\n", getpid(), pid, status);
		}
	}
	return count;
}

int main(int argc, char **argv)
{
	unsigned long expected, got;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: forktree DEPTH [WIDTH]\n");
		return 2;
	}
	depth_max = (unsigned)strtoul(argv[1], NULL, 10);
	width = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 2;
	if (width < 1 || width > 64 || depth_max > 16 ||
	    (depth_max > 0 && tree_size(depth_max - 1) > MAX_SUBTREE)) {
		fprintf(stderr,
		        "forktree: each subtree below the root must stay under %d processes "
		        "(and WIDTH 1..64): lower DEPTH or WIDTH\n",
		        MAX_SUBTREE + 1);
		return 2;
	}
	expected = tree_size(depth_max);
	printf("forktree: depth %u, width %u: %lu processes expected\n", depth_max, width,
	       expected);
	got = grow(0);
	printf("forktree: %lu processes ran (expected %lu)\n", got, expected);
	return got == expected ? 0 : 1;
}
