// The container's root file system, set up by the forked init inside its mount namespace.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "linux/pty.h"
#include "linux/syscalls.h"
#include "spec/config.h"
#include "util/result.h"

namespace ocistart::os {

struct RootfsOptions {
  std::string rootfs;           // absolute path of the bundle's rootfs on the host
  bool no_pivot = false;        // --no-pivot: MS_MOVE + chroot instead of pivot_root
  bool user_namespace = false;  // devices are bind-mounted from the host, never mknod'ed
  /// process.terminal: prepare_rootfs opens a pty from the container's /dev/ptmx once
  /// /dev is complete, binds its slave onto /dev/console and stores the pair here for the
  /// init (which sends the master to the runtime). nullptr: no console.
  Pty* console = nullptr;
  /// Called by finalize_rootfs right after pivot_root (cwd "/", the container's /proc
  /// mounted and still writable), before readonlyPaths and maskedPaths: the place for
  /// sysctl writes, as in runc. Empty: nothing. Its error aborts finalize_rootfs.
  std::function<util::Status()> after_pivot;
  /// Called by prepare_rootfs exactly once: before the first mount of type cgroup or
  /// cgroup2, or after the last mount when there is none (always before devices). The
  /// init waits there until the parent has put it in the container's cgroup, so that the
  /// mounts before it overlap with the cgroup driver's work (a D-Bus job, a v1 migration).
  /// Empty: nothing. Its error aborts prepare_rootfs.
  std::function<util::Status()> await_cgroup;
  /// Per entry of config.mounts: an idmapped tree prepared by the runtime before the
  /// clone (prepare_idmapped_mounts), or -1. Empty: none prepared.
  std::vector<int> prepared_mounts;
};

/// Step 1, before createContainer hooks: rootfsPropagation, bind the rootfs onto itself,
/// every mount of config.mounts in order (options.await_cgroup before the first cgroup one) (destinations resolved inside the rootfs with
/// openat2 RESOLVE_IN_ROOT, never following symlinks out of it), devices (config and
/// default), /dev links (fd, stdin, stdout, stderr, ptmx), the console pty (options.console).
/// Runs in the init child; errors name the mount destination or device.
[[nodiscard]] util::Status prepare_rootfs(const spec::Config& config, const RootfsOptions& options, Syscalls& sys);

/// Step 2, after createContainer hooks: pivot_root (or MS_MOVE + chroot), chdir "/",
/// rootfsPropagation shared/unbindable on the new "/", options.after_pivot, readonlyPaths,
/// maskedPaths, read-only remount of tmpfs mounts asked "ro", root.readonly. Runs in the
/// init child; the cwd is "/" afterwards. Errors name the path.
[[nodiscard]] util::Status finalize_rootfs(const spec::Config& config, const RootfsOptions& options, Syscalls& sys);

}  // namespace ocistart::os
