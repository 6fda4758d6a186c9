// The user switch of the init: supplementary groups, gid, uid.
#pragma once

#include <cstdint>
#include <optional>
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

/// The home directory of `uid` in passwd(5) text: the sixth field of the first entry
/// (account_entry) whose uid is `uid`; "/" when there is none or it is empty (runc's
/// fallback). Pure.
[[nodiscard]] std::string home_in_passwd(std::string_view passwd, uid_t uid);

/// `env` with HOME=<home of uid in the current root's /etc/passwd> added when it has no
/// HOME (runc's rule). The file belongs to the container: read as read_account_file reads
/// one (a regular file only, bounded, without blocking: a FIFO planted there cannot hang us).
[[nodiscard]] std::vector<std::string> with_home(std::vector<std::string> env, uid_t uid);

/// A decimal uid or gid ("1000"); nullopt for anything else (empty, sign, overflow). Pure.
[[nodiscard]] std::optional<uint32_t> parse_id_number(std::string_view text);

/// The fields of the first line of passwd(5) or group(5) text (comments and lines of
/// fewer than four fields skipped) whose field `key` (0: name, 2: id) is `value`; empty
/// when there is none. The views point into `text`. Pure.
[[nodiscard]] std::vector<std::string_view> account_entry(std::string_view text, size_t key, std::string_view value);

/// One passwd(5) line: empty home and shell as written.
struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string home, shell;
};

/// The user `user` in passwd text: by name, or (when it is a number) by uid, then by name.
/// nullopt when there is none or its ids are not numbers. Pure.
[[nodiscard]] std::optional<PasswdEntry> find_passwd_user(std::string_view passwd, std::string_view user);

/// The gids of the groups in group(5) text that list `name` among their members. Pure.
[[nodiscard]] std::vector<uint32_t> member_groups(std::string_view group, std::string_view name);

/// An account file (`rel`: "etc/passwd", "etc/group") of the tree whose root is the
/// directory fd `root`, resolved with every symlink kept inside that root (openat2
/// RESOLVE_IN_ROOT): a container cannot make us read a host file. Only a regular file is
/// read, at most 4 MiB of it, without blocking; a missing or non-regular file is "".
[[nodiscard]] util::Result<std::string> read_account_file(int root, const std::string& rel);

/// True when /proc/self/setgroups says "deny" (a user namespace whose gid map was written
/// without CAP_SETGID in the parent namespace).
[[nodiscard]] bool setgroups_denied();

}  // namespace ocistart::os
