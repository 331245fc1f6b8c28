#!/usr/bin/env bats
# libarchive is loaded by `image import` alone (dlopen at first use, see
# runtime/image/libarchive.c); the runtime commands must not load it, nor
# the libraries it pulls in, nor libcrypto (sha256 is nettle's).  Each test
# fails if libarchive is linked into vessel again.

load helpers

# What the runtime path must never load: libarchive, libcrypto, and two of
# libarchive's dependencies nothing else of vessel's pulls in (libstdc++,
# which ICU needs too, is not listed: an ASan+UBSan build loads it).
IMAGE_ONLY='lib(archive|crypto|xml2|icu[a-z]*)\.so'

setup() {
	setup_bundle
	STORE=$BATS_TEST_TMPDIR/store
}

teardown() {
	teardown_bundle
}

img() {
	"$VESSEL" image --store "$STORE" "$@"
}

busybox_oci() {
	local oci
	oci=$(dirname "$TEST_IMAGE")/busybox-oci
	[ -f "$oci/index.json" ] || skip "no $oci (make images)"
	echo "$oci"
}

# ld_files NAME CMD...: runs CMD with LD_DEBUG=files written to
# $BATS_TEST_TMPDIR/ld-NAME.<pid> (not to stderr: the command's own output
# stays clean), then prints the "file=" lines of every process it made.
ld_files() {
	local name=$1
	shift
	LD_DEBUG=files LD_DEBUG_OUTPUT=$BATS_TEST_TMPDIR/ld-$name "$@" >/dev/null 2>&1 </dev/null
	local rc=$?
	cat "$BATS_TEST_TMPDIR/ld-$name".* | grep -o 'file=[^ ]*.*' || true
	return $rc
}

# refute_image_libs NAME CMD...: CMD succeeds and loads none of $IMAGE_ONLY;
# it does load libc, so an empty or unreadable trace cannot pass.
refute_image_libs() {
	run ld_files "$@"
	assert_success
	assert_output --partial "file=libc.so"
	refute_output --regexp "file=$IMAGE_ONLY"
}

@test "image-libs: vessel's DT_NEEDED has no image-only library" {
	requires command objdump
	run objdump -p "$VESSEL"
	assert_success
	assert_output --regexp 'NEEDED +libc\.so'
	refute_output --regexp "NEEDED +$IMAGE_ONLY"
}

# Every command, and create/run/exec twice (the re-exec of runtime/exeseal),
# would map and relocate each of these at start: they are linked from their
# static archives (Makefile); libmnl and libm are not used at all.
@test "image-libs: the runtime's own libraries are linked statically" {
	requires command objdump
	run objdump -p "$VESSEL"
	assert_success
	assert_output --regexp 'NEEDED +libc\.so'
	refute_output --regexp 'NEEDED +lib(seccomp|cap|yajl|mnl|nettle|m)\.so'
}

@test "image-libs: --version, create, start, state, list, exec, kill, delete, run load no image library" {
	set_args sleep 100
	refute_image_libs version "$VESSEL" --version
	refute_image_libs create "$VESSEL" --root "$ROOT" create --bundle "$BUNDLE" "$CID"
	refute_image_libs start "$VESSEL" --root "$ROOT" start "$CID"
	refute_image_libs state "$VESSEL" --root "$ROOT" state "$CID"
	refute_image_libs list "$VESSEL" --root "$ROOT" list
	refute_image_libs exec "$VESSEL" --root "$ROOT" exec "$CID" true
	refute_image_libs kill "$VESSEL" --root "$ROOT" kill "$CID" KILL
	wait_for_status "$CID" stopped
	refute_image_libs delete "$VESSEL" --root "$ROOT" delete "$CID"
	set_args true
	refute_image_libs run "$VESSEL" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
}

@test "image-libs: a running vessel run maps no image library" {
	set_args sleep 100
	"$VESSEL" --root "$ROOT" run --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 </dev/null &
	local pid=$!
	wait_for_status "$CID" running
	run cat "/proc/$pid/maps"
	assert_success
	assert_output --partial "libc.so"
	refute_output --regexp "/$IMAGE_ONLY"
	vessel kill "$CID" KILL
	wait "$pid" || true
}

@test "image-libs: image import loads libarchive at first use; list, bundle and rm do not" {
	local oci
	oci=$(busybox_oci)
	run ld_files import "$VESSEL" image --store "$STORE" import "$oci" bb
	assert_success
	assert_output --regexp 'file=libarchive\.so\.[0-9]+ .*dynamically loaded by'
	refute_output --regexp "file=libcrypto"
	refute_image_libs list "$VESSEL" image --store "$STORE" list
	refute_image_libs bundle "$VESSEL" bundle --store "$STORE" bb "$BATS_TEST_TMPDIR/b1" true
	refute_image_libs run-bundle "$VESSEL" --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR/b1" "$CID"
	refute_image_libs rm "$VESSEL" image --store "$STORE" rm bb
	run img list -q
	assert_success
	assert_output ""
}

# without_libarchive CMD...: runs CMD in a private mount namespace where the
# library directory holds only what $VESSEL is linked with, as on a host
# without libarchive installed.
without_libarchive() {
	local libc libdir libs=$BATS_TEST_TMPDIR/libs f
	libc=$(ldd "$VESSEL" | awk '$1 ~ /^libc\.so/ { print $3 }')
	libdir=$(dirname "$(readlink -f "$libc")")
	mkdir -p "$libs"
	for f in $(ldd "$VESSEL" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		cp -L "$f" "$libs/"
	done
	unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
		sh "$libs" "$libdir" "$@"
}

@test "image-libs: without libarchive, import fails naming it and leaves nothing; the rest works" {
	requires command unshare
	local oci lib libc
	oci=$(busybox_oci)
	lib=$(readlink -f "$(ldconfig -p | awk '$1 ~ /^libarchive\.so\./ { print $NF; exit }')")
	libc=$(readlink -f "$(ldd "$VESSEL" | awk '$1 ~ /^libc\.so/ { print $3 }')")
	[ "$(dirname "$lib")" = "$(dirname "$libc")" ] || skip "libarchive ($lib) is not next to libc"

	run without_libarchive "$VESSEL" image --store "$STORE" import "$oci" bb
	assert_failure
	assert_output --regexp "^vessel: image: import $oci: libarchive\.so\.[0-9]+: cannot open shared object file"
	assert_equal "${#lines[@]}" 1
	[ ! -e "$STORE" ]

	# a bundle of an image imported before still runs
	img import "$oci" bb
	run without_libarchive "$VESSEL" bundle --store "$STORE" bb "$BATS_TEST_TMPDIR/b1" echo from-image
	assert_success
	run without_libarchive "$VESSEL" --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR/b1" "$CID"
	assert_success
	assert_output from-image
	run without_libarchive "$VESSEL" image --store "$STORE" list -q
	assert_success
	assert_output bb

	set_args echo from-bundle
	run without_libarchive "$VESSEL" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	assert_success
	assert_output from-bundle
}
