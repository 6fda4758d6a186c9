#include "linux/cgroup_hierarchies.h"

#include <algorithm>
#include <set>

#include "util/mountinfo.h"
#include "util/proc_cgroup.h"
#include "util/text.h"

namespace ocistart::os {

std::vector<CgroupV1Hierarchy> cgroup_v1_hierarchies(std::string_view mountinfo, std::string_view proc_self_cgroup) {
  std::vector<util::ProcCgroupEntry> memberships = util::parse_proc_cgroup(proc_self_cgroup);
  std::erase_if(memberships, [](const util::ProcCgroupEntry& m) {
    return m.controllers.empty();  // the v2 line "0::/path"
  });
  std::vector<CgroupV1Hierarchy> out;
  std::set<std::string> seen;
  for (const util::MountInfo& mi : util::parse_mountinfo(mountinfo).mounts) {
    if (mi.fs_type != "cgroup")
      continue;
    std::vector<std::string_view> super = util::split(mi.super_options, ',');
    for (const util::ProcCgroupEntry& m : memberships) {
      std::vector<std::string_view> controllers = m.controller_list();
      bool all = std::all_of(controllers.begin(), controllers.end(), [&](std::string_view c) {
        return std::find(super.begin(), super.end(), c) != super.end();
      });
      if (!all)
        continue;
      // Our cgroup path is relative to the hierarchy's root; the mount shows mi.root of it.
      std::string_view path = m.path;
      std::string rel;
      if (mi.root == "/" || mi.root == "/.." || mi.root.starts_with("/../")) {
        // "/..": seen from inside a cgroup namespace (the init reads this after unsharing
        // it), a host mount of an ancestor of the namespace's root; our path is relative to
        // that root. The container then gets a fresh mount of the hierarchy, not a bind.
        rel = std::string(path);
      } else if (path == mi.root || path.starts_with(mi.root + "/")) {
        rel = std::string(path.substr(mi.root.size()));
      } else {
        break;  // our cgroup is not visible through this mount
      }
      std::string name = mi.mount_point.substr(mi.mount_point.rfind('/') + 1);
      if (name.empty() || !seen.insert(name).second)
        break;
      std::string source = mi.mount_point;
      if (rel != "/" && !rel.empty())
        source += rel.front() == '/' ? rel : "/" + rel;
      out.push_back({name, source, m.controllers});
      break;
    }
  }
  return out;
}

}  // namespace ocistart::os
