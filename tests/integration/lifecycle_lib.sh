# Shared fixture for the lifecycle tests (sourced). A busybox bundle in a temp dir, a temp
# --root, assertions, and the "nothing left behind" check. Cleans up only what it made.
set -u
OCISTART=$(readlink -f "${1:?usage: $0 /path/to/ocistart}")
# The runtime the launcher executes (src/launcher.cc): the file beside it.
OCISTART_RUNTIME=$(dirname "$OCISTART")/ocistart-runtime
# copy_binaries DIR: the launcher and the runtime as DIR/ocistart and DIR/ocistart-runtime
# (the launcher finds the runtime beside itself), mode 755.
copy_binaries() {
  cp "$OCISTART" "$1/ocistart" && cp "$OCISTART_RUNTIME" "$1/ocistart-runtime" &&
    chmod 755 "$1/ocistart" "$1/ocistart-runtime"
}
if [ "$(id -u)" != 0 ]; then echo "SKIP: not root"; exit 77; fi
[ -x /bin/busybox ] || { echo "SKIP: no /bin/busybox (busybox-static)"; exit 77; }
# Debian's python3, never the first on PATH: a version manager's shim there can take a
# second per start.
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }

# Tests that boot a private systemd (fresh /tmp inside) set OCISTART_TEST_TMP elsewhere.
mkdir -p "${OCISTART_TEST_TMP:-/tmp}"
WORK=$(mktemp -d "${OCISTART_TEST_TMP:-/tmp}/ocistart-lifecycle.XXXXXX")
ROOT=$WORK/root
BUNDLE=$WORK/bundle
FAILS=0
CREATED_IDS=""
mkdir -p "$ROOT"

cleanup() {
  for id in $CREATED_IDS; do
    timeout -k 5 30 "$OCISTART" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=lib/bounded.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/bounded.sh"

# Every ocistart call has a deadline (OCI_TIMEOUT seconds, default 60): a hang fails the
# test naming the command instead of running into meson's timeout.
OCI_TIMEOUT=${OCI_TIMEOUT:-60}
oci() { bounded "$OCI_TIMEOUT" "$OCISTART" --root "$ROOT" "$@"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
# "${STRACE[@]}" ARGS...: strace with LeakSanitizer off for what it traces (in a sanitizer
# build, tools/sanitize, LSan cannot run under ptrace and fails the traced process).
STRACE=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace)
# A task's exit(0) in a `strace -f` trace, for grep after "^PID  *": strace splits the line
# ("exit(0 <unfinished ...>") when another task is in a call at the same time.
STRACE_EXIT0='exit(0\()\| <unfinished\)'
pass() { echo "ok: $*"; }

expect_eq() {  # what expected actual
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
expect_contains() {  # what needle haystack
  case "$3" in *"$2"*) pass "$1" ;; *) fail "$1: [$2] not in [$3]" ;; esac
}

make_bundle() {  # dir
  local dir=$1
  rm -rf "$dir"
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" "$dir/rootfs/tmp" "$dir/rootfs/etc"
  cp /bin/busybox "$dir/rootfs/bin/busybox"
  "$dir/rootfs/bin/busybox" --install -s "$dir/rootfs/bin"
  # --install -s links to the absolute host path: make the links relative.
  (cd "$dir/rootfs/bin" && for l in $(find . -type l); do ln -sf busybox "$l"; done)
  (cd "$dir" && "$OCISTART" spec) || { echo "FAIL: ocistart spec"; exit 1; }
  # No ambient set: raising ambient caps without inheritable ones fails in apply_process_attributes.
  edit_config "$dir" 'c["process"]["terminal"]=False; c["process"]["capabilities"].pop("ambient", None)'
}

edit_config() {  # dir python-statements (c is the config)
  "$PY" - "$1/config.json" "$2" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
c = json.load(open(path))
exec(code)
json.dump(c, open(path, "w"), indent=1)
PY
}

set_args() {  # dir arg...
  local dir=$1; shift
  local json
  json=$("$PY" -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@")
  edit_config "$dir" "c['process']['args']=$json"
}

# Nothing of container `id` (bundle `dir`) is left: state dir, cgroup, mounts, processes.
expect_no_leftovers() {  # what id dir
  local what=$1 id=$2 dir=$3 left=""
  [ -z "$(ls -A "$ROOT")" ] || left="$left state:[$(ls -A "$ROOT")]"
  for c in /sys/fs/cgroup/*/ocistart/"$id"; do
    [ -e "$c" ] && left="$left cgroup:$c"
  done
  grep -q " $dir/" /proc/self/mountinfo && left="$left mount"
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    case "$r" in "$dir"/*) left="$left process:${p#/proc/}" ;; esac
  done
  if [ -z "$left" ]; then pass "$what: nothing left behind"; else fail "$what: left behind:$left"; fi
}

# expect_create_fails what id expected-message-part: create of BUNDLE as `id` fails with
# one line naming the problem, and leaves nothing (state dir, cgroup, mount, process).
expect_create_fails() {
  local what=$1 id=$2 needle=$3 out rc
  # Into a file, not $(...): an init that a create did start would hold a pipe open.
  CREATED_IDS="$CREATED_IDS $id"
  oci create --bundle "$BUNDLE" "$id" >"$WORK/create.out" 2>&1 </dev/null; rc=$?
  out=$(cat "$WORK/create.out")
  if [ "$rc" = 0 ]; then
    fail "$what: create succeeded"
    oci delete --force "$id" >/dev/null 2>&1
    return
  fi
  echo "  ($what) ${out:0:300}"
  expect_contains "$what: the error names it" "$needle" "$out"
  expect_eq "$what: one error line" 1 "$(printf '%s\n' "$out" | grep -c .)"
  expect_no_leftovers "$what" "$id" "$BUNDLE"
}

finish() {
  report_hangs
  if [ "$FAILS" -ne 0 ]; then echo "$FAILS failure(s)"; exit 1; fi
  echo "all passed"; exit 0
}
