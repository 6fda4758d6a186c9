// Semantic validation of a parsed Config: a separate, pure pass.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

/// Why SCMP_ACT_NOTIFY cannot be the action of `syscall`, in runc's words ("SCMP_ACT_NOTIFY
/// cannot be used for the write syscall"); nullopt when it can. Only `write`: the process
/// that loads the filter writes the listener fd's number to its parent, which takes the fd
/// with pidfd_getfd(2) and hands it to the agent; a notified write would wait for an agent
/// that can only get the fd through that very write. Pure.
[[nodiscard]] std::optional<std::string> seccomp_notify_refusal(std::string_view syscall);

}  // namespace ocistart::spec
