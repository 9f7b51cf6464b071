/*
 * cmdline: parse the multiboot command line into struct boot_options.
 *
 * Design: the line is split into words at runs of spaces and tabs. Each word is "key" or
 * "key=value" and is looked up in a table of options (cmdline_opts[] below: name, whether a
 * value is required, forbidden or optional, and a setter). A setter validates the whole
 * value before storing anything, so a malformed word leaves the options untouched; every
 * ignored word costs exactly one "cmdline: ignoring ..." warning line through printk.
 * GRUB and QEMU may pass the kernel's own path as the first word ("/boot/strata.elf
 * loglevel=7"); a first word that looks like a file name
 * (a '/' or '.' before any '=') is skipped without a warning. The word "--" ends the options:
 * every later word is kept verbatim as an argument for init (struct boot_options.init_args).
 *
 * Pure code with no hardware access: it builds unchanged for the host unit tests.
 * `boot_opts` is written once by kmain during boot and only read afterwards.
 */
#include "kernel/cmdline.h"

#include "mm/commit.h"
#include "mm/failinject.h"

#include <stddef.h>

#include "lib/printk.h"
#include "lib/compiler.h"
#include "lib/string.h"

#define CMDLINE_WORD_MAX     128 /* longest word accepted, in characters */
#define CMDLINE_WORD_SHOWN   32  /* characters of an over-long word quoted in its warning */
#define CMDLINE_LOGLEVEL_MAX 7
#define CMDLINE_MEMSTAT_MAX  86400 /* one day, in seconds */

struct boot_options boot_opts;

/* How an option treats "=value". */
enum opt_value { VALUE_NONE, VALUE_REQUIRED, VALUE_OPTIONAL };

struct cmdline_opt {
	const char *name;
	enum opt_value value;
	/* Store @value (NULL when absent) into @opts; 0, or -1 if malformed (nothing stored). */
	int (*set)(struct boot_options *opts, const char *value);
};

/* Is @c a word separator? */
static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parse the decimal string @s (digits only, at least one) into *@out if it is <= @max.
 * Returns 0, or -1 on an empty string, a non-digit or a value above @max.
 */
static int parse_uint(const char *s, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		uint32_t digit = (uint32_t)(*s - '0'); /* a non-digit wraps to > 9 */

		if (digit > 9 || digit > max || v > (max - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

/* loglevel=N, 0..7. Returns 0 or -1 (malformed). */
static int set_loglevel(struct boot_options *opts, const char *value)
{
	uint32_t level;

	if (parse_uint(value, CMDLINE_LOGLEVEL_MAX, &level))
		return -1;
	opts->loglevel = (int)level;
	return 0;
}

/* test or test=GLOB (1..CMDLINE_GLOB_MAX-1 characters). Returns 0 or -1 (malformed). */
static int set_test(struct boot_options *opts, const char *value)
{
	if (!value)
		value = "*";
	if (!*value || strlen(value) >= CMDLINE_GLOB_MAX)
		return -1;
	kstrlcpy(opts->test_glob, value, sizeof(opts->test_glob));
	opts->test = true;
	return 0;
}

/* mem=SIZE[K|M|G], more than 0 bytes. Returns 0 or -1 (malformed). */
static int set_mem(struct boot_options *opts, const char *value)
{
	uint64_t bytes;

	if (parse_size(value, &bytes) || bytes == 0)
		return -1;
	opts->mem_limit = bytes;
	return 0;
}

/* memstat=SECONDS, 0..86400 (0 = off). Returns 0 or -1 (malformed). */
static int set_memstat(struct boot_options *opts, const char *value)
{
	uint32_t seconds;

	if (parse_uint(value, CMDLINE_MEMSTAT_MAX, &seconds))
		return -1;
	opts->memstat_seconds = seconds;
	return 0;
}

/* panic=halt|exit. Returns 0 or -1 (malformed). */
static int set_panic(struct boot_options *opts, const char *value)
{
	if (strcmp(value, "halt") == 0)
		opts->panic_action = PANIC_HALT;
	else if (strcmp(value, "exit") == 0)
		opts->panic_action = PANIC_EXIT;
	else
		return -1;
	return 0;
}

/* The bare flags; they cannot fail. */
static int set_debug_pagealloc(struct boot_options *opts, const char *value)
{
	(void)value;
	opts->debug_pagealloc = true;
	return 0;
}

static int set_init_on_alloc(struct boot_options *opts, const char *value)
{
	(void)value;
	opts->init_on_alloc = true;
	return 0;
}

static int set_slub_debug(struct boot_options *opts, const char *value)
{
	(void)value;
	opts->slub_debug = true;
	return 0;
}

static int set_vmcheck(struct boot_options *opts, const char *value)
{
	(void)value;
	opts->vmcheck = true;
	return 0;
}

/* overcommit=heuristic|always|never (or 0..2). Returns 0 or -1 (malformed). */
static int set_overcommit(struct boot_options *opts, const char *value)
{
	enum overcommit_mode mode;

	if (!commit_parse_mode(value, &mode))
		return -1;
	opts->overcommit = (int)mode;
	return 0;
}

/* overcommit_ratio=N, a percentage up to CMDLINE_RATIO_MAX. Returns 0 or -1 (malformed). */
static int set_overcommit_ratio(struct boot_options *opts, const char *value)
{
	uint32_t ratio;

	if (parse_uint(value, CMDLINE_RATIO_MAX, &ratio))
		return -1;
	opts->overcommit_ratio = ratio;
	return 0;
}

/*
 * Check the fault-injection spec @value (include/mm/failinject.h) on a scratch attribute and
 * keep it in @dst (FAULT_SPEC_MAX bytes) for kmain to apply. Returns 0 or -1 (malformed).
 */
static int set_fault_spec(char *dst, const char *value)
{
	struct fault_attr scratch = { .interval = 1, .probability = 100 };

	if (strlen(value) >= FAULT_SPEC_MAX || failinject_parse(&scratch, value))
		return -1;
	kstrlcpy(dst, value, FAULT_SPEC_MAX);
	return 0;
}

static int set_fail_page_alloc(struct boot_options *opts, const char *value)
{
	return set_fault_spec(opts->fail_page_alloc, value);
}

static int set_failslab(struct boot_options *opts, const char *value)
{
	return set_fault_spec(opts->failslab, value);
}

/* vdso=0|1 (Linux's vdso32= on i386): map the vDSO into processes. Returns 0 or -1. */
static int set_vdso(struct boot_options *opts, const char *value)
{
	if (strcmp(value, "0") && strcmp(value, "1"))
		return -1;
	opts->vdso = value[0] == '1';
	return 0;
}

static int set_bench(struct boot_options *opts, const char *value)
{
	(void)value;
	opts->bench = true;
	return 0;
}

/* init=PATH: an absolute path that fits. Returns 0 or -1 (malformed). */
static int set_init(struct boot_options *opts, const char *value)
{
	if (value[0] != '/' || strlen(value) >= CMDLINE_INIT_MAX)
		return -1;
	kstrlcpy(opts->init_path, value, sizeof(opts->init_path));
	return 0;
}

/* Every option; documented in include/kernel/cmdline.h. */
static const struct cmdline_opt cmdline_opts[] = {
	{ "loglevel", VALUE_REQUIRED, set_loglevel },
	{ "test", VALUE_OPTIONAL, set_test },
	{ "mem", VALUE_REQUIRED, set_mem },
	{ "memstat", VALUE_REQUIRED, set_memstat },
	{ "panic", VALUE_REQUIRED, set_panic },
	{ "debug_pagealloc", VALUE_NONE, set_debug_pagealloc },
	{ "init_on_alloc", VALUE_NONE, set_init_on_alloc },
	{ "slub_debug", VALUE_NONE, set_slub_debug },
	{ "vmcheck", VALUE_NONE, set_vmcheck },
	{ "overcommit", VALUE_REQUIRED, set_overcommit },
	{ "overcommit_ratio", VALUE_REQUIRED, set_overcommit_ratio },
	{ "fail_page_alloc", VALUE_REQUIRED, set_fail_page_alloc },
	{ "failslab", VALUE_REQUIRED, set_failslab },
	{ "bench", VALUE_NONE, set_bench },
	{ "init", VALUE_REQUIRED, set_init },
	{ "vdso", VALUE_REQUIRED, set_vdso },
};

/*
 * Fill @opts with the defaults (what an empty command line means): loglevel LOG_DEFAULT,
 * panic halts, everything else off or unlimited. Cannot fail.
 */
void cmdline_defaults(struct boot_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->loglevel = LOG_DEFAULT;
	opts->panic_action = PANIC_HALT;
	opts->overcommit = OVERCOMMIT_GUESS;
	opts->overcommit_ratio = OVERCOMMIT_RATIO_DEFAULT;
	opts->vdso = true;
}

/*
 * Apply one NUL-terminated @word to @opts. Returns 0 when applied, -1 when ignored (after
 * printing its one warning line).
 */
static int apply_word(char *word, struct boot_options *opts)
{
	char *eq = strchr(word, '=');
	const char *value = NULL;
	size_t i;

	if (eq) {
		*eq = '\0';
		value = eq + 1;
	}
	for (i = 0; i < ARRAY_SIZE(cmdline_opts); i++) {
		const struct cmdline_opt *opt = &cmdline_opts[i];
		int bad;

		if (strcmp(word, opt->name) != 0)
			continue;
		if (opt->value == VALUE_NONE)
			bad = value != NULL;
		else if (opt->value == VALUE_REQUIRED)
			bad = value == NULL;
		else
			bad = 0;
		if (!bad)
			bad = opt->set(opts, value);
		if (eq)
			*eq = '=';
		if (bad) {
			pr_warn("cmdline: ignoring malformed option '%s'\n", word);
			return -1;
		}
		return 0;
	}
	if (eq)
		*eq = '=';
	pr_warn("cmdline: ignoring unknown option '%s'\n", word);
	return -1;
}

/*
 * Parse @cmdline (may be NULL) into @opts, which holds the defaults or an earlier parse;
 * later words override earlier ones. Returns the number of words ignored (each warned
 * about once), 0 when every word was applied.
 */
/*
 * True for a word that is a file name rather than an option: no '=' before any '/' or '.'.
 * GRUB passes "/boot/strata.elf", QEMU -kernel the path as given ("build/strata.elf").
 */
static bool looks_like_path(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (w[i] == '=')
			return false;
		if (w[i] == '/' || w[i] == '.')
			return true;
	}
	return false;
}

/*
 * Keep the word [@w, @w + @len) as init's next argument. Returns 0, or -1 (one warning line)
 * when there are already CMDLINE_INIT_ARGS or it does not fit in init_args.
 */
static int add_init_arg(struct boot_options *opts, const char *w, size_t len)
{
	size_t used = 0;

	for (int i = 0; i < opts->init_argc; i++)
		used += strlen(opts->init_args + used) + 1;
	if (opts->init_argc >= CMDLINE_INIT_ARGS || used + len + 1 > sizeof(opts->init_args)) {
		pr_warn("cmdline: ignoring init argument '%.*s' (%s)\n", CMDLINE_WORD_SHOWN, w,
		        opts->init_argc >= CMDLINE_INIT_ARGS ? "too many" : "too long");
		return -1;
	}
	memcpy(opts->init_args + used, w, len);
	opts->init_args[used + len] = '\0';
	opts->init_argc++;
	return 0;
}

int cmdline_parse(const char *cmdline, struct boot_options *opts)
{
	const char *p = cmdline;
	bool first = true, init_words = false;
	int ignored = 0;

	if (!p)
		return 0;
	for (;;) {
		char word[CMDLINE_WORD_MAX + 1];
		const char *start;
		size_t len;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && !is_space(*p))
			p++;
		len = (size_t)(p - start);

		if (init_words) {
			if (add_init_arg(opts, start, len))
				ignored++;
			continue;
		}
		if (len == strlen(CMDLINE_ARGS_SEP) && !strncmp(start, CMDLINE_ARGS_SEP, len)) {
			init_words = true;
			first = false;
			continue;
		}
		if (first && looks_like_path(start, len)) { /* the kernel's path (GRUB, QEMU) */
			first = false;
			continue;
		}
		first = false;
		if (len > CMDLINE_WORD_MAX) {
			pr_warn("cmdline: ignoring malformed option '%.*s...'\n",
			        CMDLINE_WORD_SHOWN, start);
			ignored++;
			continue;
		}
		memcpy(word, start, len);
		word[len] = '\0';
		if (apply_word(word, opts))
			ignored++;
	}
	return ignored;
}

/*
 * Parse "SIZE[K|M|G]" (decimal digits, optional case-insensitive binary suffix) into *@out.
 * Returns 0, or -1 (with *@out untouched) on NULL or empty input, a non-digit, a bad or
 * repeated suffix, or a value that does not fit in 64 bits.
 */
int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int digit = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	switch (*s) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (shift && s[1] != '\0')
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

/*
 * Match @text against @pattern, where '*' matches any run (also empty) and '?' exactly one
 * character; everything else matches itself. Returns true on a full match. Iterative with
 * one backtrack point, so the cost is at most O(len(pattern) * len(text)).
 */
bool glob_match(const char *pattern, const char *text)
{
	const char *star = NULL;   /* the last '*' seen in @pattern */
	const char *resume = NULL; /* where in @text that '*' will absorb one more char */

	while (*text) {
		if (*pattern == '*') {
			star = pattern++;
			resume = text;
		} else if (*pattern && (*pattern == '?' || *pattern == *text)) {
			pattern++;
			text++;
		} else if (star) {
			pattern = star + 1;
			text = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}
