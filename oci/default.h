/* The default container configuration `vessel spec` writes: runc's
 * defaults (busybox-friendly `sh` on a terminal, the standard /proc, /dev,
 * /sys mounts, masked and read-only paths, the small default capability
 * set, new pid/net/ipc/uts/mount/cgroup namespaces), hostname "vessel".
 *
 * rootless: what runc's `spec --rootless` changes: a user namespace mapping
 * container root to the caller's uid/gid (one id each), no network
 * namespace, /sys bind-mounted from the host (a fresh sysfs needs a network
 * namespace owned by the user namespace), no gid= on devpts (gid 5 is not
 * mapped), and no resources (an unprivileged caller cannot set them).
 *
 * The seccomp profile is not part of this: oci/ sits below runtime/, so the
 * caller (cmd/spec.c) attaches runtime/seccomp's default profile. */
#ifndef VESSEL_OCI_DEFAULT_H
#define VESSEL_OCI_DEFAULT_H

#include <stdbool.h>

#include "oci/oci.h"

/* Freshly allocated in the layout oci_config_free() frees; never NULL. */
struct oci_config *oci_config_default(bool rootless);

#endif
