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

/* X(name, return type, parameters) */
#define CR_LIBCRIU_SYMBOLS(X)                                                                      \
	X(criu_init_opts, int, (void))                                                             \
	X(criu_free_opts, void, (void))                                                            \
	X(criu_set_service_binary, int, (const char *))                                            \
	X(criu_set_pid, void, (int))                                                               \
	X(criu_set_images_dir_fd, void, (int))                                                     \
	X(criu_set_work_dir_fd, void, (int))                                                       \
	X(criu_set_parent_images, int, (const char *))                                             \
	X(criu_set_leave_running, void, (bool))                                                    \
	X(criu_set_ext_unix_sk, void, (bool))                                                      \
	X(criu_set_tcp_established, void, (bool))                                                  \
	X(criu_set_shell_job, void, (bool))                                                        \
	X(criu_set_file_locks, void, (bool))                                                       \
	X(criu_set_track_mem, void, (bool))                                                        \
	X(criu_set_auto_dedup, void, (bool))                                                       \
	X(criu_set_orphan_pts_master, void, (bool))                                                \
	X(criu_set_log_level, void, (int))                                                         \
	X(criu_set_log_file, int, (const char *))                                                  \
	X(criu_set_root, int, (const char *))                                                      \
	X(criu_set_manage_cgroups, void, (bool))                                                   \
	X(criu_set_manage_cgroups_mode, void, (enum cr_cg_mode))                                   \
	X(criu_set_freeze_cgroup, int, (const char *))                                             \
	X(criu_set_ext_masters, void, (bool))                                                      \
	X(criu_set_ext_sharing, void, (bool))                                                      \
	X(criu_add_ext_mount, int, (const char *, const char *))                                   \
	X(criu_add_cg_root, int, (const char *, const char *))                                     \
	X(criu_add_external, int, (const char *))                                                  \
	X(criu_add_inherit_fd, int, (int, const char *))                                           \
	X(criu_set_page_server_address_port, int, (const char *, int))                             \
	X(criu_set_notify_cb, void, (int (*)(char *, void *)))                                     \
	X(criu_notify_pid, int, (void *))                                                          \
	X(criu_get_orphan_pts_master_fd, int, (void))                                              \
	X(criu_get_version, int, (void))                                                           \
	X(criu_dump, int, (void))                                                                  \
	X(criu_pre_dump, int, (void))                                                              \
	X(criu_restore_child, int, (void))

#define CR_LIBCRIU_DECLARE(name, ret, params) extern ret(*sym_##name) params;
CR_LIBCRIU_SYMBOLS(CR_LIBCRIU_DECLARE)
#undef CR_LIBCRIU_DECLARE

/* dlopen libcriu.so.2 (once) and resolve every symbol above; fails naming
 * the library and, when criu is not installed, saying so. */
int cr_load_libcriu(struct vs_error *err);

#endif
