#include <doctest/doctest.h>

#include <limits>

#include "cgroups/resources.h"
#include "systemd/unit_properties.h"

using namespace ocistart;
using systemd::CgroupVersion;
using systemd::PropertyValue;
using systemd::UnitProperties;

namespace {

const PropertyValue* find(const UnitProperties& props, std::string_view name) {
  for (const auto& p : props)
    if (p.name == name)
      return &p.value;
  return nullptr;
}

spec::Resources sample() {
  spec::Resources r;
  r.memory = spec::Memory{};
  r.memory->limit = 1 << 30;
  r.memory->reservation = 256 << 20;
  r.memory->swap = int64_t{2} << 30;
  r.cpu = spec::Cpu{};
  r.cpu->shares = 1024;
  r.cpu->quota = 12345;
  r.cpu->period = 100000;
  r.cpu->cpus = "0-2,9";
  r.pids = spec::Pids{0};
  r.block_io = spec::BlockIo{};
  r.block_io->weight = 500;
  r.block_io->throttle_read_bps_device = {{8, 0, 1048576}};
  r.block_io->throttle_write_iops_device = {{8, 0, 100}};
  return r;
}

}  // namespace

TEST_CASE("v2 properties use the shared conversions") {
  auto props = systemd::resource_properties(sample(), CgroupVersion::v2);
  REQUIRE(props.ok());
  CHECK(*find(*props, "MemoryMax") == PropertyValue(uint64_t{1} << 30));
  CHECK(*find(*props, "MemoryLow") == PropertyValue(uint64_t{256} << 20));
  CHECK(*find(*props, "MemorySwapMax") == PropertyValue(uint64_t{1} << 30));  // swap - limit
  CHECK(*find(*props, "CPUWeight") == PropertyValue(uint64_t{100}));          // 1024 shares
  // 12345/100000 of a cpu = 123450 us/s, stored by systemd rounded up to 10 ms: 130000.
  CHECK(*find(*props, "CPUQuotaPerSecUSec") == PropertyValue(uint64_t{130000}));
  CHECK(*find(*props, "CPUQuotaPeriodUSec") == PropertyValue(uint64_t{100000}));
  CHECK(*find(*props, "AllowedCPUs") == PropertyValue(std::vector<uint8_t>{0x07, 0x02}));
  CHECK(find(*props, "TasksMax") == nullptr);                        // limit 0 is unset, as pids.max is not written
  CHECK(*find(*props, "IOWeight") != PropertyValue(uint64_t{500}));  // converted to the io.weight scale
  CHECK(*find(*props, "IOReadBandwidthMax") ==
        PropertyValue(std::vector<std::pair<std::string, uint64_t>>{{"/dev/block/8:0", 1048576}}));
  CHECK(*find(*props, "IOWriteIOPSMax") ==
        PropertyValue(std::vector<std::pair<std::string, uint64_t>>{{"/dev/block/8:0", 100}}));
  CHECK(find(*props, "MemoryLimit") == nullptr);
  CHECK(find(*props, "CPUShares") == nullptr);
}

TEST_CASE("v1 properties use the legacy names and leave the rest to cgroupfs") {
  auto props = systemd::resource_properties(sample(), CgroupVersion::v1);
  REQUIRE(props.ok());
  CHECK(*find(*props, "MemoryLimit") == PropertyValue(uint64_t{1} << 30));
  CHECK(*find(*props, "CPUShares") == PropertyValue(uint64_t{1024}));
  CHECK(*find(*props, "BlockIOWeight") == PropertyValue(uint64_t{500}));
  CHECK(find(*props, "BlockIOReadBandwidth") != nullptr);
  CHECK(find(*props, "MemoryMax") == nullptr);
  CHECK(find(*props, "MemorySwapMax") == nullptr);                                         // memsw via cgroupfs
  CHECK(*find(*props, "AllowedCPUs") == PropertyValue(std::vector<uint8_t>{0x07, 0x02}));  // kept, as runc
  CHECK(find(*props, "IOWriteIOPSMax") == nullptr);
}

TEST_CASE("unlimited values become systemd's infinity") {
  spec::Resources r;
  r.memory = spec::Memory{};
  r.memory->limit = -1;
  r.pids = spec::Pids{-1};
  auto props = systemd::resource_properties(r, CgroupVersion::v2);
  REQUIRE(props.ok());
  CHECK(*find(*props, "MemoryMax") == PropertyValue(std::numeric_limits<uint64_t>::max()));
  CHECK(*find(*props, "TasksMax") == PropertyValue(std::numeric_limits<uint64_t>::max()));
}

TEST_CASE("device rules: allow-all is auto, a list is strict") {
  spec::Resources all;
  all.devices = {{false, "a", {}, {}, "rwm"}, {true, "a", {}, {}, "rwm"}};
  auto a = systemd::resource_properties(all, CgroupVersion::v1);
  REQUIRE(a.ok());
  CHECK(*find(*a, "DevicePolicy") == PropertyValue(std::string("auto")));
  spec::Resources some;
  some.devices = {{false, "a", {}, {}, "rwm"}, {true, "c", 1, 3, "rwm"}, {true, "c", 136, {}, "rw"}};
  auto s = systemd::resource_properties(some, CgroupVersion::v1);
  REQUIRE(s.ok());
  CHECK(*find(*s, "DevicePolicy") == PropertyValue(std::string("strict")));
  CHECK(*find(*s, "DeviceAllow") ==
        PropertyValue(std::vector<std::pair<std::string, std::string>>{{"/dev/char/1:3", "rwm"}, {"char-pts", "rw"}}));
}

TEST_CASE("a swap below the limit is an error naming the field") {
  spec::Resources r;
  r.memory = spec::Memory{};
  r.memory->limit = 2 << 20;
  r.memory->swap = 1 << 20;
  auto props = systemd::resource_properties(r, CgroupVersion::v2);
  REQUIRE_FALSE(props.ok());
  CHECK(props.error().message.find("/linux/resources/memory/swap: ") == 0);
}

TEST_CASE("scope properties carry the scope basics and annotations win") {
  spec::Resources r;
  r.pids = spec::Pids{100};
  spec::StringMap ann{{"org.systemd.property.TasksMax", "uint64 50"},
                      {"org.systemd.property.CollectMode", "'inactive-or-failed'"}};
  systemd::ScopeRequest req{"ocistart container abc", "machine.slice", 4242, CgroupVersion::v1, &r, &ann};
  auto props = systemd::scope_properties(req);
  REQUIRE(props.ok());
  CHECK(*find(*props, "Description") == PropertyValue(std::string("ocistart container abc")));
  CHECK(*find(*props, "Slice") == PropertyValue(std::string("machine.slice")));
  CHECK(*find(*props, "Delegate") == PropertyValue(true));
  CHECK(*find(*props, "DefaultDependencies") == PropertyValue(false));
  CHECK(*find(*props, "PIDs") == PropertyValue(std::vector<uint32_t>{4242}));
  CHECK(*find(*props, "TasksAccounting") == PropertyValue(true));
  // v1 without blockIO settings: no BlockIOAccounting (systemd would realize the blkio
  // hierarchy for the whole tree, and prune it again when the scope goes).
  CHECK(find(*props, "BlockIOAccounting") == nullptr);
  r.block_io.emplace();
  r.block_io->weight = 500;
  auto with_io = systemd::scope_properties(req);
  REQUIRE(with_io.ok());
  CHECK(*find(*with_io, "BlockIOAccounting") == PropertyValue(true));
  req.version = CgroupVersion::v2;
  r.block_io.reset();
  auto v2 = systemd::scope_properties(req);
  REQUIRE(v2.ok());
  CHECK(*find(*v2, "IOAccounting") == PropertyValue(true));  // cheap on v2: always
  CHECK(*find(*props, "TasksMax") == PropertyValue(uint64_t{50}));
  int tasks = 0;
  for (const auto& p : *props)
    tasks += p.name == "TasksMax";
  CHECK(tasks == 1);
  CHECK(*find(*props, "CollectMode") == PropertyValue(std::string("inactive-or-failed")));
  systemd::drop_property(*props, "CollectMode");
  CHECK(find(*props, "CollectMode") == nullptr);
}

TEST_CASE("zeros are unset for systemd too: no property, as no cgroup file is written") {
  spec::Resources r;
  r.memory = spec::Memory{};
  r.memory->limit = 0;
  r.memory->reservation = 0;
  r.memory->swap = 0;
  r.cpu = spec::Cpu{};
  r.cpu->shares = 0;
  r.cpu->quota = 0;
  r.cpu->period = 0;
  r.pids = spec::Pids{0};
  r.block_io = spec::BlockIo{};
  r.block_io->weight = 0;
  r.block_io->weight_device = {{8, 0, 0, 0}};
  for (CgroupVersion v : {CgroupVersion::v1, CgroupVersion::v2}) {
    auto props = systemd::resource_properties(r, v);
    REQUIRE(props.ok());
    CHECK(props->empty());
  }
}

TEST_CASE("-1 is systemd's infinity for every limit that takes it") {
  constexpr uint64_t kInf = std::numeric_limits<uint64_t>::max();
  spec::Resources r;
  r.memory = spec::Memory{};
  r.memory->limit = -1;
  r.memory->reservation = -1;
  r.cpu = spec::Cpu{};
  r.cpu->quota = -1;
  r.pids = spec::Pids{-2};  // any negative: pids.max is "max" too
  auto v1 = systemd::resource_properties(r, CgroupVersion::v1);
  REQUIRE(v1.ok());
  CHECK(*find(*v1, "MemoryLimit") == PropertyValue(kInf));
  CHECK(*find(*v1, "CPUQuotaPerSecUSec") == PropertyValue(kInf));
  CHECK(*find(*v1, "TasksMax") == PropertyValue(kInf));
  auto v2 = systemd::resource_properties(r, CgroupVersion::v2);
  REQUIRE(v2.ok());
  CHECK(*find(*v2, "MemoryMax") == PropertyValue(kInf));
  CHECK(*find(*v2, "MemoryLow") == PropertyValue(kInf));
  CHECK(*find(*v2, "MemorySwapMax") == PropertyValue(kInf));  // unlimited memory lifts swap too
  r.pids = spec::Pids{1};
  CHECK(*find(*systemd::resource_properties(r, CgroupVersion::v2), "TasksMax") == PropertyValue(uint64_t{1}));
}

TEST_CASE("a weightDevice entry with weight 0 sends only what is set") {
  spec::Resources r;
  r.block_io = spec::BlockIo{};
  r.block_io->weight_device = {{8, 0, 0, 500}, {8, 16, 300, 0}};
  auto props = systemd::resource_properties(r, CgroupVersion::v1);
  REQUIRE(props.ok());
  CHECK(*find(*props, "BlockIODeviceWeight") ==
        PropertyValue(std::vector<std::pair<std::string, uint64_t>>{{"/dev/block/8:16", 300}}));
}

TEST_CASE("a major-only device rule is allowed by its /proc/devices group, as systemd names it") {
  const char* proc_devices = "Character devices:\n  1 mem\n  5 /dev/tty\n136 pts\n\nBlock devices:\n  7 loop\n  8 sd\n";
  CHECK(systemd::device_group(proc_devices, 'c', 136) == "char-pts");
  CHECK(systemd::device_group(proc_devices, 'c', 1) == "char-mem");
  CHECK(systemd::device_group(proc_devices, 'b', 8) == "block-sd");
  CHECK(systemd::device_group(proc_devices, 'b', 136) == std::nullopt);
  CHECK(systemd::device_group(proc_devices, 'c', 8) == std::nullopt);
  CHECK(systemd::device_group("", 'c', 136) == std::nullopt);

  // The real /proc/devices of any Linux host has pts (136) among its char devices.
  spec::Resources r;
  r.devices = {{false, "a", {}, {}, "rwm"}, {true, "c", 136, {}, "rwm"}, {true, "c", {}, {}, "m"}};
  auto props = systemd::resource_properties(r, CgroupVersion::v1);
  REQUIRE(props.ok());
  CHECK(*find(*props, "DeviceAllow") ==
        PropertyValue(std::vector<std::pair<std::string, std::string>>{{"char-pts", "rwm"}, {"char-*", "m"}}));
}

TEST_CASE("TasksMax, CPUWeight and MemoryMax say what pids.max, cpu.weight and memory.max say") {
  // Both drivers take these values from spec/resource_values.h; "max" is systemd's infinity.
  auto as_file = [](const PropertyValue& v) {
    uint64_t n = std::get<uint64_t>(v);
    return n == std::numeric_limits<uint64_t>::max() ? std::string("max") : std::to_string(n);
  };
  for (int64_t n : {int64_t{-2}, int64_t{-1}, int64_t{1}, int64_t{32}, int64_t{1} << 30}) {
    CAPTURE(n);
    spec::Resources r;
    r.pids = spec::Pids{n};
    r.memory = spec::Memory{};
    r.memory->limit = n;
    r.cpu = spec::Cpu{};
    r.cpu->shares = static_cast<uint64_t>(n < 0 ? 2 : n);
    auto props = systemd::resource_properties(r, CgroupVersion::v2);
    REQUIRE(props.ok());
    auto plan = cgroups::plan_v2(r);
    REQUIRE(plan.ok());
    auto file = [&](const std::string& name) {
      for (const cgroups::Write& w : plan->writes)
        if (w.file == name)
          return w.value;
      return std::string("(none)");
    };
    CHECK(as_file(*find(*props, "TasksMax")) == file("pids.max"));
    CHECK(as_file(*find(*props, "MemoryMax")) == file("memory.max"));
    CHECK(as_file(*find(*props, "CPUWeight")) == file("cpu.weight"));
  }
}
