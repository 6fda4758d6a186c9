// journalctl-style --since/--until times for `logs`, as µs since the epoch. Pure except for
// the local time zone (TZ).
#pragma once

#include <time.h>

#include <cstdint>
#include <string_view>

#include "util/result.h"

namespace ocistart::systemd {

inline constexpr uint64_t kUsecPerSec = 1000000;

/// A --since/--until value as µs since the epoch, relative to `now_usec`:
///  - "now", "today", "yesterday", "tomorrow" (midnight, local time);
///  - a time span before or after now: "-1h", "-30min", "-10s", "+5m", "1h 30min ago",
///    "2d left" (units us ms s sec m min h hr d w M y and their long names; a number
///    without a unit is seconds);
///  - "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (or with a `T`), "HH:MM[:SS]" (today), in
///    local time; "@SECONDS" since the epoch.
/// EINVAL otherwise: "invalid time `x` (expected ...)". Pure except for the time zone.
[[nodiscard]] util::Result<uint64_t> parse_journal_time(std::string_view text, uint64_t now_usec);

/// Now as µs since the epoch (CLOCK_REALTIME).
[[nodiscard]] uint64_t realtime_now_usec();

/// `realtime_usec` (µs since the epoch) as local broken-down time.
[[nodiscard]] struct tm local_tm(uint64_t realtime_usec);

}  // namespace ocistart::systemd
