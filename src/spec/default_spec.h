// The default configuration that `ocistart spec` writes (runc's, in substance).
#pragma once

#include "spec/config.h"

namespace ocistart::spec {

/// runc's default spec: `sh` with a terminal, rootfs "rootfs" read-only, the usual mounts,
/// namespaces pid/network/ipc/uts/mount(/cgroup), masked and read-only paths, the default
/// capability set, RLIMIT_NOFILE 1024. With `rootless`, as `runc spec --rootless`: a user
/// namespace mapping the caller's uid/gid (`uid`, `gid`), no network namespace, /sys bound
/// from the host, no gid= on devpts, no cgroup mount.
[[nodiscard]] Config default_config(bool rootless = false, uint32_t uid = 0, uint32_t gid = 0);

}  // namespace ocistart::spec
