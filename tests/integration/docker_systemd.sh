#!/bin/bash
# Docker (Debian's docker.io) with its systemd cgroup driver (native.cgroupdriver=systemd,
# its default on a cgroup2 host) driving ocistart, in a real systemd booted in private
# namespaces (lib/private-systemd.sh). containerd and dockerd run there as transient
# services of that systemd, so they end with it. dockerd passes --systemd-cgroup and a
# cgroupsPath "system.slice:docker:<id>". What must hold: the container runs in
# docker-<id>.scope; its limits are the unit's properties and the cgroup's values; exec
# joins that cgroup; update, pause and unpause reach it; a restart makes a new scope;
# stop and rm leave no unit, no cgroup and no state. And containerd's own client, ctr,
# with --runc-systemd-cgroup.
OCISTART_TEST_TMP=/var/lib/ocistart-tests  # the private systemd has a fresh /tmp
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
. "$(dirname "$0")/lib/private-systemd.sh"
. "$(dirname "$0")/lib/engine_scope.sh"
. "$(dirname "$0")/lib/containerd_toml.sh"
psd_require
for p in /usr/bin/containerd /usr/sbin/dockerd /usr/bin/docker /usr/bin/containerd-shim-runc-v2; do
  [ -x "$p" ] || { echo "SKIP: $p missing (tools/deps installs docker.io and containerd)"; exit 77; }
done
SRC=$(cd "$(dirname "$0")/../.." && pwd)
IMG=busybox-ocistart
RUN=/run/ocistart-docker  # in the private systemd's own /run
DK=(/usr/bin/docker -H "unix://$RUN/docker.sock")
export DOCKER_CONFIG=$WORK/client
unset DOCKER_HOST DOCKER_CONTEXT
# Host sysctls dockerd may raise (they are not namespaced): put back what we found.
SYSCTLS="/proc/sys/kernel/keys/root_maxkeys /proc/sys/kernel/keys/root_maxbytes"
SYSCTLS_BEFORE=$(cat $SYSCTLS)
restore_sysctls() {
  local f v
  set -- $SYSCTLS_BEFORE
  for f in $SYSCTLS; do
    v=$1
    shift
    [ "$(cat "$f")" = "$v" ] || echo "$v" >"$f"
  done
}
trap 'psd_stop; restore_sysctls; cleanup' EXIT
dk() { bounded 60 nsenter -t "$PSD_PID" -m -p -- "${DK[@]}" "$@"; }

psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }
mkdir -p "$WORK/containerd" "$WORK/docker" "$WORK/client"
containerd_toml "$WORK/containerd" "$RUN/containerd" "$RUN/containerd.sock" >"$WORK/containerd.toml"
echo '{}' >"$WORK/daemon.json"
psd_exec mkdir -p "$RUN"
psd_exec systemd-run -q --unit ocistart-test-containerd /usr/bin/containerd --config "$WORK/containerd.toml"
wait_until 30 "containerd, a service of the private systemd, to answer" \
  psd_exec /usr/bin/ctr --address "$RUN/containerd.sock" version || finish
psd_exec systemd-run -q --unit ocistart-test-dockerd --setenv PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  /usr/sbin/dockerd --config-file "$WORK/daemon.json" --data-root "$WORK/docker" --exec-root "$RUN/docker" \
  --pidfile "$RUN/dockerd.pid" -H "unix://$RUN/docker.sock" --containerd "$RUN/containerd.sock" \
  --storage-driver vfs --bridge none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
  --userland-proxy=false --exec-opt native.cgroupdriver=systemd --add-runtime "ocistart=$OCISTART" \
  --default-runtime ocistart
wait_until 60 "dockerd, a service of the private systemd, to answer" dk version ||
  { psd_exec journalctl -u ocistart-test-dockerd -n 10 --no-pager; finish; }
expect_eq "dockerd uses the systemd cgroup driver and ocistart" "systemd ocistart" \
  "$(dk info -f '{{.CgroupDriver}} {{.DefaultRuntime}}')"
"$SRC/tools/make-bundle" "$WORK/image" >/dev/null && tar -C "$WORK/image/rootfs" -c . | dk import - "$IMG" >/dev/null ||
  { fail "docker import of a busybox rootfs"; finish; }

# 1. A foreground run: its cgroup (in the host's cgroup namespace, the default on v1) and
#    limit from inside; the exit status passes through.
out=$(dk run --rm --network none -m 64m --cgroupns host "$IMG" sh -c "$ENGINE_PROBE" 2>&1)
rc=$?
expect_eq "docker run --rm ... exit 3 exits 3 ($(echo "$out" | tail -1))" 3 "$rc"
expect_eq "the container sees its memory limit" 67108864 "$(echo "$out" | tail -1)"
case "$(echo "$out" | own_cgroup)" in
  /system.slice/docker-[0-9a-f]*.scope) pass "the container runs in docker's scope" ;;
  *) fail "the container's cgroup is not system.slice/docker-<id>.scope: [$out]" ;;
esac

# 2. A detached container with limits: the scope systemd knows, the cgroup's values.
id=$(dk run -d --name c1 --network none -m 32m --memory-swap 64m --cpus 0.5 --pids-limit 50 "$IMG" sleep 1000 2>"$WORK/c1.err")
expect_eq "docker run -d --name c1 sleep ($(cat "$WORK/c1.err"))" 0 $?
unit=docker-$id.scope
expect_eq "its scope is active" active "$(psd_unit_prop "$unit" ActiveState)"
cgroup=$(psd_unit_prop "$unit" ControlGroup)
expect_eq "its scope's cgroup is in system.slice" "/system.slice/$unit" "$cgroup"
expect_eq "the scope's TasksMax and CPU quota" "50 500ms" \
  "$(psd_unit_prop "$unit" TasksMax) $(psd_unit_prop "$unit" CPUQuotaPerSecUSec)"
expect_eq "the cgroup's memory limit" 33554432 "$(psd_cg_read memory "$cgroup" memory.limit_in_bytes memory.max)"
expect_eq "the cgroup's pids limit" 50 "$(psd_cg_read pids "$cgroup" pids.max pids.max)"
pid=$(dk inspect -f '{{.State.Pid}}' c1)
expect_eq "the container's process is in that cgroup" "$cgroup" "$(psd_exec cat "/proc/$pid/cgroup" | own_cgroup)"
expect_eq "docker exec joins that cgroup" "$cgroup" "$(dk exec c1 cat /proc/self/cgroup | own_cgroup)"

# 3. update, pause and unpause reach the unit and the cgroup.
engine_update_pause dk c1 "$unit" "$cgroup"

# 4. A restart: the old scope goes, the new process is in a new scope of the same name.
dk restart -t 1 c1 >/dev/null
expect_eq "docker restart succeeds" 0 $?
pid2=$(dk inspect -f '{{.State.Pid}}' c1)
expect_eq "after restart: a new process ($pid -> $pid2) in the container's scope" "1 $cgroup" \
  "$([ "$pid2" != "$pid" ] && echo 1 || echo 0) $(psd_exec cat "/proc/$pid2/cgroup" | own_cgroup)"

# 5. stop and rm leave nothing: no unit, no cgroup, no state in docker's runtime root.
dk stop -t 1 c1 >/dev/null
expect_eq "docker stop: docker says exited" exited "$(dk inspect -f '{{.State.Status}}' c1)"
dk rm c1 >/dev/null
expect_eq "docker rm c1 succeeds" 0 $?
expect_eq "no docker scope is loaded" "" "$(psd_exec systemctl list-units --all --no-legend --plain 'docker-*')"
expect_eq "the scope's cgroup is gone" no "$(psd_exec test -d "$(psd_cg_dir memory "$cgroup")" && echo yes || echo no)"
expect_eq "docker ps -a is empty" "" "$(dk ps -a -q)"
expect_eq "ocistart's root holds no container" "" \
  "$(psd_exec find "$RUN/docker/runtime-ocistart" -mindepth 2 -maxdepth 2 2>/dev/null)"

# 6. containerd's own client with the systemd cgroup manager, on the same containerd:
#    ctr --runc-systemd-cgroup and a cgroupsPath "system.slice:ctr:c2"; the image is
#    docker's, through `docker save`.
CT=(/usr/bin/ctr --address "$RUN/containerd.sock" -n ocistart-test)
ct() { bounded 60 nsenter -t "$PSD_PID" -m -p -- "${CT[@]}" "$@"; }
dk save "$IMG" | ct images import - >/dev/null
expect_eq "ctr images import of docker save" 0 $?
ct run -d --runc-binary "$OCISTART" --runc-systemd-cgroup --cgroup system.slice:ctr:c2 --memory-limit 33554432 \
  "docker.io/library/$IMG:latest" c2 sleep 1000 </dev/null >/dev/null 2>"$WORK/ct.err"
expect_eq "ctr run -d --runc-systemd-cgroup ($(cat "$WORK/ct.err"))" 0 $?
expect_eq "its scope ctr-c2.scope is active" active "$(psd_unit_prop ctr-c2.scope ActiveState)"
expect_eq "its cgroup's memory limit" 33554432 \
  "$(psd_cg_read memory /system.slice/ctr-c2.scope memory.limit_in_bytes memory.max)"
ct task kill -s SIGKILL c2 >/dev/null
wait_until 20 "ctr task c2 to stop" sh -c "nsenter -t $PSD_PID -m -p -- ${CT[*]} task ls | grep -q 'c2 .*STOPPED'"
ct task delete c2 >/dev/null
expect_eq "ctr task delete c2 succeeds" 0 $?
ct containers delete c2 >/dev/null
expect_eq "no ctr scope is loaded" "" "$(psd_exec systemctl list-units --all --no-legend --plain 'ctr-*')"

finish
