// The cgroupfs driver (v1, v2, hybrid) in detail: where the hierarchies are, and the
// options the plain make_cgroupfs_driver() of driver.h fills with defaults.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/driver.h"
#include "util/result.h"

namespace ocistart::cgroups {

/// One cgroup file system mount, from /proc/self/mountinfo.
struct CgroupMount {
  std::string mount_point;  // unescaped ("\040" -> ' ')
  /// The directory of the hierarchy that is mounted ("/" normally). Informational: the
  /// drivers take cgroup paths relative to the mount point, whatever its root.
  std::string root;
  bool v2 = false;  // cgroup2
  /// v1: the controllers of the hierarchy ("cpu", "cpuacct") and/or "name=systemd".
  std::vector<std::string> controllers;

  bool operator==(const CgroupMount&) const = default;
};

/// The cgroup and cgroup2 mounts in `mountinfo` (the text of a mountinfo file), in file
/// order. Pure. Errors: a malformed cgroup line.
[[nodiscard]] util::Result<std::vector<CgroupMount>> parse_cgroup_mounts(std::string_view mountinfo);

/// parse_cgroup_mounts() of the file at `path`.
[[nodiscard]] util::Result<std::vector<CgroupMount>> read_cgroup_mounts(
    const std::string& path = "/proc/self/mountinfo");

/// Everything the cgroupfs driver needs; tests point it at a fake tree.
struct CgroupfsOptions {
  /// The container's cgroup, absolute ("/ocistart/abc"); validated (no "..", not "/").
  std::string cgroup_path;
  /// Where the hierarchies are mounted. v1/hybrid: only mounts below it are used.
  std::string mount_root = "/sys/fs/cgroup";
  /// The layout; detected from `mount_root` when absent.
  std::optional<Layout> layout;
  /// v1/hybrid: the mountinfo file that says where each controller is mounted.
  std::string mountinfo_path = "/proc/self/mountinfo";
  /// How long freeze() waits for the frozen state before giving up (and thawing).
  std::chrono::milliseconds freeze_timeout{5000};
  /// How long destroy() retries an rmdir that fails with EBUSY (exiting tasks linger).
  std::chrono::milliseconds rmdir_timeout{1000};
  /// Test seam: the tree is plain directories made by a test, not cgroupfs. Writes create
  /// missing files and append the value and a newline (so a test sees every write), the
  /// device eBPF program is not loaded, and destroy() unlinks files before rmdir.
  bool fake = false;
};

/// The cgroupfs driver for `options`: v1 for the v1 and hybrid layouts (hybrid also
/// creates and joins the cgroup in the empty unified hierarchy, so cgroup.kill,
/// cgroup.freeze and cgroup.events work there), v2 for v2. Nothing is created yet.
[[nodiscard]] util::Result<std::unique_ptr<Driver>> make_cgroupfs_driver(const CgroupfsOptions& options);

/// Checks a cgroup path: absolute, no "." or ".." component, not the root itself.
/// Returns it normalized (no repeated or trailing '/').
[[nodiscard]] util::Result<std::string> normalize_cgroup_path(std::string_view path);

}  // namespace ocistart::cgroups
