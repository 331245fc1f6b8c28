#!/usr/bin/env bats
# vessel checkpoint / restore where criu works: the cgroup v2 VM
# (tests/vm/run-suites group criu/vm; this host's kernel makes criu fail,
# tests/integration/checkpoint.bats covers that).  Kept lean: under TCG a
# dump costs ~8 s, a restore ~5 s.

load helpers

# counter [ID]: a container that counts into /dev/shm/count every 0.5 s
# and appends a line to /starts (in its writable rootfs) each time its
# command starts: a restore that started it again instead of resuming it
# would show two lines.  Its stdio is the host's /dev/null (external to it,
# as a shim's pipes would be).
# counter [ID [BALLAST_KIB]]: a counting container; with BALLAST_KIB its
# shell first fills a variable that big, memory it never writes again.
counter() {
	local id=${1:-$CID} ballast=""
	[[ -z ${2:-} ]] || ballast="b=\$(head -c $(($2 * 1024)) /dev/zero | tr '\\0' x); "
	update_config '.root.readonly = false'
	set_cmd "${ballast}"'echo start >>/starts; i=0; while :; do i=$((i+1)); echo $i >/dev/shm/count; sleep 0.5; done'
	detached vessel run -d "$id"
	retry 100 0.2 vessel exec "$id" test -s /dev/shm/count
}

count() {
	vessel exec "$1" cat /dev/shm/count
}

# counts_past ID N: the container's counter goes beyond N.
counts_past() {
	retry 100 0.2 sh -c "[ \"\$('$VESSEL' --root '$ROOT' exec '$1' cat /dev/shm/count)\" -gt $2 ]"
}

# resumed ID N: ID's counter was N or more at its dump and goes on from
# there, by the same run of its command.
resumed() {
	local n
	[ "$(container_status "$1")" = running ]
	n=$(count "$1")
	[ "$n" -ge "$2" ] || fail "count $n after the restore, $2 before the dump"
	[ "$(grep -c start "$BUNDLE/rootfs/starts")" -eq 1 ]
	counts_past "$1" "$n"
}

# in_own_cgroup ID: the init is in a cgroup named after ID, with nothing of
# vessel's.
in_own_cgroup() {
	local pid cg
	pid=$(container_pid "$1")
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	[[ $cg == *"$1"* ]] || fail "init of $1 in cgroup $cg"
	grep -qx "$pid" "$(cgroup2_mount)$cg/cgroup.procs"
	! grep -q "vessel" <(xargs -r -n1 -I{} cat /proc/{}/comm <"$(cgroup2_mount)$cg/cgroup.procs")
}

# lo_flags ID: the flags of the container's loopback ("LOOPBACK,UP,...").
lo_flags() {
	vessel exec "$1" ip link show lo | sed -n 's/.*<\([^>]*\)>.*/\1/p'
}

# (--empty-ns network here too: a full netns restore is in every other test)
@test "checkpoint, restore: the counter resumes; state, pid file and cgroup as create makes them" {
	counter
	[[ $(lo_flags "$CID") == *UP* ]]
	n=$(count "$CID")
	run vessel checkpoint --empty-ns network --image-path "$IMG" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	# the container went with the dump, as with runc: the id is free
	[ ! -e "$ROOT/$CID" ]
	detached vessel restore -d --empty-ns network --image-path "$IMG" \
		--pid-file "$BATS_TEST_TMPDIR/pid" --no-subreaper --no-pivot "$CID" ||
		fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(container_pid "$CID")" ]
	[ "$(state_field "$CID" bundle)" = "$BUNDLE" ]
	resumed "$CID" "$n"
	in_own_cgroup "$CID"
	# --empty-ns network: not restored, a new namespace's lo is down
	flags=$(lo_flags "$CID")
	[[ $flags == LOOPBACK* && $flags != *UP* ]] || fail "lo: $flags"
	vessel delete -f "$CID"
	[ ! -e "$ROOT/$CID" ]
}

@test "checkpoint --leave-running, then restore a clone under another id" {
	counter
	n=$(count "$CID")
	run vessel checkpoint --leave-running --image-path "$IMG" --work-path "$BATS_TEST_TMPDIR" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	[ -s "$BATS_TEST_TMPDIR/dump.log" ] # --work-path: criu's log went there
	[ ! -e "$IMG/dump.log" ]
	counts_past "$CID" "$n"
	clone=$(new_id clone)
	detached vessel restore -d --image-path "$IMG" "$clone" ||
		fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	# two containers, one count each, from one bundle
	[ "$(container_status "$CID")" = running ]
	[ "$(count "$clone")" -ge "$n" ]
	counts_past "$clone" "$(count "$clone")"
	in_own_cgroup "$clone"
	[ "$(container_pid "$clone")" != "$(container_pid "$CID")" ]
}

pages_kb() {
	du -sk --apparent-size "$1"/pages-*.img | awk '{ s += $1 } END { print s }'
}

@test "pre-dump, then dump with --parent-path: fewer pages, and it restores" {
	# The ballast (1 MiB the shell never writes again) is what the final
	# dump must leave to its parent.  Without it the whole process was
	# ~70 KiB, and a `sleep` child alive at the final dump but not at the
	# pre-dump (all its pages new) once made the final dump the bigger.
	counter "$CID" 1024
	mkdir -p "$IMG/pre"
	run vessel checkpoint --pre-dump --image-path "$IMG/pre" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(container_status "$CID")" = running ]
	n=$(count "$CID")
	run vessel checkpoint --parent-path ../pre --auto-dedup --file-locks --ext-unix-sk \
		--manage-cgroups-mode soft --image-path "$IMG/final" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	pre=$(pages_kb "$IMG/pre") final=$(pages_kb "$IMG/final")
	echo "# pages: pre-dump $pre KiB, final dump $final KiB" >&3
	[ "$final" -lt "$pre" ]
	[ -L "$IMG/final/parent" ]
	detached vessel restore -d --file-locks --ext-unix-sk --image-path "$IMG/final" "$CID" ||
		fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	resumed "$CID" "$n"
}

# tcp-loop (tests/helpers): one connection over the container's loopback,
# both ends in one process, which can never connect again; a number that
# keeps growing after the restore went through the same connection.
@test "--tcp-established: a live connection inside survives; without it criu says why" {
	requires helper tcp-loop
	update_config '.root.readonly = false'
	install -m 0755 "$HELPERS_DIR/tcp-loop" "$BUNDLE/rootfs/bin/tcp-loop"
	set_cmd 'exec tcp-loop 5000 /dev/shm/got'
	detached vessel run -d "$CID"
	retry 100 0.2 vessel exec "$CID" test -s /dev/shm/got
	run vessel checkpoint --image-path "$IMG" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"criu dump: "*"tcp-established"* ]] || fail "$output"
	[ "$(container_status "$CID")" = running ]
	run vessel checkpoint --tcp-established --image-path "$IMG" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	detached vessel restore -d --tcp-established --image-path "$IMG" "$CID" ||
		fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	n=$(vessel exec "$CID" cat /dev/shm/got)
	[[ $n =~ ^[0-9]+$ ]] || fail "after the restore: $n"
	retry 100 0.2 sh -c "[ \"\$('$VESSEL' --root '$ROOT' exec '$CID' cat /dev/shm/got)\" -gt $n ]"
}

# ticks FILE: the tick numbers a terminal container printed into FILE.
ticks() {
	grep -o 'tick[0-9]*' "$1" | tr -dc '0-9\n'
}

# The pty is the container's own (its devpts), its master outside the tree:
# criu dumps the slave as an orphan and restore sends a new master to the
# new console socket.
@test "a terminal container: restore with --console-socket sends a new pty master; it goes on" {
	requires helper recvtty
	update_config '.process.terminal = true'
	set_cmd 'i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.5; done'
	"$HELPERS_DIR/recvtty" "$BATS_TEST_TMPDIR/s1" >"$BATS_TEST_TMPDIR/tty1" 2>&1 &
	retry 50 0.1 test -S "$BATS_TEST_TMPDIR/s1"
	detached vessel run -d --console-socket "$BATS_TEST_TMPDIR/s1" "$CID"
	retry 100 0.2 grep -q tick2 "$BATS_TEST_TMPDIR/tty1"
	run vessel checkpoint --image-path "$IMG" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	last=$(ticks "$BATS_TEST_TMPDIR/tty1" | tail -1)
	"$HELPERS_DIR/recvtty" "$BATS_TEST_TMPDIR/s2" >"$BATS_TEST_TMPDIR/tty2" 2>&1 &
	retry 50 0.1 test -S "$BATS_TEST_TMPDIR/s2"
	detached vessel restore -d --console-socket "$BATS_TEST_TMPDIR/s2" --image-path "$IMG" "$CID" ||
		fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	retry 100 0.2 grep -q "tick$((last + 2))" "$BATS_TEST_TMPDIR/tty2"
	# resumed, not started again: the new terminal's first tick follows
	# the old one's last
	[ "$(ticks "$BATS_TEST_TMPDIR/tty2" | head -1)" -gt "$last" ]
	vessel delete -f "$CID"
}

@test "a failed restore leaves nothing; the bad image names criu's reason" {
	mkdir -p "$IMG"
	echo garbage >"$IMG/inventory.img"
	id=$(new_id)
	run vessel restore -d --image-path "$IMG" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"criu restore: "*"(log: $IMG/restore.log)"* ]] || fail "$output"
	[ ! -e "$ROOT/$id" ]
	# teardown: no cgroup, mount or process of $id left
}

@test "--page-server: the pages go to a criu page server, the rest to the image path" {
	counter
	mkdir -p "$BATS_TEST_TMPDIR/ps"
	criu page-server -D "$BATS_TEST_TMPDIR/ps" --address 127.0.0.1 --port 27027 -d \
		--pidfile "$BATS_TEST_TMPDIR/ps.pid"
	n=$(count "$CID")
	run vessel checkpoint --page-server 127.0.0.1:27027 --image-path "$IMG" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	compgen -G "$BATS_TEST_TMPDIR/ps/pages-*.img" >/dev/null
	! compgen -G "$IMG/pages-*.img" >/dev/null
	# one dir again (as a migration's target holds them), then restore
	cp "$BATS_TEST_TMPDIR"/ps/*.img "$IMG/"
	detached vessel restore -d --image-path "$IMG" "$CID" ||
		fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	resumed "$CID" "$n"
}

# An image's overlay root: its writes live in the bundle's upper dir, which
# the delete after a full dump removes; --export carries them.
@test "--export / --import: the overlay root's writes move to another --root, id and bundle" {
	local store=$BATS_TEST_TMPDIR/store b=$BATS_TEST_TMPDIR/b1 b2=$BATS_TEST_TMPDIR/b2
	local root2=$BATS_TEST_TMPDIR/root2 ar=$BATS_TEST_TMPDIR/ct.tar id2
	BUSYBOX_IMAGE=$TEST_IMAGE "$REPO_ROOT/images/make-oci-layout.sh" "$BATS_TEST_TMPDIR/layout" >&2
	"$VESSEL" image --store "$store" import "$BATS_TEST_TMPDIR/layout" two
	"$VESSEL" bundle --store "$store" two "$b" sh -c 'echo written >/data/new; rm /data/keep;
		i=0; while :; do i=$((i+1)); echo $i >/dev/shm/count; sleep 0.5; done'
	detached vessel run -d -b "$b" "$CID"
	retry 100 0.2 vessel exec "$CID" test -s /dev/shm/count
	n=$(count "$CID")
	run vessel checkpoint --export "$ar" --image-path "$IMG" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	# the original is gone, its upper dir with it: only the archive has them
	[ ! -e "$ROOT/$CID" ] && [ ! -e "$b/upper" ]
	id2=$(new_id moved)
	# (stdio as at the dump: files, not bats's pipes)
	detached "$VESSEL" --root "$root2" restore -d --import "$ar" -b "$b2" "$id2" ||
		fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	[ "$("$VESSEL" --root "$root2" exec "$id2" cat /data/new)" = written ]
	run "$VESSEL" --root "$root2" exec "$id2" test -e /data/keep
	[ "$status" -eq 1 ]
	[ "$("$VESSEL" --root "$root2" exec "$id2" cat /dev/shm/count)" -ge "$n" ]
	retry 100 0.2 sh -c "[ \"\$('$VESSEL' --root '$root2' exec '$id2' cat /dev/shm/count)\" -gt $n ]"
	"$VESSEL" --root "$root2" delete -f "$id2"
	[ ! -e "$root2/$id2" ]
}

# Post-copy: the dump keeps the memory in its page server ('\0' on
# --status-fd once it listens) until criu's lazy-pages daemon, for the
# restore, has pulled every page through userfaultfd; the checkpoint ends
# then.  The restore goes under another id while the original is still
# being dumped.
@test "--lazy-pages with --status-fd: restored while the dump serves its pages" {
	criu check --feature uffd-noncoop >/dev/null 2>&1 || skip "criu: no userfaultfd for lazy pages here"
	counter
	n=$(count "$CID")
	mkfifo "$BATS_TEST_TMPDIR/status"
	vessel checkpoint --lazy-pages --page-server 127.0.0.1:27029 --status-fd 3 \
		--image-path "$IMG" "$CID" 3>"$BATS_TEST_TMPDIR/status" >"$BATS_TEST_TMPDIR/ckpt.log" 2>&1 &
	ckpt=$!
	# (bounded: a criu that never gets there must fail the test, not hang it)
	[ "$(timeout 300 head -c1 "$BATS_TEST_TMPDIR/status" | od -An -tx1 | tr -d ' ')" = 00 ] ||
		fail "no '\\0' on --status-fd: $(cat "$BATS_TEST_TMPDIR/ckpt.log")"
	criu lazy-pages --page-server --address 127.0.0.1 --port 27029 -D "$IMG" -d \
		-o lazy-pages.log
	clone=$(new_id lazy)
	detached vessel restore -d --lazy-pages --image-path "$IMG" "$clone" ||
		fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	[ "$(count "$clone")" -ge "$n" ]
	counts_past "$clone" "$(count "$clone")"
	# every page pulled, the dump ends (bounded, as above)
	retry 600 0.5 sh -c "! kill -0 $ckpt 2>/dev/null" || fail "the dump still serves pages"
	wait "$ckpt" || fail "checkpoint: $(cat "$BATS_TEST_TMPDIR/ckpt.log")"
	[ ! -e "$ROOT/$CID" ]
}
