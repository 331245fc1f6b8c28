/* Inside runtime/cgroup/: the handle, the file helpers and the controller
 * interface.  Each controller is one small file (cpu.c, memory.c, ...)
 * exporting one `struct cg_controller`; controllers.c lists them in the order
 * they are applied. */
#ifndef VESSEL_RUNTIME_CGROUP_INTERNAL_H
#define VESSEL_RUNTIME_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/cgroup/cgroup.h"

/* Marks a cgroup directory vessel made, so delete removes only those
 * parents (manager.c, v1.c). */
#define OWNED_XATTR "trusted.vessel.owned"

struct cg_handle {
	int fd;	    /* O_DIRECTORY of the cgroup; -1 for an empty handle */
	char *root; /* the cgroup2 mount ("/sys/fs/cgroup") */
	char *path; /* relative to root, "/vessel/ID" */
	char *dir;  /* root + path */
	/* Not a real cgroupfs (unit tests): files are created on write, since
	 * a plain directory has none of the kernel's interface files. */
	bool fake;
	char **available; /* controllers in the root's cgroup.controllers */
	bool gone;	  /* opened by path, but the directory no longer exists */
	/* exec --cgroup (sub.c): the container's own path, for the v1
	 * hierarchies, once path is the cgroup2 sub-cgroup's; and the v1
	 * sub-cgroups to join instead of the container's, by mount. */
	char *v1_path;
	char **v1_sub_mounts, **v1_sub_dirs;
	/* --systemd-cgroup (systemd.c): the scope unit owning the cgroup, and
	 * during the create the placeholder process that holds it. */
	char *sd_unit;
	pid_t sd_placeholder;
	/* The unit is the user's systemd instance's (rootless): available
	 * holds what that instance delegates, not the root's controllers. */
	bool sd_user;
};

/* Fails, saying why, when h has no live cgroup (none was created on a host
 * without cgroup2, or it was removed); `what` is the operation. */
int cg_require(const struct cg_handle *h, const char *what, struct vs_error *err);

/* What a controller is handed: the cgroup's fd, and whether this is an
 * update of a running container (memory.checkBeforeUpdate, merge rules). */
struct cg_apply_ctx {
	struct cg_handle *h;
	bool update;
};

struct cg_controller {
	/* Name in cgroup.controllers, or NULL when it needs none (devices use
	 * a BPF program, which works on any cgroup2 directory). */
	const char *name;
	/* The resource as the config names it, for errors:
	 * "linux.resources.memory". */
	const char *what;
	/* True when res asks for a limit this controller must enforce (and so
	 * a host without the controller must refuse the config). */
	bool (*requested)(const struct oci_resources *res);
	/* Write what res sets.  Called only when the controller is available,
	 * or when requested() said yes (and then availability was checked). */
	int (*apply)(const struct cg_apply_ctx *ctx, const struct oci_resources *res,
		     struct vs_error *err);
};

extern const struct cg_controller cg_ctrl_cpu, cg_ctrl_cpuset, cg_ctrl_memory, cg_ctrl_pids,
    cg_ctrl_io, cg_ctrl_hugetlb, cg_ctrl_rdma, cg_ctrl_unified, cg_ctrl_network;

/* Every controller, in the order they are applied. */
extern const struct cg_controller *const cg_controllers[];
extern const size_t cg_n_controllers;

/* ---- files (files.c) ---- */

/* Write value to the interface file `name` of the cgroup.  Errors read
 * "write memory.max \"12\": Invalid argument". */
int cg_write(const struct cg_handle *h, const char *name, const char *value, struct vs_error *err);
int cg_write_u64(const struct cg_handle *h, const char *name, uint64_t value, struct vs_error *err);
/* Read a whole interface file; ENOENT is reported as such in err->errnum. */
int cg_read(const struct cg_handle *h, const char *name, char **ret_buf, struct vs_error *err);
/* Read a single number; "max" reads as UINT64_MAX. */
int cg_read_u64(const struct cg_handle *h, const char *name, uint64_t *ret, struct vs_error *err);
/* Look up "key value" in a flat-keyed file (cpu.stat, memory.events). */
int cg_read_key(const struct cg_handle *h, const char *name, const char *key, uint64_t *ret,
		struct vs_error *err);
bool cg_file_exists(const struct cg_handle *h, const char *name);
bool cg_has_controller(const struct cg_handle *h, const char *name);

/* ---- locating (mount.c) ---- */

/* The cgroup2 mount point from /proc/self/mountinfo, or NULL. */
char *cg_find_cgroup2_mount(void);
/* The runtime's own cgroup ("0::" line of /proc/self/cgroup). */
char *cg_own_cgroup(void);
/* linux.cgroupsPath to a path relative to the hierarchy root: absolute is
 * kept, relative goes under `own`, empty is "/vessel/<id>". */
int cg_resolve_path(const char *cgroups_path, const char *id, const char *own, char **ret_path,
		    struct vs_error *err);

/* rmdir the parents of `path` that vessel made (marked with an xattr),
 * deepest first, stopping at one that is not ours or not empty. */
void cg_remove_owned_parents(const char *root, const char *path, bool fake);
/* rmdir dir and its sub-cgroups, deepest first (fake: also its files). */
int cg_remove_tree(const char *dir, bool fake, struct vs_error *err);

/* ---- rootless (rootless.c) ---- */

/* May an unprivileged caller in cgroup `own` make (or join) the cgroup
 * `path` under root and move processes into it? */
bool cg_rootless_usable(const char *root, const char *path, const char *own);
/* The rootless answer when it may not: an empty handle when res asks for
 * no limit (said in the debug log), else an error naming the limit. */
int cg_rootless_without(const struct cg_config *cfg, const char *root, const char *path,
			struct cg_handle **ret_handle, struct vs_error *err);

/* ---- tree (tree.c) ---- */

/* Controllers that res needs but the hierarchy cannot give: an error that
 * names the controller and why. */
int cg_check_enforceable(const struct cg_handle *h, const struct oci_resources *res,
			 struct vs_error *err);
/* Write "+ctrl" into cgroup.subtree_control from the root down to the
 * leaf's parent: every controller the root offers (statistics want them),
 * failing only for those res needs. */
int cg_enable_controllers(const struct cg_handle *h, const struct oci_resources *res,
			  struct vs_error *err);
/* Apply every controller's part of res (create and update). */
int cg_apply_all(struct cg_handle *h, const struct oci_resources *res, bool update,
		 struct vs_error *err);
/* The v1 mount point a controller is bound to on a hybrid host, or NULL. */
char *cg_v1_mount_of(const char *controller);
/* Every v1 hierarchy's mount point (hierarchy root mounts only), or NULL. */
char **cg_v1_mounts(void);
/* Is the v1 freezer cgroup at path (or, when it does not exist yet, the
 * nearest existing ancestor) FROZEN or FREEZING? (v1.c) */
bool cg_v1_frozen(const char *path);
/* Remove the container's directories in the v1 hierarchies, their
 * sub-cgroups included, and the empty parents vessel made (v1.c).  With
 * only_owned (a create that failed), a directory vessel did not make
 * stays: it was someone else's before the create. */
void cg_v1_remove(const char *path, bool only_owned);
/* mkdir mnt+path and its missing parents, marking what it made (v1.c). */
int cg_v1_make_dirs(const char *mnt, const char *path, struct vs_error *err);

/* ---- v1 limits on hybrid hosts (v1-limits.c) ---- */

/* True when controller `name` (cgroup2's name: cpu, memory, pids, cpuset,
 * io, hugetlb) is not in h's cgroup2 hierarchy but bound to a v1 one: its
 * limits go to the v1 cgroup at h->path.  Always false for a fake cgroupfs
 * (unit tests) and NULL h. */
bool cg_v1_limits_handle(const struct cg_handle *h, const char *name);
/* The v1 name of a cgroup2 controller: "io" is "blkio", the rest match. */
const char *cg_v1_name(const char *name);
/* Refuse, before anything is created, what the v1 path cannot enforce:
 * cpu burst/idle, memory kernel/kernelTCP, swap without swap accounting,
 * a hugetlb page size the kernel lacks. */
int cg_v1_limits_check(const struct cg_handle *h, const struct oci_resources *res,
		       struct vs_error *err);
/* Make the v1 directories and write every limit res sets for the
 * controllers cg_v1_limits_handle() claims; res must have passed
 * cg_v1_limits_check() (cg_apply_all checks first). */
int cg_v1_limits_apply(const struct cg_handle *h, const struct oci_resources *res, bool update,
		       struct vs_error *err);

/* One v1 cgroup directory (mount + path) and the resource it is written
 * for ("linux.resources.memory"), which the messages name. */
struct cg_v1_dir {
	char *dir;
	const char *what;
};
void cg_v1_dir_clear(struct cg_v1_dir *d);
/* Makes the directory for v1 controller `name` (its v1 name). */
int cg_v1_dir_open(const struct cg_handle *h, const char *name, const char *what,
		   struct cg_v1_dir *ret, struct vs_error *err);
/* One write(2) of value to d->dir/file; errors read
 * "linux.resources.memory.limit: write /sys/.../memory.limit_in_bytes ...". */
int cg_v1_write(const struct cg_v1_dir *d, const char *field, const char *file, const char *value,
		struct vs_error *err);
int cg_v1_write_i64(const struct cg_v1_dir *d, const char *field, const char *file, int64_t v,
		    struct vs_error *err);
int cg_v1_read_u64(const struct cg_v1_dir *d, const char *file, uint64_t *ret,
		   struct vs_error *err);
/* cpuset, blkio and hugetlb on v1 (v1-limits-more.c). */
int cg_v1_more_check(const struct cg_handle *h, const struct oci_resources *res,
		     struct vs_error *err);
int cg_v1_cpuset_apply(const struct cg_handle *h, const struct oci_resources *res,
		       struct vs_error *err);
int cg_v1_blkio_apply(const struct cg_handle *h, const struct oci_resources *res,
		      struct vs_error *err);
int cg_v1_hugetlb_apply(const struct cg_handle *h, const struct oci_resources *res,
			struct vs_error *err);
/* A cpuset cgroup with empty cpuset.cpus or cpuset.mems takes no task
 * (ENOSPC): fill each from its parent.  Nothing to do outside the cpuset
 * hierarchy or when both are set. */
int cg_v1_cpuset_fill(const char *dir, struct vs_error *err);
/* memory.memsw.limit_in_bytes must be written before memory.limit_in_bytes
 * when the new memory+swap value is unlimited (< 0) or not below the
 * current limit; otherwise the limit goes first (the kernel keeps
 * memsw >= limit at every step). */
bool cg_v1_memsw_first(int64_t new_memsw, uint64_t cur_limit);

/* Append memory.stat's "key value" lines (buf, may be NULL; split in
 * place) to s's raw memory figures: cgroup2's and v1's have one format. */
void cg_stats_add_memory_stat(struct cg_stats *s, char *buf);

/* Fill what cgroup2 did not give from the v1 hierarchies (stats-v1.c). */
void cg_stats_v1(const struct cg_handle *h, struct cg_stats *s);

/* ---- devices (devices.c, bpf-devices.c) ---- */

struct cg_dev_rule {
	bool allow;
	char type;     /* 'a', 'c', 'b' */
	int64_t major; /* -1 = any */
	int64_t minor;
	unsigned access; /* CG_DEV_* bits */
};
#define CG_DEV_MKNOD 1u
#define CG_DEV_READ  2u
#define CG_DEV_WRITE 4u

/* Parse "rwm" into CG_DEV_* bits; NULL = all.  -1 on a bad letter. */
int cg_dev_access_parse(const char *s, unsigned *ret);
/* The full rule list for a container: resources.devices, then the
 * standard nodes.  Later rules win.  linux.devices (devs) add no rule: as
 * in runc, a node the config creates is usable only if a rule allows it. */
int cg_dev_rules_build(const struct oci_resources *res, const struct oci_device *devs,
		       size_t n_devs, struct cg_dev_rule **ret_rules, size_t *ret_n,
		       struct vs_error *err);

/* A BPF_PROG_TYPE_CGROUP_DEVICE program as raw instructions (each 8 bytes,
 * struct bpf_insn).  Exposed for unit tests, which run it through a tiny
 * interpreter. */
struct bpf_insn;
int cg_bpf_dev_generate(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **ret_insns,
			size_t *ret_n, struct vs_error *err);
/* Load the program and attach it to the cgroup (BPF_F_ALLOW_MULTI), then
 * detach the programs that were attached before, so an update swaps rules
 * without a window where none apply. */
int cg_bpf_dev_install(int cgroup_fd, const struct bpf_insn *insns, size_t n, struct vs_error *err);
/* Build, generate, install: the whole device policy. */
int cg_devices_apply(struct cg_handle *h, const struct oci_resources *res,
		     const struct oci_device *devs, size_t n_devs, struct vs_error *err);

/* A unified key names one file of the cgroup: "CONTROLLER.FILE", no '/' or
 * "..", not one of the core files the runtime manages. */
int cg_unified_key_check(const char *key, struct vs_error *err);

/* ---- conversions (shared with the unit tests) ---- */

/* cpu.shares [2, 262144] to cpu.weight [1, 10000], the log-quadratic map
 * runc >= 1.3.2 and crun >= 1.23 use (1024 -> 100, the two defaults). */
uint64_t cg_cpu_shares_to_weight(uint64_t shares);
/* blkio.weight [10, 1000] to io.weight [1, 10000]. */
uint64_t cg_blkio_weight_to_io(uint64_t weight);
/* memory.swap (memory+swap) to memory.swap.max (swap only): writes the value
 * to ret ("max" or a number).  Errors when the pair makes no sense. */
int cg_memory_swap_value(const struct oci_memory *m, char *ret, size_t size, struct vs_error *err);

#endif
