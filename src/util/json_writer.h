// JsonWriter: builds compact or indented JSON text. simdjson only parses; this writes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ocistart::util {

/// Appends JSON to an internal string. Calls must nest correctly (begin/end pairs, a key
/// before each value inside an object); misuse is a programming error, not checked at run
/// time beyond what keeps the text well-formed. Strings are escaped per RFC 8259; bytes
/// that are not valid UTF-8 are written as \ufffd so the output always parses.
class JsonWriter {
 public:
  /// indent 0 writes compact JSON (no spaces); n > 0 indents nested members by n spaces.
  explicit JsonWriter(int indent = 0) : indent_(indent) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(int64_t n);
  JsonWriter& value(uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
  JsonWriter& value(unsigned n) { return value(static_cast<uint64_t>(n)); }
  JsonWriter& value(long long n) { return value(static_cast<int64_t>(n)); }
  JsonWriter& value(unsigned long long n) { return value(static_cast<uint64_t>(n)); }
  JsonWriter& value(double d);
  JsonWriter& null();
  /// Inserts already-serialized JSON as one value.
  JsonWriter& raw(std::string_view json);

  /// key(k).value(v) in one call.
  template <class T>
  JsonWriter& member(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  /// An array of strings as the value of `k`.
  JsonWriter& member_strings(std::string_view k, const std::vector<std::string>& v);

  [[nodiscard]] const std::string& str() const& { return out_; }
  [[nodiscard]] std::string str() && { return std::move(out_); }

 private:
  void before_value();
  JsonWriter& close(char bracket);
  void newline();
  std::string out_;
  std::vector<bool> first_;  // one per open container: nothing written in it yet
  bool after_key_ = false;
  int indent_ = 0;
};

/// `s` as a quoted, escaped JSON string.
[[nodiscard]] std::string json_quote(std::string_view s);

}  // namespace ocistart::util
