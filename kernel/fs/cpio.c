/*
 * cpio: the newc archive parser (see include/fs/cpio.h for the format and the messages).
 *
 * Design: one forward walk with a cursor; each step checks, in order, that the header fits,
 * the magic, every field's digits, the name size, the name's bytes and NUL, the data's size
 * and extent, and the name's components, before returning anything. Arithmetic is done in
 * size_t on values already bounded by the archive length, so nothing can wrap. No state
 * besides struct cpio_iter; no allocation.
 */
#include "fs/cpio.h"

#include "fs/mode.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define CPIO_MAGIC     "070701"
#define CPIO_MAGIC_CRC "070702"
#define HEX_RADIX      16u
#define DECIMAL_DIGITS 10

/* Field order in the header. */
enum cpio_field {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
};

static const char *const field_names[CPIO_NR_FIELDS] = {
	"ino",      "mode",     "uid",       "gid",       "nlink",    "mtime", "filesize",
	"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check",
};

/* @n rounded up to the archive's 4-byte alignment (callers keep @n far below SIZE_MAX). */
static size_t cpio_align(size_t n)
{
	return (n + CPIO_ALIGN - 1) & ~(size_t)(CPIO_ALIGN - 1);
}

bool cpio_is_newc(const void *buf, size_t len)
{
	return buf && len >= CPIO_MAGIC_LEN &&
	       (memcmp(buf, CPIO_MAGIC, CPIO_MAGIC_LEN) == 0 ||
	        memcmp(buf, CPIO_MAGIC_CRC, CPIO_MAGIC_LEN) == 0);
}

void cpio_iter_init(struct cpio_iter *it, const void *buf, size_t len)
{
	it->buf = buf;
	it->len = buf ? len : 0;
	it->off = 0;
	it->index = 0;
	it->done = false;
	it->err[0] = '\0';
}

/*
 * Stop the walk with the message "entry N[ 'name']: what". @name may be NULL (not known yet);
 * it is quoted up to CPIO_ERR_NAME_MAX bytes. Returns -EINVAL.
 */
static int cpio_fail(struct cpio_iter *it, const char *name, const char *what)
{
	if (name)
		ksnprintf(it->err, sizeof(it->err), "entry %u '%.*s': %s", it->index,
		          CPIO_ERR_NAME_MAX, name, what);
	else
		ksnprintf(it->err, sizeof(it->err), "entry %u: %s", it->index, what);
	it->done = true;
	return -EINVAL;
}

/* Parse 8 hex digits at @p into *@out. Returns true, false at a non-hex digit. */
static bool parse_hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < CPIO_FIELD_DIGITS; i++) {
		uint8_t c = p[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + DECIMAL_DIGITS;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + DECIMAL_DIGITS;
		else
			return false;
		v = v * HEX_RADIX + d;
	}
	*out = v;
	return true;
}

/* True when @path has a component that is exactly "..". */
static bool has_dotdot(const char *path)
{
	const char *p = path;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		if (!slash)
			break;
		p = slash + 1;
	}
	return false;
}

/* The name without its leading "/" and "./" prefixes ("." alone becomes ""). */
static const char *normalise(const char *name)
{
	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else if (name[0] == '.' && name[1] == '\0')
			name++;
		else
			return name;
	}
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	char what[CPIO_ERR_MAX];
	uint32_t f[CPIO_NR_FIELDS];

	if (it->done)
		return it->err[0] ? -EINVAL : 0;
	size_t left = it->len - it->off;
	if (left == 0)
		return cpio_fail(it, NULL, "archive ends without " CPIO_TRAILER);
	const uint8_t *h = it->buf + it->off;
	if (left < CPIO_MAGIC_LEN || !cpio_is_newc(h, left))
		return cpio_fail(it, NULL, "bad magic");
	if (left < CPIO_HEADER_LEN) {
		ksnprintf(what, sizeof(what), "truncated header (%zu bytes left, %u needed)", left,
		          (unsigned)CPIO_HEADER_LEN);
		return cpio_fail(it, NULL, what);
	}
	for (int i = 0; i < CPIO_NR_FIELDS; i++) {
		if (!parse_hex8(h + CPIO_MAGIC_LEN + i * CPIO_FIELD_DIGITS, &f[i])) {
			ksnprintf(what, sizeof(what), "non-hex digit in field '%s'",
			          field_names[i]);
			return cpio_fail(it, NULL, what);
		}
	}
	uint32_t namesize = f[F_NAMESIZE];
	if (namesize == 0)
		return cpio_fail(it, NULL, "name size 0");
	if (namesize > CPIO_NAME_MAX) {
		ksnprintf(what, sizeof(what), "name size %u exceeds %u", namesize,
		          (unsigned)CPIO_NAME_MAX);
		return cpio_fail(it, NULL, what);
	}
	if (namesize > left - CPIO_HEADER_LEN)
		return cpio_fail(it, NULL, "name runs past the end of the archive");
	const char *name = (const char *)h + CPIO_HEADER_LEN;
	if (name[namesize - 1] != '\0' || strnlen(name, namesize) != namesize - 1)
		return cpio_fail(it, NULL, "name without its NUL");

	size_t data_off = cpio_align(it->off + CPIO_HEADER_LEN + namesize);
	uint32_t filesize = f[F_FILESIZE];
	if (filesize > it->len) {
		ksnprintf(what, sizeof(what), "file size %u exceeds the archive (%zu bytes)",
		          filesize, it->len);
		return cpio_fail(it, name, what);
	}
	if (data_off > it->len || filesize > it->len - data_off)
		return cpio_fail(it, name, "data runs past the end of the archive");
	if (strcmp(name, CPIO_TRAILER) == 0) {
		it->done = true;
		return 0;
	}
	if (has_dotdot(name))
		return cpio_fail(it, name, "'..' in path");

	e->index = it->index;
	e->raw_name = name;
	e->name = normalise(name);
	e->ino = f[F_INO];
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->filesize = filesize;
	e->devmajor = f[F_DEVMAJOR];
	e->devminor = f[F_DEVMINOR];
	e->rdevmajor = f[F_RDEVMAJOR];
	e->rdevminor = f[F_RDEVMINOR];
	e->data = it->buf + data_off;
	/* The next header: data padded to 4 (may equal it->len: then the trailer is missing). */
	size_t next = data_off + filesize;
	it->off = MIN(cpio_align(next), it->len);
	it->index++;
	return 1;
}

size_t cpio_append(void *buf, size_t cap, size_t off, const char *name, uint32_t mode,
                   const void *data, uint32_t size)
{
	char hdr[CPIO_HEADER_LEN + 1];
	size_t namesize = strlen(name) + 1;
	size_t data_off = cpio_align(off + CPIO_HEADER_LEN + namesize);
	size_t end = cpio_align(data_off + size);
	uint8_t *b = buf;

	if (off > cap || end > cap || end < off)
		return 0;
	ksnprintf(hdr, sizeof(hdr), "%s%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08zx%08x",
	          CPIO_MAGIC, 0u, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, size, 0u, 0u, 0u, 0u,
	          namesize, 0u);
	memset(b + off, 0, end - off);
	memcpy(b + off, hdr, CPIO_HEADER_LEN);
	memcpy(b + off + CPIO_HEADER_LEN, name, namesize);
	if (size)
		memcpy(b + data_off, data, size);
	return end;
}
