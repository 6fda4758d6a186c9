// Reading a container's output back from the journal (`logs`, `status`): the sd-journal
// reader, and the output formats. The --since/--until times are journal_time.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "systemd/journal_time.h"
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

/// Which entries to read.
struct JournalQuery {
  std::string identifier;              // SYSLOG_IDENTIFIER to match (the container id)
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
