// The default configuration that `ocistart spec` writes (runc's, in substance).
#pragma once

#include "spec/config.h"

namespace ocistart::spec {

/// runc's default spec: `sh` with a terminal, rootfs "rootfs" read-only, the usual mounts,
/// namespaces pid/network/ipc/uts/mount(/cgroup), masked and read-only paths, the default
/// capability set, RLIMIT_NOFILE 1024. With `rootless`, as `runc spec --rootless`: a user
/// namespace mapping the caller's uid/gid (`uid`, `gid`) to root, no network namespace,
/// /sys bound from the host, no uid=/gid= mount options, no linux.resources (the read-only
/// cgroup mount stays, as in runc). A cgroup namespace is added on a pure cgroup v2 host
/// (runc does the same), which is the only thing read from the host.
[[nodiscard]] Config default_config(bool rootless = false, uint32_t uid = 0, uint32_t gid = 0);

}  // namespace ocistart::spec
