// Running inside a systemd unit with Delegate=yes (ExecStart= of ocistart@.service): the
// unit's cgroup subtree is ours to manage, so the container goes into a child cgroup of it
// rather than into a scope of its own elsewhere in the tree.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ocistart::cgroups {

/// The cgroup systemd placed a process in, from the text of /proc/<pid>/cgroup: the
/// `name=systemd` hierarchy's path on legacy and hybrid hosts, the `0::` one on unified
/// hosts; nullopt when neither is there. Pure.
[[nodiscard]] std::optional<std::string> systemd_cgroup_from_proc(std::string_view proc_cgroup);

/// The cgroup (as /proc/self/cgroup names it, "/system.slice/ocistart@web.service") of the
/// unit we run in, when systemd delegated it to us: systemd marks a delegated unit's cgroup
/// with the extended attribute trusted.delegate (or user.delegate) "1". nullopt otherwise.
[[nodiscard]] std::optional<std::string> delegated_cgroup(const std::string& mount_root = "/sys/fs/cgroup");

/// On cgroup v2 a cgroup with processes cannot hand controllers to its children: we move
/// ourselves from the unit's cgroup into its child "supervisor" first, so the container's
/// sibling cgroup can have them. Nothing to do on v1 and hybrid hosts (controllers on v1).
[[nodiscard]] util::Status leave_delegated_root(const std::string& delegated,
                                                const std::string& mount_root = "/sys/fs/cgroup");

}  // namespace ocistart::cgroups
