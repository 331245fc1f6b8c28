/* Inside runtime/ns/: what ns.c and idmap-rootless.c share. */
#ifndef VESSEL_RUNTIME_NS_INTERNAL_H
#define VESSEL_RUNTIME_NS_INTERNAL_H

#include <sys/types.h>

#include "lib/error.h"
#include "oci/oci.h"

/* Write data to /proc/PID/FILE in one write() (the kernel parses a map in
 * one go). */
int ns_write_proc(pid_t pid, const char *file, const char *data, struct vs_error *err);

/* ns_write_id_maps for an unprivileged writer (euid != 0): a map of only
 * the writer's own id is written directly (gid_map after "deny" in
 * setgroups, which the kernel then requires); any other goes through the
 * setuid newuidmap/newgidmap, which check /etc/subuid and /etc/subgid.
 * Both write through a stand-in process that joins userns_fd (see
 * idmap-rootless.c), never through the init. */
int ns_write_id_maps_rootless(pid_t pid, int userns_fd, const struct oci_id_mapping *uids,
			      size_t n_uids, const struct oci_id_mapping *gids, size_t n_gids,
			      struct vs_error *err);

#endif
