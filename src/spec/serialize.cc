// to_json(): Config -> config.json text. Members come in the order of runtime-spec's Go
// types (what `runc spec` writes); absent members are left out so that parsing the text
// gives back the same Config.
#include "spec/serialize.h"

#include <cstdint>

#include "util/json_writer.h"

namespace ocistart::spec {
namespace {

using util::JsonWriter;

template <class T>
void optional_member(JsonWriter& w, std::string_view key, const std::optional<T>& v) {
  if (v)
    w.member(key, *v);
}

void string_member(JsonWriter& w, std::string_view key, const std::string& v) {
  if (!v.empty())
    w.member(key, v);
}

void strings_member(JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
  if (!v.empty())
    w.member_strings(key, v);
}

void string_map_member(JsonWriter& w, std::string_view key, const StringMap& map) {
  if (map.empty())
    return;
  w.key(key).begin_object();
  for (const auto& [k, v] : map)
    w.member(k, v);
  w.end_object();
}

void id_mappings_member(JsonWriter& w, std::string_view key, const std::vector<IdMapping>& maps) {
  if (maps.empty())
    return;
  w.key(key).begin_array();
  for (const IdMapping& m : maps)
    w.begin_object()
        .member("containerID", m.container_id)
        .member("hostID", m.host_id)
        .member("size", m.size)
        .end_object();
  w.end_array();
}

void write_user(JsonWriter& w, const User& u) {
  w.key("user").begin_object().member("uid", u.uid).member("gid", u.gid);
  optional_member(w, "umask", u.umask);
  if (!u.additional_gids.empty()) {
    w.key("additionalGids").begin_array();
    for (uint32_t gid : u.additional_gids)
      w.value(gid);
    w.end_array();
  }
  string_member(w, "username", u.username);
  w.end_object();
}

void write_capabilities(JsonWriter& w, const Capabilities& c) {
  w.key("capabilities").begin_object();
  strings_member(w, "bounding", c.bounding);
  strings_member(w, "effective", c.effective);
  strings_member(w, "inheritable", c.inheritable);
  strings_member(w, "permitted", c.permitted);
  strings_member(w, "ambient", c.ambient);
  w.end_object();
}

void write_scheduler(JsonWriter& w, const Scheduler& s) {
  w.key("scheduler").begin_object().member("policy", s.policy);
  if (s.nice != 0)
    w.member("nice", s.nice);
  if (s.priority != 0)
    w.member("priority", s.priority);
  strings_member(w, "flags", s.flags);
  if (s.runtime != 0)
    w.member("runtime", s.runtime);
  if (s.deadline != 0)
    w.member("deadline", s.deadline);
  if (s.period != 0)
    w.member("period", s.period);
  w.end_object();
}

void write_process(JsonWriter& w, const Process& p) {
  w.key("process").begin_object();
  if (p.terminal)
    w.member("terminal", true);
  if (p.console_size)
    w.key("consoleSize")
        .begin_object()
        .member("height", p.console_size->height)
        .member("width", p.console_size->width)
        .end_object();
  write_user(w, p.user);
  strings_member(w, "args", p.args);
  string_member(w, "commandLine", p.command_line);
  strings_member(w, "env", p.env);
  w.member("cwd", p.cwd);
  if (p.capabilities)
    write_capabilities(w, *p.capabilities);
  if (!p.rlimits.empty()) {
    w.key("rlimits").begin_array();
    for (const Rlimit& r : p.rlimits)
      w.begin_object().member("type", r.type).member("hard", r.hard).member("soft", r.soft).end_object();
    w.end_array();
  }
  if (p.no_new_privileges)
    w.member("noNewPrivileges", true);
  string_member(w, "apparmorProfile", p.apparmor_profile);
  optional_member(w, "oomScoreAdj", p.oom_score_adj);
  if (p.scheduler)
    write_scheduler(w, *p.scheduler);
  string_member(w, "selinuxLabel", p.selinux_label);
  if (p.io_priority)
    w.key("ioPriority")
        .begin_object()
        .member("class", p.io_priority->io_class)
        .member("priority", p.io_priority->priority)
        .end_object();
  if (p.exec_cpu_affinity) {
    w.key("execCPUAffinity").begin_object();
    string_member(w, "initial", p.exec_cpu_affinity->initial);
    string_member(w, "final", p.exec_cpu_affinity->final_);
    w.end_object();
  }
  w.end_object();
}

void write_mounts(JsonWriter& w, const std::vector<Mount>& mounts) {
  if (mounts.empty())
    return;
  w.key("mounts").begin_array();
  for (const Mount& m : mounts) {
    w.begin_object().member("destination", m.destination);
    string_member(w, "type", m.type);
    string_member(w, "source", m.source);
    strings_member(w, "options", m.options);
    id_mappings_member(w, "uidMappings", m.uid_mappings);
    id_mappings_member(w, "gidMappings", m.gid_mappings);
    w.end_object();
  }
  w.end_array();
}

void write_hooks(JsonWriter& w, const Hooks& hooks) {
  const std::pair<const char*, const std::vector<Hook>*> lists[] = {
      {"prestart", &hooks.prestart},
      {"createRuntime", &hooks.create_runtime},
      {"createContainer", &hooks.create_container},
      {"startContainer", &hooks.start_container},
      {"poststart", &hooks.poststart},
      {"poststop", &hooks.poststop},
  };
  w.key("hooks").begin_object();
  for (const auto& [name, list] : lists) {
    if (list->empty())
      continue;
    w.key(name).begin_array();
    for (const Hook& h : *list) {
      w.begin_object().member("path", h.path);
      strings_member(w, "args", h.args);
      strings_member(w, "env", h.env);
      optional_member(w, "timeout", h.timeout);
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

void write_device_rules(JsonWriter& w, const std::vector<DeviceCgroupRule>& rules) {
  if (rules.empty())
    return;
  w.key("devices").begin_array();
  for (const DeviceCgroupRule& r : rules) {
    w.begin_object().member("allow", r.allow);
    string_member(w, "type", r.type);
    optional_member(w, "major", r.major);
    optional_member(w, "minor", r.minor);
    string_member(w, "access", r.access);
    w.end_object();
  }
  w.end_array();
}

void write_memory(JsonWriter& w, const Memory& m) {
  w.key("memory").begin_object();
  optional_member(w, "limit", m.limit);
  optional_member(w, "reservation", m.reservation);
  optional_member(w, "swap", m.swap);
  optional_member(w, "kernel", m.kernel);
  optional_member(w, "kernelTCP", m.kernel_tcp);
  optional_member(w, "swappiness", m.swappiness);
  optional_member(w, "disableOOMKiller", m.disable_oom_killer);
  optional_member(w, "useHierarchy", m.use_hierarchy);
  optional_member(w, "checkBeforeUpdate", m.check_before_update);
  w.end_object();
}

void write_cpu(JsonWriter& w, const Cpu& c) {
  w.key("cpu").begin_object();
  optional_member(w, "shares", c.shares);
  optional_member(w, "quota", c.quota);
  optional_member(w, "burst", c.burst);
  optional_member(w, "period", c.period);
  optional_member(w, "realtimeRuntime", c.realtime_runtime);
  optional_member(w, "realtimePeriod", c.realtime_period);
  string_member(w, "cpus", c.cpus);
  string_member(w, "mems", c.mems);
  optional_member(w, "idle", c.idle);
  w.end_object();
}

void throttle_member(JsonWriter& w, std::string_view key, const std::vector<ThrottleDevice>& devices) {
  if (devices.empty())
    return;
  w.key(key).begin_array();
  for (const ThrottleDevice& d : devices)
    w.begin_object().member("major", d.major).member("minor", d.minor).member("rate", d.rate).end_object();
  w.end_array();
}

void write_block_io(JsonWriter& w, const BlockIo& b) {
  w.key("blockIO").begin_object();
  optional_member(w, "weight", b.weight);
  optional_member(w, "leafWeight", b.leaf_weight);
  if (!b.weight_device.empty()) {
    w.key("weightDevice").begin_array();
    for (const WeightDevice& d : b.weight_device) {
      w.begin_object().member("major", d.major).member("minor", d.minor);
      optional_member(w, "weight", d.weight);
      optional_member(w, "leafWeight", d.leaf_weight);
      w.end_object();
    }
    w.end_array();
  }
  throttle_member(w, "throttleReadBpsDevice", b.throttle_read_bps_device);
  throttle_member(w, "throttleWriteBpsDevice", b.throttle_write_bps_device);
  throttle_member(w, "throttleReadIOPSDevice", b.throttle_read_iops_device);
  throttle_member(w, "throttleWriteIOPSDevice", b.throttle_write_iops_device);
  w.end_object();
}

void write_resources(JsonWriter& w, const Resources& r) {
  w.key("resources").begin_object();
  write_device_rules(w, r.devices);
  if (r.memory)
    write_memory(w, *r.memory);
  if (r.cpu)
    write_cpu(w, *r.cpu);
  if (r.pids) {
    w.key("pids").begin_object();
    optional_member(w, "limit", r.pids->limit);
    w.end_object();
  }
  if (r.block_io)
    write_block_io(w, *r.block_io);
  if (!r.hugepage_limits.empty()) {
    w.key("hugepageLimits").begin_array();
    for (const HugepageLimit& h : r.hugepage_limits)
      w.begin_object().member("pageSize", h.page_size).member("limit", h.limit).end_object();
    w.end_array();
  }
  if (r.network) {
    w.key("network").begin_object();
    optional_member(w, "classID", r.network->class_id);
    if (!r.network->priorities.empty()) {
      w.key("priorities").begin_array();
      for (const InterfacePriority& p : r.network->priorities)
        w.begin_object().member("name", p.name).member("priority", p.priority).end_object();
      w.end_array();
    }
    w.end_object();
  }
  if (!r.rdma.empty()) {
    w.key("rdma").begin_object();
    for (const auto& [device, limit] : r.rdma) {
      w.key(device).begin_object();
      optional_member(w, "hcaHandles", limit.hca_handles);
      optional_member(w, "hcaObjects", limit.hca_objects);
      w.end_object();
    }
    w.end_object();
  }
  string_map_member(w, "unified", r.unified);
  w.end_object();
}

void write_seccomp(JsonWriter& w, const Seccomp& s) {
  w.key("seccomp").begin_object().member("defaultAction", s.default_action);
  optional_member(w, "defaultErrnoRet", s.default_errno_ret);
  strings_member(w, "architectures", s.architectures);
  strings_member(w, "flags", s.flags);
  string_member(w, "listenerPath", s.listener_path);
  string_member(w, "listenerMetadata", s.listener_metadata);
  if (!s.syscalls.empty()) {
    w.key("syscalls").begin_array();
    for (const SeccompSyscall& call : s.syscalls) {
      w.begin_object().member_strings("names", call.names).member("action", call.action);
      optional_member(w, "errnoRet", call.errno_ret);
      if (!call.args.empty()) {
        w.key("args").begin_array();
        for (const SeccompArg& a : call.args) {
          w.begin_object().member("index", a.index).member("value", a.value);
          if (a.value_two != 0)
            w.member("valueTwo", a.value_two);
          w.member("op", a.op).end_object();
        }
        w.end_array();
      }
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

void write_intel_rdt(JsonWriter& w, const IntelRdt& r) {
  w.key("intelRdt").begin_object();
  string_member(w, "closID", r.clos_id);
  strings_member(w, "schemata", r.schemata);
  string_member(w, "l3CacheSchema", r.l3_cache_schema);
  string_member(w, "memBwSchema", r.mem_bw_schema);
  if (r.enable_cmt)
    w.member("enableCMT", true);
  if (r.enable_mbm)
    w.member("enableMBM", true);
  if (r.enable_monitoring)
    w.member("enableMonitoring", true);
  w.end_object();
}

void write_linux(JsonWriter& w, const Linux& l) {
  w.key("linux").begin_object();
  id_mappings_member(w, "uidMappings", l.uid_mappings);
  id_mappings_member(w, "gidMappings", l.gid_mappings);
  string_map_member(w, "sysctl", l.sysctl);
  if (l.resources)
    write_resources(w, *l.resources);
  string_member(w, "cgroupsPath", l.cgroups_path);
  if (!l.namespaces.empty()) {
    w.key("namespaces").begin_array();
    for (const Namespace& ns : l.namespaces) {
      w.begin_object().member("type", to_string(ns.type));
      string_member(w, "path", ns.path);
      w.end_object();
    }
    w.end_array();
  }
  if (!l.devices.empty()) {
    w.key("devices").begin_array();
    for (const Device& d : l.devices) {
      w.begin_object().member("path", d.path).member("type", d.type);
      w.member("major", d.major).member("minor", d.minor);
      optional_member(w, "fileMode", d.file_mode);
      optional_member(w, "uid", d.uid);
      optional_member(w, "gid", d.gid);
      w.end_object();
    }
    w.end_array();
  }
  if (!l.net_devices.empty()) {
    w.key("netDevices").begin_object();
    for (const auto& [host_name, device] : l.net_devices) {
      w.key(host_name).begin_object();
      string_member(w, "name", device.name);
      w.end_object();
    }
    w.end_object();
  }
  if (l.seccomp)
    write_seccomp(w, *l.seccomp);
  string_member(w, "rootfsPropagation", l.rootfs_propagation);
  strings_member(w, "maskedPaths", l.masked_paths);
  strings_member(w, "readonlyPaths", l.readonly_paths);
  string_member(w, "mountLabel", l.mount_label);
  if (l.intel_rdt)
    write_intel_rdt(w, *l.intel_rdt);
  if (l.memory_policy) {
    w.key("memoryPolicy").begin_object().member("mode", l.memory_policy->mode);
    string_member(w, "nodes", l.memory_policy->nodes);
    strings_member(w, "flags", l.memory_policy->flags);
    w.end_object();
  }
  if (l.personality) {
    w.key("personality").begin_object().member("domain", l.personality->domain);
    strings_member(w, "flags", l.personality->flags);
    w.end_object();
  }
  if (!l.time_offsets.empty()) {
    w.key("timeOffsets").begin_object();
    for (const auto& [clock, offset] : l.time_offsets) {
      w.key(clock).begin_object();
      if (offset.secs != 0)
        w.member("secs", offset.secs);
      if (offset.nanosecs != 0)
        w.member("nanosecs", offset.nanosecs);
      w.end_object();
    }
    w.end_object();
  }
  w.end_object();
}

}  // namespace

std::string to_json(const Config& config, int indent) {
  JsonWriter w(indent);
  w.begin_object().member("ociVersion", config.oci_version);
  if (config.process)
    write_process(w, *config.process);
  if (config.root) {
    w.key("root").begin_object().member("path", config.root->path);
    if (config.root->readonly)
      w.member("readonly", true);
    w.end_object();
  }
  string_member(w, "hostname", config.hostname);
  string_member(w, "domainname", config.domainname);
  write_mounts(w, config.mounts);
  if (config.hooks)
    write_hooks(w, *config.hooks);
  string_map_member(w, "annotations", config.annotations);
  if (config.linux_)
    write_linux(w, *config.linux_);
  w.end_object();
  return std::move(w).str();
}

}  // namespace ocistart::spec
