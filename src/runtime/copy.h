// copy-to and copy-from: files and trees into and out of a running container, as
// `machinectl copy-to` / `copy-from` do, through the container's root as it sees it.
#pragma once

#include <string>

#include "util/result.h"

namespace ocistart::runtime {

struct CopyOptions {
  std::string root;  ///< state root
  std::string id;
  std::string source, destination;
  bool mkdir = false;  ///< make the destination's missing parent directories
};

/// Copies the host path `source` (followed as the host's path rules say) to the new
/// container path `destination` of running container `id`. Inside the container every
/// lookup stays in its root (os::open_parent_in_root); the last component must not exist
/// (EEXIST; ELOOP when it is a symlink: nothing is ever written through one) and is made
/// with O_EXCL/mkdirat, so a symlink planted after the check fails the copy too. What is
/// made belongs to the container's root (its mapped host ids with a user namespace); modes
/// are kept. On failure what was made is removed.
[[nodiscard]] util::Status copy_to(const CopyOptions& options);

/// Copies the container path `source` of running container `id` (its parents resolved in
/// its root; the last component must not be a symlink: ELOOP) to the new host path
/// `destination` (EEXIST when it exists). What is made belongs to the caller, without
/// set-user-ID/set-group-ID bits; device nodes, fifos and sockets are refused (EPERM):
/// a container must not be able to hand the host a device or a set-id file.
[[nodiscard]] util::Status copy_from(const CopyOptions& options);

}  // namespace ocistart::runtime
