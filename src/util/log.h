// The CLI's log: `--log FILE`, `--log-format text|json`, `--debug`.
#pragma once

#include <string>
#include <string_view>

namespace ocistart::util {

enum class LogLevel { debug, info, warning, error };

struct LogOptions {
  std::string file;    // empty: stderr only
  bool json = false;   // --log-format json: one JSON object a line {"level","msg","time"}
  bool debug = false;  // --debug
};

/// Configures the process-wide log sink once, from main. Not for the forked init.
void log_setup(const LogOptions& options);
/// Writes one record. Errors always go to stderr as "ocistart: <msg>" too (runc prints
/// errors to stderr and, when --log is set, into the log file). Without --log, warnings go
/// to stderr as "ocistart: warning: <msg>", and debug records in logrus's text layout.
void log(LogLevel level, std::string_view message);
inline void log_debug(std::string_view m) { log(LogLevel::debug, m); }
inline void log_warning(std::string_view m) { log(LogLevel::warning, m); }
inline void log_error(std::string_view m) { log(LogLevel::error, m); }

}  // namespace ocistart::util
