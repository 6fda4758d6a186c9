// Idmapped bind mounts (MOUNT_ATTR_IDMAP). Making one needs CAP_SYS_ADMIN in the user
// namespace that owns the source's file system (the host's, for an ext4 or tmpfs of the
// host): an init inside a new user namespace cannot. So the runtime makes every idmapped
// tree before it clones the init, as a detached mount; the init inherits the fd and only
// moves the tree onto its destination (which its own mount namespace allows).
#pragma once

#include <string>
#include <vector>

#include "linux/mount_plan.h"
#include "linux/syscalls.h"
#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// A detached copy of `step.source` (open_tree OPEN_TREE_CLONE, recursive for rbind) with
/// MOUNT_ATTR_IDMAP set from a user namespace holding step.uid_mappings/gid_mappings
/// (recursively for "ridmap"). A file system that cannot be idmapped (EINVAL, ENOSYS,
/// EOPNOTSUPP, EPERM) is "idmapped mounts are not supported for the file system of `src`".
[[nodiscard]] util::Result<util::UniqueFd> idmapped_tree(Syscalls& sys, const MountStep& step);

/// idmapped_tree() for every idmapped entry of config.mounts: one fd per entry, invalid
/// for the others; empty when the config has no idmapped mount. Errors name the mount
/// destination, as the init's would.
[[nodiscard]] util::Result<std::vector<util::UniqueFd>> prepare_idmapped_mounts(const spec::Config& config,
                                                                                Syscalls& sys);

/// The spec's rule for a relative bind source: relative to the bundle (not to the cwd of
/// whoever runs the runtime). Makes every relative bind source of config.mounts absolute.
void resolve_bind_sources(spec::Config& config, const std::string& bundle);

/// Everything of config.mounts the runtime prepares on the host's side before the clone:
/// the idmapped trees (prepare_idmapped_mounts), and with `new_user_namespace` a detached
/// copy (open_tree OPEN_TREE_CLONE, recursive for rbind) of every other bind source, made
/// with the runtime's credentials: the init, root of a new user namespace, may not be able
/// to reach a source under a directory only host root can enter (runc opens those for its
/// init too). An fd of our mount namespace would not do: bind(2) refuses a source from
/// another mount namespace; a detached tree can be moved into the init's. One fd per
/// entry, invalid for the others; empty when nothing is prepared. Errors name the mount.
[[nodiscard]] util::Result<std::vector<util::UniqueFd>> prepare_mount_sources(const spec::Config& config,
                                                                              bool new_user_namespace, Syscalls& sys);

}  // namespace ocistart::os
