#!/bin/bash
# Bundle-less runs: `run --rootfs DIR | --image NAME [flags] [--] CMD...` (no config.json
# to write): what the container saw for each flag, the exit status, the generated id, the
# errors (one line naming the flag), and nothing left after each run.
. "$(dirname "$0")/lifecycle_lib.sh" "$@"

make_bundle "$BUNDLE"
R=$BUNDLE/rootfs
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1001:Alice:/home/alice:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\nalice:x:1001:\nstaff:x:50:\n' >"$R/etc/group"

# run_bl NAME ARGS...: a foreground bundle-less run as NAME; stdout in $WORK/out, stderr
# in $WORK/err, exit status in $rc.
run_bl() {
  local name=$1; shift
  CREATED_IDS="$CREATED_IDS $name"
  oci run --name "$name" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null; rc=$?
}
expect_clean() {  # what id
  expect_no_leftovers "$1" "$2" "$BUNDLE"
}

# The process: env, user, cwd, hostname; the flags the container saw.
run_bl bl1 --rootfs "$R" -E FOO=bar --uid 1000 --working-directory /tmp --hostname box -- \
  sh -c 'echo $FOO; id -u; id -g; pwd; hostname'
expect_eq "run --rootfs succeeds" 0 "$rc"
expect_eq "-E, --uid, --working-directory, --hostname seen inside" "bar 1000 1001 /tmp box" "$(echo $(cat "$WORK/out"))"
expect_eq "no id printed when --name was given" "" "$(cat "$WORK/err")"
expect_clean "run --rootfs" bl1

run_bl bl1b --rootfs "$R" --uid alice --gid staff sh -c 'id -u; id -g'
expect_eq "--uid/--gid names from the rootfs's /etc/passwd and /etc/group" "1000 50" "$(echo $(cat "$WORK/out"))"
run_bl bl1c --rootfs "$R" --uid alice sh -c 'id -g'
expect_eq "--uid NAME without --gid: the user's primary group" "1001" "$(cat "$WORK/out")"
expect_clean "--uid names" bl1b

# Relative --rootfs, and the exit status passed through.
(cd "$BUNDLE" && oci run --name bl2 --rootfs rootfs sh -c 'exit 7' </dev/null); rc=$?
expect_eq "a relative --rootfs; the exit status is the command's" 7 "$rc"
expect_clean "exit status" bl2

# Without --name: a generated id, printed on stderr as systemd-run prints its unit.
oci run --rootfs "$R" true >"$WORK/out" 2>"$WORK/err" </dev/null; rc=$?
expect_eq "run without --name succeeds" 0 "$rc"
if grep -Eqx 'Running as container ocistart-[0-9a-f]{8}\.' "$WORK/err"; then
  pass "the generated id is printed: $(cat "$WORK/err")"
else
  fail "the generated id is printed: got [$(cat "$WORK/err")]"
fi
gen=$(sed -n 's/^Running as container \(.*\)\.$/\1/p' "$WORK/err")
expect_clean "generated id" "${gen:-none}"
# A generated id whose create fails: one line, the error (which names the id), and no
# "Running as" for a container that never existed.
oci run --rootfs "$R" /no/such/command >"$WORK/out" 2>"$WORK/err" </dev/null; rc=$?
expect_eq "a failed run with a generated id: one error line, non-zero exit" "1 1" \
  "$(grep -c . "$WORK/err") $((rc != 0))"
expect_contains "a failed run with a generated id: the error names the id" 'run `ocistart-' "$(cat "$WORK/err")"

# --bind (read-write, :ro), --bind-ro, --tmpfs.
mkdir -p "$WORK/data" && echo hello >"$WORK/data/f"
run_bl bl3 --rootfs "$R" --bind "$WORK/data:/data" sh -c 'cat /data/f; echo new >/data/g'
expect_eq "--bind is visible inside" "hello" "$(cat "$WORK/out")"
expect_eq "--bind is writable" "new" "$(cat "$WORK/data/g" 2>&1)"
expect_clean "--bind" bl3
run_bl bl4 --rootfs "$R" --bind "$WORK/data:/data:ro" --bind-ro "$WORK/data:/data2" \
  sh -c 'cat /data/f; touch /data/x 2>/dev/null && echo rw1 || echo ro1; touch /data2/x 2>/dev/null && echo rw2 || echo ro2'
expect_eq "--bind :ro and --bind-ro are read-only" "hello ro1 ro2" "$(echo $(cat "$WORK/out"))"
[ -e "$WORK/data/x" ] && fail "a read-only bind was written"
expect_clean "--bind :ro" bl4
run_bl bl5 --rootfs "$R" --tmpfs /scratch:size=1m sh -c 'grep " /scratch " /proc/mounts; echo x >/scratch/y && cat /scratch/y'
expect_contains "--tmpfs mounts a tmpfs" "tmpfs /scratch tmpfs rw,nosuid,nodev" "$(cat "$WORK/out")"
expect_contains "--tmpfs's options" "size=1024k" "$(cat "$WORK/out")"
expect_clean "--tmpfs" bl5

# --read-only
run_bl bl6 --rootfs "$R" --read-only sh -c 'touch /x 2>/dev/null && echo rw || echo ro'
expect_eq "--read-only makes the root read-only" "ro" "$(cat "$WORK/out")"
[ -e "$R/x" ] && { fail "--read-only: /x was written"; rm -f "$R/x"; }
expect_clean "--read-only" bl6

# --network host: the host's network namespace; by default one of its own.
host_net=$(readlink /proc/self/ns/net)
run_bl bl7 --rootfs "$R" --network host readlink /proc/self/ns/net
expect_eq "--network host: the host's network namespace" "$host_net" "$(cat "$WORK/out")"
run_bl bl8 --rootfs "$R" readlink /proc/self/ns/net
if [ "$(cat "$WORK/out")" != "$host_net" ] && [ -n "$(cat "$WORK/out")" ]; then
  pass "default (--network none): a network namespace of its own"
else
  fail "default network namespace: got [$(cat "$WORK/out")], host [$host_net]"
fi
expect_clean "--network" bl8

# Capabilities.
run_bl bl9 --rootfs "$R" --drop-capability all grep CapEff /proc/self/status
expect_eq "--drop-capability all: no effective capability" "CapEff:	0000000000000000" "$(cat "$WORK/out")"
run_bl bl10 --rootfs "$R" --capability net_admin,CAP_SYS_TIME --drop-capability kill grep CapEff /proc/self/status
# default AUDIT_WRITE(29) KILL(5) NET_BIND_SERVICE(10); + NET_ADMIN(12) SYS_TIME(25) - KILL
expect_eq "--capability adds, --drop-capability removes" "CapEff:	0000000022001400" "$(cat "$WORK/out")"
expect_clean "capabilities" bl10

# -t: a pty, proxied in the foreground.
run_bl bl11 --rootfs "$R" -t sh -c 'test -t 0 && test -t 1 && echo tty'
expect_eq "-t gives the process a terminal" "0 tty" "$rc $(tr -d '\r' <"$WORK/out")"
expect_clean "-t" bl11

# --image NAME from /var/lib/machines.
IMG=ocistart-test-img-$$
if [ -e "/var/lib/machines/$IMG" ]; then
  fail "/var/lib/machines/$IMG exists already"
else
  mkdir -p /var/lib/machines
  image_cleanup() { rm -rf "/var/lib/machines/$IMG"; cleanup; }
  trap image_cleanup EXIT  # also when the test is killed half-way
  cp -a "$R" "/var/lib/machines/$IMG"
  oci run --image "$IMG" sh -c 'cat /etc/group | head -1' >"$WORK/out" 2>"$WORK/err" </dev/null; rc=$?
  expect_eq "--image runs from /var/lib/machines/NAME" "0 root:x:0:" "$rc $(cat "$WORK/out")"
  if grep -Eqx "Running as container $IMG-[0-9a-f]{8}\." "$WORK/err"; then
    pass "--image: the generated id is the image's name plus a suffix"
  else
    fail "--image: generated id: [$(cat "$WORK/err")]"
  fi
  gen=$(sed -n 's/^Running as container \(.*\)\.$/\1/p' "$WORK/err")
  expect_no_leftovers "--image" "${gen:-none}" "/var/lib/machines/$IMG"
  rm -rf "/var/lib/machines/$IMG"
  trap cleanup EXIT
fi

# --print-config: the config, as `ocistart spec` writes it; nothing run, nothing made.
out=$(oci run --rootfs "$R" -E FOO=bar --hostname box --network host --read-only --tmpfs /t \
  --bind "$WORK/data:/d:ro" --uid 1000 --print-config -- echo hi 2>&1); rc=$?
expect_eq "--print-config exits 0" 0 "$rc"
got=$(printf '%s' "$out" | "$PY" -c '
import json, sys
c = json.load(sys.stdin)
ns = [n["type"] for n in c["linux"]["namespaces"]]
print(c["root"]["path"], c["root"]["readonly"], c["hostname"], "FOO=bar" in c["process"]["env"],
      c["process"]["args"], c["process"]["user"]["uid"], "network" in ns,
      [m["destination"] for m in c["mounts"]][-2:], c["mounts"][-1]["options"])' 2>&1)
expect_eq "--print-config has the flags" \
  "$R True box True ['echo', 'hi'] 1000 False ['/d', '/t'] ['nosuid', 'nodev', 'mode=0755']" "$got"
expect_eq "--print-config is formatted as ocistart spec" "$(cd "$WORK" && "$OCISTART" spec --bundle . >/dev/null; head -c 30 "$WORK/config.json")" "${out:0:30}"
rm -f "$WORK/config.json"
expect_clean "--print-config" none

# --detach: the container keeps its private bundle (<root>/.bundle-<id>) until delete.
CREATED_IDS="$CREATED_IDS bl12"
oci run -d --rootfs "$R" --name bl12 sleep 100 >/dev/null 2>&1 </dev/null
bundle=$(oci state bl12 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["bundle"])')
expect_eq "a detached bundle-less container's bundle is private, under the state root" "$ROOT/.bundle-bl12" "$bundle"
expect_eq "list shows it once" "bl12" "$(oci list -q)"
oci delete --force bl12
expect_clean "--detach then delete" bl12
# --keep: the same, deleted later.
run_bl bl13 --keep --rootfs "$R" true
expect_eq "--keep leaves the private bundle" "yes" "$([ -f "$ROOT/.bundle-bl13/config.json" ] && echo yes)"
oci delete bl13
expect_clean "--keep then delete" bl13

# A name in use: refused, the other container's bundle untouched.
edit_config "$BUNDLE" 'c["process"]["args"] = ["sleep", "100"]'
CREATED_IDS="$CREATED_IDS dup"
(cd "$BUNDLE" && oci run -d dup >/dev/null 2>&1 </dev/null)
run_bl dup --rootfs "$R" true
expect_eq "a bundle-less run of an existing id fails" "1 ocistart: run \`dup\`: container \`dup\` already exists" \
  "$rc $(cat "$WORK/err")"
oci delete --force dup
expect_clean "existing id" dup

# Errors: one line naming the flag, exit 1, nothing left.
expect_error() {  # what needle args...
  local what=$1 needle=$2; shift 2
  CREATED_IDS="$CREATED_IDS blerr"
  oci run "$@" >"$WORK/out" 2>&1 </dev/null; rc=$?
  expect_eq "$what: exit 1" 1 "$rc"
  expect_contains "$what: names it" "$needle" "$(cat "$WORK/out")"
  expect_eq "$what: one line" 1 "$(grep -c . "$WORK/out")"
  expect_clean "$what" blerr
}
expect_error "bad --bind syntax" "--bind: expected SRC[:DST[:ro]], got \`a:b:c:d\`" --rootfs "$R" --name blerr --bind a:b:c:d true
expect_error "missing --bind source" "--bind: source \`$WORK/nope\`: no such file or directory" \
  --rootfs "$R" --name blerr --bind "$WORK/nope:/x" true
expect_error "unknown capability" "--capability: unknown capability \`bogus\`" --rootfs "$R" --name blerr --capability bogus true
expect_error "unknown --drop-capability" "--drop-capability: unknown capability \`x\`" --rootfs "$R" --name blerr --drop-capability x true
expect_error "missing --rootfs" "--rootfs \`$WORK/missing\`: no such file or directory" --rootfs "$WORK/missing" --name blerr true
expect_error "--bundle and --rootfs" "--rootfs and --bundle exclude each other" --bundle "$BUNDLE" --rootfs "$R" --name blerr true
expect_error "--rootfs and --image" "--rootfs and --image exclude each other" --image x --rootfs "$R" --name blerr true
expect_error "a bundle-less flag in bundle mode" "--setenv: only with --rootfs or --image" -E A=1 blerr
expect_error "--network other" "--network: expected none or host, got \`bridge\`" --rootfs "$R" --name blerr --network bridge true
expect_error "unknown image" "--image \`nosuch-$$\`: not found in /var/lib/machines/nosuch-$$, /var/lib/ocistart/images/nosuch-$$" \
  --image "nosuch-$$" --name blerr true
expect_error "image name with a slash" "--image: expected a plain name" --image ../etc --name blerr true
expect_error "bad --name" "invalid container id" --rootfs "$R" --name ../x true
expect_error "a command that does not exist" "executable file not found" --rootfs "$R" --name blerr nosuchcmd

# Bundle mode is unchanged: the id, then nothing.
out=$(cd "$BUNDLE" && oci run blx extra 2>&1); rc=$?
expect_eq "run ID extra is still refused" 1 "$rc"
expect_clean "bundle mode" blx


# Rootless: an unprivileged user this test makes (and removes) runs one from its own rootfs
# (the default spec's rootless variant: its uid mapped to root), state in $XDG_RUNTIME_DIR.
if command -v useradd >/dev/null && command -v runuser >/dev/null; then
  U=ocibl$$
  UWORK=$WORK/user
  rootless_cleanup() { userdel -r "$U" >/dev/null 2>&1; cleanup; }
  trap rootless_cleanup EXIT
  useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$U" || fail "useradd $U"
  mkdir -p "$UWORK/xdg" && chmod 755 "$WORK" "$UWORK" && chmod 700 "$UWORK/xdg"
  copy_binaries "$UWORK"
  cp -a "$R" "$UWORK/rootfs"
  chown -R "$U:$U" "$UWORK/xdg" "$UWORK/rootfs"
  out=$(bounded "$OCI_TIMEOUT" runuser -u "$U" -- env -i HOME="/home/$U" PATH=/usr/bin:/bin \
    XDG_RUNTIME_DIR="$UWORK/xdg" "$UWORK/ocistart" run --rootfs "$UWORK/rootfs" --name blu -E A=1 -- \
    sh -c 'echo $A; id -u; cat /proc/self/uid_map' 2>&1 </dev/null); rc=$?
  expect_eq "rootless: a bundle-less run as an unprivileged user" "0 1 0 0 $(id -u "$U") 1" "$rc $(echo $out)"
  expect_eq "rootless: nothing left in the user's state root" "" "$(ls -A "$UWORK/xdg/ocistart" 2>&1)"
fi

finish
