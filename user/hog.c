/*
 * user/hog.c: a memory hog, to watch demand paging, the zero page and the OOM path.
 *
 *   hog SIZE[k|m] [none|read|write|every=N] [brk|mmap] [hold|silent]
 *
 * Takes SIZE bytes from the program break (brk, the default) or from one anonymous private
 * mapping (mmap), then touches it: none (no access: nothing should be committed to RAM),
 * read (read one byte a page: the zero page may serve all of them), write (write one byte a
 * page: every page becomes real), or every=N (write one byte every N pages). It prints what
 * it did and sysinfo's free memory before and after, and exits 0 (1 if the memory could not
 * be had, 2 on bad usage). With `hold` it keeps the memory instead of exiting: it waits in
 * pause() until a signal ends it (run it in the background to watch the OOM killer choose);
 * `silent` holds too and prints nothing (a background hog that writes nowhere over the
 * monitor's lines).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#define PAGE_SIZE 4096UL

static void usage(void)
{
	fprintf(stderr,
	        "usage: hog SIZE[k|m] [none|read|write|every=N] [brk|mmap] [hold|silent]\n");
	exit(2);
}

/* Free RAM in kB from sysinfo(2), or -1. */
static long free_kb(void)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0)
		return -1;
	return (long)((unsigned long long)si.freeram * si.mem_unit / 1024);
}

static unsigned long parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		usage();
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v == 0 || v > UINT32_MAX)
		usage();
	return (unsigned long)v;
}

int main(int argc, char **argv)
{
	const char *touch = "write", *how = "brk";
	unsigned long size, step = 1, pages, touched = 0, sum = 0;
	long before, after;
	volatile unsigned char *mem;

	bool silent = argc == 5 && strcmp(argv[4], "silent") == 0;
	bool hold = silent || (argc == 5 && strcmp(argv[4], "hold") == 0);

	if (argc < 2 || argc > 5 || (argc == 5 && !hold))
		usage();
	if (silent && !freopen("/dev/null", "w", stdout))
		return 2;
	size = parse_size(argv[1]);
	if (argc > 2)
		touch = argv[2];
	if (argc > 3)
		how = argv[3];
	if (strncmp(touch, "every=", 6) == 0) {
		step = strtoul(touch + 6, NULL, 10);
		if (step == 0)
			usage();
	} else if (strcmp(touch, "none") && strcmp(touch, "read") && strcmp(touch, "write")) {
		usage();
	}
	if (strcmp(how, "brk") && strcmp(how, "mmap"))
		usage();

	before = free_kb();
	if (strcmp(how, "brk") == 0) {
		void *p = sbrk((intptr_t)size);
		if (p == (void *)-1) {
			printf("hog: brk of %lu bytes failed: %s\n", size, strerror(errno));
			return 1;
		}
		mem = p;
	} else {
		void *p =
		    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("hog: mmap of %lu bytes failed: %s\n", size, strerror(errno));
			return 1;
		}
		mem = p;
	}
	pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	printf("hog: %lu bytes (%lu pages) from %s at %p\n", size, pages, how, (void *)mem);

	if (strcmp(touch, "read") == 0) {
		for (unsigned long i = 0; i < pages; i++, touched++)
			sum += mem[i * PAGE_SIZE];
	} else if (strcmp(touch, "none") != 0) {
		for (unsigned long i = 0; i < pages; i += step, touched++)
			mem[i * PAGE_SIZE] = (unsigned char)(i | 1);
	}
	after = free_kb();
	printf("hog: touched %lu pages (%s)%s\n", touched, touch,
	       strcmp(touch, "read") == 0 ? (sum == 0 ? ", all read as zero" : ", NOT ALL ZERO")
	                                  : "");
	printf("hog: free memory before %ld kB, after %ld kB (%+ld kB)\n", before, after,
	       after - before);
	if (hold) {
		printf("hog: holding %lu pages until a signal\n", touched);
		fflush(stdout);
		for (;;)
			pause();
	}
	return strcmp(touch, "read") == 0 && sum != 0 ? 1 : 0;
}
