#!/bin/bash
# Builds vessel's embedded test image from Debian's static busybox:
#
#   OUTDIR/busybox/rootfs/       /bin/busybox, one symlink per applet, the usual
#                                dirs, /etc/passwd + /etc/group (root, a uid-1000
#                                "user", nobody)
#   OUTDIR/busybox/config.json   `$VESSEL spec` with args ["sh"], terminal false
#                                (a built-in runc-like default when $VESSEL
#                                cannot make one)
#   OUTDIR/busybox-oci/          the same rootfs as an OCI image layout (one
#                                gzip layer, tag "latest") for image import
#
# usage: build-busybox-image.sh OUTDIR
# env:   VESSEL   the vessel binary whose `spec` makes config.json
#        BUSYBOX  the busybox to use (default /bin/busybox, must be static)
#
# Idempotent: the rootfs is rebuilt only when busybox or this script changed
# (a stamp holds their hashes), and config.json is rewritten only when its
# content changes.  Builds go to a temp dir renamed into place, under a lock,
# so a test copying the rootfs never sees half of one.
set -euo pipefail

die() {
	echo "build-busybox-image: $*" >&2
	exit 1
}

[[ $# -eq 1 ]] || die "usage: $0 OUTDIR"
OUT=$1
BUSYBOX=${BUSYBOX:-/bin/busybox}
SELF=$(readlink -f "${BASH_SOURCE[0]}")
IMG=$OUT/busybox
OCI=$OUT/busybox-oci
PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

check_busybox() {
	[[ -x $BUSYBOX ]] || die "$BUSYBOX not found: install busybox-static (make deps)"
	# A dynamic busybox would need the host's libc inside the container.
	if LC_ALL=C readelf -lW "$BUSYBOX" 2>/dev/null | grep -q 'program interpreter'; then
		die "$BUSYBOX is dynamically linked: install busybox-static (make deps)"
	fi
	"$BUSYBOX" --list-full >/dev/null || die "$BUSYBOX --list-full failed"
}

write_etc() {
	local etc=$1/etc
	cat >"$etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/usr/sbin:/bin/false
		user:x:1000:1000:test user:/home/user:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	# tty is gid 5 because the default devpts mount says gid=5; user is in
	# users and audio so supplementary groups from /etc/group can be checked.
	cat >"$etc/group" <<-'EOF'
		root:x:0:
		daemon:x:1:
		tty:x:5:
		audio:x:29:user
		users:x:100:user
		user:x:1000:
		nogroup:x:65534:
	EOF
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$etc/hosts"
	: >"$etc/resolv.conf"
	ln -s /proc/mounts "$etc/mtab"
	chmod 0644 "$etc/passwd" "$etc/group" "$etc/hosts" "$etc/resolv.conf"
}

build_rootfs() {
	local root=$1 applet
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,dev,proc,sys,run,mnt,opt,srv}
	mkdir -p "$root"/{var/log,var/lib,var/spool,home/user,lib}
	install -d -m 1777 "$root/tmp" "$root/var/tmp"
	install -d -m 0700 "$root/root"
	chown 1000:1000 "$root/home/user"
	ln -s ../run "$root/var/run"
	install -m 0755 "$BUSYBOX" "$root/bin/busybox"
	# --list-full prints paths like usr/bin/env; every applet points at the
	# one binary by absolute path, valid inside the container.
	while read -r applet; do
		[[ -n $applet && $applet != bin/busybox ]] || continue
		[[ -e $root/$applet || -L $root/$applet ]] && continue
		mkdir -p "$root/$(dirname "$applet")"
		ln -s /bin/busybox "$root/$applet"
	done < <("$BUSYBOX" --list-full)
	[[ -L $root/bin/sh ]] || die "busybox has no sh applet"
	write_etc "$root"
}

# A minimal OCI image layout of the rootfs: oci-layout, index.json, one
# manifest, one config, one gzip layer.  Fixed mtimes and gzip -n keep the
# digests stable across rebuilds of the same busybox.
blob() { # FILE MEDIATYPE -> prints a descriptor, moves FILE into blobs/
	local file=$1 type=$2 sum size
	sum=$(sha256sum "$file" | cut -d' ' -f1)
	size=$(stat -c %s "$file")
	mv "$file" "$OCI_TMP/blobs/sha256/$sum"
	jq -nc --arg t "$type" --arg d "sha256:$sum" --argjson s "$size" \
		'{mediaType: $t, digest: $d, size: $s}'
}

build_oci_layout() {
	local rootfs=$1 diff_id layer cfg manifest
	OCI_TMP=$2
	mkdir -p "$OCI_TMP/blobs/sha256"
	tar -C "$rootfs" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		-cf "$OCI_TMP/layer.tar" .
	diff_id=sha256:$(sha256sum "$OCI_TMP/layer.tar" | cut -d' ' -f1)
	gzip -n -6 "$OCI_TMP/layer.tar"
	layer=$(blob "$OCI_TMP/layer.tar.gz" application/vnd.oci.image.layer.v1.tar+gzip)
	jq -n --arg d "$diff_id" --arg p "$PATH_ENV" '{
		created: "1970-01-01T00:00:00Z", architecture: "amd64", os: "linux",
		config: {Env: [$p], Cmd: ["sh"], WorkingDir: "/"},
		rootfs: {type: "layers", diff_ids: [$d]},
		history: [{created: "1970-01-01T00:00:00Z", created_by: "images/build-busybox-image.sh"}]
	}' >"$OCI_TMP/config.json"
	cfg=$(blob "$OCI_TMP/config.json" application/vnd.oci.image.config.v1+json)
	jq -n --argjson c "$cfg" --argjson l "$layer" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: [$l]}' \
		>"$OCI_TMP/manifest.json"
	manifest=$(blob "$OCI_TMP/manifest.json" application/vnd.oci.image.manifest.v1+json)
	jq -n --argjson m "$manifest" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [$m + {annotations: {"org.opencontainers.image.ref.name": "latest"},
			platform: {architecture: "amd64", os: "linux"}}]}' >"$OCI_TMP/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$OCI_TMP/oci-layout"
}

# Used until `vessel spec` works, and when $VESSEL is not given: runc's
# defaults in short.
template_config() {
	jq -n --arg p "$PATH_ENV" '{
	ociVersion: "1.2.0",
	process: {terminal: false, user: {uid: 0, gid: 0}, args: ["sh"],
		env: [$p, "TERM=xterm"], cwd: "/",
		capabilities: ([
			"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"] as $c |
			{bounding: $c, effective: $c, permitted: $c}),
		rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
		noNewPrivileges: true},
	root: {path: "rootfs", readonly: true},
	hostname: "vessel",
	mounts: [
		{destination: "/proc", type: "proc", source: "proc"},
		{destination: "/dev", type: "tmpfs", source: "tmpfs",
		 options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
		{destination: "/dev/pts", type: "devpts", source: "devpts",
		 options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
		{destination: "/dev/shm", type: "tmpfs", source: "shm",
		 options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
		{destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
		 options: ["nosuid", "noexec", "nodev"]},
		{destination: "/sys", type: "sysfs", source: "sysfs",
		 options: ["nosuid", "noexec", "nodev", "ro"]},
		{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
		 options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}],
	linux: {
		resources: {devices: [{allow: false, access: "rwm"}]},
		namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"},
			{type: "uts"}, {type: "mount"}, {type: "cgroup"}],
		maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
			"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
			"/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
		readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
			"/proc/sysrq-trigger"]}
	}'
}

# Prints the bundle's config.json: `vessel spec` in a scratch dir when it
# works, the template otherwise (with a warning, since then the tests do not
# exercise vessel's own defaults).
make_config() {
	local scratch
	scratch=$(mktemp -d)
	if [[ -n ${VESSEL:-} && -x $VESSEL ]] &&
		(cd "$scratch" && "$VESSEL" spec >/dev/null 2>&1) && jq -e . "$scratch/config.json" >/dev/null 2>&1; then
		# `vessel spec` leaves the cgroup namespace out on a v1/hybrid host
		# (as runc); the test image has one everywhere, as the suites expect.
		jq '.process.terminal = false | .process.args = ["sh"] | .root.path = "rootfs"
			| if any(.linux.namespaces[]; .type == "cgroup") then .
			  else .linux.namespaces += [{type: "cgroup"}] end' "$scratch/config.json"
	else
		echo "build-busybox-image: warning: '${VESSEL:-vessel} spec' unavailable, using the built-in default config" >&2
		template_config
	fi
	rm -rf "$scratch"
}

update_config() {
	local new=$IMG/.config.json.new
	make_config >"$new"
	if cmp -s "$new" "$IMG/config.json"; then
		rm -f "$new"
	else
		mv "$new" "$IMG/config.json"
	fi
}

main() {
	check_busybox
	mkdir -p "$OUT"
	exec 9>"$OUT/.busybox.lock"
	flock 9
	local stamp
	stamp=$(cat "$BUSYBOX" "$SELF" | sha256sum | cut -d' ' -f1)
	if [[ $(cat "$IMG/.stamp" 2>/dev/null) != "$stamp" || ! -d $IMG/rootfs || ! -f $OCI/index.json ]]; then
		BUILD_TMP=$(mktemp -d "$OUT/.build.XXXXXX")
		trap 'rm -rf "$BUILD_TMP"' EXIT
		local tmp=$BUILD_TMP
		build_rootfs "$tmp/busybox/rootfs"
		build_oci_layout "$tmp/busybox/rootfs" "$tmp/busybox-oci"
		[[ -f $IMG/config.json ]] && cp -p "$IMG/config.json" "$tmp/busybox/config.json"
		echo "$stamp" >"$tmp/busybox/.stamp"
		rm -rf "$IMG.old" "$OCI.old"
		[[ -e $IMG ]] && mv "$IMG" "$IMG.old"
		[[ -e $OCI ]] && mv "$OCI" "$OCI.old"
		mv "$tmp/busybox" "$IMG"
		mv "$tmp/busybox-oci" "$OCI"
		rm -rf "$IMG.old" "$OCI.old"
		echo "build-busybox-image: built $IMG ($(find "$IMG/rootfs" -type l | wc -l) applets) and $OCI"
	fi
	update_config
}

main "$@"
