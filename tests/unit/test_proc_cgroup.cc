// util/proc_cgroup.h: the one /proc/PID/cgroup parser.
#include <doctest/doctest.h>

#include "util/proc_cgroup.h"

using namespace ocistart::util;

TEST_CASE("/proc/PID/cgroup: v1 host") {
  std::vector<ProcCgroupEntry> e = parse_proc_cgroup(
      "12:cpu,cpuacct:/user.slice\n"
      "4:memory:/process_api/abc\n"
      "1:name=systemd:/system.slice/x.service\n");
  REQUIRE(e.size() == 3);
  CHECK(e[0] == ProcCgroupEntry{12, "cpu,cpuacct", "/user.slice"});
  CHECK(e[0].controller_list() == std::vector<std::string_view>{"cpu", "cpuacct"});
  CHECK(e[1].path == "/process_api/abc");
  CHECK(e[2].controllers == "name=systemd");
  CHECK_FALSE(e[2].unified());
}

TEST_CASE("/proc/PID/cgroup: v2 host") {
  std::vector<ProcCgroupEntry> e = parse_proc_cgroup("0::/machine.slice/libpod-x.scope\n");
  REQUIRE(e.size() == 1);
  CHECK(e[0].hierarchy_id == 0);
  CHECK(e[0].unified());
  CHECK(e[0].controller_list().empty());
  CHECK(e[0].path == "/machine.slice/libpod-x.scope");
}

TEST_CASE("/proc/PID/cgroup: hybrid host, colons in the path, malformed lines") {
  std::vector<ProcCgroupEntry> e = parse_proc_cgroup(
      "9:name=systemd:/system.slice/a.scope\n"
      "8:pids:/a:b\n"
      "garbage\n"
      "x:memory:/\n"
      ":memory:/\n"
      "7:only-one-colon\n"
      "0::/system.slice/a.scope");  // no final newline
  REQUIRE(e.size() == 3);
  CHECK(e[0].controllers == "name=systemd");
  CHECK(e[1].path == "/a:b");
  CHECK(e[2].unified());
  CHECK(e[2].path == "/system.slice/a.scope");
  CHECK(parse_proc_cgroup("").empty());
}
