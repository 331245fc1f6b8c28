/* linux.seccomp.  Names are only checked against the spec's sets here; the
 * seccomp module resolves them with libseccomp (syscall names unknown to the
 * running kernel's libseccomp are skipped there, as runc does). */
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "oci/config-internal.h"

static int check_enum_field(struct oj_ctx *c, const char *key, const char *value,
			    const char *const *allowed, const char *what)
{
	size_t m = oj_push_key(c, key);
	int r = oj_check_enum(c, value, allowed, what);
	oj_pop(c, m);
	return r;
}

static int parse_arg(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_seccomp_arg *a = out;
	/* a syscall has six argument registers */
	oci_opt_u32 index = {0};
	if (oj_opt_u32(c, v, "index", 5, &index) < 0)
		return -1;
	if (!index.set)
		return oj_fail_key(c, "index", "missing required field");
	a->index = index.value;
	if (oj_u64(c, v, "value", true, &a->value) < 0 ||
	    oj_u64(c, v, "valueTwo", false, &a->value_two) < 0 ||
	    oj_string(c, v, "op", true, &a->op) < 0 ||
	    check_enum_field(c, "op", a->op, oci_seccomp_ops, "seccomp operator") < 0)
		return -1;
	return 0;
}

static int parse_syscall(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_seccomp_syscall *s = out;
	if (oj_strv(c, v, "names", true, &s->names) < 0)
		return -1;
	if (!s->names[0])
		return oj_fail_key(c, "names", "must contain at least one syscall name");
	for (size_t i = 0; s->names[i]; i++)
		if (s->names[i][0] == '\0') {
			size_t m = oj_push_key(c, "names");
			oj_push_index(c, i);
			oj_fail(c, "empty syscall name");
			oj_pop(c, m);
			return -1;
		}
	if (oj_string(c, v, "action", true, &s->action) < 0 ||
	    check_enum_field(c, "action", s->action, oci_seccomp_actions, "seccomp action") < 0 ||
	    oj_opt_u32(c, v, "errnoRet", UINT32_MAX, &s->errno_ret) < 0 ||
	    oj_array(c, v, "args", false, sizeof(struct oci_seccomp_arg), (void **)&s->args,
		     &s->n_args, parse_arg) < 0)
		return -1;
	return 0;
}

/* A notify action hands the listener fd to whoever listens on listenerPath;
 * without one the filter would block the syscall forever. */
static int check_notify(struct oj_ctx *c, const struct oci_seccomp *s)
{
	if (strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0)
		return oj_fail_key(c, "defaultAction",
				   "SCMP_ACT_NOTIFY cannot be the default action");
	if (s->listener_path)
		return 0;
	for (size_t i = 0; i < s->n_syscalls; i++) {
		if (strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") != 0)
			continue;
		size_t m = oj_push_key(c, "syscalls");
		oj_push_index(c, i);
		oj_fail_key(c, "action", "SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath");
		oj_pop(c, m);
		return -1;
	}
	return 0;
}

int oci_parse_seccomp(struct oj_ctx *c, yajl_val v, void *out)
{
	struct oci_seccomp **ret = out;
	struct oci_seccomp *s = *ret = vs_malloc0(sizeof(*s));
	if (oj_string(c, v, "defaultAction", true, &s->default_action) < 0 ||
	    check_enum_field(c, "defaultAction", s->default_action, oci_seccomp_actions,
			     "seccomp action") < 0 ||
	    oj_opt_u32(c, v, "defaultErrnoRet", UINT32_MAX, &s->default_errno_ret) < 0 ||
	    oj_strv(c, v, "architectures", false, &s->architectures) < 0 ||
	    oj_check_strv_enum(c, v, "architectures", s->architectures, oci_seccomp_archs,
			       "seccomp architecture") < 0 ||
	    oj_strv(c, v, "flags", false, &s->flags) < 0 ||
	    oj_check_strv_enum(c, v, "flags", s->flags, oci_seccomp_flags, "seccomp flag") < 0 ||
	    oj_string(c, v, "listenerPath", false, &s->listener_path) < 0 ||
	    oj_string(c, v, "listenerMetadata", false, &s->listener_metadata) < 0 ||
	    oj_array(c, v, "syscalls", false, sizeof(struct oci_seccomp_syscall),
		     (void **)&s->syscalls, &s->n_syscalls, parse_syscall) < 0)
		return -1;
	if (s->listener_path) {
		size_t m = oj_push_key(c, "listenerPath");
		int r = oj_check_abs(c, s->listener_path);
		oj_pop(c, m);
		if (r < 0)
			return -1;
	}
	return check_notify(c, s);
}
