// runtime/show (`ocistart show`: properties and their printing), runtime/machine_list
// (`list --format machinectl`: os-release parsing, the table, reading through the root),
// systemd/timespan's writer. No root needed.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "runtime/machine_list.h"
#include "runtime/show.h"
#include "spec/resource_values.h"
#include "systemd/timespan.h"
#include "temp_dir.h"

using namespace ocistart;
using runtime::Property;
using runtime::ShowFacts;
using runtime::ShowSelection;

namespace {

std::map<std::string, std::string> as_map(const std::vector<Property>& props) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : props)
    out[k] = v;
  return out;
}

ShowFacts running_facts() {
  ShowFacts f;
  f.id = "web";
  f.status = runtime::ContainerStatus::running;
  f.pid = 4242;
  f.bundle = "/srv/web";
  f.rootfs = "/srv/web/rootfs";
  f.created = "2024-03-15T14:30:00.123Z";
  f.owner = "root";
  f.cgroup_driver = "cgroupfs";
  f.cgroup_path = "/ocistart/web";
  f.resources = spec::Resources{};  // a config without linux.resources
  return f;
}

using ocistart::testing::TempDir;

}  // namespace

TEST_CASE("format_timespan_usec writes spans as systemd-analyze timespan (systemd 252) does") {
  CHECK(systemd::format_timespan_usec(500000) == "500ms");
  CHECK(systemd::format_timespan_usec(1500000) == "1.500000s");
  CHECK(systemd::format_timespan_usec(2000000) == "2s");
  CHECK(systemd::format_timespan_usec(90000000) == "1min 30s");
  CHECK(systemd::format_timespan_usec(90100000) == "1min 30.100000s");
  CHECK(systemd::format_timespan_usec(3600000000) == "1h");
  CHECK(systemd::format_timespan_usec(250) == "250us");
  CHECK(systemd::format_timespan_usec(1250000) == "1.250000s");
  CHECK(systemd::format_timespan_usec(0) == "0");
  CHECK(systemd::format_timespan_usec(UINT64_MAX) == "infinity");
}

TEST_CASE("show_properties: fixed order, identity first, then use, then limits") {
  std::vector<Property> props = runtime::show_properties(running_facts());
  std::vector<std::string> names;
  for (const auto& p : props)
    names.push_back(p.first);
  const std::vector<std::string> expected = {"Id",
                                             "Status",
                                             "Pid",
                                             "Bundle",
                                             "Rootfs",
                                             "Created",
                                             "Owner",
                                             "Unit",
                                             "Machine",
                                             "ControlGroup",
                                             "CgroupDriver",
                                             "MemoryCurrent",
                                             "MemoryPeak",
                                             "CPUUsageNSec",
                                             "TasksCurrent",
                                             "IOReadBytes",
                                             "IOWriteBytes",
                                             "MemoryMin",
                                             "MemoryLow",
                                             "MemoryHigh",
                                             "MemoryMax",
                                             "MemorySwapMax",
                                             "CPUWeight",
                                             "CPUShares",
                                             "CPUQuotaPerSecUSec",
                                             "CPUQuotaPeriodUSec",
                                             "AllowedCPUs",
                                             "AllowedMemoryNodes",
                                             "TasksMax",
                                             "IOWeight"};
  CHECK(names == expected);
}

TEST_CASE("show_properties: without the kept config the limits are unknown (empty), not infinity") {
  ShowFacts f = running_facts();
  f.resources.reset();
  auto m = as_map(runtime::show_properties(f));
  CHECK(m["MemoryMax"].empty());
  CHECK(m["TasksMax"].empty());
  CHECK(m["CPUWeight"].empty());
  CHECK(m["IOWeight"].empty());
  CHECK(m["Id"] == "web");
}

TEST_CASE("show_properties: no config limits and no counters read as systemctl writes them") {
  ShowFacts f = running_facts();
  f.cgroup_path = "ocistart/web";  // a relative path is shown from the root
  auto m = as_map(runtime::show_properties(f));
  CHECK(m["Status"] == "running");
  CHECK(m["Pid"] == "4242");
  CHECK(m["ControlGroup"] == "/ocistart/web");
  CHECK(m["Unit"].empty());
  CHECK(m["MemoryCurrent"] == "[not set]");
  CHECK(m["CPUUsageNSec"] == "[not set]");
  CHECK(m["TasksCurrent"] == "[not set]");
  CHECK(m["IOReadBytes"] == "[not set]");
  CHECK(m["MemoryMax"] == "infinity");
  CHECK(m["MemorySwapMax"] == "infinity");
  CHECK(m["MemoryHigh"] == "infinity");
  CHECK(m["MemoryLow"] == "0");
  CHECK(m["TasksMax"] == "infinity");
  CHECK(m["CPUWeight"] == "[not set]");
  CHECK(m["CPUShares"] == "[not set]");
  CHECK(m["CPUQuotaPerSecUSec"] == "infinity");
  CHECK(m["CPUQuotaPeriodUSec"] == "infinity");
  CHECK(m["IOWeight"] == "[not set]");
}

TEST_CASE("show_properties: limits of the config converted as the drivers convert them") {
  ShowFacts f = running_facts();
  spec::Resources r;
  r.memory = spec::Memory{};
  r.memory->limit = 64 << 20;
  r.memory->swap = 96 << 20;  // memory+swap: 32M of swap
  r.memory->reservation = 0;  // Docker's "unset"
  r.cpu = spec::Cpu{};
  r.cpu->shares = 1024;
  r.cpu->quota = 150000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0-1";
  r.pids = spec::Pids{20};
  r.block_io = spec::BlockIo{};
  r.block_io->weight = 500;
  f.resources = r;
  auto m = as_map(runtime::show_properties(f));
  CHECK(m["MemoryMax"] == "67108864");
  CHECK(m["MemorySwapMax"] == "33554432");
  CHECK(m["MemoryLow"] == "0");
  CHECK(m["CPUWeight"] == "100");
  CHECK(m["CPUShares"] == "1024");
  CHECK(m["CPUQuotaPerSecUSec"] == "1.500000s");
  CHECK(m["CPUQuotaPeriodUSec"] == "100ms");
  CHECK(m["AllowedCPUs"] == "0-1");
  CHECK(m["TasksMax"] == "20");
  CHECK(m["IOWeight"] == std::to_string(spec::blkio_weight_to_io_weight(500)));

  r.memory->limit = -1;
  r.pids = spec::Pids{-1};
  r.unified["memory.high"] = "1048576";
  f.resources = r;
  m = as_map(runtime::show_properties(f));
  CHECK(m["MemoryMax"] == "infinity");
  CHECK(m["TasksMax"] == "infinity");
  CHECK(m["MemoryHigh"] == "1048576");

  r.pids = spec::Pids{0};  // runc's "unset", never pids.max=0
  r.unified["pids.max"] = "max";
  f.resources = r;
  CHECK(as_map(runtime::show_properties(f))["TasksMax"] == "infinity");
}

TEST_CASE("show_properties: the cgroup's counters") {
  ShowFacts f = running_facts();
  cgroups::Stats s;
  s.have_memory = s.have_cpu = s.have_pids = s.have_io = true;
  s.memory.usage.usage = 1048576;
  s.memory.usage.max = 2097152;  // have_memory_peak false: not shown
  s.cpu.total = 123456789;
  s.pids.current = 3;
  s.io_service_bytes = {{8, 0, "Read", 100}, {8, 16, "Read", 20}, {8, 0, "Write", 7}};
  f.stats = s;
  auto m = as_map(runtime::show_properties(f));
  CHECK(m["MemoryCurrent"] == "1048576");
  CHECK(m["MemoryPeak"] == "[not set]");
  CHECK(m["CPUUsageNSec"] == "123456789");
  CHECK(m["TasksCurrent"] == "3");
  CHECK(m["IOReadBytes"] == "120");
  CHECK(m["IOWriteBytes"] == "7");
  s.have_memory_peak = true;
  f.stats = s;
  CHECK(as_map(runtime::show_properties(f))["MemoryPeak"] == "2097152");
}

TEST_CASE("format_show: systemctl show's -p, --value and --all") {
  const std::vector<Property> props = {{"Id", "web"}, {"Unit", ""}, {"Pid", "7"}, {"TasksMax", "infinity"}};
  CHECK(runtime::format_show(props, {}) == "Id=web\nPid=7\nTasksMax=infinity\n");  // empty ones skipped
  ShowSelection all;
  all.all = true;
  CHECK(runtime::format_show(props, all) == "Id=web\nUnit=\nPid=7\nTasksMax=infinity\n");

  ShowSelection sel;
  sel.names = {"TasksMax", "Id"};  // the properties' order, not -p's
  CHECK(runtime::format_show(props, sel) == "Id=web\nTasksMax=infinity\n");
  sel.names = {"TasksMax,Pid", "Pid"};  // "A,B", and a name twice prints once
  CHECK(runtime::format_show(props, sel) == "Pid=7\nTasksMax=infinity\n");
  sel.names = {"Unit"};  // asked for: shown even when empty
  CHECK(runtime::format_show(props, sel) == "Unit=\n");
  sel.names = {"NoSuchProperty"};
  CHECK(runtime::format_show(props, sel).empty());
  sel.names = {""};  // systemctl -p '': nothing
  CHECK(runtime::format_show(props, sel).empty());

  sel.names = {"Pid", "Id", "Unit"};
  sel.value_only = true;
  CHECK(runtime::format_show(props, sel) == "web\n\n7\n");
}

TEST_CASE("parse_os_release: ID and VERSION_ID, quoted or not") {
  runtime::OsRelease r = runtime::parse_os_release(
      "# comment\nNAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\n");
  CHECK(r.id == "debian");
  CHECK(r.version_id == "12");
  r = runtime::parse_os_release("ID='alpine'\r\nVERSION_ID=\"3.\\\"19\"\n");
  CHECK(r.id == "alpine");
  CHECK(r.version_id == "3.\"19");
  r = runtime::parse_os_release("ID=\"evil\x1b[2J\"\n");  // no terminal escapes in a cell
  CHECK(r.id == "evil?[2J");
  CHECK(runtime::parse_os_release("").id.empty());
}

TEST_CASE("format_machine_list: machinectl list's table, legend and footer") {
  std::vector<runtime::MachineRow> rows = {{"web1", {"debian", "12"}}, {"a", {}}};
  CHECK(runtime::format_machine_list(rows, true) ==
        "MACHINE CLASS     SERVICE  OS     VERSION ADDRESSES\n"
        "web1    container ocistart debian 12      -\n"
        "a       container ocistart -      -       -\n"
        "\n2 machines listed.\n");
  CHECK(runtime::format_machine_list(rows, false) ==
        "web1 container ocistart debian 12 -\n"
        "a    container ocistart -      -  -\n");
  CHECK(runtime::format_machine_list({}, true) == "No machines.\n");  // machinectl 252: no header then
  CHECK(runtime::format_machine_list({}, false).empty());
}

TEST_CASE("read_os_release resolves the rootfs's symlinks inside it, never on the host") {
  TempDir t;
  t.write("host/os-release", "ID=host-secret\nVERSION_ID=99\n");
  t.write("root/usr/lib/os-release", "ID=inside\nVERSION_ID=1\n");
  std::filesystem::create_directories(t.path + "/root/etc");
  const std::string root = t.path + "/root";

  // An absolute link to the host's path, and a relative one climbing out: both resolve in the root.
  std::filesystem::create_symlink(t.path + "/host/os-release", root + "/etc/os-release");
  runtime::OsRelease r = runtime::read_os_release(root);
  CHECK(r.id == "inside");  // etc/os-release resolves to nothing in the root; usr/lib's is read
  std::filesystem::remove(root + "/etc/os-release");
  std::filesystem::create_symlink("../../../../../../../../host/os-release", root + "/etc/os-release");
  CHECK(runtime::read_os_release(root).id == "inside");
  std::filesystem::remove(root + "/etc/os-release");
  std::filesystem::create_symlink("/usr/lib/os-release", root + "/etc/os-release");  // the root's own
  CHECK(runtime::read_os_release(root).id == "inside");
  std::filesystem::remove(root + "/etc/os-release");
  std::filesystem::create_directory(root + "/etc/os-release");  // not a file: the next candidate
  CHECK(runtime::read_os_release(root).version_id == "1");
  std::filesystem::remove_all(root + "/usr");
  CHECK(runtime::read_os_release(root).id.empty());
  CHECK(runtime::read_os_release(t.path + "/missing").id.empty());
}
