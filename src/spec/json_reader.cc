#include "spec/json_reader.h"

#include <algorithm>
#include <charconv>
#include <system_error>

#include "util/text.h"

namespace ocistart::spec::json {

std::string escape_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

const char* kind_name(element_type type) noexcept {
  switch (type) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "number";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

std::string describe_found(element value) {
  switch (value.type()) {
    case element_type::INT64: {
      int64_t v = 0;
      if (value.get_int64().get(v) != simdjson::SUCCESS)
        break;
      return std::to_string(v);
    }
    case element_type::UINT64: {
      uint64_t v = 0;
      if (value.get_uint64().get(v) != simdjson::SUCCESS)
        break;
      return std::to_string(v);
    }
    case element_type::DOUBLE: {
      double v = 0;
      if (value.get_double().get(v) != simdjson::SUCCESS)
        break;
      char buf[64];
      std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v);
      if (r.ec != std::errc())
        return "number";
      std::string text(buf, r.ptr);
      // 1000.0 and 1e3 print as "1000": keep them recognisable as non-integers.
      if (text.find_first_of(".eEn") == std::string::npos)
        text += ".0";
      return text;
    }
    default:
      break;
  }
  return kind_name(value.type());
}

std::string Reader::pointer() const {
  if (path_.empty())
    return "/";
  std::string p;
  for (const Segment& segment : path_) {
    p += '/';
    if (segment.is_index)
      p += std::to_string(segment.index);
    else
      p += escape_token(segment.key);
  }
  return p;
}

bool Reader::fail(std::string_view what) {
  if (error_.empty()) {
    // Keys come from the document: shown escaped, and a pointer through a 2 KB key is cut.
    error_ = util::shortened(util::printable(pointer()), kShownPointer);
    error_.append(": ").append(util::printable(what));
  }
  return false;
}

bool Reader::fail_duplicate_key(std::string_view key, std::string_view same) {
  std::string what = "duplicate key \"";
  what.append(util::shortened(key, kShownKey)).append("\"");
  if (!same.empty() && same != key)
    what.append(" (\"").append(util::shortened(same, kShownKey)).append("\" names the same field)");
  return fail(what);
}

bool Reader::fail_type(std::string_view expected, element found) {
  std::string what = "expected ";
  what.append(expected).append(", got ").append(kind_name(found.type()));
  return fail(what);
}

bool Reader::fail_value(std::string_view expected, element found) {
  std::string what = "expected ";
  what.append(expected).append(", got ").append(describe_found(found));
  return fail(what);
}

namespace {

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

// Above this many members, keys are sorted to find a repeated one; below, each pair is
// compared (config objects have about a dozen members).
constexpr std::size_t kSortAbove = 16;

}  // namespace

std::optional<element> Object::find(std::string_view key) const {
  std::optional<element> folded;
  for (const Part* p = parts_begin(); p != parts_end(); ++p) {
    for (simdjson::dom::key_value_pair member : p->object) {
      if (member.key == key)
        return member.value;
      if (!folded && same_field(member.key, key))
        folded = member.value;
    }
  }
  return folded;
}

bool Object::check_unique_keys() {
  std::vector<std::string_view> keys;
  for (const Part* p = parts_begin(); p != parts_end(); ++p) {
    if (!merged_.empty())
      reader_.rename_member(p->key);
    keys.clear();
    for (simdjson::dom::key_value_pair member : p->object)
      keys.push_back(member.key);
    if (keys.size() <= kSortAbove) {
      for (std::size_t i = 1; i < keys.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
          if (keys[i] == keys[j])
            return reader_.fail_duplicate_key(keys[i]);
      continue;
    }
    std::sort(keys.begin(), keys.end());
    if (auto it = std::adjacent_find(keys.begin(), keys.end()); it != keys.end())
      return reader_.fail_duplicate_key(*it);
  }
  return true;
}

bool Object::collect(std::string_view key, bool mergeable, std::vector<Match>& matches) {
  for (const Part* p = parts_begin(); p != parts_end(); ++p)
    for (simdjson::dom::key_value_pair member : p->object)
      if (same_field(member.key, key))
        matches.push_back(Match{static_cast<std::size_t>(p - parts_begin()), member.key, member.value});
  bool all_objects = mergeable;
  for (const Match& m : matches)
    all_objects = all_objects && m.value.is_object();
  if (all_objects)
    return true;
  // Keys equal but for case (equal ones were refused by check_unique_keys). The error is
  // at the object holding the later one.
  const Match& later = matches[1];
  if (!merged_.empty())
    reader_.rename_member(parts_begin()[later.part].key);
  return reader_.fail_duplicate_key(later.key, matches[0].key);
}

bool Object::same_field(std::string_view member, std::string_view key) noexcept {
  // Comparing length and first byte first keeps the full comparisons rare.
  if (member.size() != key.size())
    return false;
  if (member.empty() || (member[0] == key[0] && member == key))
    return true;
  return equal_ignoring_ascii_case(member, key);
}

bool check_no_nul(Reader& reader, std::string_view s, std::string_view what) {
  if (s.find('\0') == std::string_view::npos)
    return true;
  std::string message(what);
  message += " contains a NUL byte (\\u0000)";
  return reader.fail(message);
}

bool read_value(Reader& reader, element value, std::string& out) {
  std::string_view s;
  if (value.get(s) != simdjson::SUCCESS)
    return reader.fail_type("a string", value);
  if (!check_no_nul(reader, s, "the string"))
    return false;
  out.assign(s);
  return true;
}

bool read_value(Reader& reader, element value, bool& out) {
  if (value.get(out) != simdjson::SUCCESS)
    return reader.fail_type("a boolean", value);
  return true;
}

}  // namespace ocistart::spec::json
