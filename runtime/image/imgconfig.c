/* From an image config to a runtime process: Entrypoint + Cmd, Env,
 * WorkingDir, and User resolved against the image's own /etc/passwd and
 * /etc/group (the top-most layer that has the file wins; a whiteout hides
 * it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void img_proc_clear(struct img_proc *p)
{
	vs_strv_free(p->args);
	vs_strv_free(p->env);
	free(p->cwd);
	free(p->user);
	memset(p, 0, sizeof(*p));
}

static int push_strings(yajl_val obj, const char *key, char ***v, struct vs_error *err)
{
	yajl_val a = img_json_get(obj, key, yajl_t_array);
	for (size_t i = 0; a && i < a->u.array.len; i++) {
		if (!YAJL_IS_STRING(a->u.array.values[i]))
			return vs_error_set(err, "image config: config.%s[%zu]: expected a string",
					    key, i);
		vs_strv_push(v, a->u.array.values[i]->u.string);
	}
	return 0;
}

static int fill_proc(yajl_val cfg, char *const *args, struct img_proc *p, struct vs_error *err)
{
	if (push_strings(cfg, "Entrypoint", &p->args, err) < 0)
		return -1;
	if (args && args[0]) {
		for (size_t i = 0; args[i]; i++)
			vs_strv_push(&p->args, args[i]);
	} else if (push_strings(cfg, "Cmd", &p->args, err) < 0) {
		return -1;
	}
	if (!p->args)
		return vs_error_set(err,
				    "the image has neither Entrypoint nor Cmd: give a command");
	if (push_strings(cfg, "Env", &p->env, err) < 0)
		return -1;
	bool has_path = false;
	for (size_t i = 0; p->env && p->env[i]; i++) {
		if (!strchr(p->env[i], '=') || p->env[i][0] == '=')
			return vs_error_set(err, "image config: Env entry \"%s\" is not NAME=value",
					    p->env[i]);
		has_path |= strncmp(p->env[i], "PATH=", 5) == 0;
	}
	if (!has_path)
		vs_strv_push(&p->env, DEFAULT_PATH);
	const char *wd = img_json_str(cfg, "WorkingDir");
	if (!wd || !*wd)
		p->cwd = vs_strdup("/");
	else
		p->cwd = wd[0] == '/' ? vs_strdup(wd) : vs_strdup_printf("/%s", wd);
	const char *user = img_json_str(cfg, "User");
	p->user = user && *user ? vs_strdup(user) : NULL;
	return 0;
}

int img_proc_from_config(const char *config_json, char *const *args, struct img_proc *ret,
			 struct vs_error *err)
{
	char msg[256] = "";
	yajl_val tree = yajl_tree_parse(config_json, msg, sizeof(msg));
	if (!tree)
		return vs_error_set(err, "image config: invalid JSON: %s", msg);
	/* Only ExposedPorts, Volumes, Labels, StopSignal... are left out: they
	 * describe the engine's job, not the runtime's. */
	yajl_val cfg = img_json_get(tree, "config", yajl_t_object);
	int rc = fill_proc(cfg, args, ret, err);
	yajl_tree_free(tree);
	if (rc < 0)
		img_proc_clear(ret);
	return rc;
}

/* The image's copy of etc/NAME: the first layer, top-most first, that has
 * an entry for it; a whiteout (0:0 char device) means it was deleted. */
static char *find_etc_file(char *const *lowers, const char *name)
{
	for (size_t i = 0; lowers && lowers[i]; i++) {
		_cleanup_free_ char *p = vs_strdup_printf("%s/etc/%s", lowers[i], name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		return S_ISREG(st.st_mode) ? TAKE_PTR(p) : NULL;
	}
	return NULL;
}

/* Finds a line of a passwd/group file whose field 0 (name) or field 2 (id)
 * is key; returns fields 2 and 3 (id, primary gid). */
static bool lookup(const char *file, const char *key, bool by_name, uint32_t *ret_id,
		   uint32_t *ret_gid)
{
	_cleanup_fclose_ FILE *f = file ? fopen(file, "re") : NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *fields[4] = {0};
		char *p = line;
		for (int i = 0; i < 4 && (fields[i] = strsep(&p, ":")); i++)
			;
		if (!fields[2] || !fields[0])
			continue;
		if (strcmp(by_name ? fields[0] : fields[2], key) != 0)
			continue;
		int id, gid = 0;
		if (vs_parse_int(fields[2], &id) < 0 || id < 0)
			continue;
		if (fields[3] && vs_parse_int(fields[3], &gid) < 0)
			gid = 0;
		*ret_id = (uint32_t)id;
		if (ret_gid)
			*ret_gid = (uint32_t)(gid < 0 ? 0 : gid);
		return true;
	}
	return false;
}

static bool is_number(const char *s, uint32_t *ret)
{
	uint64_t v;
	if (vs_parse_u64(s, &v) < 0 || v > UINT32_MAX)
		return false;
	*ret = (uint32_t)v;
	return true;
}

int img_resolve_user(const char *user, char *const *lowers, uint32_t *ret_uid, uint32_t *ret_gid,
		     struct vs_error *err)
{
	*ret_uid = *ret_gid = 0;
	if (!user || !*user)
		return 0;
	_cleanup_free_ char *copy = vs_strdup(user);
	char *group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	_cleanup_free_ char *passwd = find_etc_file(lowers, "passwd");
	_cleanup_free_ char *groupf = find_etc_file(lowers, "group");
	uint32_t pw_gid = 0;
	if (is_number(copy, ret_uid)) {
		uint32_t ignored;
		if (!lookup(passwd, copy, false, &ignored, &pw_gid))
			pw_gid = 0;
	} else if (!lookup(passwd, copy, true, ret_uid, &pw_gid)) {
		return vs_error_set(err,
				    "image config User \"%s\": no user \"%s\" in the image's "
				    "/etc/passwd",
				    user, copy);
	}
	*ret_gid = pw_gid;
	if (!group || !*group)
		return 0;
	if (!is_number(group, ret_gid) && !lookup(groupf, group, true, ret_gid, NULL))
		return vs_error_set(err,
				    "image config User \"%s\": no group \"%s\" in the image's "
				    "/etc/group",
				    user, group);
	return 0;
}
