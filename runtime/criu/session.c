/* One libcriu request's options: what dump and restore describe alike
 * (criu.h says what and why). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/criu/criu-internal.h"
#include "runtime/rootfs/rootfs.h"

int cr_parse_cgroups_mode(const char *s, int *ret, struct vs_error *err)
{
	static const struct {
		const char *name;
		enum cr_cg_mode mode;
	} modes[] = {
	    {"soft", CR_CG_MODE_SOFT},
	    {"full", CR_CG_MODE_FULL},
	    {"strict", CR_CG_MODE_STRICT},
	    {"ignore", CR_CG_MODE_IGNORE},
	};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(s, modes[i].name) == 0) {
			*ret = (int)modes[i].mode;
			return 0;
		}
	return vs_error_set(err,
			    "--manage-cgroups-mode: invalid mode '%s' (soft, full, strict "
			    "or ignore)",
			    s);
}

/* Bind mounts come from outside the container's mount namespace: CRIU
 * dumps them as external, keyed by their destination, and restore maps
 * the key to the source again (which may differ on another host). */
static int describe_mounts(const struct cr_common *c, enum cr_action act, struct vs_error *err)
{
	for (size_t i = 0; i < c->config->n_mounts; i++) {
		const struct oci_mount *m = &c->config->mounts[i];
		if (!rootfs_mount_is_bind(m) || !m->source)
			continue;
		_cleanup_free_ char *key =
		    vs_strdup_printf("%s%s", m->destination[0] == '/' ? "" : "/", m->destination);
		const char *val = act == CR_RESTORE ? m->source : key;
		if (sym_criu_local_add_ext_mount(cr_opts, key, val) < 0)
			return vs_error_set(err, "criu: external mount %s: out of memory", key);
	}
	return 0;
}

/* Namespaces joined by path belong to someone else: CRIU must neither dump
 * nor recreate them.  It can do so for net and pid only. */
static int describe_one_ns(struct cr_session *s, const struct oci_namespace *ns, enum cr_action act,
			   struct vs_error *err)
{
	const char *key = ns->type == OCI_NS_NETWORK ? "extRootNetNS" : "extRootPidNS";
	if (ns->type != OCI_NS_NETWORK && ns->type != OCI_NS_PID)
		return vs_error_set(err,
				    "linux.namespaces: a container that joins a %s namespace "
				    "by path (%s) cannot be checkpointed (criu can keep net and "
				    "pid namespaces external only)",
				    oci_ns_type_name(ns->type), ns->path);
	if (act == CR_RESTORE) {
		if ((size_t)s->n_fds >= sizeof(s->fds) / sizeof(s->fds[0]))
			return vs_error_set(err, "too many namespaces");
		/* Not O_CLOEXEC: libcriu execs `criu swrk`, which takes
		 * inherited fds by number from its own table. */
		int fd = open(ns->path, O_RDONLY); // NOLINT(android-cloexec-open)
		if (fd < 0)
			return vs_error_errno(err, errno, "linux.namespaces: open %s", ns->path);
		s->fds[s->n_fds++] = fd;
		return sym_criu_local_add_inherit_fd(cr_opts, fd, key) < 0
			   ? vs_error_set(err, "criu: inherit fd: out of memory")
			   : 0;
	}
	struct stat st;
	if (stat(ns->path, &st) < 0)
		return vs_error_errno(err, errno, "linux.namespaces: stat %s", ns->path);
	_cleanup_free_ char *ext = vs_strdup_printf("%s[%llu]:%s", oci_ns_proc_name(ns->type),
						    (unsigned long long)st.st_ino, key);
	return sym_criu_local_add_external(cr_opts, ext) < 0
		   ? vs_error_set(err, "criu: external: out of memory")
		   : 0;
}

static int describe_namespaces(struct cr_session *s, const struct cr_common *c, enum cr_action act,
			       struct vs_error *err)
{
	const struct oci_linux *l = c->config->lnx;
	for (size_t i = 0; l && i < l->n_namespaces; i++)
		if (l->namespaces[i].path && describe_one_ns(s, &l->namespaces[i], act, err) < 0)
			return -1;
	return 0;
}

static int describe_cgroup(const struct cr_common *c, enum cr_action act, struct vs_error *err)
{
	sym_criu_local_set_manage_cgroups(cr_opts, true);
	sym_criu_local_set_manage_cgroups_mode(
	    cr_opts, c->cgroups_mode >= 0 ? (enum cr_cg_mode)c->cgroups_mode : CR_CG_MODE_SOFT);
	if (!c->cgroup_dir)
		return 0;
	/* Freezing through the cgroup stops every task at once, forks
	 * included, where ptrace-seizing them one by one could race. */
	if (act != CR_RESTORE && sym_criu_local_set_freeze_cgroup(cr_opts, c->cgroup_dir) < 0)
		return vs_error_set(err, "criu: freeze cgroup: out of memory");
	if (act == CR_RESTORE && sym_criu_local_add_cg_root(cr_opts, NULL, c->cgroup_path) < 0)
		return vs_error_set(err, "criu: cgroup root: out of memory");
	return 0;
}

static int open_dirs(struct cr_session *s, const struct cr_common *c, struct vs_error *err)
{
	s->image_fd = open(c->image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->image_fd < 0)
		return vs_error_errno(err, errno, "--image-path %s", c->image_path);
	s->work_path = c->work_path ? c->work_path : c->image_path;
	/* Made when missing, as runc does: containerd's shim names a
	 * criu-work directory in its state dir that nobody made. */
	if (c->work_path && mkdir(c->work_path, 0700) < 0 && errno != EEXIST)
		return vs_error_errno(err, errno, "--work-path: mkdir %s", c->work_path);
	s->work_fd = open(s->work_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->work_fd < 0)
		return vs_error_errno(err, errno, "--work-path %s", s->work_path);
	sym_criu_local_set_images_dir_fd(cr_opts, s->image_fd);
	sym_criu_local_set_work_dir_fd(cr_opts, s->work_fd);
	return 0;
}

static const char *log_names[] = {
    [CR_DUMP] = "dump.log", [CR_PRE_DUMP] = "pre-dump.log", [CR_RESTORE] = "restore.log"};

int cr_session_begin(struct cr_session *s, const struct cr_common *c, enum cr_action act,
		     struct vs_error *err)
{
	*s = (struct cr_session){.image_fd = -1, .work_fd = -1, .log_name = log_names[act]};
	if (cr_load_libcriu(err) < 0)
		return vs_error_wrap(err, "load libcriu");
	if (sym_criu_local_init_opts(&cr_opts) < 0)
		return vs_error_set(err, "libcriu: cannot initialise its options");
	s->criu_path = c->criu_path ? c->criu_path : "criu";
	if (c->criu_path && sym_criu_local_set_service_binary(cr_opts, c->criu_path) < 0)
		return vs_error_set(err, "--criu: out of memory");
	if (open_dirs(s, c, err) < 0)
		return -1;
	/* 4: debug; the Error lines cr_fail() relays are at every level, the
	 * rest is what a bug report needs. */
	sym_criu_local_set_log_level(cr_opts, 4);
	if (sym_criu_local_set_log_file(cr_opts, s->log_name) < 0)
		return vs_error_set(err, "criu: log file: out of memory");
	sym_criu_local_set_tcp_established(cr_opts, c->tcp_established);
	sym_criu_local_set_ext_unix_sk(cr_opts, c->ext_unix_sk);
	sym_criu_local_set_shell_job(cr_opts, c->shell_job);
	sym_criu_local_set_file_locks(cr_opts, c->file_locks);
	sym_criu_local_set_auto_dedup(cr_opts, c->auto_dedup);
	/* Mounts propagated from or to the host: CRIU keeps their sharing. */
	/* libcriu 3.17 has no setter for empty_ns nor lazy_pages: the
	 * request's fields are set by name. */
	if (c->empty_net && cr_set_rpc_field("empty_ns", CR_RPC_UINT32, CLONE_NEWNET, err) < 0)
		return vs_error_wrap(err, "--empty-ns network");
	if (c->lazy_pages && cr_set_rpc_field("lazy_pages", CR_RPC_BOOL, 1, err) < 0)
		return vs_error_wrap(err, "--lazy-pages");
	sym_criu_local_set_ext_masters(cr_opts, true);
	sym_criu_local_set_ext_sharing(cr_opts, true);
	if (describe_mounts(c, act, err) < 0 || describe_namespaces(s, c, act, err) < 0 ||
	    describe_cgroup(c, act, err) < 0)
		return -1;
	return 0;
}

void cr_session_end(struct cr_session *s)
{
	if (cr_opts)
		sym_criu_local_free_opts(cr_opts);
	cr_opts = NULL;
	if (s->image_fd >= 0)
		close(s->image_fd);
	if (s->work_fd >= 0)
		close(s->work_fd);
	for (int i = 0; i < s->n_fds; i++)
		close(s->fds[i]);
	*s = (struct cr_session){.image_fd = -1, .work_fd = -1};
}
