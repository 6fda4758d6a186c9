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
#include "util/result.h"

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
[[nodiscard]] std::string describe_syntax_error(std::string_view text, simdjson::error_code dom_error);

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

  /// How much of a JSON pointer and of a key an error message shows (util::shortened):
  /// a config's own pointers are far shorter; a 2 KB annotation key is not printed whole.
  static constexpr std::size_t kShownPointer = 200;
  static constexpr std::size_t kShownKey = 100;

  /// JSON pointer of the current position, e.g. "/linux/namespaces/2/type"; the whole
  /// document is shown as "/".
  [[nodiscard]] std::string pointer() const;

  /// Records "<pointer>: <what>" unless an error is already recorded; returns false.
  /// Bytes below 0x20 are shown as "\xNN" and a long pointer is cut (kShownPointer).
  bool fail(std::string_view what);
  /// fail("expected <expected>, got <kind of found>"), e.g. "expected a string, got number".
  bool fail_type(std::string_view expected, element found);
  /// fail("expected <expected>, got <describe_found(found)>"): names the number itself,
  /// for range errors ("expected an unsigned 32-bit integer, got -1").
  bool fail_value(std::string_view expected, element found);
  /// fail("duplicate key \"<key>\"") at the object that holds it, adding "(\"<same>\"
  /// names the same field)" when the keys differ in case.
  bool fail_duplicate_key(std::string_view key, std::string_view same = {});

  /// The recorded error message (empty while none).
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

  /// Makes the innermost member read `key` (a key of the same field as the one entered):
  /// a struct merged from members whose keys differ only in case names, in errors, the
  /// member the bad value is in. No-op at the top or inside an array element.
  void rename_member(std::string_view key) noexcept {
    if (!path_.empty() && !path_.back().is_index)
      path_.back().key = key;
  }

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
///
/// One field, one member: an object that names a field twice is refused, whether the keys
/// are equal ("/: duplicate key \"process\"") or equal but for ASCII case. Go's
/// encoding/json (runc, and the engines that write config.json) reads a key that differs
/// only in case ("CPU" for "cpu"), so such a member alone is read; several of them would be
/// decoded in document order, the last value winning, and a reader that looks at one of
/// them sees another document than the one ocistart runs. The one exception is what Go
/// merges without anything being lost: members that are all objects and, together, name
/// each of their own fields once ({"cpu": {"shares": 100}, "CPU": {"Cpus": "0"}}, which
/// runc's update.bats writes into config.json); they are read as one struct.
class Object {
 public:
  /// Where a struct is read from: one JSON object, or several (see above) with the key
  /// each was found under in the enclosing object.
  struct Part {
    std::string_view key;
    simdjson::dom::object object;
  };

  Object(Reader& reader, simdjson::dom::object object) noexcept
      : reader_(reader), single_{std::string_view(), object} {}
  Object(Reader& reader, std::vector<Part> parts) noexcept
      : reader_(reader), single_(parts.front()), merged_(std::move(parts)) {}

  /// Reads member `key` into `out`; a missing member (or null) is an error.
  template <class T>
  bool required(std::string_view key, T& out) {
    return read_field(key, out, true);
  }
  /// Reads member `key` into `out` when present; absent or null leaves `out` untouched
  /// (Go's encoding/json, which most engines use to write config.json, does the same).
  template <class T>
  bool optional(std::string_view key, T& out) {
    return read_field(key, out, false);
  }
  /// Whether Go's encoding/json (runc) decodes a member named `member` into a field named
  /// `key`: the same name, or the same but for ASCII case ("CPU" for "cpu").
  [[nodiscard]] static bool same_field(std::string_view member, std::string_view key) noexcept;

  /// Fails on the first key that appears twice in one of the objects ("<pointer>:
  /// duplicate key \"a\""); true when every key is unique. Called once per object before
  /// its members are read (read_value does it for structs).
  [[nodiscard]] bool check_unique_keys();

  /// The member `key` (exactly, else but for case), or nullopt when absent. For a look
  /// before the read (pre-1.0 layout detection); reads go through required/optional.
  [[nodiscard]] std::optional<element> find(std::string_view key) const;

  [[nodiscard]] Reader& reader() noexcept { return reader_; }

 private:
  struct Match {
    std::size_t part = 0;
    std::string_view key;
    element value;
  };

  [[nodiscard]] const Part* parts_begin() const noexcept { return merged_.empty() ? &single_ : merged_.data(); }
  [[nodiscard]] const Part* parts_end() const noexcept {
    return merged_.empty() ? &single_ + 1 : merged_.data() + merged_.size();
  }
  /// The members that name field `key`, in document order; false after recording an error
  /// when they cannot be read as one (see the class comment). `mergeable`: `out` is a
  /// struct, into which several objects can be read.
  bool collect(std::string_view key, bool mergeable, std::vector<Match>& matches);
  template <class T>
  bool read_field(std::string_view key, T& out, bool required);

  Reader& reader_;
  Part single_;
  std::vector<Part> merged_;
};

// --- read_value overloads -------------------------------------------------------------

/// Strings never hold a NUL byte: the kernel and libc read the strings of a config (paths,
/// hostname, sysctl keys, labels) up to the first NUL, so "/etc\u0000x" would act as
/// "/etc" while every check saw something else. Fails "<pointer>: <what> contains a NUL
/// byte (\u0000)" at the current member.
bool check_no_nul(Reader& reader, std::string_view s, std::string_view what);

/// Any JSON string without a NUL byte (check_no_nul).
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

/// A JSON object with arbitrary keys (annotations, sysctl, unified, rdma): keys are
/// exact (no case folding), a key that appears twice is refused ("/annotations: duplicate
/// key \"a\"") and so is a key with a NUL byte.
template <class T>
bool read_value(Reader& reader, element value, std::map<std::string, T>& out) {
  simdjson::dom::object object;
  if (value.get(object) != simdjson::SUCCESS)
    return reader.fail_type("an object", value);
  out.clear();
  for (simdjson::dom::key_value_pair member : object) {
    auto [it, fresh] = out.try_emplace(std::string(member.key));
    if (!fresh)
      return reader.fail_duplicate_key(member.key);
    Reader::Scope scope = reader.enter(member.key);
    if (!check_no_nul(reader, member.key, "the key"))
      return false;
    if (!read_value(reader, member.value, it->second))
      return false;
  }
  return true;
}

/// Structs: anything with a read_object(Object&, T&) overload (found by ADL). An object
/// that names one key twice is refused (Object::check_unique_keys).
template <class T>
requires requires(Object& object, T& out) {
  { read_object(object, out) } -> std::same_as<bool>;
}
bool read_value(Reader& reader, element value, T& out) {
  simdjson::dom::object object;
  if (value.get(object) != simdjson::SUCCESS)
    return reader.fail_type("an object", value);
  Object members(reader, object);
  return members.check_unique_keys() && read_object(members, out);
}

/// A struct type: something with a read_object(Object&, T&) overload (found by ADL).
template <class T>
concept Struct = requires(Object& object, T& out) {
  { read_object(object, out) } -> std::same_as<bool>;
};

template <class T>
struct MergeTarget {
  static constexpr bool kStruct = Struct<T>;
  static T& get(T& out) { return out; }
};
template <class T>
struct MergeTarget<std::optional<T>> {
  static constexpr bool kStruct = Struct<T>;
  static T& get(std::optional<T>& out) { return out ? *out : out.emplace(); }
};

template <class T>
bool Object::read_field(std::string_view key, T& out, bool required) {
  // Most fields are named by one member: no allocation on that path.
  std::size_t count = 0;
  Match first{};
  for (const Part* p = parts_begin(); p != parts_end(); ++p) {
    for (simdjson::dom::key_value_pair member : p->object) {
      if (same_field(member.key, key)) {
        if (count++ == 0)
          first = Match{static_cast<std::size_t>(p - parts_begin()), member.key, member.value};
      }
    }
  }
  if (count == 0) {
    if (!required)
      return true;
    Reader::Scope scope = reader_.enter(key);
    return reader_.fail("required member missing");
  }
  if (count == 1) {
    if (!required && first.value.is_null())
      return true;
    if (!merged_.empty())
      reader_.rename_member(parts_begin()[first.part].key);
    Reader::Scope scope = reader_.enter(first.key);
    return read_value(reader_, first.value, out);
  }
  std::vector<Match> matches;
  if (!collect(key, MergeTarget<T>::kStruct, matches))
    return false;
  if constexpr (MergeTarget<T>::kStruct) {
    std::vector<Part> parts;
    parts.reserve(matches.size());
    for (const Match& m : matches) {
      simdjson::dom::object object;
      if (m.value.get(object) != simdjson::SUCCESS)  // collect() checked that each is one
        return reader_.fail_type("an object", m.value);
      parts.push_back(Part{m.key, object});
    }
    if (!merged_.empty())
      reader_.rename_member(parts_begin()[matches.front().part].key);
    Reader::Scope scope = reader_.enter(matches.front().key);
    Object merged(reader_, std::move(parts));
    return merged.check_unique_keys() && read_object(merged, MergeTarget<T>::get(out));
  }
  return false;
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

/// A whole document that is one `T` (a process object for exec -p, resources for
/// update -r): a syntax error or the reader's first error, with its JSON pointer.
template <class T>
util::Result<T> parse_whole(std::string_view text) {
  simdjson::dom::parser parser;
  json::element root;
  if (simdjson::error_code err = parser.parse(text.data(), text.size()).get(root))
    return util::make_error(json::describe_syntax_error(text, err));
  json::Reader reader;
  T out;
  if (!json::read_value(reader, root, out))
    return util::make_error(reader.error());
  return out;
}

}  // namespace ocistart::spec
