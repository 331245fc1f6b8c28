/* cgroup v2 manager: one cgroup per container, its resource limits, freeze,
 * kill, process list and statistics.
 *
 * Lifecycle of a container's cgroup, as the spawn uses it:
 *
 *   parent (before clone)            child                 later commands
 *   ---------------------            -----                 --------------
 *   cg_create(cfg) -> handle
 *     resolve path, mkdir,
 *     enable controllers upward,
 *     refuse what cannot be enforced,
 *     write every limit
 *   clone3(CLONE_INTO_CGROUP,
 *          cg_handle_fd(h))  ------> runs inside the cgroup
 *   (or cg_enter(h, pid) when
 *    clone3 cannot do it)
 *   persist cg_handle_path(h)                              cg_open(path) ->
 *                                                           cg_freeze / cg_thaw
 *                                                           cg_update / cg_stats
 *                                                           cg_pids / cg_signal_all
 *                                                           cg_destroy (delete)
 *
 * On a host without a cgroup2 mount, cg_create() still succeeds for a config
 * that asks for no limit: the handle is "empty" (cg_handle_fd() == -1,
 * cg_handle_path() == NULL) and the container runs without a cgroup.  Any
 * limit it cannot enforce (no cgroup2, or the controller is bound to a v1
 * hierarchy on a hybrid host) is refused with an error naming the
 * controller, except cpu, cpuset, memory, pids, blkio (io) and hugetlb
 * bound to v1 on a hybrid host: those limits are written to the v1 cgroup
 * at the same path, as runc does.
 * Operations on an empty handle fail with a clear message, except
 * cg_destroy() and cg_handle_free(), which do nothing. */
#ifndef VESSEL_RUNTIME_CGROUP_CGROUP_H
#define VESSEL_RUNTIME_CGROUP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"

struct cg_config {
	const char *id;			       /* container id: the default path uses it */
	const char *cgroups_path;	       /* linux.cgroupsPath; NULL or "" = default */
	const struct oci_resources *resources; /* may be NULL */
	/* linux.devices: the nodes created in the container's /dev.  They get
	 * no rule of their own (runc adds none): the device program allows
	 * resources.devices and the standard nodes (null, zero, full, random,
	 * urandom, tty, console, ptmx, pts) only. */
	const struct oci_device *devices;
	size_t n_devices;
	bool systemd; /* --systemd-cgroup: "slice:prefix:name" */
	/* org.systemd.property.<Name> annotations: scope properties */
	const struct oci_kv *annotations;
	size_t n_annotations;
	/* The cgroup2 mount to use instead of the one in /proc/self/mountinfo
	 * (unit tests point it at a fake cgroupfs directory).  NULL = detect. */
	const char *root;
};

struct cg_handle;

/* Resolve the path, create the cgroup, enable controllers in the ancestors,
 * check that every requested resource can be enforced, apply them.  On
 * failure nothing is left behind (the directories it made are removed). */
int cg_create(const struct cg_config *cfg, struct cg_handle **ret_handle, struct vs_error *err);

/* The path cg_create() would use for cfg (relative to the hierarchy root,
 * as cg_handle_path() returns it), without creating anything; *ret_path is
 * NULL when there is no cgroup2 mount, or with cfg->systemd when systemd is
 * not running (the scope's path is systemd's: slice nesting + unit).  A create
 * records it before cg_create(), so a create killed half-way can still have
 * its cgroup found and removed. */
int cg_resolve(const struct cg_config *cfg, char **ret_path, struct vs_error *err);

/* Open the cgroup of an existing container.  `path` is what
 * cg_handle_path() returned (relative to the cgroup2 hierarchy root, as in
 * /proc/PID/cgroup: "/vessel/ID"); NULL or "" gives an empty handle (a
 * container that runs without a cgroup).  A cgroup that no longer exists
 * opens as a "gone" handle: cg_destroy() on it succeeds (delete completes),
 * the other operations fail with errnum ENOENT.  cg_open_at() takes the
 * hierarchy root explicitly (NULL = detect), for tests on a fake cgroupfs. */
int cg_open(const char *path, struct cg_handle **ret_handle, struct vs_error *err);
int cg_open_at(const char *root, const char *path, struct cg_handle **ret_handle,
	       struct vs_error *err);

/* Frees the handle and closes its fd; the cgroup stays.  NULL is fine. */
void cg_handle_free(struct cg_handle *h);

/* O_DIRECTORY|O_CLOEXEC fd of the cgroup, for clone3's cgroup field; -1 for
 * an empty handle. */
int cg_handle_fd(const struct cg_handle *h);
/* The cgroup's path relative to the hierarchy root ("/vessel/ID"), to
 * persist in the state (oci_state.cgroup_path); NULL for an empty handle.
 * cg_handle_dir() is the absolute directory ("/sys/fs/cgroup/vessel/ID"). */
const char *cg_handle_path(const struct cg_handle *h);
const char *cg_handle_dir(const struct cg_handle *h);

/* Move a process into the cgroup (fallback when CLONE_INTO_CGROUP is not
 * available, and for `exec` when the process is not cloned into it). */
int cg_enter(struct cg_handle *h, pid_t pid, struct vs_error *err);

/* On a hybrid host, also put pid in a cgroup at the same path in every v1
 * hierarchy: clients read statistics from the v1 controllers (podman stats,
 * containerd metrics), and cg_create()/cg_update() write the cpu, memory
 * and pids limits there when those controllers are bound to v1.
 * Nothing to do without v1 hierarchies or for an empty handle.  cg_destroy()
 * removes these directories too.
 *
 * The init must be born in them, before its cgroup namespace exists, or its
 * /proc/self/cgroup shows v1 paths relative to vessel's cgroups ("/../x").
 * So the parent enters them itself around the clone:
 *     own = cg_v1_own(); cg_v1_enter(h, getpid()); clone3 ...;
 *     cg_v1_return(own)
 * cg_v1_own() lists the directories of the caller's v1 cgroups (NULL when
 * none); cg_v1_return() moves the caller back into them. */
int cg_v1_enter(const struct cg_handle *h, pid_t pid, struct vs_error *err);
char **cg_v1_own(void);
int cg_v1_return(char *const *own, struct vs_error *err);
/* For exec: move pid into the v1 cgroups cg_v1_enter() made (hierarchies
 * where there is none are skipped).  Call it before leaving the host's
 * mount namespace: it writes under the host's v1 mounts. */
int cg_v1_join(const struct cg_handle *h, pid_t pid, struct vs_error *err);

/* exec --cgroup, in runc's syntax: each arg is "PATH" (only one then: the
 * sub-cgroup PATH of the container's cgroup in cgroup2 and in every v1
 * hierarchy that has it) or "CTRL[,CTRL...]:PATH" (the v1 hierarchies of
 * those controllers; an empty list is cgroup2).  The sub-cgroups must
 * exist.  Afterwards cg_handle_fd() is the cgroup2 sub-cgroup's, and
 * cg_v1_join() joins the v1 ones.  NULL or empty args: nothing changes. */
int cg_select_sub(struct cg_handle *h, char *const *args, struct vs_error *err);

/* The v1 hierarchies to show in a container on a hybrid host, as runc
 * mounts them under its /sys/fs/cgroup: name is the host's directory name
 * under its cgroup mount parent ("memory", "cpu,cpuacct", "systemd"),
 * options the mount data that mounts that hierarchy ("memory",
 * "cpu,cpuacct", "name=systemd"), dir the container's cgroup in it on the
 * host (the bind source without a cgroup namespace).  *ret is NULL and
 * *ret_n 0 without v1 hierarchies or for an empty handle. */
struct cg_v1_hierarchy {
	char *name, *options, *dir;
};
void cg_v1_hierarchies(const struct cg_handle *h, struct cg_v1_hierarchy **ret, size_t *ret_n);
void cg_v1_hierarchies_free(struct cg_v1_hierarchy *v, size_t n);

/* Kill what is left (cgroup.kill where present, else SIGKILL to each pid),
 * wait until the cgroup is empty, rmdir it and the empty parents that
 * cg_create() made.  A cgroup that is already gone is not an error. */
int cg_destroy(struct cg_handle *h, struct vs_error *err);

/* Write cgroup.freeze and wait (up to timeout_ms; 0 = 10 s) until
 * cgroup.events reports the new state. */
int cg_freeze(struct cg_handle *h, int timeout_ms, struct vs_error *err);
int cg_thaw(struct cg_handle *h, int timeout_ms, struct vs_error *err);
int cg_is_frozen(struct cg_handle *h, bool *ret_frozen, struct vs_error *err);

/* Every pid in the cgroup and its descendants (host pid namespace view),
 * sorted.  *ret_pids is malloc'd (may be NULL when n is 0). */
int cg_pids(struct cg_handle *h, pid_t **ret_pids, size_t *ret_n, struct vs_error *err);

/* Send sig to every process of the cgroup (SIGKILL uses cgroup.kill). */
int cg_signal_all(struct cg_handle *h, int sig, struct vs_error *err);

/* Apply new limits to a running container.  Same checks as cg_create();
 * memory.checkBeforeUpdate refuses a limit below the current usage. */
int cg_update(struct cg_handle *h, const struct oci_resources *res, struct vs_error *err);

/* `update` as runc does it: every field set in upd replaces the one in
 * *base (allocated when NULL); a list (weightDevice, throttle*) replaces the
 * list; hugepageLimits, rdma and unified replace entry by entry.  Device
 * rules and network are not updatable and are left alone, as in runc.  A
 * new memory.limit without a new swap keeps the amount of swap; an
 * unlimited one (-1) makes swap unlimited too, as in runc. */
void cg_resources_merge(struct oci_resources **base, const struct oci_resources *upd);

/* Statistics, shaped after runc's `events --stats` JSON.  A field whose
 * controller is not enabled stays 0 and its `has_` flag false.  On a
 * hybrid host, what cgroup2 lacks is read from the v1 hierarchies. */
struct cg_stats_io_entry {
	uint64_t major, minor;
	const char *op; /* "Read", "Write" (static strings) */
	uint64_t value;
};

struct cg_stats_hugetlb {
	char *page_size; /* "2MB" */
	uint64_t usage, max, failcnt;
};

struct cg_stats {
	bool has_cpu;
	uint64_t cpu_usage_total_ns, cpu_usage_user_ns, cpu_usage_system_ns;
	uint64_t cpu_throttle_periods, cpu_throttled_periods, cpu_throttled_time_ns;

	bool has_memory;
	uint64_t mem_usage, mem_limit, mem_max_usage, mem_failcnt;
	uint64_t swap_usage, swap_limit;
	char **mem_stat_keys; /* memory.stat, in file order */
	uint64_t *mem_stat_values;
	size_t n_mem_stat;
	uint64_t oom_kill; /* memory.events (v1: memory.oom_control) oom_kill */

	bool has_pids;
	uint64_t pids_current, pids_limit; /* limit 0 = max */

	bool has_io;
	struct cg_stats_io_entry *io_service_bytes;
	size_t n_io_service_bytes;
	struct cg_stats_io_entry *io_serviced;
	size_t n_io_serviced;

	struct cg_stats_hugetlb *hugetlb;
	size_t n_hugetlb;
};

int cg_stats(struct cg_handle *h, struct cg_stats *ret_stats, struct vs_error *err);
void cg_stats_clear(struct cg_stats *s);

/* memory.events oom_kill counter (0 without the memory controller in
 * cgroup2). */
int cg_oom_kill_count(struct cg_handle *h, uint64_t *ret_count, struct vs_error *err);

/* OOM notifications for `events`, wherever the container's memory
 * controller is: cgroup2 (memory.events' oom_kill counter, watched with
 * inotify) or, on a hybrid host, the v1 memory cgroup (an eventfd
 * registered through cgroup.event_control, signalled on each OOM, as runc
 * watches it).  cg_oom_watch_fd() turns readable (POLLIN) on news; -1 when
 * there is no memory controller to watch.  cg_oom_watch_read() says how
 * many OOM events to report since the last call.  The watch borrows h. */
struct cg_oom_watch;
int cg_oom_watch_open(struct cg_handle *h, struct cg_oom_watch **ret_watch, struct vs_error *err);
int cg_oom_watch_fd(const struct cg_oom_watch *w);
int cg_oom_watch_read(struct cg_oom_watch *w, uint64_t *ret_new, struct vs_error *err);
void cg_oom_watch_free(struct cg_oom_watch *w);

#endif
