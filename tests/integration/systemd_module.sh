#!/bin/bash
# The systemd module (docs/layers.md "The systemd module"): the binary links neither
# libsystemd nor sdbus-c++ (nor what they pull in), the commands that need no systemd never
# look for the module (traced with strace: no file call names it), and those that do load
# it; a missing module is one error line naming its path. Needs root (a cgroupfs run).
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
command -v strace >/dev/null || { echo "SKIP: no strace"; exit 77; }
command -v readelf >/dev/null || { echo "SKIP: no readelf"; exit 77; }
"$OCISTART" --version | grep -q '+systemd' || { echo "SKIP: built without systemd"; exit 77; }
MODULE=$(dirname "$OCISTART")/ocistart-systemd.so

# 1. DT_NEEDED of the binary: none of the systemd libraries; the module has them.
needed=$(readelf -d "$OCISTART_RUNTIME" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
bad=$(echo "$needed" | tr ' ' '\n' | grep -E '^lib(systemd|sdbus-c\+\+|gcrypt|gpg-error|lzma|zstd|lz4)\.' | tr '\n' ' ')
expect_eq "the binary needs no systemd library (needs: $needed)" "" "$bad"
expect_contains "the module needs libsystemd" "libsystemd.so" "$(readelf -d "$MODULE" 2>&1)"
expect_contains "the module needs sdbus-c++" "libsdbus-c++.so" "$(readelf -d "$MODULE" 2>&1)"
# Its copies of the folder libraries share no state with the binary's (src/meson.build):
# in particular it must not log, or its records would ignore --log, --log-format, --debug.
if command -v nm >/dev/null; then
  expect_eq "the module holds no logging code (util/log's settings are the binary's)" "" \
    "$(nm -C "$MODULE" | grep -E ' [TtWw] ocistart::util::log_' | head -3)"
fi

# traced NAME ARGS...: runs ocistart ARGS under strace -f (every file call, in the
# children too), the trace in $WORK/NAME.trace; sets RC. Not for create, whose init
# outlives it (strace -f would wait for it): create_traced follows the command alone.
traced() {
  local name=$1; shift
  bounded "$OCI_TIMEOUT" "${STRACE[@]}" -f -qq -e trace=%file -o "$WORK/$name.trace" \
    "$OCISTART" --root "$ROOT" "$@" >"$WORK/$name.out" 2>&1 </dev/null
  RC=$?
}
create_traced() {
  bounded "$OCI_TIMEOUT" "${STRACE[@]}" -qq -e trace=%file -o "$WORK/create.trace" \
    "$OCISTART" --root "$ROOT" "$@" >"$WORK/create.out" 2>&1 </dev/null
  RC=$?
}
never_looks() {  # name
  local hits
  hits=$(grep -c 'ocistart-systemd' "$WORK/$1.trace")
  expect_eq "$1 (exit $RC) does not look for the module" "0" "$hits"
}
loads() {  # name
  expect_contains "$1 (exit $RC) loads the module" "openat(AT_FDCWD, \"$MODULE\"" "$(cat "$WORK/$1.trace")"
}

# 2. The lifecycle on the cgroupfs driver: no command looks for the module.
make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 100
CREATED_IDS="m1 m2"
create_traced --cgroup-manager cgroupfs create --bundle "$BUNDLE" m1; never_looks create
traced start start m1; never_looks start
traced state state m1; never_looks state
traced list list; never_looks list
traced exec exec m1 true; never_looks exec
traced kill kill m1 KILL; never_looks kill
bounded 10 sh -c "until $OCISTART --root $ROOT state m1 | grep -q stopped; do sleep 0.05; done" ||
  fail "m1 did not stop after kill"
traced delete delete m1; never_looks delete
set_args "$BUNDLE" true
traced run --cgroup-manager cgroupfs run --bundle "$BUNDLE" m2; never_looks run
expect_eq "the cgroupfs run succeeded" "0" "$RC"
expect_no_leftovers "cgroupfs lifecycle" m2 "$BUNDLE"

# 3. What needs systemd loads it: logs (the journal reader), status (its journal lines).
# A run under $NOTIFY_SOCKET does not: READY=1 is our own datagram (util/notify_socket.h).
traced logs logs m3; loads logs
set_args "$BUNDLE" sleep 100
CREATED_IDS="$CREATED_IDS m4"
oci --cgroup-manager cgroupfs run -d --bundle "$BUNDLE" m4 >"$WORK/m4.out" 2>&1 </dev/null || fail "run -d m4: $(cat "$WORK/m4.out")"
traced status status m4; loads status
oci delete --force m4
set_args "$BUNDLE" true
"$PY" - "$WORK/notify.sock" >"$WORK/notify.out" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)  # nothing within 30 s: the listener gives up (and the test says so)
print("listening", flush=True)
print(s.recv(4096).decode().replace("\n", " "), flush=True)
PY
listener=$!
wait_until 10 "the notify listener to listen" grep -q listening "$WORK/notify.out"
NOTIFY_SOCKET=$WORK/notify.sock traced notify --cgroup-manager cgroupfs run --bundle "$BUNDLE" m5; never_looks notify
expect_eq "the run under \$NOTIFY_SOCKET succeeded" "0" "$RC"
wait_job "$listener" 35 "the NOTIFY_SOCKET listener (no READY=1?)"
expect_contains "READY=1 reached \$NOTIFY_SOCKET" "READY=1" "$(tr -d '\0' <"$WORK/notify.out")"

# 4. A binary that is not the build tree's looks for the installed module only, whatever
# the environment says; missing, it is one line naming the path.
copy_binaries "$WORK"
out=$(OCISTART_SYSTEMD_MODULE="$MODULE" LD_LIBRARY_PATH=$(dirname "$MODULE") \
  bounded 10 "$WORK/ocistart" --root "$ROOT" logs m3 2>&1)
rc=$?
installed=$(strings "$OCISTART_RUNTIME" | grep -m1 '/ocistart/ocistart-systemd\.so$')
if [ -e "$installed" ]; then
  pass "an ocistart is installed here ($installed): the missing-module check is skipped"
else
  expect_eq "a copied binary without an installed module fails" "1" "$rc"
  expect_contains "the error names the installed path" "the systemd module \`$installed\`" "$out"
  expect_eq "the error is one line" "1" "$(printf '%s\n' "$out" | grep -c .)"
fi
finish
