#!/bin/bash
# End-to-end checks of the ocistart command line: what a person or an engine sees from the
# built binary (exit statuses, one-line errors, runc's output formats). Needs no root and
# starts no container. Usage: cli.sh path/to/ocistart
set -euo pipefail

BIN=$(realpath "${1:?usage: cli.sh path/to/ocistart}")
T=$(mktemp -d /tmp/ocistart-cli-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
ROOT="$T/root"
checks=0

pass() { checks=$((checks + 1)); echo "ok $checks - $*"; }
fail() { echo "FAIL - $*" >&2; echo "  exit status: ${RC-}" >&2; echo "  stdout: ${OUT-}" >&2; echo "  stderr: ${ERR-}" >&2; exit 1; }

# run ARGS...: runs ocistart, sets RC, OUT and ERR.
run() {
  set +e
  "$BIN" "$@" >"$T/out" 2>"$T/err"
  RC=$?
  set -e
  OUT=$(cat "$T/out")
  ERR=$(cat "$T/err")
}

expect_rc() { [[ $RC -eq $1 ]] || fail "$2: expected exit status $1"; }
# The runc-style one-line error on stderr: "ocistart: ..." and nothing else.
expect_one_line_error() {
  [[ $(printf '%s\n' "$ERR" | wc -l) -eq 1 ]] || fail "$1: expected exactly one line on stderr"
  [[ $ERR == "ocistart: "* ]] || fail "$1: expected the error to start with 'ocistart: '"
}
# A usage error: the message, then a hint naming --help.
expect_usage_error() {
  expect_rc 1 "$1"
  [[ $(printf '%s\n' "$ERR" | wc -l) -eq 2 ]] || fail "$1: expected an error line and a hint line"
  [[ $(printf '%s\n' "$ERR" | head -1) == "ocistart: "* ]] || fail "$1: expected 'ocistart: ' first"
  [[ $(printf '%s\n' "$ERR" | tail -1) == *"--help"* ]] || fail "$1: expected a hint naming --help"
}
valid_json() { /usr/bin/python3 -m json.tool >/dev/null; }

# --version
for flag in --version -v; do
  run "$flag"
  expect_rc 0 "$flag"
  [[ $(printf '%s\n' "$OUT" | sed -n 1p) =~ ^ocistart\ version\ [0-9]+\.[0-9]+ ]] || fail "$flag: first line"
  [[ $(printf '%s\n' "$OUT" | sed -n 2p) =~ ^spec:\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "$flag: spec line"
  printf '%s\n' "$OUT" | grep -Eq '^features: [+-]seccomp [+-]apparmor [+-]selinux [+-]systemd$' ||
    fail "$flag: features line"
  if printf '%s\n' "$OUT" | grep -q '+seccomp'; then
    printf '%s\n' "$OUT" | grep -Eq '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$' || fail "$flag: libseccomp line"
  fi
  pass "$flag prints version, spec version and features"
done

# No command: help on stdout, success (as runc).
run
expect_rc 0 "no command"
[[ $OUT == *"Usage:"* && $OUT == *"create"* && $OUT == *"--root"* ]] || fail "no command: help text"
pass "no command prints the help and exits 0"

run create --help
expect_rc 0 "create --help"
[[ $OUT == *"--bundle"* && $OUT == *"--console-socket"* && $OUT == *"--pid-file"* ]] || fail "create --help"
run help kill
expect_rc 0 "help kill"
[[ $OUT == *"signal"* ]] || fail "help kill"
pass "create --help and help kill describe the command"

# spec writes config.json (mode 0666 minus umask) and never overwrites it.
mkdir "$T/bundle"
(cd "$T/bundle" && umask 022 && "$BIN" spec) || fail "spec: exit status"
[[ -f $T/bundle/config.json ]] || fail "spec: no config.json"
valid_json <"$T/bundle/config.json" || fail "spec: config.json is not JSON"
[[ $(stat -c %a "$T/bundle/config.json") == 644 ]] || fail "spec: mode is not 0666 & ~umask"
/usr/bin/python3 - "$T/bundle/config.json" <<'EOF' || fail "spec: config.json lacks what runc writes"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["ociVersion"] and c["root"]["path"] == "rootfs", c.get("root")
assert c["process"]["args"] == ["sh"] and c["process"]["terminal"] is True
assert any(m["destination"] == "/proc" for m in c["mounts"])
assert {n["type"] for n in c["linux"]["namespaces"]} >= {"pid", "mount", "ipc", "uts", "network"}
EOF
pass "spec writes a valid default config.json with mode 0644 under umask 022"

before=$(sha256sum "$T/bundle/config.json")
run spec --bundle "$T/bundle"
expect_rc 1 "second spec"
expect_one_line_error "second spec"
[[ $ERR == *config.json* ]] || fail "second spec: the error does not name config.json"
[[ $(sha256sum "$T/bundle/config.json") == "$before" ]] || fail "second spec: config.json changed"
pass "a second spec fails with one line naming config.json and leaves it alone"

mkdir "$T/rootless"
run spec --rootless --bundle "$T/rootless"
expect_rc 0 "spec --rootless"
/usr/bin/python3 - "$T/rootless/config.json" "$(id -u)" "$(id -g)" <<'EOF' || fail "spec --rootless: id mappings"
import json, sys
c = json.load(open(sys.argv[1]))
uid, gid = int(sys.argv[2]), int(sys.argv[3])
assert c["linux"]["uidMappings"][0]["hostID"] == uid
assert c["linux"]["gidMappings"][0]["hostID"] == gid
assert "user" in {n["type"] for n in c["linux"]["namespaces"]}
assert "network" not in {n["type"] for n in c["linux"]["namespaces"]}
EOF
pass "spec --rootless maps the caller's uid/gid in a user namespace"

run spec --bundle "$T/missing"
expect_rc 1 "spec into a missing bundle"
expect_one_line_error "spec into a missing bundle"
pass "spec into a missing directory fails with one line"

# features
run features
expect_rc 0 features
printf '%s\n' "$OUT" | valid_json || fail "features: not JSON"
printf '%s\n' "$OUT" | /usr/bin/python3 -c '
import json, sys
f = json.load(sys.stdin)
assert f["ociVersionMin"] == "1.0.0" and f["ociVersionMax"]
assert "CAP_SYS_ADMIN" in f["linux"]["capabilities"]
assert "enabled" in f["linux"]["seccomp"]
assert f["annotations"]["io.github.ocistart.version"]
' || fail "features: members"
pass "features prints the features document as JSON"

# state
run --root "$ROOT" state nonexistent
expect_rc 1 "state nonexistent"
expect_one_line_error "state nonexistent"
[[ -z $OUT ]] || fail "state nonexistent: wrote to stdout"
pass "state of a missing container fails with one line"

run --root "$T/never-made" state ../x
expect_rc 1 "state ../x"
expect_one_line_error "state ../x"
[[ $ERR == *"invalid container id"* ]] || fail "state ../x: does not say invalid id"
[[ ! -e $T/never-made && ! -e $T/x ]] || fail "state ../x: touched the file system"
mkdir -p "$ROOT"
run --root "$ROOT" state ../x
[[ -z $(ls -A "$ROOT") && ! -e $T/x ]] || fail "state ../x: created something"
pass "state ../x is refused as an invalid id before touching the root"

# list
mkdir "$T/empty"
run --root "$T/empty" list
expect_rc 0 "list"
[[ $OUT == "ID          PID         STATUS      BUNDLE      CREATED     OWNER" ]] || fail "list: header"
run --root "$T/empty" list --format json
expect_rc 0 "list --format json"
[[ $OUT == null ]] || fail "list --format json: expected runc's null"
run --root "$T/empty" list -q
expect_rc 0 "list -q"
[[ -z $OUT ]] || fail "list -q: expected nothing"
run --root "$T/not-yet" list
expect_rc 0 "list on a missing root"
[[ -d $T/not-yet ]] || fail "list on a missing root: the root is not created"
pass "list on an empty root: runc's header, null in JSON, nothing with -q"

# create with nothing to create from: one-line failure, nothing left in the root.
mkdir "$T/nocfg"
run --root "$ROOT" create --bundle "$T/nocfg" c1
expect_rc 1 "create without config.json"
expect_one_line_error "create without config.json"
[[ $ERR == *create* ]] || fail "create: the error does not name the command"
[[ ! -e $ROOT/c1 ]] || fail "create: left $ROOT/c1 behind"
pass "create on a bundle without config.json fails with one line and leaves nothing"

# Commands on a missing container fail with one line.
# (logs reads the journal by identifier, which outlives containers: see journald.sh.)
for cmd in pause resume events update status ps; do
  run --root "$ROOT" "$cmd" c1
  [[ $RC -ne 0 ]] || fail "$cmd on a missing container succeeded"
  expect_one_line_error "$cmd"
  expect_rc 1 "$cmd"
done
pass "pause resume events update status ps on a missing container fail with one line"

# Usage errors: exit 1, the message and a hint.
run bogus
expect_usage_error "unknown command"
[[ $ERR == *"unknown command"*bogus* ]] || fail "unknown command: message"
pass "an unknown command exits 1 with a usage hint"

run --root "$ROOT" list --bogus
expect_usage_error "unknown flag"
[[ $ERR == *--bogus* && $ERR == *"ocistart list --help"* ]] || fail "unknown flag: message"
run --bogus list
expect_usage_error "unknown global flag"
pass "an unknown flag exits 1 with a usage hint"

run --root "$ROOT" state
expect_usage_error "state without an id"
run --log-format xml list
expect_usage_error "bad --log-format"
run --cgroup-manager cgroupv3 list
expect_usage_error "bad --cgroup-manager"
run --root "$ROOT" kill c1 NOSUCHSIGNAL
expect_usage_error "kill with an unknown signal"
pass "a missing id or a bad flag value exits 1 with a usage hint"

# --log FILE --log-format json: errors land in the file as JSON lines (and on stderr).
run --root "$ROOT" --log "$T/log.json" --log-format json state nope
expect_rc 1 "state with --log"
expect_one_line_error "state with --log"
/usr/bin/python3 - "$T/log.json" <<'EOF' || fail "--log-format json: the log file"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "empty log"
rec = json.loads(lines[-1])
assert rec["level"] == "error" and "nope" in rec["msg"] and rec["time"], rec
EOF
run --root "$ROOT" --log "$T/log.txt" state nope
grep -q '^time=".*" level=error msg=".*nope.*"$' "$T/log.txt" || fail "--log text: the log file"
pass "--log writes error records as JSON or text lines"

echo "all $checks checks passed"
