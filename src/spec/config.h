// The OCI runtime-spec configuration (config.md, config-linux.md) as plain structs.
// Field names follow the JSON names. Optional JSON members are std::optional (or empty
// containers); nothing here has behaviour. parse.h fills it, validate.h checks it,
// json_writer.h writes it back.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocistart::spec {

using StringMap = std::map<std::string, std::string>;

struct IdMapping {
  uint32_t container_id = 0;  // containerID
  uint32_t host_id = 0;       // hostID
  uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

struct ConsoleSize {
  uint32_t height = 0;
  uint32_t width = 0;
};

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;  // additionalGids
  std::string username;                   // windows only; kept for round trips
};

struct Capabilities {
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE"
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct Scheduler {
  std::string policy;  // SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE
  int32_t nice = 0;
  int32_t priority = 0;
  std::vector<std::string> flags;  // SCHED_FLAG_*
  uint64_t runtime = 0, deadline = 0, period = 0;
};

struct IoPriority {
  std::string io_class;  // "class": IOPRIO_CLASS_RT / _BE / _IDLE
  int32_t priority = 0;
};

struct CpuAffinity {
  std::string initial;
  std::string final_;  // "final"
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;  // consoleSize
  User user;
  std::vector<std::string> args;
  std::string command_line;  // commandLine (windows)
  std::vector<std::string> env;
  std::string cwd;
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;        // noNewPrivileges
  std::string apparmor_profile;          // apparmorProfile
  std::optional<int32_t> oom_score_adj;  // oomScoreAdj
  std::optional<Scheduler> scheduler;
  std::string selinux_label;                     // selinuxLabel
  std::optional<IoPriority> io_priority;         // ioPriority
  std::optional<CpuAffinity> exec_cpu_affinity;  // execCPUAffinity
};

struct Root {
  std::string path;
  bool readonly = false;
};

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
  std::vector<IdMapping> uid_mappings, gid_mappings;  // uidMappings, gidMappings
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int64_t> timeout;  // seconds; must be > 0 when present
};

struct Hooks {
  std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart,
      poststop;  // prestart, createRuntime, createContainer, startContainer, poststart, poststop
};

enum class NamespaceType { pid, network, mount, ipc, uts, user, cgroup, time };

struct Namespace {
  NamespaceType type = NamespaceType::pid;
  std::string path;  // empty: create a new one
};

struct TimeOffset {
  int64_t secs = 0;
  uint32_t nanosecs = 0;
};

struct Device {
  std::string type;  // c, b, u, p
  std::string path;
  int64_t major = 0, minor = 0;
  std::optional<uint32_t> file_mode;  // fileMode
  std::optional<uint32_t> uid, gid;
};

struct DeviceCgroupRule {
  bool allow = false;
  std::string type;                     // a, c, b; empty means a
  std::optional<int64_t> major, minor;  // absent means all (*)
  std::string access;                   // subset of "rwm"; empty means rwm
};

struct Memory {
  std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp;  // kernelTCP
  std::optional<uint64_t> swappiness;
  std::optional<bool> disable_oom_killer, use_hierarchy, check_before_update;
};

struct Cpu {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> burst, period;
  std::optional<int64_t> realtime_runtime;  // realtimeRuntime
  std::optional<uint64_t> realtime_period;  // realtimePeriod
  std::string cpus, mems;
  std::optional<int64_t> idle;
};

struct Pids {
  std::optional<int64_t> limit;  // required by the spec when pids is present
};

struct WeightDevice {
  int64_t major = 0, minor = 0;
  std::optional<uint16_t> weight, leaf_weight;  // leafWeight
};

struct ThrottleDevice {
  int64_t major = 0, minor = 0;
  uint64_t rate = 0;
};

struct BlockIo {
  std::optional<uint16_t> weight, leaf_weight;
  std::vector<WeightDevice> weight_device;
  std::vector<ThrottleDevice> throttle_read_bps_device, throttle_write_bps_device, throttle_read_iops_device,
      throttle_write_iops_device;
};

struct HugepageLimit {
  std::string page_size;  // pageSize, e.g. "2MB"
  uint64_t limit = 0;
};

struct InterfacePriority {
  std::string name;
  uint32_t priority = 0;
};

struct Network {
  std::optional<uint32_t> class_id;  // classID
  std::vector<InterfacePriority> priorities;
};

struct Rdma {
  std::optional<uint32_t> hca_handles, hca_objects;  // hcaHandles, hcaObjects
};

struct Resources {
  std::vector<DeviceCgroupRule> devices;
  std::optional<Memory> memory;
  std::optional<Cpu> cpu;
  std::optional<Pids> pids;
  std::optional<BlockIo> block_io;             // blockIO
  std::vector<HugepageLimit> hugepage_limits;  // hugepageLimits
  std::optional<Network> network;
  std::map<std::string, Rdma> rdma;
  StringMap unified;
};

struct IntelRdt {
  std::string clos_id;  // closID
  std::vector<std::string> schemata;
  std::string l3_cache_schema;                  // l3CacheSchema
  std::string mem_bw_schema;                    // memBwSchema
  bool enable_cmt = false, enable_mbm = false;  // enableCMT, enableMBM (1.2)
  bool enable_monitoring = false;               // enableMonitoring (1.3)
};

struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;  // valueTwo
  std::string op;          // SCMP_CMP_*
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;                 // SCMP_ACT_*
  std::optional<uint32_t> errno_ret;  // errnoRet
  std::vector<SeccompArg> args;
};

struct Seccomp {
  std::string default_action;                 // defaultAction
  std::optional<uint32_t> default_errno_ret;  // defaultErrnoRet
  std::vector<std::string> architectures;     // SCMP_ARCH_*
  std::vector<std::string> flags;             // SECCOMP_FILTER_FLAG_*
  std::string listener_path;                  // listenerPath
  std::string listener_metadata;              // listenerMetadata
  std::vector<SeccompSyscall> syscalls;
};

struct Personality {
  std::string domain;  // LINUX, LINUX32
  std::vector<std::string> flags;
};

struct MemoryPolicy {
  std::string mode;  // MPOL_*
  std::string nodes;
  std::vector<std::string> flags;  // MPOL_F_*
};

struct NetDevice {
  std::string name;  // name inside the container; empty keeps the host name
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings, gid_mappings;
  std::map<std::string, TimeOffset> time_offsets;  // timeOffsets: "monotonic", "boottime"
  std::vector<Device> devices;
  std::string cgroups_path;  // cgroupsPath
  std::optional<Resources> resources;
  std::optional<IntelRdt> intel_rdt;  // intelRdt
  StringMap sysctl;
  std::optional<Seccomp> seccomp;
  std::string rootfs_propagation;                         // rootfsPropagation
  std::vector<std::string> masked_paths, readonly_paths;  // maskedPaths, readonlyPaths
  std::string mount_label;                                // mountLabel
  std::optional<Personality> personality;
  std::optional<MemoryPolicy> memory_policy;     // memoryPolicy
  std::map<std::string, NetDevice> net_devices;  // netDevices, keyed by host name
};

struct Config {
  std::string oci_version;  // ociVersion (required)
  std::optional<Root> root;
  std::vector<Mount> mounts;
  std::optional<Process> process;
  std::string hostname, domainname;
  std::optional<Hooks> hooks;
  StringMap annotations;
  std::optional<Linux> linux_;  // "linux" (the identifier `linux` is a macro under gnu++20)
};

/// "pid", "network", ... as the spec spells them.
[[nodiscard]] const char* to_string(NamespaceType type) noexcept;
/// The namespace type named `name`, or nullopt for an unknown name.
[[nodiscard]] std::optional<NamespaceType> namespace_type_from_string(std::string_view name) noexcept;

}  // namespace ocistart::spec
