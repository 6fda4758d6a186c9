// `exec --cgroup [<controller>[,<controller>]:]<path>`: which sub-cgroup of the container's
// cgroup an exec'd process goes to, as runc reads the flag. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cgroups/driver.h"
#include "util/result.h"

namespace ocistart::cgroups {

/// The --cgroup values as SubCgroups: "cpu,cpuacct:sub" names each controller; a value
/// without a controller applies to every hierarchy and must then be the only one. Errors
/// (EINVAL): more than one ':', a value without controller next to others.
[[nodiscard]] util::Result<SubCgroups> parse_sub_cgroups(const std::vector<std::string>& values);

/// `base` (a cgroup path relative to a hierarchy's root, "a/b") joined with `sub`
/// ("x", "/x", "../b/x", "/" for `base` itself), normalized. Errors (EINVAL, runc's words):
/// "<sub> is not a sub cgroup path" when the result is not `base` or below it.
[[nodiscard]] util::Result<std::string> sub_cgroup_path(std::string_view base, std::string_view sub);

/// The error for a sub-cgroup that does not exist: "adding pid <pid> to cgroups:
/// <dir>/cgroup.procs: no such file or directory" (ENOENT), the words runc's users match.
[[nodiscard]] util::Error missing_sub_cgroup(int pid, std::string_view dir);

}  // namespace ocistart::cgroups
