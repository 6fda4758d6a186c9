// Pure planning for the container's root file system: config.mounts -> MountStep, the root
// propagation, the device list. Nothing here touches the system; rootfs.cc applies the plan
// through Syscalls.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/config.h"
#include "util/path.h"
#include "util/result.h"

namespace ocistart::os {

enum class IdmapMode {
  none,    // not idmapped
  idmap,   // MOUNT_ATTR_IDMAP on the top mount only
  ridmap,  // MOUNT_ATTR_IDMAP with AT_RECURSIVE (every mount of an rbind)
};

/// One entry of config.mounts, decoded.
struct MountStep {
  std::string source;       // as in the config
  std::string destination;  // relative to the rootfs, lexically clean: "dev/pts"; never empty
  std::string type;         // the config type; "bind" for bind and rbind mounts
  bool bind = false;        // "bind", "rbind" or type "bind"
  bool recursive = false;   // "rbind"
  /// MS_* flags of the first mount(2). Binds: MS_BIND (|MS_REC) only, the kernel ignores
  /// the rest there. tmpfs and /dev: without MS_RDONLY when it comes later (readonly_later).
  unsigned long flags = 0;
  /// MS_* flags the options asked for (set), and explicitly cleared ("rw", "suid", "dev"...).
  unsigned long requested_flags = 0, cleared_flags = 0;
  /// Binds only: MS_BIND|MS_REMOUNT|flags of a second mount(2) that applies ro, nosuid,...;
  /// 0 when the options set and cleared nothing (the bind keeps the source's flags).
  unsigned long remount_flags = 0;
  /// tmpfs (and /dev) mounted rw so that we can populate them, remounted read-only in
  /// finalize_rootfs with these flags (MS_REMOUNT|MS_BIND|MS_RDONLY|...); 0: nothing to do.
  unsigned long readonly_later_flags = 0;
  /// Each a separate mount(2) on the new mount, in option order (MS_PRIVATE|MS_REC, ...).
  std::vector<unsigned long> propagation;
  /// mount_setattr(AT_RECURSIVE) attributes from "rro", "rnosuid", ...; both 0: none.
  uint64_t attr_set = 0, attr_clr = 0;
  /// Unknown options and file system data, joined by ",".
  std::string data;
  IdmapMode idmap = IdmapMode::none;
  std::vector<spec::IdMapping> uid_mappings, gid_mappings;  // for idmap/ridmap
  /// runc's "tmpcopyup": a tmpfs starts with a copy of the directory it covers. Set for
  /// tmpfs mounts only (runc ignores the option on other types).
  bool tmpcopyup = false;
  /// What the runtime prepared on the host's side (idmapped_mounts.h): for an idmapped
  /// mount the tree to move onto the destination, for another bind an O_PATH fd of its
  /// source; -1: none, the init makes or opens it itself.
  int prepared_fd = -1;
};

/// Decodes one mount. `container_uid_mappings`/`gid` (linux.uidMappings, only when the
/// container has a user namespace) are used for "idmap"/"ridmap" without mount mappings.
/// Errors: idmap without mappings or on a non-bind mount,
/// destination "/" — each naming the destination.
[[nodiscard]] util::Result<MountStep> plan_mount(const spec::Mount& mount,
                                                 const std::vector<spec::IdMapping>& container_uid_mappings = {},
                                                 const std::vector<spec::IdMapping>& container_gid_mappings = {});

/// plan_mount for every entry of config.mounts, in order.
[[nodiscard]] util::Result<std::vector<MountStep>> plan_mounts(const spec::Config& config);

/// MS_* propagation flags for "shared", "rslave", ...; nullopt for other words.
[[nodiscard]] std::optional<unsigned long> propagation_flags(std::string_view option);

/// What happens to propagation around the rootfs, following runc.
struct RootPropagation {
  unsigned long root_flags = 0;         // mount("", "/", root_flags) first: MS_SLAVE|MS_REC by default
  unsigned long parent_flags = 0;       // the mount holding the rootfs: MS_SLAVE by default and
                                        // for slave, else MS_PRIVATE
  unsigned long after_pivot_flags = 0;  // shared/unbindable are set on the new "/"; 0: nothing
};

/// From linux.rootfsPropagation ("" means the default). Error for an unknown word.
[[nodiscard]] util::Result<RootPropagation> plan_root_propagation(const spec::Config& config);

/// A device node to create (or bind from the host in a user namespace).
struct DeviceNode {
  std::string path;  // relative to the rootfs, clean: "dev/null"
  char type = 'c';   // c (also for "u"), b, p
  int64_t major = 0, minor = 0;
  mode_t mode = 0666;  // permission bits only
  uid_t uid = 0;
  gid_t gid = 0;
};

/// The spec's default devices (null, zero, full, random, urandom, tty; 0666 root:root)
/// followed by linux.devices; a config device replaces a default one with the same path.
/// /dev/ptmx is left out (it becomes a symlink to pts/ptmx).
[[nodiscard]] std::vector<DeviceNode> plan_devices(const spec::Config& config);

/// False when a bind mount provides /dev: then ocistart creates no devices or /dev links.
[[nodiscard]] bool needs_dev_setup(const std::vector<MountStep>& steps);

/// Whether a mount may land on `container_path` (absolute, inside the container, symlinks
/// resolved) as runc allows: anything outside /proc; on /proc itself only a proc mount or a
/// bind whose source is a procfs (`source_is_procfs`); inside /proc only the files lxcfs
/// emulates (/proc/cpuinfo, meminfo, ...).
[[nodiscard]] util::Status check_proc_destination(std::string_view container_path, const MountStep& step,
                                                  bool source_is_procfs);

/// Lexically clean `path` as seen from the container root, without the leading "/":
/// "/dev/../proc//" -> "proc"; "/" -> "". ".." never climbs above the root.
using util::clean_relative_path;

/// "MS_RDONLY|MS_NOSUID|..." (hex for unknown bits, "0" for none): for messages and tests.
[[nodiscard]] std::string mount_flags_to_string(unsigned long flags);
/// "MOUNT_ATTR_RDONLY|MOUNT_ATTR_IDMAP|..." likewise.
[[nodiscard]] std::string mount_attr_to_string(uint64_t attrs);

}  // namespace ocistart::os
