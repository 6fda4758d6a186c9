// validate(): linux.* — namespaces, mappings, time offsets, devices, netDevices, sysctl,
// resources, Intel RDT, seccomp, paths, propagation, personality, memory policy.
#include <doctest/doctest.h>

#include <string>

#include "spec/default_spec.h"
#include "spec/validate.h"
#include "validate_checks.h"

using namespace ocistart::spec;

namespace {

Config base() { return default_config(); }
Linux& lin(Config& c) { return *c.linux_; }
Resources& res(Config& c) { return *c.linux_->resources; }

void add_namespace(Config& c, NamespaceType type, std::string path = "") {
  lin(c).namespaces.push_back({type, std::move(path)});
}

void remove_namespace(Config& c, NamespaceType type) {
  std::erase_if(lin(c).namespaces, [type](const Namespace& ns) { return ns.type == type; });
}

Seccomp notify_profile() {
  Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.default_errno_ret = 38;
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  s.listener_path = "/run/agent.sock";
  s.listener_metadata = "opaque";
  s.syscalls = {
      {{"read", "write", "exit_group"}, "SCMP_ACT_ALLOW", std::nullopt, {}},
      {{"mkdir"}, "SCMP_ACT_NOTIFY", std::nullopt, {}},
      {{"personality"}, "SCMP_ACT_ALLOW", std::nullopt, {{0, 0xffffffff, 0x8, "SCMP_CMP_MASKED_EQ"}}},
      {{"chmod"}, "SCMP_ACT_ERRNO", 1, {{5, 0, 0, "SCMP_CMP_NE"}}},
  };
  return s;
}

}  // namespace

TEST_CASE("namespaces: unique types, absolute paths") {
  Config c = base();
  add_namespace(c, NamespaceType::pid);
  CHECK_INVALID(c, "/linux/namespaces/5/type", "duplicate namespace type \"pid\"");
  c = base();
  lin(c).namespaces[1].path = "netns/a";
  CHECK_INVALID(c, "/linux/namespaces/1/path", "absolute path, got \"netns/a\"");
  lin(c).namespaces[1].path = "/var/run/netns/a";
  CHECK_VALID(c);
}

TEST_CASE("user namespace and mappings need each other") {
  Config c = default_config(true, 1000, 1000);
  lin(c).uid_mappings.clear();
  CHECK_INVALID(c, "/linux/uidMappings", "required when creating a user namespace");
  c = default_config(true, 1000, 1000);
  lin(c).gid_mappings.clear();
  CHECK_INVALID(c, "/linux/gidMappings", "required when creating a user namespace");
  c = default_config(true, 1000, 1000);
  remove_namespace(c, NamespaceType::user);
  CHECK_INVALID(c, "/linux/uidMappings", "need a user namespace");
  lin(c).uid_mappings.clear();
  CHECK_INVALID(c, "/linux/gidMappings", "need a user namespace");
  // Joining a user namespace brings its mappings.
  c = base();
  add_namespace(c, NamespaceType::user, "/proc/42/ns/user");
  CHECK_VALID(c);
  lin(c).uid_mappings = {{0, 1000, 1}};
  CHECK_INVALID(c, "/linux/gidMappings", "required with uidMappings");
  c = default_config(true, 1000, 1000);
  lin(c).uid_mappings = {{0, 100000, 65536}, {65536, 1000, 0}};
  CHECK_INVALID(c, "/linux/uidMappings/1/size", "greater than 0");
  lin(c).uid_mappings = {{0xfffffff0u, 1000, 32}};
  CHECK_INVALID(c, "/linux/uidMappings/0/size", "containerID + size exceeds 2^32");
  lin(c).uid_mappings = {{0, 0, 0xffffffffu}};
  CHECK_VALID(c);
}

TEST_CASE("the process's uid, gid and additional gids must be mapped in a new user namespace") {
  Config c = default_config(true, 1000, 1000);  // maps container 0 to 1000, one id each
  CHECK_VALID(c);
  c.process->user.uid = 5;
  CHECK_INVALID(c, "/process/user/uid", "uid 5 is not mapped in /linux/uidMappings");
  c.process->user.uid = 0;
  c.process->user.gid = 7;
  CHECK_INVALID(c, "/process/user/gid", "gid 7 is not mapped in /linux/gidMappings");
  c.process->user.gid = 0;
  c.process->user.additional_gids = {0, 9};
  CHECK_INVALID(c, "/process/user/additionalGids/1", "gid 9 is not mapped in /linux/gidMappings");
  lin(c).gid_mappings.push_back({9, 2000, 1});
  CHECK_VALID(c);
}

TEST_CASE("timeOffsets: monotonic and boottime, with a new time namespace") {
  Config c = base();
  add_namespace(c, NamespaceType::time);
  lin(c).time_offsets = {{"monotonic", {86400, 5}}, {"boottime", {-3600, 0}}};
  CHECK_VALID(c);
  lin(c).time_offsets["realtime"] = {1, 0};
  CHECK_INVALID(c, "/linux/timeOffsets/realtime", "unknown clock \"realtime\"");
  lin(c).time_offsets.erase("realtime");
  lin(c).time_offsets["boottime"].nanosecs = 1000000000u;
  CHECK_INVALID(c, "/linux/timeOffsets/boottime/nanosecs", "less than 1000000000");
  lin(c).time_offsets["boottime"].nanosecs = 0;
  remove_namespace(c, NamespaceType::time);
  CHECK_INVALID(c, "/linux/timeOffsets", "need a time namespace");
  add_namespace(c, NamespaceType::time, "/proc/1/ns/time");
  CHECK_INVALID(c, "/linux/timeOffsets", "joining the time namespace");
}

TEST_CASE("devices: type, absolute path, numbers") {
  Config c = base();
  lin(c).devices = {{"c", "/dev/fuse", 10, 229, 0666, 0, 0},
                    {"p", "/dev/fifo", 0, 0, std::nullopt, std::nullopt, std::nullopt}};
  CHECK_VALID(c);
  lin(c).devices.push_back({"x", "/dev/x", 1, 1, std::nullopt, std::nullopt, std::nullopt});
  CHECK_INVALID(c, "/linux/devices/2/type", "unknown device type \"x\": must be c, b, u or p");
  lin(c).devices.back() = {"b", "dev/sda", 8, 0, std::nullopt, std::nullopt, std::nullopt};
  CHECK_INVALID(c, "/linux/devices/2/path", "absolute");
  lin(c).devices.back() = {"u", "/dev/x", -1, 0, std::nullopt, std::nullopt, std::nullopt};
  CHECK_INVALID(c, "/linux/devices/2/major", "negative");
}

TEST_CASE("netDevices: valid names and a network namespace") {
  Config c = base();
  lin(c).net_devices = {{"eth1", {"ctr%d"}}, {"dummy0", {}}};
  CHECK_VALID(c);
  lin(c).net_devices["eth/0"] = {};
  CHECK_INVALID(c, "/linux/netDevices/eth~10", "invalid network interface name \"eth/0\"");
  lin(c).net_devices.erase("eth/0");
  lin(c).net_devices["eth1"].name = "a-very-long-name0";
  CHECK_INVALID(c, "/linux/netDevices/eth1/name", "invalid network interface name");
  lin(c).net_devices["eth1"].name = "..";
  CHECK_INVALID(c, "/linux/netDevices/eth1/name", "invalid");
  lin(c).net_devices["eth1"].name = "";
  remove_namespace(c, NamespaceType::network);
  CHECK_INVALID(c, "/linux/netDevices", "needs a network namespace");
}

TEST_CASE("sysctl: names isolated by a namespace of the container") {
  Config c = base();
  lin(c).sysctl = {{"net.ipv4.ip_forward", "1"},
                   {"net/ipv4/conf/eth0.100/rp_filter", "0"},
                   {"kernel.shmmax", "1"},
                   {"fs.mqueue.msg_max", "10"},
                   {"kernel.domainname", "x"}};
  CHECK_VALID(c);
  lin(c).sysctl[""] = "1";
  CHECK_INVALID(c, "/linux/sysctl/", "must not be empty");
  lin(c).sysctl.erase("");
  lin(c).sysctl["vm.swappiness"] = "10";
  CHECK_INVALID(c, "/linux/sysctl/vm.swappiness", "not isolated by any namespace");
  lin(c).sysctl.erase("vm.swappiness");
  lin(c).sysctl["kernel.hostname"] = "x";
  CHECK_INVALID(c, "/linux/sysctl/kernel.hostname", "conflicts with /hostname");
  lin(c).sysctl.erase("kernel.hostname");
  lin(c).sysctl["user.max_user_namespaces"] = "0";
  CHECK_INVALID(c, "/linux/sysctl/user.max_user_namespaces", "needs a user namespace");
  c = default_config(true, 1000, 1000);  // no network namespace
  lin(c).sysctl = {{"net/core/somaxconn", "256"}};
  CHECK_INVALID(c, "/linux/sysctl/net~1core~1somaxconn", "\"net.core.somaxconn\" needs a network namespace");
  c = base();
  remove_namespace(c, NamespaceType::ipc);
  lin(c).sysctl = {{"kernel.msgmax", "8192"}};
  CHECK_INVALID(c, "/linux/sysctl/kernel.msgmax", "needs an ipc namespace");
}

TEST_CASE("resources: cgroup device rules") {
  Config c = base();
  res(c).devices.push_back({true, "c", 1, 3, "rw"});
  res(c).devices.push_back({true, "", std::nullopt, std::nullopt, ""});
  CHECK_VALID(c);
  res(c).devices.push_back({true, "u", 1, 3, "rw"});
  CHECK_INVALID(c, "/linux/resources/devices/3/type", "unknown device type \"u\": must be a, c or b");
  res(c).devices.back() = {true, "b", 8, std::nullopt, "rwx"};  // x is ignored, as runc does
  CHECK_VALID(c);
  res(c).devices.back() = {true, "b", 8, std::nullopt, "x"};
  CHECK_INVALID(c, "/linux/resources/devices/3/access", "\"x\" is not a combination of r, w and m");
}

TEST_CASE("resources: memory and cpu") {
  Config c = base();
  res(c).memory = Memory{};
  res(c).memory->limit = 1 << 30;
  res(c).memory->swap = 2LL << 30;
  res(c).memory->swappiness = 60;
  res(c).cpu = Cpu{};
  res(c).cpu->quota = 50000;
  res(c).cpu->burst = 10000;
  res(c).cpu->period = 100000;
  res(c).cpu->realtime_runtime = 950000;
  res(c).cpu->realtime_period = 1000000;
  res(c).cpu->cpus = "0-3,7";
  res(c).cpu->mems = "0";
  res(c).cpu->idle = 1;
  CHECK_VALID(c);
  res(c).memory->swappiness = 101;
  CHECK_INVALID(c, "/linux/resources/memory/swappiness", "101 is outside 0..100");
  res(c).memory->swappiness.reset();
  res(c).memory->swap = 1 << 20;
  CHECK_INVALID(c, "/linux/resources/memory/swap", "lower than the memory limit");
  res(c).memory->swap = -1;
  CHECK_VALID(c);
  res(c).cpu->idle = 2;
  CHECK_INVALID(c, "/linux/resources/cpu/idle", "must be 0 or 1");
  res(c).cpu->idle = 0;
  res(c).cpu->realtime_runtime = 2000000;
  CHECK_INVALID(c, "/linux/resources/cpu/realtimeRuntime", "greater than realtimePeriod");
  res(c).cpu->realtime_runtime = -2;
  CHECK_INVALID(c, "/linux/resources/cpu/realtimeRuntime", "-1");
  res(c).cpu->realtime_runtime = -1;
  res(c).cpu->burst = 60000;
  CHECK_INVALID(c, "/linux/resources/cpu/burst", "greater than quota");
  res(c).cpu->quota = -1;  // no quota: any burst
  CHECK_VALID(c);
  res(c).cpu->cpus = "0-3,,7";
  CHECK_INVALID(c, "/linux/resources/cpu/cpus", "not a CPU list");
  res(c).cpu->cpus = "";
  res(c).cpu->mems = "a";
  CHECK_INVALID(c, "/linux/resources/cpu/mems", "not a node list");
}

TEST_CASE("resources: blockIO, hugepages, network, rdma, unified") {
  Config c = base();
  res(c).block_io = BlockIo{};
  res(c).block_io->weight = 500;
  res(c).block_io->weight_device = {{8, 0, 100, std::nullopt}};
  res(c).hugepage_limits = {{"2MB", 1 << 21}, {"1GB", 0}, {"64KB", 0}};
  res(c).network = Network{7, {{"eth0", 5}}};
  res(c).rdma = {{"mlx5_1", {3, std::nullopt}}};
  res(c).unified = {{"memory.max", "max"}, {"io.max", "8:0 rbps=1"}, {"cgroup.freeze", "0"}};
  res(c).pids = Pids{0};
  CHECK_VALID(c);
  res(c).block_io->weight = 5;
  CHECK_INVALID(c, "/linux/resources/blockIO/weight", "5 is outside 10..1000");
  res(c).block_io->weight = 10;
  res(c).block_io->weight_device.push_back({8, 16, std::nullopt, std::nullopt});  // nothing to set: fine
  CHECK_VALID(c);
  res(c).block_io->weight_device.back().leaf_weight = 2000;
  CHECK_INVALID(c, "/linux/resources/blockIO/weightDevice/1/leafWeight", "outside 10..1000");
  res(c).block_io.reset();
  res(c).hugepage_limits[1].page_size = "2M";
  CHECK_INVALID(c, "/linux/resources/hugepageLimits/1/pageSize", "not a page size");
  res(c).hugepage_limits[1].page_size = "huge";
  CHECK_INVALID(c, "/linux/resources/hugepageLimits/1/pageSize", "\"huge\"");
  res(c).hugepage_limits.clear();
  res(c).network->priorities.push_back({"", 1});
  CHECK_INVALID(c, "/linux/resources/network/priorities/1/name", "must not be empty");
  res(c).network.reset();
  res(c).rdma["rxe3"] = {};
  CHECK_INVALID(c, "/linux/resources/rdma/rxe3", "needs hcaHandles or hcaObjects");
  res(c).rdma.erase("rxe3");
  res(c).unified["memory/max"] = "1";
  CHECK_INVALID(c, "/linux/resources/unified/memory~1max", "not a cgroup file name");
  res(c).unified.erase("memory/max");
  res(c).unified[".hidden"] = "1";
  CHECK_INVALID(c, "/linux/resources/unified/.hidden", "not a cgroup file name");
  res(c).unified.erase(".hidden");
  res(c).unified["nodot"] = "1";
  CHECK_INVALID(c, "/linux/resources/unified/nodot", "not a cgroup file name");
}

TEST_CASE("intelRdt: closID and schemata") {
  Config c = base();
  lin(c).intel_rdt = IntelRdt{};
  lin(c).intel_rdt->clos_id = "/";  // the default CLOS
  lin(c).intel_rdt->mem_bw_schema = "MB:0=20;1=70";
  lin(c).intel_rdt->schemata = {"L3:0=7f0;1=1f", "L2:0=f"};
  CHECK_VALID(c);
  lin(c).intel_rdt->clos_id = "..";
  CHECK_INVALID(c, "/linux/intelRdt/closID", "invalid CLOS id \"..\"");
  lin(c).intel_rdt->clos_id = "a/b";
  CHECK_INVALID(c, "/linux/intelRdt/closID", "invalid CLOS id");
  lin(c).intel_rdt->clos_id = "guaranteed_group";
  lin(c).intel_rdt->mem_bw_schema = "L3:0=1";
  CHECK_INVALID(c, "/linux/intelRdt/memBwSchema", "must start with \"MB:\"");
  lin(c).intel_rdt->mem_bw_schema = "";
  lin(c).intel_rdt->schemata.push_back("MB:0=1\nL3:0=1");
  CHECK_INVALID(c, "/linux/intelRdt/schemata/2", "newline");
}

TEST_CASE("seccomp: a profile with notify and a listener is valid") {
  Config c = base();
  lin(c).seccomp = notify_profile();
  CHECK_VALID(c);
}

TEST_CASE("seccomp: names of actions, archs, flags, operators") {
  Config c = base();
  lin(c).seccomp = notify_profile();
  Seccomp& s = *lin(c).seccomp;
  s.default_action = "SCMP_ACT_MAYBE";
  CHECK_INVALID(c, "/linux/seccomp/defaultAction", "unknown seccomp action \"SCMP_ACT_MAYBE\"");
  s.default_action = "";
  CHECK_INVALID(c, "/linux/seccomp/defaultAction", "required");
  s.default_action = "SCMP_ACT_NOTIFY";
  CHECK_INVALID(c, "/linux/seccomp/defaultAction", "cannot be the default action");
  s.default_action = "SCMP_ACT_ALLOW";
  CHECK_INVALID(c, "/linux/seccomp/defaultErrnoRet", "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
  s.default_action = "SCMP_ACT_TRACE";
  CHECK_VALID(c);
  s.architectures.push_back("SCMP_ARCH_VAX");
  CHECK_INVALID(c, "/linux/seccomp/architectures/3", "unknown seccomp architecture \"SCMP_ARCH_VAX\"");
  s.architectures.pop_back();
  s.flags.push_back("SECCOMP_FILTER_FLAG_NEW_LISTENER");
  CHECK_INVALID(c, "/linux/seccomp/flags/2", "unknown seccomp flag");
  s.flags.pop_back();
  s.syscalls[2].args[0].op = "SCMP_CMP_APPROX";
  CHECK_INVALID(c, "/linux/seccomp/syscalls/2/args/0/op", "unknown seccomp operator");
  s.syscalls[2].args[0].op = "";
  CHECK_INVALID(c, "/linux/seccomp/syscalls/2/args/0/op", "required");
  s.syscalls[2].args[0].op = "SCMP_CMP_EQ";
  s.syscalls[3].args[0].index = 6;
  CHECK_INVALID(c, "/linux/seccomp/syscalls/3/args/0/index", "6 is not a syscall argument index");
}

TEST_CASE("seccomp: syscall entries") {
  Config c = base();
  lin(c).seccomp = notify_profile();
  Seccomp& s = *lin(c).seccomp;
  s.syscalls[0].names.clear();
  CHECK_INVALID(c, "/linux/seccomp/syscalls/0/names", "at least one entry");
  s.syscalls[0].names = {"read", ""};
  CHECK_INVALID(c, "/linux/seccomp/syscalls/0/names/1", "must not be empty");
  s.syscalls[0].names = {"read"};
  s.syscalls[1].action = "SCMP_ACT_WHATEVER";
  CHECK_INVALID(c, "/linux/seccomp/syscalls/1/action", "unknown seccomp action");
  s.syscalls[1].action = "";
  CHECK_INVALID(c, "/linux/seccomp/syscalls/1/action", "required");
  s.syscalls[1].action = "SCMP_ACT_KILL_PROCESS";
  s.syscalls[1].errno_ret = 1;
  CHECK_INVALID(c, "/linux/seccomp/syscalls/1/errnoRet", "not SCMP_ACT_KILL_PROCESS");
}

TEST_CASE("seccomp: SCMP_ACT_NOTIFY needs an absolute listenerPath") {
  Config c = base();
  lin(c).seccomp = notify_profile();
  Seccomp& s = *lin(c).seccomp;
  s.listener_path = "";
  s.listener_metadata = "";
  CHECK_INVALID(c, "/linux/seccomp/listenerPath",
                "required when an action is SCMP_ACT_NOTIFY (/linux/seccomp/syscalls/1/action)");
  s.listener_path = "agent.sock";
  CHECK_INVALID(c, "/linux/seccomp/listenerPath", "absolute");
  s.listener_path = "";
  s.syscalls.erase(s.syscalls.begin() + 1);
  CHECK_VALID(c);  // no notify: no listener needed
  s.listener_metadata = "meta";
  CHECK_INVALID(c, "/linux/seccomp/listenerMetadata", "without listenerPath");
}

TEST_CASE("seccomp: SCMP_ACT_NOTIFY on write fails validation with runc's words") {
  Config c = base();
  lin(c).seccomp = notify_profile();
  Seccomp& s = *lin(c).seccomp;
  s.syscalls[1].names = {"mkdir", "write"};
  CHECK_INVALID(c, "/linux/seccomp/syscalls/1/names/1", "SCMP_ACT_NOTIFY cannot be used for the write syscall");
  s.syscalls[1].names = {"mkdir", "sendmsg", "read"};
  CHECK_VALID(c);
  CHECK(seccomp_notify_refusal("write").has_value());
  CHECK_FALSE(seccomp_notify_refusal("writev").has_value());
}

TEST_CASE("paths and propagation") {
  Config c = base();
  lin(c).masked_paths[3] = "proc/keys";
  CHECK_INVALID(c, "/linux/maskedPaths/3", "absolute path, got \"proc/keys\"");
  c = base();
  lin(c).readonly_paths.push_back("");
  CHECK_INVALID(c, "/linux/readonlyPaths/5", "absolute");
  c = base();
  remove_namespace(c, NamespaceType::mount);
  CHECK_INVALID(c, "/linux/maskedPaths", "needs a mount namespace");
  c = base();
  for (const char* p :
       {"private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable", ""}) {
    lin(c).rootfs_propagation = p;
    INFO(p);
    CHECK_VALID(c);
  }
  lin(c).rootfs_propagation = "rshared,private";
  CHECK_INVALID(c, "/linux/rootfsPropagation", "unknown propagation");
}

TEST_CASE("personality and memory policy") {
  Config c = base();
  lin(c).personality = Personality{"LINUX32", {}};
  CHECK_VALID(c);
  lin(c).personality->domain = "LINUX64";
  CHECK_INVALID(c, "/linux/personality/domain", "must be LINUX or LINUX32");
  c = base();
  lin(c).memory_policy = MemoryPolicy{"MPOL_BIND", "0-1", {"MPOL_F_STATIC_NODES"}};
  CHECK_VALID(c);
  lin(c).memory_policy->mode = "MPOL_SPREAD";
  CHECK_INVALID(c, "/linux/memoryPolicy/mode", "unknown memory policy mode");
  lin(c).memory_policy->mode = "MPOL_INTERLEAVE";
  lin(c).memory_policy->nodes = "";
  CHECK_INVALID(c, "/linux/memoryPolicy/nodes", "needs at least one node");
  lin(c).memory_policy->mode = "MPOL_LOCAL";
  CHECK_VALID(c);
  lin(c).memory_policy->nodes = "0";
  CHECK_INVALID(c, "/linux/memoryPolicy/nodes", "takes no nodes");
  lin(c).memory_policy->mode = "MPOL_PREFERRED";
  lin(c).memory_policy->nodes = "0-";
  CHECK_INVALID(c, "/linux/memoryPolicy/nodes", "not a node list");
  lin(c).memory_policy->nodes = "";
  lin(c).memory_policy->flags = {"MPOL_F_NUMA_BALANCING", "MPOL_F_SOMETHING"};
  CHECK_INVALID(c, "/linux/memoryPolicy/flags/1", "unknown memory policy flag");
  lin(c).memory_policy->flags = {"MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"};
  CHECK_INVALID(c, "/linux/memoryPolicy/flags", "exclude each other");
}
