// Where the container's cgroup v1 mount takes each hierarchy from: the host's cgroup
// mounts (mountinfo) matched with our own cgroups (/proc/self/cgroup). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ocistart::os {

/// A cgroup v1 hierarchy as the container sees it.
struct CgroupV1Hierarchy {
  std::string name;         // basename of the host mount point: "memory", "cpu,cpuacct", "systemd"
  std::string source;       // the host directory of our own cgroup in it
  std::string controllers;  // as /proc/self/cgroup names them: "memory", "name=systemd"
};

/// The v1 hierarchies mounted on the host (`mountinfo`, type "cgroup") and our cgroup in
/// each (`proc_self_cgroup`); hierarchies we are not in are skipped; one entry per name.
/// Read inside a cgroup namespace, mounts of its ancestors (root "/..") are kept: `source`
/// is then only right for a fresh mount of the hierarchy, which is what a namespace gets.
[[nodiscard]] std::vector<CgroupV1Hierarchy> cgroup_v1_hierarchies(std::string_view mountinfo,
                                                                   std::string_view proc_self_cgroup);

}  // namespace ocistart::os
