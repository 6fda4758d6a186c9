#include "systemd/annotations.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <limits>

namespace ocistart::systemd {
namespace {

using util::Error;
using util::Result;

constexpr std::string_view kPrefix = "org.systemd.property.";

// A tiny recursive-descent reader over GVariant text.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  Result<PropertyValue> value() {
    skip_space();
    if (at('@')) {
      ++i_;
      std::string_view type = word();
      skip_space();
      if (at('['))
        return array(type);
      return number(type);
    }
    if (at('['))
      return array("");
    if (at('\'') || at('"'))
      return string_value();
    std::string_view w = peek_word();
    if (w == "true" || w == "false") {
      i_ += w.size();
      return PropertyValue(w == "true");
    }
    if (w == "byte" || w == "int16" || w == "uint16" || w == "int32" || w == "uint32" || w == "int64" ||
        w == "uint64" || w == "double") {
      i_ += w.size();
      skip_space();
      return number(type_code(w));
    }
    return number("");
  }

  Result<void> end() {
    skip_space();
    if (i_ != s_.size())
      return fail("unexpected `" + std::string(s_.substr(i_, 16)) + "`");
    return {};
  }

 private:
  static std::string_view type_code(std::string_view keyword) {
    if (keyword == "int32")
      return "i";
    if (keyword == "uint32")
      return "u";
    if (keyword == "int64")
      return "x";
    if (keyword == "uint64")
      return "t";
    if (keyword == "double")
      return "d";
    return keyword;  // byte, int16, uint16: rejected by number()
  }

  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n'))
      ++i_;
  }
  std::string_view peek_word() const {
    size_t j = i_;
    while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_'))
      ++j;
    return s_.substr(i_, j - i_);
  }
  std::string_view word() {
    size_t j = i_;
    while (j < s_.size() && s_[j] != ' ' && s_[j] != '[')
      ++j;
    std::string_view w = s_.substr(i_, j - i_);
    i_ = j;
    return w;
  }
  Error fail(std::string what) const { return Error{EINVAL, std::move(what) + " at offset " + std::to_string(i_)}; }

  // A number of GVariant type `type` ("" = untyped: int32, or double with a dot/exponent).
  Result<PropertyValue> number(std::string_view type) {
    size_t j = i_;
    while (j < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '-' || s_[j] == '+' || s_[j] == '.'))
      ++j;
    std::string_view text = s_.substr(i_, j - i_);
    if (text.empty())
      return fail("expected a value");
    bool is_float = text.find_first_of(".eE") != std::string_view::npos && text.substr(0, 2) != "0x";
    if (type.empty())
      type = is_float ? "d" : "i";
    i_ = j;
    if (type == "d") {
      double d = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || p != text.data() + text.size())
        return fail("`" + std::string(text) + "` is not a number");
      return PropertyValue(d);
    }
    if (is_float)
      return fail("`" + std::string(text) + "` is not an integer");
    auto parse = [&](auto& out) -> bool {
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
      return ec == std::errc() && p == text.data() + text.size();
    };
    if (type == "i") {
      int32_t v;
      if (parse(v))
        return PropertyValue(v);
    } else if (type == "u") {
      uint32_t v;
      if (parse(v))
        return PropertyValue(v);
    } else if (type == "x") {
      int64_t v;
      if (parse(v))
        return PropertyValue(v);
    } else if (type == "t") {
      uint64_t v;
      if (parse(v))
        return PropertyValue(v);
    } else
      return fail("unsupported type `" + std::string(type) + "`");
    return fail("`" + std::string(text) + "` does not fit type `" + std::string(type) + "`");
  }

  Result<PropertyValue> string_value() {
    char quote = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != quote) {
      char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) {
        char e = s_[i_++];
        switch (e) {
          case 'n':
            out.push_back('\n');
            break;
          case 't':
            out.push_back('\t');
            break;
          default:
            out.push_back(e);
            break;  // \\ \' \" and anything else literally
        }
        continue;
      }
      out.push_back(c);
    }
    if (!at(quote))
      return fail("unterminated string");
    ++i_;
    return PropertyValue(std::move(out));
  }

  // [v, v, ...] of strings or of numbers of one type; `type` is "as", "au", "at"... or "".
  Result<PropertyValue> array(std::string_view type) {
    ++i_;  // '['
    std::vector<PropertyValue> items;
    skip_space();
    while (!at(']')) {
      Result<PropertyValue> v = items.empty() || type.size() != 2 ? value() : value_of(type.substr(1));
      if (!v)
        return std::move(v).error();
      items.push_back(std::move(*v));
      skip_space();
      if (at(','))
        ++i_;
      else if (!at(']'))
        return fail("expected `,` or `]`");
      skip_space();
    }
    ++i_;
    std::string_view elem = type.size() == 2 ? type.substr(1) : std::string_view();
    if (elem.empty() && !items.empty())
      elem = items.front().index() == 6 ? "s" : items.front().index() == 2 ? "u" : "";
    if (elem == "s") {
      std::vector<std::string> out;
      for (auto& v : items) {
        if (auto* s = std::get_if<std::string>(&v))
          out.push_back(std::move(*s));
        else
          return fail("mixed types in a string array");
      }
      return PropertyValue(std::move(out));
    }
    if (elem == "u") {
      std::vector<uint32_t> out;
      for (auto& v : items) {
        if (auto* u = std::get_if<uint32_t>(&v))
          out.push_back(*u);
        else if (auto* n = std::get_if<int32_t>(&v); n && *n >= 0)
          out.push_back(static_cast<uint32_t>(*n));
        else
          return fail("mixed types in a uint32 array");
      }
      return PropertyValue(std::move(out));
    }
    return fail("unsupported array type; use strings or uint32 (`@as`, `@au`)");
  }

  Result<PropertyValue> value_of(std::string_view code) {
    skip_space();
    if (code == "s")
      return value();
    return number(code);
  }

  std::string_view s_;
  size_t i_ = 0;
};

// Seconds (any numeric value) -> microseconds.
Result<uint64_t> seconds_to_usec(const PropertyValue& v) {
  double sec = -1;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
          sec = static_cast<double>(x);
      },
      v);
  if (sec < 0 || sec > static_cast<double>(std::numeric_limits<uint64_t>::max()) / 1e6)
    return Error{EINVAL, "expected a non-negative number of seconds"};
  return static_cast<uint64_t>(std::llround(sec * 1e6));
}

}  // namespace

Result<PropertyValue> parse_gvariant(std::string_view text) {
  Reader r(text);
  Result<PropertyValue> v = r.value();
  if (!v)
    return v;
  if (Result<void> e = r.end(); !e)
    return std::move(e).error();
  return v;
}

Result<UnitProperties> properties_from_annotations(const spec::StringMap& annotations) {
  UnitProperties out;
  for (auto it = annotations.lower_bound(std::string(kPrefix));
       it != annotations.end() && it->first.compare(0, kPrefix.size(), kPrefix) == 0; ++it) {
    std::string name = it->first.substr(kPrefix.size());
    std::string where = "annotation `" + it->first + "`";
    if (name.empty() ||
        name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos ||
        !std::isupper(static_cast<unsigned char>(name[0])))
      return Error{EINVAL, where + ": `" + name + "` is not a unit property name"};
    Result<PropertyValue> v = parse_gvariant(it->second);
    if (!v)
      return std::move(v).error().wrap(where);
    if (name.size() > 3 && name.ends_with("Sec") && !name.ends_with("USec")) {
      Result<uint64_t> usec = seconds_to_usec(*v);
      if (!usec)
        return std::move(usec).error().wrap(where);
      name = name.substr(0, name.size() - 3) + "USec";
      *v = *usec;
    }
    out.push_back({std::move(name), std::move(*v)});
  }
  return out;
}

}  // namespace ocistart::systemd
