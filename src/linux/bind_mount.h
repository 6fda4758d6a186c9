// bind: a host path mounted into a running container's mount namespace, as `machinectl
// bind` does it with the new mount API.
#pragma once

#include <cstdint>
#include <string>

#include "util/result.h"

namespace ocistart::os {

struct BindInto {
  std::string source;       ///< host path (the host's rules: symlinks followed)
  std::string destination;  ///< absolute container path
  bool read_only = false;
  bool mkdir = false;  ///< make the destination (a directory, or an empty file for a file source) and its parents
  uint32_t owner_uid = 0, owner_gid = 0;  ///< of what --mkdir makes: the container's root
};

/// Mounts `source` at `destination` inside the container whose init is `pidfd` and whose
/// root directory is `root` (its /proc/<pid>/root). A detached clone of the source's mount
/// tree is made here (open_tree OPEN_TREE_CLONE|AT_RECURSIVE), made private (it must not
/// share a peer group with the host's mount: a container mounting under it would show on
/// the host) and, when asked, read-only (mount_setattr, recursive). A forked child then
/// joins the container's mount namespace (setns on the pidfd), resolves the destination
/// from `root` without leaving it (open_parent_in_root), refuses a last component that is a
/// symlink (ELOOP) or of the other kind than the source (ENOTDIR/EISDIR), and moves the
/// clone there (move_mount). Nothing is mounted on the host; a failure leaves only the
/// directories --mkdir made.
[[nodiscard]] util::Status bind_into(int pidfd, int root, const BindInto& request);

}  // namespace ocistart::os
