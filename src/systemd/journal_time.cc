// The --since/--until times of `logs` (journalctl's syntax): pure except for the time zone.
#include "systemd/journal_time.h"

#include <time.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "systemd/timespan.h"
#include "util/result.h"
#include "util/text.h"

namespace ocistart::systemd {
namespace {

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

// "YYYY-MM-DD[( |T)HH:MM[:SS]]" or "HH:MM[:SS]" (today), local time.
std::optional<uint64_t> parse_date(std::string_view s, uint64_t now_usec) {
  struct tm tm = local_tm(now_usec);
  if (s.size() >= 4 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s.size() > 4 &&
      s[4] == '-') {
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

}  // namespace

struct tm local_tm(uint64_t realtime_usec) {
  time_t t = static_cast<time_t>(realtime_usec / kUsecPerSec);
  struct tm tm {};
  (void)::localtime_r(&t, &tm);
  return tm;
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

}  // namespace ocistart::systemd
