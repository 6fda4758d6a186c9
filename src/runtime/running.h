// A running container held for the machine verbs (shell, copy-to, copy-from, bind): its
// state, the config create validated, its init pinned by a pidfd, and its root directory.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "runtime/state_store.h"
#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::runtime {

struct RunningContainer {
  ContainerState state;
  spec::Config config;   ///< the config create validated (never the bundle's again)
  util::UniqueFd pidfd;  ///< init
  util::UniqueFd root;   ///< init's root: the container's "/" in its mount namespace (O_PATH)
};

/// Loads `id` under its lock (released before returning) and, when it is running, opens
/// init's pidfd and /proc/<pid>/root. The root fd is init's: its pid was checked (start
/// time) before and init was still alive after it was opened, so a reused pid cannot give
/// another process's root. Lookups from it cross the container's own mounts. Errors:
/// "container `x` does not exist" (the store's), "container `x` is not running (stopped)"
/// (ESRCH).
[[nodiscard]] util::Result<RunningContainer> open_running(const std::string& state_root, const std::string& id);

/// The host uid and gid of the container's root: the host ids that linux.uidMappings and
/// gidMappings give container id 0; {0, 0} without them (no user namespace). Pure.
[[nodiscard]] std::pair<uint32_t, uint32_t> container_root_owner(const spec::Config& config);

}  // namespace ocistart::runtime
