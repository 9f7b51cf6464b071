/*
 * cpio: a parser for the cpio "newc" archive format (what `cpio -o -H newc` writes, and what
 * Linux unpacks from an initramfs), kernel/fs/cpio.c.
 *
 * An archive is a sequence of entries, each
 *
 *   offset  0  magic "070701" (or "070702": the CRC variant; its checksum is ignored)
 *   offset  6  13 fields of 8 hex digits: ino mode uid gid nlink mtime filesize
 *              devmajor devminor rdevmajor rdevminor namesize check
 *   offset 110 the name, namesize bytes including its NUL, padded so that the data starts
 *              at a multiple of 4 from the start of the archive
 *              the data, filesize bytes, padded to a multiple of 4
 *
 * ending with the entry named "TRAILER!!!" (anything after it, usually zero padding to a
 * 512-byte block, is ignored). A symbolic link's data is its target.
 *
 * The parser is pure (no allocation, no kernel services: it builds for the host tests and the
 * fuzzer) and distrustful: every field is checked before it is used, and a defect ends the
 * walk with a message naming the entry, e.g. "entry 3 'bin/../x': '..' in path". Entries
 * point into the caller's buffer, which must outlive them.
 *
 * Names are normalised as Linux's initramfs sees them: leading "/" and "./" are dropped
 * ("./bin/x" and "/bin/x" give "bin/x"; "." gives "", the root). A ".." component anywhere
 * is refused (an archive must not reach outside its root).
 */
#ifndef STRATA_FS_CPIO_H
#define STRATA_FS_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPIO_MAGIC_LEN    6
#define CPIO_FIELD_DIGITS 8
#define CPIO_NR_FIELDS    13
#define CPIO_HEADER_LEN   (CPIO_MAGIC_LEN + CPIO_NR_FIELDS * CPIO_FIELD_DIGITS) /* 110 */
#define CPIO_ALIGN        4
#define CPIO_NAME_MAX     4096 /* namesize above this (NUL included) is refused */
#define CPIO_ERR_MAX      160  /* bytes of an error message, NUL included */
#define CPIO_ERR_NAME_MAX 64   /* bytes of the entry name quoted in a message */
#define CPIO_TRAILER      "TRAILER!!!"

/* One entry, as cpio_next() returns it; the pointers are into the archive. */
struct cpio_entry {
	uint32_t index;       /* 0 for the first entry */
	const char *name;     /* normalised, NUL-terminated; "" is the root directory */
	const char *raw_name; /* as stored in the archive */
	uint32_t ino, mode, uid, gid, nlink, mtime;
	uint32_t filesize;
	uint32_t devmajor, devminor, rdevmajor, rdevminor;
	const void *data; /* filesize bytes */
};

/* Iteration state: set up with cpio_iter_init(); fields are private to the parser. */
struct cpio_iter {
	const uint8_t *buf;
	size_t len;
	size_t off;             /* offset of the next header */
	uint32_t index;         /* index of the next entry */
	bool done;              /* the trailer was seen, or an error stopped the walk */
	char err[CPIO_ERR_MAX]; /* the message of the error that stopped the walk, else "" */
};

/* True when @buf (@len bytes) starts with a newc magic ("070701" or "070702"). */
bool cpio_is_newc(const void *buf, size_t len);

/* Start a walk over the archive @buf of @len bytes. */
void cpio_iter_init(struct cpio_iter *it, const void *buf, size_t len);

/*
 * Read the next entry into *@e. Returns 1 with *@e filled; 0 at the trailer (and on every
 * call after it); -EINVAL for a defective archive, with it->err saying which entry and why
 * (every later call returns -EINVAL again). The messages, for entry N named 'x':
 *   "entry N: bad magic"                          (not 070701/070702)
 *   "entry N: truncated header (K bytes left, 110 needed)"
 *   "entry N: non-hex digit in field 'F'"
 *   "entry N: name size 0"
 *   "entry N: name size S exceeds 4096"
 *   "entry N: name runs past the end of the archive"
 *   "entry N: name without its NUL"
 *   "entry N 'x': file size S exceeds the archive (L bytes)"
 *   "entry N 'x': data runs past the end of the archive"
 *   "entry N 'x': '..' in path"
 *   "entry N: archive ends without TRAILER!!!"
 */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e);

/*
 * Write one newc entry (magic 070701, ino/uid/gid/mtime 0) named @name with @mode and the
 * @size bytes at @data into @buf (@cap bytes) at offset @off, padded as the format wants.
 * For tests and tools: the trailer is cpio_append(buf, cap, off, CPIO_TRAILER, 0, NULL, 0).
 * Returns the offset after the entry, or 0 when it does not fit in @cap.
 */
size_t cpio_append(void *buf, size_t cap, size_t off, const char *name, uint32_t mode,
                   const void *data, uint32_t size);

#endif
