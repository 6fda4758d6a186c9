// A new process that enters its container's cgroup by itself, prepared by the runtime
// before it clones the process (the container's init, or exec's joiner).
//
// Why: when the runtime writes a pid into a cgroup.procs file, the kernel takes the
// global cgroup_threadgroup_rwsem for writing, and that waits for an RCU grace period
// (5-6 ms median on the development VM, against 0.4 ms for the same 9 moves made as
// below; bench/README.md "Entering the cgroup"). Two ways skip that lock:
// - cgroup v2 (and the unified hierarchy of hybrid hosts): clone3's CLONE_INTO_CGROUP,
//   the process is born in the cgroup (the fork path takes the lock only for reading);
// - cgroup v1: the new process writes "0" to each hierarchy's `tasks` file, moving its
//   only thread; the kernel skips the lock for a move of the writing thread alone.
// The files are opened by the runtime (the kernel checks the opener's credentials, so
// the move works after the process entered a user namespace) and closed by the process
// right after the move: nothing of the host's cgroup tree reaches the container.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// One file the new process writes "0" to.
struct CgroupEntryFile {
  util::UniqueFd fd;  // O_WRONLY|O_CLOEXEC
  std::string path;   // for messages: "/sys/fs/cgroup/cpu/ocistart/abc/tasks"
  /// The v2 cgroup.procs, written only when clone3 could not place the process (a
  /// kernel before 5.7): "0" there moves the whole process, under the lock.
  bool v2_fallback = false;
};

/// What a new process needs to enter one cgroup (a cgroup per hierarchy on v1).
struct CgroupEntry {
  /// The v2 cgroup's directory (O_RDONLY|O_DIRECTORY|O_CLOEXEC) for CLONE_INTO_CGROUP;
  /// empty without a v2 hierarchy.
  util::UniqueFd v2_dir;
  std::string v2_path;  // for messages: the directory
  /// v1 `tasks` files, then the v2 fallback. A freezer's comes last of the v1 ones: a
  /// process that joins a frozen cgroup stops right there.
  std::vector<CgroupEntryFile> files;
};

/// clone3 with `flags`, born into the cgroup `entry.v2_dir` when it holds one (on E2BIG,
/// a kernel without CLONE_INTO_CGROUP, cloned without it). Returns 0 in the child, the
/// child's pid in the parent; `*born_in` (both sides) says whether the child is already
/// in the v2 cgroup. Errors name the cgroup: "clone3 into cgroup `DIR`: <errno>".
[[nodiscard]] util::Result<int> clone_into(uint64_t flags, const CgroupEntry& entry, bool* born_in);

/// In the new process: writes "0" to each file of `entry` (the v2 fallback only when not
/// `born_in`), then closes every fd of `entry`. Errors: "enter cgroup: write `PATH`:
/// <errno>".
[[nodiscard]] util::Status enter_cgroup(CgroupEntry& entry, bool born_in);

}  // namespace ocistart::os
