// The cgroup file writes for zeros, negatives and boundary values, as real clients write
// them (Docker 20.10: "blockIO":{"weight":0}, "pids":{"limit":0}, ...), on v1 and v2. The
// expected writes are what runc 1.1 makes of each value (see spec/effective_resources.h).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cgroups/resources.h"
#include "spec/parse.h"

using namespace ocistart;
using namespace ocistart::cgroups;

namespace {

spec::Resources parse(const char* json) {
  util::Result<spec::Resources> r = spec::parse_resources(json);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return std::move(*r);
}

// "file=value" for each write of a plan, in order.
std::vector<std::string> writes(const util::Result<Plan>& plan) {
  REQUIRE_MESSAGE(plan.ok(), (plan.ok() ? "" : plan.error().message));
  std::vector<std::string> out;
  for (const Write& w : plan->writes)
    out.push_back(w.file + "=" + w.value);
  return out;
}

using Writes = std::vector<std::string>;

struct Case {
  const char* json;
  Writes v1, v2;
};

}  // namespace

TEST_CASE("cgroup plans: values meaning \"not set\" write nothing and warn about nothing") {
  for (const char* json : {
           R"({"memory":{"limit":0,"reservation":0,"swap":0,"kernel":0,"kernelTCP":0}})",
           R"({"memory":{"swappiness":18446744073709551615,"disableOOMKiller":false,"useHierarchy":true}})",
           R"({"cpu":{"shares":0,"quota":0,"period":0,"realtimeRuntime":0,"realtimePeriod":0,"cpus":"","mems":""}})",
           R"({"pids":{"limit":0}})",
           R"({"blockIO":{"weight":0,"leafWeight":0}})",
           R"({"blockIO":{"weightDevice":[{"major":8,"minor":0,"weight":0,"leafWeight":0},{"major":8,"minor":16}]}})",
           R"({"network":{"classID":0}})",
       }) {
    INFO(std::string(json));
    spec::Resources r = parse(json);
    CHECK(writes(plan_v1(r)).empty());
    CHECK(writes(plan_v2(r)).empty());
    CHECK(plan_v1(r)->warnings.empty());
    CHECK(plan_v2(r)->warnings.empty());
  }
}

TEST_CASE("cgroup plans: Docker 20.10's resources write only the device rules") {
  spec::Resources r = parse(R"({"devices":[{"allow":false,"access":"rwm"}],
    "memory":{"disableOOMKiller":false},"cpu":{"shares":0},"pids":{"limit":0},"blockIO":{"weight":0}})");
  CHECK(writes(plan_v1(r)) == Writes{"devices.deny=a", "devices.deny=a"});
  util::Result<Plan> v2 = plan_v2(r);
  CHECK(writes(v2).empty());
  CHECK(v2->device_rules->size() == 1);
}

TEST_CASE("cgroup plans: -1, other negatives and boundaries") {
  for (const Case& c : {
           Case{R"({"memory":{"limit":-1}})",
                {"memory.limit_in_bytes=-1", "memory.memsw.limit_in_bytes=-1"},
                {"memory.swap.max=max", "memory.max=max"}},
           Case{R"({"memory":{"reservation":-1}})", {"memory.soft_limit_in_bytes=-1"}, {"memory.low=max"}},
           Case{R"({"memory":{"swap":-1}})", {"memory.memsw.limit_in_bytes=-1"}, {"memory.swap.max=max"}},
           Case{R"({"memory":{"limit":1048576,"swap":1048576}})",
                {"memory.limit_in_bytes=1048576", "memory.memsw.limit_in_bytes=1048576"},
                {"memory.swap.max=0", "memory.max=1048576"}},
           Case{R"({"memory":{"limit":1048576,"swap":0}})", {"memory.limit_in_bytes=1048576"}, {"memory.max=1048576"}},
           Case{R"({"memory":{"swappiness":0}})", {"memory.swappiness=0"}, {}},
           Case{R"({"memory":{"swappiness":100}})", {"memory.swappiness=100"}, {}},
           Case{R"({"memory":{"disableOOMKiller":true}})", {"memory.oom_control=1"}, {}},
           Case{R"({"memory":{"kernel":-1,"kernelTCP":1048576}})",
                {"memory.kmem.limit_in_bytes=-1", "memory.kmem.tcp.limit_in_bytes=1048576"},
                {}},
           Case{R"({"cpu":{"quota":-1}})", {"cpu.cfs_quota_us=-1"}, {"cpu.max=max 100000"}},
           Case{R"({"cpu":{"quota":-5,"period":0}})", {"cpu.cfs_quota_us=-5"}, {"cpu.max=max 100000"}},
           Case{R"({"cpu":{"quota":0,"period":50000}})", {"cpu.cfs_period_us=50000"}, {"cpu.max=max 50000"}},
           Case{R"({"cpu":{"shares":2}})", {"cpu.shares=2"}, {"cpu.weight=1"}},
           Case{R"({"cpu":{"shares":262144}})", {"cpu.shares=262144"}, {"cpu.weight=10000"}},
           Case{R"({"cpu":{"realtimeRuntime":-1,"realtimePeriod":0}})", {"cpu.rt_runtime_us=-1"}, {}},
           Case{R"({"cpu":{"idle":0}})", {"cpu.idle=0"}, {"cpu.idle=0"}},
           Case{R"({"pids":{"limit":-1}})", {"pids.max=max"}, {"pids.max=max"}},
           Case{R"({"pids":{"limit":-2}})", {"pids.max=max"}, {"pids.max=max"}},
           Case{R"({"pids":{"limit":1}})", {"pids.max=1"}, {"pids.max=1"}},
           Case{R"({"blockIO":{"weight":10}})", {"blkio.weight=10"}, {"io.bfq.weight=10"}},
           Case{R"({"blockIO":{"weight":1000,"leafWeight":0}})", {"blkio.weight=1000"}, {"io.bfq.weight=1000"}},
           Case{R"({"blockIO":{"weightDevice":[{"major":8,"minor":0,"weight":0,"leafWeight":500},
                                               {"major":8,"minor":16,"weight":300,"leafWeight":0}]}})",
                {"blkio.leaf_weight_device=8:0 500", "blkio.weight_device=8:16 300"},
                {"io.bfq.weight=8:16 300"}},
           Case{R"({"blockIO":{"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":0}]}})",
                {"blkio.throttle.read_bps_device=8:0 0"},
                {"io.max=8:0 rbps=0"}},
           Case{R"({"network":{"classID":1}})", {"net_cls.classid=1"}, {}},
       }) {
    INFO(std::string(c.json));
    spec::Resources r = parse(c.json);
    CHECK(writes(plan_v1(r)) == c.v1);
    CHECK(writes(plan_v2(r)) == c.v2);
  }
}

TEST_CASE("cgroup plans: settings one version cannot express warn instead of writing") {
  spec::Resources r = parse(R"({"memory":{"useHierarchy":false,"swappiness":0}})");
  util::Result<Plan> v1 = plan_v1(r);
  CHECK(writes(v1) == Writes{"memory.swappiness=0"});  // useHierarchy false: the kernel refuses it
  REQUIRE(v1->warnings.size() == 1);
  CHECK(v1->warnings[0].find("memory.useHierarchy") == 0);
  CHECK(plan_v2(r)->warnings.size() == 2);
}

TEST_CASE("cgroup plans: update's completion of quota/period pairs ignores zeros") {
  auto read = [](const std::string&, const std::string& file) -> util::Result<std::string> {
    return std::string(file == "cpu.max" ? "max 50000\n" : "50000\n");
  };
  spec::Resources quota_only = parse(R"({"cpu":{"quota":20000,"period":0}})");
  CHECK(with_current_pairs(quota_only, true, read).cpu->period == 50000u);
  CHECK(with_current_pairs(quota_only, false, read).cpu->period == 50000u);
  spec::Resources neither = parse(R"({"cpu":{"quota":0,"period":0}})");
  CHECK_FALSE(with_current_pairs(neither, true, read).cpu->quota.has_value());
  CHECK_FALSE(with_current_pairs(neither, true, read).cpu->period.has_value());
}
