#include "systemd/timespan.h"

#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>

#include "util/text.h"

namespace ocistart::systemd {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

// Time span units as systemd spells them (case matters: "m" is minutes, "M" months).
struct SpanUnit {
  std::string_view name;
  double usec;
};
constexpr double kMinute = 60e6, kHour = 3600e6, kDay = 86400e6;
constexpr SpanUnit kSpanUnits[] = {
    {"us", 1},
    {"usec", 1},
    {"\xc2\xb5s", 1},
    {"\xce\xbcs", 1},
    {"ms", 1e3},
    {"msec", 1e3},
    {"s", 1e6},
    {"sec", 1e6},
    {"second", 1e6},
    {"seconds", 1e6},
    {"m", kMinute},
    {"min", kMinute},
    {"minute", kMinute},
    {"minutes", kMinute},
    {"h", kHour},
    {"hr", kHour},
    {"hour", kHour},
    {"hours", kHour},
    {"d", kDay},
    {"day", kDay},
    {"days", kDay},
    {"w", 7 * kDay},
    {"week", 7 * kDay},
    {"weeks", 7 * kDay},
    {"M", 30.44 * kDay},
    {"month", 30.44 * kDay},
    {"months", 30.44 * kDay},
    {"y", 365.25 * kDay},
    {"year", 365.25 * kDay},
    {"years", 365.25 * kDay},
    {"mins", kMinute},
};

}  // namespace

std::optional<uint64_t> parse_timespan_usec(std::string_view s) {
  s = util::trim_blanks(s);
  if (s.empty())
    return std::nullopt;
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    size_t digits = 0;
    for (; i < s.size() && is_digit(s[i]); ++i)
      ++digits;
    if (i < s.size() && s[i] == '.')
      for (++i; i < s.size() && is_digit(s[i]); ++i)
        ++digits;
    if (digits == 0)
      return std::nullopt;
    double number = std::strtod(std::string(s.substr(0, i)).c_str(), nullptr);
    s.remove_prefix(i);
    while (!s.empty() && is_space(s.front()))
      s.remove_prefix(1);
    size_t n = 0;  // the unit: letters, or the bytes of µ/μ
    while (n < s.size() &&
           ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || static_cast<unsigned char>(s[n]) >= 0x80))
      ++n;
    double unit = 1e6;  // a bare number is seconds
    if (n > 0) {
      const SpanUnit* found = nullptr;
      for (const SpanUnit& u : kSpanUnits)
        if (u.name == s.substr(0, n))
          found = &u;
      if (found == nullptr)
        return std::nullopt;
      unit = found->usec;
      s.remove_prefix(n);
    }
    total += number * unit;
    while (!s.empty() && is_space(s.front()))
      s.remove_prefix(1);
  }
  if (!(total < 1e18))
    return std::nullopt;
  return static_cast<uint64_t>(std::llround(total));
}

namespace {

// systemd's format_timespan(): units from years down, a remainder under a minute after a
// dot with the digits the unit has down to `accuracy` ("1.500000s" at 1 us, "1.500s" at
// 1 ms), nothing below `accuracy` once something is written.
std::string format_timespan(uint64_t usec, uint64_t accuracy) {
  if (usec == std::numeric_limits<uint64_t>::max())
    return "infinity";
  if (usec == 0)
    return "0";
  struct Unit {
    const char* suffix;
    uint64_t usec;
  };
  constexpr uint64_t kSec = 1000000, kMin = 60 * kSec, kDay = 86400 * kSec;
  static constexpr Unit kUnits[] = {
      {"y", 31557600 * kSec}, {"M", 2629800 * kSec}, {"w", 7 * kDay}, {"d", kDay}, {"h", 3600 * kSec},
      {"min", kMin},          {"s", kSec},           {"ms", 1000},    {"us", 1}};
  std::string out;
  uint64_t t = usec;
  for (const Unit& u : kUnits) {
    if (t == 0 || (t < accuracy && !out.empty()))
      break;
    if (t < u.usec)
      continue;
    uint64_t whole = t / u.usec, rest = t % u.usec;
    if (!out.empty())
      out += ' ';
    int digits = 0;
    for (uint64_t c = u.usec; c > 1; c /= 10)
      ++digits;
    uint64_t fraction = rest;
    for (uint64_t c = accuracy; c > 1; c /= 10) {
      fraction /= 10;
      --digits;
    }
    if (t < kMin && rest > 0 && digits > 0) {
      std::string frac = std::to_string(fraction);
      frac.insert(0, static_cast<size_t>(digits) - std::min(frac.size(), static_cast<size_t>(digits)), '0');
      out += std::to_string(whole) + "." + frac + u.suffix;
      break;
    }
    out += std::to_string(whole) + u.suffix;
    t = rest;
  }
  return out;
}

}  // namespace

std::string format_timespan_ms(uint64_t usec) { return format_timespan(usec, 1000); }

std::string format_timespan_usec(uint64_t usec) { return format_timespan(usec, 1); }

}  // namespace ocistart::systemd
