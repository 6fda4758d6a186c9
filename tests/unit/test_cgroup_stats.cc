// cgroups/stats: the parsers of cgroup statistics files, read_stats() on a fake v1 and a
// fake v2 tree, and the runc-shaped events JSON (runtime/events).
#include <doctest/doctest.h>
#include <simdjson.h>
#include <unistd.h>

#include <limits>
#include <string>

#include "cgroups/stats.h"
#include "runtime/events.h"
#include "tests/fakes/fake_cgroup_tree.h"

using namespace ocistart;
using namespace ocistart::cgroups;
using ocistart::testing::FakeCgroupTree;

namespace {

// `json` parses, and its "data" member holds `pointer` with `expected`.
void check_u64(const std::string& json, const char* pointer, uint64_t expected) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  uint64_t got = 0;
  REQUIRE_MESSAGE(doc.at_pointer(pointer).get(got) == simdjson::SUCCESS, pointer);
  CHECK_MESSAGE(got == expected, pointer);
}

}  // namespace

TEST_CASE("parse_flat_keyed reads key value lines and skips others") {
  auto m = parse_flat_keyed("cache 4096\nrss 8192\n\nbad line here\nword x\nlow 0\n");
  CHECK(m.size() == 3);
  CHECK(m["cache"] == 4096);
  CHECK(m["rss"] == 8192);
  CHECK(m["low"] == 0);
}

TEST_CASE("parse_u64_list reads cpuacct.usage_percpu") {
  CHECK(parse_u64_list("10 20 30 \n") == std::vector<uint64_t>{10, 20, 30});
  CHECK(parse_u64_list("").empty());
  CHECK(parse_u64_list("1 x 3") == std::vector<uint64_t>{1});
}

TEST_CASE("parse_cpuacct_usage_all splits user and kernel per cpu") {
  std::vector<uint64_t> user{7}, kernel{7};
  CHECK(parse_cpuacct_usage_all("cpu user system\n0 100 200\n1 300 400\n", user, kernel));
  CHECK(user == std::vector<uint64_t>{100, 300});
  CHECK(kernel == std::vector<uint64_t>{200, 400});
  std::vector<uint64_t> u2{7}, k2{7};
  CHECK_FALSE(parse_cpuacct_usage_all("0 1 2\n", u2, k2));
  CHECK_FALSE(parse_cpuacct_usage_all("cpu user system\n0 1\n", u2, k2));
  CHECK(u2 == std::vector<uint64_t>{7});  // untouched on failure
}

TEST_CASE("parse_limit: numbers, max, garbage") {
  CHECK(parse_limit("1048576\n", 0) == 1048576u);
  CHECK(parse_limit("max\n", 0) == 0u);
  CHECK(parse_limit("max", 99) == 99u);
  CHECK_FALSE(parse_limit("", 0).has_value());
  CHECK_FALSE(parse_limit("12ab", 0).has_value());
}

TEST_CASE("parse_blkio_v1 keeps device lines and drops Total") {
  auto e = parse_blkio_v1("8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n");
  REQUIRE(e.size() == 3);
  CHECK(e[0] == BlkioEntry{8, 0, "Read", 4096});
  CHECK(e[1] == BlkioEntry{8, 0, "Write", 512});
  CHECK(e[2] == BlkioEntry{8, 0, "Total", 4608});
}

TEST_CASE("parse_io_stat_v2 maps bytes and ios to Read/Write entries") {
  IoStatV2 io = parse_io_stat_v2(
      "8:0 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n"
      "253:1 rbytes=5 wbytes=6 rios=7 wios=8\n");
  CHECK(io.bytes ==
        std::vector<BlkioEntry>{{8, 0, "Read", 100}, {8, 0, "Write", 200}, {253, 1, "Read", 5}, {253, 1, "Write", 6}});
  CHECK(io.ios ==
        std::vector<BlkioEntry>{{8, 0, "Read", 3}, {8, 0, "Write", 4}, {253, 1, "Read", 7}, {253, 1, "Write", 8}});
}

TEST_CASE("read_stats on a fake v1 tree, and its JSON") {
  FakeCgroupTree tree = FakeCgroupTree::v1();
  for (const char* h : {"cpu,cpuacct", "memory", "pids", "blkio"})
    tree.mkdir(std::string(h) + "/ocistart/ev-1");
  tree.write("cpu,cpuacct/ocistart/ev-1/cpuacct.usage", "3000\n");
  tree.write("cpu,cpuacct/ocistart/ev-1/cpuacct.usage_percpu", "1000 2000 \n");
  tree.write("cpu,cpuacct/ocistart/ev-1/cpuacct.usage_all", "cpu user system\n0 600 400\n1 1500 500\n");
  tree.write("cpu,cpuacct/ocistart/ev-1/cpuacct.stat", "user 2\nsystem 1\n");
  tree.write("cpu,cpuacct/ocistart/ev-1/cpu.stat", "nr_periods 10\nnr_throttled 3\nthrottled_time 777\n");
  tree.write("memory/ocistart/ev-1/memory.limit_in_bytes", "33554432\n");
  tree.write("memory/ocistart/ev-1/memory.usage_in_bytes", "1048576\n");
  tree.write("memory/ocistart/ev-1/memory.max_usage_in_bytes", "2097152\n");
  tree.write("memory/ocistart/ev-1/memory.failcnt", "5\n");
  tree.write("memory/ocistart/ev-1/memory.memsw.limit_in_bytes", "67108864\n");
  tree.write("memory/ocistart/ev-1/memory.stat", "cache 4096\nrss 8192\n");
  tree.write("memory/ocistart/ev-1/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  tree.write("pids/ocistart/ev-1/pids.current", "3\n");
  tree.write("pids/ocistart/ev-1/pids.max", "max\n");
  tree.write("blkio/ocistart/ev-1/blkio.throttle.io_service_bytes", "8:0 Read 4096\n8:0 Write 0\nTotal 4096\n");

  util::Result<Stats> s = read_stats(tree.options("/ocistart/ev-1"));
  REQUIRE(s.ok());
  CHECK(s->cpu.total == 3000);
  CHECK(s->cpu.percpu == std::vector<uint64_t>{1000, 2000});
  CHECK(s->cpu.percpu_user == std::vector<uint64_t>{600, 1500});
  CHECK(s->cpu.percpu_kernel == std::vector<uint64_t>{400, 500});
  const uint64_t tick_ns = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
  CHECK(s->cpu.user == 2 * tick_ns);
  CHECK(s->cpu.kernel == tick_ns);
  CHECK(s->throttling.throttled_periods == 3);
  CHECK(s->memory.cache == 4096);
  CHECK(s->memory.usage.failcnt == 5);
  CHECK(s->memory.swap.limit == 67108864);
  CHECK(s->oom_kills == 2u);
  CHECK(s->pids.limit == 0);
  CHECK(s->io_service_bytes.size() == 2);
  CHECK((s->have_memory && s->have_memory_peak && s->have_cpu && s->have_pids && s->have_io));

  std::string json = runtime::stats_event_json("ev-1", *s);
  CHECK(json.starts_with(R"({"type":"stats","id":"ev-1","data":{"cpu":{"usage":{"total":3000,"percpu":[1000,2000],)"));
  CHECK(json.find(R"("throttling":{"periods":10,"throttledPeriods":3,"throttledTime":777})") != std::string::npos);
  CHECK(json.find(R"("usage":{"limit":33554432,"usage":1048576,"max":2097152,"failcnt":5})") != std::string::npos);
  CHECK(json.find(R"("pids":{"current":3})") != std::string::npos);  // no limit: left out, as runc
  CHECK(json.find(
            R"("blkio":{"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":4096},{"major":8,"op":"Write"}]})") !=
        std::string::npos);
  CHECK(json.find(R"("raw":{"cache":4096,"rss":8192})") != std::string::npos);
  CHECK(json.ends_with(R"("hugetlb":{},"intel_rdt":{},"network_interfaces":null}})"));
  check_u64(json, "/data/memory/swap/limit", 67108864);
}

TEST_CASE("read_stats on a fake v2 tree, and its JSON") {
  FakeCgroupTree tree = FakeCgroupTree::v2();
  tree.mkdir("ocistart/ev-1");
  const std::string d = "ocistart/ev-1/";
  tree.write(d + "cpu.stat",
             "usage_usec 50\nuser_usec 30\nsystem_usec 20\nnr_periods 4\nnr_throttled 1\nthrottled_usec 9\n");
  tree.write(d + "memory.current", "4096\n");
  tree.write(d + "memory.peak", "8192\n");
  tree.write(d + "memory.max", "8388608\n");
  tree.write(d + "memory.swap.current", "0\n");
  tree.write(d + "memory.swap.max", "max\n");
  tree.write(d + "memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
  tree.write(d + "memory.stat", "anon 4096\nfile 12288\n");
  tree.write(d + "pids.current", "2\n");
  tree.write(d + "pids.max", "64\n");
  tree.write(d + "io.stat", "8:0 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n");
  tree.write(d + "hugetlb.2MB.current", "2097152\n");
  tree.write(d + "hugetlb.2MB.events", "max 1\n");

  util::Result<Stats> s = read_stats(tree.options("/ocistart/ev-1"));
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  CHECK(s->cpu.total == 50000);
  CHECK(s->cpu.user == 30000);
  CHECK(s->throttling.throttled_time == 9000);
  CHECK(s->memory.cache == 12288);
  CHECK(s->memory.usage.failcnt == 7);
  CHECK(s->memory.swap.limit == std::numeric_limits<uint64_t>::max());
  CHECK(s->oom_kills == 1u);
  CHECK(s->pids.limit == 64);
  CHECK((s->have_memory && s->have_memory_peak && s->have_cpu && s->have_pids && s->have_io));

  std::string json = runtime::stats_event_json("ev-1", *s);
  check_u64(json, "/data/cpu/usage/total", 50000);
  check_u64(json, "/data/cpu/usage/kernel", 20000);
  check_u64(json, "/data/memory/usage/limit", 8388608);
  check_u64(json, "/data/memory/usage/max", 8192);
  check_u64(json, "/data/memory/raw/anon", 4096);
  check_u64(json, "/data/pids/current", 2);
  check_u64(json, "/data/pids/limit", 64);
  check_u64(json, "/data/blkio/ioServiceBytesRecursive/1/value", 200);
  check_u64(json, "/data/blkio/ioServicedRecursive/0/value", 3);
  check_u64(json, "/data/hugetlb/2MB/usage", 2097152);
  check_u64(json, "/data/hugetlb/2MB/failcnt", 1);
  CHECK(json.find(R"("percpu")") == std::string::npos);  // v2 has no per-cpu usage
}

TEST_CASE("read_stats: what the cgroup's files do not give is marked missing (show's [not set])") {
  FakeCgroupTree v2 = FakeCgroupTree::v2();
  v2.mkdir("ocistart/bare");
  v2.write("ocistart/bare/cgroup.procs", "");  // no controller files at all
  util::Result<Stats> s = read_stats(v2.options("/ocistart/bare"));
  REQUIRE(s.ok());
  CHECK_FALSE((s->have_memory || s->have_memory_peak || s->have_cpu || s->have_pids || s->have_io));

  FakeCgroupTree v1 = FakeCgroupTree::v1();
  v1.mkdir("memory/ocistart/bare");
  v1.write("memory/ocistart/bare/memory.usage_in_bytes", "4096\n");  // no max_usage, no pids/cpuacct/blkio
  util::Result<Stats> s1 = read_stats(v1.options("/ocistart/bare"));
  REQUIRE(s1.ok());
  CHECK(s1->have_memory);
  CHECK_FALSE((s1->have_memory_peak || s1->have_cpu || s1->have_pids || s1->have_io));
}

TEST_CASE("read_stats: a missing cgroup is ENOENT") {
  FakeCgroupTree v2 = FakeCgroupTree::v2();
  util::Result<Stats> s = read_stats(v2.options("/ocistart/none"));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ENOENT);
  FakeCgroupTree v1 = FakeCgroupTree::v1();
  util::Result<Stats> s1 = read_stats(v1.options("/ocistart/none"));
  REQUIRE_FALSE(s1.ok());
  CHECK(s1.error().code == ENOENT);
}

TEST_CASE("oom events: counter going up, or under_oom switching on without a counter") {
  Stats before, after;
  before.oom_kills = 1;
  after.oom_kills = 1;
  CHECK_FALSE(runtime::oom_happened(before, after));
  after.oom_kills = 2;
  CHECK(runtime::oom_happened(before, after));
  Stats old_kernel, old_kernel_now;
  old_kernel_now.under_oom = true;
  CHECK(runtime::oom_happened(old_kernel, old_kernel_now));
  CHECK_FALSE(runtime::oom_happened(old_kernel_now, old_kernel_now));
  CHECK(runtime::oom_event_json("ev-1") == R"({"type":"oom","id":"ev-1"})");
}
