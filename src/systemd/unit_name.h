// Where a container's transient unit goes, from linux.cgroupsPath (runc's convention).
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace ocistart::systemd {

struct UnitPlacement {
  std::string slice;  // "system.slice", "-.slice" for `-`
  std::string unit;   // "prefix-name.scope", or a slice name when `name` ends in ".slice"
};

/// `slice:prefix:name` → unit `prefix-name.scope` in `slice` (empty slice: system.slice;
/// `-`: the root slice; a `name` ending in ".slice" is itself the unit). An empty
/// cgroupsPath → `ocistart-<id>.scope` in system.slice. Anything else (an absolute path,
/// two fields, characters systemd rejects in unit names) is EINVAL naming cgroupsPath.
[[nodiscard]] util::Result<UnitPlacement> unit_placement(std::string_view cgroups_path, std::string_view id);

/// True for `slice:prefix:name` (three colon-separated fields), which selects the
/// systemd driver under --cgroup-manager=auto.
[[nodiscard]] bool is_systemd_cgroups_path(std::string_view cgroups_path) noexcept;

}  // namespace ocistart::systemd
