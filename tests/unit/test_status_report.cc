// runtime/status_report: the `status` formatter and its helpers, the cgroup usage reader
// against a fake cgroup tree, and the command lines of real processes.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "runtime/status_report.h"
#include "tests/fakes/fake_cgroup_tree.h"

using namespace ocistart;
using runtime::StatusFacts;
using runtime::StatusStyle;
using testing::FakeCgroupTree;

namespace {

constexpr uint64_t kSec = 1000000;
constexpr time_t kCreated = 1710513000;  // 2024-03-15T14:30:00Z

// "Created:" as the formatter shows kCreated in the local time zone (whatever TZ is).
std::string created_local() {
  struct tm tm {};
  time_t t = kCreated;
  REQUIRE(::localtime_r(&t, &tm) != nullptr);
  char buf[96];
  size_t n = std::strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M:%S %Z", &tm);
  return std::string(buf, n);
}

StatusFacts running_facts() {
  StatusFacts f;
  f.id = "web";
  f.status = runtime::ContainerStatus::running;
  f.pid = 4242;
  f.bundle = "/srv/web";
  f.created = "2024-03-15T14:30:00.123456789Z";
  f.cgroup_driver = "systemd";
  f.unit = "ocistart-web.scope";
  f.cgroup_path = "/system.slice/ocistart-web.scope";
  f.usage.tasks = 2;
  f.usage.tasks_max = 50;
  f.usage.memory = 1572864;
  f.usage.memory_max = 64 * 1024 * 1024;
  f.processes = {{4242, "sh -c while true; do echo tick; sleep 0.2; done"}, {4250, "sleep 0.2"}};
  f.journal = {"Mar 15 14:30:01 web[4242]: tick\n", "Mar 15 14:30:02 web[4242]: tick\n"};
  return f;
}

}  // namespace

TEST_CASE("status report: a running container, systemctl-status style") {
  StatusStyle style;
  style.now_usec = 1710513000ULL * kSec + 185 * kSec + 500000;  // created + 3min 5.4s
  style.utf8 = true;
  CHECK(runtime::format_status(running_facts(), style) ==
        "\xe2\x97\x8f web - OCI container\n"
        "     Status: running\n"
        "        PID: 4242\n"
        "     Bundle: /srv/web\n"
        "    Created: " +
            created_local() +
            "; 3min 5s ago\n"
            "     Driver: systemd\n"
            "       Unit: ocistart-web.scope\n"
            "      Tasks: 2 (limit: 50)\n"
            "     Memory: 1.5M (max: 64.0M)\n"
            "     CGroup: /system.slice/ocistart-web.scope\n"
            "             \xe2\x94\x9c\xe2\x94\x80"
            "4242 sh -c while true; do echo tick; sleep 0.2; done\n"
            "             \xe2\x94\x94\xe2\x94\x80"
            "4250 sleep 0.2\n"
            "\n"
            "Mar 15 14:30:01 web[4242]: tick\n"
            "Mar 15 14:30:02 web[4242]: tick\n");
}

TEST_CASE("status report: ASCII without a UTF-8 locale") {
  StatusStyle style;
  style.now_usec = 1710513000ULL * kSec + 500000;
  style.utf8 = false;
  std::string out = runtime::format_status(running_facts(), style);
  CHECK(out.rfind("* web - OCI container\n", 0) == 0);
  CHECK(out.find("             |-4242 sh -c") != std::string::npos);
  CHECK(out.find("             `-4250 sleep 0.2\n") != std::string::npos);
  CHECK(out.find("; 0s ago") != std::string::npos);
}

TEST_CASE("status report: a stopped cgroupfs container shows only what it has") {
  StatusFacts f;
  f.id = "old";
  f.status = runtime::ContainerStatus::stopped;
  f.bundle = "/b";
  f.created = "not a time";
  f.cgroup_driver = "cgroupfs";
  f.cgroup_path = "/ocistart/old";
  f.journal_note = "journal: no journal files were found";
  StatusStyle style;
  style.utf8 = false;
  CHECK(runtime::format_status(f, style) ==
        "* old - OCI container\n"
        "     Status: stopped\n"
        "     Bundle: /b\n"
        "    Created: not a time\n"
        "     Driver: cgroupfs\n"
        "     CGroup: /ocistart/old\n"
        "\n"
        "journal: no journal files were found\n");
}

TEST_CASE("status report: tasks fall back to the processes listed; no limit, no max") {
  StatusFacts f = running_facts();
  f.usage = {};
  f.usage.memory = 512;
  std::string out = runtime::format_status(f, StatusStyle{});
  CHECK(out.find("      Tasks: 2\n") != std::string::npos);
  CHECK(out.find("     Memory: 512B\n") != std::string::npos);
}

TEST_CASE("status report: byte sizes and ages") {
  CHECK(runtime::format_bytes(0) == "0B");
  CHECK(runtime::format_bytes(1023) == "1023B");
  CHECK(runtime::format_bytes(1024) == "1.0K");
  CHECK(runtime::format_bytes(1536) == "1.5K");
  CHECK(runtime::format_bytes(64ULL << 20) == "64.0M");
  CHECK(runtime::format_bytes(3ULL << 30) == "3.0G");
  CHECK(runtime::format_age(0) == "0s");
  CHECK(runtime::format_age(59 * kSec + 999999) == "59s");
  CHECK(runtime::format_age(60 * kSec) == "1min");
  CHECK(runtime::format_age(185 * kSec) == "3min 5s");
  CHECK(runtime::format_age(7500 * kSec) == "2h 5min");
  CHECK(runtime::format_age(86400 * kSec) == "1 day");
  CHECK(runtime::format_age((2 * 86400 + 3 * 3600) * kSec) == "2 days 3h");
  CHECK(runtime::format_age(8 * 86400 * kSec) == "1 week 1 day");
  CHECK(runtime::format_age(21 * 86400 * kSec) == "3 weeks");
}

TEST_CASE("status report: RFC 3339 times") {
  CHECK(runtime::parse_rfc3339_usec("2024-03-15T14:30:00Z") == 1710513000ULL * kSec);
  CHECK(runtime::parse_rfc3339_usec("2024-03-15T14:30:00.123456789Z") == 1710513000ULL * kSec + 123456);
  CHECK(runtime::parse_rfc3339_usec("2024-03-15T14:30:00.5Z") == 1710513000ULL * kSec + 500000);
  CHECK(runtime::parse_rfc3339_usec("2024-03-15T16:30:00+02:00") == 1710513000ULL * kSec);
  CHECK(runtime::parse_rfc3339_usec("2024-03-15T12:00:00-02:30") == 1710513000ULL * kSec);
  for (const char* bad : {"", "2024-03-15", "2024-03-15T14:30:00", "2024-03-15T14:30:00.Z", "2024-13-15T14:30:00Z",
                          "2024-03-15T14:30:00Zjunk", "2024-03-15 14:30:00Z", "2024-03-15T14:30:00+0200"}) {
    INFO(bad);
    CHECK_FALSE(runtime::parse_rfc3339_usec(bad).has_value());
  }
}

TEST_CASE("status report: cgroup v1 usage from the pids and memory hierarchies") {
  FakeCgroupTree t = FakeCgroupTree::v1();
  t.mkdir("pids/ocistart/c");
  t.mkdir("memory/ocistart/c");
  t.write("pids/ocistart/c/pids.current", "3\n");
  t.write("pids/ocistart/c/pids.max", "max\n");
  t.write("memory/ocistart/c/memory.usage_in_bytes", "2097152\n");
  t.write("memory/ocistart/c/memory.limit_in_bytes", "9223372036854771712\n");  // v1's "no limit"
  runtime::CgroupUsage u = runtime::read_cgroup_usage(t.root(), cgroups::Layout::v1, "/ocistart/c");
  CHECK(u.tasks == std::optional<uint64_t>(3));
  CHECK_FALSE(u.tasks_max.has_value());
  CHECK(u.memory == std::optional<uint64_t>(2097152));
  CHECK_FALSE(u.memory_max.has_value());

  t.write("pids/ocistart/c/pids.max", "50\n");
  t.write("memory/ocistart/c/memory.limit_in_bytes", "67108864\n");
  u = runtime::read_cgroup_usage(t.root(), cgroups::Layout::v1, "ocistart/c");  // relative works too
  CHECK(u.tasks_max == std::optional<uint64_t>(50));
  CHECK(u.memory_max == std::optional<uint64_t>(67108864));

  u = runtime::read_cgroup_usage(t.root(), cgroups::Layout::v1, "/ocistart/missing");
  CHECK_FALSE(u.tasks.has_value());
  CHECK_FALSE(u.memory.has_value());
}

TEST_CASE("status report: hybrid takes what v1 lacks from the unified hierarchy") {
  FakeCgroupTree t = FakeCgroupTree::v1(/*hybrid=*/true);
  t.mkdir("unified/ocistart/c");
  t.write("unified/ocistart/c/pids.current", "4\n");
  t.write("unified/ocistart/c/memory.current", "8192\n");
  t.write("unified/ocistart/c/memory.max", "max\n");
  runtime::CgroupUsage u = runtime::read_cgroup_usage(t.root(), cgroups::Layout::hybrid, "/ocistart/c");
  CHECK(u.tasks == std::optional<uint64_t>(4));
  CHECK(u.memory == std::optional<uint64_t>(8192));
  CHECK_FALSE(u.memory_max.has_value());
}

TEST_CASE("status report: cgroup v2 usage") {
  FakeCgroupTree t = FakeCgroupTree::v2();
  t.mkdir("ocistart/c");
  for (const char* file : {"pids.current 1", "pids.max 10", "memory.current 4096", "memory.max 1048576"}) {
    std::string f(file);
    t.write("ocistart/c/" + f.substr(0, f.find(' ')), f.substr(f.find(' ') + 1) + "\n");
  }
  runtime::CgroupUsage u = runtime::read_cgroup_usage(t.root(), cgroups::Layout::v2, "/ocistart/c");
  CHECK(u.tasks == std::optional<uint64_t>(1));
  CHECK(u.tasks_max == std::optional<uint64_t>(10));
  CHECK(u.memory == std::optional<uint64_t>(4096));
  CHECK(u.memory_max == std::optional<uint64_t>(1048576));
}

TEST_CASE("status report: process command lines from /proc") {
  std::optional<std::string> self = runtime::process_command(static_cast<int>(::getpid()));
  REQUIRE(self.has_value());
  CHECK(self->find("unit_tests") != std::string::npos);

  // A child with a tab in an argument: shown as '?', arguments joined by spaces.
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::execl("/bin/sh", "sh", "-c", "sleep 10", "a\tb", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  REQUIRE(child > 0);
  std::optional<std::string> command;
  for (int i = 0; i < 200; ++i) {  // until it has exec'd
    command = runtime::process_command(child);
    if (command && command->rfind("sh ", 0) == 0)
      break;
    ::usleep(10000);
  }
  CHECK(command == std::optional<std::string>("sh -c sleep 10 a?b"));
  (void)::kill(child, SIGKILL);

  // Killed, not reaped yet: a zombie has no command line, so its name in brackets.
  for (int i = 0; i < 200; ++i) {
    command = runtime::process_command(child);
    if (command && command->front() == '[')
      break;
    ::usleep(10000);
  }
  CHECK(command == std::optional<std::string>("[sh]"));
  REQUIRE(::waitpid(child, nullptr, 0) == child);
  CHECK_FALSE(runtime::process_command(child).has_value());
}
