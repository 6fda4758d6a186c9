// events: a container's resource statistics and OOM notifications as runc's JSON events.
#pragma once

#include <chrono>
#include <string>

#include "cgroups/stats.h"
#include "util/result.h"

namespace ocistart::runtime {

/// `{"type":"stats","id":ID,"data":{...}}` in one line (no newline), with runc's member
/// names and its rule of leaving out most zero counters.
[[nodiscard]] std::string stats_event_json(const std::string& id, const cgroups::Stats& stats);

/// `{"type":"oom","id":ID}` (no newline).
[[nodiscard]] std::string oom_event_json(const std::string& id);

/// Whether the OOM counters went up from `before` to `now`: the oom_kill count when the
/// kernel keeps one, else under_oom switching on.
[[nodiscard]] bool oom_happened(const cgroups::Stats& before, const cgroups::Stats& now);

/// `events`: with `stats_only`, prints one stats event; else prints a stats event every
/// `interval` and an oom event when the cgroup's OOM counters go up (checked every
/// interval, at least every 200ms), until the container stops; then returns success.
/// Prints to stdout, one event a line. Errors: "container not running" (ESRCH) when it
/// is stopped at the start, or the store's and the cgroup reader's.
[[nodiscard]] util::Status events(const std::string& root, const std::string& id, std::chrono::nanoseconds interval,
                                  bool stats_only);

}  // namespace ocistart::runtime
