// Naming a path inside a running container from the host: the container's root held as a
// directory fd (its init's /proc/<pid>/root), every lookup resolved inside it. For the
// machine verbs (copy-to, copy-from, bind), which act on a container that may be hostile.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// The last component of a container path and the directory that holds it.
struct InRootEntry {
  util::UniqueFd dir;  ///< the parent directory (O_PATH), resolved inside the root
  std::string name;    ///< the last component: a plain name, never "", "." or ".."
  std::string shown;   ///< the cleaned container path, "/etc/x", for messages
};

/// Splits the absolute container path `path` (cleaned lexically: "/a/../b" is "/b") and
/// opens its parent directory inside `root` with openat2 RESOLVE_IN_ROOT |
/// RESOLVE_NO_MAGICLINKS: symlinks on the way are resolved as the container sees them and
/// cannot lead out of its root (an absolute target starts at `root`, ".." stops there).
/// The last component is not looked at. With `mkdir`, missing parents are made (0755,
/// owned by `owner`). Errors: EINVAL for a relative path or "/" itself; the lookup's
/// errno (ENOENT, ENOTDIR) naming the container path.
[[nodiscard]] util::Result<InRootEntry> open_parent_in_root(int root, const std::string& path, bool mkdir,
                                                            uid_t owner_uid = 0, gid_t owner_gid = 0);

/// Whether the container path `path` is a directory, resolved inside `root` as above
/// (symlinks followed within it). False for anything that cannot be opened.
[[nodiscard]] bool is_directory_in_root(int root, const std::string& path);

/// fstatat of the entry without following it. ENOENT when missing.
[[nodiscard]] util::Status stat_entry(const InRootEntry& entry, struct stat& st);

}  // namespace ocistart::os
