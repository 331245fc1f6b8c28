/* restore: the config's mount points made in the rootfs before CRIU runs.
 * CRIU mounts each dumped mount back onto its mount point and fails when
 * one is missing ("Can't stat mountpoint"): the runtime made them at create
 * in the rootfs's writable layer, and a restore onto a fresh rootfs (a
 * containerd `ctr c restore` without --rw, another host's bundle) does not
 * have them.  runc makes them the same way.
 *
 * A mount point below a bind mount's destination lives in that bind's
 * source, not in the rootfs (the bind covers it there): create made it
 * through the bind, and restore makes it in the source (runc binds the
 * source for the time of its restore to get the same). */
#include "runtime/container/container-internal.h"

#include <string.h>
#include <sys/stat.h>

#include "runtime/rootfs/rootfs.h"

/* Whether path is strictly below the destination of a tmpfs mount of the
 * config: CRIU restores a tmpfs with its content, mount points included. */
static bool under_tmpfs(const struct oci_config *config, const char *path)
{
	for (size_t i = 0; i < config->n_mounts; i++) {
		const struct oci_mount *m = &config->mounts[i];
		size_t n = strlen(m->destination);
		while (n > 1 && m->destination[n - 1] == '/')
			n--;
		if (m->type && strcmp(m->type, "tmpfs") == 0 &&
		    strncmp(path, m->destination, n) == 0 && path[n] == '/')
			return true;
	}
	return false;
}

/* The last mount before mount i whose destination holds i's (the one
 * mounted over it: mounts go in config order) when it is a bind, else
 * NULL; *ret_rel is i's destination below it ("/sub"). */
static const struct oci_mount *enclosing_bind(const struct oci_config *config, size_t i,
					      const char **ret_rel)
{
	const char *path = config->mounts[i].destination;
	const struct oci_mount *ret = NULL;
	for (size_t j = 0; j < i; j++) {
		const struct oci_mount *m = &config->mounts[j];
		size_t n = strlen(m->destination);
		while (n > 1 && m->destination[n - 1] == '/')
			n--;
		if (strncmp(path, m->destination, n) == 0 && path[n] == '/') {
			ret = rootfs_mount_is_bind(m) && m->source ? m : NULL;
			*ret_rel = path + n;
		}
	}
	return ret;
}

int ct_restore_mountpoints(const struct oci_config *config, const char *rootfs,
			   struct vs_error *err)
{
	for (size_t i = 0; i < config->n_mounts; i++) {
		const struct oci_mount *m = &config->mounts[i];
		/* cgroup2's mount point appears with /sys */
		if ((m->type && strcmp(m->type, "cgroup") == 0) ||
		    under_tmpfs(config, m->destination))
			continue;
		struct stat st;
		bool file = rootfs_mount_is_bind(m) && m->source && stat(m->source, &st) == 0 &&
			    !S_ISDIR(st.st_mode);
		const char *rel = NULL;
		const struct oci_mount *outer = enclosing_bind(config, i, &rel);
		int r = outer ? rootfs_make_mountpoint(outer->source, rel, file, err)
			      : rootfs_make_mountpoint(rootfs, m->destination, file, err);
		if (r < 0 && outer)
			return vs_error_wrap(err, "mounts: mount point %s (in the source %s of %s)",
					     m->destination, outer->source, outer->destination);
		if (r < 0)
			return vs_error_wrap(err, "mounts: mount point %s", m->destination);
	}
	return 0;
}
