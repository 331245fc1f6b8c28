/* Rootless detection and the per-user state directory. */
#include "runtime/rootless/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

/* The initial user namespace maps every id to itself in one line:
 * "0 0 4294967295".  Any other map means we are root of a nested
 * namespace, with no privilege over the host's files and cgroups. */
static bool in_initial_userns(void)
{
	_cleanup_free_ char *map = NULL;
	struct vs_error ignored = VS_ERROR_INIT;
	if (vs_read_file("/proc/self/uid_map", 0, &map, NULL, &ignored) < 0) {
		vs_error_clear(&ignored);
		return true; /* no /proc: assume the host's, as root */
	}
	uint64_t inside, outside, count;
	if (sscanf(map, "%" SCNu64 " %" SCNu64 " %" SCNu64, &inside, &outside, &count) != 3)
		return false;
	return inside == 0 && outside == 0 && count == 4294967295ULL;
}

bool rl_active(void)
{
	static int cached = -1;
	if (cached < 0)
		cached = geteuid() != 0 || !in_initial_userns();
	return cached;
}

/* An existing directory we can use for private state: ours, a real
 * directory (not a symlink someone planted), closed to others. */
static int check_private_dir(const char *dir, struct vs_error *err)
{
	struct stat st;
	if (lstat(dir, &st) < 0)
		return vs_error_errno(err, errno, "stat %s", dir);
	if (!S_ISDIR(st.st_mode))
		return vs_error_set(err, "%s is not a directory", dir);
	if (st.st_uid != geteuid())
		return vs_error_set(err, "%s belongs to uid %u, not to uid %u", dir,
				    (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 0077)
		return vs_error_set(err, "%s is open to other users (mode %04o)", dir,
				    (unsigned)(st.st_mode & 07777));
	return 0;
}

static bool owned_dir(const char *dir)
{
	struct stat st;
	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

int rl_default_root(char **ret_root, const char **ret_how, struct vs_error *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg) {
		*ret_how = "$XDG_RUNTIME_DIR";
		*ret_root = vs_strdup_printf("%s/vessel", xdg);
		return 0;
	}
	_cleanup_free_ char *run_user = vs_strdup_printf("/run/user/%u", (unsigned)geteuid());
	if (owned_dir(run_user)) {
		*ret_how = "XDG_RUNTIME_DIR is unset; /run/user/UID";
		*ret_root = vs_strdup_printf("%s/vessel", run_user);
		return 0;
	}
	/* /tmp is shared: the directory must be made by us, or be ours and
	 * private already, or another user could read or plant our state. */
	const char *tmp = getenv("TMPDIR");
	_cleanup_free_ char *dir =
	    vs_strdup_printf("%s/vessel-%u", tmp && *tmp ? tmp : "/tmp", (unsigned)geteuid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return vs_error_errno(err, errno,
				      "--root: XDG_RUNTIME_DIR is unset and /run/user/%u is not "
				      "yours; mkdir %s",
				      (unsigned)geteuid(), dir);
	if (check_private_dir(dir, err) < 0)
		return vs_error_wrap(err,
				     "--root: XDG_RUNTIME_DIR is unset and /run/user/%u is not "
				     "yours; set XDG_RUNTIME_DIR or pass --root",
				     (unsigned)geteuid());
	*ret_how = "XDG_RUNTIME_DIR is unset and /run/user/UID is not ours; $TMPDIR";
	*ret_root = TAKE_PTR(dir);
	return 0;
}
