#!/bin/bash
# Docker 20.10 (Debian's docker.io) driving the ocistart binary given as $1, as
# `docker run --runtime ocistart` does: output and exit status, stdin, a pty from a
# terminal (script), run -d -t with exec -it, top, pause/unpause, update (read back
# inside), logs, stop, start, rm -f, exit codes 126/127, HOME, an OOM kill (137),
# --read-only with --tmpfs, -v, --cap-drop/--cap-add. Each check asserts what the
# container saw, as runc shows it (run this test with /usr/sbin/runc as $1 to compare).
#
# Its own containerd (lib/engines.sh) and its own dockerd: --data-root, --exec-root,
# --pidfile, socket and config file under one temp dir, vfs storage, no bridge, no
# iptables, no ip forwarding, containers under one --cgroup-parent; an image imported
# from a busybox rootfs (no registry). Every docker call is bounded: a hang (a container
# stuck in `created`, an rm -f that never returns) fails a check naming it. The daemons
# are stopped by pid and nothing is left behind. Exit 77 (SKIP) when not root or
# docker.io/containerd are missing. Prints TAP.
. "$(dirname "$(readlink -f "$0")")/lib/engines.sh"
# Debian's client: /usr/local/bin/docker may be a newer one that shadows it on PATH.
engines_need /usr/bin/docker /usr/sbin/dockerd

IMG=ocistart-busybox:test
# busybox's sh as pid 1 ignores SIGTERM without a handler: long-running containers trap it.
LOOP='trap "exit 0" TERM; while :; do sleep 0.2; done'
RT=(--runtime ocistart --network none)

# dk_tty SECONDS ARGS...: the client under a pty (script), as typed at a terminal; its
# output (without \r and NUL) in $WORK/tty.out. Returns docker's exit status.
dk_tty() {
  local secs=$1 rc
  shift
  bounded "$secs" script -qec "$(printf '%q ' "${DOCKER_CMD[@]}" "$@")" /dev/null >"$WORK/tty.raw" 2>&1
  rc=$?
  tr -d '\r\0' <"$WORK/tty.raw" >"$WORK/tty.out"
  return $rc
}
err_text() { head -c 500 "$WORK/err" 2>/dev/null | tr '\n' ' '; }
# run_check WHAT RC OUT ARGS...: `docker ARGS` (stdin /dev/null) exits RC and prints OUT.
run_check() {
  local what=$1 want_rc=$2 want_out=$3 rc out
  shift 3
  dk "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
  rc=$?
  out=$(tr -d '\r' <"$WORK/out")
  if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ]; then
    ok "$what"
  else
    not_ok "$what: expected exit $want_rc and [$want_out], got exit $rc and [$out]; stderr: $(err_text)"
  fi
}
# (docker inspect waits while a container is stuck in create: 10 s at most)
status_of() { DK_TIMEOUT=10 dk inspect -f '{{.State.Status}}' "$1" 2>/dev/null || echo "unknown: docker inspect failed or hung"; }
is_status() { [ "$(status_of "$1")" = "$2" ]; }
# "ID12 STATUS ..." of every container in the runtime's root, as the runtime itself says.
runtime_states() {
  local root=$RUN_DIR/docker/runtime-runc/moby id
  for id in $(ls "$root" 2>/dev/null); do
    echo "${id:0:12} $(timeout 5 "$OCISTART" --root "$root" state "$id" 2>&1 | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')"
  done | tr '\n' ' '
}
# The container's own cgroup directory in HIERARCHY on the host.
host_cgroup() {  # hierarchy name
  echo "/sys/fs/cgroup/$1$CG_TOP/docker/$(dk inspect -f '{{.Id}}' "$2" 2>/dev/null)"
}

# --- setup: the lock, containerd, dockerd, the image ---
exclusive_lock 480 "$TEST_NAME" || { not_ok "the exclusive lock (dockerd must not run with a private systemd)"; engines_finish; }
start_containerd || { not_ok "start containerd"; engines_finish; }
ok "containerd started (pid $CONTAINERD_PID)"
start_dockerd || { not_ok "start dockerd"; engines_finish; }
expect_contains "dockerd (pid $DOCKERD_PID) lists runtime ocistart" ocistart \
  "$(dk info -f '{{range $k, $v := .Runtimes}}{{$k}} {{end}}' 2>&1)"
engines_rootfs "$WORK/image" || { not_ok "busybox rootfs"; engines_finish; }
if tar -C "$WORK/image/rootfs" -c . | dk import - "$IMG" >/dev/null 2>"$WORK/err"; then
  ok "docker import of a busybox rootfs as $IMG"
else
  not_ok "docker import: $(err_text)"; engines_finish
fi

# --- run --rm: output, exit status, stdin, stderr ---
run_check "run --rm sh -c 'echo hi; exit 3': prints hi, exits 3" 3 hi run --rm "${RT[@]}" "$IMG" sh -c 'echo hi; exit 3'
out=$(echo piped | dk run --rm -i "${RT[@]}" "$IMG" cat 2>"$WORK/err")
expect_eq "run -i: stdin reaches the container" piped "$out"
out=$(dk run --rm "${RT[@]}" "$IMG" sh -c 'echo out; echo err >&2' 2>"$WORK/err" </dev/null)
expect_eq "run: stdout and stderr apart (stdout)" out "$out"
expect_eq "run: stdout and stderr apart (stderr)" err "$(cat "$WORK/err")"
run_check "run -e -w --hostname: environment, cwd and hostname" 0 "bar /tmp box" \
  run --rm "${RT[@]}" -e FOO=bar -w /tmp --hostname box "$IMG" sh -c 'echo $FOO $(pwd) $(hostname)'

# --- a terminal: run -it and run -t from a pty (the container must not stay `created`) ---
printf 'read x; echo got-$x; exit 4\nabc\n' | dk_tty 20 run --rm -it "${RT[@]}" "$IMG" sh
rc=$?
if [ $rc = 4 ] && grep -q '^got-abc$' "$WORK/tty.out"; then
  ok "run -it (through a pty): typed input answered, exit 4"
else
  not_ok "run -it (through a pty): expected got-abc and exit 4, got exit $rc: [$(tr '\n' ' ' <"$WORK/tty.out")]"
fi
dk_tty 20 run --rm -t "${RT[@]}" "$IMG" sh -c 'tty; exit 5' </dev/null
rc=$?
if [ $rc = 5 ] && grep -Eq '/dev/pts/[0-9]+$' "$WORK/tty.out"; then
  ok "run -t (through a pty): tty is $(grep -Eo '/dev/pts/[0-9]+$' "$WORK/tty.out"), exit 5"
else
  not_ok "run -t (through a pty): expected /dev/pts/N and exit 5, got exit $rc: [$(tr '\n' ' ' <"$WORK/tty.out")]"
fi

# --- run -d -t, then exec, exec -it, top, pause/unpause, update, stop, start, rm -f ---
dk run -d -t --name long "${RT[@]}" "$IMG" sh -c "$LOOP" </dev/null >/dev/null 2>"$WORK/err"
rc=$?
if [ $rc = 0 ] && wait_until 10 "container long to be running" is_status long running; then
  ok "run -d -t: container long is running"
  LONG=running
else
  LONG=$(status_of long)
  not_ok "run -d -t: exit $rc, state $LONG (the runtime's state: $(runtime_states)): $(err_text)"
fi
# needs_long WHAT: false (and a failed check) when long is not running.
needs_long() {
  [ "$LONG" = running ] && return 0
  not_ok "$1: not run, container long is not running (state: $LONG)"
  return 1
}
if needs_long "exec"; then
  run_check "exec: output and exit status 5" 5 exec-out exec long sh -c 'echo exec-out; exit 5'
  out=$(echo in-exec | dk exec -i long cat 2>"$WORK/err")
  expect_eq "exec -i: stdin reaches the process" in-exec "$out"
fi
if needs_long "exec -it"; then
  dk_tty 20 exec -it long sh -c 'tty; exit 6' </dev/null
  rc=$?
  if [ $rc = 6 ] && grep -Eq '/dev/pts/[0-9]+$' "$WORK/tty.out"; then
    ok "exec -it (through a pty): tty is $(grep -Eo '/dev/pts/[0-9]+$' "$WORK/tty.out"), exit 6"
  else
    not_ok "exec -it (through a pty): expected /dev/pts/N and exit 6, got exit $rc: [$(tr '\n' ' ' <"$WORK/tty.out")]"
  fi
fi
if needs_long "top"; then
  out=$(dk top long 2>&1)
  expect_contains "top: lists the container's sh" 'sh -c trap "exit 0" TERM' "$out"
fi
if needs_long "pause"; then
  dk pause long >/dev/null 2>"$WORK/err" || not_ok "pause: $(err_text)"
  expect_eq "pause: docker says paused" paused "$(status_of long)"
  skip_unless_v1 "pause: the freezer cgroup is FROZEN" &&
    expect_eq "pause: the freezer cgroup is FROZEN" FROZEN "$(cat "$(host_cgroup freezer long)/freezer.state" 2>&1)"
  dk unpause long >/dev/null 2>"$WORK/err" || not_ok "unpause: $(err_text)"
  expect_eq "unpause: docker says running" running "$(status_of long)"
  skip_unless_v1 "unpause: the freezer cgroup is THAWED" &&
    expect_eq "unpause: the freezer cgroup is THAWED" THAWED "$(cat "$(host_cgroup freezer long)/freezer.state" 2>&1)"
  run_check "unpause: exec works again" 0 alive exec long echo alive
fi
if needs_long "update"; then
  # memory.memsw.* exists with swap accounting only.
  cg_files="/sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us
    /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/pids/pids.max"
  want="67108864 50000 100000 50"
  if [ -e "$(host_cgroup memory long)/memory.memsw.limit_in_bytes" ]; then
    cg_files="$cg_files /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"
    want="$want 134217728"
  fi
  if dk update --memory 64m --memory-swap 128m --cpus 0.5 --pids-limit 50 long >/dev/null 2>"$WORK/err"; then
    ok "update --memory 64m --memory-swap 128m --cpus 0.5 --pids-limit 50"
  else
    not_ok "update --memory 64m --memory-swap 128m --cpus 0.5 --pids-limit 50: $(err_text)"
  fi
  if skip_unless_v1 "update: the limits read inside the container and on the host"; then
    # shellcheck disable=SC2086
    expect_eq "update: memory, cfs quota and period, pids.max (and memsw) read inside the container" \
      "$want" "$(dk exec long cat $cg_files 2>&1 | tr '\n' ' ' | sed 's/ $//')"
    got=""
    for f in memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us pids/pids.max; do
      got="$got $(cat "$(host_cgroup "${f%%/*}" long)/${f#*/}" 2>&1)"
    done
    expect_eq "update: the same values in the container's cgroup on the host ($CG_TOP/docker/ID)" \
      "67108864 50000 50" "${got# }"
  fi
fi
if needs_long "stop"; then
  start=${EPOCHREALTIME/./}
  dk stop -t 10 long >/dev/null 2>"$WORK/err"
  rc=$?
  ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
  if [ $rc = 0 ] && [ $ms -lt 8000 ]; then ok "stop -t 10: SIGTERM ended it in $ms ms"; else not_ok "stop -t 10: exit $rc after $ms ms: $(err_text)"; fi
  expect_eq "stop: exited with the trap's status 0" "exited 0" \
    "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' long 2>&1)"
  dk start long >/dev/null 2>"$WORK/err"
  if wait_until 10 "container long to run again after start" is_status long running; then
    ok "start: the stopped container runs again"
  else
    not_ok "start: state $(status_of long): $(err_text)"
  fi
fi
# rm -f of a running container with a terminal (it used to time out), then one without.
dk rm -f long >/dev/null 2>"$WORK/err"
expect_eq "rm -f long (run -d -t): removed" "0 []" "$? [$(dk ps -aq --filter name=^long$ 2>&1)]"
if dk run -d --name plain "${RT[@]}" "$IMG" sleep 1000 </dev/null >/dev/null 2>"$WORK/err"; then
  wait_until 10 "container plain to be running" is_status plain running && ok "run -d: container plain is running"
else
  not_ok "run -d plain: $(err_text)"
fi
dk rm -f plain >/dev/null 2>"$WORK/err"
expect_eq "rm -f plain (run -d): removed" "0 []" "$? [$(dk ps -aq --filter name=^plain$ 2>&1)]"

# --- logs and wait of a detached container without a terminal ---
if dk run -d --name logger "${RT[@]}" "$IMG" sh -c 'echo logged; echo err-logged >&2; exit 2' </dev/null >/dev/null 2>"$WORK/err"; then
  expect_eq "wait: the exit status 2" 2 "$(dk wait logger 2>&1)"
  expect_eq "logs: stdout and stderr" "logged err-logged" "$(dk logs logger 2>&1 | sort -r | tr '\n' ' ' | sed 's/ $//')"
else
  not_ok "run -d logger: $(err_text)"
fi
dk rm -f logger >/dev/null 2>&1

# --- exit codes docker maps from the runtime's error text ---
run_check "run of a file that is not executable: exit 126" 126 "" run --rm "${RT[@]}" "$IMG" /etc/passwd
run_check "run of a missing path: exit 127" 127 "" run --rm "${RT[@]}" "$IMG" /nonexistent
run_check "run of a command not in PATH: exit 127" 127 "" run --rm "${RT[@]}" "$IMG" nosuchcommand

# --- HOME from the image's /etc/passwd (docker does not set it) ---
run_check "HOME of root is /root" 0 /root run --rm "${RT[@]}" "$IMG" sh -c 'echo $HOME'
run_check "HOME of --user app is its home /home/app" 0 "/home/app 1000" \
  run --rm "${RT[@]}" --user app "$IMG" sh -c 'echo $HOME $(id -u)'
run_check "HOME of --user 4242 (not in /etc/passwd) is /" 0 / run --rm "${RT[@]}" --user 4242 "$IMG" sh -c 'echo $HOME'

# --- memory limit: an allocation above it is OOM-killed (busybox tail keeps its input) ---
run_check "--memory 32m and 128 MiB held by tail: exit 137" 137 "" \
  run --name oom --memory 32m "${RT[@]}" "$IMG" sh -c 'head -c 128m /dev/zero | tail'
# (Not asserted: .State.OOMKilled is true only when containerd's OOM event reaches dockerd
# before the exit event; with runc it is false in about one run out of three.)
echo "# --memory 32m: docker inspect: $(dk inspect -f 'exit {{.State.ExitCode}}, OOMKilled {{.State.OOMKilled}}' oom 2>&1)"
dk rm -f oom >/dev/null 2>&1

# --- read-only root with a tmpfs, a bind mount, capabilities ---
run_check "--read-only --tmpfs /run: / refuses writes, /run takes them" 0 "ro
ok" run --rm "${RT[@]}" --read-only --tmpfs /run "$IMG" sh -c 'touch /x 2>/dev/null && echo rw || echo ro; echo ok >/run/f && cat /run/f'
mkdir -p "$WORK/vol"
echo from-host >"$WORK/vol/in"
run_check "-v DIR:/mnt: the host's file is visible" 0 from-host \
  run --rm "${RT[@]}" -v "$WORK/vol:/mnt" "$IMG" sh -c 'cat /mnt/in; echo from-container >/mnt/back'
expect_eq "-v DIR:/mnt: the container's write reaches the host" from-container "$(cat "$WORK/vol/back" 2>&1)"
run_check "default capabilities: CapEff 00000000a80425fb" 0 "CapEff:	00000000a80425fb" \
  run --rm "${RT[@]}" "$IMG" grep CapEff /proc/self/status
run_check "--cap-drop ALL --cap-add NET_RAW: CapEff and CapBnd 0000000000002000" 0 "CapEff:	0000000000002000
CapBnd:	0000000000002000" run --rm "${RT[@]}" --cap-drop ALL --cap-add NET_RAW "$IMG" grep -E '^Cap(Eff|Bnd)' /proc/self/status
run_check "--cap-add SYS_ADMIN: CapEff 00000000a82425fb" 0 "CapEff:	00000000a82425fb" \
  run --rm "${RT[@]}" --cap-add SYS_ADMIN "$IMG" grep CapEff /proc/self/status
run_check "--user app: no effective capabilities" 0 "CapEff:	0000000000000000" \
  run --rm "${RT[@]}" --user app "$IMG" grep CapEff /proc/self/status

# --- what the runtime leaves once docker removed its containers ---
# (Those left by a failed check are not removed through docker: stopping the daemons and
# killing what is left in CG_TOP is quicker than rm -f calls that may hang.)
expect_eq "docker ps -a: no container left" "" "$(dk ps -aq 2>&1)"
expect_eq "no container state left in the runtime's root ($RUN_DIR/docker/runtime-runc/moby)" "" \
  "$(ls -A "$RUN_DIR/docker/runtime-runc/moby" 2>/dev/null)"
expect_eq "no container cgroup left under $CG_TOP/docker (pids hierarchy)" "" \
  "$(find "$(cg_pids_mount)$CG_TOP/docker" -mindepth 1 -maxdepth 1 -type d -printf '%f ' 2>/dev/null)"

# --- the daemons end on SIGTERM ---
stop_daemon dockerd "$DOCKERD_PID"
expect_eq "dockerd (pid $DOCKERD_PID) ends on SIGTERM" 0 $?
DOCKERD_PID=
stop_daemon containerd "$CONTAINERD_PID"
expect_eq "containerd (pid $CONTAINERD_PID) ends on SIGTERM" 0 $?
CONTAINERD_PID=
engines_finish
