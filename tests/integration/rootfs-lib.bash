# shellcheck shell=bash
# Shared by the rootfs suites (rootfs, mounts, devices, masked.bats), loaded
# after helpers.bash:
#   sh_args SCRIPT     the container runs `sh -c SCRIPT` (helpers.bash's
#                      set_cmd, under the name these suites have used)
#   setup_file / teardown_file: snapshot the host's device nodes before the
#                      suite and fail the suite if any changed after it (type,
#                      numbers, mode, owner; ctime too, which any chown/chmod
#                      bumps, except for tty nodes whose times other suites'
#                      ptys legitimately touch).

sh_args() {
	set_cmd "$1"
}

ROOTFS_HOST_NODES=(/dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/kmsg)
ROOTFS_HOST_TTYS=(/dev/tty /dev/ptmx /dev/console)

host_nodes_snapshot() {
	local n
	for n in "${ROOTFS_HOST_NODES[@]}"; do
		[[ -e $n ]] && stat -c '%n %F %t:%T %a %u:%g %Z' "$n"
	done
	for n in "${ROOTFS_HOST_TTYS[@]}"; do
		[[ -e $n ]] && stat -c '%n %F %t:%T %a %u:%g' "$n"
	done
}

setup_file() {
	export ROOTFS_DEVICES_BEFORE
	ROOTFS_DEVICES_BEFORE=$(host_nodes_snapshot)
}

teardown_file() {
	local after
	after=$(host_nodes_snapshot)
	if [[ $after != "$ROOTFS_DEVICES_BEFORE" ]]; then
		echo "host device nodes changed during the suite:" >&2
		diff <(echo "$ROOTFS_DEVICES_BEFORE") <(echo "$after") >&2
		return 1
	fi
}
