#!/bin/bash
# units/ocistart@.service as installed (the build's generated file, its binary path made
# the build's), in a real systemd booted in private namespaces (lib/private-systemd.sh):
# `systemctl start ocistart@web` runs the bundle /var/lib/ocistart/bundles/web; a drop-in's
# MemoryMax= bounds the container (a child cgroup of the service), its Restart=on-failure
# makes a new container with the same name when the container dies, its
# OCISTART_RUN_FLAGS reach `run`; the container's output is in the unit's journal;
# `systemctl stop` leaves nothing.
OCISTART_TEST_TMP=/var/lib/ocistart-tests  # the private systemd has a fresh /tmp
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
TEMPLATE=$(dirname "$OCISTART")/../units/ocistart@.service
[ -f "$TEMPLATE" ] || { echo "FAIL: no generated template at $TEMPLATE"; exit 1; }
. "$(dirname "$0")/lib/private-systemd.sh"
psd_require
STATE_PARENT=/var/lib/ocistart
made_parent=
[ -d "$STATE_PARENT" ] || { mkdir -p "$STATE_PARENT" && made_parent=1; }
end() {
  psd_stop
  cleanup
  [ -n "$made_parent" ] && rmdir "$STATE_PARENT" 2>/dev/null
}
trap end EXIT
ROOT=/run/ocistart  # the template's (default) --root, on the private systemd's /run
oci() { bounded "$OCI_TIMEOUT" nsenter -t "$PSD_PID" -m -p -- "$OCISTART" "$@"; }
state_of() {  # id field
  oci state "$1" 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["'"$2"'"])' 2>/dev/null
}

make_bundle "$BUNDLE"
set_args "$BUNDLE" sh -c 'echo "web container up"; trap "exit 0" TERM; sleep 1000 & wait'
psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }
# The bundles live in a tmpfs of the private systemd's mount namespace, never on the host.
psd_exec mount -t tmpfs -o mode=755 tmpfs "$STATE_PARENT"
psd_exec mkdir -p "$STATE_PARENT/bundles"
psd_exec cp -a "$BUNDLE" "$STATE_PARENT/bundles/web"

bindir=$(sed -n 's|^ExecStart=\(.*\)/ocistart run .*|\1|p' "$TEMPLATE")
[ -n "$bindir" ] || fail "the template's ExecStart names \$bindir/ocistart"
sed "s|$bindir/ocistart|$OCISTART|g" "$TEMPLATE" | psd_exec sh -c 'cat > /run/systemd/system/ocistart@.service'
psd_exec mkdir -p /run/systemd/system/ocistart@web.service.d
psd_exec sh -c 'cat > /run/systemd/system/ocistart@web.service.d/test.conf' <<'EOF2'
[Service]
MemoryMax=64M
Restart=on-failure
RestartSec=1
Environment="OCISTART_RUN_FLAGS=--no-subreaper --notify=runtime"
EOF2
psd_exec systemctl daemon-reload

bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl start ocistart@web
expect_eq "systemctl start ocistart@web" 0 $?
expect_eq "the service is active" active "$(psd_exec systemctl is-active ocistart@web)"
expect_eq "the container runs" running "$(state_of web status)"
pid=$(state_of web pid)
expect_eq "the container's cgroup is a child of the service's" \
  "/system.slice/system-ocistart.slice/ocistart@web.service/web" \
  "$(psd_exec cat "/proc/$pid/cgroup" | sed -n 's/^[0-9]*:memory://p')"
expect_eq "the drop-in's MemoryMax= bounds it (the service's memory cgroup)" $((64 * 1024 * 1024)) \
  "$(psd_exec cat /sys/fs/cgroup/memory/system.slice/system-ocistart.slice/ocistart@web.service/memory.limit_in_bytes)"
mainpid=$(psd_exec systemctl show -p MainPID --value ocistart@web)
expect_contains "\$OCISTART_RUN_FLAGS reached run (split at the space)" "run --no-subreaper --notify=runtime --bundle" \
  "$(psd_exec cat "/proc/$mainpid/cmdline" | tr '\0' ' ')"
ok=
for _ in $(seq 1 50); do
  psd_exec journalctl -u ocistart@web -o cat 2>/dev/null | grep -q "web container up" && { ok=1; break; }
  sleep 0.2
done
[ -n "$ok" ] && pass "the container's output is in the unit's journal" || fail "no \"web container up\" in journalctl -u ocistart@web"

# The container dies (SIGKILL of its init): on-failure restarts the service, which makes a
# new container named web.
psd_exec kill -KILL "$pid"
newpid=
for _ in $(seq 1 100); do
  p=$(state_of web pid)
  if [ -n "$p" ] && [ "$p" != "$pid" ] && [ "$p" != 0 ] && [ "$(state_of web status)" = running ]; then newpid=$p; break; fi
  sleep 0.1
done
[ -n "$newpid" ] && pass "Restart=on-failure: a new container web (pid $pid -> $newpid)" \
  || fail "no new container web within 10 s after its init was killed"
expect_eq "the service restarted once" "NRestarts=1" "$(psd_exec systemctl show -p NRestarts ocistart@web)"

bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl stop ocistart@web
expect_eq "systemctl stop returns" 0 $?
expect_eq "the service is inactive" inactive "$(psd_exec systemctl is-active ocistart@web)"
expect_eq "the container is gone" "" "$(oci list -q)"
expect_eq "its cgroup is gone" "" \
  "$(psd_exec ls -d /sys/fs/cgroup/memory/system.slice/system-ocistart.slice/ocistart@web.service 2>/dev/null)"
psd_exec umount "$STATE_PARENT"
finish
