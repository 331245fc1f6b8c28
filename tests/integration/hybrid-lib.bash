# shellcheck shell=bash
# Shared by the suites of a hybrid host's cgroups (cgroup-hybrid.bats,
# update-flags.bats): v1 controllers, a cgroup2 tree with few or none.
# Loads tests/cgroup/cgroup-helpers.bash (set_cmd ARG..., start_detached);
# every test gets a fresh bundle and runs as root on a hybrid host only.
#   requires_v1 CTRL...    skip unless each controller is bound to v1 and not
#                          in cgroup2 (so vessel writes its limits to v1);
#                          cgroup2's names: io is v1's blkio
#   v1_dir CTRL            the container's v1 cgroup directory of CTRL
#   v1_dir_for_path CTRL PATH  the v1 directory of CTRL for cgroup path PATH

load ../cgroup/cgroup-helpers

setup() {
	setup_bundle
	requires root cgroup_hybrid
}

requires_v1() {
	local c v1
	for c in "$@"; do
		v1=$c
		[[ $c == io ]] && v1=blkio
		grep -qw "$c" "$(cgroup2_mount)/cgroup.controllers" && skip "$c is in this host's cgroup2"
		grep -q " - cgroup .*[ ,]$v1\(,\|\$\)" /proc/self/mountinfo || skip "no v1 $v1 hierarchy"
	done
	return 0
}

# The hierarchy's mount point comes from mountinfo, so a "cpu,cpuacct"
# mount is found too.  A missing one fails (call requires_v1 first to skip
# instead): in $(...) that is a non-zero status the test must not hide
# behind `local`.
v1_dir_for_path() {
	local mnt
	mnt=$(awk -v c="$1" '{
		for (i = 1; i <= NF && $i != "-"; i++) ;
		if ($(i + 1) != "cgroup") next
		n = split($(i + 3), o, ",")
		for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit }
	}' /proc/self/mountinfo)
	[[ -n $mnt ]] || fail "no v1 hierarchy for $1"
	echo "$mnt$2"
}

v1_dir() {
	v1_dir_for_path "$1" "$(jq -r .cgroupPath "$ROOT/$CID/state.json")"
}
