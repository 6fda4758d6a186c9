// default_config(): what `runc spec` and `runc spec --rootless` write (runc's
// libcontainer/specconv/example.go), field by field, without needing runc installed.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "build_config.h"
#include "spec/default_spec.h"

using namespace ocistart::spec;

namespace {

using Strings = std::vector<std::string>;

std::vector<NamespaceType> types_of(const std::vector<Namespace>& namespaces) {
  std::vector<NamespaceType> out;
  for (const Namespace& ns : namespaces) {
    CHECK(ns.path.empty());
    out.push_back(ns.type);
  }
  return out;
}

void check_mount(const Mount& m, const char* destination, const char* type, const char* source,
                 const Strings& options) {
  INFO("mount " << destination);
  CHECK(m.destination == destination);
  CHECK(m.type == type);
  CHECK(m.source == source);
  CHECK(m.options == options);
  CHECK(m.uid_mappings.empty());
  CHECK(m.gid_mappings.empty());
}

const Strings kMasked = {"/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
                         "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                         "/sys/firmware",       "/proc/scsi"};
const Strings kReadonly = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
const Strings kCaps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};

}  // namespace

TEST_CASE("default_config: version, root, hostname") {
  Config c = default_config();
  CHECK(c.oci_version == OCISTART_OCI_VERSION);
  CHECK(c.oci_version == "1.2.1");
  REQUIRE(c.root);
  CHECK(c.root->path == "rootfs");
  CHECK(c.root->readonly);
  CHECK(c.hostname == "ocistart");
  CHECK(c.domainname.empty());
  CHECK_FALSE(c.hooks);
  CHECK(c.annotations.empty());
}

TEST_CASE("default_config: process") {
  Config c = default_config();
  REQUIRE(c.process);
  const Process& p = *c.process;
  CHECK(p.terminal);
  CHECK_FALSE(p.console_size);
  CHECK(p.user.uid == 0);
  CHECK(p.user.gid == 0);
  CHECK_FALSE(p.user.umask);
  CHECK(p.user.additional_gids.empty());
  CHECK(p.args == Strings{"sh"});
  CHECK(p.env == Strings{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
  CHECK(p.cwd == "/");
  REQUIRE(p.capabilities);
  CHECK(p.capabilities->bounding == kCaps);
  CHECK(p.capabilities->effective == kCaps);
  CHECK(p.capabilities->permitted == kCaps);
  CHECK(p.capabilities->ambient == kCaps);
  CHECK(p.capabilities->inheritable.empty());
  REQUIRE(p.rlimits.size() == 1);
  CHECK(p.rlimits[0].type == "RLIMIT_NOFILE");
  CHECK(p.rlimits[0].soft == 1024);
  CHECK(p.rlimits[0].hard == 1024);
  CHECK(p.no_new_privileges);
  CHECK_FALSE(p.oom_score_adj);
  CHECK_FALSE(p.scheduler);
  CHECK(p.apparmor_profile.empty());
  CHECK(p.selinux_label.empty());
}

TEST_CASE("default_config: the seven mounts") {
  Config c = default_config();
  REQUIRE(c.mounts.size() == 7);
  check_mount(c.mounts[0], "/proc", "proc", "proc", {});
  check_mount(c.mounts[1], "/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"});
  check_mount(c.mounts[2], "/dev/pts", "devpts", "devpts",
              {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"});
  check_mount(c.mounts[3], "/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"});
  check_mount(c.mounts[4], "/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"});
  check_mount(c.mounts[5], "/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"});
  check_mount(c.mounts[6], "/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"});
}

TEST_CASE("default_config: linux") {
  Config c = default_config();
  REQUIRE(c.linux_);
  const Linux& l = *c.linux_;
  std::vector<NamespaceType> types = types_of(l.namespaces);
  std::vector<NamespaceType> expected = {NamespaceType::pid, NamespaceType::network, NamespaceType::ipc,
                                         NamespaceType::uts, NamespaceType::mount};
  // runc adds a cgroup namespace on a pure cgroup v2 host.
  if (types.size() == 6) {
    CHECK(types.back() == NamespaceType::cgroup);
    types.pop_back();
  }
  CHECK(types == expected);
  CHECK(l.uid_mappings.empty());
  CHECK(l.gid_mappings.empty());
  CHECK(l.masked_paths == kMasked);
  CHECK(l.readonly_paths == kReadonly);
  REQUIRE(l.resources);
  REQUIRE(l.resources->devices.size() == 1);
  CHECK_FALSE(l.resources->devices[0].allow);
  CHECK(l.resources->devices[0].access == "rwm");
  CHECK(l.resources->devices[0].type.empty());
  CHECK_FALSE(l.resources->devices[0].major);
  CHECK_FALSE(l.resources->devices[0].minor);
  CHECK_FALSE(l.resources->memory);
  CHECK_FALSE(l.resources->cpu);
  CHECK_FALSE(l.seccomp);
  CHECK(l.devices.empty());
  CHECK(l.sysctl.empty());
  CHECK(l.cgroups_path.empty());
  CHECK(l.rootfs_propagation.empty());
}

TEST_CASE("default_config(rootless) is runc's ToRootless()") {
  Config c = default_config(true, 1000, 1001);
  REQUIRE(c.linux_);
  const Linux& l = *c.linux_;
  std::vector<NamespaceType> types = types_of(l.namespaces);
  REQUIRE_FALSE(types.empty());
  CHECK(types.back() == NamespaceType::user);
  types.pop_back();
  if (types.size() == 5) {
    CHECK(types.back() == NamespaceType::cgroup);
    types.pop_back();
  }
  CHECK(types ==
        std::vector<NamespaceType>{NamespaceType::pid, NamespaceType::ipc, NamespaceType::uts, NamespaceType::mount});
  REQUIRE(l.uid_mappings.size() == 1);
  CHECK(l.uid_mappings[0] == IdMapping{0, 1000, 1});
  REQUIRE(l.gid_mappings.size() == 1);
  CHECK(l.gid_mappings[0] == IdMapping{0, 1001, 1});
  CHECK_FALSE(l.resources);
  CHECK(l.masked_paths == kMasked);
  CHECK(l.readonly_paths == kReadonly);

  REQUIRE(c.mounts.size() == 7);
  check_mount(c.mounts[0], "/proc", "proc", "proc", {});
  check_mount(c.mounts[2], "/dev/pts", "devpts", "devpts",
              {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"});
  check_mount(c.mounts[5], "/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"});
  check_mount(c.mounts[6], "/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"});

  // The process is the same as without --rootless.
  Config root = default_config();
  CHECK(c.process->args == root.process->args);
  CHECK(c.process->capabilities->bounding == root.process->capabilities->bounding);
  CHECK(c.process->user.uid == 0);
  CHECK(c.hostname == root.hostname);
}
