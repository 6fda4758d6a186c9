// Name tables shared by validation, the runtime and the features document.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace ocistart::spec {

/// Capability names as the spec spells them ("CAP_CHOWN"), index = capability number,
/// up to CAP_CHECKPOINT_RESTORE (40).
[[nodiscard]] const std::vector<std::string_view>& capability_names();
[[nodiscard]] std::optional<int> capability_from_name(std::string_view name);

/// "RLIMIT_NOFILE" -> RLIMIT_NOFILE.
[[nodiscard]] std::optional<int> rlimit_from_name(std::string_view name);
[[nodiscard]] const std::vector<std::string_view>& rlimit_names();

/// "KILL", "SIGKILL", "9", "SIGRTMIN+3" -> signal number; nullopt when unknown.
[[nodiscard]] std::optional<int> signal_from_string(std::string_view name);

/// Mount options ocistart understands (flags, propagation, recursive attributes, "idmap").
[[nodiscard]] const std::vector<std::string_view>& known_mount_options();

/// Seccomp action / operator / arch / flag names of the spec.
[[nodiscard]] const std::vector<std::string_view>& seccomp_action_names();
[[nodiscard]] const std::vector<std::string_view>& seccomp_operator_names();
[[nodiscard]] const std::vector<std::string_view>& seccomp_arch_names();
[[nodiscard]] const std::vector<std::string_view>& seccomp_flag_names();

}  // namespace ocistart::spec
