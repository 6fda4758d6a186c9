// to_json(): member names and order, omission of absent members, and the round trip
// parse_config(to_json(c)) == c, field by field, on the default specs and on a config
// that sets every field of config.h.
#include <doctest/doctest.h>

#include <string>

#include "spec/default_spec.h"
#include "spec/parse.h"
#include "spec/serialize.h"
#include "spec/validate.h"

using namespace ocistart::spec;

namespace {

// Field-by-field comparison; config.h types have no operator== (on purpose: plain data).
// Declared up front: the vector and optional templates find them by ordinary lookup.
void same(const Process& a, const Process& b);
void same(const Mount& a, const Mount& b);
void same(const Hook& a, const Hook& b);
void same(const Hooks& a, const Hooks& b);
void same(const Namespace& a, const Namespace& b);
void same(const Device& a, const Device& b);
void same(const DeviceCgroupRule& a, const DeviceCgroupRule& b);
void same(const Memory& a, const Memory& b);
void same(const Cpu& a, const Cpu& b);
void same(const WeightDevice& a, const WeightDevice& b);
void same(const ThrottleDevice& a, const ThrottleDevice& b);
void same(const BlockIo& a, const BlockIo& b);
void same(const Resources& a, const Resources& b);
void same(const SeccompArg& a, const SeccompArg& b);
void same(const SeccompSyscall& a, const SeccompSyscall& b);
void same(const Seccomp& a, const Seccomp& b);
void same(const IntelRdt& a, const IntelRdt& b);
void same(const Linux& a, const Linux& b);

void same(const IdMapping& a, const IdMapping& b) { CHECK(a == b); }

template <class T>
void same(const std::vector<T>& a, const std::vector<T>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("index " << i);
    same(a[i], b[i]);
  }
}

template <class T>
void same(const std::optional<T>& a, const std::optional<T>& b) {
  REQUIRE(a.has_value() == b.has_value());
  if (a)
    same(*a, *b);
}

void same(const Process& a, const Process& b) {
  CHECK(a.terminal == b.terminal);
  REQUIRE(a.console_size.has_value() == b.console_size.has_value());
  if (a.console_size) {
    CHECK(a.console_size->height == b.console_size->height);
    CHECK(a.console_size->width == b.console_size->width);
  }
  CHECK(a.user.uid == b.user.uid);
  CHECK(a.user.gid == b.user.gid);
  CHECK(a.user.umask == b.user.umask);
  CHECK(a.user.additional_gids == b.user.additional_gids);
  CHECK(a.user.username == b.user.username);
  CHECK(a.args == b.args);
  CHECK(a.command_line == b.command_line);
  CHECK(a.env == b.env);
  CHECK(a.cwd == b.cwd);
  REQUIRE(a.capabilities.has_value() == b.capabilities.has_value());
  if (a.capabilities) {
    CHECK(a.capabilities->bounding == b.capabilities->bounding);
    CHECK(a.capabilities->effective == b.capabilities->effective);
    CHECK(a.capabilities->inheritable == b.capabilities->inheritable);
    CHECK(a.capabilities->permitted == b.capabilities->permitted);
    CHECK(a.capabilities->ambient == b.capabilities->ambient);
  }
  REQUIRE(a.rlimits.size() == b.rlimits.size());
  for (size_t i = 0; i < a.rlimits.size(); ++i) {
    CHECK(a.rlimits[i].type == b.rlimits[i].type);
    CHECK(a.rlimits[i].soft == b.rlimits[i].soft);
    CHECK(a.rlimits[i].hard == b.rlimits[i].hard);
  }
  CHECK(a.no_new_privileges == b.no_new_privileges);
  CHECK(a.apparmor_profile == b.apparmor_profile);
  CHECK(a.oom_score_adj == b.oom_score_adj);
  REQUIRE(a.scheduler.has_value() == b.scheduler.has_value());
  if (a.scheduler) {
    const Scheduler &x = *a.scheduler, &y = *b.scheduler;
    CHECK(x.policy == y.policy);
    CHECK(x.nice == y.nice);
    CHECK(x.priority == y.priority);
    CHECK(x.flags == y.flags);
    CHECK(x.runtime == y.runtime);
    CHECK(x.deadline == y.deadline);
    CHECK(x.period == y.period);
  }
  CHECK(a.selinux_label == b.selinux_label);
  REQUIRE(a.io_priority.has_value() == b.io_priority.has_value());
  if (a.io_priority) {
    CHECK(a.io_priority->io_class == b.io_priority->io_class);
    CHECK(a.io_priority->priority == b.io_priority->priority);
  }
  REQUIRE(a.exec_cpu_affinity.has_value() == b.exec_cpu_affinity.has_value());
  if (a.exec_cpu_affinity) {
    CHECK(a.exec_cpu_affinity->initial == b.exec_cpu_affinity->initial);
    CHECK(a.exec_cpu_affinity->final_ == b.exec_cpu_affinity->final_);
  }
}

void same(const Mount& a, const Mount& b) {
  CHECK(a.destination == b.destination);
  CHECK(a.type == b.type);
  CHECK(a.source == b.source);
  CHECK(a.options == b.options);
  same(a.uid_mappings, b.uid_mappings);
  same(a.gid_mappings, b.gid_mappings);
}

void same(const Hook& a, const Hook& b) {
  CHECK(a.path == b.path);
  CHECK(a.args == b.args);
  CHECK(a.env == b.env);
  CHECK(a.timeout == b.timeout);
}

void same(const Hooks& a, const Hooks& b) {
  same(a.prestart, b.prestart);
  same(a.create_runtime, b.create_runtime);
  same(a.create_container, b.create_container);
  same(a.start_container, b.start_container);
  same(a.poststart, b.poststart);
  same(a.poststop, b.poststop);
}

void same(const Namespace& a, const Namespace& b) {
  CHECK(a.type == b.type);
  CHECK(a.path == b.path);
}

void same(const Device& a, const Device& b) {
  CHECK(a.type == b.type);
  CHECK(a.path == b.path);
  CHECK(a.major == b.major);
  CHECK(a.minor == b.minor);
  CHECK(a.file_mode == b.file_mode);
  CHECK(a.uid == b.uid);
  CHECK(a.gid == b.gid);
}

void same(const DeviceCgroupRule& a, const DeviceCgroupRule& b) {
  CHECK(a.allow == b.allow);
  CHECK(a.type == b.type);
  CHECK(a.major == b.major);
  CHECK(a.minor == b.minor);
  CHECK(a.access == b.access);
}

void same(const Memory& a, const Memory& b) {
  CHECK(a.limit == b.limit);
  CHECK(a.reservation == b.reservation);
  CHECK(a.swap == b.swap);
  CHECK(a.kernel == b.kernel);
  CHECK(a.kernel_tcp == b.kernel_tcp);
  CHECK(a.swappiness == b.swappiness);
  CHECK(a.disable_oom_killer == b.disable_oom_killer);
  CHECK(a.use_hierarchy == b.use_hierarchy);
  CHECK(a.check_before_update == b.check_before_update);
}

void same(const Cpu& a, const Cpu& b) {
  CHECK(a.shares == b.shares);
  CHECK(a.quota == b.quota);
  CHECK(a.burst == b.burst);
  CHECK(a.period == b.period);
  CHECK(a.realtime_runtime == b.realtime_runtime);
  CHECK(a.realtime_period == b.realtime_period);
  CHECK(a.cpus == b.cpus);
  CHECK(a.mems == b.mems);
  CHECK(a.idle == b.idle);
}

void same(const WeightDevice& a, const WeightDevice& b) {
  CHECK(a.major == b.major);
  CHECK(a.minor == b.minor);
  CHECK(a.weight == b.weight);
  CHECK(a.leaf_weight == b.leaf_weight);
}

void same(const ThrottleDevice& a, const ThrottleDevice& b) {
  CHECK(a.major == b.major);
  CHECK(a.minor == b.minor);
  CHECK(a.rate == b.rate);
}

void same(const BlockIo& a, const BlockIo& b) {
  CHECK(a.weight == b.weight);
  CHECK(a.leaf_weight == b.leaf_weight);
  same(a.weight_device, b.weight_device);
  same(a.throttle_read_bps_device, b.throttle_read_bps_device);
  same(a.throttle_write_bps_device, b.throttle_write_bps_device);
  same(a.throttle_read_iops_device, b.throttle_read_iops_device);
  same(a.throttle_write_iops_device, b.throttle_write_iops_device);
}

void same(const Resources& a, const Resources& b) {
  same(a.devices, b.devices);
  same(a.memory, b.memory);
  same(a.cpu, b.cpu);
  REQUIRE(a.pids.has_value() == b.pids.has_value());
  if (a.pids)
    CHECK(a.pids->limit == b.pids->limit);
  same(a.block_io, b.block_io);
  REQUIRE(a.hugepage_limits.size() == b.hugepage_limits.size());
  for (size_t i = 0; i < a.hugepage_limits.size(); ++i) {
    CHECK(a.hugepage_limits[i].page_size == b.hugepage_limits[i].page_size);
    CHECK(a.hugepage_limits[i].limit == b.hugepage_limits[i].limit);
  }
  REQUIRE(a.network.has_value() == b.network.has_value());
  if (a.network) {
    CHECK(a.network->class_id == b.network->class_id);
    REQUIRE(a.network->priorities.size() == b.network->priorities.size());
    for (size_t i = 0; i < a.network->priorities.size(); ++i) {
      CHECK(a.network->priorities[i].name == b.network->priorities[i].name);
      CHECK(a.network->priorities[i].priority == b.network->priorities[i].priority);
    }
  }
  REQUIRE(a.rdma.size() == b.rdma.size());
  for (const auto& [device, limit] : a.rdma) {
    REQUIRE(b.rdma.count(device));
    CHECK(limit.hca_handles == b.rdma.at(device).hca_handles);
    CHECK(limit.hca_objects == b.rdma.at(device).hca_objects);
  }
  CHECK(a.unified == b.unified);
}

void same(const SeccompArg& a, const SeccompArg& b) {
  CHECK(a.index == b.index);
  CHECK(a.value == b.value);
  CHECK(a.value_two == b.value_two);
  CHECK(a.op == b.op);
}

void same(const SeccompSyscall& a, const SeccompSyscall& b) {
  CHECK(a.names == b.names);
  CHECK(a.action == b.action);
  CHECK(a.errno_ret == b.errno_ret);
  same(a.args, b.args);
}

void same(const Seccomp& a, const Seccomp& b) {
  CHECK(a.default_action == b.default_action);
  CHECK(a.default_errno_ret == b.default_errno_ret);
  CHECK(a.architectures == b.architectures);
  CHECK(a.flags == b.flags);
  CHECK(a.listener_path == b.listener_path);
  CHECK(a.listener_metadata == b.listener_metadata);
  same(a.syscalls, b.syscalls);
}

void same(const IntelRdt& a, const IntelRdt& b) {
  CHECK(a.clos_id == b.clos_id);
  CHECK(a.schemata == b.schemata);
  CHECK(a.l3_cache_schema == b.l3_cache_schema);
  CHECK(a.mem_bw_schema == b.mem_bw_schema);
  CHECK(a.enable_cmt == b.enable_cmt);
  CHECK(a.enable_mbm == b.enable_mbm);
  CHECK(a.enable_monitoring == b.enable_monitoring);
}

void same(const Linux& a, const Linux& b) {
  same(a.namespaces, b.namespaces);
  same(a.uid_mappings, b.uid_mappings);
  same(a.gid_mappings, b.gid_mappings);
  REQUIRE(a.time_offsets.size() == b.time_offsets.size());
  for (const auto& [clock, offset] : a.time_offsets) {
    REQUIRE(b.time_offsets.count(clock));
    CHECK(offset.secs == b.time_offsets.at(clock).secs);
    CHECK(offset.nanosecs == b.time_offsets.at(clock).nanosecs);
  }
  same(a.devices, b.devices);
  CHECK(a.cgroups_path == b.cgroups_path);
  same(a.resources, b.resources);
  same(a.intel_rdt, b.intel_rdt);
  CHECK(a.sysctl == b.sysctl);
  same(a.seccomp, b.seccomp);
  CHECK(a.rootfs_propagation == b.rootfs_propagation);
  CHECK(a.masked_paths == b.masked_paths);
  CHECK(a.readonly_paths == b.readonly_paths);
  CHECK(a.mount_label == b.mount_label);
  REQUIRE(a.personality.has_value() == b.personality.has_value());
  if (a.personality) {
    CHECK(a.personality->domain == b.personality->domain);
    CHECK(a.personality->flags == b.personality->flags);
  }
  REQUIRE(a.memory_policy.has_value() == b.memory_policy.has_value());
  if (a.memory_policy) {
    CHECK(a.memory_policy->mode == b.memory_policy->mode);
    CHECK(a.memory_policy->nodes == b.memory_policy->nodes);
    CHECK(a.memory_policy->flags == b.memory_policy->flags);
  }
  REQUIRE(a.net_devices.size() == b.net_devices.size());
  for (const auto& [name, device] : a.net_devices) {
    REQUIRE(b.net_devices.count(name));
    CHECK(device.name == b.net_devices.at(name).name);
  }
}

void same(const Config& a, const Config& b) {
  CHECK(a.oci_version == b.oci_version);
  REQUIRE(a.root.has_value() == b.root.has_value());
  if (a.root) {
    CHECK(a.root->path == b.root->path);
    CHECK(a.root->readonly == b.root->readonly);
  }
  same(a.mounts, b.mounts);
  same(a.process, b.process);
  CHECK(a.hostname == b.hostname);
  CHECK(a.domainname == b.domainname);
  same(a.hooks, b.hooks);
  CHECK(a.annotations == b.annotations);
  same(a.linux_, b.linux_);
}

// Every field of config.h set to something other than its default.
Config maximal_config() {
  Config c = default_config(true, 1000, 1000);
  c.domainname = "example.org";
  c.annotations = {{"org.opencontainers.image.title", "max"}, {"a/b~c", "\"quoted\"\n"}};
  c.mounts.push_back({"/data", "none", "/srv/data", {"rbind", "idmap"}, {{0, 100000, 65536}}, {{0, 200000, 65536}}});

  Process& p = *c.process;
  p.console_size = ConsoleSize{24, 80};
  p.user = User{1, 2, 022, {3, 4, 4294967295u}, "winuser"};
  p.args = {"/bin/sh", "-c", "echo \"hi\" \\ \x01 caf\xc3\xa9"};
  p.command_line = "cmd.exe /c";
  p.capabilities->inheritable = {"CAP_CHOWN"};
  p.capabilities->ambient.clear();
  p.rlimits.push_back({"RLIMIT_CORE", 0, 18446744073709551615ULL});
  p.apparmor_profile = "docker-default";
  p.oom_score_adj = -999;
  p.scheduler = Scheduler{"SCHED_DEADLINE", -5, 0, {"SCHED_FLAG_RESET_ON_FORK"}, 1000, 2000, 3000};
  p.selinux_label = "system_u:system_r:container_t:s0";
  p.io_priority = IoPriority{"IOPRIO_CLASS_BE", 4};
  p.exec_cpu_affinity = CpuAffinity{"0-3", "7"};

  c.hooks = Hooks{};
  c.hooks->prestart = {{"/bin/pre", {"pre", "x"}, {"A=1"}, 10}};
  c.hooks->create_runtime = {{"/bin/cr", {}, {}, std::nullopt}};
  c.hooks->create_container = {{"/bin/cc", {}, {}, 1}};
  c.hooks->start_container = {{"/bin/sc", {}, {}, std::nullopt}};
  c.hooks->poststart = {{"/bin/ps", {"ps"}, {}, std::nullopt}};
  c.hooks->poststop = {{"/bin/stop", {}, {"B=2", "C="}, 9223372036854775807LL}};

  Linux& l = *c.linux_;
  l.namespaces.push_back({NamespaceType::network, "/var/run/netns/x"});
  l.namespaces.push_back({NamespaceType::time, ""});
  l.time_offsets = {{"monotonic", {-86400, 999999999}}, {"boottime", {7, 0}}};
  l.devices = {{"c", "/dev/fuse", 10, 229, 0666, 0, 5},
               {"p", "/dev/fifo", 0, 0, std::nullopt, std::nullopt, std::nullopt}};
  l.cgroups_path = "system.slice:ocistart:max";
  Resources r;
  r.devices = {{false, "", std::nullopt, std::nullopt, "rwm"}, {true, "c", 1, -1, "rw"}};
  r.memory = Memory{1 << 30, 1 << 29, -1, 0, 1 << 20, 60, true, false, true};
  r.cpu = Cpu{1024, 50000, 1000, 100000, -1, 1000000, "0-3,7", "0", 1};
  r.pids = Pids{-1};
  r.block_io = BlockIo{500,
                       100,
                       {{8, 0, 200, std::nullopt}, {8, 16, std::nullopt, 300}},
                       {{8, 0, 1048576}},
                       {{8, 0, 2097152}},
                       {{8, 0, 100}},
                       {{8, 0, 200}}};
  r.hugepage_limits = {{"2MB", 1 << 21}, {"1GB", 0}};
  r.network = Network{0x100001, {{"eth0", 5}, {"lo", 0}}};
  r.rdma = {{"mlx5_1", {3, 10000}}, {"rxe3", {std::nullopt, 5}}};
  r.unified = {{"memory.high", "max"}, {"io.max", "8:0 rbps=2097152"}};
  l.resources = r;
  l.intel_rdt = IntelRdt{"clos1", {"L3:0=f", "MB:0=20"}, "L3:0=ff", "MB:0=50", true, true, true};
  l.sysctl = {{"net.ipv4.ip_forward", "1"}, {"kernel.shmmax", "65536"}};
  Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.default_errno_ret = 1;
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"};
  s.flags = {"SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  s.listener_path = "/run/seccomp.sock";
  s.listener_metadata = "meta";
  s.syscalls = {{{"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY", std::nullopt, {}},
                {{"personality"},
                 "SCMP_ACT_ALLOW",
                 std::nullopt,
                 {{0, 0xffffffff, 8, "SCMP_CMP_MASKED_EQ"}, {1, 18446744073709551615ULL, 0, "SCMP_CMP_EQ"}}},
                {{"chmod"}, "SCMP_ACT_ERRNO", 38, {}}};
  l.seccomp = s;
  l.rootfs_propagation = "rslave";
  l.masked_paths.push_back("/proc/extra");
  l.readonly_paths.push_back("/proc/extra2");
  l.mount_label = "system_u:object_r:container_file_t:s0";
  l.personality = Personality{"LINUX32", {"FLAG"}};
  l.memory_policy = MemoryPolicy{"MPOL_BIND", "0-1", {"MPOL_F_STATIC_NODES"}};
  l.net_devices = {{"eth1", {"ctr0"}}, {"dummy0", {}}};
  return c;
}

Config round_trip(const Config& c, int indent) {
  std::string json = to_json(c, indent);
  ocistart::util::Result<Config> parsed = parse_config(json);
  INFO("json: " << json);
  REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? std::string() : parsed.error().message));
  return std::move(parsed).value();
}

}  // namespace

TEST_CASE("to_json writes the runc member order and leaves out absent members") {
  std::string json = to_json(default_config(), 0);
  CHECK(
      json.starts_with(R"({"ociVersion":"1.2.1","process":{"terminal":true,"user":{"uid":0,"gid":0},"args":["sh"],)"));
  CHECK(json.find(R"("cwd":"/","capabilities":{"bounding":)") != std::string::npos);
  CHECK(json.find(R"("rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true})") !=
        std::string::npos);
  CHECK(json.find(R"("root":{"path":"rootfs","readonly":true},"hostname":"ocistart","mounts":[)") != std::string::npos);
  CHECK(json.find(R"({"destination":"/proc","type":"proc","source":"proc"})") != std::string::npos);
  CHECK(
      json.find(R"("linux":{"resources":{"devices":[{"allow":false,"access":"rwm"}]},"namespaces":[{"type":"pid"},)") !=
      std::string::npos);
  CHECK(json.find("inheritable") == std::string::npos);
  CHECK(json.find("hooks") == std::string::npos);
  CHECK(json.find("annotations") == std::string::npos);
  CHECK(json.find("consoleSize") == std::string::npos);
  CHECK(json.ends_with(R"("readonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]}})"));
}

TEST_CASE("to_json of a nearly empty config") {
  Config c;
  c.oci_version = "1.0.0";
  CHECK(to_json(c, 0) == R"({"ociVersion":"1.0.0"})");
  c.hooks = Hooks{};
  c.linux_ = Linux{};
  c.root = Root{"/r", false};
  c.process = Process{};
  CHECK(
      to_json(c, 0) ==
      R"({"ociVersion":"1.0.0","process":{"user":{"uid":0,"gid":0},"cwd":""},"root":{"path":"/r"},"hooks":{},"linux":{}})");
}

TEST_CASE("to_json indents like runc spec and escapes strings") {
  Config c;
  c.oci_version = "1.2.1";
  c.annotations = {{"k", "a\"b\n"}};
  CHECK(to_json(c) == "{\n  \"ociVersion\": \"1.2.1\",\n  \"annotations\": {\n    \"k\": \"a\\\"b\\n\"\n  }\n}");
}

TEST_CASE("to_json writes the maximal config's members with their spec names") {
  std::string json = to_json(maximal_config(), 0);
  for (const char* member :
       {"\"consoleSize\":{\"height\":24,\"width\":80}",
        "\"umask\":18",
        "\"additionalGids\":[3,4,4294967295]",
        "\"username\":\"winuser\"",
        "\"commandLine\"",
        "\"apparmorProfile\"",
        "\"oomScoreAdj\":-999",
        "\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"nice\":-5,\"flags\":[\"SCHED_FLAG_RESET_ON_FORK\"],"
        "\"runtime\":1000,\"deadline\":2000,\"period\":3000}",
        "\"selinuxLabel\"",
        "\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":4}",
        "\"execCPUAffinity\":{\"initial\":\"0-3\",\"final\":\"7\"}",
        "\"createRuntime\"",
        "\"createContainer\"",
        "\"startContainer\"",
        "\"timeout\":9223372036854775807",
        "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]",
        "\"timeOffsets\":{\"boottime\":{\"secs\":7},\"monotonic\":{\"secs\":-86400,\"nanosecs\":999999999}}",
        "\"fileMode\":438",
        "\"kernelTCP\"",
        "\"disableOOMKiller\":true",
        "\"useHierarchy\":false",
        "\"checkBeforeUpdate\":true",
        "\"realtimeRuntime\":-1",
        "\"blockIO\":{\"weight\":500,\"leafWeight\":100",
        "\"throttleReadIOPSDevice\"",
        "\"hugepageLimits\"",
        "\"classID\":1048577",
        "\"rdma\"",
        "\"rxe3\":{\"hcaObjects\":5}",
        "\"unified\"",
        "\"intelRdt\":{\"closID\":\"clos1\"",
        "\"enableCMT\":true",
        "\"enableMonitoring\":true",
        "\"defaultErrnoRet\":1",
        "\"listenerMetadata\":\"meta\"",
        "\"valueTwo\":8",
        "\"errnoRet\":38",
        "\"rootfsPropagation\":\"rslave\"",
        "\"mountLabel\"",
        "\"personality\":{\"domain\":\"LINUX32\",\"flags\":[\"FLAG\"]}",
        "\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"0-1\",\"flags\":[\"MPOL_F_STATIC_NODES\"]}",
        "\"netDevices\":{\"dummy0\":{},\"eth1\":{\"name\":\"ctr0\"}}",
        "\"cgroupsPath\"",
        "{\"type\":\"network\",\"path\":\"/var/run/netns/x\"}",
        "\"domainname\":\"example.org\""}) {
    INFO(member);
    CHECK(json.find(member) != std::string::npos);
  }
}

TEST_CASE("round trip: default_config") {
  Config c = default_config();
  same(round_trip(c, 2), c);
  same(round_trip(c, 0), c);
}

TEST_CASE("round trip: rootless default_config") {
  Config c = default_config(true, 1000, 1000);
  same(round_trip(c, 2), c);
}

TEST_CASE("round trip: every field set") {
  Config c = maximal_config();
  Config back = round_trip(c, 2);
  same(back, c);
  CHECK(to_json(back) == to_json(c));
}

TEST_CASE("the maximal config is also valid") {
  Config c = maximal_config();
  // Its user namespace maps one id (the rootless default): map the process's ids. Its
  // extreme additional gid (there for the writer) stays unmapped.
  c.linux_->uid_mappings = {{0, 100000, 65536}};
  c.linux_->gid_mappings = {{0, 100000, 65536}};
  ocistart::util::Status unmapped = validate(c);
  REQUIRE_FALSE(unmapped.ok());
  CHECK(unmapped.error().message ==
        "/process/user/additionalGids/2: gid 4294967295 is not mapped in /linux/gidMappings");
  c.process->user.additional_gids.pop_back();
  ocistart::util::Status s = validate(c);
  CHECK_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().message));
}
