#!/bin/bash
# What runc's mask.bats and mounts.bats expect: proc and sysfs only on an ordinary
# directory (runc's words, create fails and leaves nothing), read-only tmpfs and /dev
# mounts that the container sees read-only; a rootfs that stays a slave of the host.
. "$(dirname "$0")/lifecycle_lib.sh"

# --- proc on a symlink, sysfs on a file ---
make_bundle "$BUNDLE"
set_args "$BUNDLE" true
rmdir "$BUNDLE/rootfs/proc" && ln -s /symlink "$BUNDLE/rootfs/proc"
out=$(oci create --bundle "$BUNDLE" procsym 2>&1); rc=$?
expect_eq "proc on a symlink: create fails" 1 "$rc"
expect_contains "proc on a symlink: runc's words" "must be mounted on ordinary directory" "$out"
expect_no_leftovers "proc on a symlink" procsym "$BUNDLE"
[ -L "$BUNDLE/rootfs/proc" ] && [ ! -e "$BUNDLE/rootfs/symlink" ]
expect_eq "proc on a symlink: nothing made through it" 0 $?

make_bundle "$BUNDLE"
set_args "$BUNDLE" true
rmdir "$BUNDLE/rootfs/sys" && : >"$BUNDLE/rootfs/sys"
out=$(oci create --bundle "$BUNDLE" sysfile 2>&1); rc=$?
expect_eq "sysfs on a file: create fails" 1 "$rc"
expect_contains "sysfs on a file: runc's words" "filesystem \`sysfs\` must be mounted on ordinary directory" "$out"
expect_no_leftovers "sysfs on a file" sysfile "$BUNDLE"

# --- read-only tmpfs, read-only /dev (runc issues 2246 and 3248) ---
make_bundle "$BUNDLE"
edit_config "$BUNDLE" "c['mounts'].append({'source':'tmpfs','destination':'/mnt','type':'tmpfs',
  'options':['ro','nodev','nosuid','mode=755']})
for m in c['mounts']:
    if m['destination'] == '/dev': m['options'].append('ro')"
set_args "$BUNDLE" sh -c 'grep -E "^tmpfs /(mnt|dev) " /proc/mounts'
out=$(cd "$BUNDLE" && oci run rotmpfs 2>&1)
expect_contains "ro tmpfs: the container sees it read-only" "tmpfs /mnt tmpfs ro," "$out"
expect_contains "ro /dev: the container sees it read-only" "tmpfs /dev tmpfs ro," "$out"
expect_no_leftovers "ro tmpfs" rotmpfs "$BUNDLE"

# --- the rootfs stays a slave of the host's mount, as with runc (crun makes it private):
#     with no rootfsPropagation, a host mount under the rootfs after start, and its
#     unmount, reach the container. The bundle sits on a shared tmpfs of its own. ---
SHARED=$WORK/shared
mkdir -p "$SHARED" && mount -t tmpfs tmpfs "$SHARED" && mount --make-shared "$SHARED"
trap 'umount -R "$SHARED" 2>/dev/null; cleanup' EXIT
BUNDLE=$SHARED/bundle
make_bundle "$BUNDLE"
set_args "$BUNDLE" sleep 100
mkdir -p "$BUNDLE/rootfs/mnt/late"
CREATED_IDS="$CREATED_IDS slaveroot"
oci run -d --bundle "$BUNDLE" slaveroot </dev/null >/dev/null 2>&1
expect_eq "run -d on a shared mount" 0 $?
init=$(oci state slaveroot | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
late_mounts() { grep -c ' /mnt/late ' "/proc/$init/mountinfo"; }
expect_contains "the container's / is a slave" " master:" "$(awk '$5 == "/"' "/proc/$init/mountinfo")"
mount -t tmpfs late "$BUNDLE/rootfs/mnt/late"
expect_eq "a host mount under the rootfs after start reaches the container" 1 "$(late_mounts)"
umount "$BUNDLE/rootfs/mnt/late"
expect_eq "and so does its unmount" 0 "$(late_mounts)"
oci delete --force slaveroot
expect_no_leftovers "slave rootfs" slaveroot "$BUNDLE"
umount -R "$SHARED"

finish
