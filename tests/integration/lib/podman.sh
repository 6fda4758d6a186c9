# Sourced by the podman tests (podman.sh, podman_systemd.sh): Debian's podman, self-contained
# under one directory, with the real ocistart binary as its OCI runtime.
#
# podman_setup DIR OCISTART MANAGER [RUNROOT] sets PODMAN, the command with its global flags:
# private --root, --runroot (RUNROOT, default DIR/run; podman takes 50 characters at most)
# and --tmpdir under DIR, vfs storage, file events, the cgroup manager
# MANAGER (cgroupfs or systemd); and CTR, the flags every container gets: no network, and
# rlimits this machine allows (it lacks CAP_SYS_RESOURCE: podman's defaults, nofile
# 1048576 and nproc from the host, are above the hard limits the sandbox gives us, and
# setrlimit would fail with EPERM; DIR/containers.conf sets the same as podman's defaults,
# for the containers no flag reaches, a pod's infra container). As for runc and crun, podman
# passes --log FILE --log-format=json to the runtimes named in runtime_supports_json and
# reads their errors from there: DIR/containers.conf names ocistart.
podman_setup() {
  mkdir -p "$1" || return 1
  export CONTAINERS_CONF=$1/containers.conf
  printf '%s\n' '[containers]' 'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]' '[engine]' \
    'runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "ocistart"]' >"$CONTAINERS_CONF"
  PODMAN=(podman --root "$1/storage" --runroot "${4:-$1/run}" --tmpdir "$1/tmp"
          --storage-driver vfs --cgroup-manager "$3" --events-backend file --runtime "$2")
  CTR=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
}

# podman_require: exits 77 (SKIP) without podman or conmon.
podman_require() {
  command -v podman >/dev/null || { echo "SKIP: podman not installed (tools/deps)"; exit 77; }
  command -v conmon >/dev/null || [ -x /usr/libexec/podman/conmon ] ||
    { echo "SKIP: conmon not installed"; exit 77; }
}

# podman_import SRC DIR IMAGE [RUN...]: a busybox rootfs (SRC/tools/make-bundle DIR) imported
# as IMAGE by "${PODMAN[@]}", run through RUN (e.g. nsenter into a private systemd).
# podman's progress lines are dropped; its error is printed on failure.
podman_import() {
  local src=$1 dir=$2 image=$3 out
  shift 3
  "$src/tools/make-bundle" "$dir" >/dev/null || return 1
  out=$(tar -C "$dir/rootfs" -c . | "$@" "${PODMAN[@]}" import - "$image" 2>&1) || { echo "$out" >&2; return 1; }
}
