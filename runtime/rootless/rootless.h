/* Rootless mode: vessel run by an unprivileged user (euid != 0), or by root
 * of a user namespace that is not the initial one (`unshare -r`).  Such a
 * caller cannot write /run/vessel, cannot make cgroups outside a subtree
 * delegated to it, and can only write id maps naming its own ids (the
 * rest go through the setuid newuidmap/newgidmap).
 *
 * The modules that degrade (cgroup, ns) ask rl_active(); cmd/ asks
 * rl_default_root() for the state directory when --root is not given. */
#ifndef VESSEL_RUNTIME_ROOTLESS_ROOTLESS_H
#define VESSEL_RUNTIME_ROOTLESS_ROOTLESS_H

#include <stdbool.h>

#include "lib/error.h"

/* True when vessel lacks root's privileges over the host: euid != 0, or
 * this process's user namespace does not map the whole id range (it is not
 * the initial one).  Cached after the first call. */
bool rl_active(void);

/* The default --root for a rootless caller, as runc's: $XDG_RUNTIME_DIR/vessel;
 * without XDG_RUNTIME_DIR, /run/user/EUID/vessel when that directory is the
 * caller's (pam_systemd makes it), else ${TMPDIR:-/tmp}/vessel-EUID (the
 * directory is made 0700, and refused when it exists but is someone else's
 * or open to others).  *ret_how says which rule chose it, for the debug
 * log.  The caller frees *ret_root. */
int rl_default_root(char **ret_root, const char **ret_how, struct vs_error *err);

#endif
