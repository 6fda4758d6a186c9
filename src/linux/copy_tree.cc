#include "linux/copy_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "util/unique_fd.h"

namespace ocistart::os {
namespace {

using util::Status;
using util::UniqueFd;

Status entry_error(std::string_view what, const std::string& name, int code) {
  return util::errno_error(std::string(what) + " `" + name + "`", code);
}

Status copy_file(int from, int to, const std::string& name, const struct stat& st) {
  UniqueFd in(::openat(from, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (in.get() < 0)
    return entry_error("open", name, errno);
  UniqueFd out(::openat(to, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777));
  if (out.get() < 0)
    return entry_error("create", name, errno);
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(in.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return entry_error("read", name, errno);
    if (n == 0)
      break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out.get(), buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return entry_error("write", name, errno);
      done += w;
    }
  }
  // After the content: fchown clears set-id bits, so the mode goes last.
  if (::fchown(out.get(), st.st_uid, st.st_gid) < 0)
    return entry_error("chown", name, errno);
  if (::fchmod(out.get(), st.st_mode & 07777) < 0)
    return entry_error("chmod", name, errno);
  return {};
}

Status copy_entry(int from, int to, const std::string& name) {
  struct stat st {};
  if (::fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
    return entry_error("stat", name, errno);
  switch (st.st_mode & S_IFMT) {
    case S_IFDIR: {
      if (::mkdirat(to, name.c_str(), 0700) < 0)
        return entry_error("mkdir", name, errno);
      UniqueFd sub_from(::openat(from, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub_from.get() < 0)
        return entry_error("open", name, errno);
      UniqueFd sub_to(::openat(to, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub_to.get() < 0)
        return entry_error("open", name, errno);
      if (Status s = copy_tree(sub_from.get(), sub_to.get()); !s)
        return std::move(s).error().wrap("copy `" + name + "`");
      if (::fchown(sub_to.get(), st.st_uid, st.st_gid) < 0 || ::fchmod(sub_to.get(), st.st_mode & 07777) < 0)
        return entry_error("chown/chmod", name, errno);
      return {};
    }
    case S_IFREG:
      return copy_file(from, to, name, st);
    case S_IFLNK: {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(from, name.c_str(), target.data(), target.size());
      if (n < 0)
        return entry_error("readlink", name, errno);
      target.resize(static_cast<size_t>(n));
      if (::symlinkat(target.c_str(), to, name.c_str()) < 0)
        return entry_error("symlink", name, errno);
      break;
    }
    default:  // character and block devices, fifos, sockets
      if (::mknodat(to, name.c_str(), st.st_mode, st.st_rdev) < 0)
        return entry_error("mknod", name, errno);
      if (::fchmodat(to, name.c_str(), st.st_mode & 07777, 0) < 0)
        return entry_error("chmod", name, errno);
      break;
  }
  if (::fchownat(to, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return entry_error("chown", name, errno);
  return {};
}

}  // namespace

Status copy_tree(int from, int to) {
  struct stat a {
  }, b{};
  if (::fstat(from, &a) < 0 || ::fstat(to, &b) < 0)
    return util::errno_error("stat", errno);
  if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    return {};
  // fdopendir takes the fd it is given: hand it a duplicate, with its own offset.
  int dup_fd = ::openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0)
    return util::errno_error("open `.`", errno);
  DIR* dir = ::fdopendir(dup_fd);
  if (dir == nullptr) {
    int code = errno;
    ::close(dup_fd);
    return util::errno_error("fdopendir", code);
  }
  Status result;
  errno = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string name(e->d_name);
    if (name == "." || name == "..")
      continue;
    if (Status s = copy_entry(from, to, name); !s) {
      result = std::move(s);
      break;
    }
    errno = 0;
  }
  if (result && errno != 0)
    result = util::errno_error("readdir", errno);
  ::closedir(dir);
  return result;
}

}  // namespace ocistart::os
