#!/usr/bin/env bats
# What scripts written against runc's CLI rely on beyond the commands
# themselves: the help layout (a NAME header, then "<prog> COMMAND"), the
# version lines under the name vessel is installed as, runc's answer for
# help on a command that does not exist, and options after the container id.

load helpers

setup() {
	setup_bundle
	# installed as runc: a symlink, as a package's alternatives would make
	RUNC_LINK=$BATS_TEST_TMPDIR/bin/runc
	mkdir -p "${RUNC_LINK%/*}"
	ln -s "$VESSEL" "$RUNC_LINK"
}

@test "runc-cli: installed as runc, --version speaks as runc and still names vessel" {
	run "$RUNC_LINK" --version
	assert_success
	assert_line --index 0 --regexp '^runc version [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 1 --regexp '^commit: '
	assert_line --index 2 --regexp '^spec: [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line 'runtime: vessel'
	# under its own name nothing changes
	run "$VESSEL" -v
	assert_success
	assert_line --index 0 --regexp '^vessel version '
	refute_line 'runtime: vessel'
}

@test "runc-cli: global help opens with NAME and the program's name" {
	for h in -h --help; do
		run "$RUNC_LINK" "$h"
		assert_success
		assert_line --index 0 'NAME:'
		assert_line --index 1 --regexp '^ +runc - Open Container Initiative runtime$'
		assert_line 'usage: runc [global options] COMMAND [options] ARGS'
	done
}

@test "runc-cli: every command's help opens with NAME and 'runc COMMAND'" {
	local c cmds
	cmds=$("$VESSEL" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
	for c in $cmds; do
		[ "$c" = help ] && continue
		run "$RUNC_LINK" "$c" -h
		[ "$status" -eq 0 ] || fail "runc $c -h exited $status"
		[ "${lines[0]}" = "NAME:" ] || fail "runc $c -h: first line '${lines[0]}'"
		[[ ${lines[1]} =~ ^\ +runc\ $c\ -\ . ]] || fail "runc $c -h: second line '${lines[1]}'"
		assert_line --regexp "^usage: runc $c "
	done
}

@test "runc-cli: help for an unknown command is runc's 'No help topic', exit 1" {
	for h in -h --help; do
		run "$RUNC_LINK" frobnicate "$h"
		assert_failure 1
		assert_output --partial "No help topic for 'frobnicate'"
	done
	# without a help flag it stays an unknown command with the usage
	run "$VESSEL" frobnicate
	assert_failure 1
	refute_output --partial "No help topic"
	assert_output --partial "unknown command 'frobnicate'"
}

@test "runc-cli: options may follow the container id, as runc reorders them" {
	set_args sleep 1000
	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run vessel state "$CID" --no-such-option
	assert_failure 1
	assert_output --partial "unknown option '--no-such-option'"
	run vessel kill "$CID" KILL --all
	assert_success
	wait_for_status "$CID" stopped
	run vessel delete "$CID" --force
	assert_success
	run vessel state "$CID"
	assert_failure
}

@test "runc-cli: exec and ps keep what follows the id for the command" {
	set_args sleep 1000
	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	# -c and -l belong to sh and ls, not to exec
	run vessel exec "$CID" sh -c 'echo "$0 $1"' -l --x
	assert_success
	assert_output "-l --x"
	run vessel ps "$CID" -o pid,args
	assert_success
	assert_output --partial "sleep 1000"
}
