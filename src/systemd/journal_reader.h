// Reading a container's output back from the journal (`logs`, `status`): the sd-journal
// reader, and the pure parts around it (journalctl-style times, the output formats).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace ocistart::systemd {

/// One journal entry: its timestamps, cursor and data fields.
struct JournalEntry {
  uint64_t realtime_usec = 0;   // __REALTIME_TIMESTAMP: µs since the epoch
  uint64_t monotonic_usec = 0;  // __MONOTONIC_TIMESTAMP
  std::string cursor;           // __CURSOR
  /// NAME=value fields in the journal's order; a name may repeat.
  std::vector<std::pair<std::string, std::string>> fields;

  /// The first value of `name`, or nullopt when the entry has no such field.
  [[nodiscard]] std::optional<std::string_view> field(std::string_view name) const;
};

/// The `logs --output` formats.
enum class OutputFormat {
  /// "Mon DD HH:MM:SS <identifier>[<pid>]: <message>" in local time, as journalctl's short.
  short_line,
  /// The message only.
  cat,
  /// One JSON object per entry: __CURSOR, __REALTIME_TIMESTAMP, __MONOTONIC_TIMESTAMP, then
  /// every field (string values, as journalctl; a repeated field becomes an array).
  json,
};

/// "short", "cat" or "json"; EINVAL naming the value otherwise.
[[nodiscard]] util::Result<OutputFormat> output_format_from_string(std::string_view name);

/// `entry` as one line of `format`, with its final newline. Pure (short uses the local
/// time zone, from TZ). Bytes that are not UTF-8 become U+FFFD in json.
[[nodiscard]] std::string format_entry(const JournalEntry& entry, OutputFormat format);

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

/// Which entries to read.
struct JournalQuery {
  std::string identifier;             // SYSLOG_IDENTIFIER to match (the container id)
  std::optional<uint64_t> since_usec;  // only entries at or after this time
  std::optional<uint64_t> until_usec;  // only entries at or before this time
  std::optional<unsigned> last;        // only the last N of those (0: none)
  /// After the matching entries, keep waiting for new ones until `stop_fd` is readable
  /// (a signalfd, say) or `on_entry` fails. Not with until_usec.
  bool follow = false;
  int stop_fd = -1;
};

/// What read_journal found besides the entries.
struct JournalReadResult {
  bool no_journal_files = false;  // the host has no journal at all (no systemd, no journald)
};

/// Reads the local journal (system and user files of this machine) and calls `on_entry`
/// for each entry of `query`, oldest first; a failing `on_entry` ends the read with its
/// error (a closed stdout, say). Errors: "open the journal: ..." and the like; ENOTSUP
/// "built without systemd" when libsystemd is not built in.
[[nodiscard]] util::Result<JournalReadResult> read_journal(
    const JournalQuery& query, const std::function<util::Status(const JournalEntry&)>& on_entry);

}  // namespace ocistart::systemd
