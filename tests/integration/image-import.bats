#!/usr/bin/env bats
# Image import into the store, overlay bundles, whiteouts, isolation of
# containers sharing one image, refusal of corrupt and truncated blobs.
# The layouts come from images/make-oci-layout.sh (busybox + a layer that
# deletes and replaces files); see that script for what each layer holds.

load helpers

setup_file() {
	vessel_prepare || return 1
	local d=$BATS_FILE_TMPDIR
	BUSYBOX_IMAGE=$TEST_IMAGE "$REPO_ROOT/images/make-oci-layout.sh" --archive "$d/image.tar" "$d/layout" >&2
	BUSYBOX_IMAGE=$TEST_IMAGE "$REPO_ROOT/images/make-oci-layout.sh" --truncate-top-layer "$d/layout-trunc" >&2
}

setup() {
	setup_bundle
	STORE=$BATS_TEST_TMPDIR/store
	LAYOUT=$BATS_TEST_TMPDIR/layout
	cp -a "$BATS_FILE_TMPDIR/layout" "$LAYOUT"
}

teardown() {
	teardown_bundle
}

img() {
	"$VESSEL" image --store "$STORE" "$@"
}

# Digest hex of layer N (0 = bottom) of the manifest with ref REF.
layer_blob() {
	local layout=$1 ref=$2 n=$3 m
	m=$(jq -r --arg r "$ref" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $r) | .digest' \
		"$layout/index.json")
	jq -r ".layers[$n].digest" "$layout/blobs/sha256/${m#sha256:}" | cut -d: -f2
}

# Moves FILE into LAYOUT's blobs, prints its descriptor fields as jq args.
add_blob() {
	local layout=$1 file=$2 sum size
	sum=$(sha256sum "$file" | cut -d' ' -f1)
	size=$(stat -c %s "$file")
	# moved before the line is printed: callers read it through a process
	# substitution, which goes on running after read returns (under load
	# an import once opened the blob before the mv)
	mv "$file" "$layout/blobs/sha256/$sum"
	echo "sha256:$sum $size"
}

# Re-encodes the top layer of "latest" with FILTER (a command reading the
# tar on stdin) as MEDIATYPE, and rewrites the manifest and index to match.
recompress_top_layer() {
	local layout=$1 filter=$2 type=$3 m old new man size
	m=$(jq -r '.manifests[0].digest' "$layout/index.json" | cut -d: -f2)
	old=$(jq -r '.layers[1].digest' "$layout/blobs/sha256/$m" | cut -d: -f2)
	gzip -dc "$layout/blobs/sha256/$old" | $filter >"$BATS_TEST_TMPDIR/layer"
	read -r new size < <(add_blob "$layout" "$BATS_TEST_TMPDIR/layer")
	jq --arg t "$type" --arg d "$new" --argjson s "$size" \
		'.layers[1] = {mediaType: $t, digest: $d, size: $s}' \
		"$layout/blobs/sha256/$m" >"$BATS_TEST_TMPDIR/manifest"
	read -r man size < <(add_blob "$layout" "$BATS_TEST_TMPDIR/manifest")
	jq --arg d "$man" --argjson s "$size" '.manifests[0].digest = $d | .manifests[0].size = $s' \
		"$layout/index.json" >"$BATS_TEST_TMPDIR/index" && mv "$BATS_TEST_TMPDIR/index" "$layout/index.json"
}

# Everything about the store's layers: names, types, modes, owners, sizes,
# device numbers and file contents.
layers_fingerprint() {
	(cd "$STORE/layers" && find . -printf '%p %y %m %U:%G %s %t %D\n' | sort &&
		find . -type f -exec sha256sum {} + | sort) | sha256sum
}

# The store holds no image, no layer and nothing staged.
assert_store_empty() {
	run find "$STORE/images" "$STORE/layers" "$STORE/tmp" -mindepth 1
	assert_success
	assert_output ""
}

@test "image import: a layout is verified, unpacked once per layer and listed" {
	run img import "$LAYOUT" two
	assert_success
	run img list
	assert_success
	assert_line --regexp '^two +2 '
	run ls "$STORE/layers"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	# the base image has the bottom layer only: shared, not unpacked again
	run img import --ref base "$LAYOUT" one
	assert_success
	run ls "$STORE/layers"
	[ "${#lines[@]}" -eq 2 ]
	run img list -q
	assert_output $'one\ntwo'
	run find "$STORE/tmp" -mindepth 1
	assert_output ""
}

@test "image import: whiteouts are stored as overlayfs expects" {
	img import "$LAYOUT" two
	local top
	top=$(jq -r '.rootfs.diff_ids[1]' "$STORE/images/two/config.json" | cut -d: -f2)
	[ -d "$STORE/layers/$top" ]
	run stat -c '%F %t:%T' "$STORE/layers/$top/data/old-file" "$STORE/layers/$top/bin/vi"
	assert_output $'character special file 0:0\ncharacter special file 0:0'
	[ ! -e "$STORE/layers/$top/data/.wh.old-file" ]
	[ ! -e "$STORE/layers/$top/opq/.wh..wh..opq" ]
	if command -v getfattr >/dev/null; then
		run getfattr --only-values -n trusted.overlay.opaque "$STORE/layers/$top/opq"
		assert_output y
	fi
}

@test "image import: an OCI archive imports like the layout" {
	run img import --ref base "$BATS_FILE_TMPDIR/image.tar" arch
	assert_success
	run img list
	assert_line --regexp '^arch +1 '
}

@test "image bundle + run: the merged view applies whiteouts, opaque dirs, Env and WorkingDir" {
	img import "$LAYOUT" two
	local b=$BATS_TEST_TMPDIR/b1
	# shellcheck disable=SC2016 # expanded by the container's shell
	run "$VESSEL" bundle --store "$STORE" two "$b" sh -c \
		'pwd; echo "$IMAGE_VAR"; cat /etc/motd; ls /data; ls /opq; cat /layer2-only; test -e /bin/vi || echo no-vi; grep " / " /proc/self/mountinfo'
	assert_success
	[ -d "$b/rootfs" ] && [ -d "$b/upper" ] && [ -d "$b/work" ]
	run jq -r '(.root.readonly // false), .annotations["run.vessel.rootfs.overlay.lower"]' "$b/config.json"
	assert_line --index 0 false
	assert_line --index 1 --partial "$STORE/layers/"
	run vessel run -b "$b" "$CID"
	assert_success
	assert_line --index 0 /data
	assert_line --index 1 from-image
	assert_line --index 2 layer2
	assert_line --index 3 keep
	assert_line --index 4 c
	assert_line --index 5 only
	assert_line --index 6 no-vi
	assert_output --partial "overlay"
	refute_line old-file
	refute_line a
}

@test "image bundle: Cmd by default, User resolved in the image's /etc/passwd" {
	img import --ref base "$LAYOUT" one
	local b=$BATS_TEST_TMPDIR/b1
	"$VESSEL" bundle --store "$STORE" one "$b"
	run jq -c '[.process.args, .process.user.uid, .process.user.gid, .process.terminal // false]' "$b/config.json"
	assert_output '[["id"],1000,1000,false]'
	"$VESSEL" bundle --store "$STORE" --tty one "$BATS_TEST_TMPDIR/tty"
	run jq -c '[.process.terminal, (.process.env | index("TERM=xterm") != null)]' "$BATS_TEST_TMPDIR/tty/config.json"
	assert_output '[true,true]'
	run vessel run -b "$b" "$CID"
	assert_success
	assert_output --partial "uid=1000(user) gid=1000(user)"
}

@test "image bundle: two containers of one image share the layers, their writes stay apart" {
	img import "$LAYOUT" two
	local before b1=$BATS_TEST_TMPDIR/b1 b2=$BATS_TEST_TMPDIR/b2 c2
	before=$(layers_fingerprint)
	"$VESSEL" bundle --store "$STORE" two "$b1" sh -c 'echo one > /data/mine; rm /data/keep; echo x >> /etc/motd; sleep 60'
	"$VESSEL" bundle --store "$STORE" two "$b2" sh -c 'echo two > /data/mine; sleep 60'
	c2=$(new_id vt2)
	vessel run -d -b "$b1" "$CID"
	vessel run -d -b "$b2" "$c2"
	retry 50 0.1 test -f "$b1/upper/data/mine"
	retry 50 0.1 test -f "$b2/upper/data/mine"
	[ "$(cat "$b1/upper/data/mine")" = one ]
	[ "$(cat "$b2/upper/data/mine")" = two ]
	run vessel exec "$c2" sh -c 'cat /data/mine /data/keep /etc/motd'
	assert_output $'two\nkeep\nlayer2'
	run vessel exec "$CID" sh -c 'cat /data/mine; ls /data; cat /etc/motd'
	assert_output $'one\nmine\nlayer2\nx'
	# each upper holds only what its container wrote (and a whiteout)
	run find "$b2/upper" -mindepth 1 -type f
	assert_output "$b2/upper/data/mine"
	run stat -c '%F' "$b1/upper/data/keep"
	assert_output "character special file"
	[ "$(layers_fingerprint)" = "$before" ]
	vessel delete --force "$CID"
	vessel delete --force "$c2"
	[ "$(layers_fingerprint)" = "$before" ]
}

@test "image bundle: delete removes the upper and work dirs, --keep-upper keeps them" {
	img import "$LAYOUT" two
	local b1=$BATS_TEST_TMPDIR/b1 b2=$BATS_TEST_TMPDIR/b2 c2
	"$VESSEL" bundle --store "$STORE" two "$b1" sh -c 'echo w > /w'
	"$VESSEL" bundle --store "$STORE" --keep-upper two "$b2" sh -c 'echo w > /w'
	run ls "$STORE/bundles"
	[ "${#lines[@]}" -eq 2 ]
	vessel run -b "$b1" "$CID"
	[ ! -e "$b1/upper" ] && [ ! -e "$b1/work" ]
	c2=$(new_id vt2)
	vessel run -b "$b2" "$c2"
	[ "$(cat "$b2/upper/w")" = w ]
	run ls "$STORE/bundles"
	[ "${#lines[@]}" -eq 1 ]
}

@test "image import: a corrupt blob (digest mismatch) is refused and nothing is imported" {
	local blob
	blob=$LAYOUT/blobs/sha256/$(layer_blob "$LAYOUT" latest 1)
	printf 'X' | dd of="$blob" bs=1 seek=20 conv=notrunc status=none
	run img import "$LAYOUT" two
	assert_failure
	assert_output --partial "digest mismatch"
	assert_output --partial "layer 1"
	assert_store_empty
	run img list -q
	assert_output ""
	# a layer the store already has is still verified in a new source
	cp -a "$BATS_FILE_TMPDIR/layout" "$BATS_TEST_TMPDIR/good"
	img import "$BATS_TEST_TMPDIR/good" two
	run img import "$LAYOUT" again
	assert_failure
	assert_output --partial "digest mismatch"
	run img list -q
	assert_output two
	run find "$STORE/tmp" -mindepth 1
	assert_output ""
}

@test "image import: a corrupt manifest or config is refused" {
	local m
	m=$(jq -r '.manifests[0].digest' "$LAYOUT/index.json" | cut -d: -f2)
	sed -i 's/schemaVersion/schemaversion/' "$LAYOUT/blobs/sha256/$m"
	run img import "$LAYOUT" two
	assert_failure
	assert_output --partial "blob sha256:$m: digest mismatch"
	assert_store_empty
}

@test "image import: a blob whose size differs from its descriptor is refused" {
	local blob
	blob=$LAYOUT/blobs/sha256/$(layer_blob "$LAYOUT" latest 0)
	echo extra >>"$blob"
	run img import "$LAYOUT" two
	assert_failure
	assert_output --partial "differs from the"
	assert_store_empty
}

@test "image import: a truncated layer is refused and nothing is half-imported" {
	run img import "$BATS_FILE_TMPDIR/layout-trunc" two
	assert_failure
	assert_output --regexp "layer 1 .*(truncated|Truncated)"
	# the bottom layer unpacked fine, but it is not kept either
	assert_store_empty
	# the store still works
	run img import --ref base "$BATS_FILE_TMPDIR/layout-trunc" one
	assert_success
}

@test "image import: bad input is refused clearly" {
	run img import "$LAYOUT" 'a/b'
	assert_failure
	assert_output --partial "'/' is not allowed"
	run img import "$BATS_TEST_TMPDIR/nope" x
	assert_failure
	assert_output --partial "No such file"
	run img import "$BUNDLE" x
	assert_failure
	assert_output --partial "not an OCI image layout"
	run img import --ref nosuch "$LAYOUT" x
	assert_failure
	assert_output --partial 'no manifest has ref "nosuch"'
	run img import "$LAYOUT" two
	assert_success
	run img import "$LAYOUT" two
	assert_failure
	assert_output --partial "already exists"
	run img frobnicate
	assert_failure
	assert_output --partial "unknown subcommand"
}

@test "image rm: refused while a bundle uses it; removes only unshared layers" {
	img import "$LAYOUT" two
	img import --ref base "$LAYOUT" one
	local b=$BATS_TEST_TMPDIR/b1
	"$VESSEL" bundle --store "$STORE" two "$b"
	run img rm two
	assert_failure
	assert_output --partial "is used by the bundle $b"
	run img rm --force two
	assert_success
	# the bundle still has both layers
	run ls "$STORE/layers"
	[ "${#lines[@]}" -eq 2 ]
	run img rm one
	assert_success
	run ls "$STORE/layers"
	[ "${#lines[@]}" -eq 2 ]
	# once the bundle's container is deleted, its layers go too
	run vessel run -b "$b" "$CID"
	assert_success
	assert_store_empty
	run img rm one
	assert_failure
	assert_output --partial 'image "one" does not exist'
}

@test "image bundle: bad input leaves nothing behind" {
	img import "$LAYOUT" two
	run "$VESSEL" bundle --store "$STORE" nosuch "$BATS_TEST_TMPDIR/b1"
	assert_failure
	assert_output --partial 'image "nosuch" does not exist'
	[ ! -e "$BATS_TEST_TMPDIR/b1" ]
	mkdir "$BATS_TEST_TMPDIR/full" && touch "$BATS_TEST_TMPDIR/full/x"
	run "$VESSEL" bundle --store "$STORE" two "$BATS_TEST_TMPDIR/full"
	assert_failure
	assert_output --partial "not empty"
	run ls "$BATS_TEST_TMPDIR/full"
	assert_output x
	run "$VESSEL" bundle --store "$STORE" two "$BATS_TEST_TMPDIR/a:b"
	assert_failure
	assert_output --partial "overlayfs"
	[ ! -e "$BATS_TEST_TMPDIR/a:b" ]
	run "$VESSEL" bundle --store "$STORE" two "$BATS_TEST_TMPDIR/no/such/parent"
	assert_failure
	assert_output --partial "No such file"
	[ ! -e "$BATS_TEST_TMPDIR/no" ]
	# overlay options longer than a page could never be mounted
	local long i
	long=$BATS_TEST_TMPDIR
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		long=$long/$(printf 'd%.0s' {1..200})
	done
	mkdir -p "$long"
	run "$VESSEL" bundle --store "$STORE" two "$long/b"
	assert_failure
	assert_output --partial "over the kernel's 4096"
	[ ! -e "$long/b" ]
	run ls "$STORE/bundles"
	assert_output ""
}

@test "image import + run: the embedded busybox OCI layout runs on an overlay root" {
	local oci
	oci=$(dirname "$TEST_IMAGE")/busybox-oci
	[ -f "$oci/index.json" ] || skip "no $oci (make images)"
	run img import "$oci" busybox
	assert_success
	local b=$BATS_TEST_TMPDIR/b1
	"$VESSEL" bundle --store "$STORE" busybox "$b" sh -c 'echo hello > /hello; cat /hello; grep " / " /proc/self/mountinfo'
	run vessel run -b "$b" "$CID"
	assert_success
	assert_line --index 0 hello
	assert_line --index 1 --partial " / / "
	assert_line --index 1 --partial "overlay"
	assert_line --index 1 --partial "upperdir=$b/upper"
}

@test "image import: a nested index is followed to the linux/amd64 manifest" {
	[ "$(uname -m)" = x86_64 ] || skip "the layout is amd64"
	local inner sum size
	inner=$BATS_TEST_TMPDIR/inner.json
	jq '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [(.manifests[1] | .platform = {architecture: "arm64", os: "linux"}),
			.manifests[0]]}' "$LAYOUT/index.json" >"$inner"
	sum=$(sha256sum "$inner" | cut -d' ' -f1)
	size=$(stat -c %s "$inner")
	mv "$inner" "$LAYOUT/blobs/sha256/$sum"
	jq -n --arg d "sha256:$sum" --argjson s "$size" '{schemaVersion: 2, manifests: [{
		mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s}]}' \
		>"$LAYOUT/index.json"
	run img import "$LAYOUT" nested
	assert_success
	run img list
	assert_line --regexp '^nested +2 '
}

@test "image import: leftovers of an interrupted import are cleaned by the next one" {
	img import --ref base "$LAYOUT" one
	local orphan
	orphan=$(printf 'f%.0s' {1..64})
	mkdir -p "$STORE/layers/$orphan/etc" "$STORE/tmp/import-crashed/layers"
	run img import "$LAYOUT" two
	assert_success
	[ ! -e "$STORE/layers/$orphan" ]
	run find "$STORE/tmp" -mindepth 1
	assert_output ""
	run ls "$STORE/layers"
	[ "${#lines[@]}" -eq 2 ]
}

@test "image import: an OCI archive with anything but files and dirs is refused" {
	local a=$BATS_TEST_TMPDIR/evil
	cp -a "$LAYOUT" "$a"
	ln -s /etc/passwd "$a/link"
	tar -C "$a" -cf "$BATS_TEST_TMPDIR/evil.tar" .
	run img import "$BATS_TEST_TMPDIR/evil.tar" evil
	assert_failure
	assert_output --partial "only files and directories"
	assert_store_empty
}

@test "image import: uncompressed and zstd layers" {
	requires command zstd
	local plain=$BATS_TEST_TMPDIR/plain b=$BATS_TEST_TMPDIR/b1
	cp -a "$LAYOUT" "$plain"
	recompress_top_layer "$plain" cat application/vnd.oci.image.layer.v1.tar
	recompress_top_layer "$LAYOUT" "zstd -q -c" application/vnd.oci.image.layer.v1.tar+zstd
	run img import "$plain" plain
	assert_success
	run img import "$LAYOUT" zst
	assert_success
	# the same diff_ids: the layers are shared whatever the compression
	run ls "$STORE/layers"
	[ "${#lines[@]}" -eq 2 ]
	"$VESSEL" bundle --store "$STORE" zst "$b" sh -c 'cat /etc/motd; ls /opq'
	run vessel run -b "$b" "$CID"
	assert_success
	assert_output $'layer2\nc'
}

@test "image import: a layer of an unknown media type is refused" {
	recompress_top_layer "$LAYOUT" cat application/vnd.example.unknown
	run img import "$LAYOUT" x
	assert_failure
	assert_output --partial 'unsupported media type "application/vnd.example.unknown"'
	assert_store_empty
}

@test "image list: sorted by name, a store without images lists nothing" {
	run img list -q
	assert_success
	assert_output ""
	# reading (or a refused rm/bundle) creates no store
	[ ! -e "$STORE" ]
	run img rm x
	assert_failure
	assert_output --partial "no image store at $STORE"
	run "$VESSEL" bundle --store "$STORE" x "$BATS_TEST_TMPDIR/b1"
	assert_failure
	[ ! -e "$STORE" ] && [ ! -e "$BATS_TEST_TMPDIR/b1" ]
	local n
	for n in zeta alpha mid beta10 beta2; do
		img import --ref base "$LAYOUT" "$n"
	done
	run img list -q
	assert_output $'alpha\nbeta2\nbeta10\nmid\nzeta'
	run img list
	assert_line --index 0 --regexp '^NAME +LAYERS +CREATED +DIGEST$'
}

@test "image: --store after the subcommand, \$VESSEL_STORE, parallel imports share layers" {
	run "$VESSEL" image import --store "$STORE" --ref base "$LAYOUT" one
	assert_success
	VESSEL_STORE=$STORE run "$VESSEL" image list -q
	assert_output one
	local i pids=()
	for i in 1 2 3 4 5; do
		img import "$LAYOUT" "p$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	run img list -q
	assert_output $'one\np1\np2\np3\np4\np5'
	run ls "$STORE/layers"
	[ "${#lines[@]}" -eq 2 ]
	run find "$STORE/tmp" -mindepth 1
	assert_output ""
}
