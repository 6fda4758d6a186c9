// bind: a host path mounted into a running container (`machinectl bind`).
#pragma once

#include <string>

#include "linux/bind_mount.h"
#include "util/result.h"

namespace ocistart::runtime {

/// Mounts `request.source` at `request.destination` inside running container `id`
/// (os::bind_into says how). Errors: the container's (does not exist, not running), then
/// os::bind_into's.
[[nodiscard]] util::Status bind(const std::string& root, const std::string& id, const os::BindInto& request);

}  // namespace ocistart::runtime
