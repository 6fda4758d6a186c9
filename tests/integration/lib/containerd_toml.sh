# Sourced by engines.sh and docker_systemd.sh.
# containerd_toml ROOT STATE SOCKET: a containerd config of its own (root and state dirs,
# gRPC socket SOCKET, ttrpc SOCKET.ttrpc, opt plugins under ROOT/opt) without the CRI
# plugin and the snapshotters this machine cannot use, on stdout.
containerd_toml() {
  cat <<EOF2
version = 2
root = "$1"
state = "$2"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$3"
[ttrpc]
  address = "$3.ttrpc"
[debug]
  level = "info"
[plugins."io.containerd.internal.v1.opt"]
  path = "$1/opt"
EOF2
}
