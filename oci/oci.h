/* The OCI runtime-spec v1.2 (Linux) configuration model, parsed from a
 * bundle's config.json with yajl.
 *
 * Conventions of this model:
 *  - Optional objects are pointers (NULL = absent in the JSON).
 *  - Optional scalars are oci_opt_* with a `set` flag, because 0 and "absent"
 *    differ in the spec (memory.limit 0 vs. no limit).
 *  - Lists of strings are NULL-terminated vectors (char **, NULL if absent);
 *    lists of objects are an array plus a count (`n_` prefix).
 *  - String enumerations (mount propagation, seccomp actions, ...) stay
 *    strings here; the parser checks them against the spec's sets so an
 *    error can name the JSON path, and each runtime module maps them.
 *  - `linux` is a predefined macro in GNU C, so the linux section is `lnx`.
 *
 * Leaf modules (rootfs, cgroup, seccomp, ...) take the sub-struct they need,
 * never the whole struct oci_config. */
#ifndef VESSEL_OCI_OCI_H
#define VESSEL_OCI_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define OCI_SPEC_VERSION "1.3.0"

typedef struct {
	bool set;
	int64_t value;
} oci_opt_i64;
typedef struct {
	bool set;
	uint64_t value;
} oci_opt_u64;
typedef struct {
	bool set;
	uint32_t value;
} oci_opt_u32;
typedef struct {
	bool set;
	int32_t value;
} oci_opt_i32;
typedef struct {
	bool set;
	bool value;
} oci_opt_bool;

struct oci_kv {
	char *key;
	char *value;
};

struct oci_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct oci_root {
	char *path; /* as written; relative to the bundle unless absolute */
	bool readonly;
};

struct oci_mount {
	/* required; as written.  Absolute, or (deprecated since runtime-spec
	 * 1.1, accepted like runc) relative, meaning relative to "/". */
	char *destination;
	char *type;   /* may be NULL (bind mounts) */
	char *source; /* may be NULL */
	char **options;
	struct oci_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct oci_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

/* ---- process ---------------------------------------------------------- */

struct oci_user {
	uint32_t uid;
	uint32_t gid;
	oci_opt_u32 umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* Windows only; kept for completeness */
};

struct oci_capabilities {
	char **bounding; /* names as in the JSON: "CAP_CHOWN" */
	char **effective;
	char **inheritable;
	char **permitted;
	char **ambient;
};

struct oci_rlimit {
	char *type;   /* "RLIMIT_NOFILE"; checked against the known set */
	int resource; /* RLIMIT_NOFILE: resolved by the parser */
	uint64_t hard;
	uint64_t soft;
};

struct oci_console_size {
	uint32_t height;
	uint32_t width;
};

struct oci_scheduler {
	char *policy; /* SCHED_OTHER, SCHED_FIFO, ... (required) */
	oci_opt_i32 nice;
	oci_opt_i32 priority;
	char **flags; /* SCHED_FLAG_* */
	oci_opt_u64 runtime;
	oci_opt_u64 deadline;
	oci_opt_u64 period;
};

struct oci_io_priority {
	char *class; /* IOPRIO_CLASS_RT | IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE */
	int32_t priority;
};

struct oci_cpu_affinity {
	char *initial; /* cpu list "0-3,7", may be NULL */
	char *final;
};

struct oci_process {
	bool terminal;
	struct oci_console_size *console_size;
	struct oci_user user;
	bool user_given;    /* false only from oci_process_parse without "user" */
	char **args;	    /* required on Linux, at least one element */
	char *command_line; /* Windows only; ignored */
	char **env;
	char *cwd; /* required, absolute */
	struct oci_capabilities *capabilities;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	char *selinux_label;
	oci_opt_i32 oom_score_adj;
	struct oci_scheduler *scheduler;
	struct oci_io_priority *io_priority;
	struct oci_cpu_affinity *exec_cpu_affinity;
};

/* ---- hooks ------------------------------------------------------------ */

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_KIND_COUNT
};

struct oci_hook {
	char *path; /* required, absolute */
	char **args;
	char **env;
	oci_opt_i32 timeout; /* seconds, > 0 */
};

struct oci_hook_list {
	struct oci_hook *hooks;
	size_t n;
};

/* JSON key of a hook kind ("createRuntime"). */
const char *oci_hook_kind_name(enum oci_hook_kind kind);

/* ---- linux: namespaces, devices --------------------------------------- */

enum oci_ns_type {
	OCI_NS_PID,
	OCI_NS_NETWORK,
	OCI_NS_MOUNT,
	OCI_NS_IPC,
	OCI_NS_UTS,
	OCI_NS_USER,
	OCI_NS_CGROUP,
	OCI_NS_TIME,
	OCI_NS_COUNT
};

struct oci_namespace {
	enum oci_ns_type type;
	char *path; /* NULL: create a new one; else join this one */
};

/* JSON name ("network") and /proc/PID/ns name ("net") of a type. */
const char *oci_ns_type_name(enum oci_ns_type type);
const char *oci_ns_proc_name(enum oci_ns_type type);

struct oci_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct oci_device {
	char *path;    /* required, absolute */
	char type;     /* 'c', 'b', 'u' or 'p' */
	int64_t major; /* required for c, b, u */
	int64_t minor;
	oci_opt_u32 file_mode;
	oci_opt_u32 uid;
	oci_opt_u32 gid;
};

/* ---- linux.resources -------------------------------------------------- */

struct oci_device_rule {
	bool allow;
	char type;     /* 'a', 'c' or 'b'; 'a' when absent */
	int64_t major; /* -1 = wildcard (absent) */
	int64_t minor;
	char *access; /* subset of "rwm"; NULL = "rwm" */
};

struct oci_memory {
	oci_opt_i64 limit; /* bytes, -1 = unlimited */
	oci_opt_i64 reservation;
	oci_opt_i64 swap;   /* memory+swap, -1 = unlimited */
	oci_opt_i64 kernel; /* deprecated: the parser warns and clears .set */
	oci_opt_i64 kernel_tcp;
	oci_opt_u64 swappiness;
	oci_opt_bool disable_oom_killer;
	oci_opt_bool use_hierarchy;
	oci_opt_bool check_before_update;
};

struct oci_cpu {
	oci_opt_u64 shares;
	oci_opt_i64 quota;
	oci_opt_u64 burst;
	oci_opt_u64 period;
	oci_opt_i64 realtime_runtime;
	oci_opt_u64 realtime_period;
	char *cpus;
	char *mems;
	oci_opt_i64 idle;
};

struct oci_weight_device {
	int64_t major;
	int64_t minor;
	oci_opt_u32 weight; /* 10..1000 (u16 in the spec) */
	oci_opt_u32 leaf_weight;
};

struct oci_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct oci_blkio {
	oci_opt_u32 weight;
	oci_opt_u32 leaf_weight;
	struct oci_weight_device *weight_devices;
	size_t n_weight_devices;
	struct oci_throttle_device *throttle_read_bps;
	size_t n_throttle_read_bps;
	struct oci_throttle_device *throttle_write_bps;
	size_t n_throttle_write_bps;
	struct oci_throttle_device *throttle_read_iops;
	size_t n_throttle_read_iops;
	struct oci_throttle_device *throttle_write_iops;
	size_t n_throttle_write_iops;
};

struct oci_hugepage_limit {
	char *page_size; /* "2MB", "1GB" */
	uint64_t limit;
};

struct oci_net_priority {
	char *name;
	uint32_t priority;
};

struct oci_network_resources {
	oci_opt_u32 class_id;
	struct oci_net_priority *priorities;
	size_t n_priorities;
};

struct oci_rdma {
	char *device; /* map key */
	oci_opt_u32 hca_handles;
	oci_opt_u32 hca_objects;
};

struct oci_resources {
	struct oci_device_rule *devices;
	size_t n_devices;
	struct oci_memory *memory;
	struct oci_cpu *cpu;
	struct oci_blkio *block_io;
	struct oci_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct oci_network_resources *network;
	oci_opt_i64 pids_limit; /* pids.limit; <= 0 = unlimited */
	bool has_pids;		/* the "pids" object is present */
	struct oci_rdma *rdma;
	size_t n_rdma;
	struct oci_kv *unified;
	size_t n_unified;
	/* oci_resources_parse only: see oci_config.warnings */
	char **warnings;
};

/* ---- linux.seccomp ---------------------------------------------------- */

struct oci_seccomp_arg {
	uint32_t index;
	uint64_t value;
	uint64_t value_two;
	char *op; /* SCMP_CMP_EQ, ... (checked) */
};

struct oci_seccomp_syscall {
	char **names; /* required, non-empty */
	char *action; /* SCMP_ACT_* (checked) */
	oci_opt_u32 errno_ret;
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	char *default_action; /* required */
	oci_opt_u32 default_errno_ret;
	char **architectures; /* SCMP_ARCH_* (checked) */
	char **flags;	      /* SECCOMP_FILTER_FLAG_* (checked) */
	char *listener_path;
	char *listener_metadata;
	struct oci_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

/* ---- linux: the rest --------------------------------------------------- */

struct oci_intel_rdt {
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	char **schemata;		/* v1.3: lines for the schemata file */
	oci_opt_bool enable_monitoring; /* v1.3 */
	oci_opt_bool enable_cmt;	/* v1.1-v1.2, replaced by enableMonitoring */
	oci_opt_bool enable_mbm;
};

/* linux.memoryPolicy (v1.3): set_mempolicy(2) for the container's
 * processes.  mode and flags are checked against the lists below. */
struct oci_memory_policy {
	char *mode;  /* MPOL_* (required) */
	char *nodes; /* "0-3,7"; NULL or "" = none */
	char **flags;
};
extern const char *const oci_mempolicy_modes[];
extern const char *const oci_mempolicy_flags[];

struct oci_personality {
	char *domain; /* LINUX | LINUX32 */
	char **flags;
};

struct oci_net_device {
	char *host_name; /* map key: the interface on the host */
	char *name;	 /* name inside the container; NULL = same */
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct oci_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct oci_time_offset time_monotonic;
	struct oci_time_offset time_boottime;
	struct oci_device *devices;
	size_t n_devices;
	char *cgroups_path;
	struct oci_resources *resources;
	struct oci_intel_rdt *intel_rdt;
	struct oci_kv *sysctl;
	size_t n_sysctl;
	struct oci_seccomp *seccomp;
	char *rootfs_propagation; /* shared|slave|private|unbindable|r* (checked) */
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	struct oci_personality *personality;
	struct oci_net_device *net_devices;
	size_t n_net_devices;
	struct oci_memory_policy *memory_policy;
};

/* ---- the whole config --------------------------------------------------- */

struct oci_config {
	char *oci_version; /* required */
	struct oci_root *root;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_process *process;
	char *hostname;
	char *domainname;
	struct oci_hook_list hooks[OCI_HOOK_KIND_COUNT];
	struct oci_kv *annotations;
	size_t n_annotations;
	struct oci_linux *lnx;
	/* What the parser accepted but ignores or reinterprets, NULL-terminated
	 * "config.json: linux.resources.memory.kernel: ..." lines (or NULL) for
	 * the command that creates the container to log, as runc does; never
	 * serialised. */
	char **warnings;
};

/* Parse config.json text.  `source` names the input in errors
 * ("config.json").  Errors read "<source>: <json.path>: <problem>", e.g.
 * "config.json: process.user.uid: expected a non-negative integer, got \"x\"".
 * What the parser enforces beyond types: ociVersion 1.x; root, root.path;
 * process.user (uid, gid), non-empty process.args, absolute process.cwd;
 * env entries "NAME=value"; the spec's enumerations (namespace types, rlimit
 * types, seccomp actions/operators/architectures/flags, propagation, ...);
 * no duplicate namespace or rlimit types; absolute hook, namespace, device,
 * masked/readonly paths; hook timeout > 0; SCMP_ACT_NOTIFY only with
 * linux.seccomp.listenerPath.  Unknown fields are ignored, and so are nulls
 * in optional fields.  yajl accepts C-style comments; so does vessel. */
int oci_config_parse(const char *json, size_t len, const char *source,
		     struct oci_config **ret_config, struct vs_error *err);
/* Read and parse a file (unreadable, empty and truncated files are errors). */
int oci_config_load(const char *path, struct oci_config **ret_config, struct vs_error *err);
void oci_config_free(struct oci_config *c);

/* A bare runtime-spec `process` object (exec --process FILE). */
int oci_process_parse(const char *json, size_t len, const char *source,
		      struct oci_process **ret_process, struct vs_error *err);
void oci_process_free(struct oci_process *p);

/* A bare LinuxResources object (update --resources FILE|-). */
int oci_resources_parse(const char *json, size_t len, const char *source,
			struct oci_resources **ret_resources, struct vs_error *err);
void oci_resources_free(struct oci_resources *r);

/* Serialise back to JSON (used by `spec`, and to persist a container's
 * effective config/resources).  Returns a malloc'd string. */
char *oci_config_to_json(const struct oci_config *c);
char *oci_resources_to_json(const struct oci_resources *r);

/* Lookup helpers. */
const struct oci_namespace *oci_config_namespace(const struct oci_config *c, enum oci_ns_type t);
const char *oci_annotation(const struct oci_config *c, const char *key);

#endif
