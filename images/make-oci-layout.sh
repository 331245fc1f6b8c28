#!/bin/bash
# Builds a two-layer OCI image layout from the busybox test image, for the
# image import / overlay bundle tests:
#
#   layer 1 ("base"): the busybox rootfs plus
#       /data/keep, /data/old-file, /opq/a, /opq/b, /etc/motd ("base")
#   layer 2: deletes and replaces files, exercising both whiteout forms
#       /data/.wh.old-file       whiteout: old-file disappears
#       /opq/.wh..wh..opq, /opq/c  opaque dir: a and b hidden, only c left
#       /bin/.wh.vi              whiteout of an applet symlink
#       /etc/motd ("layer2"), /layer2-only
#
#   index.json refs:  "latest" = layer 1 + layer 2, config Cmd cat /etc/motd,
#                     WorkingDir /data, Env IMAGE_VAR=from-image
#                     "base"   = layer 1 only (the same blob: shared), User
#                     "user" (uid 1000 in the image's /etc/passwd), Cmd id
#
# usage: make-oci-layout.sh [--truncate-top-layer] [--archive FILE] OUT
#   --truncate-top-layer  cut layer 2's gzip stream in half but describe the
#                         cut blob correctly (digest and size), so only the
#                         unpack can notice
#   --archive FILE        also write FILE, an OCI archive (tar of the layout)
# env: BUSYBOX_IMAGE  the busybox image dir (rootfs/); default: built with
#                     images/build-busybox-image.sh under OUT's parent
#
# Fixed mtimes, sorted names and gzip -n keep digests stable.
set -euo pipefail

die() {
	echo "make-oci-layout: $*" >&2
	exit 1
}

TRUNCATE=0
ARCHIVE=""
while (($#)); do
	case $1 in
	--truncate-top-layer) TRUNCATE=1 ;;
	--archive)
		[[ $# -ge 2 ]] || die "--archive needs a FILE"
		ARCHIVE=$2
		shift
		;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
	shift
done
[[ $# -eq 1 ]] || die "usage: $0 [--truncate-top-layer] [--archive FILE] OUT"
OUT=$1
[[ ! -e $OUT ]] || die "$OUT exists"
for tool in tar gzip sha256sum jq; do
	command -v "$tool" >/dev/null || die "needs $tool"
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z ${BUSYBOX_IMAGE:-} ]]; then
	parent=$(dirname "$(realpath -m "$OUT")")
	"$HERE/build-busybox-image.sh" "$parent/.busybox-build" >&2
	BUSYBOX_IMAGE=$parent/.busybox-build/busybox
fi
[[ -d $BUSYBOX_IMAGE/rootfs ]] || die "no rootfs in $BUSYBOX_IMAGE"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT/blobs/sha256"

# FILE MEDIATYPE -> prints a descriptor, moves FILE into blobs/
blob() {
	local file=$1 type=$2 sum size
	sum=$(sha256sum "$file" | cut -d' ' -f1)
	size=$(stat -c %s "$file")
	mv "$file" "$OUT/blobs/sha256/$sum"
	jq -nc --arg t "$type" --arg d "sha256:$sum" --argjson s "$size" \
		'{mediaType: $t, digest: $d, size: $s}'
}

# DIR NAME -> writes $WORK/NAME.tar.gz, prints the diff_id
make_layer() {
	local dir=$1 name=$2
	tar -C "$dir" --sort=name --mtime=@0 --numeric-owner \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		-cf "$WORK/$name.tar" .
	echo "sha256:$(sha256sum "$WORK/$name.tar" | cut -d' ' -f1)"
	gzip -n -6 "$WORK/$name.tar"
}

L1=$WORK/l1
cp -a "$BUSYBOX_IMAGE/rootfs" "$L1"
mkdir -p "$L1/data" "$L1/opq"
echo keep >"$L1/data/keep"
echo old >"$L1/data/old-file"
echo a >"$L1/opq/a"
echo b >"$L1/opq/b"
echo base >"$L1/etc/motd"

L2=$WORK/l2
mkdir -p "$L2/data" "$L2/opq" "$L2/bin" "$L2/etc"
: >"$L2/data/.wh.old-file"
: >"$L2/opq/.wh..wh..opq"
echo c >"$L2/opq/c"
: >"$L2/bin/.wh.vi"
echo layer2 >"$L2/etc/motd"
echo only >"$L2/layer2-only"

diff1=$(make_layer "$L1" l1)
diff2=$(make_layer "$L2" l2)
if ((TRUNCATE)); then
	size=$(stat -c %s "$WORK/l2.tar.gz")
	truncate -s $((size / 2)) "$WORK/l2.tar.gz"
fi
LT=application/vnd.oci.image.layer.v1.tar+gzip
layer1=$(blob "$WORK/l1.tar.gz" $LT)
layer2=$(blob "$WORK/l2.tar.gz" $LT)

PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# NAME DIFF_IDS(json) CONFIG(json) LAYERS(json) REF -> a manifest descriptor
image() {
	local name=$1 diffs=$2 cfg=$3 layers=$4 ref=$5 c m
	jq -n --argjson d "$diffs" --argjson c "$cfg" '{
		created: "1970-01-01T00:00:00Z", architecture: "amd64", os: "linux",
		config: $c, rootfs: {type: "layers", diff_ids: $d}}' >"$WORK/$name-config.json"
	c=$(blob "$WORK/$name-config.json" application/vnd.oci.image.config.v1+json)
	jq -n --argjson c "$c" --argjson l "$layers" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: $l}' \
		>"$WORK/$name-manifest.json"
	m=$(blob "$WORK/$name-manifest.json" application/vnd.oci.image.manifest.v1+json)
	jq -c --arg r "$ref" '. + {annotations: {"org.opencontainers.image.ref.name": $r},
		platform: {architecture: "amd64", os: "linux"}}' <<<"$m"
}

latest=$(image latest "[\"$diff1\",\"$diff2\"]" \
	"$(jq -nc --arg p "$PATH_ENV" '{Env: [$p, "IMAGE_VAR=from-image"],
		Cmd: ["sh", "-c", "cat /etc/motd"], WorkingDir: "/data",
		ExposedPorts: {"80/tcp": {}}}')" \
	"[$layer1,$layer2]" latest)
base=$(image base "[\"$diff1\"]" \
	"$(jq -nc --arg p "$PATH_ENV" '{Env: [$p], Cmd: ["id"], User: "user"}')" \
	"[$layer1]" base)

jq -n --argjson a "$latest" --argjson b "$base" '{schemaVersion: 2,
	mediaType: "application/vnd.oci.image.index.v1+json", manifests: [$a, $b]}' >"$OUT/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$OUT/oci-layout"

if [[ -n $ARCHIVE ]]; then
	tar -C "$OUT" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$ARCHIVE" .
fi
