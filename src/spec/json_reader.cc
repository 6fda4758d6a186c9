#include "spec/json_reader.h"

#include <algorithm>
#include <charconv>
#include <system_error>

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
    error_ = pointer();
    error_.append(": ").append(what);
  }
  return false;
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
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) {
           return lower(x) == lower(y);
         });
}

}  // namespace

std::optional<element> Object::find(std::string_view key) const {
  // Every member is looked at so that the last of repeated keys wins, an exact one over
  // one that matches but for case.
  std::optional<element> found, folded;
  for (simdjson::dom::key_value_pair member : object_) {
    if (member.key == key)
      found = member.value;
    else if (same_field(member.key, key))
      folded = member.value;
  }
  return found ? found : folded;
}

bool Object::same_field(std::string_view member, std::string_view key) noexcept {
  // Comparing length and first byte first keeps the full comparisons rare.
  if (member.size() != key.size())
    return false;
  if (member.empty() || (member[0] == key[0] && member == key))
    return true;
  return equal_ignoring_ascii_case(member, key);
}

bool read_value(Reader& reader, element value, std::string& out) {
  std::string_view s;
  if (value.get(s) != simdjson::SUCCESS)
    return reader.fail_type("a string", value);
  out.assign(s);
  return true;
}

bool read_value(Reader& reader, element value, bool& out) {
  if (value.get(out) != simdjson::SUCCESS)
    return reader.fail_type("a boolean", value);
  return true;
}

}  // namespace ocistart::spec::json
