#!/usr/bin/env bats
# Sanitizer builds only (make asan; run by tests/run-all as asan/sanitizers):
# a report from a process that has left the host's mount namespace, the
# container's init after pivot_root (and after its fd clean-ups) or an
# exec'd process after its setns,
# still lands in ASAN_OPTIONS' log_path (lib/sanitize.h).  The deliberate
# overflow comes from VESSEL_SANITIZER_SELFTEST, compiled into sanitizer
# builds only.

load helpers

setup() {
	setup_bundle
	grep -q __asan_init "$VESSEL" || skip "$VESSEL is not a sanitizer build (make asan)"
	REPORTS=$BATS_TEST_TMPDIR/reports
	mkdir -p "$REPORTS"
}

# reported WHERE: a heap-buffer-overflow report is in a report file.
reported() {
	local f
	for f in "$REPORTS"/asan*; do
		grep -q 'ERROR: AddressSanitizer: heap-buffer-overflow' "$f" 2>/dev/null && return 0
	done
	fail "no report from the $1 in $REPORTS: $(ls -la "$REPORTS")"
}

@test "a report from the container's init after pivot_root reaches log_path" {
	set_args true
	run env ASAN_OPTIONS="log_path=$REPORTS/asan:halt_on_error=1:detect_leaks=0" \
		VESSEL_SANITIZER_SELFTEST=init "$VESSEL" --root "$ROOT" run "$CID"
	[[ $status -ne 0 ]] || fail "the init's overflow went unnoticed: $output"
	reported init
}

@test "a report from the init's last step, after its fd clean-ups, reaches log_path" {
	set_args true
	run env ASAN_OPTIONS="log_path=$REPORTS/asan:halt_on_error=1:detect_leaks=0" \
		VESSEL_SANITIZER_SELFTEST=init-ready "$VESSEL" --root "$ROOT" run "$CID"
	[[ $status -ne 0 ]] || fail "the init's overflow went unnoticed: $output"
	reported init
}

@test "a report from an exec'd process inside the container reaches log_path" {
	set_args sleep 100
	detached vessel run -d "$CID"
	run env ASAN_OPTIONS="log_path=$REPORTS/asan:halt_on_error=1:detect_leaks=0" \
		VESSEL_SANITIZER_SELFTEST=exec "$VESSEL" --root "$ROOT" exec "$CID" true
	[[ $status -ne 0 ]] || fail "the exec's overflow went unnoticed: $output"
	reported exec
}
