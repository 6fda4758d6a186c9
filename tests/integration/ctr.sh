#!/bin/bash
# containerd 1.6 (Debian's containerd) driving the ocistart binary given as $1 through its
# runc shim (io.containerd.runc.v2 with --runc-binary), as `ctr` does: image import, run
# --rm with output and exit status, run -t from a pty (script), task exec (also
# -t), ps, pause/resume, kill (SIGTERM to a trapping shell, SIGKILL), an OOM kill, HOME,
# the cgroup path, a missing command. Each check asserts what the container saw, as runc
# shows it (run this test with /usr/sbin/runc as $1 to compare).
#
# Its own containerd (lib/engines.sh: config, root, state and sockets under one temp
# dir), containers under one cgroup path, the runtime's --root and the IO fifos under the
# temp dir too; the image is a docker-archive (what `docker save` writes) of a busybox
# rootfs, made here (no registry, no docker). Every ctr call is bounded: a hang (`ctr run
# -t` never returning) fails a check naming it. containerd is stopped by pid and nothing
# is left behind. Exit 77 (SKIP) when not root or containerd is missing. Prints TAP.
. "$(dirname "$(readlink -f "$0")")/lib/engines.sh"

IMG=docker.io/library/ocistart-busybox:test
NS=ocistart-test
CTR_CMD=(/usr/bin/ctr --address "$CONTAINERD_SOCK" --namespace "$NS")
LOOP='trap "exit 7" TERM; while :; do sleep 0.2; done'

# c ARGS...: ctr, bounded (CTR_TIMEOUT seconds, default 20; with runc no call here takes
# more than 2).
c() { bounded "${CTR_TIMEOUT:-20}" "${CTR_CMD[@]}" "$@"; }
# run_opts ID: what every `ctr run` gets: the runtime, its root, the fifos and the cgroup.
run_opts() {
  echo --runc-binary "$OCISTART" --runc-root "$WORK/runtime-root" --fifo-dir "$WORK/fifo" --cgroup "$CG_TOP/ctr/$1"
}
# c_tty SECONDS ARGS...: ctr under a pty (script); output (without \r and NUL) in $WORK/tty.out.
c_tty() {
  local secs=$1 rc
  shift
  bounded "$secs" script -qec "$(printf '%q ' "${CTR_CMD[@]}" "$@")" /dev/null >"$WORK/tty.raw" 2>&1
  rc=$?
  tr -d '\r\0' <"$WORK/tty.raw" >"$WORK/tty.out"
  return $rc
}
err_text() { head -c 500 "$WORK/err" 2>/dev/null | tr '\n' ' '; }
# run_check WHAT RC OUT ARGS...: `ctr ARGS` (stdin /dev/null) exits RC and prints OUT.
run_check() {
  local what=$1 want_rc=$2 want_out=$3 rc out
  shift 3
  c "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
  rc=$?
  out=$(tr -d '\r' <"$WORK/out")
  if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ]; then
    ok "$what"
  else
    not_ok "$what: expected exit $want_rc and [$want_out], got exit $rc and [$out]; stderr: $(err_text)"
  fi
}
task_status() { c task ls 2>/dev/null | awk -v id="$1" '$1 == id {print $3}'; }
is_task_status() { [ "$(task_status "$1")" = "$2" ]; }
# task_rm ID: removes a stopped task; prints the exit code ctr reports (0 when it says none).
task_rm() {
  local out
  out=$(c task rm "$1" 2>&1)
  case "$out" in
    *"exit code "*) echo "$out" | sed -n 's/.*exit code \([0-9]*\).*/\1/p' | head -n 1 ;;
    "") echo 0 ;;
    *) echo "($out)" ;;
  esac
}

# A docker-archive of ROOTFS as one layer, tagged TAG (the format `docker save` writes).
make_image_archive() {  # rootfs tag out
  local d=$WORK/archive diff cfg cfgsum arch
  mkdir -p "$d"
  tar -C "$1" -cf "$d/layer.tar" . || return 1
  diff=$(sha256sum "$d/layer.tar" | cut -d' ' -f1)
  arch=$(dpkg --print-architecture)
  case "$arch" in i386) arch=386 ;; ppc64el) arch=ppc64le ;; armhf | armel) arch=arm ;; esac
  cfg='{"architecture":"'$arch'","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:'$diff'"]}}'
  cfgsum=$(printf '%s' "$cfg" | sha256sum | cut -d' ' -f1)
  printf '%s' "$cfg" >"$d/$cfgsum.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$cfgsum" "$2" >"$d/manifest.json"
  tar -C "$d" -cf "$3" manifest.json "$cfgsum.json" layer.tar
}

# --- setup: the lock, containerd, the image ---
exclusive_lock 480 "$TEST_NAME" || { not_ok "the exclusive lock (containerd must not run with a private systemd)"; engines_finish; }
start_containerd || { not_ok "start containerd"; engines_finish; }
ok "containerd started (pid $CONTAINERD_PID)"
mkdir -p "$WORK/runtime-root" "$WORK/fifo"
{ engines_rootfs "$WORK/image" && make_image_archive "$WORK/image/rootfs" "${IMG#docker.io/library/}" "$WORK/image.tar"; } ||
  { not_ok "busybox image archive"; engines_finish; }
if c images import "$WORK/image.tar" >/dev/null 2>"$WORK/err" && c images ls -q 2>/dev/null | grep -qx "$IMG"; then
  ok "images import of a busybox docker-archive as $IMG"
else
  not_ok "images import: $(err_text)"; engines_finish
fi

# --- run --rm: output, exit status, HOME, cgroup, a missing command ---
# (Not stdin: ctr run never closes the container's stdin at EOF, `echo x | ctr run ... cat` waits.)
# shellcheck disable=SC2046
run_check "run --rm sh -c 'echo hi; exit 3': prints hi, exits 3" 3 hi \
  run --rm $(run_opts r1) "$IMG" r1 sh -c 'echo hi; exit 3'
# shellcheck disable=SC2046
run_check "HOME of root is /root (ctr sets none)" 0 /root run --rm $(run_opts r3) "$IMG" r3 sh -c 'echo $HOME'
# shellcheck disable=SC2046
run_check "the container's memory cgroup is --cgroup $CG_TOP/ctr/r4" 0 "$CG_TOP/ctr/r4" \
  run --rm $(run_opts r4) "$IMG" r4 awk -F: '$2 == "memory" {m = $3} $1 == "0" {u = $3} END {print (m != "") ? m : u}' /proc/self/cgroup
# shellcheck disable=SC2046
c run --rm $(run_opts r5) "$IMG" r5 /nonexistent </dev/null >/dev/null 2>"$WORK/err"
rc=$?
if [ $rc != 0 ] && grep -q 'no such file or directory' "$WORK/err"; then
  ok "run of a missing path fails with runc's words (no such file or directory)"
else
  not_ok "run of a missing path: exit $rc: $(err_text)"
fi
expect_eq "run of a missing path: no container left" "" "$(c containers ls -q 2>&1)"
# shellcheck disable=SC2046
run_check "--memory-limit 32 MiB and 128 MiB held by tail: exit 137" 137 "" \
  run --rm $(run_opts r6) --memory-limit 33554432 "$IMG" r6 sh -c 'head -c 128m /dev/zero | tail'

# --- a terminal: run -t from a pty ---
# shellcheck disable=SC2046
c_tty 20 run --rm -t $(run_opts t1) "$IMG" t1 sh -c 'tty; exit 4' </dev/null
rc=$?
if [ $rc = 4 ] && grep -Eq '/dev/pts/[0-9]+$' "$WORK/tty.out"; then
  ok "run -t (through a pty): tty is $(grep -Eo '/dev/pts/[0-9]+$' "$WORK/tty.out"), exit 4"
else
  not_ok "run -t (through a pty): expected /dev/pts/N and exit 4, got exit $rc: [$(tr '\n' ' ' <"$WORK/tty.out")]"
fi

# --- run -d, then task exec, exec -t, ps, pause/resume, kill ---
# shellcheck disable=SC2046
c run -d $(run_opts long) "$IMG" long sh -c "$LOOP" </dev/null >/dev/null 2>"$WORK/err"
rc=$?
if [ $rc = 0 ] && wait_until 10 "task long to be RUNNING" is_task_status long RUNNING; then
  ok "run -d: task long is RUNNING"
  LONG=yes
else
  not_ok "run -d: exit $rc, task status [$(task_status long)]: $(err_text)"
  LONG=
fi
needs_long() {
  [ -n "$LONG" ] && return 0
  not_ok "$1: not run, task long is not running (status: $(task_status long))"
  return 1
}
if needs_long "task exec"; then
  run_check "task exec: output and exit status 5" 5 exec-out task exec --exec-id e1 --fifo-dir "$WORK/fifo" long sh -c 'echo exec-out; exit 5'
  c_tty 20 task exec -t --exec-id e2 --fifo-dir "$WORK/fifo" long sh -c 'tty; exit 6' </dev/null
  rc=$?
  if [ $rc = 6 ] && grep -Eq '/dev/pts/[0-9]+$' "$WORK/tty.out"; then
    ok "task exec -t (through a pty): tty is $(grep -Eo '/dev/pts/[0-9]+$' "$WORK/tty.out"), exit 6"
  else
    not_ok "task exec -t (through a pty): expected /dev/pts/N and exit 6, got exit $rc: [$(tr '\n' ' ' <"$WORK/tty.out")]"
  fi
fi
if needs_long "task ps"; then
  init=$(c task ls 2>/dev/null | awk '$1 == "long" {print $2}')
  expect_contains "task ps: lists the init (pid $init)" " $init " " $(c task ps long 2>&1 | awk 'NR > 1 {print $1}' | tr '\n' ' ')"
fi
if needs_long "task pause"; then
  c task pause long >/dev/null 2>"$WORK/err" || not_ok "task pause: $(err_text)"
  expect_eq "task pause: PAUSED" PAUSED "$(task_status long)"
  skip_unless_v1 "task pause: the freezer cgroup is FROZEN" &&
    expect_eq "task pause: the freezer cgroup is FROZEN" FROZEN "$(cat "/sys/fs/cgroup/freezer$CG_TOP/ctr/long/freezer.state" 2>&1)"
  c task resume long >/dev/null 2>"$WORK/err" || not_ok "task resume: $(err_text)"
  expect_eq "task resume: RUNNING" RUNNING "$(task_status long)"
  skip_unless_v1 "task resume: the freezer cgroup is THAWED" &&
    expect_eq "task resume: the freezer cgroup is THAWED" THAWED "$(cat "/sys/fs/cgroup/freezer$CG_TOP/ctr/long/freezer.state" 2>&1)"
fi
if needs_long "task kill"; then
  c task kill long >/dev/null 2>"$WORK/err" || not_ok "task kill: $(err_text)"
  wait_until 10 "task long to stop after task kill (SIGTERM)" is_task_status long STOPPED && ok "task kill: STOPPED"
  expect_eq "task kill: the shell's TERM trap ran (exit code 7)" 7 "$(task_rm long)"
fi
c containers rm long >/dev/null 2>&1
# shellcheck disable=SC2046
if c run -d $(run_opts k9) "$IMG" k9 sleep 1000 </dev/null >/dev/null 2>"$WORK/err" &&
   wait_until 10 "task k9 to be RUNNING" is_task_status k9 RUNNING; then
  c task kill -s SIGKILL k9 >/dev/null 2>"$WORK/err" || not_ok "task kill -s SIGKILL: $(err_text)"
  wait_until 10 "task k9 to stop after SIGKILL" is_task_status k9 STOPPED && ok "task kill -s SIGKILL: STOPPED"
  expect_eq "task kill -s SIGKILL: exit code 137" 137 "$(task_rm k9)"
else
  not_ok "run -d k9: task status [$(task_status k9)]: $(err_text)"
fi
c containers rm k9 >/dev/null 2>&1

# --- what is left once containerd removed its containers ---
# (Those left by a failed check are not removed through ctr: stopping containerd and
# killing what is left in CG_TOP is quicker than calls that may hang.)
expect_eq "containers ls: no container left" "" "$(c containers ls -q 2>&1)"
expect_eq "no container state left in the runtime's root ($WORK/runtime-root/$NS)" "" \
  "$(ls -A "$WORK/runtime-root/$NS" 2>/dev/null)"
expect_eq "no container cgroup left under $CG_TOP/ctr (pids hierarchy)" "" \
  "$(find "$(cg_pids_mount)$CG_TOP/ctr" -mindepth 1 -maxdepth 1 -type d -printf '%f ' 2>/dev/null)"

stop_daemon containerd "$CONTAINERD_PID"
expect_eq "containerd (pid $CONTAINERD_PID) ends on SIGTERM" 0 $?
CONTAINERD_PID=
engines_finish
