// Pure mount planning: option words -> MS_* flags, propagation, recursive attributes, data.
// The option table follows runc's (libcontainer/specconv) and mount(8).
#include "linux/mount_plan.h"

#include <sys/mount.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace ocistart::os {

using util::Result;
using util::Status;

namespace {

struct FlagOption {
  std::string_view name;
  bool clear;  // the word clears the flag ("rw" clears MS_RDONLY)
  unsigned long flag;
};

// "bind", "rbind", "remount" and "defaults" are handled separately.
constexpr FlagOption kFlagOptions[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"relatime", false, MS_RELATIME},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
    {"symfollow", true, MS_NOSYMFOLLOW},
};

struct AttrOption {
  std::string_view name;
  bool clear;
  uint64_t attr;
};

constexpr AttrOption kAttrOptions[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},
    {"rnorelatime", true, MOUNT_ATTR_RELATIME},
    {"rnoatime", false, MOUNT_ATTR_NOATIME},
    {"ratime", true, MOUNT_ATTR_NOATIME},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", true, MOUNT_ATTR_STRICTATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

struct PropagationOption {
  std::string_view name;
  unsigned long flags;
};

constexpr PropagationOption kPropagationOptions[] = {
    {"rprivate", MS_PRIVATE | MS_REC},       {"private", MS_PRIVATE},
    {"rslave", MS_SLAVE | MS_REC},           {"slave", MS_SLAVE},
    {"rshared", MS_SHARED | MS_REC},         {"shared", MS_SHARED},
    {"runbindable", MS_UNBINDABLE | MS_REC}, {"unbindable", MS_UNBINDABLE},
};

constexpr unsigned long kAtimeFlags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME;

std::string in_backticks(std::string_view s) {
  std::string out("`");
  out.append(s).append("`");
  return out;
}

bool has_option(std::string_view data, std::string_view key_eq) {
  size_t pos = 0;
  while (pos <= data.size()) {
    size_t end = data.find(',', pos);
    if (end == std::string_view::npos)
      end = data.size();
    if (data.substr(pos, end - pos).starts_with(key_eq))
      return true;
    pos = end + 1;
  }
  return false;
}

void append_option(std::string& data, std::string_view option) {
  if (!data.empty())
    data.push_back(',');
  data.append(option);
}

bool has_user_namespace(const spec::Config& config) {
  if (!config.linux_)
    return false;
  return std::any_of(config.linux_->namespaces.begin(), config.linux_->namespaces.end(),
                     [](const spec::Namespace& ns) { return ns.type == spec::NamespaceType::user; });
}

}  // namespace

std::optional<unsigned long> propagation_flags(std::string_view option) {
  for (const PropagationOption& p : kPropagationOptions)
    if (p.name == option)
      return p.flags;
  return std::nullopt;
}

Result<MountStep> plan_mount(const spec::Mount& mount, const std::vector<spec::IdMapping>& container_uid_mappings,
                             const std::vector<spec::IdMapping>& container_gid_mappings) {
  const std::string context = "mount " + in_backticks(mount.destination);
  MountStep step;
  step.source = mount.source;
  step.destination = clean_relative_path(mount.destination);
  step.type = mount.type;
  if (step.destination.empty())
    return util::make_error(context + ": cannot mount over the container's root", EINVAL);

  unsigned long set = 0, cleared = 0;
  bool bind = mount.type == "bind", recursive = false, remount = false;
  bool explicit_idmap = false;
  for (const std::string& option : mount.options) {
    if (option == "bind") {
      bind = true;
      continue;
    }
    if (option == "rbind") {
      bind = recursive = true;
      continue;
    }
    if (option == "remount") {
      remount = true;
      continue;
    }
    if (option == "defaults")
      continue;
    if (option == "idmap" || option == "ridmap") {
      explicit_idmap = true;
      step.idmap = option == "ridmap" ? IdmapMode::ridmap : IdmapMode::idmap;
      continue;
    }
    if (option == "tmpcopyup") {
      step.tmpcopyup = mount.type == "tmpfs";
      continue;
    }
    const FlagOption* flag = std::find_if(std::begin(kFlagOptions), std::end(kFlagOptions),
                                          [&](const FlagOption& f) { return f.name == option; });
    if (flag != std::end(kFlagOptions)) {
      if (flag->clear) {
        set &= ~flag->flag;
        cleared |= flag->flag;
      } else {
        set |= flag->flag;
        cleared &= ~flag->flag;
      }
      continue;
    }
    if (std::optional<unsigned long> p = propagation_flags(option)) {
      step.propagation.push_back(*p);
      continue;
    }
    const AttrOption* attr = std::find_if(std::begin(kAttrOptions), std::end(kAttrOptions),
                                          [&](const AttrOption& a) { return a.name == option; });
    if (attr != std::end(kAttrOptions)) {
      if (attr->clear) {
        step.attr_clr |= attr->attr;
        step.attr_set &= ~attr->attr;
      } else {
        step.attr_set |= attr->attr;
        step.attr_clr &= ~attr->attr;
      }
      // mount_setattr(2): an access-time value is set by clearing the whole atime field.
      if ((attr->attr & MOUNT_ATTR__ATIME) == attr->attr)
        step.attr_clr |= MOUNT_ATTR__ATIME;
      continue;
    }
    append_option(step.data, option);
  }
  step.bind = bind;
  step.recursive = recursive;
  step.requested_flags = set;
  step.cleared_flags = cleared;
  if (remount)
    set |= MS_REMOUNT;

  if (bind) {
    step.type = "bind";
    step.flags = MS_BIND | (recursive ? MS_REC : 0);
    // The first MS_BIND ignores every other flag; a second MS_BIND|MS_REMOUNT applies them.
    // Nothing asked (not even "rw"): keep the source's flags, as runc does.
    if ((set & ~MS_REMOUNT) != 0 || cleared != 0)
      step.remount_flags = (set & ~MS_REC) | MS_BIND | MS_REMOUNT;
  } else {
    step.flags = set;
    // tmpfs and /dev are populated after mounting (mount points, device nodes), so a
    // read-only one is mounted rw and remounted read-only in finalize_rootfs.
    if ((set & MS_RDONLY) && (mount.type == "tmpfs" || step.destination == "dev")) {
      step.flags &= ~MS_RDONLY;
      step.readonly_later_flags = (set & ~(MS_REMOUNT)) | MS_REMOUNT | MS_BIND | MS_RDONLY;
    }
    if (mount.type == "devpts") {
      // One devpts instance per container (the default on Linux >= 4.7, spelled out for
      // older kernels); ptmx must be usable through the /dev/ptmx -> pts/ptmx link.
      if (!has_option(step.data, "newinstance"))
        append_option(step.data, "newinstance");
      if (!has_option(step.data, "ptmxmode="))
        append_option(step.data, "ptmxmode=0666");
    }
  }

  const bool has_mappings = !mount.uid_mappings.empty() || !mount.gid_mappings.empty();
  if (has_mappings && !explicit_idmap)
    step.idmap = IdmapMode::idmap;
  if (step.idmap != IdmapMode::none) {
    if (!bind)
      return util::make_error(context + ": idmapped mounts are supported for bind mounts only", EINVAL);
    if (has_mappings) {
      if (mount.uid_mappings.empty() || mount.gid_mappings.empty())
        return util::make_error(context + ": uidMappings and gidMappings go together", EINVAL);
      step.uid_mappings = mount.uid_mappings;
      step.gid_mappings = mount.gid_mappings;
    } else if (!container_uid_mappings.empty() && !container_gid_mappings.empty()) {
      step.uid_mappings = container_uid_mappings;
      step.gid_mappings = container_gid_mappings;
    } else {
      return util::make_error(context + ": `idmap` needs uidMappings and gidMappings or a user namespace", EINVAL);
    }
  }
  return step;
}

Result<std::vector<MountStep>> plan_mounts(const spec::Config& config) {
  std::vector<spec::IdMapping> uid_maps, gid_maps;
  if (has_user_namespace(config)) {
    uid_maps = config.linux_->uid_mappings;
    gid_maps = config.linux_->gid_mappings;
  }
  std::vector<MountStep> steps;
  steps.reserve(config.mounts.size());
  for (const spec::Mount& m : config.mounts) {
    Result<MountStep> step = plan_mount(m, uid_maps, gid_maps);
    if (!step)
      return std::move(step).error();
    steps.push_back(std::move(*step));
  }
  return steps;
}

Result<RootPropagation> plan_root_propagation(const spec::Config& config) {
  RootPropagation plan;
  unsigned long configured = 0;
  if (config.linux_ && !config.linux_->rootfs_propagation.empty()) {
    std::optional<unsigned long> flags = propagation_flags(config.linux_->rootfs_propagation);
    if (!flags)
      return util::make_error("unknown rootfsPropagation " + in_backticks(config.linux_->rootfs_propagation), EINVAL);
    configured = *flags;
  }
  plan.root_flags = configured != 0 ? configured : (MS_SLAVE | MS_REC);
  // pivot_root refuses a shared parent mount, and the self-bind of the rootfs would
  // propagate to the host through one. After the default's rslave (or a slave) it is a
  // slave already and stays one, as with runc: a host mount under the rootfs, and its
  // unmount, still reach the container. Only the shared kinds need it made private.
  plan.parent_flags = (configured == 0 || (configured & MS_SLAVE)) ? MS_SLAVE : MS_PRIVATE;
  // Applying shared/unbindable to "/" before pivot_root would change the host's mount when
  // the rootfs sits on a shared one; after it, "/" is the container's own mount.
  if (configured != 0 && (configured & (MS_PRIVATE | MS_SLAVE)) == 0)
    plan.after_pivot_flags = configured;
  return plan;
}

std::vector<DeviceNode> plan_devices(const spec::Config& config) {
  static const DeviceNode kDefaults[] = {
      {"dev/null", 'c', 1, 3, 0666, 0, 0},    {"dev/zero", 'c', 1, 5, 0666, 0, 0},
      {"dev/full", 'c', 1, 7, 0666, 0, 0},    {"dev/random", 'c', 1, 8, 0666, 0, 0},
      {"dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"dev/tty", 'c', 5, 0, 0666, 0, 0},
  };
  std::vector<DeviceNode> configured;
  if (config.linux_) {
    for (const spec::Device& d : config.linux_->devices) {
      DeviceNode node;
      node.path = clean_relative_path(d.path);
      if (node.path.empty() || node.path == "dev/ptmx")
        continue;
      node.type = d.type == "u" ? 'c' : (d.type.empty() ? 'c' : d.type[0]);
      node.major = d.major;
      node.minor = d.minor;
      node.mode = d.file_mode ? static_cast<mode_t>(*d.file_mode & 07777) : 0666;
      node.uid = d.uid.value_or(0);
      node.gid = d.gid.value_or(0);
      configured.push_back(std::move(node));
    }
  }
  std::vector<DeviceNode> out;
  for (const DeviceNode& d : kDefaults) {
    bool overridden =
        std::any_of(configured.begin(), configured.end(), [&](const DeviceNode& c) { return c.path == d.path; });
    if (!overridden)
      out.push_back(d);
  }
  out.insert(out.end(), configured.begin(), configured.end());
  return out;
}

bool needs_dev_setup(const std::vector<MountStep>& steps) {
  return std::none_of(steps.begin(), steps.end(), [](const MountStep& s) { return s.bind && s.destination == "dev"; });
}

Status check_proc_destination(std::string_view container_path, const MountStep& step, bool source_is_procfs) {
  static constexpr std::string_view kAllowed[] = {
      "proc/cpuinfo",
      "proc/diskstats",
      "proc/meminfo",
      "proc/stat",
      "proc/swaps",
      "proc/uptime",
      "proc/loadavg",
      "proc/slabinfo",
      "proc/sys/kernel/ns_last_pid",
      "proc/sys/crypto/fips_enabled",
  };
  std::string path = clean_relative_path(container_path);
  if (path != "proc" && !path.starts_with("proc/"))
    return {};
  if (path == "proc") {
    if (step.type == "proc" || (step.bind && source_is_procfs))
      return {};
    return util::make_error("`/proc` cannot be mounted over except by a proc file system", EPERM);
  }
  for (std::string_view allowed : kAllowed)
    if (path == allowed)
      return {};
  return util::make_error(in_backticks("/" + path) + " cannot be mounted because it is inside /proc", EPERM);
}

std::string mount_flags_to_string(unsigned long flags) {
  static constexpr std::pair<unsigned long, std::string_view> kNames[] = {
      {MS_RDONLY, "MS_RDONLY"},
      {MS_NOSUID, "MS_NOSUID"},
      {MS_NODEV, "MS_NODEV"},
      {MS_NOEXEC, "MS_NOEXEC"},
      {MS_SYNCHRONOUS, "MS_SYNCHRONOUS"},
      {MS_REMOUNT, "MS_REMOUNT"},
      {MS_MANDLOCK, "MS_MANDLOCK"},
      {MS_DIRSYNC, "MS_DIRSYNC"},
      {MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW"},
      {MS_NOATIME, "MS_NOATIME"},
      {MS_NODIRATIME, "MS_NODIRATIME"},
      {MS_BIND, "MS_BIND"},
      {MS_MOVE, "MS_MOVE"},
      {MS_REC, "MS_REC"},
      {MS_SILENT, "MS_SILENT"},
      {MS_POSIXACL, "MS_POSIXACL"},
      {MS_UNBINDABLE, "MS_UNBINDABLE"},
      {MS_PRIVATE, "MS_PRIVATE"},
      {MS_SLAVE, "MS_SLAVE"},
      {MS_SHARED, "MS_SHARED"},
      {MS_RELATIME, "MS_RELATIME"},
      {MS_I_VERSION, "MS_I_VERSION"},
      {MS_STRICTATIME, "MS_STRICTATIME"},
      {MS_LAZYTIME, "MS_LAZYTIME"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) {
      append_option(out, name);
      flags &= ~bit;
    }
  }
  if (flags != 0) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%#lx", flags);
    append_option(out, buf);
  }
  std::replace(out.begin(), out.end(), ',', '|');
  return out.empty() ? "0" : out;
}

std::string mount_attr_to_string(uint64_t attrs) {
  static constexpr std::pair<uint64_t, std::string_view> kNames[] = {
      {MOUNT_ATTR_RDONLY, "MOUNT_ATTR_RDONLY"},
      {MOUNT_ATTR_NOSUID, "MOUNT_ATTR_NOSUID"},
      {MOUNT_ATTR_NODEV, "MOUNT_ATTR_NODEV"},
      {MOUNT_ATTR_NOEXEC, "MOUNT_ATTR_NOEXEC"},
      {MOUNT_ATTR__ATIME, "MOUNT_ATTR__ATIME"},
      {MOUNT_ATTR_NOATIME, "MOUNT_ATTR_NOATIME"},
      {MOUNT_ATTR_STRICTATIME, "MOUNT_ATTR_STRICTATIME"},
      {MOUNT_ATTR_NODIRATIME, "MOUNT_ATTR_NODIRATIME"},
      {MOUNT_ATTR_IDMAP, "MOUNT_ATTR_IDMAP"},
      {MOUNT_ATTR_NOSYMFOLLOW, "MOUNT_ATTR_NOSYMFOLLOW"},
  };
  std::string out;
  for (const auto& [bits, name] : kNames) {
    if ((attrs & bits) == bits) {
      if (!out.empty())
        out.push_back('|');
      out.append(name);
      attrs &= ~bits;
    }
  }
  if (attrs != 0) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%#llx", static_cast<unsigned long long>(attrs));
    if (!out.empty())
      out.push_back('|');
    out.append(buf);
  }
  return out.empty() ? "0" : out;
}

}  // namespace ocistart::os
