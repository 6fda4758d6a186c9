// cgroups/resources: the OCI -> cgroup file translation, for v1 and v2, exactly.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cgroups/resources.h"

using namespace ocistart;
using namespace ocistart::cgroups;

namespace {

// (controller, file, value) triples of a plan, in order.
using Triple = std::tuple<std::string, std::string, std::string>;

std::vector<Triple> triples(const Plan& plan) {
  std::vector<Triple> out;
  for (const Write& w : plan.writes)
    out.emplace_back(w.controller, w.file, w.value);
  return out;
}

const Write* find(const Plan& plan, const std::string& file) {
  for (const Write& w : plan.writes)
    if (w.file == file)
      return &w;
  return nullptr;
}

std::vector<std::string> values(const Plan& plan, const std::string& file) {
  std::vector<std::string> out;
  for (const Write& w : plan.writes)
    if (w.file == file)
      out.push_back(w.value);
  return out;
}

Plan v1(const spec::Resources& r) {
  auto p = plan_v1(r);
  REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
  return std::move(*p);
}

Plan v2(const spec::Resources& r) {
  auto p = plan_v2(r);
  REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
  return std::move(*p);
}

constexpr int64_t kG = 1024 * 1024 * 1024;

}  // namespace

TEST_CASE("cgroup conversions: device lines") {
  spec::DeviceCgroupRule rule;
  CHECK(*device_rule_line(rule) == "a");
  rule.type = "c";
  rule.major = 1;
  rule.minor = 3;
  rule.access = "rwm";
  CHECK(*device_rule_line(rule) == "c 1:3 rwm");
  rule.minor.reset();
  rule.access = "";
  CHECK(*device_rule_line(rule) == "c 1:* rwm");
  rule.major.reset();
  rule.access = "m";
  CHECK(*device_rule_line(rule) == "c *:* m");
  rule.type = "x";
  CHECK_FALSE(device_rule_line(rule).ok());
  rule.type = "b";
  rule.access = "rwx";
  CHECK_FALSE(device_rule_line(rule).ok());
}

TEST_CASE("cgroup conversions: the files keep the exact quota, as runc writes it (systemd rounds it)") {
  // The rounding itself: test_resource_values.cc.
  spec::Resources r;
  r.cpu.emplace();
  r.cpu->quota = 12345;
  r.cpu->period = 100000;
  CHECK(values(v2(r), "cpu.max") == std::vector<std::string>{"12345 100000"});
  CHECK(values(v1(r), "cpu.cfs_quota_us") == std::vector<std::string>{"12345"});
}

TEST_CASE("cgroup plan: empty resources write nothing") {
  spec::Resources r;
  CHECK(v1(r).writes.empty());
  CHECK(v2(r).writes.empty());
  CHECK_FALSE(v2(r).device_rules.has_value());
}

TEST_CASE("cgroup plan v1: memory") {
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = kG;
  r.memory->swap = 2 * kG;
  r.memory->reservation = kG / 2;
  r.memory->kernel = 4096 * 1024;
  r.memory->kernel_tcp = 1024 * 1024;
  r.memory->swappiness = 60;
  r.memory->use_hierarchy = true;
  r.memory->disable_oom_killer = true;
  Plan p = v1(r);
  CHECK(triples(p) == std::vector<Triple>{
                          {"memory", "memory.limit_in_bytes", "1073741824"},
                          {"memory", "memory.memsw.limit_in_bytes", "2147483648"},
                          {"memory", "memory.soft_limit_in_bytes", "536870912"},
                          {"memory", "memory.kmem.limit_in_bytes", "4194304"},
                          {"memory", "memory.kmem.tcp.limit_in_bytes", "1048576"},
                          {"memory", "memory.swappiness", "60"},
                          {"memory", "memory.oom_control", "1"},
                      });
  // Raising the limit above the current memsw fails (EINVAL) until memsw is raised.
  CHECK(find(p, "memory.limit_in_bytes")->retry_after_next);
  CHECK_FALSE(find(p, "memory.memsw.limit_in_bytes")->optional);
  CHECK(find(p, "memory.kmem.limit_in_bytes")->optional);
  CHECK(p.warnings.empty());

  SUBCASE("unlimited memory lifts memsw too, best effort") {
    spec::Resources u;
    u.memory.emplace();
    u.memory->limit = -1;
    Plan q = v1(u);
    CHECK(triples(q) == std::vector<Triple>{{"memory", "memory.limit_in_bytes", "-1"},
                                            {"memory", "memory.memsw.limit_in_bytes", "-1"}});
    CHECK(q.writes[1].optional);
  }
  SUBCASE("zero sizes mean unset") {
    spec::Resources z;
    z.memory.emplace();
    z.memory->limit = 0;
    z.memory->swap = 0;
    CHECK(v1(z).writes.empty());
  }
  SUBCASE("swappiness above 100 is refused") {
    r.memory->swappiness = 101;
    auto bad = plan_v1(r);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("swappiness") != std::string::npos);
  }
}

TEST_CASE("cgroup plan v1: cpu and cpuset") {
  spec::Resources r;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->burst = 10000;
  r.cpu->realtime_runtime = 950000;
  r.cpu->realtime_period = 1000000;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  r.cpu->idle = 0;
  Plan p = v1(r);
  CHECK(triples(p) == std::vector<Triple>{
                          {"cpuset", "cpuset.cpus", "0-1"},
                          {"cpuset", "cpuset.mems", "0"},
                          {"cpu", "cpu.shares", "512"},
                          {"cpu", "cpu.cfs_period_us", "100000"},
                          {"cpu", "cpu.cfs_burst_us", "10000"},
                          {"cpu", "cpu.cfs_quota_us", "50000"},
                          {"cpu", "cpu.idle", "0"},
                          {"cpu", "cpu.rt_period_us", "1000000"},
                          {"cpu", "cpu.rt_runtime_us", "950000"},
                      });
  CHECK(find(p, "cpu.cfs_period_us")->retry_after_next);
  CHECK(find(p, "cpu.cfs_burst_us")->retry_after_next);
  CHECK(find(p, "cpu.cfs_burst_us")->optional);
  CHECK(find(p, "cpu.rt_period_us")->retry_after_next);
  CHECK_FALSE(find(p, "cpu.cfs_quota_us")->retry_after_next);

  SUBCASE("period alone is not deferred") {
    spec::Resources q;
    q.cpu.emplace();
    q.cpu->period = 50000;
    Plan only = v1(q);
    REQUIRE(only.writes.size() == 1);
    CHECK_FALSE(only.writes[0].retry_after_next);
  }
}

TEST_CASE("cgroup plan v1: pids") {
  spec::Resources r;
  r.pids.emplace();
  r.pids->limit = 32;
  CHECK(triples(v1(r)) == std::vector<Triple>{{"pids", "pids.max", "32"}});
  r.pids->limit = 0;  // unset, as runc 1.1 and Docker read it
  CHECK(v1(r).writes.empty());
  r.pids->limit = -1;
  CHECK(values(v1(r), "pids.max") == std::vector<std::string>{"max"});
  r.pids->limit.reset();
  CHECK(v1(r).writes.empty());
}

TEST_CASE("cgroup plan v1: block io") {
  spec::Resources r;
  r.block_io.emplace();
  r.block_io->weight = 500;
  r.block_io->leaf_weight = 300;
  r.block_io->weight_device.push_back({8, 0, 600, 200});
  r.block_io->throttle_read_bps_device.push_back({8, 0, 1048576});
  r.block_io->throttle_write_bps_device.push_back({8, 16, 2048});
  r.block_io->throttle_read_iops_device.push_back({8, 0, 100});
  r.block_io->throttle_write_iops_device.push_back({8, 0, 50});
  Plan p = v1(r);
  CHECK(triples(p) == std::vector<Triple>{
                          {"blkio", "blkio.weight", "500"},
                          {"blkio", "blkio.leaf_weight", "300"},
                          {"blkio", "blkio.weight_device", "8:0 600"},
                          {"blkio", "blkio.leaf_weight_device", "8:0 200"},
                          {"blkio", "blkio.throttle.read_bps_device", "8:0 1048576"},
                          {"blkio", "blkio.throttle.write_bps_device", "8:16 2048"},
                          {"blkio", "blkio.throttle.read_iops_device", "8:0 100"},
                          {"blkio", "blkio.throttle.write_iops_device", "8:0 50"},
                      });
  CHECK(find(p, "blkio.weight")->fallback_file == "blkio.bfq.weight");
  CHECK(find(p, "blkio.weight")->fallback_value == "500");
  CHECK(find(p, "blkio.weight_device")->fallback_file == "blkio.bfq.weight_device");
}

TEST_CASE("cgroup plan v1: hugepages, network, rdma") {
  spec::Resources r;
  r.hugepage_limits.push_back({"2MB", 209715200});
  r.network.emplace();
  r.network->class_id = 1048577;
  r.network->priorities.push_back({"eth0", 500});
  r.rdma["mlx4_0"] = spec::Rdma{2, 2000};
  r.rdma["rxe3"] = spec::Rdma{std::nullopt, 10000};
  Plan p = v1(r);
  CHECK(triples(p) == std::vector<Triple>{
                          {"hugetlb", "hugetlb.2MB.limit_in_bytes", "209715200"},
                          {"hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes", "209715200"},
                          {"net_cls", "net_cls.classid", "1048577"},
                          {"net_prio", "net_prio.ifpriomap", "eth0 500"},
                          {"rdma", "rdma.max", "mlx4_0 hca_handle=2 hca_object=2000"},
                          {"rdma", "rdma.max", "rxe3 hca_object=10000"},
                      });
  CHECK_FALSE(find(p, "hugetlb.2MB.limit_in_bytes")->optional);
  CHECK(find(p, "hugetlb.2MB.rsvd.limit_in_bytes")->optional);

  r.hugepage_limits[0].page_size = "2XB";
  CHECK_FALSE(plan_v1(r).ok());
  r.hugepage_limits[0].page_size = "../2MB";
  CHECK_FALSE(plan_v1(r).ok());
  CHECK_FALSE(plan_v2(r).ok());
}

TEST_CASE("cgroup plan v1: devices start from deny-all, rules in order") {
  spec::Resources r;
  r.devices.push_back({false, "", std::nullopt, std::nullopt, "rwm"});
  r.devices.push_back({true, "c", 1, 3, "rwm"});
  r.devices.push_back({true, "c", 136, std::nullopt, "rw"});
  r.devices.push_back({false, "b", 8, 0, "w"});
  CHECK(triples(v1(r)) == std::vector<Triple>{
                              {"devices", "devices.deny", "a"},
                              {"devices", "devices.deny", "a"},
                              {"devices", "devices.allow", "c 1:3 rwm"},
                              {"devices", "devices.allow", "c 136:* rw"},
                              {"devices", "devices.deny", "b 8:0 w"},
                          });
  r.devices.push_back({true, "q", 1, 1, "r"});
  CHECK_FALSE(plan_v1(r).ok());
}

TEST_CASE("cgroup plan v1: unified resources need cgroup v2") {
  spec::Resources r;
  r.unified["memory.high"] = "1G";
  auto p = plan_v1(r);
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message == "unified resources need cgroup v2");
}

TEST_CASE("cgroup plan v2: memory") {
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = kG;
  r.memory->swap = 2 * kG;
  r.memory->reservation = kG / 2;
  Plan p = v2(r);
  CHECK(triples(p) == std::vector<Triple>{
                          {"memory", "memory.swap.max", "1073741824"},
                          {"memory", "memory.max", "1073741824"},
                          {"memory", "memory.low", "536870912"},
                      });
  CHECK(p.warnings.empty());

  SUBCASE("swap equal to the limit disables swap") {
    r.memory->swap = kG;
    Plan q = v2(r);
    CHECK(values(q, "memory.swap.max") == std::vector<std::string>{"0"});
    CHECK(find(q, "memory.swap.max")->optional);
  }
  SUBCASE("-1 is max") {
    r.memory->limit = -1;
    r.memory->swap = -1;
    r.memory->reservation = -1;
    CHECK(triples(v2(r)) == std::vector<Triple>{
                                {"memory", "memory.swap.max", "max"},
                                {"memory", "memory.max", "max"},
                                {"memory", "memory.low", "max"},
                            });
  }
  SUBCASE("swap without a limit or below it is refused") {
    r.memory->limit.reset();
    CHECK_FALSE(plan_v2(r).ok());
    r.memory->limit = 4 * kG;
    CHECK_FALSE(plan_v2(r).ok());
  }
  SUBCASE("v1-only settings are warnings") {
    spec::Resources w;
    w.memory.emplace();
    w.memory->kernel = 1;
    w.memory->kernel_tcp = 1;
    w.memory->swappiness = 10;
    w.memory->use_hierarchy = false;
    w.memory->disable_oom_killer = true;
    Plan q = v2(w);
    CHECK(q.writes.empty());
    CHECK(q.warnings.size() == 5);
    CHECK(q.warnings[0] == "memory.kernel is not supported on cgroup v2, ignored");
  }
}

TEST_CASE("cgroup plan v2: cpu") {
  spec::Resources r;
  r.cpu.emplace();
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  r.cpu->idle = 1;
  CHECK(triples(v2(r)) == std::vector<Triple>{
                              {"cpu", "cpu.idle", "1"},
                              {"cpu", "cpu.weight", "100"},
                              {"cpu", "cpu.max", "50000 100000"},
                              {"cpuset", "cpuset.cpus", "0-1"},
                              {"cpuset", "cpuset.mems", "0"},
                          });
  SUBCASE("weights at the ends of the range") {
    r.cpu->shares = 2;
    CHECK(values(v2(r), "cpu.weight") == std::vector<std::string>{"1"});
    r.cpu->shares = 262144;
    CHECK(values(v2(r), "cpu.weight") == std::vector<std::string>{"10000"});
    r.cpu->shares = 0;
    CHECK(values(v2(r), "cpu.weight").empty());
  }
  SUBCASE("cpu.max forms") {
    spec::Resources q;
    q.cpu.emplace();
    q.cpu->quota = 25000;
    CHECK(values(v2(q), "cpu.max") == std::vector<std::string>{"25000 100000"});
    q.cpu->quota = -1;
    CHECK(values(v2(q), "cpu.max") == std::vector<std::string>{"max 100000"});
    q.cpu->quota.reset();
    q.cpu->period = 200000;
    CHECK(values(v2(q), "cpu.max") == std::vector<std::string>{"max 200000"});
  }
  SUBCASE("burst is retried after cpu.max") {
    spec::Resources q;
    q.cpu.emplace();
    q.cpu->burst = 20000;
    q.cpu->quota = 50000;
    Plan b = v2(q);
    CHECK(triples(b) == std::vector<Triple>{{"cpu", "cpu.max.burst", "20000"}, {"cpu", "cpu.max", "50000 100000"}});
    CHECK(b.writes[0].retry_after_next);
  }
  SUBCASE("realtime is a warning") {
    spec::Resources q;
    q.cpu.emplace();
    q.cpu->realtime_runtime = 1000;
    Plan rt = v2(q);
    CHECK(rt.writes.empty());
    CHECK(rt.warnings.size() == 1);
  }
}

TEST_CASE("cgroup plan v2: pids, hugetlb, rdma") {
  spec::Resources r;
  r.pids.emplace();
  r.pids->limit = 32;
  r.hugepage_limits.push_back({"1GB", kG});
  r.rdma["mlx4_0"] = spec::Rdma{2, 2000};
  Plan p = v2(r);
  CHECK(triples(p) == std::vector<Triple>{
                          {"pids", "pids.max", "32"},
                          {"hugetlb", "hugetlb.1GB.max", "1073741824"},
                          {"hugetlb", "hugetlb.1GB.rsvd.max", "1073741824"},
                          {"rdma", "rdma.max", "mlx4_0 hca_handle=2 hca_object=2000"},
                      });
}

TEST_CASE("cgroup plan v2: io") {
  spec::Resources r;
  r.block_io.emplace();
  r.block_io->weight = 500;
  r.block_io->weight_device.push_back({8, 0, 100, std::nullopt});
  r.block_io->throttle_read_bps_device.push_back({8, 0, 100});
  r.block_io->throttle_write_bps_device.push_back({8, 0, 200});
  r.block_io->throttle_read_iops_device.push_back({8, 16, 10});
  r.block_io->throttle_write_iops_device.push_back({8, 0, 5});
  Plan p = v2(r);
  CHECK(triples(p) == std::vector<Triple>{
                          {"io", "io.bfq.weight", "500"},
                          {"io", "io.bfq.weight", "8:0 100"},
                          {"io", "io.max", "8:0 rbps=100 wbps=200 wiops=5"},
                          {"io", "io.max", "8:16 riops=10"},
                      });
  CHECK(p.writes[0].fallback_file == "io.weight");
  CHECK(p.writes[0].fallback_value == "4950");
  CHECK(p.writes[1].fallback_value == "8:0 910");
  r.block_io->leaf_weight = 10;
  CHECK(v2(r).warnings.size() == 1);
}

TEST_CASE("cgroup plan v2: unified keys are written as-is, one line a write") {
  spec::Resources r;
  r.unified["memory.high"] = "1073741824";
  r.unified["io.max"] = "259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120\n";
  r.unified["cgroup.freeze"] = "0";
  Plan p = v2(r);
  CHECK(triples(p) == std::vector<Triple>{
                          {"", "cgroup.freeze", "0"},
                          {"io", "io.max", "259:0 rbps=2097152 wiops=120"},
                          {"io", "io.max", "253:0 rbps=2097152 wiops=120"},
                          {"memory", "memory.high", "1073741824"},
                      });
  SUBCASE("after the translated values, so they win") {
    spec::Resources both;
    both.pids.emplace();
    both.pids->limit = 10;
    both.unified["pids.max"] = "20";
    CHECK(values(v2(both), "pids.max") == std::vector<std::string>{"10", "20"});
  }
  for (const char* bad : {"../memory.max", "memory/max", "", "nodot", ".max", ".."}) {
    CAPTURE(bad);
    spec::Resources b;
    b.unified[bad] = "1";
    CHECK_FALSE(plan_v2(b).ok());
  }
}

TEST_CASE("cgroup plan v2: devices become an eBPF program, network a warning") {
  spec::Resources r;
  r.devices.push_back({false, "", std::nullopt, std::nullopt, "rwm"});
  r.devices.push_back({true, "c", 1, 3, "rwm"});
  r.network.emplace();
  r.network->class_id = 1;
  Plan p = v2(r);
  CHECK(p.writes.empty());
  REQUIRE(p.device_rules.has_value());
  CHECK(p.device_rules->size() == 2);
  CHECK(p.warnings.size() == 1);
  r.devices.push_back({true, "c", 1, 3, "z"});
  CHECK_FALSE(plan_v2(r).ok());
}

TEST_CASE("cgroup checkBeforeUpdate refuses limits at or below the usage") {
  spec::Memory m;
  m.limit = 1000;
  CHECK(check_memory_update(m, 5000).ok());  // not asked for
  m.check_before_update = true;
  CHECK(check_memory_update(m, 500).ok());
  auto st = check_memory_update(m, 1000);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "memory limit `1000` is not above the usage `1000`");
  m.limit = -1;
  CHECK(check_memory_update(m, 1000000).ok());
  m.swap = 2000;
  CHECK_FALSE(check_memory_update(m, 3000).ok());
}
