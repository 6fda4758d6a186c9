#!/bin/bash
# ps, --preserve-fds with $LISTEN_FDS, and the six OCI hooks, each as runc 1.1 behaves on
# the same busybox bundle (differences are named where a check is made).
. "$(dirname "$0")/lifecycle_lib.sh"

CREATED_IDS="pstest fds fdrun gap lfd nolfd hk"

state_pid() { oci state "$1" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])'; }
is_status() { oci state "$1" 2>/dev/null | grep -q "\"status\": \"$2\""; }
wait_status() { wait_until 5 "$1 to be $2" is_status "$1" "$2"; }  # id status
# The container's cgroup with the cgroupfs driver: /ocistart/<id> (pids hierarchy on v1).
cgroup_dir() {
  if [ -d /sys/fs/cgroup/pids ]; then echo "/sys/fs/cgroup/pids/ocistart/$1"; else echo "/sys/fs/cgroup/ocistart/$1"; fi
}
# A host pid's open fds as "N=target ..." (ls runs apart, so it adds none to the list).
fds_of() {
  local out="" f
  for f in $(ls "/proc/$1/fd" | sort -n); do out="$out $f=$(readlink "/proc/$1/fd/$f")"; done
  echo "${out# }"
}
sorted_words() { tr ', ' '\n\n' | grep . | sort -n | tr '\n' ' '; }
json_pids() { tr -d '[]\n' | sorted_words; }

make_bundle "$BUNDLE"

# --- ps ---
set_args "$BUNDLE" sh -c 'sleep 100 & sleep 100'
oci run -d --bundle "$BUNDLE" pstest </dev/null >/dev/null 2>&1; expect_eq "ps: run -d" 0 $?
cg=$(cgroup_dir pstest)
two_procs() { [ "$(wc -l <"$cg/cgroup.procs")" = 2 ]; }
wait_until 5 "two processes in $cg" two_procs
procs=$(sorted_words <"$cg/cgroup.procs")
expect_eq "ps: two processes in $cg" 2 "$(echo $procs | wc -w)"
init=$(state_pid pstest)
inner=$(for p in $procs; do [ "$p" != "$init" ] && echo "$p"; done)

json=$(oci ps --format json pstest); expect_eq "ps --format json exits 0" 0 $?
if echo "$json" | grep -Eq '^\[[0-9]+(,[0-9]+)*\]$'; then pass "ps --format json: one line [pid,pid] (runc's form)"
else fail "ps --format json: not [pid,pid]: [$json]"; fi
expect_eq "ps --format json = cgroup.procs" "$procs" "$(echo "$json" | json_pids)"
expect_eq "ps -f json = --format json" "$json" "$(oci ps -f json pstest)"

header=$(ps -ef | head -n 1)
table=$(oci ps pstest); expect_eq "ps exits 0" 0 $?
expect_eq "ps: ps -ef's header" "$header" "$(echo "$table" | head -n 1)"
expect_eq "ps: one line per process" 2 "$(echo "$table" | tail -n +2 | wc -l)"
expect_eq "ps: their PIDs = cgroup.procs" "$procs" "$(echo "$table" | tail -n +2 | awk '{print $2}' | sorted_words)"
expect_eq "ps: both are 'sleep 100'" 2 "$(echo "$table" | tail -n +2 | grep -c ' sleep 100$')"

# Everything after the id goes to ps(1), even -f (ours is --format before the id).
custom=$(oci ps pstest -e -o pid,comm); expect_eq "ps ID -e -o pid,comm exits 0" 0 $?
expect_eq "ps ID -e -o pid,comm = ps(1) on the container's pids" \
  "$(ps -o pid,comm -p "$(echo $procs | tr ' ' ',')")" "$custom"
expect_eq "ps ID -- -e -o pid,comm: the -- is dropped (runc 1.1 passes it to ps, which rejects it)" \
  "$custom" "$(oci ps pstest -- -e -o pid,comm)"
full=$(oci ps pstest -e -f)
expect_eq "ps ID -e -f: -f goes to ps (full format header)" "$header" "$(echo "$full" | head -n 1)"
expect_eq "ps ID -e -f: one line per process" 2 "$(echo "$full" | tail -n +2 | wc -l)"
out=$(oci ps pstest -e -o comm 2>"$WORK/err"); rc=$?
expect_eq "ps without a PID column fails" 1 $rc
expect_eq "ps without a PID column: nothing on stdout" "" "$out"
expect_eq "ps without a PID column: one error line" 1 "$(wc -l <"$WORK/err")"
expect_contains "ps without a PID column: says so" "PID" "$(cat "$WORK/err")"

# runc lists the whole subtree (GetAllPids): so do we.
if mkdir "$cg/psfds-sub" && echo "$inner" >"$cg/psfds-sub/cgroup.procs"; then
  expect_eq "ps: only the init left in the top cgroup" "$init " "$(sorted_words <"$cg/cgroup.procs")"
  expect_eq "ps --format json includes child cgroups" "$procs" "$(oci ps -f json pstest | json_pids)"
  expect_eq "ps table includes child cgroups" 2 "$(oci ps pstest | tail -n +2 | wc -l)"
  echo "$inner" >"$cg/cgroup.procs"
else
  fail "ps: could not move $inner to a child cgroup"
fi
rmdir "$cg/psfds-sub" 2>/dev/null

oci kill pstest KILL
wait_status pstest stopped; expect_eq "ps: container stopped" 0 $?
no_ps() { [ "$(oci ps -f json pstest)" = "[]" ]; }
wait_until 5 "ps -f json pstest to list no process" no_ps
out=$(oci ps pstest 2>&1); rc=$?
expect_eq "ps of a stopped container exits 0 (as runc)" 0 $rc
expect_eq "ps of a stopped container: the header only (as runc)" "$header" "$out"
expect_eq "ps --format json of a stopped container: [] (runc prints null)" "[]" "$(oci ps -f json pstest 2>&1)"
oci delete pstest; expect_eq "ps: delete" 0 $?
for fmt in table json; do
  out=$(oci ps --format $fmt pstest 2>"$WORK/err"); rc=$?
  expect_eq "ps --format $fmt of a missing container exits 1" 1 $rc
  expect_eq "ps --format $fmt of a missing container: nothing on stdout" "" "$out"
  expect_eq "ps --format $fmt of a missing container: one error line" 1 "$(wc -l <"$WORK/err")"
  expect_contains "ps --format $fmt of a missing container: says so" "does not exist" "$(cat "$WORK/err")"
done
expect_no_leftovers "ps" pstest "$BUNDLE"

# --- --preserve-fds ---
echo in >"$WORK/in"
echo extra >"$WORK/extra"
: >"$WORK/out"
# Foreground: data goes through the preserved fds.
set_args "$BUNDLE" sh -c 'read line <&3; echo "got $line" >&4'
(cd "$BUNDLE" && oci run --preserve-fds 2 fdrun 3<"$WORK/in" 4>"$WORK/out" 5<"$WORK/extra" </dev/null >/dev/null 2>&1)
expect_eq "run --preserve-fds 2 exits 0" 0 $?
expect_eq "run --preserve-fds 2: read fd 3, wrote fd 4" "got in" "$(cat "$WORK/out")"

set_args "$BUNDLE" sleep 100
oci run -d --bundle "$BUNDLE" --preserve-fds 2 fds 3<"$WORK/in" 4>"$WORK/out" 5<"$WORK/extra" </dev/null >/dev/null 2>&1
expect_eq "run -d --preserve-fds 2" 0 $?
stdio="0=/dev/null 1=/dev/null 2=/dev/null"
expect_eq "run --preserve-fds 2: fds 3 and 4 reach the process, 5 does not" \
  "$stdio 3=$WORK/in 4=$WORK/out" "$(fds_of "$(state_pid fds)")"
oci exec -d --pid-file "$WORK/exec.pid" --preserve-fds 1 fds sleep 100 \
  3<"$WORK/in" 4<"$WORK/extra" </dev/null >/dev/null 2>&1
expect_eq "exec -d --preserve-fds 1" 0 $?
expect_eq "exec --preserve-fds 1: fd 3 reaches the process, 4 does not" \
  "$stdio 3=$WORK/in" "$(fds_of "$(cat "$WORK/exec.pid")")"
oci exec -d --pid-file "$WORK/exec.pid" fds sleep 100 3<"$WORK/in" </dev/null >/dev/null 2>&1
expect_eq "exec -d without --preserve-fds" 0 $?
expect_eq "exec without --preserve-fds: stdio only" "$stdio" "$(fds_of "$(cat "$WORK/exec.pid")")"

# A gap in the range: an fd of the runtime would fill it (the state lock: create then
# blocked `start` forever; cgroup directories reached the process). It is an error.
timeout 30 "$OCISTART" --root "$ROOT" run --bundle "$BUNDLE" --preserve-fds 2 gap \
  3<"$WORK/in" 4<&- </dev/null >/dev/null 2>"$WORK/err"
rc=$?
if [ $rc = 124 ]; then  # that deadlock: end the init holding the lock, so that cleanup can delete
  p=$(state_pid gap 2>/dev/null)
  [ "${p:-0}" -gt 0 ] && kill -KILL "$p"
fi
expect_eq "run --preserve-fds 2 without fd 4 fails (does not hang)" 1 $rc
expect_contains "run --preserve-fds 2 without fd 4: names it" "preserved fd 4 is not open" "$(cat "$WORK/err")"
expect_eq "run --preserve-fds 2 without fd 4: one error line" 1 "$(wc -l <"$WORK/err")"
expect_eq "run --preserve-fds 2 without fd 4: no container" "" "$(oci list -q | grep -x gap)"
timeout 30 "$OCISTART" --root "$ROOT" exec --preserve-fds 3 fds true 3<"$WORK/in" 4<&- 5<&- \
  </dev/null >/dev/null 2>"$WORK/err"
expect_eq "exec --preserve-fds 3 without fd 4 fails (255, as exec failures)" 255 $?
expect_contains "exec --preserve-fds 3 without fd 4: names it" "preserved fd 4 is not open" "$(cat "$WORK/err")"
oci delete --force fds; expect_eq "fds: delete --force" 0 $?

# $LISTEN_FDS (socket activation): runc passes those fds first, then the --preserve-fds
# ones, and sets LISTEN_FDS and LISTEN_PID=1 for the process; only when $LISTEN_PID is its
# own pid; never for exec.
edit_config "$BUNDLE" 'c["process"]["env"].append("LISTEN_FDS=7")'
activated() {  # LISTEN_FDS command...: runs command with LISTEN_PID = its own pid
  bash -c 'export LISTEN_FDS=$1 LISTEN_PID=$$; shift; exec "$@"' _ "$@"
}
listen_env() { tr '\0' '\n' <"/proc/$1/environ" | grep '^LISTEN_' | sort | tr '\n' ' '; }
echo a >"$WORK/a"; echo b >"$WORK/b"; echo c >"$WORK/c"; echo d >"$WORK/d"
activated 2 "$OCISTART" --root "$ROOT" run -d --bundle "$BUNDLE" --preserve-fds 1 lfd \
  3<"$WORK/a" 4<"$WORK/b" 5<"$WORK/c" 6<"$WORK/d" </dev/null >/dev/null 2>&1
expect_eq "LISTEN_FDS=2: run -d --preserve-fds 1" 0 $?
pid=$(state_pid lfd)
expect_eq "LISTEN_FDS=2 + --preserve-fds 1: fds 3, 4, 5 reach the process, 6 does not" \
  "$stdio 3=$WORK/a 4=$WORK/b 5=$WORK/c" "$(fds_of "$pid")"
expect_eq "LISTEN_FDS=2: the process has LISTEN_FDS=2 LISTEN_PID=1 (instead of the config's)" \
  "LISTEN_FDS=2 LISTEN_PID=1 " "$(listen_env "$pid")"
activated 1 "$OCISTART" --root "$ROOT" exec -d --pid-file "$WORK/exec.pid" lfd sleep 100 \
  3<"$WORK/a" </dev/null >/dev/null 2>&1
expect_eq "LISTEN_FDS=1: exec -d" 0 $?
expect_eq "LISTEN_FDS=1: exec passes no fd (as runc)" "$stdio" "$(fds_of "$(cat "$WORK/exec.pid")")"
oci delete --force lfd
LISTEN_PID=1 LISTEN_FDS=2 "$OCISTART" --root "$ROOT" run -d --bundle "$BUNDLE" nolfd \
  3<"$WORK/a" 4<"$WORK/b" </dev/null >/dev/null 2>&1
expect_eq "LISTEN_PID not ours: run -d" 0 $?
pid=$(state_pid nolfd)
expect_eq "LISTEN_PID not ours: stdio only" "$stdio" "$(fds_of "$pid")"
expect_eq "LISTEN_PID not ours: the config's environment" "LISTEN_FDS=7 " "$(listen_env "$pid")"
oci delete --force nolfd
expect_no_leftovers "preserve-fds" nolfd "$BUNDLE"

# --- hooks: each runs once, where the spec says, with runc's state on stdin ---
make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 100
edit_config "$BUNDLE" 'c["root"]["readonly"]=False'
mkdir -p "$BUNDLE/rootfs/hookout" "$WORK/hooks"
# createContainer runs in the container's namespaces before pivot_root (host paths still
# resolve); startContainer after it: its "/hookout" is the rootfs's.
edit_config "$BUNDLE" '
def hook(kind, out):
    script = "cat > {o}/{k}.json; readlink /proc/self/ns/mnt > {o}/{k}.mnt; " \
             "readlink /proc/self/ns/pid > {o}/{k}.pidns; echo run >> {o}/{k}.count"
    return [{"path": "/bin/sh", "args": ["sh", "-c", script.format(o=out, k=kind)]}]
host = "'"$WORK"'/hooks"
c["hooks"] = {k: hook(k, host) for k in
              ["prestart", "createRuntime", "createContainer", "poststart", "poststop"]}
c["hooks"]["startContainer"] = hook("startContainer", "/hookout")
'
hook_file() {  # kind suffix
  if [ "$1" = startContainer ]; then echo "$BUNDLE/rootfs/hookout/$1.$2"; else echo "$WORK/hooks/$1.$2"; fi
}
runs() { for k in "$@"; do cat "$(hook_file "$k" count)" 2>/dev/null | wc -l; done | tr '\n' ' '; }
all="prestart createRuntime createContainer startContainer poststart poststop"
oci create --bundle "$BUNDLE" hk </dev/null >/dev/null 2>&1; expect_eq "hooks: create" 0 $?
pid=$(state_pid hk)
container_ns="$(readlink /proc/$pid/ns/mnt) $(readlink /proc/$pid/ns/pid)"
expect_eq "hooks after create: prestart, createRuntime, createContainer once" "1 1 1 0 0 0 " "$(runs $all)"
oci start hk; expect_eq "hooks: start" 0 $?
wait_until 5 "the startContainer hook to run" test -s "$(hook_file startContainer count)"
wait_status hk running
expect_eq "hooks after start: startContainer, poststart once" "1 1 1 1 1 0 " "$(runs $all)"
oci kill hk KILL
wait_status hk stopped
oci delete hk; expect_eq "hooks: delete" 0 $?
expect_eq "hooks after delete: each ran once" "1 1 1 1 1 1 " "$(runs $all)"
[ ! -e /hookout ] && pass "hooks: startContainer wrote inside the rootfs, not on the host" \
  || fail "hooks: /hookout exists on the host"

host_ns="$(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/pid)"
[ "$container_ns" != "$host_ns" ] && pass "hooks: the container has its own mount and pid namespaces" \
  || fail "hooks: the container is in the host's namespaces"
hook_state() {
  "$PY" -c 'import json, sys; s = json.load(open(sys.argv[1])); print(s["id"], s["status"], s.get("pid", 0), s["bundle"])' \
    "$(hook_file "$1" json)" 2>&1
}
for k in $all; do
  case $k in
    prestart) want_ns=$host_ns want="hk created $pid $BUNDLE" ;;  # runtime-tools and crun; runc: creating
    createRuntime) want_ns=$host_ns want="hk creating $pid $BUNDLE" ;;
    createContainer) want_ns=$container_ns want="hk creating 1 $BUNDLE" ;;  # pid seen in the container
    startContainer) want_ns=$container_ns want="hk created 1 $BUNDLE" ;;
    poststart) want_ns=$host_ns want="hk running $pid $BUNDLE" ;;
    poststop) want_ns=$host_ns want="hk stopped 0 $BUNDLE" ;;  # runc omits pid; we print 0
  esac
  expect_eq "hooks: $k mount and pid namespaces" "$want_ns" \
    "$(cat "$(hook_file "$k" mnt)" 2>&1) $(cat "$(hook_file "$k" pidns)" 2>&1)"
  expect_eq "hooks: $k state on stdin (id status pid bundle)" "$want" "$(hook_state "$k")"
done
expect_no_leftovers "hooks" hk "$BUNDLE"

finish
