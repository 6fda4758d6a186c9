// The output formats of `logs` and `status` (journal_reader.h): pure, built everywhere and
// linked into the binary. The sd-journal reader is journal_reader.cc (the systemd module).
#include "systemd/journal_reader.h"

#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <limits>
#include <memory>

#include "util/json_writer.h"
#include "util/text.h"

namespace ocistart::systemd {
namespace {

std::string short_timestamp(uint64_t realtime_usec) {
  struct tm tm = local_tm(realtime_usec);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%b %d %H:%M:%S", &tm);
  return std::string(buf, n);
}

}  // namespace

std::optional<std::string_view> JournalEntry::field(std::string_view name) const {
  for (const auto& [k, v] : fields)
    if (k == name)
      return std::string_view(v);
  return std::nullopt;
}

util::Result<OutputFormat> output_format_from_string(std::string_view name) {
  if (name == "short")
    return OutputFormat::short_line;
  if (name == "cat")
    return OutputFormat::cat;
  if (name == "json")
    return OutputFormat::json;
  return util::make_error("unknown output format `" + std::string(name) + "` (expected short, cat or json)", EINVAL);
}

std::string format_entry(const JournalEntry& entry, OutputFormat format) {
  std::string_view message = entry.field("MESSAGE").value_or("");
  switch (format) {
    case OutputFormat::cat:
      return std::string(message) + "\n";
    case OutputFormat::short_line: {
      std::string_view ident = entry.field("SYSLOG_IDENTIFIER").value_or(entry.field("_COMM").value_or("unknown"));
      std::optional<std::string_view> pid = entry.field("_PID");
      if (!pid)
        pid = entry.field("SYSLOG_PID");
      std::string line = short_timestamp(entry.realtime_usec);
      line.append(" ").append(ident);
      if (pid)
        line.append("[").append(*pid).append("]");
      line.append(": ");
      // Continuation lines of a multi-line message line up under its first line.
      const std::string indent(line.size(), ' ');
      for (char c : message) {
        line += c;
        if (c == '\n')
          line += indent;
      }
      return line + "\n";
    }
    case OutputFormat::json: {
      util::JsonWriter w;
      w.begin_object()
          .member("__CURSOR", entry.cursor)
          .member("__REALTIME_TIMESTAMP", std::to_string(entry.realtime_usec))
          .member("__MONOTONIC_TIMESTAMP", std::to_string(entry.monotonic_usec));
      // Each name once, in order of first appearance; repeated names as an array.
      std::vector<std::string_view> done;
      for (const auto& [name, value] : entry.fields) {
        if (std::find(done.begin(), done.end(), name) != done.end())
          continue;
        done.push_back(name);
        std::vector<std::string> values;
        for (const auto& [k, v] : entry.fields)
          if (k == name)
            values.push_back(v);
        if (values.size() == 1)
          w.member(name, values.front());
        else
          w.member_strings(name, values);
      }
      w.end_object();
      return std::move(w).str() + "\n";
    }
  }
  return {};
}

}  // namespace ocistart::systemd
