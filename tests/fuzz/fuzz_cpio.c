/*
 * libFuzzer target for the cpio newc parser and the RAM file system unpacked from it
 * (`make build/fuzz/fuzz_cpio`, run with -runs=N). Each input is an archive. Checked:
 *   - every entry the parser returns lies inside the input (name NUL-terminated, data within),
 *     a refusal always carries a message naming an entry, and the walk ends;
 *   - the same input unpacked into a ramfs, looked up by every entry's name (with and without
 *     following links) and torn down, gives every object and page back (the slab layer is
 *     brought up around each input on a host page provider: kmalloc_exit() must find no live
 * object, and then no page may be out). Any violation aborts (a crash for libFuzzer).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/cpio.h"
#include "fs/ramfs.h"
#include "host_pages.h"
#include "htest.h"
#include "lib/errno.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"

#define FUZZ_POOL_BYTES (1024u * 1024u) /* small: the out-of-memory path is fuzzed too */
#define FUZZ_SLAB_SEED  7

static void check_parser(const uint8_t *data, size_t size)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int rc;
	uint32_t n = 0;

	cpio_iter_init(&it, data, size);
	while ((rc = cpio_next(&it, &e)) > 0) {
		const uint8_t *name = (const uint8_t *)e.raw_name;
		if (name < data || name >= data + size)
			abort();
		size_t left = (size_t)(data + size - name);
		if (strnlen(e.raw_name, left) == left)
			abort(); /* the NUL must be inside the input */
		const uint8_t *d = e.data;
		if (d < data || d > data + size || e.filesize > (size_t)(data + size - d))
			abort();
		if (e.index != n++)
			abort();
	}
	if (rc < 0 && strncmp(it.err, "entry ", 6) != 0)
		abort();
	if (rc == 0 && it.err[0] != '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct host_pages hp;
	static bool up;
	static size_t base_pages;
	struct slab_page_ops ops;
	struct ramfs fs;
	char err[RAMFS_ERR_MAX];

	check_parser(data, size);

	if (!up) { /* the provider and the slab layer once; the kmalloc caches per input */
		ht_log_echo = false;
		if (host_pages_init(&hp, FUZZ_POOL_BYTES) != 0)
			abort();
		ops = host_pages_ops(&hp);
		if (slab_init(&ops, FUZZ_SLAB_SEED) != 0)
			abort();
		if (kmalloc_init() != 0 || kmalloc_exit() != 0)
			abort();
		base_pages = hp.pages_out; /* the slab layer's own, with its cache descriptors */
		up = true;
	}
	if (kmalloc_init() != 0)
		abort();
	if (ramfs_init(&fs) != 0)
		abort();
	int rc = ramfs_unpack(&fs, data, size, err, sizeof(err));
	if (rc != 0 && rc != -EINVAL && rc != -ENOMEM)
		abort();
	if (rc == 0) {
		struct cpio_iter it;
		struct cpio_entry e;
		struct ramfs_inode *ino;
		cpio_iter_init(&it, data, size);
		while (cpio_next(&it, &e) > 0) {
			(void)ramfs_lookup(&fs, e.name, 0, &ino);
			if (ramfs_lookup(&fs, e.name, RAMFS_NOFOLLOW, &ino) == 0 && !ino)
				abort();
		}
	}
	ramfs_destroy(&fs);
	if (kmalloc_exit() != 0 || hp.pages_out != base_pages)
		abort(); /* an object or a page was not given back */
	return 0;
}
