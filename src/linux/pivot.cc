// Making the rootfs "/": pivot_root(".", ".") or, with --no-pivot, MS_MOVE + chroot.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "linux/rootfs_internal.h"
#include "util/fs.h"
#include "util/mountinfo.h"

namespace ocistart::os::rootfs_detail {

using util::Result;
using util::Status;
using util::UniqueFd;

Status pivot_into(const Root& root) {
  // pivot_root(".", ".") stacks the old root on top of the new one at ".", so no directory
  // for it is needed in the rootfs (the LXC trick runc uses); we then detach it from
  // under ourselves.
  UniqueFd old_root(::open("/", O_DIRECTORY | O_PATH | O_CLOEXEC));
  if (!old_root)
    return util::errno_error("open `/`", errno);
  if (Status s = root.sys.fchdir(root.fd); !s)
    return s;
  if (Status s = root.sys.pivot_root(".", "."); !s)
    return s;
  // Where "." points after pivot_root is not promised: go to the old root explicitly.
  if (Status s = root.sys.fchdir(old_root.get()); !s)
    return s;
  // rslave, not rprivate: our unmount must not propagate to the host, yet the host keeps
  // its view of mounts we may still hold references to (runc's reasoning).
  if (Status s = root.sys.mount("", ".", "", MS_SLAVE | MS_REC, ""); !s)
    return s;
  if (Status s = root.sys.umount2(".", MNT_DETACH); !s)
    return s;
  return root.sys.chdir("/");
}

Status move_into(const Root& root) {
  // With chroot the host's /proc and /sys stay reachable in this mount namespace, and a
  // fully visible procfs or sysfs lets the container mount new ones: detach them (or cover
  // them with a tmpfs when we may not), as runc does.
  Result<std::string> text = util::read_file("/proc/self/mountinfo");
  if (!text)
    return std::move(text).error();
  const std::string prefix = root.path == "/" ? "/" : root.path + "/";
  for (const util::MountInfo& mi : util::parse_mountinfo(*text).mounts) {
    if (mi.root != "/" || (mi.fs_type != "proc" && mi.fs_type != "sysfs"))
      continue;
    if (mi.mount_point == root.path || mi.mount_point.starts_with(prefix))
      continue;
    Status slave = root.sys.mount("", mi.mount_point, "", MS_SLAVE | MS_REC, "");
    if (!slave) {
      if (slave.error().code == ENOENT)
        continue;  // a parent was detached already
      return slave;
    }
    Status detach = root.sys.umount2(mi.mount_point, MNT_DETACH);
    if (!detach) {
      if (detach.error().code != EINVAL && detach.error().code != EPERM)
        return detach;
      if (Status cover = root.sys.mount("tmpfs", mi.mount_point, "tmpfs", 0, ""); !cover)
        return cover;
    }
  }
  if (Status s = root.sys.fchdir(root.fd); !s)
    return s;
  if (Status s = root.sys.mount(".", "/", "", MS_MOVE, ""); !s)
    return s;
  if (Status s = root.sys.chroot("."); !s)
    return s;
  return root.sys.chdir("/");
}

}  // namespace ocistart::os::rootfs_detail
