#!/bin/bash
# podman (Debian's package) driving the real ocistart binary as its OCI runtime:
# run with an exit status passed through, run -d + exec + stop + rm, run -t with a tty,
# tmpfs, errors, a pod.
# podman is self-contained here: private --root/--runroot/--tmpdir under one temp dir,
# vfs storage, cgroupfs cgroup manager, file events, no network. Exit 77 (SKIP) when not
# root or podman is missing. Prints TAP-style `ok - ...` / `not ok - ...` lines.
set -u
OCISTART=$(readlink -f "${1:?usage: $0 /path/to/ocistart}")
if [ "$(id -u)" != 0 ]; then echo "SKIP: not root"; exit 77; fi
[ -x /bin/busybox ] || { echo "SKIP: no /bin/busybox (busybox-static)"; exit 77; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/podman.sh
. "$SRC/tests/integration/lib/podman.sh"
podman_require

WORK=$(mktemp -d /tmp/ocistart-podman.XXXXXX)
IMG=localhost/busybox-ocistart
# ocistart's state stays in its default --root: podman 4.3 drops --runtime-flag (root=...)
# from the `podman container cleanup` it has conmon run when a container exits, so that
# cleanup's `delete --force` would look in the default root and leave the state behind.
# The containers this test makes are told apart by comparing the root before and after.
OCI_ROOT=/run/ocistart
podman_setup "$WORK" "$OCISTART" cgroupfs
FAILS=0
N=0

oci_ids() { ls "$OCI_ROOT" 2>/dev/null | grep -E '^[0-9a-f]{64}$' | sort; }
OCI_BEFORE=$(oci_ids)
# podman (cgroupfs manager) puts conmon in <hierarchy>/libpod_parent/conmon, containers in
# libpod_parent/libpod-<id> and a pod in libpod_parent/<pod id> (which pod rm leaves in the
# name=systemd and cgroup2 hierarchies); remove what is left, empty, if this test made it.
LIBPOD_CGROUPS_BEFORE=$(ls -d /sys/fs/cgroup/*/libpod_parent 2>/dev/null)
ok() { N=$((N + 1)); echo "ok - $*"; }
not_ok() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok - $*"; }
fail() { not_ok "$@"; }
# shellcheck source=lib/bounded.sh
. "$SRC/tests/integration/lib/bounded.sh"
pm() { bounded 120 "${PODMAN[@]}" "$@"; }
expect_eq() {  # what expected actual
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected [$2], got [$3]"; fi
}

cleanup() {
  pm rm --force --all >/dev/null 2>&1 || true
  for id in $(comm -13 <(echo "$OCI_BEFORE") <(oci_ids)); do
    timeout -k 5 30 "$OCISTART" --root "$OCI_ROOT" delete --force "$id" >/dev/null 2>&1 || true
  done
  if [ -z "$LIBPOD_CGROUPS_BEFORE" ]; then
    for d in /sys/fs/cgroup/*/libpod_parent; do
      [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
  fi
  # (Not `podman system reset`: it would also remove networks from the host's config dir.)
  # vfs layers and podman's own mounts (shm, netns) live under $WORK: unmount what is left.
  findmnt -rn -o TARGET | grep "^$WORK" | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if podman_import "$SRC" "$WORK/image" "$IMG" bounded 120; then
  ok "podman import busybox rootfs as $IMG"
else
  echo "Bail out! podman import"; exit 1
fi

# 1. exit status passes through podman run --rm
pm run --rm "${CTR[@]}" "$IMG" sh -c 'exit 3'
expect_eq "podman run --rm sh -c 'exit 3' exits 3" 3 $?

out=$(pm run --rm "${CTR[@]}" "$IMG" sh -c 'echo out; echo err >&2' 2>&1)
expect_eq "podman run --rm passes stdout and stderr" "out
err" "$out"

# 2. detached container, exec, stop, rm
if id=$(pm run -d --name c1 "${CTR[@]}" "$IMG" sleep 1000); then
  ok "podman run -d --name c1 sleep 1000"
else
  not_ok "podman run -d --name c1 sleep 1000"
fi
expect_eq "podman inspect c1 is running" running "$(pm inspect -f '{{.State.Status}}' c1 2>&1)"
expect_eq "podman exec c1 echo hi" hi "$(pm exec c1 sh -c 'echo hi' 2>&1)"
pm exec c1 sh -c 'exit 4'
expect_eq "podman exec c1 sh -c 'exit 4' exits 4" 4 $?
tty_out=$(pm exec -t c1 tty 2>&1 | tr -d '\r')
case "$tty_out" in
  /dev/pts/*) ok "podman exec -t c1 tty prints $tty_out" ;;
  *) not_ok "podman exec -t c1 tty: got [$tty_out]" ;;
esac
if pm stop -t 2 c1 >/dev/null 2>&1; then ok "podman stop -t 2 c1"; else not_ok "podman stop -t 2 c1"; fi
expect_eq "podman inspect c1 is exited" exited "$(pm inspect -f '{{.State.Status}}' c1 2>&1)"
if pm rm c1 >/dev/null; then ok "podman rm c1"; else not_ok "podman rm c1"; fi

# 3. a tty: podman allocates it through ocistart's --console-socket
tty_out=$(pm run --rm -t "${CTR[@]}" "$IMG" sh -c 'tty; exit 0' 2>&1 | tr -d '\r')
case "$tty_out" in
  /dev/pts/*|/dev/console) ok "podman run -t tty prints $tty_out" ;;
  *) not_ok "podman run -t tty: got [$tty_out]" ;;
esac
if command -v script >/dev/null; then
  tty_out=$(bounded 120 script -qec "$(printf '%q ' "${PODMAN[@]}") run --rm -t ${CTR[*]} $IMG sh -c 'tty; exit 5'" \
            /dev/null 2>&1 | tr -d '\r')
  case "$tty_out" in
    /dev/pts/*|/dev/console) ok "podman run -t under script: tty prints $tty_out" ;;
    *) not_ok "podman run -t under script: got [$tty_out]" ;;
  esac
fi

# 4. tmpfs mounts with runc's tmpcopyup (podman adds it to --tmpfs and --read-only's tmpfs)
out=$(pm run --rm "${CTR[@]}" --tmpfs /etc "$IMG" sh -c 'grep -c ^root: /etc/passwd; touch /etc/new && echo w' 2>&1)
expect_eq "podman run --tmpfs /etc keeps the image's /etc (tmpcopyup)" "1
w" "$out"
out=$(pm run --rm "${CTR[@]}" --read-only "$IMG" sh -c 'touch /x 2>/dev/null || echo ro; touch /tmp/y && echo tmp-rw' 2>&1)
expect_eq "podman run --read-only: / read-only, /tmp a writable tmpfs" "ro
tmp-rw" "$out"

# 5. a pod: its containers join the infra container's pid, ipc and uts namespaces (by
#    path, /proc/PID/ns/*); the infra's sleep is their pid 1, the pod's name their hostname.
if pm pod create --name p1 --network none --share pid,ipc,uts --infra-image "$IMG" \
     --infra-command 'sleep 1000' >/dev/null 2>"$WORK/pod.err"; then
  out=$(pm run --rm --pod p1 "${CTR[@]}" "$IMG" sh -c 'cat /proc/1/comm; hostname; [ "$(readlink /proc/1/ns/ipc)" = "$(readlink /proc/self/ns/ipc)" ] && echo same-ipc' 2>&1)
  expect_eq "podman run --pod: the infra's pid 1, the pod's hostname and ipc" "sleep
p1
same-ipc" "$out"
  pm pod rm -f -t 0 p1 >/dev/null 2>&1 || not_ok "podman pod rm -f p1"
else
  not_ok "podman pod create: $(cat "$WORK/pod.err")"
fi

# 6. errors: podman maps ocistart's create errors to 127 (not found) and 126 (not executable)
pm run --rm "${CTR[@]}" "$IMG" /nonexistent >/dev/null 2>&1
expect_eq "podman run /nonexistent exits 127" 127 $?
pm run --rm "${CTR[@]}" "$IMG" /etc/passwd >/dev/null 2>&1
expect_eq "podman run /etc/passwd (not executable) exits 126" 126 $?

# 7. nothing left behind: no containers in podman or in ocistart's state, no mounts
expect_eq "podman ps -a is empty" "" "$(pm ps -a -q 2>&1)"
left=$(comm -13 <(echo "$OCI_BEFORE") <(oci_ids) | tr '\n' ' ')
expect_eq "no container of this test left in ocistart's root $OCI_ROOT" "" "$left"
mounts=$(findmnt -rn -o TARGET | grep "^$WORK" || true)
expect_eq "no mounts left under $WORK" "" "$mounts"

report_hangs
echo "1..$N"
[ "$FAILS" = 0 ]
