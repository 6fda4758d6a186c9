#include "linux/in_root.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "linux/rootfs_internal.h"
#include "util/path.h"

namespace ocistart::os {

util::Result<InRootEntry> open_parent_in_root(int root, const std::string& path, bool mkdir, uid_t owner_uid,
                                              gid_t owner_gid) {
  if (path.empty() || path.front() != '/')
    return util::make_error("`" + path + "` is not an absolute path", EINVAL);
  const std::string rel = util::clean_relative_path(path);
  if (rel.empty())
    return util::make_error("`" + path + "` is the container's root directory", EINVAL);
  auto [parent, name] = rootfs_detail::split_last(rel);
  InRootEntry e;
  e.name = name;
  e.shown = "/" + rel;
  if (mkdir && !parent.empty()) {
    RealSyscalls sys;
    rootfs_detail::Root r{sys, root, "/"};
    util::Result<util::UniqueFd> dir =
        rootfs_detail::mkdir_all_in_root(r, parent, 0755, rootfs_detail::DirOwner{owner_uid, owner_gid});
    if (!dir)
      return std::move(dir).error();
    e.dir = std::move(*dir);
    return e;
  }
  util::Result<util::UniqueFd> dir = rootfs_detail::open_in_root(root, parent, O_PATH | O_DIRECTORY);
  if (!dir)
    return std::move(dir).error();
  e.dir = std::move(*dir);
  return e;
}

bool is_directory_in_root(int root, const std::string& path) {
  return static_cast<bool>(rootfs_detail::open_in_root(root, util::clean_relative_path(path), O_PATH | O_DIRECTORY));
}

util::Status stat_entry(const InRootEntry& entry, struct stat& st) {
  if (::fstatat(entry.dir.get(), entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
    return util::errno_error("stat `" + entry.shown + "`");
  return {};
}

}  // namespace ocistart::os
