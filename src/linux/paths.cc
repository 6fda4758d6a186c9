// linux.maskedPaths, linux.readonlyPaths and root.readonly, applied after the pivot. Every
// path is resolved inside the root (a symlink in the image cannot redirect a mask or a
// read-only bind to somewhere else).
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "linux/rootfs_internal.h"
#include "util/text.h"

namespace ocistart::os::rootfs_detail {

using util::quoted;
using util::Result;
using util::Status;
using util::UniqueFd;

namespace {

// After the pivot "/dev/null" is the container's; make sure it is the real thing before
// binding it over anything.
Result<UniqueFd> open_dev_null() {
  UniqueFd fd(::open("/dev/null", O_PATH | O_CLOEXEC));
  if (!fd)
    return util::errno_error("open `/dev/null`", errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0)
    return util::errno_error("stat `/dev/null`", errno);
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
    return util::make_error("`/dev/null` is not the null device", EINVAL);
  return fd;
}

}  // namespace

Status mask_paths(const Root& root, const std::vector<std::string>& paths) {
  UniqueFd dev_null;
  std::set<std::string> done;
  for (const std::string& path : paths) {
    const std::string rel = clean_relative_path(path);
    if (rel.empty() || !done.insert(rel).second)
      continue;
    Result<UniqueFd> target = open_in_root(root.fd, rel, O_PATH);
    if (!target) {
      if (target.error().code == ENOENT)
        continue;
      return std::move(target).error().wrap("mask " + quoted(path));
    }
    struct stat st {};
    if (::fstat(target->get(), &st) < 0)
      return util::errno_error("stat", errno).wrap("mask " + quoted(path));
    Status s;
    if (S_ISDIR(st.st_mode)) {
      // An empty read-only tmpfs, as small as the kernel allows.
      s = root.sys.mount("tmpfs", root.fd_path(target->get()), "tmpfs", MS_RDONLY, "nr_blocks=1,nr_inodes=1");
      if (!s && s.error().code == EINVAL)  // some distribution kernels want nr_inodes >= 2
        s = root.sys.mount("tmpfs", root.fd_path(target->get()), "tmpfs", MS_RDONLY, "nr_blocks=1,nr_inodes=2");
    } else {
      if (!dev_null) {
        Result<UniqueFd> null = open_dev_null();
        if (!null)
          return std::move(null).error().wrap("mask " + quoted(path));
        dev_null = std::move(*null);
      }
      s = root.sys.mount(root.fd_path(dev_null.get()), root.fd_path(target->get()), "", MS_BIND, "");
    }
    if (!s)
      return std::move(s).error().wrap("mask " + quoted(path));
  }
  return {};
}

Status make_paths_readonly(const Root& root, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    const std::string context = "make " + quoted(path) + " read-only";
    const std::string rel = clean_relative_path(path);
    Result<UniqueFd> target = open_in_root(root.fd, rel, O_PATH);
    if (!target) {
      if (target.error().code == ENOENT)
        continue;
      return std::move(target).error().wrap(context);
    }
    Result<std::string> where = container_path_of(root, target->get(), true);
    if (!where)
      return std::move(where).error().wrap(context);
    const std::string self = root.fd_path(target->get());
    if (Status s = root.sys.mount(self, self, "", MS_BIND | MS_REC, ""); !s)
      return std::move(s).error().wrap(context);
    Result<UniqueFd> bound = reopen_after_mount(root, *where);
    if (!bound)
      return std::move(bound).error().wrap(context);
    Result<unsigned long> current = mount_flags_of(bound->get());
    if (!current)
      return std::move(current).error().wrap(context);
    const unsigned long keep = *current & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (Status s = root.sys.mount("", root.fd_path(bound->get()), "", keep | MS_BIND | MS_REMOUNT | MS_RDONLY, ""); !s)
      return std::move(s).error().wrap(context);
  }
  return {};
}

Status make_root_readonly(const Root& root) {
  const unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  Status s = root.sys.mount("", "/", "", flags, "");
  if (s || s.error().code != EPERM)
    return s.ok() ? s : std::move(s).error().wrap("make the root read-only");
  // In a user namespace the root may carry locked flags (nosuid, nodev...) that a remount
  // must repeat.
  Result<unsigned long> current = mount_flags_of(root.fd);
  if (!current)
    return std::move(s).error().wrap("make the root read-only");
  if (Status again = root.sys.mount("", "/", "", flags | *current, ""); !again)
    return std::move(again).error().wrap("make the root read-only");
  return {};
}

}  // namespace ocistart::os::rootfs_detail
