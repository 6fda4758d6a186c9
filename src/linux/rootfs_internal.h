// Helpers shared by rootfs.cc, devices.cc, paths.cc and pivot.cc. Not a public interface.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "linux/mount_plan.h"
#include "linux/rootfs.h"
#include "linux/syscalls.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os::rootfs_detail {

/// The rootfs as the setup code holds it: an O_PATH fd of the (self-bound) rootfs and its
/// path as the kernel reports it ("/" once pivoted).
///
/// mount(2) takes paths, so an fd we resolved ourselves is handed to it as a link in our fd
/// directory of /proc. Before pivot_root that is the host's /proc. After it, "/proc" is the
/// container's, which a mount racing in through shared propagation could replace with a
/// tree of its own links (CVE-2025-52881 class): then `fds` is our fd directory of the
/// host's /proc, opened (and checked to be procfs) before the pivot and made the cwd, and
/// the path of fd N is plain "N".
struct Root {
  Syscalls& sys;
  int fd = -1;
  std::string path;
  int fds = -1;  ///< our fd directory in a checked procfs, the cwd; -1: "/proc/self/fd/N"

  /// The path that names `fd` to mount(2): "/proc/self/fd/N", or "N" (see above).
  [[nodiscard]] std::string fd_path(int target) const;
  /// Where `target` is, read from the same link as fd_path's.
  [[nodiscard]] util::Result<std::string> fd_real_path(int target) const;
};

/// "/proc/self/fd/N", for the steps before a Root exists.
[[nodiscard]] std::string fd_path(int fd);

/// readlink of /proc/self/fd/N, for the steps before a Root exists.
[[nodiscard]] util::Result<std::string> fd_real_path(int fd);

/// openat2(root, rel, flags|O_CLOEXEC) with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS|`extra`:
/// symlinks and ".." are resolved as if `root` were "/". Errors carry the errno (ENOENT...).
[[nodiscard]] util::Result<util::UniqueFd> open_in_root(int root, const std::string& rel, int flags,
                                                        uint64_t extra_resolve = 0);

/// Who owns a directory mkdir_all_in_root makes (the creator when not given).
struct DirOwner {
  uid_t uid = 0;
  gid_t gid = 0;
};

/// mkdir -p of `rel` inside the root (symlinks resolved in the root); returns an O_PATH fd
/// of the directory. Fails on a path component that is a file or a dangling symlink. The
/// directories it makes are chowned to `owner` when given.
[[nodiscard]] util::Result<util::UniqueFd> mkdir_all_in_root(const Root& root, const std::string& rel,
                                                             mode_t mode = 0755,
                                                             std::optional<DirOwner> owner = std::nullopt);

/// The directory part and the last component of a clean relative path ("dev/pts" ->
/// {"dev", "pts"}; "dev" -> {"", "dev"}).
[[nodiscard]] std::pair<std::string, std::string> split_last(const std::string& rel);

/// The container path ("/dev/pts") of an fd resolved inside the root; an error when the fd
/// is not inside the root (or is the root itself and `allow_root` is false).
[[nodiscard]] util::Result<std::string> container_path_of(const Root& root, int fd, bool allow_root = false);

/// Re-opens (O_PATH) the container path `container_path` without following any symlink, to
/// get hold of a mount that was just made on it (the fd used as the target still points to
/// the covered directory). Fails when the path no longer resolves to the same place.
[[nodiscard]] util::Result<util::UniqueFd> reopen_after_mount(const Root& root, const std::string& container_path);

/// MS_* flags of the mount holding `fd`, from fstatfs (runc's statfsToMountFlags).
[[nodiscard]] util::Result<unsigned long> mount_flags_of(int fd);

/// Applies every mount of the plan, in order (rootfs.cc).
[[nodiscard]] util::Status apply_mount(const Root& root, const MountStep& step, const spec::Config& config,
                                       const RootfsOptions& options);

/// Default and config devices, mknod'ed or (user namespace, or EPERM) bind-mounted from the
/// host onto an empty file (devices.cc). Only nodes we mknod'ed are chmod'ed and chown'ed.
[[nodiscard]] util::Status create_devices(const Root& root, const spec::Config& config, const RootfsOptions& options);

/// /dev/ptmx -> pts/ptmx (when `have_devpts`), /dev/fd, stdin, stdout, stderr, core.
[[nodiscard]] util::Status create_dev_links(const Root& root, bool have_devpts);

/// Opens a pty from the container's /dev/ptmx (resolved in the root) into `console` and
/// binds its slave onto /dev/console (an empty file we create if needed).
[[nodiscard]] util::Status make_console(const Root& root, Pty& console);

/// pivot_root(".", ".") into the root, detach the old root (pivot.cc).
[[nodiscard]] util::Status pivot_into(const Root& root);

/// --no-pivot: hide the host's proc and sysfs, MS_MOVE the root onto "/", chroot (pivot.cc).
[[nodiscard]] util::Status move_into(const Root& root);

/// linux.maskedPaths: directories get a read-only tmpfs, anything else /dev/null bound over
/// it; missing paths are skipped (paths.cc). Runs after the pivot.
[[nodiscard]] util::Status mask_paths(const Root& root, const std::vector<std::string>& paths);

/// linux.readonlyPaths: bind each onto itself, remount read-only keeping nosuid, nodev and
/// noexec; missing paths are skipped (paths.cc). Runs after the pivot.
[[nodiscard]] util::Status make_paths_readonly(const Root& root, const std::vector<std::string>& paths);

/// Remounts "/" read-only (root.readonly), re-applying the flags the mount already has
/// when the kernel refuses to drop locked ones (paths.cc).
[[nodiscard]] util::Status make_root_readonly(const Root& root);

}  // namespace ocistart::os::rootfs_detail
