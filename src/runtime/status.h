// Container status and the legal transitions (youki's can_* predicates).
#pragma once

#include <optional>
#include <string_view>

namespace ocistart::runtime {

// Named apart from util::Status (a Result<void>), which runtime code uses everywhere too.
enum class ContainerStatus { creating, created, running, paused, stopped };

[[nodiscard]] const char* to_string(ContainerStatus s) noexcept;
[[nodiscard]] std::optional<ContainerStatus> status_from_string(std::string_view s) noexcept;

[[nodiscard]] bool can_start(ContainerStatus s) noexcept;   // created
[[nodiscard]] bool can_kill(ContainerStatus s) noexcept;    // created, running, paused
[[nodiscard]] bool can_delete(ContainerStatus s) noexcept;  // stopped, created (as runc: kill then delete);
                                                            // running/paused only with --force
[[nodiscard]] bool can_exec(ContainerStatus s) noexcept;    // created, running
[[nodiscard]] bool can_pause(ContainerStatus s) noexcept;   // created, running
[[nodiscard]] bool can_resume(ContainerStatus s) noexcept;  // paused

}  // namespace ocistart::runtime
