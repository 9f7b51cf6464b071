/*
 * user/cowdemo.c: copy-on-write fork and shared memory, seen from free memory.
 *
 *   cowdemo [SIZE_MB]        (default 16)
 *
 * Writes SIZE MiB in the parent, then forks: the child reads all of it (it costs nothing:
 * the pages are shared), writes half of it (each written page is copied), and exits. Then
 * CHILDREN children each add one to a counter in a MAP_SHARED page, which the parent sees.
 * It prints sysinfo's free memory at each step (on Linux the figures move with the caches
 * too) and exits 0, or 1 when something did not hold (a child's view, the shared counter).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB      (1024UL * 1024UL)
#define PAGE     4096UL
#define CHILDREN 8

/* Free RAM in kB from sysinfo(2). */
static long free_kb(void)
{
	struct sysinfo si;

	return sysinfo(&si) == 0 ? (long)((unsigned long long)si.freeram * si.mem_unit / 1024) : -1;
}

/* Fork, run the child's part and _exit with its result; the parent waits. 0 when it held. */
static int child_run(int (*part)(unsigned char *, size_t), unsigned char *buf, size_t len)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(part(buf, len));
	int st;
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* The child: read everything (shared: free memory does not move), write half (copies). */
static int cow_child(unsigned char *buf, size_t len)
{
	long before = free_kb();
	unsigned long sum = 0;
	for (size_t i = 0; i < len; i += PAGE)
		sum += buf[i];
	long after_read = free_kb();
	for (size_t i = 0; i < len / 2; i += PAGE)
		buf[i] = 'C';
	long after_write = free_kb();
	printf("cowdemo: child read %zu MiB: free %ld -> %ld kB; wrote half: -> %ld kB (%ld kB "
	       "copied)\n",
	       (size_t)(len / MIB), before, after_read, after_write, after_read - after_write);
	return sum == (len / PAGE) * 'P' ? 0 : 1;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
	size_t len = mb * MIB;
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	unsigned char *buf =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!mb || buf == MAP_FAILED) {
		fprintf(stderr, "cowdemo: cannot map %zu MiB\n", mb);
		return 1;
	}
	long f0 = free_kb();
	memset(buf, 'P', len);
	long f1 = free_kb();
	printf("cowdemo: parent wrote %zu MiB: free %ld -> %ld kB\n", mb, f0, f1);
	bad |= child_run(cow_child, buf, len);
	printf("cowdemo: after the child: free %ld kB; the parent's bytes are still its own: %s\n",
	       free_kb(), buf[0] == 'P' ? "yes" : "NO");
	bad |= buf[0] != 'P';

	volatile int *counter =
	    mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counter == MAP_FAILED)
		return 1;
	for (int i = 0; i < CHILDREN; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			__sync_fetch_and_add(counter, 1);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	printf("cowdemo: %d children each added one to a MAP_SHARED counter: it reads %d\n",
	       CHILDREN, *counter);
	bad |= *counter != CHILDREN;
	return bad;
}
