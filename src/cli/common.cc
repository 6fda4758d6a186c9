#include "cli/common.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <limits>

#include "cli/options.h"
#include "runtime/container_id.h"
#include "util/log.h"
#include "util/path.h"
#include "util/text.h"

namespace ocistart::cli {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses the leading "digits[.digits]" of `s` (at least one digit in all) and removes it
// from `s`. Returns the text of the number, empty when there is none.
std::string_view take_decimal(std::string_view& s) {
  size_t i = 0;
  size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) {
    ++i;
    ++digits;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) {
      ++i;
      ++digits;
    }
  }
  if (digits == 0)
    return {};
  std::string_view number = s.substr(0, i);
  s.remove_prefix(i);
  return number;
}

long double to_long_double(std::string_view number) {
  std::string text(number);
  return std::strtold(text.c_str(), nullptr);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Width of `s` in characters (UTF-8 code points), as text/tabwriter counts it.
size_t text_width(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80)
      ++n;
  return n;
}

}  // namespace

CLI::Option* add_id_argument(CLI::App& sub, std::string& id) {
  return sub.add_option("container-id", id, "the container's id")->required();
}

CLI::Option* add_repeatable(CLI::App& sub, const std::string& names, std::vector<std::string>& into,
                            const std::string& description) {
  return sub.add_option(names, into, description)->allow_extra_args(false)->delimiter('\0');
}

CLI::Option* make_absolute(CLI::Option* option) {
  return option->transform([](std::string value) { return value.empty() ? value : absolute_path(value); }, "", "");
}

int fail(std::string_view context, util::Error error) {
  if (!context.empty())
    error = std::move(error).wrap(context);
  // A 1 KB container id or a path through it is shown by its ends (util/text.h).
  util::log_error(util::shortened_words(error.message));
  return 1;
}

std::string command_context(std::string_view command, std::string_view id) {
  std::string s(command);
  s.append(" `").append(id).append("`");
  return s;
}

util::Result<int64_t> parse_memory_size(std::string_view text) {
  if (text == "-1")
    return int64_t{-1};
  auto invalid = [&] { return util::make_error("invalid size `" + std::string(text) + "`", EINVAL); };
  std::string_view rest = text;
  std::string_view number = take_decimal(rest);
  if (number.empty())
    return invalid();
  if (!rest.empty() && rest.front() == ' ')
    rest.remove_prefix(1);
  uint64_t multiplier = 1;
  if (!rest.empty()) {
    switch (rest.front()) {
      case 'k':
      case 'K':
        multiplier = 1ULL << 10;
        break;
      case 'm':
      case 'M':
        multiplier = 1ULL << 20;
        break;
      case 'g':
      case 'G':
        multiplier = 1ULL << 30;
        break;
      case 't':
      case 'T':
        multiplier = 1ULL << 40;
        break;
      case 'p':
      case 'P':
        multiplier = 1ULL << 50;
        break;
      default:
        break;
    }
    if (multiplier != 1)
      rest.remove_prefix(1);
  }
  if (!rest.empty() && (rest.front() == 'i' || rest.front() == 'I'))
    rest.remove_prefix(1);
  if (!rest.empty() && (rest.front() == 'b' || rest.front() == 'B'))
    rest.remove_prefix(1);
  if (!rest.empty())
    return invalid();

  if (number.find('.') == std::string_view::npos) {
    uint64_t value = 0;
    for (char c : number) {
      if (__builtin_mul_overflow(value, 10U, &value) ||
          __builtin_add_overflow(value, static_cast<uint64_t>(c - '0'), &value))
        return invalid();
    }
    if (__builtin_mul_overflow(value, multiplier, &value) ||
        value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return invalid();
    return static_cast<int64_t>(value);
  }
  long double bytes = to_long_double(number) * static_cast<long double>(multiplier);
  if (bytes >= static_cast<long double>(std::numeric_limits<int64_t>::max()))
    return invalid();
  return static_cast<int64_t>(bytes);
}

util::Result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  auto invalid = [&] { return util::make_error("invalid duration `" + std::string(text) + "`", EINVAL); };
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0")
    return std::chrono::nanoseconds(0);
  if (rest.empty())
    return invalid();
  // Longest names first so "ms" is not read as "m" followed by garbage.
  static constexpr std::pair<std::string_view, long double> kUnits[] = {
      {"ns", 1.0L}, {"us", 1e3L}, {"\xc2\xb5s", 1e3L}, {"\xce\xbcs", 1e3L},
      {"ms", 1e6L}, {"s", 1e9L},  {"m", 60e9L},        {"h", 3600e9L},
  };
  long double total = 0;
  while (!rest.empty()) {
    std::string_view number = take_decimal(rest);
    if (number.empty() || number == ".")
      return invalid();
    const std::pair<std::string_view, long double>* unit = nullptr;
    for (const auto& u : kUnits) {
      if (starts_with(rest, u.first)) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr)
      return invalid();
    rest.remove_prefix(unit->first.size());
    total += to_long_double(number) * unit->second;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max()))
      return invalid();
  }
  auto ns = static_cast<int64_t>(total);
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

util::Result<UserSpec> parse_user(std::string_view text) {
  auto parse_id = [](std::string_view s) -> std::optional<uint32_t> {
    if (s.empty() || s.size() > 10)
      return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
      if (!is_digit(c))
        return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > std::numeric_limits<uint32_t>::max())
      return std::nullopt;
    return static_cast<uint32_t>(v);
  };
  auto invalid = [&] {
    return util::make_error("invalid user `" + std::string(text) + "`: want <uid>[:<gid>]", EINVAL);
  };
  size_t colon = text.find(':');
  std::optional<uint32_t> uid = parse_id(text.substr(0, colon));
  if (!uid)
    return invalid();
  UserSpec user{*uid, std::nullopt};
  if (colon != std::string_view::npos) {
    user.gid = parse_id(text.substr(colon + 1));
    if (!user.gid)
      return invalid();
  }
  return user;
}

std::string absolute_path(std::string_view path) {
  std::string joined;
  if (path.empty() || path.front() != '/') {
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof buf) != nullptr)
      joined = buf;
    joined.push_back('/');
  }
  joined.append(path);
  return "/" + util::clean_relative_path(joined);
}

// Lines in the layout of Go's text/tabwriter as runc's list configures it (minimum cell
/// width 12, padding 3, spaces): every cell but the last of a row is padded to its
/// column's width; the last cell is written as is.
std::string format_table(const std::vector<std::vector<std::string>>& rows) {
  constexpr size_t kMinWidth = 12;
  constexpr size_t kPadding = 3;
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i)
        widths.push_back(kMinWidth);
      widths[i] = std::max(widths[i], text_width(row[i]) + kPadding);
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size())
        out.append(widths[i] - text_width(row[i]), ' ');
    }
    out.push_back('\n');
  }
  return out;
}

int checked_id(std::string_view command, const std::string& id) {
  if (util::Status valid = runtime::validate_container_id(id); !valid)
    return fail(command, std::move(valid).error());
  return 0;
}

}  // namespace ocistart::cli
