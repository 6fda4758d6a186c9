#!/bin/bash
# podman with its systemd cgroup manager (what it uses on a systemd host) driving ocistart
# in a real systemd booted in private namespaces (lib/private-systemd.sh). podman passes
# --systemd-cgroup and a cgroupsPath "machine.slice:libpod:<id>"; it puts conmon in a scope
# of its own. What must hold, seen from the container, from systemd and from cgroupfs:
# the container runs in libpod-<id>.scope of the slice podman names (--cgroup-parent too,
# with systemd's expansion of a dashed slice name); its limits are the unit's properties
# and the cgroup's values; exec joins that cgroup; update, pause and unpause reach it;
# stop and rm leave no unit, no cgroup and no state.
OCISTART_TEST_TMP=/var/lib/ocistart-tests  # the private systemd has a fresh /tmp
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
. "$(dirname "$0")/lib/private-systemd.sh"
. "$(dirname "$0")/lib/engine_scope.sh"
. "$(dirname "$0")/lib/podman.sh"
psd_require
podman_require
SRC=$(cd "$(dirname "$0")/../.." && pwd)
IMG=localhost/busybox-ocistart
# The slices this test makes (machine.slice, ocistart.slice) stay in the host's v1
# hierarchies that systemd does not manage (cpuset, freezer, ...), as with runc: this test
# removes those that were not there before it.
SLICES=$(ls -d /sys/fs/cgroup/*/{machine,ocistart}.slice 2>/dev/null)
remove_new_slices() {
  local d
  for d in /sys/fs/cgroup/*/{machine,ocistart}.slice; do
    [ -d "$d" ] && ! grep -qxF "$d" <<<"$SLICES" && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
}
trap 'psd_stop; remove_new_slices; cleanup' EXIT
# The private systemd's /run is its own: podman's run root, its default runtime root for
# ocistart (/run/ocistart) and all of podman's mounts vanish with it.
podman_setup "$WORK/podman" "$OCISTART" systemd /run/podman
pm() { bounded 120 nsenter -t "$PSD_PID" -m -p -- "${PODMAN[@]}" "$@"; }

psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }
podman_import "$SRC" "$WORK/image" "$IMG" bounded 120 nsenter -t "$PSD_PID" -m -p -- ||
  { fail "podman import of a busybox rootfs"; finish; }

# 1. A foreground run: its cgroup (in the host's cgroup namespace, the default on v1) and
#    limit from inside; the exit status passes through.
out=$(pm run --rm "${CTR[@]}" --memory 64m --cgroupns host "$IMG" sh -c "$ENGINE_PROBE" 2>&1)
rc=$?
expect_eq "podman run --rm ... exit 3 exits 3 ($(echo "$out" | tail -1))" 3 "$rc"
expect_eq "the container sees its memory limit" 67108864 "$(echo "$out" | tail -1)"
cg=$(echo "$out" | own_cgroup)
case "$cg" in
  /machine.slice/libpod-[0-9a-f]*.scope) pass "the container runs in podman's scope ($cg)" ;;
  *) fail "the container's cgroup is not machine.slice/libpod-<id>.scope: [$cg] ($out)" ;;
esac

# 2. A detached container with limits: the scope systemd knows, the cgroup's values.
id=$(pm run -d --name c1 "${CTR[@]}" --memory 32m --cpus 0.5 --pids-limit 50 "$IMG" sleep 1000 2>"$WORK/c1.err")
expect_eq "podman run -d --name c1 sleep ($(cat "$WORK/c1.err"))" 0 $?
unit=libpod-$id.scope
expect_eq "its scope is active" active "$(psd_unit_prop "$unit" ActiveState)"
cgroup=$(psd_unit_prop "$unit" ControlGroup)
expect_eq "its scope's cgroup is in machine.slice" "/machine.slice/$unit" "$cgroup"
expect_eq "podman's conmon has a scope of its own" active "$(psd_unit_prop "libpod-conmon-$id.scope" ActiveState)"
expect_eq "the scope's TasksMax and CPU quota" "50 500ms" \
  "$(psd_unit_prop "$unit" TasksMax) $(psd_unit_prop "$unit" CPUQuotaPerSecUSec)"
expect_eq "the cgroup's memory limit" 33554432 "$(psd_cg_read memory "$cgroup" memory.limit_in_bytes memory.max)"
expect_eq "the cgroup's pids limit" 50 "$(psd_cg_read pids "$cgroup" pids.max pids.max)"
quota=$(psd_cg_read cpu "$cgroup" cpu.cfs_quota_us cpu.max)
expect_eq "the cgroup's CPU quota, half of the period" 50000 "${quota%% *}"
pid=$(pm inspect -f '{{.State.Pid}}' c1)
expect_eq "the container's process is in that cgroup" "$cgroup" "$(psd_exec cat "/proc/$pid/cgroup" | own_cgroup)"
expect_eq "podman exec joins that cgroup" "$cgroup" "$(pm exec c1 cat /proc/self/cgroup | own_cgroup)"
# The host's console is not among its devices (podman gives CAP_MKNOD; runc's list has no
# c 5:1 either), for systemd (DeviceAllow=) and in the container.
expect_eq "the scope's DeviceAllow= has no /dev/char/5:1" "" \
  "$(psd_unit_prop "$unit" DeviceAllow | grep -o '/dev/char/5:1 ')"
expect_eq "a node of the host's console cannot be opened" denied \
  "$(pm exec c1 sh -c 'mknod /dev/hostcon c 5 1 && { true </dev/hostcon; } 2>/dev/null && echo opened || echo denied')"

# 3. update, pause and unpause reach the unit and the cgroup.
engine_update_pause pm c1 "$unit" "$cgroup"

# 4. --cgroup-parent: a slice with a dash, which systemd nests (a-b.slice in a.slice).
out=$(pm run --rm "${CTR[@]}" --cgroup-parent ocistart-podman.slice "$IMG" cat /proc/self/cgroup 2>&1)
case "$(echo "$out" | own_cgroup)" in
  /ocistart.slice/ocistart-podman.slice/libpod-[0-9a-f]*.scope) pass "--cgroup-parent: in the nested slice" ;;
  *) fail "--cgroup-parent ocistart-podman.slice: [$out]" ;;
esac

# 5. stop and rm leave nothing: no unit, no cgroup, no state in ocistart's root.
pm stop -t 1 c1 >/dev/null 2>&1
expect_eq "podman stop: podman says exited" exited "$(pm inspect -f '{{.State.Status}}' c1)"
pm rm c1 >/dev/null
expect_eq "podman rm c1 succeeds" 0 $?
expect_eq "no libpod scope is loaded" "" \
  "$(psd_exec systemctl list-units --all --no-legend --plain 'libpod-*' | grep -v '^libpod-conmon-')"
expect_eq "the scope's cgroup is gone" no "$(psd_exec test -d "$(psd_cg_dir memory "$cgroup")" && echo yes || echo no)"
expect_eq "podman ps -a is empty" "" "$(pm ps -a -q)"
expect_eq "ocistart's root holds no container" "" "$(psd_exec ls -A /run/ocistart 2>/dev/null)"

finish
