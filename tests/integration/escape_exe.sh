#!/bin/bash
# CVE-2019-5736 class: no process that enters a container runs from a file the container
# could write. The init and exec's joiner and process are forks of the runtime, so their
# /proc/<pid>/exe, and /proc/self/exe of a `#!/proc/self/exe` script they execve, is the
# runtime's binary; an attacker keeps a handle on it and, once nothing executes it any
# more (ETXTBSY gone), reopens it for writing. Each check below is that attack.
#
# The test runs a COPY of the binaries (the launcher and the runtime): on a vulnerable build
# the attack writes into the runtime (the file's own first byte back, so even then nothing
# changes).
. "$(dirname "$0")/lifecycle_lib.sh"

CREATED_IDS="esc1 esc2 esc3 esc4 esc5"
copy_binaries "$WORK" || { echo "FAIL: copy $OCISTART"; exit 1; }
OCISTART=$WORK/ocistart
OCISTART_RUNTIME=$WORK/ocistart-runtime
# Both files: the launcher, and the runtime it executes (whose forks enter the container).
digest() { sha256sum "$OCISTART" "$OCISTART_RUNTIME" | cut -d' ' -f1 | tr '\n' ' '; }
before=$(digest)
state_pid() { oci state "$1" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])'; }

# attack PID CMD...: the host's root stands in for the attacker (it has every capability a
# container process could have): an O_PATH handle on /proc/PID/exe while PID runs, then
# CMD (which ends PID), then, once PID is gone, the handle reopened for writing and the
# file's first byte written back. Prints "open refused: ERRNO", "write refused: ERRNO"
# or "written".
cat >"$WORK/attack.py" <<'PY'
import errno, os, subprocess, sys, time
pid = int(sys.argv[1])
handle = os.open(f"/proc/{pid}/exe", os.O_PATH)
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        os.readlink(f"/proc/{pid}/exe")  # fails once it exited (a zombie has no exe)
    except OSError:
        break
    time.sleep(0.05)
else:
    sys.exit(f"pid {pid} still runs")
path = f"/proc/self/fd/{handle}"
try:
    writer = os.open(path, os.O_WRONLY)
except OSError as e:
    print("open refused:", errno.errorcode[e.errno])
    sys.exit(0)
with open(path, "rb") as f:
    first = f.read(1)
try:
    os.pwrite(writer, first, 0)
    print("written")
except OSError as e:
    print("write refused:", errno.errorcode[e.errno])
PY
attack() { bounded 90 "$PY" "$WORK/attack.py" "$@" 2>&1; }
expect_refused() {  # what result
  case "$2" in "open refused: "* | "write refused: "*) pass "$1: $2" ;; *) fail "$1: the binary is writable: [$2]" ;; esac
}

make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 1000
# The image's executable whose interpreter is "the binary that execs me". With --log on a
# fifo, the runtime it runs blocks until someone reads the fifo (its usage error is logged
# there), so the attacker has all the time it needs. The runtime is dynamically linked:
# the image brings a loader and libraries (any glibc image does; an attacker's could run
# its own code in the runtime that way).
for lib in $(ldd "$OCISTART_RUNTIME" | grep -o '/[^ ]*'); do
  mkdir -p "$BUNDLE/rootfs$(dirname "$lib")" && cp -L "$lib" "$BUNDLE/rootfs$lib"
done
printf '#!/proc/self/exe --log=/tmp/fifo\n' >"$BUNDLE/rootfs/bin/evil"
chmod 755 "$BUNDLE/rootfs/bin/evil"
mkfifo "$BUNDLE/rootfs/tmp/fifo"
# The attacker inside: a default-capability process of the container. It finds the runtime
# running /bin/evil, holds its /proc/<pid>/exe, lets it exit, then writes through the handle.
cat >"$BUNDLE/rootfs/bin/attack" <<'SH'
#!/bin/sh
for i in $(seq 100); do
  for p in /proc/[0-9]*; do
    case "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" in *" /bin/evil"*) pid=${p#/proc/}; break 2 ;; esac
  done
  sleep 0.1
done
[ -n "${pid:-}" ] || { echo "no process runs /bin/evil"; exit 1; }
exec 3<"/proc/$pid/exe" || { echo "cannot open /proc/$pid/exe"; exit 1; }
cat /tmp/fifo >/dev/null
for i in $(seq 200); do readlink "/proc/$pid/exe" >/dev/null 2>&1 || break; sleep 0.1; done
if printf '\177' 1<>/proc/self/fd/3; then echo written; else echo refused; fi
SH
chmod 755 "$BUNDLE/rootfs/bin/attack"

# --- create: the init waits on exec.fifo (reachable from a sibling sharing its pid
# namespace, or with CAP_SYS_PTRACE) ---
oci create --bundle "$BUNDLE" esc1 </dev/null >/dev/null 2>&1; expect_eq "create" 0 $?
pid=$(state_pid esc1)
expect_refused "create: /proc/<init>/exe, reopened for writing after the init is gone" \
  "$(attack "$pid" "$OCISTART" --root "$ROOT" delete --force esc1)"

# --- the runtime run directly, not through the launcher: it seals itself (one execveat) ---
CREATED_IDS="$CREATED_IDS esc6"
"$OCISTART_RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" esc6 </dev/null >/dev/null 2>&1
expect_eq "ocistart-runtime create" 0 $?
pid=$(state_pid esc6)
expect_refused "ocistart-runtime create: /proc/<init>/exe, reopened for writing after the init is gone" \
  "$(attack "$pid" "$OCISTART" --root "$ROOT" delete --force esc6)"

# --- the same where the mount API is missing (strace makes open_tree fail): the fallback,
# a sealed memfd copy ---
if command -v strace >/dev/null; then
  bounded 60 "${STRACE[@]}" -qq -o /dev/null -e trace=open_tree -e inject=open_tree:error=ENOSYS \
    "$OCISTART" --root "$ROOT" create --bundle "$BUNDLE" esc5 </dev/null >/dev/null 2>&1
  expect_eq "create, open_tree failing" 0 $?
  pid=$(state_pid esc5)
  expect_contains "create, open_tree failing: the init runs from a memfd" "/memfd:" "$(readlink "/proc/$pid/exe")"
  expect_refused "create, open_tree failing: /proc/<init>/exe, reopened for writing after the init is gone" \
    "$(attack "$pid" "$OCISTART" --root "$ROOT" delete --force esc5)"
else
  echo "skip: no strace (the memfd fallback)"
fi

# --- run: the runtime in the foreground, whose fork is the init ---
(cd "$BUNDLE" && exec "$OCISTART" --root "$ROOT" run esc2 </dev/null >/dev/null 2>&1) &
runner=$!
wait_until 10 "esc2 to run" sh -c "'$OCISTART' --root '$ROOT' state esc2 | grep -q '\"running\"'"
expect_refused "run: /proc/<run>/exe (the init's, forked from it)" \
  "$(attack "$runner" "$OCISTART" --root "$ROOT" kill esc2 KILL)"
wait_job "$runner" 20 "run esc2"
oci delete --force esc2 >/dev/null 2>&1

# --- exec: the runtime in the foreground, whose forks are the joiner and the process ---
oci run -d --bundle "$BUNDLE" esc3 </dev/null >/dev/null 2>&1; expect_eq "run -d" 0 $?
"$OCISTART" --root "$ROOT" exec esc3 sleep 3 </dev/null >/dev/null 2>&1 &
execer=$!
wait_until 10 "exec's sleep" sh -c "'$OCISTART' --root '$ROOT' ps esc3 | grep -q 'sleep 3$'"
expect_refused "exec: /proc/<exec>/exe (the joiner's and the process's)" "$(attack "$execer" true)"
wait_job "$execer" 20 "exec esc3 sleep 3"
oci delete --force esc3 >/dev/null 2>&1

# --- the attack from inside: `exec /bin/evil` runs the runtime's /proc/self/exe in the
# container; the container's own process (nothing of the runtime runs any more) writes
# through its /proc/<pid>/exe ---
set_args "$BUNDLE" /bin/attack
oci run -d --bundle "$BUNDLE" esc4 </dev/null >"$WORK/attack.out" 2>&1; expect_eq "run -d /bin/attack" 0 $?
oci exec -d esc4 /bin/evil </dev/null >/dev/null 2>&1; expect_eq "exec -d /bin/evil" 0 $?
wait_until 30 "the attacker's verdict" grep -qE '^(written|refused)$' "$WORK/attack.out"
expect_eq "exec of #!/proc/self/exe: the container cannot write what it ran" refused \
  "$(grep -E '^(written|refused)$' "$WORK/attack.out")"
oci delete --force esc4 >/dev/null 2>&1

expect_eq "the binary is unchanged" "$before" "$(digest)"

# --- only the commands that start processes in a container pay for it, once ---
# The launcher executes the runtime: from a sealed file (execveat) for those, a plain
# execve for the rest; the runtime never re-executes itself after the launcher sealed it.
if command -v strace >/dev/null; then
  set_args "$BUNDLE" sleep 1000
  execs() {  # [-f] command...: "execve execveat", how many of each the command makes (-f: children too)
    local follow=()
    [ "$1" = -f ] && { follow=(-f); shift; }
    bounded 30 "${STRACE[@]}" "${follow[@]}" -qq -e trace=execve,execveat -o "$WORK/trace" "$OCISTART" \
      --root "$ROOT" "$@" </dev/null >/dev/null 2>&1
    echo "$(grep -c 'execve(' "$WORK/trace") $(grep -c 'execveat(' "$WORK/trace")"
  }
  # Not -f: strace would wait for the init, which outlives create.
  expect_eq "create: the launcher's execveat of the sealed runtime, nothing more" "1 1" \
    "$(execs create --bundle "$BUNDLE" esc1)"
  for c in "state esc1" "list" "start esc1" "kill esc1 KILL" "delete --force esc1"; do
    expect_eq "$c: one plain execve of the runtime, no sealed one" "2 0" "$(execs -f $c)"
  done
else
  echo "skip: no strace (the commands that must not re-execute)"
fi
expect_no_leftovers "escape_exe" esc1 "$BUNDLE"
finish
