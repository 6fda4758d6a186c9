#include "runtime/status.h"

namespace ocistart::runtime {

const char* to_string(Status s) noexcept {
  switch (s) {
    case Status::creating: return "creating";
    case Status::created: return "created";
    case Status::running: return "running";
    case Status::paused: return "paused";
    case Status::stopped: return "stopped";
  }
  return "unknown";
}

std::optional<Status> status_from_string(std::string_view s) noexcept {
  for (Status v : {Status::creating, Status::created, Status::running, Status::paused, Status::stopped})
    if (s == to_string(v))
      return v;
  return std::nullopt;
}

bool can_start(Status s) noexcept { return s == Status::created; }

bool can_kill(Status s) noexcept {
  return s == Status::created || s == Status::running || s == Status::paused;
}

// runc's `delete` without --force destroys a stopped container and kills then destroys a
// created one (its init only waits on exec.fifo); running and paused need --force.
bool can_delete(Status s) noexcept { return s == Status::stopped || s == Status::created; }

bool can_exec(Status s) noexcept { return s == Status::created || s == Status::running; }

bool can_pause(Status s) noexcept { return s == Status::created || s == Status::running; }

bool can_resume(Status s) noexcept { return s == Status::paused; }

}  // namespace ocistart::runtime
