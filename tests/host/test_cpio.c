/*
 * Host tests of the cpio newc parser (kernel/fs/cpio.c) and the RAM file system unpacked from
 * it (kernel/fs/ramfs.c): good archives (files, directories, symbolic links, modes, every
 * padding, the trailer, "./" and "/" names, the CRC variant), every refusal with its exact
 * message, lookups with symbolic links, and a teardown that leaves no object behind.
 */
#include "htest.h"

#include <stdlib.h>
#include <string.h>

#include "fs/cpio.h"
#include "fs/ramfs.h"
#include "host_pages.h"
#include "lib/errno.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"

#define MiB            (1024u * 1024u)
#define ARCH_CAP       (4u * MiB) /* the deep-tree archive needs about 2.4 MiB */
#define HDR_FIELD(i)   (CPIO_MAGIC_LEN + (i)*CPIO_FIELD_DIGITS) /* offset of field i */
#define FIELD_FILESIZE 6
#define FIELD_NAMESIZE 11

static uint8_t arch[ARCH_CAP];

/* Append an entry to arch at *@off (asserting it fits). */
static void add(size_t *off, const char *name, uint32_t mode, const char *data)
{
	size_t n = cpio_append(arch, sizeof(arch), *off, name, mode, data,
	                       data ? (uint32_t)strlen(data) : 0);
	if (n == 0)
		abort();
	*off = n;
}

static size_t trailer(size_t off)
{
	add(&off, CPIO_TRAILER, 0, NULL);
	return off;
}

/* Overwrite header field @field of the entry at @hdr with 8 characters @text. */
static void set_field(size_t hdr, int field, const char *text)
{
	memcpy(arch + hdr + HDR_FIELD(field), text, CPIO_FIELD_DIGITS);
}

/* Walk @len bytes of arch to the end; true when it stops with exactly @msg. */
static bool refused_with(size_t len, const char *msg)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int rc;

	cpio_iter_init(&it, arch, len);
	while ((rc = cpio_next(&it, &e)) > 0)
		;
	if (rc != -EINVAL || strcmp(it.err, msg) != 0) {
		printf("# rc %d, message '%s', expected '%s'\n", rc, it.err, msg);
		return false;
	}
	return cpio_next(&it, &e) == -EINVAL; /* and it stays stopped */
}

HT_TEST(good_archive_entries_in_order)
{
	size_t off = 0;
	add(&off, ".", S_IFDIR | 0755, NULL);
	add(&off, "./bin", S_IFDIR | 0755, NULL);
	add(&off, "./bin/sh", S_IFREG | 0755, "echo\n");
	add(&off, "./init", S_IFLNK | 0777, "bin/sh");
	add(&off, "/etc", S_IFDIR | 0700, NULL);
	add(&off, "etc/empty", S_IFREG | 0600, NULL);
	off = trailer(off);
	memset(arch + off, 0, 512); /* block padding after the trailer is ignored */
	off += 512;

	struct cpio_iter it;
	struct cpio_entry e;
	cpio_iter_init(&it, arch, off);
	HT_ASSERT_EQ(cpio_next(&it, &e), 1);
	HT_EXPECT(strcmp(e.name, "") == 0 && strcmp(e.raw_name, ".") == 0);
	HT_EXPECT_EQ(e.mode, S_IFDIR | 0755);
	HT_ASSERT_EQ(cpio_next(&it, &e), 1);
	HT_EXPECT(strcmp(e.name, "bin") == 0);
	HT_ASSERT_EQ(cpio_next(&it, &e), 1);
	HT_EXPECT(strcmp(e.name, "bin/sh") == 0);
	HT_EXPECT_EQ(e.mode, S_IFREG | 0755);
	HT_EXPECT_EQ(e.filesize, 5);
	HT_EXPECT(memcmp(e.data, "echo\n", 5) == 0);
	HT_EXPECT_EQ(e.index, 2);
	HT_ASSERT_EQ(cpio_next(&it, &e), 1);
	HT_EXPECT(strcmp(e.name, "init") == 0);
	HT_EXPECT(S_ISLNK(e.mode));
	HT_EXPECT(e.filesize == 6 && memcmp(e.data, "bin/sh", 6) == 0);
	HT_ASSERT_EQ(cpio_next(&it, &e), 1);
	HT_EXPECT(strcmp(e.name, "etc") == 0);
	HT_EXPECT_EQ(e.mode & S_IPERM, 0700);
	HT_ASSERT_EQ(cpio_next(&it, &e), 1);
	HT_EXPECT(strcmp(e.name, "etc/empty") == 0 && e.filesize == 0);
	HT_EXPECT_EQ(cpio_next(&it, &e), 0);
	HT_EXPECT_EQ(cpio_next(&it, &e), 0); /* stays at the end */
	HT_EXPECT(cpio_is_newc(arch, off));
}

HT_TEST(every_name_and_data_padding)
{
	char name[16], data[16];
	for (int nl = 1; nl <= 9; nl++) {
		for (int dl = 0; dl <= 9; dl++) {
			memset(name, 'n', (size_t)nl);
			name[nl] = '\0';
			for (int i = 0; i < dl; i++)
				data[i] = (char)('a' + i);
			data[dl] = '\0';
			size_t off = 0;
			add(&off, name, S_IFREG | 0644, data);
			add(&off, "second", S_IFREG | 0644, "x");
			off = trailer(off);
			struct cpio_iter it;
			struct cpio_entry e;
			cpio_iter_init(&it, arch, off);
			HT_ASSERT_EQ(cpio_next(&it, &e), 1);
			HT_EXPECT(strcmp(e.name, name) == 0);
			HT_EXPECT_EQ(e.filesize, dl);
			HT_EXPECT(memcmp(e.data, data, (size_t)dl) == 0);
			HT_EXPECT_EQ(((const uint8_t *)e.data - arch) % CPIO_ALIGN, 0);
			HT_ASSERT_EQ(cpio_next(&it, &e), 1);
			HT_EXPECT(strcmp(e.name, "second") == 0);
			HT_EXPECT_EQ(cpio_next(&it, &e), 0);
		}
	}
}

HT_TEST(crc_variant_and_upper_case_hex_accepted)
{
	size_t off = 0;
	add(&off, "f", S_IFREG | 0644, "data");
	off = trailer(off);
	memcpy(arch, "070702", CPIO_MAGIC_LEN);
	set_field(0, 12, "DEADBEEF"); /* the checksum is ignored */
	set_field(0, 1, "000081A4");  /* S_IFREG | 0644 in upper case */
	struct cpio_iter it;
	struct cpio_entry e;
	cpio_iter_init(&it, arch, off);
	HT_ASSERT_EQ(cpio_next(&it, &e), 1);
	HT_EXPECT_EQ(e.mode, S_IFREG | 0644);
	HT_EXPECT_EQ(cpio_next(&it, &e), 0);
}

HT_TEST(names_are_normalised)
{
	static const char *const in[] = { "/bin/x", "./bin/x", ".", "./", ".//a", "//a/b", "a.." };
	static const char *const out[] = { "bin/x", "bin/x", "", "", "a", "a/b", "a.." };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		size_t off = 0;
		add(&off, in[i], S_IFDIR | 0755, NULL);
		off = trailer(off);
		struct cpio_iter it;
		struct cpio_entry e;
		cpio_iter_init(&it, arch, off);
		HT_ASSERT_EQ(cpio_next(&it, &e), 1);
		HT_EXPECT(strcmp(e.name, out[i]) == 0);
	}
}

HT_TEST(refuses_bad_magic)
{
	size_t off = 0;
	add(&off, "a", S_IFREG | 0644, "x");
	size_t second = off;
	add(&off, "b", S_IFREG | 0644, "y");
	off = trailer(off);
	memcpy(arch + second, "070703", CPIO_MAGIC_LEN);
	HT_EXPECT(refused_with(off, "entry 1: bad magic"));
	memcpy(arch, "07", 2);
	HT_EXPECT(refused_with(2, "entry 0: bad magic"));
	HT_EXPECT(!cpio_is_newc(arch, 2));
}

HT_TEST(refuses_truncated_header)
{
	size_t off = 0;
	add(&off, "a", S_IFREG | 0644, "x");
	size_t second = off;
	add(&off, "b", S_IFREG | 0644, "y");
	HT_EXPECT(
	    refused_with(second + 50, "entry 1: truncated header (50 bytes left, 110 needed)"));
}

HT_TEST(refuses_non_hex_digits)
{
	size_t off = 0;
	add(&off, "a", S_IFREG | 0644, "x");
	off = trailer(off);
	arch[HDR_FIELD(FIELD_FILESIZE) + 3] = 'g';
	HT_EXPECT(refused_with(off, "entry 0: non-hex digit in field 'filesize'"));
	arch[HDR_FIELD(FIELD_FILESIZE) + 3] = '0';
	arch[HDR_FIELD(0)] = ' ';
	HT_EXPECT(refused_with(off, "entry 0: non-hex digit in field 'ino'"));
}

HT_TEST(refuses_bad_name_sizes)
{
	size_t off = 0;
	add(&off, "a", S_IFREG | 0644, "x");
	off = trailer(off);
	set_field(0, FIELD_NAMESIZE, "00000000");
	HT_EXPECT(refused_with(off, "entry 0: name size 0"));
	set_field(0, FIELD_NAMESIZE, "00001388");
	HT_EXPECT(refused_with(off, "entry 0: name size 5000 exceeds 4096"));
	set_field(0, FIELD_NAMESIZE, "FFFFFFFF");
	HT_EXPECT(refused_with(off, "entry 0: name size 4294967295 exceeds 4096"));
	set_field(0, FIELD_NAMESIZE, "00000002");
	HT_EXPECT(
	    refused_with(CPIO_HEADER_LEN + 1, "entry 0: name runs past the end of the archive"));
}

HT_TEST(refuses_name_without_nul)
{
	size_t off = 0;
	add(&off, "abc", S_IFREG | 0644, "x");
	off = trailer(off);
	arch[CPIO_HEADER_LEN + 3] = 'd';
	HT_EXPECT(refused_with(off, "entry 0: name without its NUL"));
	arch[CPIO_HEADER_LEN + 3] = '\0';
	arch[CPIO_HEADER_LEN + 1] = '\0'; /* a NUL inside the name */
	HT_EXPECT(refused_with(off, "entry 0: name without its NUL"));
}

HT_TEST(refuses_sizes_past_the_end)
{
	size_t off = 0;
	add(&off, "a", S_IFREG | 0644, "x");
	off = trailer(off);
	set_field(0, FIELD_FILESIZE, "FFFFFFFF");
	char msg[CPIO_ERR_MAX];
	snprintf(msg, sizeof(msg),
	         "entry 0 'a': file size 4294967295 exceeds the archive (%zu bytes)", off);
	HT_EXPECT(refused_with(off, msg));
	set_field(0, FIELD_FILESIZE, "000000F0");
	HT_EXPECT(refused_with(off, "entry 0 'a': data runs past the end of the archive"));
}

HT_TEST(refuses_dotdot_components)
{
	static const char *const bad[] = { "bin/../x", "..", "../x", "a/..", "/..", "./../a" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t off = 0;
		add(&off, "ok", S_IFDIR | 0755, NULL);
		add(&off, "ok/fine", S_IFDIR | 0755, NULL);
		add(&off, "ok/fine/x", S_IFREG | 0644, "1");
		add(&off, bad[i], S_IFREG | 0644, "x");
		off = trailer(off);
		char msg[CPIO_ERR_MAX];
		snprintf(msg, sizeof(msg), "entry 3 '%s': '..' in path", bad[i]);
		HT_EXPECT(refused_with(off, msg));
	}
}

HT_TEST(refuses_missing_trailer_and_quotes_long_names_shortly)
{
	size_t off = 0;
	add(&off, "a", S_IFREG | 0644, "x");
	HT_EXPECT(refused_with(off, "entry 1: archive ends without TRAILER!!!"));
	HT_EXPECT(refused_with(0, "entry 0: archive ends without TRAILER!!!"));

	char name[200];
	memset(name, 'n', sizeof(name));
	memcpy(name + 150, "/../x", 6);
	off = 0;
	add(&off, name, S_IFREG | 0644, "x");
	off = trailer(off);
	char msg[CPIO_ERR_MAX];
	snprintf(msg, sizeof(msg), "entry 0 '%.64s': '..' in path", name);
	HT_EXPECT(refused_with(off, msg));
}

/* ---- ramfs on the host allocator --------------------------------------------------------- */

static struct host_pages hp;

static bool mm_setup(void)
{
	struct slab_page_ops ops;

	kmem_set_owner_ops(NULL);
	kmem_set_current_owner(0);
	if (host_pages_init(&hp, 16 * MiB) != 0)
		return false;
	ops = host_pages_ops(&hp);
	return slab_init(&ops, 7) == 0 && kmalloc_init() == 0;
}

/* Everything came back: no live object, no page out. */
static void mm_teardown(void)
{
	HT_EXPECT_EQ(kmalloc_exit(), 0);
	HT_EXPECT_EQ(slab_exit(), 0);
	HT_EXPECT_EQ(hp.pages_out, 0);
	host_pages_fini(&hp);
}

/* A fresh @fs with the first @len bytes of arch unpacked: ramfs_unpack()'s result. */
static int unpack(struct ramfs *fs, size_t len, char err[RAMFS_ERR_MAX])
{
	int rc = ramfs_init(fs);
	return rc < 0 ? rc : ramfs_unpack(fs, arch, len, err, RAMFS_ERR_MAX);
}

/* Tear @fs down and check that everything came back. */
static void fs_teardown(struct ramfs *fs)
{
	ramfs_destroy(fs);
	mm_teardown();
}

HT_TEST(ramfs_unpacks_looks_up_and_frees_everything)
{
	HT_ASSERT(mm_setup());
	size_t off = 0;
	add(&off, ".", S_IFDIR | 0755, NULL);
	add(&off, "bin", S_IFDIR | 0755, NULL);
	add(&off, "bin/sh", S_IFREG | 0755, "#!sh\n");
	add(&off, "init", S_IFLNK | 0777, "bin/sh");
	add(&off, "abs", S_IFLNK | 0777, "/bin");
	add(&off, "loop1", S_IFLNK | 0777, "loop2");
	add(&off, "loop2", S_IFLNK | 0777, "loop1");
	add(&off, "nodir/x", S_IFREG | 0644, "lost"); /* parent missing: skipped */
	add(&off, "dev", S_IFDIR | 0755, NULL);
	add(&off, "dev/console", S_IFCHR | 0600, NULL);
	off = trailer(off);

	struct ramfs fs;
	char err[RAMFS_ERR_MAX];
	ht_log_clear();
	HT_ASSERT_EQ(unpack(&fs, off, err), 0);
	HT_EXPECT(ht_log_has("initramfs: entry 7 'nodir/x': skipped: parent directory missing"));
	HT_EXPECT_EQ(fs.stats.entries, 10);
	HT_EXPECT_EQ(fs.stats.files, 1);
	HT_EXPECT_EQ(fs.stats.dirs, 3);
	HT_EXPECT_EQ(fs.stats.symlinks, 4);
	HT_EXPECT_EQ(fs.stats.others, 1);
	HT_EXPECT_EQ(fs.stats.skipped, 1);

	struct ramfs_inode *ino, *sh;
	HT_ASSERT_EQ(ramfs_lookup(&fs, "/bin/sh", 0, &sh), 0);
	HT_EXPECT(sh->size == 5 && memcmp(sh->data, "#!sh\n", 5) == 0);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "init", 0, &ino), 0);
	HT_EXPECT(ino == sh);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/init", RAMFS_NOFOLLOW, &ino), 0);
	HT_EXPECT(S_ISLNK(ino->mode));
	char buf[16];
	HT_EXPECT_EQ(ramfs_readlink(ino, buf, sizeof(buf)), 6);
	HT_EXPECT(memcmp(buf, "bin/sh", 6) == 0);
	HT_EXPECT_EQ(ramfs_readlink(sh, buf, sizeof(buf)), -EINVAL);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/abs/sh", 0, &ino), 0);
	HT_EXPECT(ino == sh);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/bin/../bin/./sh", 0, &ino), 0);
	HT_EXPECT(ino == sh);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/../../bin//sh", 0, &ino), 0);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/loop1", 0, &ino), -ELOOP);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/loop1", RAMFS_NOFOLLOW, &ino), 0);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/nope", 0, &ino), -ENOENT);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/nodir/x", 0, &ino), -ENOENT);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/bin/sh/x", 0, &ino), -ENOTDIR);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/bin/sh/", 0, &ino), -ENOTDIR);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/abs/", RAMFS_NOFOLLOW, &ino), 0);
	HT_EXPECT(S_ISDIR(ino->mode));
	HT_EXPECT_EQ(ramfs_lookup(&fs, "", 0, &ino), -ENOENT);
	HT_EXPECT_EQ(ramfs_lookup(&fs, "/dev/console", 0, &ino), 0);
	HT_EXPECT(S_ISCHR(ino->mode));

	static char longname[PATH_MAX + 8];
	memset(longname, 'a', sizeof(longname) - 1);
	HT_EXPECT_EQ(ramfs_lookup(&fs, longname, 0, &ino), -ENAMETOOLONG);
	longname[NAME_MAX + 1] = '\0';
	HT_EXPECT_EQ(ramfs_lookup(&fs, longname, 0, &ino), -ENAMETOOLONG);
	longname[NAME_MAX] = '\0';
	HT_EXPECT_EQ(ramfs_lookup(&fs, longname, 0, &ino), -ENOENT);

	HT_EXPECT(ramfs_child_at(fs.root, 0) != NULL);
	HT_EXPECT(ramfs_child_at(fs.root, 7) == NULL);
	HT_EXPECT(ramfs_child_at(sh, 0) == NULL);
	ramfs_destroy(&fs);
	ramfs_destroy(&fs); /* safe to repeat */
	mm_teardown();
}

HT_TEST(ramfs_refused_archive_can_be_torn_down_without_leaks)
{
	HT_ASSERT(mm_setup());
	size_t off = 0;
	add(&off, "a", S_IFDIR | 0755, NULL);
	add(&off, "a/b", S_IFREG | 0644, "data");
	add(&off, "a/../b", S_IFREG | 0644, "x");
	off = trailer(off);
	struct ramfs fs;
	char err[RAMFS_ERR_MAX];
	HT_EXPECT_EQ(unpack(&fs, off, err), -EINVAL);
	HT_EXPECT(strcmp(err, "entry 2 'a/../b': '..' in path") == 0);
	fs_teardown(&fs);
}

HT_TEST(ramfs_deep_tree_is_freed_without_recursion)
{
	HT_ASSERT(mm_setup());
	static char name[CPIO_NAME_MAX];
	size_t off = 0, n = 0;
	while (n < 3000) { /* "a/a/a/...": 1500 nested directories */
		name[n] = 'a';
		name[n + 1] = '\0';
		add(&off, name, S_IFDIR | 0755, NULL);
		name[n + 1] = '/';
		n += 2;
	}
	off = trailer(off);
	struct ramfs fs;
	char err[RAMFS_ERR_MAX];
	HT_ASSERT_EQ(unpack(&fs, off, err), 0);
	HT_EXPECT_EQ(fs.stats.dirs, 1500);
	fs_teardown(&fs);
}

HT_TEST(ramfs_replaces_files_and_keeps_directories)
{
	HT_ASSERT(mm_setup());
	size_t off = 0;
	add(&off, "d", S_IFDIR | 0755, NULL);
	add(&off, "d/f", S_IFREG | 0644, "old");
	add(&off, "d/f", S_IFREG | 0600, "newer");
	add(&off, "d", S_IFDIR | 0700, NULL);
	add(&off, "d", S_IFREG | 0644, "x"); /* would replace a directory: skipped */
	off = trailer(off);
	struct ramfs fs;
	char err[RAMFS_ERR_MAX];
	struct ramfs_inode *ino;
	ht_log_clear();
	HT_ASSERT_EQ(unpack(&fs, off, err), 0);
	HT_EXPECT(ht_log_has("initramfs: entry 4 'd': skipped: would replace a directory"));
	HT_ASSERT_EQ(ramfs_lookup(&fs, "d/f", 0, &ino), 0);
	HT_EXPECT(ino->size == 5 && ino->mode == (S_IFREG | 0600));
	HT_ASSERT_EQ(ramfs_lookup(&fs, "d", 0, &ino), 0);
	HT_EXPECT_EQ(ino->mode, S_IFDIR | 0700);
	HT_EXPECT_EQ(ino->dir.count, 1);
	fs_teardown(&fs);
}
