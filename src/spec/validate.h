// Semantic validation of a parsed Config: a separate, pure pass.
#pragma once

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::spec {

/// Checks what the types cannot: ociVersion 1.x, root.path present, absolute mount
/// destinations, no duplicate namespace types, a user namespace needs uid/gid mappings,
/// known capability / rlimit / seccomp action / arch / operator / personality / scheduler
/// / ioPriority names, device types, cgroup device rules, propagation values, hook paths
/// absolute and timeouts > 0, cwd absolute, ... The first problem found is returned, its
/// message starting with the JSON pointer of the field:
///   "/linux/namespaces/3/type: duplicate namespace type \"pid\""
/// Pure: no file system access.
[[nodiscard]] util::Status validate(const Config& config);

}  // namespace ocistart::spec
