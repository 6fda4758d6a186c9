// Path resolution inside the rootfs: openat2(RESOLVE_IN_ROOT), mkdir -p in the root,
// re-opening a fresh mount. Lookups are real calls; creations go through Syscalls.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "linux/rootfs_internal.h"
#include "util/text.h"

namespace ocistart::os::rootfs_detail {

using util::quoted;
using util::Result;
using util::Status;
using util::UniqueFd;

namespace {

Result<UniqueFd> raw_openat2(int dirfd, const std::string& path, int flags, uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = resolve;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof(how));
  } while (fd < 0 && errno == EAGAIN);  // RESOLVE_IN_ROOT retries on a concurrent rename
  if (fd < 0)
    return util::errno_error("open " + quoted(path), errno);
  return UniqueFd(static_cast<int>(fd));
}

}  // namespace

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

namespace {

Result<std::string> read_link_at(int dir, const std::string& link) {
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(dir, link.c_str(), buf, sizeof(buf));
  if (n < 0)
    return util::errno_error("readlink " + quoted(link), errno);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

Result<std::string> fd_real_path(int fd) { return read_link_at(AT_FDCWD, fd_path(fd)); }

std::string Root::fd_path(int target) const {
  return fds < 0 ? rootfs_detail::fd_path(target) : std::to_string(target);
}

Result<std::string> Root::fd_real_path(int target) const {
  return fds < 0 ? rootfs_detail::fd_real_path(target) : read_link_at(fds, std::to_string(target));
}

Result<UniqueFd> open_in_root(int root, const std::string& rel, int flags, uint64_t extra_resolve) {
  std::string path = rel.empty() ? "." : rel;
  Result<UniqueFd> fd = raw_openat2(root, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve);
  if (!fd)
    return util::errno_error("open " + quoted("/" + rel), fd.error().code);
  return fd;
}

std::pair<std::string, std::string> split_last(const std::string& rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos)
    return {"", rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

Result<UniqueFd> mkdir_all_in_root(const Root& root, const std::string& rel, mode_t mode,
                                   std::optional<DirOwner> owner) {
  const std::string clean = clean_relative_path(rel);
  Result<UniqueFd> whole = open_in_root(root.fd, clean, O_PATH | O_DIRECTORY);
  if (whole || whole.error().code != ENOENT)
    return whole;

  std::vector<std::string> parts;
  for (size_t pos = 0; pos < clean.size();) {
    size_t end = clean.find('/', pos);
    if (end == std::string::npos)
      end = clean.size();
    parts.push_back(clean.substr(pos, end - pos));
    pos = end + 1;
  }
  // The deepest prefix that exists, resolved in the root (it may go through symlinks).
  UniqueFd parent;
  size_t have = 0;
  for (size_t k = parts.size() - 1; k >= 1; --k) {
    std::string prefix = parts[0];
    for (size_t i = 1; i < k; ++i)
      prefix.append("/").append(parts[i]);
    Result<UniqueFd> fd = open_in_root(root.fd, prefix, O_PATH | O_DIRECTORY);
    if (fd) {
      parent = std::move(*fd);
      have = k;
      break;
    }
    if (fd.error().code != ENOENT)
      return std::move(fd).error();
  }
  if (!parent) {
    Result<UniqueFd> fd = open_in_root(root.fd, "", O_PATH | O_DIRECTORY);
    if (!fd)
      return std::move(fd).error();
    parent = std::move(*fd);
  }
  // What is missing is created one plain name at a time under a directory we hold, and
  // re-opened without following anything: a name that turns out to be a symlink or a
  // file fails instead of leading us out of the root.
  for (size_t i = have; i < parts.size(); ++i) {
    Status made = root.sys.mkdirat(parent.get(), parts[i], mode);
    if (!made && made.error().code != EEXIST)
      return std::move(made).error();
    Result<UniqueFd> next = raw_openat2(parent.get(), parts[i], O_PATH | O_DIRECTORY | O_NOFOLLOW,
                                        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (!next) {
      std::string shown = "/" + parts[0];
      for (size_t j = 1; j <= i; ++j)
        shown.append("/").append(parts[j]);
      return util::errno_error("mkdir " + quoted(shown), next.error().code);
    }
    if (made && owner)  // the one we made, held without following anything
      if (Status s = root.sys.fchownat(next->get(), "", owner->uid, owner->gid, AT_EMPTY_PATH); !s)
        return std::move(s).error();
    parent = std::move(*next);
  }
  return parent;
}

Result<std::string> container_path_of(const Root& root, int fd, bool allow_root) {
  Result<std::string> real = root.fd_real_path(fd);
  if (!real)
    return std::move(real).error();
  const std::string& r = *real;
  if (root.path == "/") {
    if (r == "/" && !allow_root)
      return util::make_error("the mount point is the container's root", EINVAL);
    return r;
  }
  if (r == root.path) {
    if (!allow_root)
      return util::make_error("the mount point is the container's root", EINVAL);
    return std::string("/");
  }
  if (r.size() <= root.path.size() || r.compare(0, root.path.size(), root.path) != 0 || r[root.path.size()] != '/')
    return util::make_error("mount point " + quoted(r) + " is outside the rootfs " + quoted(root.path), EXDEV);
  return r.substr(root.path.size());
}

Result<UniqueFd> reopen_after_mount(const Root& root, const std::string& container_path) {
  // The path came from readlink of an fd resolved in the root, so it holds no symlink; a
  // symlink appearing now is someone else's doing.
  Result<UniqueFd> fd = open_in_root(root.fd, clean_relative_path(container_path), O_PATH, RESOLVE_NO_SYMLINKS);
  if (!fd)
    return std::move(fd).error().wrap("re-open the new mount");
  Result<std::string> again = container_path_of(root, fd->get(), true);
  if (!again)
    return std::move(again).error().wrap("re-open the new mount");
  if (*again != container_path)
    return util::make_error("mount point " + quoted(container_path) + " moved while mounting", EXDEV);
  return fd;
}

Result<unsigned long> mount_flags_of(int fd) {
  struct statfs st {};
  if (::fstatfs(fd, &st) < 0)
    return util::errno_error("statfs", errno);
  static constexpr std::pair<unsigned long, unsigned long> kMap[] = {
      {ST_RDONLY, MS_RDONLY},     {ST_NOSUID, MS_NOSUID},
      {ST_NODEV, MS_NODEV},       {ST_NOEXEC, MS_NOEXEC},
      {ST_MANDLOCK, MS_MANDLOCK}, {ST_SYNCHRONOUS, MS_SYNCHRONOUS},
      {ST_NOATIME, MS_NOATIME},   {ST_NODIRATIME, MS_NODIRATIME},
      {ST_RELATIME, MS_RELATIME}, {0x2000 /* ST_NOSYMFOLLOW */, MS_NOSYMFOLLOW},
  };
  unsigned long flags = 0;
  for (const auto& [st_bit, ms_bit] : kMap)
    if (static_cast<unsigned long>(st.f_flags) & st_bit)
      flags |= ms_bit;
  // No ST_STRICTATIME: a mount without noatime and relatime is a strictatime one.
  if ((flags & (MS_NOATIME | MS_RELATIME)) == 0)
    flags |= MS_STRICTATIME;
  return flags;
}

}  // namespace ocistart::os::rootfs_detail
