#!/bin/bash
# Rootless, end to end: an unprivileged user this test creates (and removes), with its own
# /etc/subuid and /etc/subgid range, runs the built ocistart with no root anywhere, then
# rootless podman drives it. Checks what the container saw (uid_map, id, file ownership
# through the second range), the one-line errors (no $XDG_RUNTIME_DIR, a range /etc/subuid
# lacks, limits with no delegated cgroup), that the user cannot use root's state nor root
# the user's, and that nothing is left in the user's --root or on the host.
# Exit 77 (SKIP) without root, busybox, useradd/runuser or newuidmap (apt-get install uidmap).
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
for tool in useradd userdel runuser newuidmap newgidmap; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (tools/deps: uidmap, passwd, util-linux)"; exit 77; }
done

U=ocirl$$
# A subordinate range nobody else has: above every range in /etc/subuid and /etc/subgid.
SUB=$(cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: '$2 + $3 > m { m = $2 + $3 } END { print (m < 1000000 ? 1000000 : m + 65536) }')
UWORK=$(mktemp -d /tmp/ocistart-rootless.XXXXXX)
UXDG=$UWORK/xdg
UROOT=$UXDG/ocistart

rootless_cleanup() {
  for id in $(ls "$UROOT" 2>/dev/null); do
    timeout -k 5 30 runuser -u "$U" -- env XDG_RUNTIME_DIR="$UXDG" "$UWORK/ocistart" delete --force "$id" \
      >/dev/null 2>&1
  done
  # Every process of the user this test made is one it started (podman's rootless pause
  # process, which holds its user namespace, above all): end them by pid, then the user.
  # (A zombie is dead already: this machine's pid 1 reaps its orphans late.)
  local pid left
  for _ in $(seq 50); do
    left=$(ps -o pid=,stat= -u "$U" 2>/dev/null | awk '$2 !~ /^Z/ { print $1 }')
    [ -z "$left" ] && break
    for pid in $left; do kill -KILL "$pid" 2>/dev/null; done
    sleep 0.1
  done
  findmnt -rn -o TARGET | grep "^$UWORK" | sort -r | while read -r m; do umount -l "$m"; done
  userdel -r -f "$U" 2>&1 | grep -v 'mail spool' >&2
  sed -i "/^$U:/d" /etc/subuid /etc/subgid
  rm -rf "$UWORK"
  cleanup
  if [ -n "$left" ] || id "$U" >/dev/null 2>&1; then
    echo "FAIL: the test user $U or its processes ($left) are left behind"
    exit 1
  fi
}
trap rootless_cleanup EXIT

useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$U" || { echo "Bail out! useradd $U"; exit 1; }
echo "$U:$SUB:65536" >>/etc/subuid
echo "$U:$SUB:65536" >>/etc/subgid
UID_=$(id -u "$U")
GID_=$(id -g "$U")
# The binary where the user can run it (the build may sit under root's 0700 home).
copy_binaries "$UWORK" && chmod 755 "$UWORK"
mkdir -p "$UXDG" "$UWORK/share" && chmod 700 "$UXDG"
chown "$U:$U" "$UXDG" "$UWORK/share"
# A cwd the user may enter (podman changes to it; the build dir may be under /root).
cd "$UWORK" || exit 1

# as_user CMD...: CMD as the test user, with a login's environment and a deadline.
as_user() { bounded "$OCI_TIMEOUT" runuser -u "$U" -- env -i HOME="/home/$U" USER="$U" LOGNAME="$U" \
  PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$UXDG" "$@"; }
uoci() { as_user "$UWORK/ocistart" "$@"; }
RB=$UWORK/bundle

# 1. spec --rootless, written by the user: runc's rootless default for this user's ids.
make_bundle "$RB" >/dev/null
rm -f "$RB/config.json"
chown -R "$U:$U" "$RB"
(cd "$RB" && as_user "$UWORK/ocistart" spec --rootless) || fail "spec --rootless"
got=$("$PY" - "$RB/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
l = c["linux"]
ns = sorted(n["type"] for n in l["namespaces"])
sysfs = [m for m in c["mounts"] if m["destination"] == "/sys"][0]
print(l["uidMappings"], l["gidMappings"], ns, sysfs["type"], "rbind" in sysfs["options"], "resources" in l)
PY
)
expect_eq "spec --rootless maps the user's own ids, no network namespace, /sys bound, no resources" \
  "[{'containerID': 0, 'hostID': $UID_, 'size': 1}] [{'containerID': 0, 'hostID': $GID_, 'size': 1}] ['ipc', 'mount', 'pid', 'user', 'uts'] none True False" \
  "$got"
edit_config "$RB" 'c["process"]["terminal"] = False; c["root"]["readonly"] = False'

# 2. run with the user's own id: root inside, the map the kernel shows, the exit status.
set_args "$RB" sh -c 'cat /proc/self/uid_map | tr -s " " | sed "s/^ //"; id -u; exit 3'
out=$(cd "$RB" && uoci run rl-1 2>&1); rc=$?
expect_eq "a rootless run: uid_map maps root to the user, id 0 inside" "0 $UID_ 1
0" "$out"
expect_eq "a rootless run exits with the container's status" 3 "$rc"
expect_eq "the default --root is \$XDG_RUNTIME_DIR/ocistart, mode 0700, the user's" "700 $U" \
  "$(stat -c '%a %U' "$UROOT" 2>&1)"
expect_eq "nothing left in the user's --root after run" "" "$(ls -A "$UROOT" 2>&1)"

# 3. without $XDG_RUNTIME_DIR or --root: one line that says so.
out=$(cd "$RB" && bounded 30 runuser -u "$U" -- env -i HOME="/home/$U" USER="$U" PATH=/usr/bin:/bin \
  "$UWORK/ocistart" run rl-2 2>&1); rc=$?
expect_contains "no \$XDG_RUNTIME_DIR: the error says what to set" '$XDG_RUNTIME_DIR is not set' "$out"
expect_eq "no \$XDG_RUNTIME_DIR: one line, non-zero exit" "1 1" "$(printf '%s\n' "$out" | grep -c .) $((rc != 0))"

# 4. several ranges through newuidmap/newgidmap: container uid 1000 is host SUB+999.
edit_config "$RB" '
for k in ("uidMappings", "gidMappings"):
    c["linux"][k] = [{"containerID": 0, "hostID": '"$UID_"', "size": 1},
                     {"containerID": 1, "hostID": '"$SUB"', "size": 65536}]
c["linux"]["gidMappings"][0]["hostID"] = '"$GID_"'
c["mounts"].append({"destination": "/share", "type": "bind", "source": "'"$UWORK/share"'", "options": ["rbind"]})
for s in ("bounding", "effective", "permitted"):
    c["process"]["capabilities"][s].append("CAP_CHOWN")'
mkdir -p "$RB/rootfs/share" && chown "$U:$U" "$RB/rootfs/share"
set_args "$RB" sh -c 'cat /proc/self/uid_map | tr -s " " | sed "s/^ //"; touch /share/by-root /share/by-1000;
  chown 1000:1000 /share/by-1000'
out=$(cd "$RB" && uoci run rl-3 2>&1)
expect_eq "two ranges: uid_map has both" "0 $UID_ 1
1 $SUB 65536" "$out"
expect_eq "a file container root made belongs to the user" "$UID_:$GID_" "$(stat -c %u:%g "$UWORK/share/by-root" 2>&1)"
expect_eq "a file chowned to container 1000 belongs to host $((SUB + 999)) (the second range)" \
  "$((SUB + 999)):$((SUB + 999))" "$(stat -c %u:%g "$UWORK/share/by-1000" 2>&1)"

# 5. a range /etc/subuid does not give the user: newuidmap's line names it; nothing left.
edit_config "$RB" 'c["linux"]["uidMappings"][1]["hostID"] = '"$((SUB + 65536))"
out=$(cd "$RB" && uoci run rl-4 2>&1); rc=$?
expect_contains "a missing subordinate range: the error names newuidmap's refusal" "not allowed" "$out"
expect_contains "a missing subordinate range: and where ranges come from" "/etc/subuid" "$out"
expect_eq "a missing subordinate range: one line, non-zero exit" "1 1" "$(printf '%s\n' "$out" | grep -c .) $((rc != 0))"
expect_eq "a missing subordinate range: nothing left in --root" "" "$(ls -A "$UROOT" 2>&1)"
edit_config "$RB" 'c["linux"]["uidMappings"][1]["hostID"] = '"$SUB"

# 6. limits with no delegated cgroup: refused with the field named; nothing left.
edit_config "$RB" 'c["linux"]["resources"] = {"memory": {"limit": 67108864}}'
out=$(cd "$RB" && uoci run rl-5 2>&1); rc=$?
expect_contains "limits without a delegated cgroup: one line naming the field" \
  "rootless needs a delegated cgroup: linux.resources.memory.limit" "$out"
expect_eq "limits without a delegated cgroup: one line, non-zero exit" "1 1" \
  "$(printf '%s\n' "$out" | grep -c .) $((rc != 0))"
expect_eq "limits without a delegated cgroup: nothing left in --root" "" "$(ls -A "$UROOT" 2>&1)"
edit_config "$RB" 'del c["linux"]["resources"]'

# 6b. --systemd-cgroup: the user's own systemd manager, which delegates cgroups on v2 only.
#     Here (no user manager runs; v1 or hybrid on this machine) it fails with one line.
out=$(cd "$RB" && uoci --systemd-cgroup run rl-5b 2>&1); rc=$?
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
  expect_contains "rootless --systemd-cgroup on cgroup v1/hybrid: the error says v2 is needed" "needs cgroup v2" "$out"
fi
expect_eq "rootless --systemd-cgroup without a user manager: one line, non-zero exit" "1 1" \
  "$(printf '%s\n' "$out" | grep -c .) $((rc != 0))"
expect_eq "rootless --systemd-cgroup: nothing left in --root" "" "$(ls -A "$UROOT" 2>&1)"

# 7. the lifecycle as the user: run -d, state, exec, ps, kill, delete.
set_args "$RB" sleep 300
(cd "$RB" && uoci run -d rl-6 >/dev/null 2>&1) || fail "run -d as the user"
expect_contains "state of a rootless container" '"status": "running"' "$(uoci state rl-6 2>&1)"
expect_eq "exec as the user: root inside" "0" "$(uoci exec rl-6 id -u 2>&1)"
uoci exec -d rl-6 sleep 200 >/dev/null 2>&1
expect_eq "ps lists the init and the exec'd process (no cgroup: its pid namespace)" 2 \
  "$(uoci ps -f json rl-6 2>/dev/null | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')"
out=$(uoci pause rl-6 2>&1)
expect_contains "pause without a cgroup says why" "has no cgroup of its own" "$out"
uoci kill --all rl-6 KILL >/dev/null 2>&1 || fail "kill --all as the user"
for _ in $(seq 100); do
  uoci state rl-6 2>/dev/null | grep -q '"stopped"' && break
  sleep 0.1
done
uoci delete rl-6 >/dev/null 2>&1 || fail "delete as the user"
expect_eq "nothing left in the user's --root after delete" "" "$(ls -A "$UROOT" 2>&1)"

# 8. one user's state is not another's: root's ocistart refuses the user's --root, and the
#    user's refuses a root's.
(cd "$RB" && uoci run -d rl-7 >/dev/null 2>&1)
out=$("$OCISTART" --root "$UROOT" list 2>&1); rc=$?
expect_contains "root refuses a --root the user owns" "owned by uid $UID_, not by uid 0: refused" "$out"
expect_eq "root refuses a --root the user owns: non-zero exit" 1 "$((rc != 0))"
out=$("$OCISTART" --root "$UROOT" kill rl-7 KILL 2>&1)
expect_contains "root's kill of a user's container id through its --root is refused" "refused" "$out"
mkdir -p -m 755 "$UWORK/root-state"
out=$(uoci --root "$UWORK/root-state" list 2>&1)
expect_contains "the user refuses a --root root owns" "owned by uid 0, not by uid $UID_: refused" "$out"
uoci delete --force rl-7 >/dev/null 2>&1

# Nothing of the user's containers on the host: processes, mounts.
left=""
for p in /proc/[0-9]*; do
  r=$(readlink "$p/root" 2>/dev/null) || continue
  case "$r" in "$RB"/*) left="$left process:${p#/proc/}" ;; esac
done
grep -q " $RB/" /proc/self/mountinfo && left="$left mount"
expect_eq "no process or mount of the user's containers left on the host" "" "$left"

# 9. rootless podman driving ocistart (vfs, no network, its own storage under UWORK).
if command -v podman >/dev/null; then
  # shellcheck source=lib/podman.sh
  . "$(dirname "$0")/lib/podman.sh"
  podman_setup "$UWORK/pm" "$UWORK/ocistart" cgroupfs
  chmod 644 "$CONTAINERS_CONF" && chown "$U:$U" "$UWORK/pm"
  PM=(env CONTAINERS_CONF="$CONTAINERS_CONF" "${PODMAN[@]}")
  pm() { bounded 120 runuser -u "$U" -- env -i HOME="/home/$U" USER="$U" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    XDG_RUNTIME_DIR="$UXDG" "${PM[@]}" "$@"; }
  tar -C "$RB/rootfs" -c . | pm import - localhost/bb-rootless >/dev/null 2>&1 || fail "podman import as the user"
  out=$(pm run --rm "${CTR[@]}" localhost/bb-rootless sh -c 'id -u; grep -c . /proc/self/uid_map; exit 3' 2>&1); rc=$?
  out=$(printf '%s\n' "$out" | grep -v 'not a shared mount')
  expect_eq "rootless podman run --rm: root inside podman's user namespace, its ranges, exit 3" "0 2 3" \
    "$(echo $out) $rc"
  pm run -d --name rl-d "${CTR[@]}" localhost/bb-rootless sleep 300 >/dev/null 2>&1 || fail "rootless podman run -d"
  expect_eq "rootless podman exec" "in-exec" "$(pm exec rl-d echo in-exec 2>&1 | grep -v 'shared mount')"
  pm stop -t 1 rl-d >/dev/null 2>&1 || fail "rootless podman stop"
  pm rm rl-d >/dev/null 2>&1 || fail "rootless podman rm"
  out=$(bounded 120 script -qec "runuser -u $U -- env -i HOME=/home/$U USER=$U PATH=/usr/bin:/bin XDG_RUNTIME_DIR=$UXDG ${PM[*]} run --rm -t ${CTR[*]} localhost/bb-rootless sh -c 'tty; exit 5'" /dev/null 2>&1); rc=$?
  expect_contains "rootless podman run -t: the process has a pty" "/dev/pts/0" "$out"
  expect_eq "rootless podman run -t: exit status" 5 "$rc"
  pm rm --force --all >/dev/null 2>&1
  expect_eq "rootless podman: nothing left in the user's --root" "" "$(ls -A "$UROOT" 2>&1)"
else
  echo "ok: (podman not installed: rootless podman skipped)"
fi

# The user and its processes go in rootless_cleanup (at exit); check here that nothing of
# the user's is left but what the cleanup ends: its containers are deleted.
expect_eq "no container of the user left in its --root at the end" "" "$(ls -A "$UROOT" 2>&1)"

finish
