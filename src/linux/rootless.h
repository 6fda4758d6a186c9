// Rootless: the runtime runs without the host's root. Either its euid is not 0, or it is
// root of a user namespace that is not the host's (rootless podman runs its runtime in one
// it made with the user's /etc/subuid ranges). Either way it cannot make cgroups the host
// did not delegate, mknod devices or write id maps beyond its own ranges.
#pragma once

#include <string_view>

namespace ocistart::os {

/// Whether `uid_map` (the text of /proc/self/uid_map) is the initial user namespace's:
/// one range mapping all 2^32-1 ids onto themselves. Pure.
[[nodiscard]] bool initial_uid_map(std::string_view uid_map) noexcept;

/// Whether this process runs in a user namespace other than the host's. Read once.
[[nodiscard]] bool in_user_namespace();

/// geteuid() != 0, or in_user_namespace().
[[nodiscard]] bool rootless_runtime();

}  // namespace ocistart::os
