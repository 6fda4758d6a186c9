// The user switch of the init: supplementary groups, gid, uid.
#pragma once

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::os {

/// setgroups(additionalGids) (an empty list clears the groups; where the user namespace
/// has setgroups denied, clearing is skipped and a non-empty list is an error), then
/// setresgid(gid) and setresuid(uid). With `keep_caps`, PR_SET_KEEPCAPS is held across the
/// uid switch so the permitted set survives it (the caller then sets the capability sets;
/// the flag is cleared again here). An unmapped id in a user namespace gives EINVAL with a
/// message that says so. Safe in the init child.
[[nodiscard]] util::Status switch_user(const spec::User& user, bool keep_caps);

/// True when /proc/self/setgroups says "deny" (a user namespace whose gid map was written
/// without CAP_SETGID in the parent namespace).
[[nodiscard]] bool setgroups_denied();

}  // namespace ocistart::os
