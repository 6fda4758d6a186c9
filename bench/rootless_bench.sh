#!/bin/bash
# rootless_bench.sh USER OCISTART [N]: `run` of /bin/true N times (default 102, a multiple
# of 6 for the balanced order) as the unprivileged USER (who needs no /etc/subuid range
# here: the bundle is `runc spec --rootless`'s, mapping the user's own id), for ocistart,
# runc and crun interleaved round by round on the same bundle, as run_bench.sh does for
# root; prints ms per run, peak RSS and ocistart's ratios. Run as root (it makes the work
# dir for USER and removes it).
set -euo pipefail
user=${1:?usage: $0 USER OCISTART [N]}
n=${3:-102}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ocistart-rootless-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Everything the user runs, where the user can read it (the tree may be under /root).
cp "$(realpath "$2")" "$work/ocistart"
cp "$here/lib/run_loop.sh" "$here/lib/ops_bench.py" "$work/"
"$here/../tools/make-bundle" "$work/bundle" >/dev/null
chmod 755 "$work"
mkdir -p "$work/xdg" "$work/state"
chown -R "$user:" "$work/xdg" "$work/state" "$work/bundle"
(cd "$work/bundle" && runuser -u "$user" -- runc spec --rootless)
/usr/bin/python3 - "$work/bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(sys.argv[1], "w"))
PY
runuser -u "$user" -- env XDG_RUNTIME_DIR="$work/xdg" "$work/run_loop.sh" "$work/bundle" "$work/state" "$n" "" \
  ocistart="$work/ocistart" runc="$(command -v runc)" crun="$(command -v crun)" |
  /usr/bin/python3 "$here/lib/report.py" "$n"
