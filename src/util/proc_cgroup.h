// The one parser of /proc/PID/cgroup (cgroups(7)): one "hierarchy-id:controllers:path"
// line per hierarchy the process is in; on v2 and hybrid hosts "0::/path" is the unified one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ocistart::util {

struct ProcCgroupEntry {
  int hierarchy_id = 0;     // 0 for the unified (v2) hierarchy
  std::string controllers;  // as written: "cpu,cpuacct", "name=systemd"; "" for v2
  std::string path;         // the process's cgroup, relative to the hierarchy's root

  /// The controllers one by one: "cpu,cpuacct" -> {"cpu", "cpuacct"}; none for v2.
  [[nodiscard]] std::vector<std::string_view> controller_list() const;
  /// The unified (v2) hierarchy's line: "0::/path".
  [[nodiscard]] bool unified() const { return hierarchy_id == 0 && controllers.empty(); }

  bool operator==(const ProcCgroupEntry&) const = default;
};

/// The entries of /proc/PID/cgroup text, in file order. Lines without two colons or
/// without a numeric hierarchy id are skipped; the path may itself contain colons.
[[nodiscard]] std::vector<ProcCgroupEntry> parse_proc_cgroup(std::string_view text);

}  // namespace ocistart::util
