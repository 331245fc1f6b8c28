/* The systemd cgroup driver (--systemd-cgroup), inside runtime/cgroup/.
 *
 * systemd owns the cgroup tree on a systemd host: a runtime asks it for a
 * transient scope unit over D-Bus and gets the cgroup systemd makes for it,
 * instead of making a directory itself.  The limits go both ways: as unit
 * properties (so that systemd, which rewrites a unit's cgroup files from
 * its properties at every daemon-reload, keeps them) and, as with the
 * cgroupfs driver, into the cgroup files (for what systemd has no property
 * for, and so that both drivers enforce exactly the same values).
 *
 *   create (cg_create -> cg_sd_create)
 *     parse "slice:prefix:name" -> unit "prefix-name.scope" in slice
 *     fork a placeholder process (systemd refuses a scope without a pid,
 *       and the init must be born inside the scope: CLONE_INTO_CGROUP, its
 *       cgroup namespace is rooted where it is born)
 *     StartTransientUnit(unit, "replace", {Slice, Delegate=yes,
 *       PIDs=[placeholder], resources as properties, annotations}),
 *       wait for its JobRemoved ("done")
 *     the cgroup is the placeholder's (/proc/PID/cgroup); mark it with
 *       SD_UNIT_XATTR, write the limits as the cgroupfs driver does
 *   spawn clones the init into it; cg_handle_free() kills the placeholder
 *   update: SetUnitProperties(unit, runtime=true, properties), then files
 *   delete: the cgroupfs driver's kill, wait and rmdir, then StopUnit
 *
 * Rootless (rl_active()), the same calls go to the user's own systemd
 * instance (user@UID.service) over the user bus, as runc's and crun's
 * rootless drivers do: the scope is in that instance's "user.slice", its
 * cgroup under /user.slice/user-UID.slice/user@UID.service, made by the
 * instance running as the user, so all its files are the user's.  What
 * differs:
 *   - only the controllers the instance is delegated (user@.service's
 *     Delegate=, Debian's "pids memory cpu") can limit; the rest is
 *     refused by name, before anything is made;
 *   - no device rules (no BPF program without privilege), as rootless
 *     with the cgroupfs driver;
 *   - the unit's mark is SD_UNIT_XATTR_USER (trusted.* needs privilege);
 *   - the kernel lets vessel clone the init into the scope only when
 *     vessel's own cgroup shares an ancestor it may write (the instance's
 *     subtree): vessel must run in one of the instance's units
 *     (`systemd-run --user --scope`, as podman moves itself), else the
 *     create fails saying so, and stops the scope.
 *
 * sd-bus.c loads libsystemd with dlopen() at the first use, so the
 * commands and containers that never use the driver do not pay for it. */
#ifndef VESSEL_RUNTIME_CGROUP_SYSTEMD_INTERNAL_H
#define VESSEL_RUNTIME_CGROUP_SYSTEMD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "runtime/cgroup/cgroup-internal.h"

/* The unit a cgroup directory belongs to, set by create: later commands
 * (update, delete) learn from it that the cgroup is systemd's. */
#define SD_UNIT_XATTR "trusted.vessel.systemd-unit"
/* The same, rootless: only read when vessel is rootless (a container
 * could write a user.* attribute of a cgroup delegated to it), and by
 * either only the unit the directory is named after is ever stopped. */
#define SD_UNIT_XATTR_USER "user.vessel.systemd-unit"

/* ---- names (systemd.c) ---- */

/* linux.cgroupsPath in systemd's form.  "" or NULL: "system.slice",
 * "vessel", id (runc uses its own name as the prefix); an empty slice is
 * "system.slice", or "user.slice" for the user's instance (user, as
 * runc's rootless default).  The unit is "prefix-name.scope" ("name.scope" without
 * a prefix); path is where systemd puts it ("/system.slice/x.scope",
 * "/a.slice/a-b.slice/x.scope" for "a-b.slice"). */
struct cg_sd_name {
	char *slice, *unit, *path;
};
int cg_sd_parse(const char *cgroups_path, const char *id, bool user, struct cg_sd_name *ret,
		struct vs_error *err);
void cg_sd_name_clear(struct cg_sd_name *n);

/* ---- properties (sd-props.c) ---- */

/* Append the unit properties for res ("a(sv)" items, inside the caller's
 * open array): CPUWeight, CPUQuotaPerSecUSec, CPUQuotaPeriodUSec,
 * AllowedCPUs, AllowedMemoryNodes, MemoryMax/Low/High/SwapMax, TasksMax,
 * IOWeight, DevicePolicy/DeviceAllow (not for the user's instance: user).
 * res may be NULL. */
int cg_sd_props_resources(sd_bus_message *m, const struct oci_resources *res, bool user,
			  struct vs_error *err);
/* Annotations org.systemd.property.<Name>=<value>: value is true/false, a
 * number (optionally after a GVariant type word: "uint64 5"), or a quoted
 * string; a Name ending in a lower-case letter and "Sec" takes seconds and
 * becomes <Name minus Sec>USec, as runc does. */
int cg_sd_props_annotations(sd_bus_message *m, const struct oci_kv *a, size_t n,
			    struct vs_error *err);
/* linux.resources.devices as DevicePolicy (and DeviceAllow). */
int cg_sd_props_devices(sd_bus_message *m, const struct oci_resources *res, struct vs_error *err);
/* "0-3,5" -> the little-endian bit mask systemd's AllowedCPUs takes. */
int cg_sd_cpuset_mask(const char *list, uint8_t **ret, size_t *ret_n, struct vs_error *err);

/* ---- the bus (sd-bus.c) ---- */

/* libsystemd's symbols, loaded by cg_sd_bus_open(); sd-props.c appends to
 * messages through them. */
#define CG_SD_SYMBOLS(X)                                                                           \
	X(sd_bus_open_system)                                                                      \
	X(sd_bus_open_user)                                                                        \
	X(sd_bus_new)                                                                              \
	X(sd_bus_set_address)                                                                      \
	X(sd_bus_start)                                                                            \
	X(sd_bus_flush_close_unref)                                                                \
	X(sd_bus_message_new_method_call)                                                          \
	X(sd_bus_message_append)                                                                   \
	X(sd_bus_message_append_array)                                                             \
	X(sd_bus_message_open_container)                                                           \
	X(sd_bus_message_close_container)                                                          \
	X(sd_bus_message_read)                                                                     \
	X(sd_bus_message_unref)                                                                    \
	X(sd_bus_call)                                                                             \
	X(sd_bus_add_match)                                                                        \
	X(sd_bus_slot_unref)                                                                       \
	X(sd_bus_process)                                                                          \
	X(sd_bus_wait)                                                                             \
	X(sd_bus_error_free)                                                                       \
	X(sd_bus_error_has_name)

#define CG_SD_DECLARE(f) extern __typeof__(f) *cg_sym_##f;
CG_SD_SYMBOLS(CG_SD_DECLARE)
#undef CG_SD_DECLARE

/* Appends one (sv) property: name and a variant of the single basic type
 * sig ("t", "b", "s", "u"), the value following as for
 * sd_bus_message_append. */
int cg_sd_append_prop(sd_bus_message *m, const char *name, const char *sig, ...);

/* Fills the property array of a StartTransientUnit/SetUnitProperties
 * call. */
typedef int (*cg_sd_props_fn)(sd_bus_message *m, void *data, struct vs_error *err);

struct cg_sd_bus;
/* The system bus (the dbus daemon), or systemd's private socket when no
 * bus daemon runs; with user, the user bus ($DBUS_SESSION_BUS_ADDRESS, or
 * $XDG_RUNTIME_DIR/bus) and the user's instance on it.  Fails with
 * "systemd is not running" when systemd is not PID 1, and naming what is
 * missing when there is no user bus. */
int cg_sd_bus_open(bool user, struct cg_sd_bus **ret, struct vs_error *err);
void cg_sd_bus_close(struct cg_sd_bus *b);
/* StartTransientUnit(unit, "replace", props), then wait for the job. */
int cg_sd_bus_start(struct cg_sd_bus *b, const char *unit, cg_sd_props_fn props, void *data,
		    struct vs_error *err);
int cg_sd_bus_set(struct cg_sd_bus *b, const char *unit, cg_sd_props_fn props, void *data,
		  struct vs_error *err);
/* StopUnit and wait; a unit systemd no longer knows is not an error.
 * Then ResetFailedUnit, so a failed scope does not linger. */
int cg_sd_bus_stop(struct cg_sd_bus *b, const char *unit, struct vs_error *err);

/* ---- hooks for manager.c and procs.c (systemd.c) ---- */

/* A handle opened by path: SD_UNIT_XATTR says whether systemd owns it. */
void cg_sd_adopt(struct cg_handle *h);
/* Rootless: h's available controllers become what the user's instance
 * delegates (the scope's cgroup.controllers), h->sd_user is set. */
int cg_sd_user_available(struct cg_handle *h, struct vs_error *err);
/* cg_handle_free(): kill and reap the placeholder, free the unit name. */
void cg_sd_release(struct cg_handle *h);
int cg_sd_create(const struct cg_config *cfg, struct cg_handle **ret_handle, struct vs_error *err);
int cg_sd_resolve(const struct cg_config *cfg, char **ret_path, struct vs_error *err);
int cg_sd_update(struct cg_handle *h, const struct oci_resources *res, struct vs_error *err);
/* After the cgroupfs driver removed the cgroup: stop the unit. */
int cg_sd_stop(struct cg_handle *h, struct vs_error *err);

/* manager.c: set up a cgroup directory that exists already and is the
 * container's alone (systemd's scope), as cg_create() sets up one it made:
 * controllers, refusals, limits, device program. */
int cg_create_in(const struct cg_config *cfg, const char *path, struct cg_handle **ret_handle,
		 struct vs_error *err);

#endif
