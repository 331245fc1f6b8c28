# shellcheck shell=bash
# Shared by the rootfs suites (rootfs, mounts, devices, masked.bats), loaded
# after helpers.bash:
#   sh_args SCRIPT     the container runs `sh -c SCRIPT` (set_args cannot
#                      pass "-c": jq 1.6 takes it as its own option)
#   setup_file / teardown_file: snapshot the host's device nodes before the
#                      suite and fail the suite if any changed after it (type,
#                      numbers, mode, owner; ctime too, which any chown/chmod
#                      bumps, except for tty nodes whose times other suites'
#                      ptys legitimately touch).

sh_args() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.json.XXXXXX") || return 1
	jq --arg c "$1" '.process.args = ["sh", "-c", $c]' "$BUNDLE/config.json" >"$tmp" &&
		mv "$tmp" "$BUNDLE/config.json"
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
