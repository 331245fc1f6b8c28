/* The parent side of mounts[]: classify each entry, resolve bind sources
 * against the bundle, and prepare id-mapped trees while the parent still
 * sits in the host's user namespace (the kernel wants CAP_SYS_ADMIN over the
 * mapping's user namespace, which the container's init may not have). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/rootfs/rootfs-internal.h"
#include "runtime/rootless/rootless.h"

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* "rootfs/data" or "/bundle/rootfs/data" as a bind source means a path in
 * the container's root: relative to it, or NULL when the source is outside. */
static char *in_root(const char *source, const char *root, const char *root_joined)
{
	_cleanup_free_ char *clean = NULL;
	struct vs_error e = VS_ERROR_INIT;
	if (rootfs_clean_path(source, &clean, &e) < 0) {
		vs_error_clear(&e);
		return NULL;
	}
	const char *roots[] = {root, root_joined};
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *r = NULL;
		if (rootfs_clean_path(roots[i], &r, &e) < 0) {
			vs_error_clear(&e);
			continue;
		}
		size_t n = strlen(r);
		if (strncmp(clean, r, n) == 0 && (clean[n] == '/' || clean[n] == '\0'))
			return vs_strdup(clean[n] ? clean + n : "/");
	}
	return NULL;
}

static int plan_bind_source(struct rootfs_mnt *m, const struct oci_mount *in,
			    const struct rootfs_plan *plan, const struct rootfs_config *cfg,
			    struct vs_error *err)
{
	if (!in->source || !in->source[0])
		return vs_error_set(err, "%s.source: a bind mount needs a source", m->label);
	m->source = in->source[0] == '/'
			? vs_strdup(in->source)
			: vs_strdup_printf("%s/%s", cfg->bundle ? cfg->bundle : ".", in->source);
	_cleanup_free_ char *joined = rootfs_plan_root_joined(cfg);
	m->source_in_root = in_root(m->source, plan->root, joined);
	_cleanup_close_ int root_fd = open(plan->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	if (root_fd < 0)
		return vs_error_errno(err, errno, "open %s", plan->root);
	if (rootfs_open_bind_source(root_fd, m, &fd, err) < 0)
		return vs_error_wrap(err, "%s.source", m->label);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return vs_error_errno(err, errno, "%s.source: %s", m->label, m->source);
	m->source_is_dir = S_ISDIR(st.st_mode);
	return 0;
}

static int plan_idmap(struct rootfs_mnt *m, const struct oci_mount *in,
		      const struct rootfs_plan *plan, const struct rootfs_config *cfg,
		      struct vs_error *err)
{
	bool mapped = in->n_uid_mappings || in->n_gid_mappings;
	if (!m->opts.idmap && !m->opts.ridmap && !mapped)
		return 0;
	if (m->kind != RM_BIND)
		return vs_error_set(err, "%s: id-mapped mounts must be bind mounts", m->label);
	const struct oci_id_mapping *uid = in->uid_mappings, *gid = in->gid_mappings;
	size_t n_uid = in->n_uid_mappings, n_gid = in->n_gid_mappings;
	if (!mapped) {
		uid = cfg->uid_mappings, n_uid = cfg->n_uid_mappings;
		gid = cfg->gid_mappings, n_gid = cfg->n_gid_mappings;
	}
	if (!n_uid || !n_gid)
		return vs_error_set(err,
				    "%s: an id-mapped mount needs uidMappings and gidMappings "
				    "(its own, or the container's user namespace's)",
				    m->label);
	bool rec_tree = (m->opts.flags & MS_REC) != 0;
	/* "idmap" maps the top mount only; "ridmap" (or mappings on an rbind with
	 * no idmap option) maps every mount of the tree. */
	bool rec_map = m->opts.ridmap || (!m->opts.idmap && rec_tree);
	_cleanup_close_ int userns = -1;
	if (rootfs_idmap_userns_fd(uid, n_uid, gid, n_gid, &userns, err) < 0)
		return vs_error_wrap(err, "%s", m->label);
	_cleanup_close_ int root_fd = open(plan->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int src = -1;
	if (root_fd < 0)
		return vs_error_errno(err, errno, "open %s", plan->root);
	if (rootfs_open_bind_source(root_fd, m, &src, err) < 0)
		return vs_error_wrap(err, "%s.source", m->label);
	_cleanup_close_ int tree = open_tree(src, "",
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
						 (rec_tree ? AT_RECURSIVE : 0));
	if (tree < 0)
		return vs_error_errno(err, errno, "%s: clone %s", m->label, m->source);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (rec_map ? AT_RECURSIVE : 0), &attr,
			  sizeof(attr)) < 0)
		return vs_error_errno(err, errno, "%s: id-map %s", m->label, m->source);
	m->idmap_tree_fd = TAKE_FD(tree);
	return 0;
}

/* In a user namespace the init opens a host bind source as the mapped root,
 * which may not be allowed to reach it (a 0700 parent directory): clone it
 * here, with the host's credentials, for the init to attach (the same hand-
 * over as an id-mapped tree; runc opens such sources in its parent too). */
static int plan_userns_source(struct rootfs_mnt *m, const struct rootfs_config *cfg,
			      struct vs_error *err)
{
	if (!cfg->userns || m->kind != RM_BIND || m->idmap_tree_fd >= 0 || m->source_in_root)
		return 0;
	/* Rootless, the parent may not clone a tree of the host's mount
	 * namespace; the init, root of a namespace mapped to the same user,
	 * reaches exactly what the user reaches and binds it itself. */
	if (rl_active())
		return 0;
	int tree = open_tree(AT_FDCWD, m->source,
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
				 ((m->opts.flags & MS_REC) ? AT_RECURSIVE : 0));
	if (tree < 0)
		return vs_error_errno(err, errno, "%s: clone %s", m->label, m->source);
	m->idmap_tree_fd = tree;
	return 0;
}

/* Superblock flags and a filesystem's data options (tmpfs' "mode=755")
 * cannot be set through a bind mount (it shares the source's filesystem).
 * runc passes them to a mount(2) that ignores them, and configs written for
 * it carry them: warn, drop them, go on. */
static void drop_bind_options(struct rootfs_mnt *m)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} sb[] = {
	    {MS_SYNCHRONOUS, "sync"},  {MS_DIRSYNC, "dirsync"},	   {MS_MANDLOCK, "mand"},
	    {MS_LAZYTIME, "lazytime"}, {MS_I_VERSION, "iversion"}, {MS_REMOUNT, "remount"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(sb); i++) {
		if (!(m->opts.flags & sb[i].flag))
			continue;
		vs_log_warn("%s.options: \"%s\" changes a filesystem, which a bind mount "
			    "cannot do: ignored",
			    m->label, sb[i].name);
		m->opts.flags &= ~sb[i].flag;
	}
	if (m->opts.data) {
		vs_log_warn("%s.options: \"%s\" do(es) not apply to a bind mount: ignored",
			    m->label, m->opts.data);
		free(m->opts.data);
		m->opts.data = NULL;
	}
	if (m->opts.tmpcopyup) {
		vs_log_warn("%s.options: \"tmpcopyup\" applies to tmpfs only: ignored", m->label);
		m->opts.tmpcopyup = false;
	}
}

/* Rootless without a cgroup of its own (cgroup/rootless.c) and without a
 * cgroup namespace: nothing of its own to mount, and a fresh cgroupfs is
 * refused outside a cgroup namespace.  The container stays in the user's
 * cgroup, so it sees the host's tree, read-only, as runc's rootless mode
 * shows it. */
static int plan_rootless_cgroup(struct rootfs_mnt *m)
{
	vs_log(VS_LOG_DEBUG,
	       "rootless: %s: no cgroup of the container's own; /sys/fs/cgroup is bound "
	       "read-only instead",
	       m->label);
	m->kind = RM_BIND;
	m->source = vs_strdup("/sys/fs/cgroup");
	m->source_is_dir = true;
	m->opts.flags |= MS_BIND | MS_REC | MS_RDONLY;
	m->opts.rec_attr_set |= MOUNT_ATTR_RDONLY;
	return 0;
}

static int plan_kind(struct rootfs_mnt *m, const struct oci_mount *in,
		     const struct rootfs_plan *plan, const struct rootfs_config *cfg,
		     struct vs_error *err)
{
	if ((m->opts.flags & MS_BIND) || streq(in->type, "bind")) {
		m->kind = RM_BIND;
		m->opts.flags |= MS_BIND;
		drop_bind_options(m);
		return plan_bind_source(m, in, plan, cfg, err);
	}
	if (!in->type || !in->type[0] || streq(in->type, "none"))
		return vs_error_set(err, "%s.type: required unless the mount is a bind mount",
				    m->label);
	if (m->opts.tmpcopyup && !streq(in->type, "tmpfs")) {
		/* runc acts on it for tmpfs only and ignores it elsewhere. */
		vs_log_warn("%s.options: \"tmpcopyup\" applies to tmpfs only: ignored", m->label);
		m->opts.tmpcopyup = false;
	}
	m->type = vs_strdup(in->type);
	if (streq(in->type, "cgroup") || streq(in->type, "cgroup2")) {
		m->kind = RM_CGROUP;
		if (!cfg->cgroupns && !cfg->cgroup_dir && rl_active())
			return plan_rootless_cgroup(m);
		if (!cfg->cgroupns && !cfg->cgroup_dir)
			return vs_error_set(err,
					    "%s: a cgroup mount without a cgroup namespace needs "
					    "the container's cgroup, and it has none",
					    m->label);
		return 0;
	}
	m->kind = streq(in->type, "sysfs") ? RM_SYSFS : RM_FS;
	m->source = vs_strdup(in->source && in->source[0] ? in->source : in->type);
	return 0;
}

static int plan_mount(struct rootfs_mnt *m, const struct oci_mount *in,
		      const struct rootfs_plan *plan, const struct rootfs_config *cfg,
		      struct vs_error *err)
{
	if (!in->destination)
		return vs_error_set(err, "%s.destination: missing", m->label);
	/* runc accepts a relative destination as relative to "/"; so do we. */
	_cleanup_free_ char *abs = in->destination[0] == '/'
				       ? vs_strdup(in->destination)
				       : vs_strdup_printf("/%s", in->destination);
	if (rootfs_clean_path(abs, &m->destination, err) < 0)
		return vs_error_wrap(err, "%s.destination", m->label);
	if (strcmp(m->destination, "/") == 0)
		return vs_error_set(err,
				    "%s.destination: mounting over the container's / is "
				    "not allowed (use root.path)",
				    m->label);
	if (rootfs_parse_mount_options(in->options, &m->opts, err) < 0)
		return vs_error_wrap(err, "%s.options", m->label);
	if (plan_kind(m, in, plan, cfg, err) < 0 || plan_idmap(m, in, plan, cfg, err) < 0)
		return -1;
	return plan_userns_source(m, cfg, err);
}

int rootfs_plan_mounts(struct rootfs_plan *plan, const struct rootfs_config *cfg,
		       struct vs_error *err)
{
	plan->mounts = vs_malloc0((cfg->n_mounts + 1) * sizeof(*plan->mounts));
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct rootfs_mnt *m = &plan->mounts[plan->n_mounts++];
		m->idmap_tree_fd = -1;
		m->label = vs_strdup_printf("mounts[%zu]", i);
		if (plan_mount(m, &cfg->mounts[i], plan, cfg, err) < 0)
			return -1;
		if (strcmp(m->destination, "/dev") != 0)
			continue;
		plan->has_dev_mount = true;
		/* /dev/pts, the devices and links are made in it after it is
		 * mounted: read-only comes last (runc does the same). */
		if (m->opts.flags & MS_RDONLY) {
			m->opts.flags &= ~(unsigned long)MS_RDONLY;
			plan->dev_readonly = true;
		}
	}
	return 0;
}
