// `-p NAME=VALUE` (systemd-run syntax) -> unit properties.
#include <doctest/doctest.h>

#include <limits>

#include "systemd/assignment.h"
#include "systemd/unit_properties.h"

using namespace ocistart;
using systemd::PropertyValue;
using systemd::UnitProperty;

namespace {

constexpr uint64_t kInf = std::numeric_limits<uint64_t>::max();

UnitProperty ok(std::string_view a) {
  util::Result<UnitProperty> p = systemd::parse_assignment(a);
  REQUIRE_MESSAGE(p.ok(), a);
  return *p;
}

std::string error(std::string_view a) {
  util::Result<UnitProperty> p = systemd::parse_assignment(a);
  REQUIRE_FALSE_MESSAGE(p.ok(), a);
  return p.error().message;
}

}  // namespace

TEST_CASE("-p sizes: powers of 1024, infinity, percentages as *Scale") {
  CHECK(ok("MemoryMax=1G") == UnitProperty{"MemoryMax", uint64_t{1} << 30});
  CHECK(ok("MemoryHigh=512M") == UnitProperty{"MemoryHigh", uint64_t{512} << 20});
  CHECK(ok("MemoryLow=1.5K") == UnitProperty{"MemoryLow", uint64_t{1536}});
  CHECK(ok("MemoryLimit=4096") == UnitProperty{"MemoryLimit", uint64_t{4096}});
  CHECK(ok("MemorySwapMax=infinity") == UnitProperty{"MemorySwapMax", kInf});
  CHECK(ok("MemoryMax=50%") ==
        UnitProperty{"MemoryMaxScale", static_cast<uint32_t>(std::numeric_limits<uint32_t>::max() / 2)});
  CHECK(ok("TasksMax=100") == UnitProperty{"TasksMax", uint64_t{100}});
  CHECK(ok("TasksMax=infinity") == UnitProperty{"TasksMax", kInf});
  CHECK(ok("TasksMax=10%").name == "TasksMaxScale");
  CHECK(error("MemoryMax=lots") == "MemoryMax: `lots` is not a size (bytes, or with K, M, G, T, P, E)");
  CHECK(error("MemoryMax=150%") == "MemoryMax: `150%` is not a percentage from 0% to 100%");
}

TEST_CASE("-p CPUQuota, weights, booleans, strings, CPU sets") {
  CHECK(ok("CPUQuota=50%") == UnitProperty{"CPUQuotaPerSecUSec", uint64_t{500000}});
  CHECK(ok("CPUQuota=250%") == UnitProperty{"CPUQuotaPerSecUSec", uint64_t{2500000}});
  CHECK(ok("CPUQuota=12.5%") == UnitProperty{"CPUQuotaPerSecUSec", uint64_t{125000}});
  CHECK(error("CPUQuota=0.5") == "CPUQuota: `0.5` is not a positive percentage (50%: half a CPU)");
  CHECK(ok("CPUWeight=200") == UnitProperty{"CPUWeight", uint64_t{200}});
  CHECK(ok("CPUWeight=idle") == UnitProperty{"CPUWeight", uint64_t{0}});
  CHECK(ok("CPUShares=512") == UnitProperty{"CPUShares", uint64_t{512}});
  CHECK(ok("Delegate=yes") == UnitProperty{"Delegate", true});
  CHECK(ok("MemoryAccounting=off") == UnitProperty{"MemoryAccounting", false});
  CHECK(error("Delegate=maybe") == "Delegate: `maybe` is not a boolean (yes or no)");
  CHECK(ok("Description=web server") == UnitProperty{"Description", std::string("web server")});
  CHECK(ok("AllowedCPUs=0-1,3") == UnitProperty{"AllowedCPUs", std::vector<uint8_t>{0x0b}});
}

TEST_CASE("-p time spans become *USec") {
  CHECK(ok("TimeoutStopSec=5") == UnitProperty{"TimeoutStopUSec", uint64_t{5000000}});
  CHECK(ok("TimeoutStopSec=100ms") == UnitProperty{"TimeoutStopUSec", uint64_t{100000}});
  CHECK(ok("RuntimeMaxSec=1min 30s") == UnitProperty{"RuntimeMaxUSec", uint64_t{90000000}});
  CHECK(ok("RuntimeMaxSec=2h") == UnitProperty{"RuntimeMaxUSec", uint64_t{7200000000}});
  CHECK(ok("RuntimeMaxSec=infinity") == UnitProperty{"RuntimeMaxUSec", kInf});
  CHECK(ok("CPUQuotaPeriodSec=10ms") == UnitProperty{"CPUQuotaPeriodUSec", uint64_t{10000}});
  CHECK(error("TimeoutStopSec=5 parsecs").starts_with("TimeoutStopSec: `5 parsecs` is not a time span"));
}

TEST_CASE("-p device lists, unknown names, and how assignments apply") {
  using Access = std::vector<std::pair<std::string, std::string>>;
  using Limits = std::vector<std::pair<std::string, uint64_t>>;
  CHECK(ok("DeviceAllow=/dev/fuse rw") == UnitProperty{"DeviceAllow", Access{{"/dev/fuse", "rw"}}});
  CHECK(ok("DeviceAllow=/dev/kvm") == UnitProperty{"DeviceAllow", Access{{"/dev/kvm", "rwm"}}});
  CHECK(ok("IOReadBandwidthMax=/dev/sda 1M") == UnitProperty{"IOReadBandwidthMax", Limits{{"/dev/sda", 1 << 20}}});
  CHECK(ok("IOWriteIOPSMax=/dev/sda 100") == UnitProperty{"IOWriteIOPSMax", Limits{{"/dev/sda", 100}}});
  CHECK(error("DeviceAllow=/dev/kvm rwx") == "DeviceAllow: `/dev/kvm rwx` is not `PATH [rwm]`");
  CHECK(error("ExecStart=/bin/true").starts_with("property `ExecStart` is not one ocistart converts"));
  CHECK(error("Environment=A=1") == "property `Environment` is a service's: only with run --service");
  CHECK(error("=5") == "expected NAME=VALUE");

  systemd::UnitProperties props{
      {"MemoryLimit", uint64_t{1}}, {"DeviceAllow", Access{{"/dev/null", "rwm"}}}, {"TasksMax", uint64_t{10}}};
  REQUIRE(systemd::apply_assignments(props, {"MemoryLimit=2M", "DeviceAllow=/dev/fuse rw", "TasksMax=50%"}).ok());
  REQUIRE(props.size() == 3);
  CHECK(props[0] == UnitProperty{"DeviceAllow", Access{{"/dev/null", "rwm"}, {"/dev/fuse", "rw"}}});
  CHECK(props[1] == UnitProperty{"MemoryLimit", uint64_t{2} << 20});
  CHECK(props[2].name == "TasksMaxScale");  // and the TasksMax in bytes is gone
  util::Status bad = systemd::apply_assignments(props, {"MemoryMax=lots"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        "-p `MemoryMax=lots`: MemoryMax: `lots` is not a size (bytes, or with K, M, G, T, P, E)");
}

TEST_CASE("-p assignments win over the config and the annotations in the scope properties") {
  spec::Resources r;
  r.pids = spec::Pids{100};
  spec::StringMap ann{{"org.systemd.property.TasksMax", "uint64 50"}};
  std::vector<std::string> assignments{"TasksMax=7", "Description=mine"};
  systemd::ScopeRequest req{
      "ocistart container abc", "system.slice", 4242, systemd::CgroupVersion::v1, &r, &ann, &assignments};
  util::Result<systemd::UnitProperties> props = systemd::scope_properties(req);
  REQUIRE(props.ok());
  int tasks = 0;
  for (const UnitProperty& p : *props) {
    if (p.name == "TasksMax") {
      ++tasks;
      CHECK(p.value == PropertyValue(uint64_t{7}));
    }
    if (p.name == "Description")
      CHECK(p.value == PropertyValue(std::string("mine")));
  }
  CHECK(tasks == 1);
}
