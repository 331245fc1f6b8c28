/* unified: raw "file": "value" pairs written as they are, after every
 * typed field so they can override one.  A key is a file name in the
 * container's cgroup, never a path. */
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

/* Core files that move processes or reshape the tree: the runtime owns
 * them, a config must not. */
static const char *const reserved[] = {
    "cgroup.procs",  "cgroup.threads", "cgroup.subtree_control", "cgroup.kill",
    "cgroup.freeze", "cgroup.type",    "cgroup.events",		 "cgroup.controllers",
};

int cg_unified_key_check(const char *key, struct vs_error *err)
{
	if (!*key || strchr(key, '/') || strcmp(key, ".") == 0 || strstr(key, ".."))
		return vs_error_set(err,
				    "key \"%s\": must be a file name in the cgroup (no '/' "
				    "or '..')",
				    key);
	const char *dot = strchr(key, '.');
	if (!dot || dot == key)
		return vs_error_set(err, "key \"%s\": expected CONTROLLER.FILE", key);
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		if (strcmp(key, reserved[i]) == 0)
			return vs_error_set(err, "key \"%s\": managed by the runtime, not settable",
					    key);
	return 0;
}

static int check_key(const struct cg_handle *h, const char *key, struct vs_error *err)
{
	if (cg_unified_key_check(key, err) < 0)
		return -1;
	const char *dot = strchr(key, '.');
	_cleanup_free_ char *ctrl = strndup(key, (size_t)(dot - key));
	if (strcmp(ctrl, "cgroup") != 0 && !cg_has_controller(h, ctrl))
		return vs_error_set(err, "key \"%s\": the %s controller is not available", key,
				    ctrl);
	return 0;
}

static int unified_apply(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
			 struct vs_error *err)
{
	for (size_t i = 0; i < res->n_unified; i++) {
		const struct oci_kv *kv = &res->unified[i];
		if (check_key(ctx->h, kv->key, err) < 0)
			return -1;
		if (cg_write(ctx->h, kv->key, kv->value ? kv->value : "", err) < 0)
			return vs_error_wrap(err, "key \"%s\"", kv->key);
	}
	return 0;
}

const struct cg_controller cg_ctrl_unified = {
    .name = NULL,
    .what = "linux.resources.unified",
    .requested = NULL,
    .apply = unified_apply,
};
