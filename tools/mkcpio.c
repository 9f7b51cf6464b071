/*
 * tools/mkcpio.c: write a cpio "newc" archive (the initramfs format) from a manifest, like
 * Linux's usr/gen_init_cpio, so that device nodes need no root and the output is
 * reproducible.
 *
 *   mkcpio MANIFEST [OUTPUT]        (OUTPUT defaults to standard output; MANIFEST may be -)
 *
 * Manifest lines (fields separated by blanks; '#' starts a comment; modes are octal
 * permission bits, the file type comes from the keyword):
 *   dir   PATH MODE
 *   file  PATH SRC MODE              SRC is read from the host, relative to the current dir
 *   slink PATH TARGET MODE
 *   nod   PATH MODE c|b MAJ MIN
 *
 * Entries are written in manifest order (a directory must come before what it holds: the
 * unpacker creates each entry in turn), with mtime 0, uid and gid 0, inode numbers counted
 * up from 721 as gen_init_cpio does, and names without the leading '/'. The archive ends with
 * the TRAILER!!! entry. Any error names the manifest line and exits 1 without leaving a
 * partial output file behind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NEWC_MAGIC "070701"
#define FIRST_INO  721
#define MAX_PATHS  4096
#define MAX_LINE   4096

static FILE *out;
static const char *out_path;
static const char *manifest_name;
static unsigned line_no;
static unsigned long next_ino = FIRST_INO;
static unsigned long offset; /* bytes written, for the 4-byte alignment */

/* Every path written so far, to check that a parent directory was declared before use. */
static char *paths[MAX_PATHS];
static unsigned char path_is_dir[MAX_PATHS];
static unsigned n_paths;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkcpio: %s:%u: ", manifest_name, line_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (out_path && out && out != stdout) {
		fclose(out);
		remove(out_path);
	}
	exit(1);
}

static void put(const void *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, out) != len)
		die("write error: %s", strerror(errno));
	offset += len;
}

static void pad4(void)
{
	static const char zeros[4];

	put(zeros, (4 - offset % 4) % 4);
}

/* One header field: 8 upper-case hex digits. */
static void field(unsigned long v)
{
	char buf[9];

	if (v > 0xffffffffUL)
		die("value %lu does not fit a newc header field", v);
	snprintf(buf, sizeof(buf), "%08lX", v);
	put(buf, 8);
}

/* One header, the name (NUL included) padded to 4; the caller writes the data. */
static void header(const char *name, unsigned long mode, unsigned long nlink, unsigned long size,
                   unsigned long rmaj, unsigned long rmin, unsigned long ino)
{
	put(NEWC_MAGIC, 6);
	field(ino);
	field(mode);
	field(0); /* uid */
	field(0); /* gid */
	field(nlink);
	field(0); /* mtime */
	field(size);
	field(0); /* dev major */
	field(0); /* dev minor */
	field(rmaj);
	field(rmin);
	field(strlen(name) + 1);
	field(0); /* check (only for the "070702" crc format) */
	put(name, strlen(name) + 1);
	pad4();
}

static unsigned long parse_mode(const char *s)
{
	char *end;
	unsigned long m;

	if (!s)
		die("missing MODE");
	m = strtoul(s, &end, 8);
	if (*end || m > 07777)
		die("bad mode '%s' (octal permission bits, at most 7777)", s);
	return m;
}

static unsigned long parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	if (!s)
		die("missing %s", what);
	v = strtoul(s, &end, 10);
	if (*end || v > 0xfffff)
		die("bad %s '%s'", what, s);
	return v;
}

/* Check PATH (absolute, no "..", parent declared) and return its archive name. */
static const char *archive_name(const char *path, int is_dir)
{
	const char *name;
	char *slash;
	char parent[MAX_LINE];
	unsigned i;

	if (!path)
		die("missing PATH");
	if (path[0] != '/' || strcmp(path, "/") == 0)
		die("path '%s' must be absolute and not /", path);
	if (strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//") ||
	    path[strlen(path) - 1] == '/')
		die("path '%s' is not in normal form", path);
	name = path + 1;
	for (i = 0; i < n_paths; i++)
		if (strcmp(paths[i], name) == 0)
			die("'%s' appears twice", path);
	snprintf(parent, sizeof(parent), "%s", name);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		for (i = 0; i < n_paths; i++)
			if (path_is_dir[i] && strcmp(paths[i], parent) == 0)
				break;
		if (i == n_paths)
			die("directory /%s must be declared (dir) before '%s'", parent, path);
	}
	if (n_paths == MAX_PATHS)
		die("more than %d entries", MAX_PATHS);
	paths[n_paths] = strdup(name);
	if (!paths[n_paths])
		die("out of memory");
	path_is_dir[n_paths++] = (unsigned char)is_dir;
	return name;
}

static void do_file(const char *path, const char *src, const char *mode_s)
{
	unsigned long mode = parse_mode(mode_s);
	const char *name;
	FILE *in;
	char buf[65536];
	size_t n, done = 0;
	long size;

	if (!src)
		die("missing SRC");
	name = archive_name(path, 0);
	in = fopen(src, "rb");
	if (!in)
		die("cannot open '%s': %s", src, strerror(errno));
	if (fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) < 0 || fseek(in, 0, SEEK_SET) != 0)
		die("cannot size '%s'", src);
	header(name, S_IFREG | mode, 1, (unsigned long)size, 0, 0, next_ino++);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		put(buf, n);
		done += n;
	}
	if (ferror(in) || done != (size_t)size)
		die("read error on '%s'", src);
	fclose(in);
	pad4();
}

static void do_line(char *line)
{
	char *f[7];
	int n = 0;
	char *tok, *save = NULL;
	char *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	for (tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 6)
			die("too many fields");
		f[n++] = tok;
	}
	for (int i = n; i < 7; i++)
		f[i] = NULL;
	if (n == 0)
		return;

	if (strcmp(f[0], "dir") == 0) {
		if (n != 3)
			die("usage: dir PATH MODE");
		const char *name = archive_name(f[1], 1);
		header(name, S_IFDIR | parse_mode(f[2]), 2, 0, 0, 0, next_ino++);
	} else if (strcmp(f[0], "file") == 0) {
		if (n != 4)
			die("usage: file PATH SRC MODE");
		do_file(f[1], f[2], f[3]);
	} else if (strcmp(f[0], "slink") == 0) {
		if (n != 4)
			die("usage: slink PATH TARGET MODE");
		const char *name = archive_name(f[1], 0);
		unsigned long mode = parse_mode(f[3]);
		header(name, S_IFLNK | mode, 1, strlen(f[2]), 0, 0, next_ino++);
		put(f[2], strlen(f[2]));
		pad4();
	} else if (strcmp(f[0], "nod") == 0) {
		if (n != 6)
			die("usage: nod PATH MODE c|b MAJ MIN");
		const char *name = archive_name(f[1], 0);
		unsigned long mode = parse_mode(f[2]);
		unsigned long type;
		if (strcmp(f[3], "c") == 0)
			type = S_IFCHR;
		else if (strcmp(f[3], "b") == 0)
			type = S_IFBLK;
		else
			die("device type '%s' must be c or b", f[3]);
		header(name, type | mode, 1, 0, parse_num(f[4], "MAJ"), parse_num(f[5], "MIN"),
		       next_ino++);
	} else {
		die("unknown entry type '%s' (dir, file, slink, nod)", f[0]);
	}
}

int main(int argc, char **argv)
{
	FILE *in;
	char line[MAX_LINE];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: mkcpio MANIFEST [OUTPUT]\n");
		return 2;
	}
	manifest_name = argv[1];
	in = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
	if (!in) {
		fprintf(stderr, "mkcpio: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (argc == 3) {
		out_path = argv[2];
		out = fopen(out_path, "wb");
		if (!out) {
			fprintf(stderr, "mkcpio: cannot create %s: %s\n", out_path,
			        strerror(errno));
			return 1;
		}
	} else {
		out = stdout;
	}
	while (fgets(line, sizeof(line), in)) {
		line_no++;
		if (!strchr(line, '\n') && !feof(in))
			die("line too long");
		do_line(line);
	}
	line_no++;
	header("TRAILER!!!", 0, 1, 0, 0, 0, 0);
	/* gen_init_cpio pads the whole archive to 512 bytes; the kernel accepts either. */
	while (offset % 512)
		put("", 1);
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0))
		die("write error: %s", strerror(errno));
	return 0;
}
