#include "systemd/assignment.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <type_traits>
#include <variant>

#include "spec/names.h"
#include "systemd/timespan.h"
#include "systemd/unit_properties.h"

namespace ocistart::systemd {
namespace {

using util::Error;
using util::Result;

constexpr uint64_t kInfinity = std::numeric_limits<uint64_t>::max();

enum class Kind {
  bytes,
  memory,
  tasks,
  quota,
  weight,
  boolean,
  timespan,
  text,
  cpu_set,
  device_allow,
  device_bytes,
  device_number,
  integer,      // i
  count,        // u
  signal,       // i: a number or a name (TERM, SIGTERM)
  environment,  // as: space-separated NAME=VALUE words; repeated -p add to it
};

struct Known {
  std::string_view name;
  Kind kind;
};

// What only a service takes (run --service), as systemd-run's -p: the service's own
// settings and the execution settings of its ExecStart (the runtime's, not the container's).
constexpr std::array kServiceOnly{
    Known{"Type", Kind::text},
    Known{"Restart", Kind::text},
    Known{"NotifyAccess", Kind::text},
    Known{"ExitType", Kind::text},
    Known{"RemainAfterExit", Kind::boolean},
    Known{"User", Kind::text},
    Known{"Group", Kind::text},
    Known{"WorkingDirectory", Kind::text},
    Known{"StandardInput", Kind::text},
    Known{"StandardOutput", Kind::text},
    Known{"StandardError", Kind::text},
    Known{"SyslogIdentifier", Kind::text},
    Known{"Environment", Kind::environment},
    Known{"Nice", Kind::integer},
    Known{"OOMScoreAdjust", Kind::integer},
    Known{"StartLimitBurst", Kind::count},
    Known{"KillSignal", Kind::signal},
    Known{"FinalKillSignal", Kind::signal},
    Known{"PrivateTmp", Kind::boolean},
};

// What only a timer takes (--timer-property); its *Sec spans are the generic ones.
constexpr std::array kTimerOnly{
    Known{"Persistent", Kind::boolean},
    Known{"WakeSystem", Kind::boolean},
    Known{"RemainAfterElapse", Kind::boolean},
    Known{"FixedRandomDelay", Kind::boolean},
};

constexpr std::array kKnown{
    Known{"MemoryMin", Kind::memory},
    Known{"MemoryLow", Kind::memory},
    Known{"MemoryHigh", Kind::memory},
    Known{"MemoryMax", Kind::memory},
    Known{"MemorySwapMax", Kind::memory},
    Known{"MemoryLimit", Kind::memory},
    Known{"TasksMax", Kind::tasks},
    Known{"CPUQuota", Kind::quota},
    Known{"CPUWeight", Kind::weight},
    Known{"StartupCPUWeight", Kind::weight},
    Known{"CPUShares", Kind::weight},
    Known{"StartupCPUShares", Kind::weight},
    Known{"IOWeight", Kind::weight},
    Known{"StartupIOWeight", Kind::weight},
    Known{"BlockIOWeight", Kind::weight},
    Known{"StartupBlockIOWeight", Kind::weight},
    Known{"Delegate", Kind::boolean},
    Known{"DefaultDependencies", Kind::boolean},
    Known{"SendSIGKILL", Kind::boolean},
    Known{"SendSIGHUP", Kind::boolean},
    Known{"MemoryOOMGroup", Kind::boolean},
    Known{"Description", Kind::text},
    Known{"Slice", Kind::text},
    Known{"DevicePolicy", Kind::text},
    Known{"CollectMode", Kind::text},
    Known{"KillMode", Kind::text},
    Known{"OOMPolicy", Kind::text},
    Known{"ManagedOOMSwap", Kind::text},
    Known{"ManagedOOMMemoryPressure", Kind::text},
    Known{"AllowedCPUs", Kind::cpu_set},
    Known{"AllowedMemoryNodes", Kind::cpu_set},
    Known{"StartupAllowedCPUs", Kind::cpu_set},
    Known{"StartupAllowedMemoryNodes", Kind::cpu_set},
    Known{"DeviceAllow", Kind::device_allow},
    Known{"IOReadBandwidthMax", Kind::device_bytes},
    Known{"IOWriteBandwidthMax", Kind::device_bytes},
    Known{"BlockIOReadBandwidth", Kind::device_bytes},
    Known{"BlockIOWriteBandwidth", Kind::device_bytes},
    Known{"IOReadIOPSMax", Kind::device_number},
    Known{"IOWriteIOPSMax", Kind::device_number},
    Known{"IODeviceWeight", Kind::device_number},
    Known{"BlockIODeviceWeight", Kind::device_number},
};

template <size_t N>
std::optional<Kind> find_kind(const std::array<Known, N>& known, std::string_view name) {
  for (const Known& k : known)
    if (k.name == name)
      return k.kind;
  return std::nullopt;
}

std::optional<Kind> kind_of(std::string_view name) {
  for (const Known& k : kKnown)
    if (k.name == name)
      return k.kind;
  if (name.ends_with("Accounting"))
    return Kind::boolean;
  if (name.ends_with("Sec") && !name.ends_with("USec"))
    return Kind::timespan;
  return std::nullopt;
}

Error bad(std::string_view what) { return Error{EINVAL, std::string(what)}; }

// A non-negative decimal ("12", "1.5") as a long double; nullopt when it is not one.
std::optional<long double> decimal(std::string_view s) {
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '.'))
    return std::nullopt;
  std::string text(s);
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

Result<uint64_t> whole_number(std::string_view s) {
  std::optional<long double> v = decimal(s);
  if (!v || *v != std::floor(*v) || *v >= 18446744073709551615.0L)
    return bad("`" + std::string(s) + "` is not a whole number");
  return static_cast<uint64_t>(*v);
}

// "1G", "512M", "1.5K", "4096", "infinity" (powers of 1024, as systemd's parse_size).
Result<uint64_t> bytes(std::string_view s) {
  if (s == "infinity")
    return kInfinity;
  static constexpr std::string_view kSuffixes = "KMGTPE";
  long double factor = 1;
  std::string_view number = s;
  if (!s.empty()) {
    size_t at = kSuffixes.find(s.back());
    if (at != std::string_view::npos) {
      factor = std::pow(1024.0L, static_cast<long double>(at + 1));
      number.remove_suffix(1);
    } else if (s.back() == 'B') {
      number.remove_suffix(1);
    }
  }
  std::optional<long double> v = decimal(number);
  if (!v || *v * factor >= 18446744073709551615.0L)
    return bad("`" + std::string(s) + "` is not a size (bytes, or with K, M, G, T, P, E)");
  return static_cast<uint64_t>(*v * factor);
}

// "50%", "12.5%" -> parts per ten thousand.
std::optional<uint64_t> permyriad(std::string_view s) {
  if (!s.ends_with('%'))
    return std::nullopt;
  std::optional<long double> v = decimal(s.substr(0, s.size() - 1));
  if (!v)
    return std::nullopt;
  return static_cast<uint64_t>(std::llround(*v * 100));
}

// A percentage of the whole, as systemd's *Scale properties carry it (u, of UINT32_MAX).
Result<uint32_t> scale(std::string_view s) {
  std::optional<uint64_t> p = permyriad(s);
  if (!p || *p > 10000)
    return bad("`" + std::string(s) + "` is not a percentage from 0% to 100%");
  return static_cast<uint32_t>(*p * std::numeric_limits<uint32_t>::max() / 10000);
}

// A systemd time span (timespan.h) or "infinity" -> microseconds.
Result<uint64_t> timespan(std::string_view s) {
  if (s == "infinity")
    return kInfinity;
  if (std::optional<uint64_t> usec = parse_timespan_usec(s))
    return *usec;
  return bad("`" + std::string(s) + "` is not a time span (5, 5s, 100ms, 1min 30s, infinity)");
}

Result<bool> boolean(std::string_view s) {
  for (std::string_view yes : {"1", "yes", "y", "true", "t", "on"})
    if (s == yes)
      return true;
  for (std::string_view no : {"0", "no", "n", "false", "f", "off"})
    if (s == no)
      return false;
  return bad("`" + std::string(s) + "` is not a boolean (yes or no)");
}

// A decimal integer that fits an int32 ("-5", "10").
Result<int32_t> int32(std::string_view s) {
  std::string text(s);
  char* end = nullptr;
  errno = 0;
  long long v = text.empty() ? 0 : std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || errno != 0 || end != text.c_str() + text.size() || v < std::numeric_limits<int32_t>::min() ||
      v > std::numeric_limits<int32_t>::max())
    return bad("`" + text + "` is not an integer");
  return static_cast<int32_t>(v);
}

// "TERM", "SIGTERM", "15".
Result<int32_t> signal_number(std::string_view s) {
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front())))
    return int32(s);
  std::string name(s);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  if (std::optional<int> n = spec::signal_from_string(name))
    return *n;
  return bad("`" + std::string(s) + "` is not a signal (TERM, SIGKILL, 9)");
}

// Environment=: NAME=VALUE words separated by spaces (no quoting, as ocistart has no shell
// word splitter; one -p per variable whose value has a space is not possible).
Result<std::vector<std::string>> environment(std::string_view s) {
  std::vector<std::string> words;
  for (size_t at = 0; at < s.size();) {
    size_t end = std::min(s.find(' ', at), s.size());
    std::string_view w = s.substr(at, end - at);
    if (!w.empty()) {
      size_t eq = w.find('=');
      if (eq == std::string_view::npos || eq == 0)
        return bad("`" + std::string(w) + "` is not NAME=VALUE");
      words.emplace_back(w);
    }
    at = end + 1;
  }
  if (words.empty())
    return bad("expected NAME=VALUE");
  return words;
}

// "PATH VALUE" of the device lists; `value` parses the second word.
template <typename Parse>
Result<PropertyValue> device_value(std::string_view s, Parse value) {
  size_t space = s.find(' ');
  if (space == std::string_view::npos || s.front() != '/')
    return bad("`" + std::string(s) + "` is not `/dev/PATH VALUE`");
  Result<uint64_t> v = value(s.substr(s.find_first_not_of(' ', space)));
  if (!v)
    return std::move(v).error();
  return PropertyValue{std::vector<std::pair<std::string, uint64_t>>{{std::string(s.substr(0, space)), *v}}};
}

Result<PropertyValue> convert(Kind kind, std::string_view name, std::string_view v, std::string& out_name) {
  auto wrap_u64 = [](Result<uint64_t> r) -> Result<PropertyValue> {
    if (!r)
      return std::move(r).error();
    return PropertyValue{*r};
  };
  switch (kind) {
    case Kind::memory:
    case Kind::tasks:
      if (v.ends_with('%')) {
        out_name += "Scale";
        Result<uint32_t> r = scale(v);
        if (!r)
          return std::move(r).error();
        return PropertyValue{*r};
      }
      return wrap_u64(kind == Kind::memory ? bytes(v)
                      : v == "infinity"    ? Result<uint64_t>(kInfinity)
                                           : whole_number(v));
    case Kind::quota: {
      out_name = "CPUQuotaPerSecUSec";
      if (v.empty() || v == "infinity")
        return PropertyValue{kInfinity};
      std::optional<uint64_t> p = permyriad(v);
      if (!p || *p == 0)
        return bad("`" + std::string(v) + "` is not a positive percentage (50%: half a CPU)");
      return PropertyValue{*p * 100};  // of 1,000,000 us each second
    }
    case Kind::weight:
      if (v == "idle" && name.ends_with("CPUWeight"))
        return PropertyValue{uint64_t{0}};
      return wrap_u64(whole_number(v));
    case Kind::boolean: {
      Result<bool> b = boolean(v);
      if (!b)
        return std::move(b).error();
      return PropertyValue{*b};
    }
    case Kind::timespan:
      out_name = std::string(name.substr(0, name.size() - 3)) + "USec";
      return wrap_u64(timespan(v));
    case Kind::text:
      return PropertyValue{std::string(v)};
    case Kind::cpu_set: {
      Result<std::vector<uint8_t>> mask = cpu_set_mask(v, name);
      if (!mask)
        return std::move(mask).error();
      return PropertyValue{std::move(*mask)};
    }
    case Kind::device_allow: {
      size_t space = v.find(' ');
      std::string rights =
          space == std::string_view::npos ? "rwm" : std::string(v.substr(v.find_first_not_of(' ', space)));
      if (v.empty() || rights.find_first_not_of("rwm") != std::string::npos)
        return bad("`" + std::string(v) + "` is not `PATH [rwm]`");
      return PropertyValue{std::vector<std::pair<std::string, std::string>>{{std::string(v.substr(0, space)), rights}}};
    }
    case Kind::device_bytes:
      return device_value(v, bytes);
    case Kind::device_number:
      return device_value(
          v, [](std::string_view w) { return w == "infinity" ? Result<uint64_t>(kInfinity) : whole_number(w); });
    case Kind::bytes:
      return wrap_u64(bytes(v));
    case Kind::integer:
    case Kind::signal: {
      Result<int32_t> n = kind == Kind::signal ? signal_number(v) : int32(v);
      if (!n)
        return std::move(n).error();
      return PropertyValue{*n};
    }
    case Kind::count: {
      Result<uint64_t> n = whole_number(v);
      if (!n || *n > std::numeric_limits<uint32_t>::max())
        return bad("`" + std::string(v) + "` is not a count");
      return PropertyValue{static_cast<uint32_t>(*n)};
    }
    case Kind::environment: {
      Result<std::vector<std::string>> words = environment(v);
      if (!words)
        return std::move(words).error();
      return PropertyValue{std::move(*words)};
    }
  }
  return bad("unhandled property kind");
}

// The lists repeated -p add to: the device lists, and Environment's words.
bool is_list(const PropertyValue& v) {
  return std::holds_alternative<std::vector<std::pair<std::string, std::string>>>(v) ||
         std::holds_alternative<std::vector<std::pair<std::string, uint64_t>>>(v) ||
         std::holds_alternative<std::vector<std::string>>(v);
}

}  // namespace

Result<UnitProperty> parse_assignment(std::string_view assignment, AssignmentTarget target) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return bad("expected NAME=VALUE");
  std::string_view name = assignment.substr(0, eq);
  std::string_view value = assignment.substr(eq + 1);
  std::optional<Kind> kind = find_kind(kServiceOnly, name);
  if (kind && target != AssignmentTarget::service)
    return bad("property `" + std::string(name) + "` is a service's: only with run --service");
  if (!kind) {
    kind = find_kind(kTimerOnly, name);
    if (kind && target != AssignmentTarget::timer)
      return bad("property `" + std::string(name) + "` is a timer's: only with --timer-property");
  }
  if (!kind)
    kind = kind_of(name);
  if (!kind)
    return bad("property `" + std::string(name) +
               "` is not one ocistart converts from unit-file syntax (an org.systemd.property." + std::string(name) +
               " annotation can set it in GVariant text)");
  std::string out_name(name);
  Result<PropertyValue> v = convert(*kind, name, value, out_name);
  if (!v)
    return std::move(v).error().wrap(std::string(name));
  return UnitProperty{std::move(out_name), std::move(*v)};
}

util::Status apply_assignments(UnitProperties& properties, const std::vector<std::string>& assignments,
                               AssignmentTarget target) {
  for (const std::string& a : assignments) {
    Result<UnitProperty> p = parse_assignment(a, target);
    if (!p)
      return std::move(p).error().wrap("-p `" + a + "`");
    auto same =
        std::find_if(properties.begin(), properties.end(), [&](const UnitProperty& q) { return q.name == p->name; });
    if (same != properties.end() && is_list(p->value) && same->value.index() == p->value.index()) {
      std::visit(
          [&](auto& list) {
            using List = std::decay_t<decltype(list)>;
            if constexpr (std::is_same_v<List, std::vector<std::pair<std::string, std::string>>> ||
                          std::is_same_v<List, std::vector<std::pair<std::string, uint64_t>>> ||
                          std::is_same_v<List, std::vector<std::string>>) {
              const List& more = std::get<List>(p->value);
              list.insert(list.end(), more.begin(), more.end());
            }
          },
          same->value);
      continue;
    }
    drop_property(properties, p->name);
    if (p->name.ends_with("Scale"))  // MemoryMax=50% replaces MemoryMax=<bytes> too
      drop_property(properties, std::string_view(p->name).substr(0, p->name.size() - 5));
    properties.push_back(std::move(*p));
  }
  return {};
}

}  // namespace ocistart::systemd
