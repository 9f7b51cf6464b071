/*
 * Host tests for kernel/cmdline.c: defaults, every documented option, malformed and unknown
 * words (each leaves the options unchanged and produces exactly one warning line, checked
 * through the printk capture), word splitting, parse_size() and glob_match().
 */
#include "htest.h"

#include <stdint.h>
#include <string.h>

#include "kernel/cmdline.h"
#include "mm/commit.h"
#include "lib/printk.h"

/* How many times @needle occurs in the captured printk output. */
static int log_count(const char *needle)
{
	const char *p = ht_log_text();
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* Number of lines in the captured printk output. */
static int log_lines(void)
{
	return log_count("\n");
}

static bool opts_equal(const struct boot_options *a, const struct boot_options *b)
{
	return a->loglevel == b->loglevel && a->test == b->test &&
	       strcmp(a->test_glob, b->test_glob) == 0 && a->mem_limit == b->mem_limit &&
	       a->memstat_seconds == b->memstat_seconds && a->panic_action == b->panic_action &&
	       a->debug_pagealloc == b->debug_pagealloc && a->init_on_alloc == b->init_on_alloc &&
	       a->slub_debug == b->slub_debug && a->vmcheck == b->vmcheck &&
	       a->overcommit == b->overcommit && a->overcommit_ratio == b->overcommit_ratio &&
	       strcmp(a->fail_page_alloc, b->fail_page_alloc) == 0 &&
	       strcmp(a->failslab, b->failslab) == 0 && a->vdso == b->vdso;
}

/*
 * Parse the single bad @word on top of the defaults: expect it ignored, the options
 * unchanged and exactly one warning line equal to @warning.
 */
static void expect_ignored(const char *word, const char *warning, int line)
{
	struct boot_options def, o;
	char msg[512];

	cmdline_defaults(&def);
	cmdline_defaults(&o);
	ht_log_clear();
	if (cmdline_parse(word, &o) != 1 || !opts_equal(&o, &def) || log_lines() != 1 ||
	    strcmp(ht_log_text(), warning) != 0) {
		snprintf(msg, sizeof(msg), "word '%s': log \"%s\", want \"%s\"", word,
		         ht_log_text(), warning);
		ht_fail(__FILE__, line, msg);
	}
	ht_log_clear();
}

#define EXPECT_MALFORMED(word)                                                                     \
	expect_ignored(word, "cmdline: ignoring malformed option '" word "'\n", __LINE__)
#define EXPECT_UNKNOWN(word)                                                                       \
	expect_ignored(word, "cmdline: ignoring unknown option '" word "'\n", __LINE__)

HT_TEST(defaults)
{
	struct boot_options o;

	memset(&o, 0xa5, sizeof(o));
	cmdline_defaults(&o);
	HT_EXPECT_EQ(o.loglevel, LOG_DEFAULT);
	HT_EXPECT_EQ(o.loglevel, 6);
	HT_EXPECT(!o.test);
	HT_EXPECT_EQ(o.test_glob[0], 0);
	HT_EXPECT_EQ(o.mem_limit, 0);
	HT_EXPECT_EQ(o.memstat_seconds, 0);
	HT_EXPECT_EQ(o.panic_action, PANIC_HALT);
	HT_EXPECT(!o.debug_pagealloc);
	HT_EXPECT(!o.init_on_alloc);
	HT_EXPECT(!o.slub_debug);
	HT_EXPECT(!o.vmcheck);
}

HT_TEST(empty_and_null)
{
	struct boot_options def, o;

	cmdline_defaults(&def);
	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse(NULL, &o), 0);
	HT_EXPECT_EQ(cmdline_parse("", &o), 0);
	HT_EXPECT_EQ(cmdline_parse(" \t  \t", &o), 0);
	HT_EXPECT(opts_equal(&o, &def));
	HT_EXPECT_EQ(log_lines(), 0);
}

HT_TEST(loglevel)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("loglevel=0", &o), 0);
	HT_EXPECT_EQ(o.loglevel, 0);
	HT_EXPECT_EQ(cmdline_parse("loglevel=7", &o), 0);
	HT_EXPECT_EQ(o.loglevel, 7);
	HT_EXPECT_EQ(cmdline_parse("loglevel=03", &o), 0);
	HT_EXPECT_EQ(o.loglevel, 3);
	HT_EXPECT_EQ(log_lines(), 0);

	EXPECT_MALFORMED("loglevel=8");
	EXPECT_MALFORMED("loglevel=abc");
	EXPECT_MALFORMED("loglevel=-1");
	EXPECT_MALFORMED("loglevel=+1");
	EXPECT_MALFORMED("loglevel=3x");
	EXPECT_MALFORMED("loglevel=");
	EXPECT_MALFORMED("loglevel");
	EXPECT_MALFORMED("loglevel=4294967299");
	EXPECT_MALFORMED("loglevel=99999999999999999999999");
}

HT_TEST(test_option)
{
	struct boot_options o;
	char word[80], glob[CMDLINE_GLOB_MAX + 1];

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("test", &o), 0);
	HT_EXPECT(o.test);
	HT_EXPECT(strcmp(o.test_glob, "*") == 0);

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("test=mm.buddy*", &o), 0);
	HT_EXPECT(o.test);
	HT_EXPECT(strcmp(o.test_glob, "mm.buddy*") == 0);

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("test=a=b", &o), 0); /* only the first '=' splits */
	HT_EXPECT(strcmp(o.test_glob, "a=b") == 0);

	/* the longest glob that fits: CMDLINE_GLOB_MAX - 1 characters */
	memset(glob, 'g', CMDLINE_GLOB_MAX - 1);
	glob[CMDLINE_GLOB_MAX - 1] = '\0';
	snprintf(word, sizeof(word), "test=%s", glob);
	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse(word, &o), 0);
	HT_EXPECT(strcmp(o.test_glob, glob) == 0);

	EXPECT_MALFORMED("test=");
	EXPECT_MALFORMED("test=gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg");
	HT_EXPECT_EQ(strlen("gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"),
	             CMDLINE_GLOB_MAX);
	HT_EXPECT_EQ(log_lines(), 0);
}

HT_TEST(mem_option)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("mem=128M", &o), 0);
	HT_EXPECT_EQ(o.mem_limit, 128ULL << 20);
	HT_EXPECT_EQ(cmdline_parse("mem=4g", &o), 0);
	HT_EXPECT_EQ(o.mem_limit, 4ULL << 30);
	HT_EXPECT_EQ(cmdline_parse("mem=640K", &o), 0);
	HT_EXPECT_EQ(o.mem_limit, 640ULL << 10);
	HT_EXPECT_EQ(cmdline_parse("mem=1", &o), 0);
	HT_EXPECT_EQ(o.mem_limit, 1);
	HT_EXPECT_EQ(log_lines(), 0);

	EXPECT_MALFORMED("mem=0");
	EXPECT_MALFORMED("mem=0M");
	EXPECT_MALFORMED("mem=");
	EXPECT_MALFORMED("mem");
	EXPECT_MALFORMED("mem=12KB");
	EXPECT_MALFORMED("mem=M");
	EXPECT_MALFORMED("mem=1T");
	EXPECT_MALFORMED("mem=-5M");
	EXPECT_MALFORMED("mem=99999999999999999999");
}

HT_TEST(memstat_option)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("memstat=5", &o), 0);
	HT_EXPECT_EQ(o.memstat_seconds, 5);
	HT_EXPECT_EQ(cmdline_parse("memstat=86400", &o), 0);
	HT_EXPECT_EQ(o.memstat_seconds, 86400);
	HT_EXPECT_EQ(cmdline_parse("memstat=0", &o), 0);
	HT_EXPECT_EQ(o.memstat_seconds, 0);
	HT_EXPECT_EQ(log_lines(), 0);

	EXPECT_MALFORMED("memstat=86401");
	EXPECT_MALFORMED("memstat=5s");
	EXPECT_MALFORMED("memstat=");
	EXPECT_MALFORMED("memstat");
	EXPECT_MALFORMED("memstat=-1");
	EXPECT_MALFORMED("memstat=4294967296");
}

HT_TEST(panic_option)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("panic=exit", &o), 0);
	HT_EXPECT_EQ(o.panic_action, PANIC_EXIT);
	HT_EXPECT_EQ(cmdline_parse("panic=halt", &o), 0);
	HT_EXPECT_EQ(o.panic_action, PANIC_HALT);
	HT_EXPECT_EQ(log_lines(), 0);

	EXPECT_MALFORMED("panic=reboot");
	EXPECT_MALFORMED("panic=EXIT");
	EXPECT_MALFORMED("panic=");
	EXPECT_MALFORMED("panic");
	EXPECT_MALFORMED("panic=exitx");
}

HT_TEST(flag_options)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("debug_pagealloc", &o), 0);
	HT_EXPECT(o.debug_pagealloc && !o.init_on_alloc && !o.slub_debug);
	HT_EXPECT_EQ(cmdline_parse("init_on_alloc", &o), 0);
	HT_EXPECT(o.debug_pagealloc && o.init_on_alloc && !o.slub_debug);
	HT_EXPECT_EQ(cmdline_parse("slub_debug", &o), 0);
	HT_EXPECT(o.debug_pagealloc && o.init_on_alloc && o.slub_debug && !o.vmcheck);
	HT_EXPECT_EQ(cmdline_parse("vmcheck", &o), 0);
	HT_EXPECT(o.vmcheck);
	HT_EXPECT_EQ(log_lines(), 0);

	HT_EXPECT(o.overcommit == OVERCOMMIT_GUESS && o.overcommit_ratio == 50);
	HT_EXPECT_EQ(cmdline_parse("overcommit=never overcommit_ratio=80", &o), 0);
	HT_EXPECT(o.overcommit == OVERCOMMIT_NEVER && o.overcommit_ratio == 80);
	HT_EXPECT_EQ(cmdline_parse("overcommit=1", &o), 0);
	HT_EXPECT(o.overcommit == OVERCOMMIT_ALWAYS);
	HT_EXPECT_EQ(log_lines(), 0);

	HT_EXPECT(o.vdso); /* the default: mapped */
	HT_EXPECT_EQ(cmdline_parse("vdso=0", &o), 0);
	HT_EXPECT(!o.vdso);
	HT_EXPECT_EQ(cmdline_parse("vdso=1", &o), 0);
	HT_EXPECT(o.vdso);
	HT_EXPECT_EQ(log_lines(), 0);
	EXPECT_MALFORMED("vdso=2");
	EXPECT_MALFORMED("vdso=");

	EXPECT_MALFORMED("overcommit=sometimes");
	EXPECT_MALFORMED("overcommit=3");
	EXPECT_MALFORMED("overcommit_ratio=1001");
	EXPECT_MALFORMED("overcommit_ratio=");
	EXPECT_MALFORMED("debug_pagealloc=1");
	EXPECT_MALFORMED("vmcheck=1");
	EXPECT_MALFORMED("init_on_alloc=");
	EXPECT_MALFORMED("slub_debug=FZPU");
}

HT_TEST(fault_injection_specs)
{
	struct boot_options o;

	cmdline_defaults(&o);
	ht_log_clear();
	HT_EXPECT(o.fail_page_alloc[0] == '\0' && o.failslab[0] == '\0');
	HT_EXPECT_EQ(cmdline_parse("fail_page_alloc=97 failslab=5%,seed=42,pid=3", &o), 0);
	HT_EXPECT(strcmp(o.fail_page_alloc, "97") == 0);
	HT_EXPECT(strcmp(o.failslab, "5%,seed=42,pid=3") == 0);
	HT_EXPECT_EQ(cmdline_parse("failslab=every=3,times=10", &o), 0);
	HT_EXPECT(strcmp(o.failslab, "every=3,times=10") == 0);
	HT_EXPECT_EQ(log_lines(), 0);
	EXPECT_MALFORMED("fail_page_alloc=");
	EXPECT_MALFORMED("fail_page_alloc=0");
	EXPECT_MALFORMED("failslab=101%");
	EXPECT_MALFORMED("failslab=7,often");
}

HT_TEST(unknown_options)
{
	EXPECT_UNKNOWN("xyz");
	EXPECT_UNKNOWN("foo=bar");
	EXPECT_UNKNOWN("=5");
	EXPECT_UNKNOWN("=");
	EXPECT_UNKNOWN("LOGLEVEL=3");
	EXPECT_UNKNOWN("loglevel2=3");
	EXPECT_UNKNOWN("tes");
	EXPECT_UNKNOWN("testing");
	EXPECT_UNKNOWN("quiet");
}

HT_TEST(all_options_together)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("/boot/strata.elf\tloglevel=7  test=mm.*\t\tmem=64M "
	                           "memstat=10 panic=exit debug_pagealloc init_on_alloc "
	                           "slub_debug ",
	                           &o),
	             0);
	HT_EXPECT_EQ(log_lines(), 0);
	HT_EXPECT_EQ(o.loglevel, 7);
	HT_EXPECT(o.test);
	HT_EXPECT(strcmp(o.test_glob, "mm.*") == 0);
	HT_EXPECT_EQ(o.mem_limit, 64ULL << 20);
	HT_EXPECT_EQ(o.memstat_seconds, 10);
	HT_EXPECT_EQ(o.panic_action, PANIC_EXIT);
	HT_EXPECT(o.debug_pagealloc && o.init_on_alloc && o.slub_debug);
}

HT_TEST(later_words_override)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("loglevel=2 test=a loglevel=5 test", &o), 0);
	HT_EXPECT_EQ(o.loglevel, 5);
	HT_EXPECT(strcmp(o.test_glob, "*") == 0);
}

HT_TEST(mixed_good_and_bad_words)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("  loglevel=9 bogus loglevel=4\tmem=0 mem=2M panic=maybe  ", &o),
	             4);
	HT_EXPECT_EQ(o.loglevel, 4);
	HT_EXPECT_EQ(o.mem_limit, 2ULL << 20);
	HT_EXPECT_EQ(o.panic_action, PANIC_HALT);
	HT_EXPECT_EQ(log_lines(), 4);
	HT_EXPECT_EQ(log_count("cmdline: ignoring"), 4);
	HT_EXPECT(ht_log_contains("cmdline: ignoring malformed option 'loglevel=9'\n"));
	HT_EXPECT(ht_log_contains("cmdline: ignoring unknown option 'bogus'\n"));
	HT_EXPECT(ht_log_contains("cmdline: ignoring malformed option 'mem=0'\n"));
	HT_EXPECT(ht_log_contains("cmdline: ignoring malformed option 'panic=maybe'\n"));
}

HT_TEST(kernel_path_first_word)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("/boot/strata.elf loglevel=7", &o), 0);
	HT_EXPECT_EQ(o.loglevel, 7);
	HT_EXPECT_EQ(cmdline_parse("   /strata.elf", &o), 0);
	/* QEMU -kernel passes the path as given, relative or bare */
	HT_EXPECT_EQ(cmdline_parse("build/strata.elf loglevel=5", &o), 0);
	HT_EXPECT_EQ(o.loglevel, 5);
	HT_EXPECT_EQ(cmdline_parse("strata.elf", &o), 0);
	HT_EXPECT_EQ(log_lines(), 0);
	/* an option with a '.' after its '=' is still an option */
	HT_EXPECT_EQ(cmdline_parse("test=boot.*", &o), 0);
	HT_EXPECT(o.test);
	/* a bare unknown word first is not a path */
	HT_EXPECT_EQ(cmdline_parse("bogus", &o), 1);
	HT_EXPECT(ht_log_contains("cmdline: ignoring unknown option 'bogus'\n"));
	ht_log_clear();

	/* only the first word may be a path */
	HT_EXPECT_EQ(cmdline_parse("loglevel=1 /boot/strata.elf", &o), 1);
	HT_EXPECT_EQ(log_lines(), 1);
	HT_EXPECT(ht_log_contains("cmdline: ignoring unknown option '/boot/strata.elf'\n"));
	HT_EXPECT_EQ(cmdline_parse("/a /b", &o), 1);
	HT_EXPECT(ht_log_contains("cmdline: ignoring unknown option '/b'\n"));
}

HT_TEST(overlong_words)
{
	char line[600], want[sizeof(line) + 64];
	struct boot_options def, o;
	int i;

	/* 128 characters: still a word, reported as unknown in full */
	memset(line, 'x', 128);
	line[128] = '\0';
	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse(line, &o), 1);
	snprintf(want, sizeof(want), "cmdline: ignoring unknown option '%s'\n", line);
	HT_EXPECT(strcmp(ht_log_text(), want) == 0);

	/* 129 and more: malformed, quoted truncated, one line, options unchanged */
	for (i = 129; i < 500; i += 370) {
		ht_log_clear();
		memcpy(line, "loglevel=", 9);
		memset(line + 9, '1', (size_t)i - 9);
		line[i] = '\0';
		cmdline_defaults(&def);
		cmdline_defaults(&o);
		HT_EXPECT_EQ(cmdline_parse(line, &o), 1);
		HT_EXPECT(opts_equal(&o, &def));
		HT_EXPECT_EQ(log_lines(), 1);
		HT_EXPECT(ht_log_contains("cmdline: ignoring malformed option 'loglevel=111"));
		HT_EXPECT(ht_log_contains("...'\n"));
		HT_EXPECT(strlen(ht_log_text()) < 100);
	}

	/* parsing continues after an over-long word */
	ht_log_clear();
	memset(line, 'y', 300);
	strcpy(line + 300, " loglevel=2");
	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse(line, &o), 1);
	HT_EXPECT_EQ(o.loglevel, 2);
	HT_EXPECT_EQ(log_lines(), 1);
}

HT_TEST(boot_opts_global)
{
	cmdline_defaults(&boot_opts);
	HT_EXPECT_EQ(cmdline_parse("panic=exit", &boot_opts), 0);
	HT_EXPECT_EQ(boot_opts.panic_action, PANIC_EXIT);
}

/* ---- parse_size ---------------------------------------------------------------------- */

HT_TEST(parse_size_valid)
{
	uint64_t v;

	HT_EXPECT_EQ(parse_size("0", &v), 0);
	HT_EXPECT_EQ(v, 0);
	HT_EXPECT_EQ(parse_size("1", &v), 0);
	HT_EXPECT_EQ(v, 1);
	HT_EXPECT_EQ(parse_size("4k", &v), 0);
	HT_EXPECT_EQ(v, 4096);
	HT_EXPECT_EQ(parse_size("4K", &v), 0);
	HT_EXPECT_EQ(v, 4096);
	HT_EXPECT_EQ(parse_size("2m", &v), 0);
	HT_EXPECT_EQ(v, 2ULL << 20);
	HT_EXPECT_EQ(parse_size("3G", &v), 0);
	HT_EXPECT_EQ(v, 3ULL << 30);
	HT_EXPECT_EQ(parse_size("007", &v), 0);
	HT_EXPECT_EQ(v, 7);
	HT_EXPECT_EQ(parse_size("18446744073709551615", &v), 0);
	HT_EXPECT_EQ(v, UINT64_MAX);
	HT_EXPECT_EQ(parse_size("17179869183G", &v), 0);
	HT_EXPECT_EQ(v, 17179869183ULL << 30);
	HT_EXPECT_EQ(parse_size("18014398509481983K", &v), 0);
	HT_EXPECT_EQ(v, 18014398509481983ULL << 10);
}

HT_TEST(parse_size_invalid)
{
	static const char *const bad[] = {
		"",
		"K",
		"m",
		"12KB",
		"12T",
		"1k2",
		"-1",
		"+1",
		" 1",
		"1 ",
		"0x10",
		"1.5M",
		"18446744073709551616",
		"99999999999999999999999",
		"17179869184G",
		"18014398509481984K",
		"17592186044416M",
	};
	uint64_t v = 12345;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_size(bad[i], &v) != -1) {
			char m[128];

			snprintf(m, sizeof(m), "parse_size(\"%s\") accepted", bad[i]);
			ht_fail(__FILE__, __LINE__, m);
		}
		HT_EXPECT_EQ(v, 12345); /* untouched on failure */
	}
	HT_EXPECT_EQ(parse_size(NULL, &v), -1);
}

/* ---- glob_match ---------------------------------------------------------------------- */

HT_TEST(glob)
{
	HT_EXPECT(glob_match("", ""));
	HT_EXPECT(!glob_match("", "a"));
	HT_EXPECT(!glob_match("a", ""));
	HT_EXPECT(glob_match("*", ""));
	HT_EXPECT(glob_match("*", "anything.at.all"));
	HT_EXPECT(glob_match("**", "x"));
	HT_EXPECT(!glob_match("?", ""));
	HT_EXPECT(glob_match("?", "x"));
	HT_EXPECT(!glob_match("?", "xy"));
	HT_EXPECT(glob_match("abc", "abc"));
	HT_EXPECT(!glob_match("abc", "abd"));
	HT_EXPECT(!glob_match("abc", "abcd"));
	HT_EXPECT(!glob_match("abcd", "abc"));
	HT_EXPECT(glob_match("mm.*", "mm.buddy_split"));
	HT_EXPECT(glob_match("mm.*", "mm."));
	HT_EXPECT(!glob_match("mm.*", "sched.switch"));
	HT_EXPECT(!glob_match("mm.*", "mm"));
	HT_EXPECT(glob_match("*buddy*", "mm.buddy.split"));
	HT_EXPECT(glob_match("a*b*c", "aXbYc"));
	HT_EXPECT(glob_match("a*b*c", "abc"));
	HT_EXPECT(!glob_match("a*b*c", "aXbY"));
	HT_EXPECT(glob_match("*ab", "aab"));
	HT_EXPECT(glob_match("*ab", "ababab"));
	HT_EXPECT(!glob_match("*ab", "abba"));
	HT_EXPECT(glob_match("a?c", "abc"));
	HT_EXPECT(!glob_match("a?c", "ac"));
	HT_EXPECT(glob_match("*.?", "x.y"));
	HT_EXPECT(glob_match("?*?", "ab"));
	HT_EXPECT(!glob_match("?*?", "a"));
	HT_EXPECT(glob_match("a*", "a"));
	HT_EXPECT(glob_match("*a*", "banana"));
	HT_EXPECT(glob_match("*an*an*", "banana"));
	HT_EXPECT(!glob_match("*an*an*an*", "banana"));
	HT_EXPECT(!glob_match("*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	HT_EXPECT(glob_match("*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
}

/* init's argument @i (0-based) from the packed init_args, or NULL past the count. */
static const char *init_arg(const struct boot_options *o, int i)
{
	const char *a = o->init_args;

	if (i >= o->init_argc)
		return NULL;
	while (i--)
		a += strlen(a) + 1;
	return a;
}

HT_TEST(init_args_after_double_dash)
{
	struct boot_options o;

	cmdline_defaults(&o);
	HT_EXPECT_EQ(o.init_argc, 0);
	ht_log_clear();
	HT_EXPECT_EQ(cmdline_parse("init=/test/init loglevel=3 -- t_mem t_wait", &o), 0);
	HT_EXPECT_EQ(strcmp(o.init_path, "/test/init"), 0);
	HT_EXPECT_EQ(o.loglevel, 3);
	HT_EXPECT_EQ(o.init_argc, 2);
	HT_EXPECT_EQ(strcmp(init_arg(&o, 0), "t_mem"), 0);
	HT_EXPECT_EQ(strcmp(init_arg(&o, 1), "t_wait"), 0);
	HT_EXPECT_EQ(log_lines(), 0);

	/* After "--" nothing is an option: not applied, not warned about, kept verbatim. */
	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("loglevel=2 -- loglevel=7 bogus -- x=y", &o), 0);
	HT_EXPECT_EQ(o.loglevel, 2);
	HT_EXPECT_EQ(o.init_argc, 4);
	HT_EXPECT_EQ(strcmp(init_arg(&o, 0), "loglevel=7"), 0);
	HT_EXPECT_EQ(strcmp(init_arg(&o, 1), "bogus"), 0);
	HT_EXPECT_EQ(strcmp(init_arg(&o, 2), "--"), 0);
	HT_EXPECT_EQ(strcmp(init_arg(&o, 3), "x=y"), 0);
	HT_EXPECT_EQ(log_lines(), 0);

	/* Runs of spaces and tabs separate; a trailing "--" gives no arguments. */
	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("test --  \t a\t\tb  ", &o), 0);
	HT_EXPECT(o.test);
	HT_EXPECT_EQ(o.init_argc, 2);
	HT_EXPECT_EQ(strcmp(init_arg(&o, 1), "b"), 0);
	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("loglevel=1 --", &o), 0);
	HT_EXPECT_EQ(o.init_argc, 0);

	/* The kernel's path first, then "--" at once. */
	cmdline_defaults(&o);
	HT_EXPECT_EQ(cmdline_parse("/boot/strata.elf -- one", &o), 0);
	HT_EXPECT_EQ(o.init_argc, 1);
	HT_EXPECT_EQ(strcmp(init_arg(&o, 0), "one"), 0);

	/* "--x" and "x--" are ordinary (unknown) words, not the separator. */
	cmdline_defaults(&o);
	ht_log_clear();
	HT_EXPECT_EQ(cmdline_parse("--x", &o), 1);
	HT_EXPECT_EQ(o.init_argc, 0);
	HT_EXPECT_EQ(log_count("ignoring unknown option '--x'"), 1);
	ht_log_clear();
}

HT_TEST(init_args_limits)
{
	struct boot_options o;
	char line[1024] = "--";
	char want[16];

	/* One word more than CMDLINE_INIT_ARGS: exactly one warning, the first ones kept. */
	for (int i = 0; i <= CMDLINE_INIT_ARGS; i++) {
		snprintf(want, sizeof(want), " a%d", i);
		strcat(line, want);
	}
	cmdline_defaults(&o);
	ht_log_clear();
	HT_EXPECT_EQ(cmdline_parse(line, &o), 1);
	HT_EXPECT_EQ(o.init_argc, CMDLINE_INIT_ARGS);
	snprintf(want, sizeof(want), "a%d", CMDLINE_INIT_ARGS - 1);
	HT_EXPECT_EQ(strcmp(init_arg(&o, CMDLINE_INIT_ARGS - 1), want), 0);
	HT_EXPECT_EQ(log_lines(), 1);
	HT_EXPECT_EQ(log_count("(too many)"), 1);

	/* Words that together overflow init_args: the one that does not fit is refused. */
	char big[CMDLINE_MAX];
	memset(big, 'w', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(line, sizeof(line), "-- ok %s", big);
	cmdline_defaults(&o);
	ht_log_clear();
	HT_EXPECT_EQ(cmdline_parse(line, &o), 1);
	HT_EXPECT_EQ(o.init_argc, 1);
	HT_EXPECT_EQ(strcmp(init_arg(&o, 0), "ok"), 0);
	HT_EXPECT_EQ(log_count("(too long)"), 1);
	ht_log_clear();
}
