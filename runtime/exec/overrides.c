/* The exec process from the container's process and the command's flags. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/exec/exec.h"

static int parse_id(const char *s, const char *flag, uint32_t *ret, struct vs_error *err)
{
	uint64_t v;
	if (vs_parse_u64(s, &v) < 0 || v > UINT32_MAX - 1)
		return vs_error_set(err, "%s: \"%s\" is not a numeric id", flag, s);
	*ret = (uint32_t)v;
	return 0;
}

static int apply_user(struct oci_user *u, const char *spec, struct vs_error *err)
{
	_cleanup_free_ char *s = vs_strdup(spec);
	char *colon = strchr(s, ':');
	if (colon) {
		*colon = '\0';
		if (parse_id(colon + 1, "--user", &u->gid, err) < 0)
			return -1;
	}
	return parse_id(s, "--user", &u->uid, err);
}

static int apply_gids(struct oci_user *u, char *const *gids, struct vs_error *err)
{
	size_t n = vs_strv_len(gids);
	if (n == 0)
		return 0;
	u->additional_gids =
	    vs_realloc(u->additional_gids, (u->n_additional_gids + n) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		if (parse_id(gids[i], "--additional-gids",
			     &u->additional_gids[u->n_additional_gids++], err) < 0)
			return -1;
	return 0;
}

/* Same key ("K=..." or a bare "K") already present: replace it in place so
 * the order stays and the later value wins. */
static void env_set(char ***env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (char **e = *env; e && *e; e++) {
		if (strncmp(*e, kv, klen) == 0 && ((*e)[klen] == '=' || (*e)[klen] == '\0')) {
			free(*e);
			*e = vs_strdup(kv);
			return;
		}
	}
	vs_strv_push(env, kv);
}

static void apply_caps(struct oci_process *p, char *const *caps)
{
	if (!caps || !caps[0])
		return;
	if (!p->capabilities)
		p->capabilities = vs_malloc0(sizeof(*p->capabilities));
	struct oci_capabilities *c = p->capabilities;
	for (size_t i = 0; caps[i]; i++) {
		/* "chown" and "CAP_CHOWN" both name it, as runc accepts. */
		_cleanup_free_ char *name = strncasecmp(caps[i], "CAP_", 4) == 0
						? vs_strdup(caps[i])
						: vs_strdup_printf("CAP_%s", caps[i]);
		for (char *q = name; *q; q++)
			*q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
		vs_strv_push(&c->bounding, name);
		vs_strv_push(&c->effective, name);
		vs_strv_push(&c->permitted, name);
		/* Ambient needs inheritable; --cap does not add it there. */
		if (c->inheritable)
			vs_strv_push(&c->ambient, name);
	}
}

static void set_str(char **dst, const char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = vs_strdup(v);
}

int exec_apply_overrides(struct oci_process *p, const struct exec_overrides *ov,
			 struct vs_error *err)
{
	if (!ov->args || !ov->args[0] || !ov->args[0][0])
		return vs_error_set(err,
				    "a command to run is required (exec ID COMMAND [ARGS...])");
	vs_strv_free(p->args);
	p->args = vs_strv_copy(ov->args);
	if (ov->cwd) {
		if (ov->cwd[0] != '/')
			return vs_error_set(err, "--cwd: \"%s\" is not an absolute path", ov->cwd);
		set_str(&p->cwd, ov->cwd);
	}
	for (size_t i = 0; ov->env && ov->env[i]; i++) {
		if (!ov->env[i][0] || ov->env[i][0] == '=')
			return vs_error_set(err, "--env: \"%s\" has no variable name", ov->env[i]);
		env_set(&p->env, ov->env[i]);
	}
	if (ov->user && apply_user(&p->user, ov->user, err) < 0)
		return -1;
	if (apply_gids(&p->user, ov->additional_gids, err) < 0)
		return -1;
	apply_caps(p, ov->caps);
	if (ov->no_new_privs)
		p->no_new_privileges = true;
	set_str(&p->apparmor_profile, ov->apparmor);
	set_str(&p->selinux_label, ov->label);
	p->terminal = ov->tty;
	return 0;
}
