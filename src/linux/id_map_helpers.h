// Rootless id maps beyond the user's own id: the setuid helpers of Debian's `uidmap`
// (newuidmap, newgidmap) write them once /etc/subuid and /etc/subgid allow the ranges, as
// runc and crun use them. An unprivileged runtime writes a map itself only when it maps
// its own id alone (the kernel's rule for an unprivileged writer).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::os {

/// Whether an unprivileged process whose id is `own` may write `mappings` itself: one
/// range of size 1 whose host id is `own`. Pure.
[[nodiscard]] bool maps_only_own_id(const std::vector<spec::IdMapping>& mappings, uint32_t own) noexcept;

/// The argv of `helper` ("newuidmap") for `pid`: helper PID containerID hostID size ...
[[nodiscard]] std::vector<std::string> id_map_helper_argv(const std::string& helper, int pid,
                                                          const std::vector<spec::IdMapping>& mappings);

/// Runs `helper` (newuidmap or newgidmap, looked up in /usr/bin, /bin, then $PATH) to
/// write `mappings` for `pid`. Errors, one line each: the helper missing ("newuidmap not
/// found: the uid mappings need more than uid 1001 (apt-get install uidmap)"), or its own
/// first line of stderr and exit status ("newuidmap: uid range [1-65537) -> ... not
/// allowed", which names the range /etc/subuid lacks).
[[nodiscard]] util::Status run_id_map_helper(const std::string& helper, int pid,
                                             const std::vector<spec::IdMapping>& mappings, const std::string& what);

}  // namespace ocistart::os
