// Container status and the legal transitions (youki's can_* predicates).
#pragma once

#include <optional>
#include <string_view>

namespace ocistart::runtime {

enum class Status { creating, created, running, paused, stopped };

[[nodiscard]] const char* to_string(Status s) noexcept;
[[nodiscard]] std::optional<Status> status_from_string(std::string_view s) noexcept;

[[nodiscard]] bool can_start(Status s) noexcept;   // created
[[nodiscard]] bool can_kill(Status s) noexcept;    // created, running, paused
[[nodiscard]] bool can_delete(Status s) noexcept;  // stopped, created (as runc: kill then delete);
                                                   // running/paused only with --force
[[nodiscard]] bool can_exec(Status s) noexcept;    // created, running
[[nodiscard]] bool can_pause(Status s) noexcept;   // created, running
[[nodiscard]] bool can_resume(Status s) noexcept;  // paused

}  // namespace ocistart::runtime
