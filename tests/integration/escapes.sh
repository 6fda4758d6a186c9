#!/bin/bash
# Escapes through what the runtime holds (issue 9): nothing of the host reaches a process
# that `exec` starts (CVE-2024-21626: a host directory fd as its cwd), and a cwd outside
# the container's root is refused; nor does the host's console. Each check fails on a
# runtime that leaks.
. "$(dirname "$0")/lifecycle_lib.sh"

make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 100
CREATED_IDS="$CREATED_IDS esc"
bounded 20 "$OCISTART" --root "$ROOT" run -b "$BUNDLE" -d esc </dev/null >/dev/null 2>&1
expect_eq "run -d esc" 0 $?
host_name=$(cat /etc/hostname)

# 1. The exec'd process has no fd of ours: each of its fds is stdio or its own.
fds=$(bounded_output 20 "$OCISTART" --root "$ROOT" exec esc sh -c 'for f in /proc/$$/fd/*; do echo "${f##*/}=$(readlink $f)"; done')
leaked=$(echo "$fds" | grep -v -E '^[012]=' | grep -E '=/(sys|run|proc/[0-9]|tmp|root|etc|work)' || true)
expect_eq "exec: no host fd reaches the process (its fds: $(echo $fds))" "" "$leaked"

# 2. --cwd through /proc/self/fd/N is refused for every N (the host directory of a leaked
#    fd would put the process outside the root); nothing of the host is read.
for n in $(seq 3 12); do
  out=$(bounded_output 20 "$OCISTART" --root "$ROOT" exec --cwd "/proc/self/fd/$n" --user 1000:1000 esc \
        sh -c 'cat ../../../../etc/hostname; pwd')
  case "$out" in
    *"$host_name"*) fail "exec --cwd /proc/self/fd/$n reads the host's /etc/hostname: $out" ;;
    *) pass "exec --cwd /proc/self/fd/$n: the host stays out of reach" ;;
  esac
done
[ ! -e /root/ocistart-escape-marker ] || fail "a file was created on the host"

oci delete --force esc

# 2b. The same through the config's process.cwd, at create: whatever fd N the init holds,
#     its process never reads the host's files (it writes what it read into its own /tmp).
set_args "$BUNDLE" sh -c 'cat ../../../../etc/hostname >/tmp/cwd-read 2>&1; pwd >>/tmp/cwd-read'
edit_config "$BUNDLE" 'c["root"]["readonly"] = False'
for n in $(seq 3 12); do
  rm -f "$BUNDLE/rootfs/tmp/cwd-read"
  edit_config "$BUNDLE" 'c["process"]["cwd"] = "/proc/self/fd/'"$n"'"'
  CREATED_IDS="$CREATED_IDS cwd$n"
  bounded 20 "$OCISTART" --root "$ROOT" run -b "$BUNDLE" "cwd$n" </dev/null >/dev/null 2>&1
  rc=$?
  case "$rc $(cat "$BUNDLE/rootfs/tmp/cwd-read" 2>/dev/null)" in
    *"$host_name"*) fail "process.cwd /proc/self/fd/$n reads the host's /etc/hostname" ;;
    "0 ") fail "process.cwd /proc/self/fd/$n: the process ran but wrote nothing" ;;
    *) pass "process.cwd /proc/self/fd/$n: the host stays out of reach (exit $rc)" ;;
  esac
  oci delete --force "cwd$n" >/dev/null 2>&1
done
edit_config "$BUNDLE" 'c["process"]["cwd"] = "/"'

# 3. Writes into /proc do not follow a /proc the container replaced (CVE-2025-52881 class):
#    a container with CAP_SYS_ADMIN puts a tmpfs over its /proc with a fake
#    self/oom_score_adj; exec -p with oomScoreAdj must refuse, not write into the fake.
edit_config "$BUNDLE" 'for s in ("bounding", "effective", "permitted"): c["process"]["capabilities"][s].append("CAP_SYS_ADMIN")'
set_args "$BUNDLE" sh -c 'mount -t tmpfs fake /proc && mkdir /proc/self && echo 0 > /proc/self/oom_score_adj && touch /tmp/ready && sleep 100'
edit_config "$BUNDLE" 'c["root"]["readonly"] = False'
CREATED_IDS="$CREATED_IDS fakeproc"
bounded 20 "$OCISTART" --root "$ROOT" run -b "$BUNDLE" -d fakeproc </dev/null >/dev/null 2>&1
expect_eq "run -d fakeproc" 0 $?
wait_until 10 "the container's fake /proc" test -e "$BUNDLE/rootfs/tmp/ready"
printf '{"args": ["true"], "cwd": "/", "oomScoreAdj": 500}' > "$WORK/oom.json"
out=$(bounded_output 20 "$OCISTART" --root "$ROOT" exec -p "$WORK/oom.json" fakeproc); rc=$?
[ $rc -ne 0 ] && pass "exec with oomScoreAdj over a fake /proc fails ($rc)" || fail "exec over a fake /proc succeeded"
expect_contains "the error says why" "/proc is not a procfs root" "$out"
fake=$(bounded_output 10 "$OCISTART" --root "$ROOT" exec fakeproc cat /proc/self/oom_score_adj)
expect_eq "nothing was written into the container's fake file" 0 "$fake"
oci delete --force fakeproc

# 4. What exec's child reads from /proc is not taken from the container's word: a file
#    saying "10" bound over /proc/sys/kernel/cap_last_cap must not leave capabilities 11
#    and up in the exec'd process's bounding set (the init's, read on the host, is the
#    config's).
set_args "$BUNDLE" sh -c 'echo 10 > /tmp/last && mount -o bind /tmp/last /proc/sys/kernel/cap_last_cap && touch /tmp/ready && sleep 100'
rm -f "$BUNDLE/rootfs/tmp/ready"
CREATED_IDS="$CREATED_IDS lastcap"
bounded 20 "$OCISTART" --root "$ROOT" run -b "$BUNDLE" -d lastcap </dev/null >/dev/null 2>&1
expect_eq "run -d lastcap" 0 $?
wait_until 10 "the container's fake cap_last_cap" test -e "$BUNDLE/rootfs/tmp/ready"
expect_eq "the container reads the fake cap_last_cap" 10 "$(bounded_output 10 "$OCISTART" --root "$ROOT" exec lastcap cat /proc/sys/kernel/cap_last_cap)"
bounded 20 "$OCISTART" --root "$ROOT" exec -d lastcap sleep 77 </dev/null >/dev/null 2>&1
init_pid=$(oci state lastcap | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
bnd() { awk '/^CapBnd/ {print $2}' "/proc/$1/status"; }
sleeper=""
wait_until 10 "exec -d sleep 77" pgrep -f '^sleep 77'
for p in $(pgrep -f '^sleep 77'); do [ "$(readlink /proc/$p/ns/pid)" = "$(readlink /proc/$init_pid/ns/pid)" ] && sleeper=$p; done
[ -n "$sleeper" ] || fail "no exec'd sleep found in the container"
[ -n "$sleeper" ] && expect_eq "exec: the bounding set is the config's, whatever cap_last_cap says" "$(bnd "$init_pid")" "$(bnd "$sleeper")"
oci delete --force lastcap

# 5. The host's console is not among the devices every container may use: a container
#    that may mknod (CAP_MKNOD) makes a node of c 5:1 and cannot open it (runc dropped it
#    from its defaults in 2020); /dev/null, which is, opens.
edit_config "$BUNDLE" 'for s in ("bounding", "effective", "permitted"): c["process"]["capabilities"][s].append("CAP_MKNOD")'
set_args "$BUNDLE" sh -c 'mknod /dev/hostcon c 5 1 || exit 2; { true </dev/hostcon; } 2>/dev/null && echo opened || echo denied; true </dev/null && echo null'
CREATED_IDS="$CREATED_IDS hostcon"
expect_eq "a node of the host's console cannot be opened; /dev/null can" "denied
null" "$(bounded_output 20 "$OCISTART" --root "$ROOT" run -b "$BUNDLE" hostcon </dev/null)"
expect_no_leftovers "escapes" fakeproc "$BUNDLE"
finish
