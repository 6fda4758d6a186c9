#include "util/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "util/json_writer.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::util {
namespace {

struct LogState {
  LogOptions options;
  UniqueFd file;  // --log target, opened O_APPEND
};

LogState& state() {
  static LogState s;
  return s;
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "error";
}

// RFC 3339 in local time, seconds precision, "Z" for UTC (as logrus writes it).
std::string rfc3339_now() {
  time_t now = time(nullptr);
  struct tm tm {};
  localtime_r(&now, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  long off = tm.tm_gmtoff;
  if (off == 0) {
    out.push_back('Z');
  } else {
    char sign = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", sign, off / 3600, (off % 3600) / 60);
    out += buf;
  }
  return out;
}

// One line: newlines and other control characters become spaces, trailing ones go.
std::string one_line(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (char c : message)
    out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

// A logfmt value in double quotes, with \" \\ and control characters escaped.
std::string quote_logfmt(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

// Writes all of `data` to `fd` in one write(2) when possible, so records from concurrent
// processes appending to one file do not interleave. Errors are ignored: a failing log
// must not change the outcome of the command.
void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string format_record(LogLevel level, std::string_view message, bool json) {
  if (json) {
    // logrus's JSONFormatter sorts keys: level, msg, time.
    JsonWriter w;
    w.begin_object()
        .member("level", level_name(level))
        .member("msg", message)
        .member("time", rfc3339_now())
        .end_object();
    return std::move(w).str() + "\n";
  }
  return "time=" + quote_logfmt(rfc3339_now()) + " level=" + level_name(level) + " msg=" + quote_logfmt(message) + "\n";
}

}  // namespace

void log_setup(const LogOptions& options) {
  LogState& s = state();
  s.options = options;
  s.file.reset();
  if (options.file.empty())
    return;
  int fd = ::open(options.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) {
    int err = errno;
    std::string line = "ocistart: open log file `" + options.file + "`: " + errno_text(err) + "\n";
    write_all(STDERR_FILENO, line);
    return;
  }
  // Kept out of the low fds: --preserve-fds N hands 3..3+N-1 of ours to the container, and
  // the log file must never be one of them (a gap in that range is refused, but only if
  // nothing of ours fills it).
  constexpr int kHighFd = 256;
  if (int high = ::fcntl(fd, F_DUPFD_CLOEXEC, kHighFd); high >= 0) {
    ::close(fd);
    fd = high;
  }
  s.file.reset(fd);
}

void log(LogLevel level, std::string_view message) {
  const LogState& s = state();
  if (level == LogLevel::debug && !s.options.debug)
    return;
  if (s.file) {
    write_all(s.file.get(), format_record(level, message, s.options.json));
    // Errors reach the caller on stderr as well; other levels stay in the file.
    if (level != LogLevel::error)
      return;
  }
  // Debug records on stderr keep logrus's layout (time=... level=debug msg=...): tools
  // that drive runc with --debug look for "level=debug" there.
  if (level == LogLevel::debug) {
    write_all(STDERR_FILENO, format_record(level, message, false));
    return;
  }
  std::string line = "ocistart: ";
  if (level == LogLevel::warning)
    line += "warning: ";
  line += one_line(message);
  line.push_back('\n');
  write_all(STDERR_FILENO, line);
}

}  // namespace ocistart::util
