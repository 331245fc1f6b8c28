# shellcheck shell=bash
# tests/security/helpers.bash: what every attack suite loads (on top of
# tests/integration/helpers.bash: a fresh bundle, state dir and leak check).
#
# Each suite is named after the CVE class it attacks and runs the attack from
# inside a container, with a static probe from tests/helpers/ (sec-*.c, put in
# the bundle by install_probe).  Every attack is run twice where it can be:
#   against $VESSEL: it must fail;
#   against $VESSEL_WEAK (build-weak/vessel, `make weak`) with exactly the
#   protection under test switched off (VESSEL_TEST_WEAKEN, lib/weaken.h):
#   it must succeed, which shows the probe really attacks and that the
#   protection, not an accident, stops it.
#
# Functions:
#   weak PROTECTION ARGS...   build-weak/vessel --root $ROOT ARGS... with
#                             VESSEL_TEST_WEAKEN=PROTECTION (use with `run`)
#   requires_weak             skip unless build-weak/vessel exists
#   install_probe NAME        copy $HELPERS_DIR/NAME to $BUNDLE/rootfs/usr/bin/NAME
#   host_canary               print a fresh host path under $BATS_TEST_TMPDIR
#                             that an attack tries to create or read; the test
#                             checks it afterwards from the host

load ../integration/helpers

VESSEL_WEAK=${VESSEL_WEAK:-$(dirname "$(dirname "$VESSEL")")/build-weak/vessel}
[[ -x $VESSEL_WEAK ]] || VESSEL_WEAK=$REPO_ROOT/build-weak/vessel
export VESSEL_WEAK

weak() {
	local protection=$1
	shift
	VESSEL_TEST_WEAKEN=$protection "$VESSEL_WEAK" --root "$ROOT" "$@"
}

requires_weak() {
	[[ -x $VESSEL_WEAK ]] || skip "no weakened build at $VESSEL_WEAK (make weak)"
}

install_probe() {
	local name=$1
	[[ -x $HELPERS_DIR/$name ]] || fail "probe $HELPERS_DIR/$name is not built"
	install -D -m 0755 "$HELPERS_DIR/$name" "$BUNDLE/rootfs/usr/bin/$name"
}

host_canary() {
	echo "$BATS_TEST_TMPDIR/host-canary-$RANDOM$RANDOM"
}
