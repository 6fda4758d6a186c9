// `update`: new resource limits for a container's cgroup (runc's `update`).
#pragma once

#include <string>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::runtime {

/// Applies `resources` to the cgroup of container `id` through its driver (cgroupfs files;
/// with systemd, unit properties then the files), under the container's lock. Only the
/// settings `resources` holds change; devices are never touched (as runc: an update must
/// not reset device access a plugin may have granted). The driver's warnings (settings
/// this cgroup version cannot express) are logged.
/// Errors: "container not running" (EINVAL) unless it is created, running or paused (runc
/// refuses a stopped one); the driver's, naming the file or property.
[[nodiscard]] util::Status update(const std::string& root, const std::string& id, const spec::Resources& resources);

}  // namespace ocistart::runtime
