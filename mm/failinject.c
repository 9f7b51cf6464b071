/*
 * failinject: the decision of Linux's fault_attr (interval, probability with a seeded
 * generator, times, a task filter) and the spec parser for fail_page_alloc= and failslab=
 * (include/mm/failinject.h has the rules and the syntax).
 *
 * Pure code with no hardware access: the allocators call it, the host tests drive it.
 */
#include "mm/failinject.h"

#include "lib/format.h"
#include "lib/string.h"

#define SEED_DEFAULT 1u

/* An attribute as at boot: not enabled; the defaults a spec starts from (every call, 100%,
 * unlimited, the default seed). */
#define FAULT_ATTR_INIT(name_)                                                                     \
	{                                                                                          \
		.name = name_, .interval = 1, .probability = 100, .seed = SEED_DEFAULT,            \
		.times = FAULT_TIMES_UNLIMITED, .limit = FAULT_TIMES_UNLIMITED,                    \
		.rng = SEED_DEFAULT                                                                \
	}

struct fault_attr fail_page_alloc_attr = FAULT_ATTR_INIT("fail_page_alloc");
struct fault_attr failslab_attr = FAULT_ATTR_INIT("failslab");

static int (*pid_hook)(void);

/* A non-zero generator state from @seed (splitmix32's finaliser, so nearby seeds differ). */
static uint32_t rng_start(uint32_t seed)
{
	uint32_t z = seed + 0x9e3779b9u;

	z = (z ^ (z >> 16)) * 0x85ebca6bu;
	z = (z ^ (z >> 13)) * 0xc2b2ae35u;
	z ^= z >> 16;
	return z ? z : 1;
}

/* xorshift32: the next value of the generator at *@s (never 0 again). */
static uint32_t rng_next(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* Digits only, at least one, at most @max: 0 and *@out, or -1. */
static int number(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	char tmp[12];

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return parse_decimal(tmp, max, out) ? 0 : -1;
}

/* Does the field [@f, @f + @len) start with "@key="? Then its value in *@v, *@vlen. */
static bool field_is(const char *f, size_t len, const char *key, const char **v, size_t *vlen)
{
	size_t k = strlen(key);

	if (len <= k || strncmp(f, key, k) != 0 || f[k] != '=')
		return false;
	*v = f + k + 1;
	*vlen = len - k - 1;
	return true;
}

/* Store the percentage [@v, @v + @vl) (an optional '%' at its end) in *@a. 0 or -1. */
static int set_probability(struct fault_attr *a, const char *v, size_t vl)
{
	uint32_t n;

	if (vl && v[vl - 1] == '%')
		vl--;
	if (number(v, vl, 100, &n))
		return -1;
	a->probability = n;
	return 0;
}

/* Apply one field to *@a (a scratch copy). Returns 0, or -1 when it is malformed. */
static int apply_field(struct fault_attr *a, const char *f, size_t len, bool *set_every,
                       bool *set_prob, bool *off)
{
	const char *v = f;
	size_t vl = len;
	uint32_t n;

	if (len == 3 && strncmp(f, "off", 3) == 0) {
		*off = true;
		return 0;
	}
	if (field_is(f, len, "prob", &v, &vl) || f[len - 1] == '%') {
		*set_prob = true;
		return set_probability(a, v, vl);
	}
	if (field_is(f, len, "every", &v, &vl) || (f[0] >= '0' && f[0] <= '9')) {
		if (number(v, vl, UINT32_MAX, &n) || n == 0)
			return -1;
		a->interval = n;
		*set_every = true;
		return 0;
	}
	if (field_is(f, len, "seed", &v, &vl))
		return number(v, vl, UINT32_MAX, &a->seed);
	if (field_is(f, len, "times", &v, &vl)) {
		if (number(v, vl, UINT32_MAX - 1, &n) || n == 0)
			return -1;
		a->limit = n;
		return 0;
	}
	if (field_is(f, len, "pid", &v, &vl)) {
		if (number(v, vl, INT32_MAX, &n))
			return -1;
		a->pid = (int)n;
		return 0;
	}
	return -1;
}

int failinject_parse(struct fault_attr *a, const char *spec)
{
	struct fault_attr t = *a;
	bool set_every = false, set_prob = false, off = false, any = false;
	const char *p = spec;

	if (!p)
		return -1;
	for (;;) {
		while (*p == ',' || *p == ' ')
			p++;
		if (!*p)
			break;
		const char *f = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		if (apply_field(&t, f, (size_t)(p - f), &set_every, &set_prob, &off))
			return -1;
		any = true;
	}
	if (!any)
		return -1;
	if (off) {
		a->enabled = false;
		return 0;
	}
	/* "every=N" alone fails every Nth call outright; "P%" alone makes every call a
	 * candidate; fields that set neither keep what was configured before. */
	if (set_every && !set_prob)
		t.probability = 100;
	if (set_prob && !set_every)
		t.interval = 1;
	t.enabled = true;
	t.calls = 0;
	t.times = t.limit;
	t.rng = rng_start(t.seed);
	*a = t;
	return 0;
}

bool failinject_should_fail(struct fault_attr *a, int pid)
{
	if (!a->enabled || pid <= 0)
		return false;
	if (a->pid ? pid != a->pid : pid == 1)
		return false;
	if (a->times == 0)
		return false;
	a->calls++;
	if (a->interval > 1 && a->calls % a->interval != 0)
		return false;
	if (a->probability < 100 && rng_next(&a->rng) % 100 >= a->probability)
		return false;
	if (a->times != FAULT_TIMES_UNLIMITED)
		a->times--;
	a->injected++;
	return true;
}

void failinject_set_pid_hook(int (*current_pid)(void))
{
	pid_hook = current_pid;
}

bool failinject_now(struct fault_attr *a)
{
	return a->enabled && pid_hook && failinject_should_fail(a, pid_hook());
}

int failinject_format(const struct fault_attr *a, char *buf, size_t size)
{
	char times[24], pid[24];

	if (!a->enabled)
		return ksnprintf(buf, size, "%s: off: %llu injected", a->name,
		                 (unsigned long long)a->injected);
	if (a->limit == FAULT_TIMES_UNLIMITED)
		kstrlcpy(times, "unlimited", sizeof(times));
	else
		ksnprintf(times, sizeof(times), "%u (%u left)", a->limit, a->times);
	if (a->pid)
		ksnprintf(pid, sizeof(pid), "%d", a->pid);
	else
		kstrlcpy(pid, "any but init", sizeof(pid));
	return ksnprintf(buf, size,
	                 "%s: every %u, %u%%, seed %u, times %s, pid %s: %llu calls, %llu injected",
	                 a->name, a->interval, a->probability, a->seed, times, pid,
	                 (unsigned long long)a->calls, (unsigned long long)a->injected);
}
