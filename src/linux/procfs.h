// Writes into /proc from a process that already sees the container's mount namespace
// (exec's child): the container may have mounted over /proc, or over a file in it, to
// catch what the runtime writes there (CVE-2025-52881 class). Files of /proc are opened
// only through a procfs checked to be one.
#pragma once

#include <string>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// Opens /proc/`rel` ("thread-self/attr/exec", "self/oom_score_adj") refusing anything but
/// procfs itself: /proc must be the root of a procfs mount (fstatfs PROC_SUPER_MAGIC, the
/// root inode), and the walk from it may cross no mount point and no magic link (openat2
/// RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH), so a tree mounted over /proc
/// or a file bind-mounted over one of its entries is refused with EXDEV or EPERM.
/// Errors name "/proc/<rel>". Safe in a forked child.
[[nodiscard]] util::Result<util::UniqueFd> open_proc_file(const std::string& rel, int flags);

}  // namespace ocistart::os
