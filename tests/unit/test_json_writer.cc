#include <doctest/doctest.h>

#include "util/json_writer.h"

using ocistart::util::json_quote;
using ocistart::util::JsonWriter;

TEST_CASE("JsonWriter writes compact nested JSON") {
  JsonWriter w;
  w.begin_object().member("a", 1).key("b").begin_array().value("x").value(true).null().end_array();
  w.key("c").begin_object().end_object().end_object();
  CHECK(w.str() == R"({"a":1,"b":["x",true,null],"c":{}})");
}

TEST_CASE("JsonWriter indents when asked") {
  JsonWriter w(2);
  w.begin_object()
      .member("a", "b")
      .key("l")
      .begin_array()
      .value(uint64_t{18446744073709551615ULL})
      .end_array()
      .end_object();
  CHECK(w.str() == "{\n  \"a\": \"b\",\n  \"l\": [\n    18446744073709551615\n  ]\n}");
}

TEST_CASE("json_quote escapes control characters and invalid UTF-8") {
  CHECK(json_quote("a\"b\\c\n\x01") == R"("a\"b\\c\n\u0001")");
  CHECK(json_quote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(json_quote("bad\xff") == R"("bad\ufffd")");
  CHECK(json_quote(std::string_view("\0", 1)) == R"("\u0000")");
}
