#include <doctest/doctest.h>

#include <cerrno>

#include "systemd/annotations.h"
#include "systemd/unit_name.h"

using namespace ocistart::systemd;

TEST_CASE("parse_gvariant reads the value kinds unit properties use") {
  CHECK(*parse_gvariant("true") == PropertyValue(true));
  CHECK(*parse_gvariant(" false ") == PropertyValue(false));
  CHECK(*parse_gvariant("uint64 123456789") == PropertyValue(uint64_t{123456789}));
  CHECK(*parse_gvariant("@t 5") == PropertyValue(uint64_t{5}));
  CHECK(*parse_gvariant("int64 -3") == PropertyValue(int64_t{-3}));
  CHECK(*parse_gvariant("uint32 7") == PropertyValue(uint32_t{7}));
  CHECK(*parse_gvariant("42") == PropertyValue(int32_t{42}));  // bare integers are int32 in GVariant
  CHECK(*parse_gvariant("1.5") == PropertyValue(1.5));
  CHECK(*parse_gvariant("'inactive-or-failed'") == PropertyValue(std::string("inactive-or-failed")));
  CHECK(*parse_gvariant(R"("it's")") == PropertyValue(std::string("it's")));
  CHECK(*parse_gvariant(R"('a\'b')") == PropertyValue(std::string("a'b")));
  CHECK(*parse_gvariant("['a.service', 'b.service']") ==
        PropertyValue(std::vector<std::string>{"a.service", "b.service"}));
  CHECK(*parse_gvariant("@as []") == PropertyValue(std::vector<std::string>{}));
  CHECK(*parse_gvariant("[uint32 1, 2]") == PropertyValue(std::vector<uint32_t>{1, 2}));
}

TEST_CASE("parse_gvariant rejects what it cannot type") {
  for (const char* bad : {"", "uint64 -1", "uint32 4294967296", "'open", "[1, 'a']", "int32 1.5", "true false", "@q 1",
                          "[1 2]", "nope"}) {
    CAPTURE(bad);
    auto r = parse_gvariant(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == EINVAL);
  }
}

TEST_CASE("annotations become properties; *Sec turns into *USec in microseconds") {
  ocistart::spec::StringMap a{
      {"org.systemd.property.TimeoutStopSec", "uint64 3"},
      {"org.systemd.property.RuntimeMaxUSec", "uint64 1000"},
      {"org.systemd.property.CollectMode", "'inactive-or-failed'"},
      {"org.systemd.property.AccuracySec", "0.5"},
      {"io.example.other", "ignored"},
  };
  auto props = properties_from_annotations(a);
  REQUIRE(props.ok());
  REQUIRE(props->size() == 4);
  CHECK((*props)[0] == UnitProperty{"AccuracyUSec", uint64_t{500000}});
  CHECK((*props)[1] == UnitProperty{"CollectMode", std::string("inactive-or-failed")});
  CHECK((*props)[2] == UnitProperty{"RuntimeMaxUSec", uint64_t{1000}});
  CHECK((*props)[3] == UnitProperty{"TimeoutStopUSec", uint64_t{3000000}});
}

TEST_CASE("a bad annotation names itself") {
  auto r = properties_from_annotations({{"org.systemd.property.TasksMax", "uint64 x"}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("annotation `org.systemd.property.TasksMax`: ") == 0);
  auto n = properties_from_annotations({{"org.systemd.property.bad-name", "1"}});
  REQUIRE_FALSE(n.ok());
  CHECK(n.error().message.find("is not a unit property name") != std::string::npos);
  auto s = properties_from_annotations({{"org.systemd.property.TimeoutStopSec", "'soon'"}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("seconds") != std::string::npos);
}

TEST_CASE("unit placement follows runc's slice:prefix:name") {
  auto d = unit_placement("", "abc");
  REQUIRE(d.ok());
  CHECK(d->slice == "system.slice");
  CHECK(d->unit == "ocistart-abc.scope");
  auto p = unit_placement("machine.slice:libpod:f00", "x");
  REQUIRE(p.ok());
  CHECK(p->slice == "machine.slice");
  CHECK(p->unit == "libpod-f00.scope");
  auto root = unit_placement("-:pre:n", "x");
  REQUIRE(root.ok());
  CHECK(root->slice == "-.slice");
  CHECK(root->unit == "pre-n.scope");
  auto noprefix = unit_placement(
      ":"
      ":n",
      "x");
  REQUIRE(noprefix.ok());
  CHECK(noprefix->slice == "system.slice");
  CHECK(noprefix->unit == "n.scope");
  auto slice = unit_placement("system.slice:p:my.slice", "x");
  REQUIRE(slice.ok());
  CHECK(slice->unit == "my.slice");
  for (const char* bad : {"/abs/path", "a:b", "a:b:c:d", "notaslice:p:n", "system.slice:p:", "system.slice:p:bad/x"}) {
    CAPTURE(bad);
    auto r = unit_placement(bad, "x");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("cgroupsPath `") == 0);
  }
  CHECK(is_systemd_cgroups_path("system.slice:p:n"));
  CHECK_FALSE(is_systemd_cgroups_path("/ocistart/x"));
  CHECK_FALSE(is_systemd_cgroups_path(""));
}
