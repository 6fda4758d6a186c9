// default_config(): the config.json that `ocistart spec` writes — runc's example spec
// (libcontainer/specconv/example.go) in substance, and its ToRootless() for --rootless.
#include "spec/default_spec.h"

#include <linux/magic.h>
#include <sys/vfs.h>

#include "build_config.h"

namespace ocistart::spec {
namespace {

// Like runc, a cgroup namespace is only part of the default on a pure cgroup v2 host,
// where the container then sees its own cgroup as the root of /sys/fs/cgroup.
bool cgroup2_unified() {
  struct statfs fs {};
  return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == static_cast<decltype(fs.f_type)>(CGROUP2_SUPER_MAGIC);
}

Mount make_mount(std::string destination, std::string type, std::string source, std::vector<std::string> options) {
  Mount m;
  m.destination = std::move(destination);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

}  // namespace

Config default_config(bool rootless, uint32_t uid, uint32_t gid) {
  Config c;
  c.oci_version = OCISTART_OCI_VERSION;
  c.root = Root{"rootfs", true};

  Process p;
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  Capabilities capabilities;
  capabilities.bounding = caps;
  capabilities.effective = caps;
  capabilities.permitted = caps;
  capabilities.ambient = caps;
  p.capabilities = std::move(capabilities);
  p.rlimits = {Rlimit{"RLIMIT_NOFILE", 1024, 1024}};
  p.no_new_privileges = true;
  c.process = std::move(p);

  c.hostname = "ocistart";
  c.mounts = {
      make_mount("/proc", "proc", "proc", {}),
      make_mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      make_mount("/dev/pts", "devpts", "devpts",
                 {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      make_mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      make_mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      make_mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      make_mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };

  Linux l;
  l.masked_paths = {
      "/proc/acpi",       "/proc/asound",      "/proc/kcore",       "/proc/keys",    "/proc/latency_stats",
      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
  };
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  Resources resources;
  DeviceCgroupRule deny_all;
  deny_all.allow = false;
  deny_all.access = "rwm";
  resources.devices = {deny_all};
  l.resources = std::move(resources);
  l.namespaces = {{NamespaceType::pid, ""},
                  {NamespaceType::network, ""},
                  {NamespaceType::ipc, ""},
                  {NamespaceType::uts, ""},
                  {NamespaceType::mount, ""}};
  if (cgroup2_unified())
    l.namespaces.push_back({NamespaceType::cgroup, ""});

  if (rootless) {
    // No network namespace (an unprivileged user cannot set one up usefully), a user
    // namespace mapping root to the caller, /sys bound from the host (sysfs cannot be
    // mounted without owning the network namespace), no uid=/gid= mount options (the ids
    // would not be mapped) and no cgroup resources (not delegated).
    std::vector<Namespace> namespaces;
    for (const Namespace& ns : l.namespaces)
      if (ns.type != NamespaceType::network && ns.type != NamespaceType::user)
        namespaces.push_back(ns);
    namespaces.push_back({NamespaceType::user, ""});
    l.namespaces = std::move(namespaces);
    l.uid_mappings = {IdMapping{0, uid, 1}};
    l.gid_mappings = {IdMapping{0, gid, 1}};
    for (Mount& m : c.mounts) {
      if (m.destination == "/sys") {
        m = make_mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"});
        continue;
      }
      std::vector<std::string> options;
      for (std::string& o : m.options)
        if (!o.starts_with("uid=") && !o.starts_with("gid="))
          options.push_back(std::move(o));
      m.options = std::move(options);
    }
    l.resources.reset();
  }
  c.linux_ = std::move(l);
  return c;
}

}  // namespace ocistart::spec
