#!/usr/bin/env bats
# The container lock across vessel versions.  The state dir itself is the
# lock now; a vessel built before that flocked <dir>/lock.  Both may act on
# one container at once (an upgrade with containers running, a shim still
# calling its old copy): in a container an older vessel made, vessel takes
# that file's lock too, so it waits for an older vessel and an older vessel
# waits for it.  `flock` on the file stands in for the older vessel.

load helpers

# A running container as an older vessel leaves it: a "lock" file beside
# state.json.
older_vessels_container() {
	set_args sleep 100
	detached vessel run -d "$CID" || fail "run: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	[ ! -e "$ROOT/$CID/lock" ] || fail "vessel made a lock file itself"
	touch "$ROOT/$CID/lock"
}

@test "state-lock: an older vessel holding its lock file keeps delete out" {
	older_vessels_container
	run flock -x "$ROOT/$CID/lock" timeout 2 "$VESSEL" --root "$ROOT" delete --force "$CID"
	[ "$status" -eq 124 ] || fail "delete did not wait for the older vessel's lock ($status): $output"
	[ "$(state_field "$CID" status)" = running ]
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ] || fail "delete left the state dir: $(ls -A "$ROOT/$CID")"
}

@test "state-lock: readers share the older vessel's lock and wait for its exclusive one" {
	older_vessels_container
	run flock -s "$ROOT/$CID/lock" timeout 5 "$VESSEL" --root "$ROOT" state "$CID"
	assert_success
	[[ $output == *'"status": "running"'* ]] || fail "state under a shared lock: $output"
	run flock -x "$ROOT/$CID/lock" timeout 2 "$VESSEL" --root "$ROOT" state "$CID"
	[ "$status" -eq 124 ] || fail "state did not wait for the older vessel's exclusive lock ($status): $output"
}

# While an older vessel creates, its lock file exists and state.json does
# not: a reader says "does not exist" at once, as for vessel's own create
# (the file's lock is tried without blocking first, like the directory's).
@test "state-lock: an older vessel's create in progress reads as 'does not exist', no wait" {
	mkdir -p "$ROOT" && mkdir -m 0700 "$ROOT/$CID"
	touch "$ROOT/$CID/lock"
	run flock -x "$ROOT/$CID/lock" timeout 5 "$VESSEL" --root "$ROOT" state "$CID"
	assert_failure
	[ "$status" -ne 124 ] || fail "state waited for the create's lock"
	assert_output --partial "container \"$CID\" does not exist"
	rm -rf "${ROOT:?}/$CID"
}
