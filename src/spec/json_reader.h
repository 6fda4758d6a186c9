// Typed reads over simdjson's DOM that remember the JSON pointer (RFC 6901) of the value
// being read, so that the config parser reads each member in one line and every error
// names the member it is about: "/process/user/uid: expected an unsigned 32-bit integer,
// got -1". Only simdjson's error-code API is used; nothing here throws.
//
// Shape of the API: `read_value(reader, element, out)` fills `out` (a string, bool, integer,
// std::optional, std::vector, std::map<std::string, T> or any struct that has a
// `read_object(Object&, T&)` overload) and returns false after recording one error. The
// first error stops the parse: every caller returns false as soon as a read does.
#pragma once

#include <simdjson.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "spec/config.h"

namespace ocistart::spec::json {

using simdjson::dom::element;
using simdjson::dom::element_type;

/// One reference token of a JSON pointer: `~` becomes `~0`, `/` becomes `~1`.
[[nodiscard]] std::string escape_token(std::string_view key);

/// "string", "number", "boolean", "null", "object" or "array".
[[nodiscard]] const char* kind_name(element_type type) noexcept;

/// What an error message says was found: the number itself for numbers ("-1", "1.5";
/// "1000.0" for a non-integer literal such as 1e3), the JSON kind otherwise ("string").
[[nodiscard]] std::string describe_found(element value);

/// The message for a document that simdjson's DOM parser rejected with `dom_error`:
/// "invalid JSON: <simdjson's reason> (line L, column C)", prefixed with the JSON pointer of
/// the member being read when the error was found ("/process/user/uid: invalid JSON: ...",
/// e.g. for an integer beyond 64 bits). Walks `text` again; meant for the error path only.
[[nodiscard]] std::string describe_syntax_error(std::string_view text,
                                                simdjson::error_code dom_error);

/// Tracks where in the document the parse is and holds the first error.
/// Path segments are string_views: keys must outlive the Reader (they are literals or
/// keys owned by the simdjson parser, which lives for the whole parse).
class Reader {
 public:
  /// Leaves the member or element entered by Reader::enter when it goes out of scope.
  class [[nodiscard]] Scope {
   public:
    explicit Scope(Reader& reader) noexcept : reader_(&reader) {}
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() { reader_->path_.pop_back(); }

   private:
    Reader* reader_;
  };

  /// Enters object member `key` until the returned Scope ends.
  [[nodiscard]] Scope enter(std::string_view key) {
    path_.push_back(Segment{key, 0, false});
    return Scope(*this);
  }
  /// Enters array element `index` until the returned Scope ends.
  [[nodiscard]] Scope enter(std::size_t index) {
    path_.push_back(Segment{{}, index, true});
    return Scope(*this);
  }

  /// JSON pointer of the current position, e.g. "/linux/namespaces/2/type"; the whole
  /// document is shown as "/".
  [[nodiscard]] std::string pointer() const;

  /// Records "<pointer>: <what>" unless an error is already recorded; returns false.
  bool fail(std::string_view what);
  /// fail("expected <expected>, got <kind of found>"), e.g. "expected a string, got number".
  bool fail_type(std::string_view expected, element found);
  /// fail("expected <expected>, got <describe_found(found)>"): names the number itself,
  /// for range errors ("expected an unsigned 32-bit integer, got -1").
  bool fail_value(std::string_view expected, element found);

  /// The recorded error message (empty while none).
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  struct Segment {
    std::string_view key;
    std::size_t index;
    bool is_index;
  };
  std::vector<Segment> path_;
  std::string error_;
};

/// A JSON object being read into a struct: `required`/`optional` read one member each.
class Object {
 public:
  Object(Reader& reader, simdjson::dom::object object) noexcept
      : reader_(reader), object_(object) {}

  /// Reads member `key` into `out`; a missing member (or null) is an error.
  template <class T>
  bool required(std::string_view key, T& out);
  /// Reads member `key` into `out` when present; absent or null leaves `out` untouched
  /// (Go's encoding/json, which most engines use to write config.json, does the same).
  template <class T>
  bool optional(std::string_view key, T& out);
  /// Whether Go's encoding/json (runc) decodes a member named `member` into a field named
  /// `key`: the same name, or the same but for ASCII case ("CPU" for "cpu"). required()
  /// and optional() decode every such member in document order, so a later one overrides
  /// what it sets and an object merges into what an earlier one set
  /// ({"cpu": {"shares": 2}, "CPU": {"cpus": "0"}}).
  [[nodiscard]] static bool same_field(std::string_view member, std::string_view key) noexcept;

  /// The member `key`, or nullopt when absent. A repeated key gives its last value, as
  /// in Go's encoding/json (runc) and as for map members below, so that ocistart and an
  /// engine that checked the document agree on what it says. Also as there, a key that
  /// differs only in ASCII case ("CPU" for "cpu") is taken when none matches exactly.
  [[nodiscard]] std::optional<element> find(std::string_view key) const;

  [[nodiscard]] Reader& reader() noexcept { return reader_; }
  [[nodiscard]] simdjson::dom::object raw() const noexcept { return object_; }

 private:
  Reader& reader_;
  simdjson::dom::object object_;
};

// --- read_value overloads -------------------------------------------------------------

bool read_value(Reader& reader, element value, std::string& out);
bool read_value(Reader& reader, element value, bool& out);

template <class T>
concept Integer = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>;

/// How an error message names integer type I: "an unsigned 32-bit integer", ...
template <Integer I>
constexpr const char* integer_kind() noexcept {
  if constexpr (std::is_signed_v<I>) {
    if constexpr (sizeof(I) == 8)
      return "an integer";
    else if constexpr (sizeof(I) == 4)
      return "a 32-bit integer";
    else if constexpr (sizeof(I) == 2)
      return "a 16-bit integer";
    else
      return "an 8-bit integer";
  } else {
    if constexpr (sizeof(I) == 8)
      return "an unsigned integer";
    else if constexpr (sizeof(I) == 4)
      return "an unsigned 32-bit integer";
    else if constexpr (sizeof(I) == 2)
      return "an unsigned 16-bit integer";
    else
      return "an unsigned 8-bit integer";
  }
}

/// Integers must be JSON integers (no fraction, no exponent) within I's range.
template <Integer I>
bool read_value(Reader& reader, element value, I& out) {
  switch (value.type()) {
    case element_type::INT64: {
      int64_t v = 0;
      if (value.get_int64().get(v) == simdjson::SUCCESS && std::in_range<I>(v)) {
        out = static_cast<I>(v);
        return true;
      }
      break;
    }
    case element_type::UINT64: {
      uint64_t v = 0;
      if (value.get_uint64().get(v) == simdjson::SUCCESS && std::in_range<I>(v)) {
        out = static_cast<I>(v);
        return true;
      }
      break;
    }
    default:
      break;
  }
  return reader.fail_value(integer_kind<I>(), value);
}

/// Into what an earlier member of the same name set, if any (Go decodes into the value a
/// non-nil pointer already points to).
template <class T>
bool read_value(Reader& reader, element value, std::optional<T>& out) {
  return read_value(reader, value, out ? *out : out.emplace());
}

template <class T>
bool read_value(Reader& reader, element value, std::vector<T>& out) {
  simdjson::dom::array array;
  if (value.get(array) != simdjson::SUCCESS)
    return reader.fail_type("an array", value);
  out.clear();
  out.reserve(array.size());
  std::size_t index = 0;
  for (element item : array) {
    Reader::Scope scope = reader.enter(index++);
    if (!read_value(reader, item, out.emplace_back()))
      return false;
  }
  return true;
}

/// A JSON object with arbitrary keys; a repeated key keeps the last value.
template <class T>
bool read_value(Reader& reader, element value, std::map<std::string, T>& out) {
  simdjson::dom::object object;
  if (value.get(object) != simdjson::SUCCESS)
    return reader.fail_type("an object", value);
  out.clear();
  for (simdjson::dom::key_value_pair member : object) {
    Reader::Scope scope = reader.enter(member.key);
    T item{};
    if (!read_value(reader, member.value, item))
      return false;
    out.insert_or_assign(std::string(member.key), std::move(item));
  }
  return true;
}

/// Structs: anything with a read_object(Object&, T&) overload (found by ADL).
template <class T>
  requires requires(Object& object, T& out) {
    { read_object(object, out) } -> std::same_as<bool>;
  }
bool read_value(Reader& reader, element value, T& out) {
  simdjson::dom::object object;
  if (value.get(object) != simdjson::SUCCESS)
    return reader.fail_type("an object", value);
  Object members(reader, object);
  return read_object(members, out);
}

template <class T>
bool Object::required(std::string_view key, T& out) {
  bool seen = false;
  for (simdjson::dom::key_value_pair member : object_) {
    if (!same_field(member.key, key))
      continue;
    seen = true;
    Reader::Scope scope = reader_.enter(member.key);
    if (!read_value(reader_, member.value, out))
      return false;
  }
  if (seen)
    return true;
  Reader::Scope scope = reader_.enter(key);
  return reader_.fail("required member missing");
}

template <class T>
bool Object::optional(std::string_view key, T& out) {
  for (simdjson::dom::key_value_pair member : object_) {
    if (!same_field(member.key, key) || member.value.is_null())
      continue;
    Reader::Scope scope = reader_.enter(member.key);
    if (!read_value(reader_, member.value, out))
      return false;
  }
  return true;
}

}  // namespace ocistart::spec::json

namespace ocistart::spec {

// Object readers of the config.h structs, defined in parse.cc, parse_linux.cc and
// parse_resources.cc. Declared here so every read_value instantiation can see all of them.
// Each reads the members of one struct and returns false after recording one error.

bool read_value(json::Reader& reader, json::element value, NamespaceType& out);

bool read_object(json::Object& o, Config& out);
bool read_object(json::Object& o, Root& out);
bool read_object(json::Object& o, Mount& out);
bool read_object(json::Object& o, IdMapping& out);
bool read_object(json::Object& o, Process& out);
bool read_object(json::Object& o, ConsoleSize& out);
bool read_object(json::Object& o, User& out);
bool read_object(json::Object& o, Capabilities& out);
bool read_object(json::Object& o, Rlimit& out);
bool read_object(json::Object& o, Scheduler& out);
bool read_object(json::Object& o, IoPriority& out);
bool read_object(json::Object& o, CpuAffinity& out);
bool read_object(json::Object& o, Hooks& out);
bool read_object(json::Object& o, Hook& out);

bool read_object(json::Object& o, Linux& out);
bool read_object(json::Object& o, Namespace& out);
bool read_object(json::Object& o, TimeOffset& out);
bool read_object(json::Object& o, Device& out);
bool read_object(json::Object& o, IntelRdt& out);
bool read_object(json::Object& o, Seccomp& out);
bool read_object(json::Object& o, SeccompSyscall& out);
bool read_object(json::Object& o, SeccompArg& out);
bool read_object(json::Object& o, Personality& out);
bool read_object(json::Object& o, MemoryPolicy& out);
bool read_object(json::Object& o, NetDevice& out);

bool read_object(json::Object& o, Resources& out);
bool read_object(json::Object& o, DeviceCgroupRule& out);
bool read_object(json::Object& o, Memory& out);
bool read_object(json::Object& o, Cpu& out);
bool read_object(json::Object& o, Pids& out);
bool read_object(json::Object& o, BlockIo& out);
bool read_object(json::Object& o, WeightDevice& out);
bool read_object(json::Object& o, ThrottleDevice& out);
bool read_object(json::Object& o, HugepageLimit& out);
bool read_object(json::Object& o, Network& out);
bool read_object(json::Object& o, InterfacePriority& out);
bool read_object(json::Object& o, Rdma& out);

}  // namespace ocistart::spec
