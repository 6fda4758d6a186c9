// update: flags and -r documents -> the spec::Resources to change (cli/options.h), and the
// completion of quota/period and swap/limit pairs from the cgroup (cgroups/resources.h).
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "cgroups/cgroupfs.h"
#include "cgroups/resources.h"
#include "cli/options.h"
#include "spec/effective_resources.h"
#include "tests/fakes/fake_cgroup_tree.h"

using namespace ocistart;
using ocistart::cli::UpdateOptions;
using ocistart::cli::UpdateRequest;

namespace {

constexpr int64_t kM = 1024 * 1024;

UpdateRequest from_flags(const UpdateOptions& o) {
  util::Result<UpdateRequest> r = cli::update_request_from_flags(o);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return std::move(*r);
}

std::string flags_error(const UpdateOptions& o) {
  util::Result<UpdateRequest> r = cli::update_request_from_flags(o);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

UpdateRequest from_document(std::string_view json) {
  util::Result<UpdateRequest> r = cli::update_request_from_document(json);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return std::move(*r);
}

std::string document_error(std::string_view json) {
  util::Result<UpdateRequest> r = cli::update_request_from_document(json);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

// A cgroup with the given files, for with_current_pairs().
cgroups::ReadCgroupFile files(std::map<std::string, std::string> contents) {
  return [contents](const std::string&, const std::string& file) -> util::Result<std::string> {
    auto it = contents.find(file);
    if (it == contents.end())
      return util::make_error("no `" + file + "`", ENOENT);
    return it->second;
  };
}

}  // namespace

TEST_CASE("update flags: nothing given changes nothing") {
  UpdateRequest r = from_flags({});
  CHECK_FALSE(r.resources.memory.has_value());
  CHECK_FALSE(r.resources.cpu.has_value());
  CHECK_FALSE(r.resources.pids.has_value());
  CHECK_FALSE(r.resources.block_io.has_value());
  CHECK(r.resources.devices.empty());
  CHECK(r.resources.unified.empty());
  CHECK(r.warnings.empty());
}

TEST_CASE("update flags: memory sizes with suffixes, -1 and swap") {
  UpdateOptions o;
  o.memory = cli::parse_memory_size("64m").value();
  o.memory_swap = cli::parse_memory_size("1.5G").value();
  o.memory_reservation = cli::parse_memory_size("32MiB").value();
  UpdateRequest r = from_flags(o);
  REQUIRE(r.resources.memory);
  CHECK(r.resources.memory->limit == 64 * kM);
  CHECK(r.resources.memory->swap == 1536 * kM);
  CHECK(r.resources.memory->reservation == 32 * kM);
  CHECK_FALSE(r.resources.memory->kernel.has_value());
  CHECK_FALSE(r.resources.cpu.has_value());

  SUBCASE("-1 is unlimited; swap stays unset (the drivers lift memsw with it)") {
    UpdateOptions u;
    u.memory = cli::parse_memory_size("-1").value();
    UpdateRequest unlimited = from_flags(u);
    CHECK(unlimited.resources.memory->limit == -1);
    CHECK_FALSE(unlimited.resources.memory->swap.has_value());
    u.memory_swap = -1;
    CHECK(from_flags(u).resources.memory->swap == -1);
  }
  SUBCASE("swap below the memory limit names --memory-swap") {
    o.memory_swap = 32 * kM;
    CHECK(flags_error(o) == "--memory-swap: memory+swap limit 33554432 is lower than the memory limit 67108864");
  }
  SUBCASE("kernel memory only warns") {
    o.kernel_memory = kM;
    o.kernel_memory_tcp = kM;
    UpdateRequest warned = from_flags(o);
    CHECK_FALSE(warned.resources.memory->kernel.has_value());
    CHECK_FALSE(warned.resources.memory->kernel_tcp.has_value());
    CHECK(warned.warnings ==
          std::vector<std::string>{"--kernel-memory is obsolete, ignored", "--kernel-memory-tcp is obsolete, ignored"});
  }
}

TEST_CASE("update flags: cpu, cpusets, pids, blkio") {
  UpdateOptions o;
  o.cpu_quota = 50000;
  o.cpu_period = 100000;
  o.cpu_shares = 512;
  o.cpu_burst = 1000;
  o.cpu_rt_period = 1000000;
  o.cpu_rt_runtime = 950000;
  o.cpu_idle = 1;
  o.cpuset_cpus = "0-1,3";
  o.cpuset_mems = "0";
  o.pids_limit = 20;
  o.blkio_weight = 300;
  UpdateRequest r = from_flags(o);
  REQUIRE(r.resources.cpu);
  const spec::Cpu& c = *r.resources.cpu;
  CHECK(c.quota == 50000);
  CHECK(c.period == 100000U);
  CHECK(c.shares == 512U);
  CHECK(c.burst == 1000U);
  CHECK(c.realtime_period == 1000000U);
  CHECK(c.realtime_runtime == 950000);
  CHECK(c.idle == 1);
  CHECK(c.cpus == "0-1,3");
  CHECK(c.mems == "0");
  REQUIRE(r.resources.pids);
  CHECK(r.resources.pids->limit == 20);
  REQUIRE(r.resources.block_io);
  CHECK(r.resources.block_io->weight == uint16_t{300});
  CHECK_FALSE(r.resources.memory.has_value());

  SUBCASE("only the quota: the period stays unset") {
    UpdateOptions q;
    q.cpu_quota = 20000;
    UpdateRequest only = from_flags(q);
    CHECK(only.resources.cpu->quota == 20000);
    CHECK_FALSE(only.resources.cpu->period.has_value());
    CHECK_FALSE(only.resources.cpu->shares.has_value());
  }
  SUBCASE("pids -1 is unlimited") {
    UpdateOptions p;
    p.pids_limit = -1;
    CHECK(from_flags(p).resources.pids->limit == -1);
  }
  SUBCASE("0 and empty strings are not given, as runc reads them") {
    UpdateOptions z;
    z.blkio_weight = 0;
    z.cpuset_cpus = "";
    z.cpuset_mems = "";
    UpdateRequest none = from_flags(z);
    CHECK_FALSE(spec::effective_resources(none.resources).block_io->weight.has_value());
    CHECK_FALSE(none.resources.cpu.has_value());
  }
  SUBCASE("bad values name the flag") {
    UpdateOptions bad;
    bad.cpuset_cpus = "0-";
    CHECK(flags_error(bad) == "--cpuset-cpus: \"0-\" is not a CPU list like \"0-3,7\"");
    bad = {};
    bad.cpuset_mems = "x";
    CHECK(flags_error(bad).starts_with("--cpuset-mems: "));
    bad = {};
    bad.cpu_idle = 2;
    CHECK(flags_error(bad) == "--cpu-idle: must be 0 or 1, got 2");
    bad = {};
    bad.blkio_weight = 5;
    CHECK(flags_error(bad) == "--blkio-weight: 5 is outside 10..1000");
    bad = {};
    bad.cpu_rt_period = 1000;
    bad.cpu_rt_runtime = 2000;
    CHECK(flags_error(bad).starts_with("--cpu-rt-runtime: "));
    bad = {};
    bad.cpu_quota = 1000;
    bad.cpu_burst = 2000;
    CHECK(flags_error(bad).starts_with("--cpu-burst: "));
  }
  SUBCASE("Intel RDT schemas are refused") {
    UpdateOptions rdt;
    rdt.l3_cache_schema = "L3:0=f";
    util::Result<UpdateRequest> refused = cli::update_request_from_flags(rdt);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ENOTSUP);
    CHECK(refused.error().message.starts_with("--l3-cache-schema: "));
    rdt = {};
    rdt.mem_bw_schema = "MB:0=70";
    CHECK(flags_error(rdt).starts_with("--mem-bw-schema: "));
    rdt.mem_bw_schema = "";
    CHECK(cli::update_request_from_flags(rdt).ok());
  }
}

TEST_CASE("update -r: the document's settings that update changes") {
  UpdateRequest r = from_document(R"({
    "memory": {"limit": 67108864, "swap": 134217728, "reservation": 0, "kernel": 0,
               "swappiness": 10, "disableOOMKiller": true, "checkBeforeUpdate": true},
    "cpu": {"shares": 0, "quota": 50000, "period": 100000, "cpus": "0", "mems": "", "idle": 0},
    "blockIO": {"weight": 0, "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}]},
    "pids": {"limit": 30},
    "devices": [{"allow": false, "access": "rwm"}],
    "hugepageLimits": [{"pageSize": "2MB", "limit": 0}],
    "network": {"classID": 1},
    "unified": {"memory.high": "100000000"}
  })");
  const spec::Resources& res = r.resources;
  REQUIRE(res.memory);
  CHECK(res.memory->limit == 64 * kM);
  CHECK(res.memory->swap == 128 * kM);
  CHECK(res.memory->reservation == 0);  // 0 is "unset" for the drivers
  CHECK(res.memory->check_before_update == true);
  CHECK_FALSE(res.memory->swappiness.has_value());
  CHECK_FALSE(res.memory->disable_oom_killer.has_value());
  REQUIRE(res.cpu);
  CHECK(res.cpu->quota == 50000);
  CHECK(res.cpu->period == 100000U);
  CHECK(res.cpu->cpus == "0");
  REQUIRE(res.block_io);
  CHECK_FALSE(spec::effective_resources(res).block_io->weight.has_value());  // runc's template of zeros
  REQUIRE(res.block_io->throttle_read_bps_device.size() == 1);
  CHECK(res.pids->limit == 30);
  CHECK(res.devices.empty());
  CHECK(res.hugepage_limits.empty());
  CHECK_FALSE(res.network.has_value());
  CHECK(res.unified.at("memory.high") == "100000000");
  CHECK(r.warnings.empty());

  SUBCASE("an empty document changes nothing") {
    UpdateRequest none = from_document("{}");
    CHECK_FALSE(none.resources.memory.has_value());
    CHECK_FALSE(none.resources.cpu.has_value());
    CHECK_FALSE(none.resources.pids.has_value());
  }
  SUBCASE("kernel memory warns") { CHECK(from_document(R"({"memory": {"kernel": 1048576}})").warnings.size() == 1); }
}

TEST_CASE("update -r: errors name the JSON pointer") {
  CHECK(document_error(R"({"memory": {"limit": "64m"}})") == "/memory/limit: expected an integer, got string");
  CHECK(document_error(R"({"cpu": {"shares": -1}})") == "/cpu/shares: expected an unsigned integer, got -1");
  CHECK(document_error(R"({"pids": {}})") == "/pids/limit: required member missing");
  CHECK(document_error(R"({"cpu": {"idle": 3}})") == "/cpu/idle: must be 0 or 1, got 3");
  CHECK(document_error(R"({"cpu": {"cpus": "a-b"}})").starts_with("/cpu/cpus: "));
  CHECK(document_error(R"({"blockIO": {"weight": 5}})") == "/blockIO/weight: 5 is outside 10..1000");
  CHECK(document_error(R"({"memory": {"limit": 200, "swap": 100}})").starts_with("/memory/swap: "));
  CHECK(document_error("[]") == "/: expected an object, got array");
  CHECK(document_error(R"({"memory": )").find("invalid JSON") != std::string::npos);
}

TEST_CASE("with_current_pairs: quota and period keep each other's value") {
  spec::Resources quota_only;
  quota_only.cpu.emplace().quota = 20000;

  SUBCASE("v2 reads cpu.max") {
    spec::Resources r = cgroups::with_current_pairs(quota_only, true, files({{"cpu.max", "max 250000\n"}}));
    CHECK(r.cpu->quota == 20000);
    CHECK(r.cpu->period == 250000U);
    spec::Resources period_only;
    period_only.cpu.emplace().period = 50000;
    r = cgroups::with_current_pairs(period_only, true, files({{"cpu.max", "30000 100000\n"}}));
    CHECK(r.cpu->quota == 30000);
    CHECK(r.cpu->period == 50000U);
    r = cgroups::with_current_pairs(period_only, true, files({{"cpu.max", "max 100000\n"}}));
    CHECK(r.cpu->quota == -1);
  }
  SUBCASE("v1 reads the cfs files") {
    spec::Resources r = cgroups::with_current_pairs(quota_only, false, files({{"cpu.cfs_period_us", "200000\n"}}));
    CHECK(r.cpu->period == 200000U);
    spec::Resources period_only;
    period_only.cpu.emplace().period = 50000;
    r = cgroups::with_current_pairs(period_only, false, files({{"cpu.cfs_quota_us", "-1\n"}}));
    CHECK(r.cpu->quota == -1);
  }
  SUBCASE("both given, neither given, or unreadable: unchanged") {
    spec::Resources both;
    both.cpu.emplace().quota = 1000;
    both.cpu->period = 10000;
    spec::Resources r = cgroups::with_current_pairs(both, true, files({{"cpu.max", "max 250000\n"}}));
    CHECK(r.cpu->period == 10000U);
    spec::Resources shares;
    shares.cpu.emplace().shares = 100;
    r = cgroups::with_current_pairs(shares, true, files({{"cpu.max", "5 250000\n"}}));
    CHECK_FALSE(r.cpu->quota.has_value());
    CHECK_FALSE(r.cpu->period.has_value());
    r = cgroups::with_current_pairs(quota_only, true, files({}));
    CHECK_FALSE(r.cpu->period.has_value());
    r = cgroups::with_current_pairs(quota_only, true, files({{"cpu.max", "garbage"}}));
    CHECK_FALSE(r.cpu->period.has_value());
  }
  SUBCASE("v2 swap without a limit takes memory.max") {
    spec::Resources swap;
    swap.memory.emplace().swap = 128 * kM;
    spec::Resources r = cgroups::with_current_pairs(swap, true, files({{"memory.max", "67108864\n"}}));
    CHECK(r.memory->limit == 64 * kM);
    r = cgroups::with_current_pairs(swap, false, files({{"memory.max", "67108864\n"}}));
    CHECK_FALSE(r.memory->limit.has_value());  // v1: memsw is a file of its own
  }
}

TEST_CASE("cgroupfs v2 update: a quota alone keeps the period in cpu.max") {
  auto tree = testing::FakeCgroupTree::v2();
  tree.mkdir("ocistart");
  tree.write("ocistart/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  tree.write("ocistart/cgroup.subtree_control", "cpu memory pids\n");
  auto made = cgroups::make_cgroupfs_driver(tree.options("/ocistart/u1"));
  REQUIRE(made.ok());
  std::unique_ptr<cgroups::Driver> d = std::move(*made);
  spec::Resources initial;
  initial.cpu.emplace().quota = 10000;
  initial.cpu->period = 250000;
  initial.memory.emplace().limit = 64 * kM;
  REQUIRE(d->create(4242, &initial).ok());
  REQUIRE(tree.read("ocistart/u1/cpu.max") == "10000 250000\n");

  spec::Resources u;
  u.cpu.emplace().quota = 50000;
  u.pids.emplace().limit = 20;
  REQUIRE(d->update(u).ok());
  CHECK(tree.read("ocistart/u1/cpu.max") == "10000 250000\n50000 250000\n");
  CHECK(tree.read("ocistart/u1/pids.max") == "20\n");
  CHECK(tree.read("ocistart/u1/memory.max") == "67108864\n");  // not given: not written

  spec::Resources p;
  p.cpu.emplace().period = 100000;
  REQUIRE(d->update(p).ok());
  CHECK(tree.read("ocistart/u1/cpu.max") == "10000 250000\n50000 250000\n50000 100000\n");

  spec::Resources swap;
  swap.memory.emplace().swap = 96 * kM;
  REQUIRE(d->update(swap).ok());
  CHECK(tree.read("ocistart/u1/memory.swap.max") == "33554432\n");
}
