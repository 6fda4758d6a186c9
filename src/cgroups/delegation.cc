#include "cgroups/delegation.h"

#include <sys/xattr.h>
#include <unistd.h>

#include "cgroups/cgroupfs.h"
#include "util/fs.h"
#include "util/proc_cgroup.h"

namespace ocistart::cgroups {

std::optional<std::string> systemd_cgroup_from_proc(std::string_view proc_cgroup) {
  std::optional<std::string> unified;
  for (util::ProcCgroupEntry& entry : util::parse_proc_cgroup(proc_cgroup)) {
    if (entry.controllers == "name=systemd")  // legacy and hybrid hosts: systemd's own hierarchy
      return std::move(entry.path);
    if (entry.unified())
      unified = std::move(entry.path);
  }
  return unified;  // unified hosts
}

namespace {

bool marked_delegated(const std::string& dir) {
  for (const char* name : {"trusted.delegate", "user.delegate"}) {
    char value[8] = {};
    ssize_t n = ::getxattr(dir.c_str(), name, value, sizeof value - 1);
    if (n > 0 && std::string_view(value, static_cast<size_t>(n)) == "1")
      return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> delegated_cgroup(const std::string& mount_root) {
  util::Result<std::string> text = util::read_file("/proc/self/cgroup");
  if (!text)
    return std::nullopt;
  std::optional<std::string> own = systemd_cgroup_from_proc(*text);
  if (!own || *own == "/" || own->empty())
    return std::nullopt;
  // systemd's hierarchy: the unified mount on v2 and hybrid hosts, name=systemd on v1.
  for (const char* tree : {"", "/unified", "/systemd"})
    if (marked_delegated(mount_root + tree + *own))
      return own;
  return std::nullopt;
}

util::Status leave_delegated_root(const std::string& delegated, const std::string& mount_root) {
  util::Result<Layout> layout = detect_layout(mount_root);
  if (!layout || *layout != Layout::v2)
    return {};
  const std::string supervisor = mount_root + delegated + "/supervisor";
  if (util::Status s = util::mkdir_p(supervisor, 0755); !s)
    return std::move(s).error().wrap("delegated cgroup");
  if (util::Status s = util::write_file(supervisor + "/cgroup.procs", std::to_string(::getpid())); !s)
    return std::move(s).error().wrap("delegated cgroup");
  return {};
}

}  // namespace ocistart::cgroups
