// Resource limits and the OOM score of the init, applied before it drops privileges.
#pragma once

#include <cstdint>
#include <vector>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::os {

/// setrlimit for each entry of process.rlimits, in order. An unknown type is an error
/// ("unknown rlimit `RLIMIT_FOO`"); EPERM says that raising the hard limit needs
/// CAP_SYS_RESOURCE. Safe in the init child.
[[nodiscard]] util::Status apply_rlimits(const std::vector<spec::Rlimit>& rlimits);

/// Writes `score` to /proc/self/oom_score_adj. Lowering it below the current value needs
/// CAP_SYS_RESOURCE (EACCES otherwise). Safe in the init child.
[[nodiscard]] util::Status apply_oom_score_adj(int32_t score);

}  // namespace ocistart::os
