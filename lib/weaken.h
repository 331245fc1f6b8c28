/* Test-only switches that turn one protection off, so tests/security can show
 * that each attack works without the protection it targets (a passing attack
 * test then means the protection, not a broken probe).
 *
 * Only a build made with -DVESSEL_TEST_WEAKEN (`make weak`, build-weak/vessel)
 * reads $VESSEL_TEST_WEAKEN, a comma-separated list of protection names; in
 * every other build vs_weakened() is constant false and the compiler drops
 * the weakened branch, so no environment variable can switch a protection
 * off in a shipped binary.
 *
 * Names (one per protection; docs/security.md lists which test uses which):
 *   fds      vessel's own fds closed before any container path is resolved
 *   cwd      process.cwd / exec --cwd checked to stay inside the container
 *   dumpable vessel's processes non-dumpable until the user process execs
 *   exe      the binary seen through /proc/PID/exe cannot be written
 *   exe-bind the read-only bind mount of that binary (the sealed memfd
 *            fallback is used instead)
 *   inheritable  the inheritable capability set is only what the config lists
 *                (cve-2022-29162.bats)
 *   proc-dir procfs and sysfs are only mounted on a real directory, never
 *            through a symlink (cve-2023-28642.bats)
 *   procfs   vessel's writes to /proc go to a checked procfs file, with no
 *            mount or symlink on the way (cve-2023-28642.bats,
 *            cve-2025-52881.bats)
 *   in-root  container paths resolved with RESOLVE_IN_ROOT (mount
 *            destinations, /dev, devices, masks; cve-2021-30465.bats)
 *   console  /dev/console reopened without following a symlink and checked
 *            to be vessel's mount point before the pty is bound
 *            (cve-2025-52565.bats)
 *   null-check  the /dev/null that covers masked files is checked, by its
 *            fd, to be the null device (cve-2025-31133.bats)
 *   idmap-standin  rootless id maps written through a stand-in process,
 *            the init never dumpable (tests/rootless/idmap-standin.bats) */
#ifndef VESSEL_LIB_WEAKEN_H
#define VESSEL_LIB_WEAKEN_H

#include <stdbool.h>

#ifdef VESSEL_TEST_WEAKEN
bool vs_weakened(const char *protection);
#else
static inline bool vs_weakened(const char *protection)
{
	(void)protection;
	return false;
}
#endif

#endif
