// The journal reader of `logs` and `status`. The time parser and the formatters are pure
// and built everywhere; the sd-journal part only with libsystemd.
#include "systemd/journal_reader.h"

#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <memory>

#include "build_config.h"
#include "systemd/timespan.h"
#include "util/text.h"
#include "util/json_writer.h"
#if OCISTART_HAVE_SYSTEMD
#include <systemd/sd-journal.h>
#endif

namespace ocistart::systemd {
namespace {

constexpr uint64_t kUsecPerSec = 1000000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Reads 1..max_digits digits from the front of `s` into `out`.
bool take_number(std::string_view& s, size_t max_digits, int& out) {
  size_t i = 0;
  out = 0;
  while (i < s.size() && i < max_digits && is_digit(s[i])) {
    out = out * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0)
    return false;
  s.remove_prefix(i);
  return true;
}

bool take_char(std::string_view& s, char c) {
  if (s.empty() || s.front() != c)
    return false;
  s.remove_prefix(1);
  return true;
}

// "HH:MM[:SS]" into tm; false when malformed or out of range.
bool parse_clock(std::string_view s, struct tm& tm) {
  int h = 0, m = 0, sec = 0;
  if (!take_number(s, 2, h) || !take_char(s, ':') || s.size() < 2 || !take_number(s, 2, m))
    return false;
  if (take_char(s, ':') && (s.size() < 2 || !take_number(s, 2, sec)))
    return false;
  if (!s.empty() || h > 23 || m > 59 || sec > 59)
    return false;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  return true;
}

// Local broken-down time -> µs since the epoch; nullopt when mktime cannot.
std::optional<uint64_t> local_to_usec(struct tm tm) {
  tm.tm_isdst = -1;
  errno = 0;
  time_t t = ::mktime(&tm);
  if (t == static_cast<time_t>(-1) && errno != 0)
    return std::nullopt;
  if (t < 0)
    return uint64_t{0};
  return static_cast<uint64_t>(t) * kUsecPerSec;
}

struct tm local_tm(uint64_t usec) {
  time_t t = static_cast<time_t>(usec / kUsecPerSec);
  struct tm tm {};
  (void)::localtime_r(&t, &tm);
  return tm;
}

// "YYYY-MM-DD[( |T)HH:MM[:SS]]" or "HH:MM[:SS]" (today), local time.
std::optional<uint64_t> parse_date(std::string_view s, uint64_t now_usec) {
  struct tm tm = local_tm(now_usec);
  if (s.size() >= 4 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
      s.size() > 4 && s[4] == '-') {
    int year = 0, month = 0, day = 0;
    if (!take_number(s, 4, year) || !take_char(s, '-') || !take_number(s, 2, month) || !take_char(s, '-') ||
        !take_number(s, 2, day))
      return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31)
      return std::nullopt;
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    if (!s.empty()) {
      if (s.front() != ' ' && s.front() != 'T')
        return std::nullopt;
      s.remove_prefix(1);
      if (!parse_clock(s, tm))
        return std::nullopt;
    }
    // mktime would turn February 30 into March 2: refuse days the month does not have.
    struct tm check = tm;
    check.tm_isdst = -1;
    if (::mktime(&check) == static_cast<time_t>(-1) || check.tm_mday != day || check.tm_mon != month - 1)
      return std::nullopt;
    return local_to_usec(tm);
  }
  if (!parse_clock(s, tm))
    return std::nullopt;
  return local_to_usec(tm);
}

std::optional<uint64_t> midnight(uint64_t now_usec, int day_offset) {
  struct tm tm = local_tm(now_usec);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_mday += day_offset;
  return local_to_usec(tm);
}

uint64_t minus(uint64_t now, uint64_t span) { return span > now ? 0 : now - span; }

// "@1700000000[.5]"
std::optional<uint64_t> parse_epoch(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  size_t i = 0;
  while (i < s.size() && is_digit(s[i]))
    ++i;
  if (i == 0 || (i < s.size() && (s[i] != '.' || i + 1 == s.size())))
    return std::nullopt;
  for (size_t k = i + 1; k < s.size(); ++k)
    if (!is_digit(s[k]))
      return std::nullopt;
  double seconds = std::strtod(std::string(s).c_str(), nullptr);
  if (!(seconds < 1e12))
    return std::nullopt;
  return static_cast<uint64_t>(std::llround(seconds * 1e6));
}

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
  return util::make_error("unknown output format `" + std::string(name) + "` (expected short, cat or json)",
                          EINVAL);
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

uint64_t realtime_now_usec() {
  struct timespec ts {};
  (void)::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * kUsecPerSec + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

util::Result<uint64_t> parse_journal_time(std::string_view text, uint64_t now_usec) {
  std::string_view s = util::trim_blanks(text);
  std::optional<uint64_t> got;
  if (s == "now") {
    got = now_usec;
  } else if (s == "today") {
    got = midnight(now_usec, 0);
  } else if (s == "yesterday") {
    got = midnight(now_usec, -1);
  } else if (s == "tomorrow") {
    got = midnight(now_usec, 1);
  } else if (!s.empty() && s.front() == '@') {
    got = parse_epoch(s.substr(1));
  } else if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    if (std::optional<uint64_t> span = parse_timespan_usec(s.substr(1)))
      got = s.front() == '-' ? minus(now_usec, *span) : now_usec + *span;
  } else if (ends_with(s, " ago")) {
    if (std::optional<uint64_t> span = parse_timespan_usec(s.substr(0, s.size() - 4)))
      got = minus(now_usec, *span);
  } else if (ends_with(s, " left")) {
    if (std::optional<uint64_t> span = parse_timespan_usec(s.substr(0, s.size() - 5)))
      got = now_usec + *span;
  } else if (!s.empty() && is_digit(s.front())) {
    got = parse_date(s, now_usec);
  }
  if (!got)
    return util::make_error("invalid time `" + std::string(text) +
                                "` (expected now, today, yesterday, a relative time like -1h or -30min, "
                                "YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS])",
                            EINVAL);
  return *got;
}

#if OCISTART_HAVE_SYSTEMD
namespace {

struct JournalCloser {
  void operator()(sd_journal* j) const noexcept { sd_journal_close(j); }
};
using JournalPtr = std::unique_ptr<sd_journal, JournalCloser>;

util::Result<JournalEntry> current_entry(sd_journal* j) {
  JournalEntry e;
  if (int r = sd_journal_get_realtime_usec(j, &e.realtime_usec); r < 0)
    return util::errno_error("read the time of a journal entry", -r);
  sd_id128_t boot{};
  (void)sd_journal_get_monotonic_usec(j, &e.monotonic_usec, &boot);
  char* cursor = nullptr;
  if (sd_journal_get_cursor(j, &cursor) >= 0 && cursor != nullptr) {
    e.cursor = cursor;
    std::free(cursor);
  }
  const void* data = nullptr;
  size_t length = 0;
  sd_journal_restart_data(j);
  // "available": fields this libsystemd cannot decompress are skipped, not fatal.
  while (sd_journal_enumerate_available_data(j, &data, &length) > 0) {
    std::string_view field(static_cast<const char*>(data), length);
    size_t eq = field.find('=');
    if (eq != std::string_view::npos)
      e.fields.emplace_back(std::string(field.substr(0, eq)), std::string(field.substr(eq + 1)));
  }
  return e;
}

util::Result<uint64_t> entry_time(sd_journal* j) {
  uint64_t t = 0;
  if (int r = sd_journal_get_realtime_usec(j, &t); r < 0)
    return util::errno_error("read the time of a journal entry", -r);
  return t;
}

// Waits until the journal changes (true) or `stop_fd` is readable (false).
util::Result<bool> wait_for_change(sd_journal* j, int journal_fd, int stop_fd) {
  uint64_t deadline = 0;
  int timeout_ms = -1;
  if (sd_journal_get_timeout(j, &deadline) >= 0 && deadline != std::numeric_limits<uint64_t>::max()) {
    struct timespec ts {};
    (void)::clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = static_cast<uint64_t>(ts.tv_sec) * kUsecPerSec + static_cast<uint64_t>(ts.tv_nsec) / 1000;
    timeout_ms = deadline <= now ? 0 : static_cast<int>(std::min<uint64_t>((deadline - now + 999) / 1000, 60000));
  }
  int events = sd_journal_get_events(j);
  struct pollfd fds[2] = {{journal_fd, static_cast<short>(events < 0 ? POLLIN : events), 0},
                          {stop_fd, POLLIN, 0}};
  int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, timeout_ms);
  if (n < 0 && errno != EINTR)
    return util::errno_error("wait for the journal");
  if (stop_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
    return false;
  if (int r = sd_journal_process(j); r < 0)
    return util::errno_error("process journal changes", -r);
  return true;
}

}  // namespace

util::Result<JournalReadResult> read_journal(const JournalQuery& q,
                                             const std::function<util::Status(const JournalEntry&)>& on_entry) {
  if (q.follow && q.until_usec)
    return util::make_error("cannot follow the journal up to a time", EINVAL);
  sd_journal* raw = nullptr;
  if (int r = sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY); r < 0)
    return util::errno_error("open the journal", -r);
  JournalPtr j(raw);
  // Whole fields, however long (the default threshold cuts them at 64 KiB).
  (void)sd_journal_set_data_threshold(j.get(), 0);
  std::string match = "SYSLOG_IDENTIFIER=" + q.identifier;
  if (int r = sd_journal_add_match(j.get(), match.data(), match.size()); r < 0)
    return util::errno_error("match `" + match + "` in the journal", -r);
  // The inotify watches exist before the first read, so nothing written meanwhile is lost.
  int journal_fd = -1;
  if (q.follow) {
    journal_fd = sd_journal_get_fd(j.get());
    if (journal_fd < 0)
      return util::errno_error("watch the journal", -journal_fd);
  }
  JournalReadResult result;
  uint64_t usage = 0;
  if (sd_journal_get_usage(j.get(), &usage) >= 0 && usage == 0)
    result.no_journal_files = true;

  std::string last_cursor;
  // Reads forward from the read pointer, emitting the entries in range, up to the end of
  // the journal or the first entry after --until.
  auto emit_forward = [&]() -> util::Status {
    int r;
    while ((r = sd_journal_next(j.get())) > 0) {
      util::Result<uint64_t> t = entry_time(j.get());
      if (!t)
        return std::move(t).error();
      if (q.until_usec && *t > *q.until_usec)
        return {};
      if (q.since_usec && *t < *q.since_usec)
        continue;
      util::Result<JournalEntry> e = current_entry(j.get());
      if (!e)
        return std::move(e).error();
      last_cursor = e->cursor;
      if (util::Status s = on_entry(*e); !s)
        return s;
    }
    if (r < 0)
      return util::errno_error("read the journal", -r);
    return {};
  };

  if (q.last) {
    // Walk back from the end (or from --until) to collect the last N entries in range.
    std::vector<JournalEntry> newest_first;
    int r = q.until_usec ? sd_journal_seek_realtime_usec(j.get(), *q.until_usec + 1) : sd_journal_seek_tail(j.get());
    if (r < 0)
      return util::errno_error("seek in the journal", -r);
    while (newest_first.size() < *q.last) {
      r = sd_journal_previous(j.get());
      if (r < 0)
        return util::errno_error("read the journal", -r);
      if (r == 0)
        break;
      util::Result<uint64_t> t = entry_time(j.get());
      if (!t)
        return std::move(t).error();
      if (q.until_usec && *t > *q.until_usec)
        continue;
      if (q.since_usec && *t < *q.since_usec)
        break;
      util::Result<JournalEntry> e = current_entry(j.get());
      if (!e)
        return std::move(e).error();
      newest_first.push_back(std::move(*e));
    }
    for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
      last_cursor = it->cursor;
      if (util::Status s = on_entry(*it); !s)
        return std::move(s).error();
    }
  } else {
    int r = q.since_usec ? sd_journal_seek_realtime_usec(j.get(), *q.since_usec) : sd_journal_seek_head(j.get());
    if (r < 0)
      return util::errno_error("seek in the journal", -r);
    if (util::Status s = emit_forward(); !s)
      return std::move(s).error();
  }
  if (!q.follow)
    return result;

  // Continue right after the last entry shown; with none shown, after the newest one.
  if (!last_cursor.empty()) {
    if (int r = sd_journal_seek_cursor(j.get(), last_cursor.c_str()); r < 0)
      return util::errno_error("seek in the journal", -r);
    // Seeking to a cursor lands before it: step onto it, and past it when it is still there.
    if (int r = sd_journal_next(j.get()); r > 0 && sd_journal_test_cursor(j.get(), last_cursor.c_str()) <= 0)
      (void)sd_journal_previous(j.get());
  } else {
    if (int r = sd_journal_seek_tail(j.get()); r < 0)
      return util::errno_error("seek in the journal", -r);
    (void)sd_journal_previous(j.get());
  }
  for (;;) {
    if (util::Status s = emit_forward(); !s)
      return std::move(s).error();
    util::Result<bool> changed = wait_for_change(j.get(), journal_fd, q.stop_fd);
    if (!changed)
      return std::move(changed).error();
    if (!*changed)
      return result;
  }
}

#else

util::Result<JournalReadResult> read_journal(const JournalQuery& /*query*/,
                                             const std::function<util::Status(const JournalEntry&)>& /*on_entry*/) {
  return util::make_error("ocistart was built without systemd: the journal cannot be read", ENOTSUP);
}

#endif

}  // namespace ocistart::systemd
