#include "runtime/status.h"

namespace ocistart::runtime {

const char* to_string(ContainerStatus s) noexcept {
  switch (s) {
    case ContainerStatus::creating:
      return "creating";
    case ContainerStatus::created:
      return "created";
    case ContainerStatus::running:
      return "running";
    case ContainerStatus::paused:
      return "paused";
    case ContainerStatus::stopped:
      return "stopped";
  }
  return "unknown";
}

std::optional<ContainerStatus> status_from_string(std::string_view s) noexcept {
  for (ContainerStatus v : {ContainerStatus::creating, ContainerStatus::created, ContainerStatus::running,
                            ContainerStatus::paused, ContainerStatus::stopped})
    if (s == to_string(v))
      return v;
  return std::nullopt;
}

bool can_start(ContainerStatus s) noexcept { return s == ContainerStatus::created; }

bool can_kill(ContainerStatus s) noexcept {
  return s == ContainerStatus::created || s == ContainerStatus::running || s == ContainerStatus::paused;
}

// runc's `delete` without --force destroys a stopped container and kills then destroys a
// created one (its init only waits on exec.fifo); running and paused need --force.
bool can_delete(ContainerStatus s) noexcept { return s == ContainerStatus::stopped || s == ContainerStatus::created; }

bool can_exec(ContainerStatus s) noexcept { return s == ContainerStatus::created || s == ContainerStatus::running; }

bool can_pause(ContainerStatus s) noexcept { return s == ContainerStatus::created || s == ContainerStatus::running; }

bool can_resume(ContainerStatus s) noexcept { return s == ContainerStatus::paused; }

}  // namespace ocistart::runtime
