// validate(): linux.* except resources — namespaces, id mappings, time offsets, devices,
// network devices, sysctl, masked/read-only paths, propagation, Intel RDT, personality,
// memory policy and seccomp.
#include <cstdint>

#include "spec/names.h"
#include "spec/validate.h"
#include "spec/validate_internal.h"

namespace ocistart::spec::detail {
namespace {

using util::Status;

constexpr std::string_view kLinux = "/linux";

Status check_namespaces(const Linux& linux_config) {
  std::string base = ptr(kLinux, "namespaces");
  bool seen[8] = {};
  for (size_t i = 0; i < linux_config.namespaces.size(); ++i) {
    const Namespace& ns = linux_config.namespaces[i];
    auto t = static_cast<size_t>(ns.type);
    if (t < std::size(seen)) {
      if (seen[t])
        return invalid(ptr(ptr(base, i), "type"), std::string("duplicate namespace type ") + quote(to_string(ns.type)));
      seen[t] = true;
    }
    if (!ns.path.empty())
      if (Status s = check_absolute(ptr(ptr(base, i), "path"), ns.path); !s)
        return s;
  }
  return {};
}

bool mapped(const std::vector<IdMapping>& maps, uint32_t id) {
  for (const IdMapping& m : maps)
    if (id >= m.container_id && id - m.container_id < m.size)
      return true;
  return false;
}

// The process's ids must exist in the new user namespace: setresuid to an unmapped uid
// fails only at `start`, after create has reported success (runc refuses it up front too).
Status check_user_is_mapped(const Config& config) {
  if (!config.process)
    return {};
  const User& u = config.process->user;
  const Linux& l = *config.linux_;
  if (!mapped(l.uid_mappings, u.uid))
    return invalid("/process/user/uid", "uid " + std::to_string(u.uid) + " is not mapped in /linux/uidMappings");
  if (!mapped(l.gid_mappings, u.gid))
    return invalid("/process/user/gid", "gid " + std::to_string(u.gid) + " is not mapped in /linux/gidMappings");
  for (size_t i = 0; i < u.additional_gids.size(); ++i)
    if (!mapped(l.gid_mappings, u.additional_gids[i]))
      return invalid(ptr("/process/user/additionalGids", i),
                     "gid " + std::to_string(u.additional_gids[i]) + " is not mapped in /linux/gidMappings");
  return {};
}

Status check_user_namespace(const Config& config) {
  const Linux& l = *config.linux_;
  if (Status s = check_id_mappings(ptr(kLinux, "uidMappings"), l.uid_mappings); !s)
    return s;
  if (Status s = check_id_mappings(ptr(kLinux, "gidMappings"), l.gid_mappings); !s)
    return s;
  const Namespace* user = find_namespace(config, NamespaceType::user);
  bool has_uid = !l.uid_mappings.empty(), has_gid = !l.gid_mappings.empty();
  if (!user) {
    if (has_uid)
      return invalid("/linux/uidMappings", "mappings need a user namespace in /linux/namespaces");
    if (has_gid)
      return invalid("/linux/gidMappings", "mappings need a user namespace in /linux/namespaces");
    return {};
  }
  // Joining a user namespace by path brings its mappings; creating one needs both.
  if (user->path.empty() && !has_uid)
    return invalid("/linux/uidMappings", "required when creating a user namespace");
  if (user->path.empty() && !has_gid)
    return invalid("/linux/gidMappings", "required when creating a user namespace");
  if (has_uid != has_gid)
    return invalid(has_uid ? "/linux/gidMappings" : "/linux/uidMappings",
                   has_uid ? "required with uidMappings" : "required with gidMappings");
  return has_uid ? check_user_is_mapped(config) : Status{};
}

Status check_time_offsets(const Config& config) {
  const Linux& l = *config.linux_;
  if (l.time_offsets.empty())
    return {};
  std::string base = ptr(kLinux, "timeOffsets");
  for (const auto& [clock, offset] : l.time_offsets) {
    if (clock != "monotonic" && clock != "boottime")
      return invalid(ptr(base, clock), "unknown clock " + quote(clock) + ": only monotonic and boottime have offsets");
    if (offset.nanosecs >= 1000000000u)
      return invalid(ptr(ptr(base, clock), "nanosecs"), "must be less than 1000000000");
  }
  const Namespace* time = find_namespace(config, NamespaceType::time);
  if (!time)
    return invalid(base, "offsets need a time namespace in /linux/namespaces");
  if (!time->path.empty())
    return invalid(base, "offsets cannot be set when joining the time namespace at " + quote(time->path));
  return {};
}

Status check_devices(const Linux& l) {
  std::string base = ptr(kLinux, "devices");
  for (size_t i = 0; i < l.devices.size(); ++i) {
    const Device& d = l.devices[i];
    std::string dev = ptr(base, i);
    if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p")
      return invalid(ptr(dev, "type"), "unknown device type " + quote(d.type) + ": must be c, b, u or p");
    if (d.path.empty())
      return invalid(ptr(dev, "path"), "required member missing");
    if (Status s = check_absolute(ptr(dev, "path"), d.path); !s)
      return s;
    if (d.type != "p") {
      if (d.major < 0)
        return invalid(ptr(dev, "major"), "must not be negative");
      if (d.minor < 0)
        return invalid(ptr(dev, "minor"), "must not be negative");
    }
  }
  return {};
}

// dev_valid_name() of the kernel: 1..15 bytes, not "." or "..", no '/', ':' or space.
bool is_interface_name(std::string_view name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..")
    return false;
  for (char c : name)
    if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
      return false;
  return true;
}

Status check_net_devices(const Config& config) {
  const Linux& l = *config.linux_;
  if (l.net_devices.empty())
    return {};
  std::string base = ptr(kLinux, "netDevices");
  if (!find_namespace(config, NamespaceType::network))
    return invalid(base, "moving network devices needs a network namespace in /linux/namespaces");
  for (const auto& [host_name, device] : l.net_devices) {
    if (!is_interface_name(host_name))
      return invalid(ptr(base, host_name), "invalid network interface name " + quote(host_name));
    if (!device.name.empty() && !is_interface_name(device.name))
      return invalid(ptr(ptr(base, host_name), "name"), "invalid network interface name " + quote(device.name));
  }
  return {};
}

// Which namespace isolates a sysctl, as runc and crun decide it. The '/' separator of
// sysctl.d(5) is accepted in place of '.'.
Status check_sysctl(const Config& config) {
  const Linux& l = *config.linux_;
  std::string base = ptr(kLinux, "sysctl");
  for (const auto& [key, value] : l.sysctl) {
    std::string pointer = ptr(base, key);
    if (key.empty())
      return invalid(pointer, "sysctl names must not be empty");
    std::string name = key;
    size_t sep = name.find_first_of("./");
    if (sep != std::string::npos && name[sep] == '/')
      for (char& c : name)
        c = c == '/' ? '.' : c == '.' ? '/' : c;
    auto needs = [&](NamespaceType type, const char* what) -> Status {
      if (find_namespace(config, type))
        return {};
      return invalid(pointer, "sysctl " + quote(name) + " needs " + what + " namespace in /linux/namespaces");
    };
    static const std::vector<std::string_view> ipc = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    };
    std::string_view n = name;
    Status s;
    if (one_of(ipc, n) || n.starts_with("fs.mqueue."))
      s = needs(NamespaceType::ipc, "an ipc");
    else if (n.starts_with("net."))
      s = needs(NamespaceType::network, "a network");
    else if (n.starts_with("user."))
      s = needs(NamespaceType::user, "a user");
    else if (n == "kernel.domainname")
      s = needs(NamespaceType::uts, "a uts");
    else if (n == "kernel.hostname")
      return invalid(pointer, "sysctl \"kernel.hostname\" conflicts with /hostname: set that instead");
    else
      return invalid(pointer,
                     "sysctl " + quote(name) + " is not isolated by any namespace: setting it would change the host");
    if (!s)
      return s;
  }
  return {};
}

Status check_paths(const Config& config) {
  const Linux& l = *config.linux_;
  const std::pair<const char*, const std::vector<std::string>*> lists[] = {{"maskedPaths", &l.masked_paths},
                                                                           {"readonlyPaths", &l.readonly_paths}};
  for (const auto& [name, list] : lists) {
    std::string base = ptr(kLinux, name);
    for (size_t i = 0; i < list->size(); ++i)
      if (Status s = check_absolute(ptr(base, i), (*list)[i]); !s)
        return s;
    if (!list->empty() && !find_namespace(config, NamespaceType::mount))
      return invalid(base, "needs a mount namespace in /linux/namespaces");
  }
  static const std::vector<std::string_view> propagation = {
      "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable",
  };
  if (!l.rootfs_propagation.empty() && !one_of(propagation, l.rootfs_propagation))
    return invalid("/linux/rootfsPropagation", "unknown propagation " + quote(l.rootfs_propagation));
  return {};
}

Status check_intel_rdt(const IntelRdt& rdt) {
  std::string base = ptr(kLinux, "intelRdt");
  const std::string& clos = rdt.clos_id;
  // "/" alone is the default CLOS (the resctrl root); other names are one directory.
  if (clos == "." || clos == ".." || (clos.size() > 1 && clos.find('/') != std::string::npos))
    return invalid(ptr(base, "closID"), "invalid CLOS id " + quote(clos));
  if (rdt.l3_cache_schema.find('\n') != std::string::npos)
    return invalid(ptr(base, "l3CacheSchema"), "must not contain a newline");
  if (!rdt.mem_bw_schema.empty()) {
    if (!rdt.mem_bw_schema.starts_with("MB:"))
      return invalid(ptr(base, "memBwSchema"), "must start with \"MB:\"");
    if (rdt.mem_bw_schema.find('\n') != std::string::npos)
      return invalid(ptr(base, "memBwSchema"), "must not contain a newline");
  }
  for (size_t i = 0; i < rdt.schemata.size(); ++i)
    if (rdt.schemata[i].find('\n') != std::string::npos)
      return invalid(ptr(ptr(base, "schemata"), i), "must not contain a newline");
  return {};
}

Status check_memory_policy(const MemoryPolicy& mp) {
  std::string base = ptr(kLinux, "memoryPolicy");
  if (mp.mode.empty())
    return invalid(ptr(base, "mode"), "required member missing");
  std::optional<int> mode = memory_policy_mode_from_name(mp.mode);
  if (!mode)
    return invalid(ptr(base, "mode"), "unknown memory policy mode " + quote(mp.mode));
  long nodes = 0;
  if (!mp.nodes.empty()) {
    nodes = count_cpu_list(mp.nodes);
    if (nodes < 0)
      return invalid(ptr(base, "nodes"), quote(mp.nodes) + " is not a node list like \"0-3,7\"");
  }
  // set_mempolicy(2): DEFAULT and LOCAL take no nodes, PREFERRED any number, the others
  // at least one.
  if ((mp.mode == "MPOL_DEFAULT" || mp.mode == "MPOL_LOCAL") && nodes != 0)
    return invalid(ptr(base, "nodes"), mp.mode + " takes no nodes");
  if (mp.mode != "MPOL_DEFAULT" && mp.mode != "MPOL_LOCAL" && mp.mode != "MPOL_PREFERRED" && nodes == 0)
    return invalid(ptr(base, "nodes"), mp.mode + " needs at least one node");
  bool is_static = false, is_relative = false;
  for (size_t i = 0; i < mp.flags.size(); ++i) {
    if (!memory_policy_flag_from_name(mp.flags[i]))
      return invalid(ptr(ptr(base, "flags"), i), "unknown memory policy flag " + quote(mp.flags[i]));
    is_static = is_static || mp.flags[i] == "MPOL_F_STATIC_NODES";
    is_relative = is_relative || mp.flags[i] == "MPOL_F_RELATIVE_NODES";
  }
  if (is_static && is_relative)
    return invalid(ptr(base, "flags"), "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
  return {};
}

}  // namespace

util::Status validate_seccomp(std::string_view pointer, const Seccomp& sc) {
  auto takes_errno = [](std::string_view action) { return action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE"; };
  std::string def = ptr(pointer, "defaultAction");
  if (sc.default_action.empty())
    return invalid(def, "required member missing");
  if (!one_of(seccomp_action_names(), sc.default_action))
    return invalid(def, "unknown seccomp action " + quote(sc.default_action));
  if (sc.default_action == "SCMP_ACT_NOTIFY")
    return invalid(def, "SCMP_ACT_NOTIFY cannot be the default action");
  if (sc.default_errno_ret && !takes_errno(sc.default_action))
    return invalid(ptr(pointer, "defaultErrnoRet"),
                   "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not " + sc.default_action);
  for (size_t i = 0; i < sc.architectures.size(); ++i)
    if (!one_of(seccomp_arch_names(), sc.architectures[i]))
      return invalid(ptr(ptr(pointer, "architectures"), i),
                     "unknown seccomp architecture " + quote(sc.architectures[i]));
  for (size_t i = 0; i < sc.flags.size(); ++i)
    if (!one_of(seccomp_flag_names(), sc.flags[i]))
      return invalid(ptr(ptr(pointer, "flags"), i), "unknown seccomp flag " + quote(sc.flags[i]));
  std::string notify_at;
  std::string calls = ptr(pointer, "syscalls");
  for (size_t i = 0; i < sc.syscalls.size(); ++i) {
    const SeccompSyscall& call = sc.syscalls[i];
    std::string base = ptr(calls, i);
    if (call.names.empty())
      return invalid(ptr(base, "names"), "must contain at least one entry");
    for (size_t k = 0; k < call.names.size(); ++k)
      if (call.names[k].empty())
        return invalid(ptr(ptr(base, "names"), k), "must not be empty");
    if (call.action.empty())
      return invalid(ptr(base, "action"), "required member missing");
    if (!one_of(seccomp_action_names(), call.action))
      return invalid(ptr(base, "action"), "unknown seccomp action " + quote(call.action));
    if (call.action == "SCMP_ACT_NOTIFY" && notify_at.empty())
      notify_at = ptr(base, "action");
    if (call.action == "SCMP_ACT_NOTIFY")
      for (size_t k = 0; k < call.names.size(); ++k)
        if (std::optional<std::string> refused = seccomp_notify_refusal(call.names[k]))
          return invalid(ptr(ptr(base, "names"), k), *refused);
    if (call.errno_ret && !takes_errno(call.action))
      return invalid(ptr(base, "errnoRet"), "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not " + call.action);
    for (size_t k = 0; k < call.args.size(); ++k) {
      const SeccompArg& arg = call.args[k];
      std::string a = ptr(ptr(base, "args"), k);
      if (arg.index >= 6)
        return invalid(ptr(a, "index"), std::to_string(arg.index) + " is not a syscall argument index (0..5)");
      if (arg.op.empty())
        return invalid(ptr(a, "op"), "required member missing");
      if (!one_of(seccomp_operator_names(), arg.op))
        return invalid(ptr(a, "op"), "unknown seccomp operator " + quote(arg.op));
    }
  }
  std::string listener = ptr(pointer, "listenerPath");
  if (!notify_at.empty() && sc.listener_path.empty())
    return invalid(listener, "required when an action is SCMP_ACT_NOTIFY (" + notify_at + ")");
  if (!sc.listener_path.empty())
    if (Status s = check_absolute(listener, sc.listener_path); !s)
      return s;
  if (!sc.listener_metadata.empty() && sc.listener_path.empty())
    return invalid(ptr(pointer, "listenerMetadata"), "must not be set without listenerPath");
  return {};
}

util::Status validate_linux(const Config& config) {
  const Linux& l = *config.linux_;
  if (Status s = check_namespaces(l); !s)
    return s;
  if (Status s = check_user_namespace(config); !s)
    return s;
  if (Status s = check_time_offsets(config); !s)
    return s;
  if (Status s = check_devices(l); !s)
    return s;
  if (Status s = check_net_devices(config); !s)
    return s;
  if (l.resources)
    if (Status s = validate_resources(ptr(kLinux, "resources"), *l.resources); !s)
      return s;
  if (l.intel_rdt)
    if (Status s = check_intel_rdt(*l.intel_rdt); !s)
      return s;
  if (Status s = check_sysctl(config); !s)
    return s;
  if (l.seccomp)
    if (Status s = validate_seccomp(ptr(kLinux, "seccomp"), *l.seccomp); !s)
      return s;
  if (Status s = check_paths(config); !s)
    return s;
  if (l.personality && l.personality->domain != "LINUX" && l.personality->domain != "LINUX32")
    return invalid("/linux/personality/domain",
                   "unknown personality domain " + quote(l.personality->domain) + ": must be LINUX or LINUX32");
  if (l.memory_policy)
    if (Status s = check_memory_policy(*l.memory_policy); !s)
      return s;
  return {};
}

}  // namespace ocistart::spec::detail

namespace ocistart::spec {

std::optional<std::string> seccomp_notify_refusal(std::string_view syscall) {
  if (syscall == "write")
    return "SCMP_ACT_NOTIFY cannot be used for the write syscall";
  return std::nullopt;
}

}  // namespace ocistart::spec
