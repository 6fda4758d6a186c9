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

mode_t mode_of(const struct stat& st, const CopyRules& rules) {
  mode_t mode = st.st_mode & 07777;
  if (rules.owner == CopyRules::Owner::creator)
    mode &= ~static_cast<mode_t>(S_ISUID | S_ISGID);
  return mode;
}

// fchown (or fchownat without following) to what the rules say; nothing for `creator`.
int chown_per_rules(int fd, const char* name, const struct stat& st, const CopyRules& rules) {
  if (rules.owner == CopyRules::Owner::creator)
    return 0;
  uid_t uid = rules.owner == CopyRules::Owner::fixed ? rules.uid : st.st_uid;
  gid_t gid = rules.owner == CopyRules::Owner::fixed ? rules.gid : st.st_gid;
  if (name == nullptr)
    return ::fchown(fd, uid, gid);
  return ::fchownat(fd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
}

// The source's access and modification times, last (writing into a directory changes its).
int keep_times(int fd, const char* name, const struct stat& st) {
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (name == nullptr)
    return ::futimens(fd, times);
  return ::utimensat(fd, name, times, AT_SYMLINK_NOFOLLOW);
}

Status copy_data(int in, int out, const std::string& name) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return entry_error("read", name, errno);
    if (n == 0)
      return {};
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return entry_error("write", name, errno);
      done += w;
    }
  }
}

Status copy_file(int from, const std::string& name, int to, const std::string& to_name, const struct stat& st,
                 const CopyRules& rules) {
  // Without blocking, and checked after the open: what fstatat saw may have been replaced
  // by a fifo (whose open would wait for a writer) or a device since.
  UniqueFd in(::openat(from, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (in.get() < 0)
    return entry_error("open", name, errno);
  struct stat opened {};
  if (::fstat(in.get(), &opened) < 0)
    return entry_error("stat", name, errno);
  if (!S_ISREG(opened.st_mode) || opened.st_ino != st.st_ino || opened.st_dev != st.st_dev)
    return entry_error("open", name, ESTALE);
  UniqueFd out(::openat(to, to_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (out.get() < 0)
    return entry_error("create", to_name, errno);
  if (Status s = copy_data(in.get(), out.get(), name); !s)
    return s;
  // After the content: fchown clears set-id bits, so the mode goes last.
  if (chown_per_rules(out.get(), nullptr, st, rules) < 0)
    return entry_error("chown", to_name, errno);
  if (::fchmod(out.get(), mode_of(st, rules)) < 0)
    return entry_error("chmod", to_name, errno);
  if (keep_times(out.get(), nullptr, st) < 0)
    return entry_error("set the times of", to_name, errno);
  return {};
}

Status copy_dir(int from, const std::string& name, int to, const std::string& to_name, const struct stat& st,
                const CopyRules& rules) {
  if (::mkdirat(to, to_name.c_str(), 0700) < 0)
    return entry_error("mkdir", to_name, errno);
  UniqueFd sub_from(::openat(from, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (sub_from.get() < 0)
    return entry_error("open", name, errno);
  UniqueFd sub_to(::openat(to, to_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (sub_to.get() < 0)
    return entry_error("open", to_name, errno);
  if (Status s = copy_tree(sub_from.get(), sub_to.get(), rules); !s)
    return std::move(s).error().wrap("copy `" + name + "`");
  if (chown_per_rules(sub_to.get(), nullptr, st, rules) < 0 || ::fchmod(sub_to.get(), mode_of(st, rules)) < 0)
    return entry_error("chown/chmod", to_name, errno);
  if (keep_times(sub_to.get(), nullptr, st) < 0)
    return entry_error("set the times of", to_name, errno);
  return {};
}

Status copy_link(int from, const std::string& name, int to, const std::string& to_name, const struct stat& st) {
  std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
  ssize_t n = ::readlinkat(from, name.c_str(), target.data(), target.size());
  if (n < 0)
    return entry_error("readlink", name, errno);
  target.resize(static_cast<size_t>(n));
  if (::symlinkat(target.c_str(), to, to_name.c_str()) < 0)
    return entry_error("symlink", to_name, errno);
  return {};
}

}  // namespace

Status copy_entry(int from, const std::string& name, int to, const std::string& to_name, const CopyRules& rules) {
  struct stat st {};
  if (::fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
    return entry_error("stat", name, errno);
  switch (st.st_mode & S_IFMT) {
    case S_IFDIR:
      return copy_dir(from, name, to, to_name, st, rules);
    case S_IFREG:
      return copy_file(from, name, to, to_name, st, rules);
    case S_IFLNK:
      if (Status s = copy_link(from, name, to, to_name, st); !s)
        return s;
      break;
    default:  // character and block devices, fifos, sockets
      if (!rules.special_files)
        return util::make_error("`" + name + "` is a device node, fifo or socket: not copied", EPERM);
      if (::mknodat(to, to_name.c_str(), st.st_mode, st.st_rdev) < 0)
        return entry_error("mknod", to_name, errno);
      if (::fchmodat(to, to_name.c_str(), mode_of(st, rules), 0) < 0)
        return entry_error("chmod", to_name, errno);
      break;
  }
  if (chown_per_rules(to, to_name.c_str(), st, rules) < 0)
    return entry_error("chown", to_name, errno);
  if (keep_times(to, to_name.c_str(), st) < 0)
    return entry_error("set the times of", to_name, errno);
  return {};
}

Status copy_tree(int from, int to) { return copy_tree(from, to, CopyRules{}); }

Status copy_tree(int from, int to, const CopyRules& rules) {
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
    if (Status s = copy_entry(from, name, to, name, rules); !s) {
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
