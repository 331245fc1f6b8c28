/* libcriu, loaded at first use by checkpoint and restore only: every other
 * command must not map it (and libprotobuf-c) nor depend on criu being
 * installed.
 *
 * The prototypes are declared here rather than taken from <criu/criu.h>:
 * that header includes rpc.pb-c.h and so needs protobuf-c's development
 * headers at build time for nothing, as only these plain setters are
 * called.  They are libcriu's stable API (soname libcriu.so.2, CRIU >= 3.x).
 * A notify argument is an opaque pointer (CriuNotify *). */
#ifndef VESSEL_RUNTIME_CRIU_LIBCRIU_INTERNAL_H
#define VESSEL_RUNTIME_CRIU_LIBCRIU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

#define CR_SONAME_LIBCRIU "libcriu.so.2"

/* enum criu_cg_mode of criu.h. */
enum cr_cg_mode {
	CR_CG_MODE_IGNORE = 0,
	CR_CG_MODE_NONE = 1,
	CR_CG_MODE_PROPS = 2,
	CR_CG_MODE_SOFT = 3,
	CR_CG_MODE_FULL = 4,
	CR_CG_MODE_STRICT = 5,
	CR_CG_MODE_DEFAULT = 6,
};

/* The criu_local_* API: one option set of vessel's own (cr_opts), whose
 * RPC message cr_set_rpc_field() can reach for the options libcriu has no
 * setter for.  X(name, return type, parameters) */
#define CR_LIBCRIU_SYMBOLS(X)                                                                      \
	X(criu_local_init_opts, int, (void **))                                                    \
	X(criu_local_free_opts, void, (void *))                                                    \
	X(criu_local_set_service_binary, int, (void *, const char *))                              \
	X(criu_local_set_pid, void, (void *, int))                                                 \
	X(criu_local_set_images_dir_fd, void, (void *, int))                                       \
	X(criu_local_set_work_dir_fd, void, (void *, int))                                         \
	X(criu_local_set_parent_images, int, (void *, const char *))                               \
	X(criu_local_set_leave_running, void, (void *, bool))                                      \
	X(criu_local_set_ext_unix_sk, void, (void *, bool))                                        \
	X(criu_local_set_tcp_established, void, (void *, bool))                                    \
	X(criu_local_set_shell_job, void, (void *, bool))                                          \
	X(criu_local_set_file_locks, void, (void *, bool))                                         \
	X(criu_local_set_track_mem, void, (void *, bool))                                          \
	X(criu_local_set_auto_dedup, void, (void *, bool))                                         \
	X(criu_local_set_orphan_pts_master, void, (void *, bool))                                  \
	X(criu_local_set_log_level, void, (void *, int))                                           \
	X(criu_local_set_log_file, int, (void *, const char *))                                    \
	X(criu_local_set_root, int, (void *, const char *))                                        \
	X(criu_local_set_manage_cgroups, void, (void *, bool))                                     \
	X(criu_local_set_manage_cgroups_mode, void, (void *, enum cr_cg_mode))                     \
	X(criu_local_set_freeze_cgroup, int, (void *, const char *))                               \
	X(criu_local_set_ext_masters, void, (void *, bool))                                        \
	X(criu_local_set_ext_sharing, void, (void *, bool))                                        \
	X(criu_local_add_ext_mount, int, (void *, const char *, const char *))                     \
	X(criu_local_add_cg_root, int, (void *, const char *, const char *))                       \
	X(criu_local_add_external, int, (void *, const char *))                                    \
	X(criu_local_add_inherit_fd, int, (void *, int, const char *))                             \
	X(criu_local_set_page_server_address_port, int, (void *, const char *, int))               \
	X(criu_local_set_notify_cb, void, (void *, int (*)(char *, void *)))                       \
	X(criu_get_orphan_pts_master_fd, int, (void))                                              \
	X(criu_local_dump, int, (void *))                                                          \
	X(criu_local_pre_dump, int, (void *))                                                      \
	X(criu_local_restore_child, int, (void *))                                                 \
	X(protobuf_c_message_descriptor_get_field_by_name, const void *,                           \
	  (const void *, const char *))

#define CR_LIBCRIU_DECLARE(name, ret, params) extern ret(*sym_##name) params;
CR_LIBCRIU_SYMBOLS(CR_LIBCRIU_DECLARE)
#undef CR_LIBCRIU_DECLARE

/* The option set of the request being built (criu_local_init_opts). */
extern void *cr_opts;

/* Set an option of criu's RPC message (CriuOpts, rpc.proto) that libcriu
 * has no setter for, by its field name, through protobuf-c's descriptor of
 * the message: "lazy_pages" (bool), "status_fd" (int32), "empty_ns"
 * (uint32).  Fails naming the field when this libcriu's message has no
 * such field of that type. */
enum cr_rpc_type { CR_RPC_INT32 = 0, CR_RPC_UINT32 = 6, CR_RPC_BOOL = 12 };
int cr_set_rpc_field(const char *name, enum cr_rpc_type type, uint32_t value, struct vs_error *err);

/* dlopen libcriu.so.2 (once) and resolve every symbol above; fails naming
 * the library and, when criu is not installed, saying so. */
int cr_load_libcriu(struct vs_error *err);

#endif
