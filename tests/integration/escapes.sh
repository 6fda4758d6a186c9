#!/bin/bash
# Escapes through what the runtime holds (issue 9): nothing of the host reaches a process
# that `exec` starts (CVE-2024-21626: a host directory fd as its cwd), and a cwd outside
# the container's root is refused. Each check fails on a runtime that leaks.
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
expect_no_leftovers "escapes" esc "$BUNDLE"
finish
