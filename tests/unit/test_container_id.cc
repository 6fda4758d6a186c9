#include <doctest/doctest.h>

#include <cerrno>
#include <string>

#include "runtime/container_id.h"

using ocistart::runtime::validate_container_id;

namespace {

// The message for an invalid id, or "" when it is valid.
std::string why_invalid(std::string_view id) {
  ocistart::util::Status s = validate_container_id(id);
  if (s.ok())
    return "";
  CHECK(s.error().code == EINVAL);
  return s.error().message;
}

}  // namespace

TEST_CASE("container ids: valid ones pass") {
  for (const char* id : {"a", "abc", "A-Z_0.9+x", "0", "web-1", "x..y", "a.", "-", "+", "_x",
                         "f3a9b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80"}) {
    CAPTURE(id);
    CHECK(validate_container_id(id).ok());
  }
  CHECK(validate_container_id(std::string(1024, 'a')).ok());
  CHECK(validate_container_id(std::string(1023, 'b') + "-").ok());
}

TEST_CASE("container ids: invalid ones fail with the reason") {
  CHECK(why_invalid("") == "invalid container id ``: empty");
  CHECK(why_invalid(".") == "invalid container id `.`: starts with `.`");
  CHECK(why_invalid("..") == "invalid container id `..`: starts with `.`");
  CHECK(why_invalid(".hidden") == "invalid container id `.hidden`: starts with `.`");
  CHECK(why_invalid("../x") == "invalid container id `../x`: starts with `.`");
  CHECK(why_invalid("a/b") == "invalid container id `a/b`: contains `/`");
  CHECK(why_invalid("/abs") == "invalid container id `/abs`: contains `/`");
  CHECK(why_invalid("a/../b") == "invalid container id `a/../b`: contains `/`");
  CHECK(why_invalid("a b").find("contains ` `") != std::string::npos);
  CHECK(why_invalid("tab\there").find("contains `\\x09`") != std::string::npos);
  CHECK(why_invalid("a:b").find("contains `:`") != std::string::npos);
  CHECK(why_invalid("a*").find("contains `*`") != std::string::npos);
  // UTF-8 bytes are outside the allowed set; the message shows them escaped.
  CHECK(why_invalid("caf\xc3\xa9") ==
        "invalid container id `caf\\xc3\\xa9`: contains `\\xc3` (allowed: letters, digits, `_.+-`)");
  CHECK(why_invalid("\xe2\x98\x83") != "");
  CHECK(why_invalid(std::string(1025, 'a')).find("longer than 1024 bytes") != std::string::npos);
  CHECK(why_invalid(std::string(5000, '/')).find("longer than 1024 bytes") != std::string::npos);
}

TEST_CASE("container ids: a NUL byte inside is rejected and not printed raw") {
  std::string id("ab\0cd", 5);
  std::string m = why_invalid(id);
  CHECK(m == "invalid container id `ab\\x00cd`: contains a NUL byte");
  CHECK(m.find('\0') == std::string::npos);
  CHECK(why_invalid(std::string("\0", 1)) != "");
  CHECK(why_invalid(std::string("abc\0", 4)) != "");
}

TEST_CASE("container ids: long ids are cut short in messages") {
  std::string id(2000, 'x');
  std::string m = why_invalid(id);
  CHECK(m ==
        "invalid container id `" + std::string(31, 'x') + "..." + std::string(30, 'x') + "`: longer than 1024 bytes");
  // Exactly 64 bytes are shown whole, without an ellipsis.
  std::string id64 = std::string(63, 'y') + "/";
  CHECK(why_invalid(id64) == "invalid container id `" + id64 + "`: contains `/`");
}
