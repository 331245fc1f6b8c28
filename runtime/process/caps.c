/* Capabilities with libcap: names resolved by the parent, sets applied by the
 * child after the user switch (keep-caps keeps the permitted set across
 * setresuid; the effective set is rebuilt from the config afterwards). */
#include "runtime/process/process.h"

#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/cleanup.h"
#include "lib/weaken.h"

int proc_cap_from_name(const char *name, int *ret_cap)
{
	cap_value_t v;
	if (!name || strncmp(name, "CAP_", 4) != 0)
		return -1;
	/* libcap wants lower-case names without relying on the prefix case. */
	char lower[64];
	size_t n = strlen(name);
	if (n >= sizeof(lower))
		return -1;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
	if (cap_from_name(lower, &v) < 0 || v < 0 || v > 63)
		return -1;
	*ret_cap = (int)v;
	return 0;
}

static int caps_mask(char **names, const char *set, uint64_t *ret, struct vs_error *err)
{
	uint64_t m = 0;
	for (size_t i = 0; names && names[i]; i++) {
		int cap;
		if (proc_cap_from_name(names[i], &cap) < 0)
			return vs_error_set(err,
					    "process.capabilities.%s[%zu]: unknown capability "
					    "\"%s\"",
					    set, i, names[i]);
		/* A capability this kernel does not know cannot be granted; runc
		 * skips those with a warning, and so do we (no bit set). */
		if (cap < (int)cap_max_bits())
			m |= 1ULL << cap;
	}
	*ret = m;
	return 0;
}

int proc_caps_parse(const struct oci_capabilities *c, struct proc_caps *ret, struct vs_error *err)
{
	struct proc_caps caps = {0};
	if (!c) {
		*ret = caps;
		return 0;
	}
	caps.set = true;
	if (caps_mask(c->bounding, "bounding", &caps.bounding, err) < 0 ||
	    caps_mask(c->effective, "effective", &caps.effective, err) < 0 ||
	    caps_mask(c->inheritable, "inheritable", &caps.inheritable, err) < 0 ||
	    caps_mask(c->permitted, "permitted", &caps.permitted, err) < 0 ||
	    caps_mask(c->ambient, "ambient", &caps.ambient, err) < 0)
		return -1;
	*ret = caps;
	return 0;
}

int proc_caps_drop_bounding(const struct proc_plan *plan, struct vs_error *err)
{
	if (!plan->caps.set)
		return 0;
	int last = (int)cap_max_bits();
	for (int c = 0; c < last; c++) {
		if (plan->caps.bounding & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return vs_error_errno(err, errno, "drop capability %d from bounding set",
					      c);
	}
	return 0;
}

static void caps_freep(cap_t *c)
{
	if (*c)
		cap_free(*c);
}

static int caps_fill(cap_t c, cap_flag_t flag, uint64_t mask)
{
	int last = (int)cap_max_bits();
	for (int i = 0; i < last; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		cap_value_t v = i;
		if (cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
			return -1;
	}
	return 0;
}

/* No process.capabilities: the sets vessel runs with are kept (as runc
 * does), except the inheritable ones.  A non-empty inheritable set would let
 * the process gain capabilities by exec'ing a file with inheritable file
 * capabilities (CVE-2022-29162, CVE-2022-27650); emptying it also drops
 * every ambient capability (the kernel keeps ambient within inheritable).
 * The held ones (caps_hold) must be effective again: a uid switch cleared
 * the effective set. */
static int caps_keep_current(uint64_t hold, struct vs_error *err)
{
	__attribute__((cleanup(caps_freep))) cap_t c = cap_get_proc();
	if (!c)
		return vs_error_errno(err, errno, "read capabilities");
	if (!vs_weakened("inheritable") && cap_clear_flag(c, CAP_INHERITABLE) < 0)
		return vs_error_errno(err, errno, "clear the inheritable capabilities");
	if (hold && caps_fill(c, CAP_EFFECTIVE, hold) < 0)
		return vs_error_errno(err, errno, "raise held capabilities");
	if (cap_set_proc(c) < 0)
		return vs_error_errno(err, errno, "set capabilities");
	return 0;
}

/* The inheritable set is exactly the config's.  VESSEL_TEST_WEAKEN=
 * inheritable gives an unlisted inheritable set the bounding set, as the
 * `runc spec` default before CVE-2022-29162 did, so tests/security can show
 * what an attack gains from it. */
static uint64_t caps_inheritable(const struct proc_caps *caps)
{
	if (vs_weakened("inheritable") && !caps->inheritable)
		return caps->bounding;
	return caps->inheritable;
}

/* runc 1.1 ignores an ambient capability the kernel will not raise (EPERM:
 * it is not in both the permitted and the inheritable set), and `runc
 * spec`'s default lists ambient capabilities with no inheritable ones;
 * vessel does the same, so that bundle runs.  The capability is then simply
 * not ambient. */
static int caps_raise_ambient(uint64_t ambient, struct vs_error *err)
{
	int last = (int)cap_max_bits();
	for (int i = 0; i < last; i++) {
		if (!(ambient & (1ULL << i)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0 && errno != EPERM)
			return vs_error_errno(err, errno, "raise ambient capability %d", i);
	}
	return 0;
}

int proc_caps_apply(const struct proc_plan *plan, struct vs_error *err)
{
	if (!plan->caps.set)
		return caps_keep_current(plan->caps_hold, err);
	__attribute__((cleanup(caps_freep))) cap_t c = cap_init();
	if (!c)
		return vs_error_errno(err, errno, "cap_init");
	/* caps_hold stays until execve, which recomputes the sets from
	 * inheritable, ambient and bounding: it never reaches the program. */
	if (caps_fill(c, CAP_PERMITTED, plan->caps.permitted | plan->caps_hold) < 0 ||
	    caps_fill(c, CAP_EFFECTIVE, plan->caps.effective | plan->caps_hold) < 0 ||
	    caps_fill(c, CAP_INHERITABLE, caps_inheritable(&plan->caps)) < 0)
		return vs_error_errno(err, errno, "build capability sets");
	if (cap_set_proc(c) < 0)
		return vs_error_errno(err, errno, "set capabilities");
	/* Ambient needs each cap in both permitted and inheritable; clear first
	 * so nothing inherited from vessel survives. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return vs_error_errno(err, errno, "clear ambient capabilities");
	if (caps_raise_ambient(plan->caps.ambient, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return vs_error_errno(err, errno, "clear keep-caps");
	return 0;
}
