#!/bin/bash
# ocistart run as ExecStart= of a Type=notify service, in a real systemd booted in private
# namespaces (lib/private-systemd.sh): the service becomes active once the container's
# process runs (READY=1), the container lives in a child cgroup of the service (Delegate=yes),
# `systemctl stop` ends the container cleanly, nothing is left.
OCISTART_TEST_TMP=/var/lib/ocistart-tests  # the private systemd has a fresh /tmp
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
. "$(dirname "$0")/lib/private-systemd.sh"
psd_require
trap 'psd_stop; cleanup' EXIT
oci() { bounded "$OCI_TIMEOUT" nsenter -t "$PSD_PID" -m -p -- "$OCISTART" --root "$ROOT" "$@"; }

make_bundle "$BUNDLE"
# PID 1 of a pid namespace ignores SIGTERM without a handler: the shell traps it.
set_args "$BUNDLE" sh -c 'trap "exit 0" TERM; sleep 1000 & wait'
psd_boot || { echo "FAIL: boot a private systemd"; exit 1; }
UNIT=ocistart-svc.service
psd_exec sh -c "cat > /run/systemd/system/$UNIT" <<EOF2
[Service]
Type=notify
NotifyAccess=main
KillMode=mixed
Delegate=yes
TimeoutStartSec=20
TimeoutStopSec=20
ExecStart=$OCISTART --root $ROOT run --bundle $BUNDLE svc1
ExecStopPost=-$OCISTART --root $ROOT delete --force svc1
EOF2
psd_exec systemctl daemon-reload

t0=$(date +%s%N)
bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl start "$UNIT"
expect_eq "systemctl start returns" 0 $?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 10000 ] && pass "the service was ready in ${ms} ms (READY=1 from run)" || fail "start took ${ms} ms"
expect_eq "the service is active" active "$(psd_exec systemctl is-active "$UNIT")"
expect_contains "its status text names the container's process" "container process" \
  "$(psd_exec systemctl show -p StatusText --value "$UNIT")"
status=$(oci state svc1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])')
expect_eq "the container runs" running "$status"
pid=$(oci state svc1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
expect_eq "Delegate=yes: the container's cgroup is a child of the service's" \
  "/system.slice/$UNIT/svc1" "$(psd_exec cat "/proc/$pid/cgroup" | sed -n 's/^[0-9]*:memory://p')"
expect_eq "Delegate=yes: no scope of its own" "" "$(psd_exec systemctl list-units --all --no-legend | grep -o 'ocistart-svc1.scope')"

bounded 60 nsenter -t "$PSD_PID" -m -p -- systemctl stop "$UNIT"
expect_eq "systemctl stop returns" 0 $?
expect_eq "the service stopped cleanly" "ActiveState=inactive Result=success " \
  "$(psd_exec systemctl show -p ActiveState -p Result "$UNIT" | sort | tr '\n' ' ')"
expect_eq "no container scope is left" "" "$(psd_exec systemctl list-units --all --no-legend | grep -o 'ocistart-svc1.scope')"
expect_no_leftovers "the service's container" svc1 "$BUNDLE"

# --register-machine: machinectl sees the container while it exists, and not after delete.
if [ -x /lib/systemd/systemd-machined ]; then
  if oci --systemd-cgroup run -d --bundle "$BUNDLE" --register-machine web1 2>"$WORK/m.err"; then
    CREATED_IDS="$CREATED_IDS web1"
    pid=$(oci state web1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    expect_eq "machinectl lists the container" "web1 container ocistart" \
      "$(psd_exec machinectl list --no-legend | awk '$1 == "web1" {print $1, $2, $3}')"
    expect_eq "machined knows its leader and unit" "Leader=$pid Unit=ocistart-web1.scope " \
      "$(psd_exec machinectl show web1 -p Leader -p Unit | sort | tr '\n' ' ')"
    expect_eq "state.json records the machine" '"machine":"web1"' "$(grep -o '"machine":"[^"]*"' "$ROOT/web1/state.json")"
    oci delete --force web1
    expect_eq "after delete machinectl no longer lists it" "" "$(psd_exec machinectl list --no-legend | awk '$1 == "web1"')"
  else
    fail "run --register-machine: $(cat "$WORK/m.err")"
  fi
  out=$(oci --systemd-cgroup run -d --bundle "$BUNDLE" --register-machine bad_name 2>&1)
  expect_contains "a name machined refuses: one clear line" "register machine \`bad_name\`: systemd-machined" "$out"
  expect_no_leftovers "a name machined refuses" bad_name "$BUNDLE"
else
  echo "# systemd-machined not installed (systemd-container): --register-machine not tested"
fi

finish
