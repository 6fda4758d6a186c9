// The user switch of the init: supplementary groups, gid, uid.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "linux/syscalls.h"
#include "spec/config.h"
#include "util/result.h"

namespace ocistart::os {

/// setgroups(additionalGids) (an empty list clears the groups; where the user namespace
/// has setgroups denied, clearing is skipped and a non-empty list is an error), then
/// setresgid(gid) and setresuid(uid), each through `sys`. With `keep_caps`, PR_SET_KEEPCAPS is held across the
/// uid switch so the permitted set survives it (the caller then sets the capability sets;
/// the flag is cleared again here). An unmapped id in a user namespace gives EINVAL with a
/// message that says so. Safe in the init child.
[[nodiscard]] util::Status switch_user(Syscalls& sys, const spec::User& user, bool keep_caps);

/// The home directory of `uid` in passwd(5) text: the sixth field of the first line whose
/// third field is `uid`; "/" when there is none or it is empty (runc's fallback). Pure.
[[nodiscard]] std::string home_in_passwd(std::string_view passwd, uid_t uid);

/// `env` with HOME=<home of uid in the current root's /etc/passwd> added when it has no
/// HOME (runc's rule). The file belongs to the container: only a regular file is read, at
/// most 1 MiB of it, without blocking (a FIFO planted there cannot hang us).
[[nodiscard]] std::vector<std::string> with_home(std::vector<std::string> env, uid_t uid);

/// True when /proc/self/setgroups says "deny" (a user namespace whose gid map was written
/// without CAP_SETGID in the parent namespace).
[[nodiscard]] bool setgroups_denied();

}  // namespace ocistart::os
