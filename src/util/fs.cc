#include "util/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace ocistart::util {
namespace {

std::string quoted(std::string_view op, std::string_view path) {
  std::string s(op);
  s.append(" `").append(path).append("`");
  return s;
}

// A name unique in this process and, with pid and clock, across processes; O_EXCL
// still guards against a collision. Starts with a dot so listings skip it.
std::string temp_name(const std::string& base) {
  static std::atomic<unsigned> counter{0};
  struct timespec ts {};
  (void)clock_gettime(CLOCK_MONOTONIC, &ts);
  char suffix[96];
  std::snprintf(suffix, sizeof suffix, ".tmp.%d.%u.%lx", static_cast<int>(getpid()),
                counter.fetch_add(1, std::memory_order_relaxed),
                static_cast<unsigned long>(ts.tv_nsec) ^ static_cast<unsigned long>(ts.tv_sec));
  // Keep the name under NAME_MAX (255) even for a long base name.
  return "." + base.substr(0, 200) + suffix;
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno_error(quoted("write", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status remove_children(int dirfd, const std::string& path);

// Removes the entry `name` in `dirfd`; a directory is emptied first. Never follows a
// symlink: unlinkat removes the link itself, and a directory is entered only through
// openat(O_NOFOLLOW|O_DIRECTORY).
Status remove_entry(int dirfd, const char* name, const std::string& path, bool maybe_dir) {
  if (!maybe_dir) {
    if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
      return {};
    if (errno != EISDIR)
      return errno_error(quoted("remove", path));
  }
  int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return {};
    if (errno == ENOTDIR || errno == ELOOP) {  // not a directory after all (or a symlink)
      if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return {};
    }
    return errno_error(quoted("open", path));
  }
  UniqueFd child(fd);
  if (Status s = remove_children(child.get(), path); !s)
    return s;
  if (::unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return errno_error(quoted("remove", path));
  return {};
}

// Removes everything inside the directory open as `dirfd` (not the directory itself).
Status remove_children(int dirfd, const std::string& path) {
  // fdopendir takes ownership of its fd, so give it a duplicate.
  int dup_fd = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
  if (dup_fd < 0)
    return errno_error(quoted("open", path));
  DIR* dir = ::fdopendir(dup_fd);
  if (dir == nullptr) {
    int e = errno;
    (void)::close(dup_fd);
    return errno_error(quoted("open", path), e);
  }
  // Collect the names first: unlinking while iterating may make readdir skip entries.
  std::vector<std::pair<std::string, bool>> entries;
  for (;;) {
    errno = 0;  // readdir returns NULL both at the end and on error
    struct dirent* e = ::readdir(dir);
    if (e == nullptr)
      break;
    std::string_view n = e->d_name;
    if (n == "." || n == "..")
      continue;
    entries.emplace_back(std::string(n), e->d_type == DT_DIR || e->d_type == DT_UNKNOWN);
  }
  int e = errno;
  (void)::closedir(dir);
  if (e != 0)
    return errno_error(quoted("read directory", path), e);
  for (const auto& [name, maybe_dir] : entries)
    if (Status s = remove_entry(dirfd, name.c_str(), path + "/" + name, maybe_dir); !s)
      return s;
  return {};
}

}  // namespace

std::pair<std::string, std::string> split_dir_base(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/')
    p.pop_back();
  size_t slash = p.rfind('/');
  if (slash == std::string::npos)
    return {".", p};
  return {slash == 0 ? std::string(1, '/') : p.substr(0, slash), p.substr(slash + 1)};
}

bool executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

Result<std::optional<std::string>> read_file_in_root(const std::string& root, const std::string& rel,
                                                     std::size_t max_size) {
  UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir)
    return errno_error("open `" + root + "`");
  struct open_how how {};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, dir.get(), rel.c_str(), &how, sizeof how)));
  const std::string what = root + "/" + rel;
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR)
      return std::optional<std::string>();
    return errno_error("open `" + what + "`");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0)
    return errno_error("stat `" + what + "`");
  if (!S_ISREG(st.st_mode))
    return std::optional<std::string>();
  Result<std::string> text = read_all(fd.get(), what, max_size);
  if (!text)
    return std::move(text).error();
  return std::optional<std::string>(std::move(*text));
}

Result<std::string> read_all(int fd, std::string_view what, std::size_t max_size) {
  std::string out;
  // Until EOF rather than trusting st_size: /proc and cgroup files report 0.
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno_error(what);
    }
    if (n == 0)
      return out;
    if (static_cast<size_t>(n) > max_size - out.size())
      return make_error(std::string(what) + ": larger than " + std::to_string(max_size) + " bytes", EFBIG);
    out.append(buf, static_cast<size_t>(n));
  }
}

Result<std::string> read_file(const std::string& path, int dirfd, std::size_t max_size) {
  int fd = ::openat(dirfd, path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return errno_error(quoted("read", path));
  UniqueFd owner(fd);
  return read_all(fd, quoted("read", path), max_size);
}

Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode) {
  auto [dir_path, base] = split_dir_base(path);
  if (base.empty() || base == "." || base == ".." || base == "/")
    return make_error(quoted("write", path) + ": not a file name", EINVAL);
  int d = ::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0)
    return errno_error(quoted("write", path));
  UniqueFd dir(d);

  std::string tmp;
  UniqueFd file;
  for (int attempt = 0; attempt < 100 && !file; ++attempt) {
    tmp = temp_name(base);
    int fd = ::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                      static_cast<mode_t>(mode));
    if (fd >= 0)
      file.reset(fd);
    else if (errno != EEXIST)
      return errno_error(quoted("write", path));
  }
  if (!file)
    return errno_error(quoted("write", path), EEXIST);

  // From here on every failure removes the temp file.
  auto fail = [&](int code) {
    file.reset();
    (void)::unlinkat(dir.get(), tmp.c_str(), 0);
    return errno_error(quoted("write", path), code);
  };
  // The umask may have narrowed the mode given to open.
  if (::fchmod(file.get(), static_cast<mode_t>(mode)) < 0)
    return fail(errno);
  if (Status s = write_all(file.get(), data, path); !s)
    return fail(s.error().code);
  // fsync before rename: otherwise a crash can leave the new name pointing at an
  // empty file (ext4 delayed allocation).
  if (::fsync(file.get()) < 0)
    return fail(errno);
  if (::renameat(dir.get(), tmp.c_str(), dir.get(), base.c_str()) < 0)
    return fail(errno);
  file.reset();
  // Make the rename itself durable.
  if (::fsync(dir.get()) < 0)
    return errno_error(quoted("fsync directory of", path));
  return {};
}

Status write_file(const std::string& path, std::string_view data, int dirfd) {
  // O_TRUNC so a regular file holds exactly `data`; cgroup, /proc and sysfs files accept
  // it (shells open them that way for `echo x > file`).
  int fd = ::openat(dirfd, path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return errno_error(quoted("write", path));
  UniqueFd owner(fd);
  // One write(2): cgroup and /proc files take a value per write call.
  ssize_t n;
  do {
    n = ::write(fd, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    return errno_error(quoted("write", path));
  if (static_cast<size_t>(n) != data.size())
    return make_error(quoted("write", path) + ": short write", EIO);
  return {};
}

Status mkdir_p(const std::string& path, unsigned mode) {
  if (path.empty())
    return make_error("mkdir ``: empty path", EINVAL);
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string::npos)
      next = path.size();
    if (next > pos) {  // skip empty components ("//", leading "/")
      std::string prefix = path.substr(0, next);
      if (::mkdir(prefix.c_str(), static_cast<mode_t>(mode)) < 0) {
        int e = errno;
        if (e != EEXIST)
          return errno_error(quoted("mkdir", prefix), e);
        struct stat st {};
        if (::stat(prefix.c_str(), &st) < 0)
          return errno_error(quoted("mkdir", prefix));
        if (!S_ISDIR(st.st_mode))
          return errno_error(quoted("mkdir", prefix), ENOTDIR);
      }
    }
    pos = next + 1;
  }
  return {};
}

Status remove_tree_at(int dirfd, const std::string& name, const std::string& shown) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    return make_error(quoted("remove", shown) + ": refusing to remove this path", EINVAL);
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT)
      return {};
    return errno_error(quoted("remove", shown));
  }
  return remove_entry(dirfd, name.c_str(), shown, S_ISDIR(st.st_mode));
}

Status remove_tree(const std::string& path) {
  auto [dir_path, base] = split_dir_base(path);
  if (base.empty() || base == "." || base == ".." || base == "/")
    return make_error(quoted("remove", path) + ": refusing to remove this path", EINVAL);
  int d = ::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) {
    if (errno == ENOENT)
      return {};
    return errno_error(quoted("remove", path));
  }
  UniqueFd parent(d);
  struct stat st {};
  if (::fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT)
      return {};
    return errno_error(quoted("remove", path));
  }
  return remove_entry(parent.get(), base.c_str(), path, S_ISDIR(st.st_mode));
}

}  // namespace ocistart::util
