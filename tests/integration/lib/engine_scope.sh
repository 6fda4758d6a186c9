# Sourced by the tests of engines with their systemd cgroup manager in a private systemd
# (podman_systemd.sh, docker_systemd.sh; after lifecycle_lib.sh and private-systemd.sh).

# A container's command (sh -c) that prints its /proc/self/cgroup, then its memory limit
# as it reads it (v1 or cgroup2) on the last line, and exits 3.
ENGINE_PROBE='cat /proc/self/cgroup
if [ -d /sys/fs/cgroup/memory ]; then cat /sys/fs/cgroup/memory/memory.limit_in_bytes; else cat /sys/fs/cgroup/memory.max; fi
exit 3'

# engine_update_pause ENGINE NAME UNIT CGROUP: ENGINE (a shell function running the
# engine's client: podman or docker) updates container NAME's memory limit to 48 MiB,
# pauses it and unpauses it; the limit must reach the cgroup and systemd's UNIT, the pause
# the freezer (v1), and exec must work again after the unpause.
engine_update_pause() {
  local engine=$1 name=$2 unit=$3 cgroup=$4 mem_prop=MemoryLimit
  "$engine" update --memory 48m "$name" >/dev/null
  expect_eq "$engine update --memory 48m succeeds" 0 $?
  expect_eq "the cgroup's memory limit after update" 50331648 \
    "$(psd_cg_read memory "$cgroup" memory.limit_in_bytes memory.max)"
  [ -d /sys/fs/cgroup/memory ] || mem_prop=MemoryMax
  expect_eq "the scope's $mem_prop after update" 50331648 "$(psd_unit_prop "$unit" "$mem_prop")"
  "$engine" pause "$name" >/dev/null
  expect_eq "$engine pause: $engine says paused" paused "$("$engine" inspect -f '{{.State.Status}}' "$name")"
  if [ -d /sys/fs/cgroup/freezer ]; then
    expect_eq "$engine pause: the freezer says FROZEN" FROZEN \
      "$(psd_exec cat "/sys/fs/cgroup/freezer$cgroup/freezer.state")"
  fi
  "$engine" unpause "$name" >/dev/null
  expect_eq "$engine unpause: running again, exec works" "running hi" \
    "$("$engine" inspect -f '{{.State.Status}}' "$name") $("$engine" exec "$name" echo hi)"
}
