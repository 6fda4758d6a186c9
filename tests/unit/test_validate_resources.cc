// Zeros and negatives in linux.resources, as real clients write them: what is "not set"
// (spec::effective_resources), what validation accepts and what it refuses, each as runc
// 1.1 does (Docker 20.10 writes "blockIO":{"weight":0} for every container).
#include <doctest/doctest.h>

#include <string>

#include "spec/default_spec.h"
#include "spec/effective_resources.h"
#include "spec/parse.h"
#include "validate_checks.h"

using namespace ocistart::spec;

namespace {

// The default config with linux.resources parsed from `json` (as config.json holds it).
Config with_resources(const char* json) {
  Config c = default_config();
  ocistart::util::Result<Resources> r = parse_resources(json);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  c.linux_->resources = std::move(*r);
  return c;
}

}  // namespace

TEST_CASE("resources: what Docker 20.10 writes for a plain `docker run` is valid and sets nothing") {
  const char* docker = R"({"devices":[{"allow":false,"access":"rwm"}],
    "memory":{"disableOOMKiller":false},"cpu":{"shares":0},"pids":{"limit":0},
    "blockIO":{"weight":0}})";
  CHECK_VALID(with_resources(docker));
  Resources r = effective_resources(*parse_resources(docker));
  CHECK_FALSE(r.memory->disable_oom_killer.has_value());
  CHECK_FALSE(r.cpu->shares.has_value());
  CHECK_FALSE(r.pids->limit.has_value());
  CHECK_FALSE(r.block_io->weight.has_value());
  CHECK(r.devices.size() == 1);
}

TEST_CASE("resources: 0 is unset everywhere runc reads it so") {
  Resources r = effective_resources(*parse_resources(R"({
    "memory":{"limit":0,"reservation":0,"swap":0,"kernel":0,"kernelTCP":0,
              "swappiness":18446744073709551615,"disableOOMKiller":false,"useHierarchy":true},
    "cpu":{"shares":0,"quota":0,"period":0,"realtimeRuntime":0,"realtimePeriod":0,"cpus":"","mems":""},
    "pids":{"limit":0},
    "blockIO":{"weight":0,"leafWeight":0,"weightDevice":[{"major":8,"minor":0,"weight":0,"leafWeight":0}]},
    "network":{"classID":0}})"));
  const Memory& m = *r.memory;
  CHECK_FALSE((m.limit || m.reservation || m.swap || m.kernel || m.kernel_tcp || m.swappiness || m.disable_oom_killer ||
               m.use_hierarchy));
  const Cpu& c = *r.cpu;
  CHECK_FALSE((c.shares || c.quota || c.period || c.realtime_runtime || c.realtime_period));
  CHECK_FALSE(r.pids->limit.has_value());
  CHECK_FALSE((r.block_io->weight || r.block_io->leaf_weight));
  REQUIRE(r.block_io->weight_device.size() == 1);  // entries stay: pointers keep their index
  CHECK_FALSE((r.block_io->weight_device[0].weight || r.block_io->weight_device[0].leaf_weight));
  CHECK_FALSE(r.network->class_id.has_value());
  CHECK(effective_resources(r).memory->limit == std::nullopt);  // idempotent
}

TEST_CASE("resources: negatives, real values and the other booleans are kept") {
  Resources r = effective_resources(*parse_resources(R"({
    "memory":{"limit":-1,"reservation":-1,"swap":-1,"swappiness":0,"disableOOMKiller":true,"useHierarchy":false},
    "cpu":{"quota":-1,"realtimeRuntime":-1,"idle":0},
    "pids":{"limit":-1},
    "devices":[{"allow":false,"type":"c","major":1,"minor":11,"access":"rwa"},{"allow":true,"access":""}]})"));
  CHECK(r.memory->limit == -1);
  CHECK(r.memory->reservation == -1);
  CHECK(r.memory->swap == -1);
  CHECK(r.memory->swappiness == 0u);
  CHECK(r.memory->disable_oom_killer == true);
  CHECK(r.memory->use_hierarchy == false);
  CHECK(r.cpu->quota == -1);
  CHECK(r.cpu->realtime_runtime == -1);
  CHECK(r.cpu->idle == 0);
  CHECK(r.pids->limit == -1);
  CHECK(r.devices[0].access == "rw");  // runc's device emulator reads only r, w and m
  CHECK(r.devices[1].access.empty());  // empty stays empty (rwm)
}

TEST_CASE("resources: accepted values at the edges") {
  for (const char* json : {
           R"({"memory":{"limit":-1,"reservation":-1,"swap":-1}})",
           R"({"memory":{"limit":1,"swap":1}})",
           R"({"memory":{"swappiness":100}})",
           R"({"memory":{"swappiness":18446744073709551615}})",
           R"({"cpu":{"shares":2}})",
           R"({"cpu":{"shares":262144}})",
           R"({"cpu":{"quota":-1,"period":0}})",
           R"({"pids":{"limit":-1}})",
           R"({"pids":{"limit":1}})",
           R"({"blockIO":{"weight":10,"leafWeight":1000}})",
           R"({"blockIO":{"weightDevice":[{"major":8,"minor":0}]}})",
           R"({"blockIO":{"weightDevice":[{"major":8,"minor":0,"weight":0,"leafWeight":10}]}})",
           R"({"devices":[{"allow":false,"type":"c","major":1,"minor":11,"access":"rwa"}]})",
       }) {
    INFO(std::string(json));
    CHECK_VALID(with_resources(json));
  }
}

TEST_CASE("resources: refused values name their JSON path") {
  struct Bad {
    const char* json;
    const char* pointer;
    const char* fragment;
  };
  for (const Bad& b : {
           Bad{R"({"memory":{"limit":-2}})", "/linux/resources/memory/limit", "-2 is not a size"},
           Bad{R"({"memory":{"reservation":-2}})", "/linux/resources/memory/reservation", "-2 is not a size"},
           Bad{R"({"memory":{"swap":-2}})", "/linux/resources/memory/swap", "-2 is not a size"},
           Bad{R"({"memory":{"limit":2,"swap":1}})", "/linux/resources/memory/swap", "lower than the memory limit"},
           Bad{R"({"memory":{"swappiness":101}})", "/linux/resources/memory/swappiness", "101 is outside 0..100"},
           Bad{R"({"cpu":{"shares":1}})", "/linux/resources/cpu/shares", "1 is outside 2..262144"},
           Bad{R"({"cpu":{"shares":262145}})", "/linux/resources/cpu/shares", "262145 is outside 2..262144"},
           Bad{R"({"blockIO":{"weight":9}})", "/linux/resources/blockIO/weight", "9 is outside 10..1000"},
           Bad{R"({"blockIO":{"weight":1001}})", "/linux/resources/blockIO/weight", "1001 is outside 10..1000"},
           Bad{R"({"blockIO":{"leafWeight":5}})", "/linux/resources/blockIO/leafWeight", "outside 10..1000"},
           Bad{R"({"blockIO":{"weightDevice":[{"major":8,"minor":0,"weight":0},{"major":8,"minor":16,"weight":9}]}})",
               "/linux/resources/blockIO/weightDevice/1/weight", "outside 10..1000"},
           Bad{R"({"devices":[{"allow":true,"type":"c","access":"x"}]})", "/linux/resources/devices/0/access",
               "not a combination of r, w and m"},
       }) {
    INFO(std::string(b.json));
    CHECK_INVALID(with_resources(b.json), b.pointer, b.fragment);
  }
}

TEST_CASE("resources: negatives where the spec has unsigned numbers are parse errors, as in runc") {
  for (const char* json : {R"({"memory":{"swappiness":-1}})", R"({"cpu":{"shares":-1}})",
                           R"({"blockIO":{"weight":-1}})", R"({"cpu":{"period":-1}})"}) {
    INFO(std::string(json));
    ocistart::util::Result<Resources> r = parse_resources(json);
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    CHECK(r.error().message.find("expected an unsigned") != std::string::npos);
  }
}

TEST_CASE("resources: keys that differ only in case are read, as Go's encoding/json (runc) reads them") {
  // runc's update.bats writes {"CPU": {"Cpus": "0", "Mems": "0"}}.
  Resources r = *parse_resources(R"({"CPU": {"Cpus": "0", "MEMS": "1"}, "Pids": {"LIMIT": 5}})");
  REQUIRE(r.cpu);
  CHECK(r.cpu->cpus == "0");
  CHECK(r.cpu->mems == "1");
  CHECK(r.pids->limit == 5);
  // Objects that together name each field once are read as one (update.bats has "cpu"
  // from its setup and adds "CPU" to config.json).
  Resources merged = *parse_resources(R"({"cpu": {"shares": 100}, "CPU": {"Cpus": "0"}})");
  CHECK(merged.cpu->shares == 100u);
  CHECK(merged.cpu->cpus == "0");
  // A field named twice is refused, not decided by document order.
  ocistart::util::Result<Resources> later = parse_resources(R"({"pids": {"limit": 1}, "PIDS": {"limit": 2}})");
  REQUIRE_FALSE(later.ok());
  CHECK(later.error().message == R"(/PIDS: duplicate key "limit")");
  // An error names the member as the document spells it.
  ocistart::util::Result<Resources> bad = parse_resources(R"({"cpu": {}, "CPU": {"Shares": "x"}})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.starts_with("/CPU/Shares: "));
}
