/* Where the cgroup2 hierarchy is, where the runtime itself sits in it, and
 * where the container's cgroup goes. */
#include <errno.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/cgroup/cgroup-internal.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SRC SUPEROPTS".
 * Fills root/mountpoint/fstype (pointers into line) and returns 0. */
static int split_mountinfo(char *line, char **root, char **mnt, char **fstype, char **superopts)
{
	char *sep = strstr(line, " - ");
	if (!sep)
		return -1;
	*sep = '\0';
	char *save = NULL;
	char *f[5];
	char *p = line;
	for (int i = 0; i < 5; i++, p = NULL)
		if (!(f[i] = strtok_r(p, " ", &save)))
			return -1;
	*root = f[3];
	*mnt = f[4];
	save = NULL;
	*fstype = strtok_r(sep + 3, " ", &save);
	(void)strtok_r(NULL, " ", &save);
	*superopts = strtok_r(NULL, " \n", &save);
	return *fstype && *superopts ? 0 : -1;
}

/* A mount listed in mountinfo can be hidden by a later one on or above its
 * path (cgroup2 mounted over /sys/fs/cgroup in a private namespace hides the
 * hybrid host's /sys/fs/cgroup/unified).  Its path then leads elsewhere or
 * nowhere, so check what the path really reaches. */
static bool mount_visible(const char *mnt, const char *fstype)
{
	struct statfs sfs;
	if (statfs(mnt, &sfs) < 0)
		return false;
	unsigned long want =
	    strcmp(fstype, "cgroup2") == 0 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC;
	return (unsigned long)sfs.f_type == want;
}

/* /proc/self/mountinfo, read once per mount namespace: create looks up the
 * cgroup2 mount and each v1 controller's (a dozen lookups on a hybrid host,
 * every read making the kernel format the whole mount table: 0.2-0.5 ms of
 * a `run`, bench/NOTES.md).  vessel does not mount cgroup filesystems in
 * the namespace it looks them up in, and a process that moved to another
 * mount namespace (an init) reads the table again. */
static FILE *open_mountinfo(void)
{
	static char *text;
	static size_t len;
	static ino_t ns;
	struct stat st;
	if (stat("/proc/self/ns/mnt", &st) < 0)
		return fopen("/proc/self/mountinfo", "re");
	if (!text || st.st_ino != ns) {
		struct vs_error err = VS_ERROR_INIT;
		free(text);
		text = NULL;
		if (vs_read_file("/proc/self/mountinfo", 16 << 20, &text, &len, &err) < 0) {
			vs_error_clear(&err);
			return fopen("/proc/self/mountinfo", "re");
		}
		ns = st.st_ino;
	}
	return fmemopen(text, len, "r");
}

/* Scans mountinfo for fstype `want`; with `opt` set, the super options must
 * contain that word (a v1 controller name).  Prefers a mount of the
 * hierarchy's root ("/"), which is what a cgroup namespace shows. */
static char *find_mount(const char *mountinfo, const char *want, const char *opt)
{
	_cleanup_fclose_ FILE *f = strcmp(mountinfo, "/proc/self/mountinfo") == 0
				       ? open_mountinfo()
				       : fopen(mountinfo, "re");
	if (!f)
		return NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	char *found = NULL;
	while (getline(&line, &cap, f) > 0) {
		char *root, *mnt, *fstype, *superopts;
		if (split_mountinfo(line, &root, &mnt, &fstype, &superopts) < 0 ||
		    strcmp(fstype, want) != 0)
			continue;
		if (opt) {
			_cleanup_free_ char *opts = vs_strdup_printf(",%s,", superopts);
			_cleanup_free_ char *needle = vs_strdup_printf(",%s,", opt);
			if (!strstr(opts, needle))
				continue;
		}
		if (found && strcmp(root, "/") != 0)
			continue;
		unescape_octal(mnt);
		if (!mount_visible(mnt, want))
			continue;
		free(found);
		found = vs_strdup(mnt);
		if (strcmp(root, "/") == 0)
			break;
	}
	return found;
}

char *cg_find_cgroup2_mount(void)
{
	return find_mount("/proc/self/mountinfo", "cgroup2", NULL);
}

char *cg_v1_mount_of(const char *controller)
{
	return find_mount("/proc/self/mountinfo", "cgroup", controller);
}

char **cg_v1_mounts(void)
{
	char **ret = NULL;
	_cleanup_fclose_ FILE *f = open_mountinfo();
	if (!f)
		return NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		char *root, *mnt, *fstype, *superopts;
		if (split_mountinfo(line, &root, &mnt, &fstype, &superopts) < 0 ||
		    strcmp(fstype, "cgroup") != 0 || strcmp(root, "/") != 0)
			continue;
		unescape_octal(mnt);
		if (mount_visible(mnt, "cgroup") && !vs_strv_contains(ret, mnt))
			vs_strv_push(&ret, mnt);
	}
	return ret;
}

char *cg_own_cgroup(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return vs_strdup("/");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* A cgroup removed under us reads "/path (deleted)"; fall back to
		 * the root rather than recreate it. */
		if (strstr(line, " (deleted)") || line[3] != '/')
			return vs_strdup("/");
		return vs_strdup(line + 3);
	}
	return vs_strdup("/");
}

/* Append the components of `src` to the path in buf (which starts with
 * '/'), collapsing "//" and ".", refusing "..". */
static int append_components(char **buf, const char *src, struct vs_error *err)
{
	_cleanup_free_ char *copy = vs_strdup(src);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0)
			return vs_error_set(err, "linux.cgroupsPath \"%s\": \"..\" is not allowed",
					    src);
		char *next = vs_strdup_printf("%s%s%s", *buf, strcmp(*buf, "/") == 0 ? "" : "/", c);
		free(*buf);
		*buf = next;
	}
	return 0;
}

int cg_resolve_path(const char *cgroups_path, const char *id, const char *own, char **ret_path,
		    struct vs_error *err)
{
	_cleanup_free_ char *path = vs_strdup("/");
	if (!cgroups_path || !*cgroups_path) {
		if (!id || !*id || strchr(id, '/') || strcmp(id, "..") == 0 || strcmp(id, ".") == 0)
			return vs_error_set(err, "container id \"%s\" cannot name a cgroup",
					    id ? id : "");
		_cleanup_free_ char *def = vs_strdup_printf("vessel/%s", id);
		if (append_components(&path, def, err) < 0)
			return -1;
	} else {
		if (cgroups_path[0] != '/' && append_components(&path, own ? own : "/", err) < 0)
			return -1;
		if (append_components(&path, cgroups_path, err) < 0)
			return -1;
	}
	if (strcmp(path, "/") == 0)
		return vs_error_set(err,
				    "linux.cgroupsPath \"%s\": the root cgroup cannot be a "
				    "container's cgroup",
				    cgroups_path ? cgroups_path : "");
	*ret_path = TAKE_PTR(path);
	return 0;
}

/* The controllers of /proc/cgroups (every one the kernel has, bound or
 * not), to tell them from the other super options (rw, xattr, ...). */
static char **known_controllers(void)
{
	char **ret = NULL;
	_cleanup_fclose_ FILE *f = fopen("/proc/cgroups", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) > 0) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, " \t\n")] = '\0';
		vs_strv_push(&ret, line);
	}
	return ret;
}

/* "rw,cpu,cpuacct" -> "cpu,cpuacct"; "rw,xattr,name=systemd" -> "name=systemd". */
static char *hierarchy_options(const char *superopts, char **known)
{
	_cleanup_free_ char *copy = vs_strdup(superopts);
	char *ret = vs_strdup(""), *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strncmp(o, "name=", 5) != 0 && !vs_strv_contains(known, o))
			continue;
		char *next = vs_strdup_printf("%s%s%s", ret, *ret ? "," : "", o);
		free(ret);
		ret = next;
	}
	return ret;
}

void cg_v1_hierarchies(const struct cg_handle *h, struct cg_v1_hierarchy **ret, size_t *ret_n)
{
	*ret = NULL;
	*ret_n = 0;
	if (!h || h->fd < 0 || h->fake || !h->path)
		return;
	_cleanup_strv_ char **known = known_controllers();
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) > 0) {
		char *root, *mnt, *fstype, *superopts;
		if (split_mountinfo(line, &root, &mnt, &fstype, &superopts) < 0 ||
		    strcmp(fstype, "cgroup") != 0 || strcmp(root, "/") != 0)
			continue;
		unescape_octal(mnt);
		const char *base = strrchr(mnt, '/');
		_cleanup_free_ char *opts = hierarchy_options(superopts, known);
		if (!base || !base[1] || !*opts || !mount_visible(mnt, "cgroup"))
			continue;
		bool dup = false;
		for (size_t i = 0; i < *ret_n; i++)
			dup |= strcmp((*ret)[i].name, base + 1) == 0;
		if (dup)
			continue;
		*ret = vs_realloc(*ret, (*ret_n + 1) * sizeof(**ret));
		(*ret)[(*ret_n)++] = (struct cg_v1_hierarchy){
		    vs_strdup(base + 1), TAKE_PTR(opts), vs_strdup_printf("%s%s", mnt, h->path)};
	}
}

void cg_v1_hierarchies_free(struct cg_v1_hierarchy *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].options);
		free(v[i].dir);
	}
	free(v);
}
