/* t_procfs: (work in progress) dump /proc files. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

static void dump(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read_all(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	printf("==== %s (%ld)\n", path, n);
	if (n > 0) {
		buf[n] = 0;
		fwrite(buf, 1, (size_t)n, stdout);
	}
}

int main(void)
{
	static const char *const files[] = {
		"/proc/self/stat",
		"/proc/self/statm",
		"/proc/self/status",
		"/proc/self/maps",
		"/proc/self/smaps_rollup",
		"/proc/self/cmdline",
		"/proc/self/comm",
		"/proc/self/oom_score",
		"/proc/self/oom_score_adj",
		"/proc/self/limits",
		"/proc/vmstat",
		"/proc/buddyinfo",
		"/proc/slabinfo",
		"/proc/zoneinfo",
		"/proc/stat",
		"/proc/uptime",
		"/proc/loadavg",
		"/proc/version",
		"/proc/cmdline",
		"/proc/meminfo",
		"/proc/1/stat",
		"/proc/1/status",
	};
	proc_mount();
	mmap((void *)0x20000000, 65536, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		dump(files[i]);
	char l[64];
	long n = readlink("/proc/self", l, sizeof l);
	printf("==== self -> %.*s (pid %d)\n", (int)n, l, getpid());
	fflush(stdout);
	proc_unmount();
	return 0;
}
