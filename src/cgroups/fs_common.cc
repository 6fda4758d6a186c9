#include "cgroups/fs_common.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <thread>

namespace ocistart::cgroups {

namespace fs {

namespace {

// The names of the subdirectories of `dir` (child cgroups).
util::Result<std::vector<std::string>> list_subdirs(int dir) {
  int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return util::errno_error("open directory");
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    int err = errno;
    close(fd);
    return util::errno_error("open directory", err);
  }
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = readdir(d)) {
    std::string_view name(e->d_name);
    if (name == "." || name == "..")
      continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir)
      names.emplace_back(name);
  }
  int err = errno;
  closedir(d);
  if (err != 0 && err != ENOENT)
    return util::errno_error("read directory", err);
  return names;
}

util::Status unlink_files(int root, const std::string& rel) {
  int fd = openat(root, rel.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT ? util::Status() : util::errno_error("open `" + rel + "`");
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    int err = errno;
    close(fd);
    return util::errno_error("open `" + rel + "`", err);
  }
  while (dirent* e = readdir(d)) {
    if (e->d_type != DT_DIR)
      (void)unlinkat(dirfd(d), e->d_name, 0);
  }
  closedir(d);
  return {};
}

util::Status write_one(int dir, const Write& write, bool fake) {
  util::Status st = write_file(dir, write.file, write.value, fake);
  if (st || st.error().code != ENOENT)
    return st;
  if (!write.fallback_file.empty()) {
    util::Status alt = write_file(dir, write.fallback_file, write.fallback_value, fake);
    if (alt || alt.error().code != ENOENT || !write.optional)
      return alt;
    return {};
  }
  if (write.optional)
    return {};
  return st;
}

}  // namespace

util::Result<util::UniqueFd> open_dir(int dirfd, const std::string& path) {
  util::UniqueFd fd(openat(dirfd, path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd)
    return util::errno_error("open `" + path + "`");
  return fd;
}

util::Result<std::string> read_file(int dirfd, const std::string& name) {
  util::UniqueFd fd(openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd)
    return util::errno_error("read `" + name + "`");
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return util::errno_error("read `" + name + "`");
    }
    if (n == 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

util::Status write_file(int dirfd, const std::string& name, std::string_view value, bool fake) {
  auto fail = [&](int err) { return util::errno_error("write `" + name + "` = `" + std::string(value) + "`", err); };
  int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;
  if (fake)
    flags |= O_CREAT | O_APPEND;
  util::UniqueFd fd(openat(dirfd, name.c_str(), flags, 0644));
  if (!fd)
    return fail(errno);
  std::string data(value);
  if (fake)
    data += '\n';
  // cgroup files take one value per write(2): never split it.
  ssize_t n;
  do {
    n = write(fd.get(), data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    return fail(errno);
  if (static_cast<size_t>(n) != data.size())
    return fail(EIO);
  return {};
}

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos)
      j = path.size();
    if (j > i)
      out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

namespace {

// rmdir of each of `levels` (top-down) bottom-up, while each is empty (no child cgroup).
void remove_empty_levels(int root, std::vector<std::string>::const_reverse_iterator from,
                         std::vector<std::string>::const_reverse_iterator to, bool fake) {
  for (auto it = from; it != to; ++it) {
    if (fake) {  // a fake tree's files make rmdir fail: remove_cgroup unlinks them
      auto dir = open_dir(root, *it);
      auto children = dir ? list_subdirs(dir->get()) : util::Result<std::vector<std::string>>(dir.error());
      if (!children || !children->empty() || !remove_cgroup(root, *it, std::chrono::milliseconds(0), fake))
        return;
    } else if (unlinkat(root, it->c_str(), AT_REMOVEDIR) != 0) {
      return;  // ENOTEMPTY, EBUSY: somebody else's cgroup is in it now
    }
  }
}

}  // namespace

void remove_made_path(int root, const std::vector<std::string>& made, std::chrono::milliseconds timeout, bool fake) {
  if (made.empty() || !remove_cgroup(root, made.back(), timeout, fake))
    return;
  remove_empty_levels(root, made.rbegin() + 1, made.rend(), fake);
}

util::Result<std::vector<std::string>> make_path(int root, std::string_view path, bool fake) {
  const std::vector<std::string> names = components(path);
  // Each level's path below `root`: "a/b" -> {"a", "a/b"}.
  std::vector<std::string> levels;
  for (const std::string& name : names)
    levels.push_back(levels.empty() ? name : levels.back() + "/" + name);
  // Mostly every level but the last exists (a slice, the parent cgroup): one mkdir of the
  // whole path then, not an open and a mkdir per level (13 hierarchies on a v1 host). The
  // whole path resolves as the drivers' open_dir of it does just after (cgroupfs has no
  // symlinks). Any other failure takes the walk, which says which level failed.
  if (!levels.empty()) {
    if (mkdirat(root, levels.back().c_str(), 0755) == 0)
      return std::vector<std::string>{levels.back()};
    if (errno == EEXIST)
      return std::vector<std::string>{};
  }
  std::vector<std::string> created;
  // None of what it made has a cgroup of ours below it yet: only empty levels go.
  auto undo = [&] { remove_empty_levels(root, created.rbegin(), created.rend(), fake); };
  auto parent = open_dir(root, ".");
  if (!parent)
    return std::move(parent).error();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    const std::string& rel = levels[i];
    bool made = mkdirat(parent->get(), name.c_str(), 0755) == 0;
    if (!made && errno != EEXIST) {
      util::Error e = util::errno_error("mkdir `" + rel + "`");
      undo();
      return e;
    }
    auto child = open_dir(parent->get(), name);
    if (!child) {
      if (made)
        created.push_back(rel);
      undo();
      return std::move(child).error();
    }
    if (made)
      created.push_back(rel);
    *parent = std::move(*child);
  }
  return created;
}

util::Status remove_cgroup(int root, const std::string& rel, std::chrono::milliseconds timeout, bool fake) {
  auto dir = open_dir(root, rel);
  if (!dir)
    return dir.error().code == ENOENT ? util::Status() : util::Status(std::move(dir).error());
  auto children = list_subdirs(dir->get());
  if (!children)
    return std::move(children).error().wrap("remove `" + rel + "`");
  for (const std::string& child : *children)
    if (auto st = remove_cgroup(root, rel + "/" + child, timeout, fake); !st)
      return st;
  if (fake)
    if (auto st = unlink_files(root, rel); !st)
      return st;
  // A task that just exited may still be accounted to the cgroup for a moment (EBUSY).
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (unlinkat(root, rel.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT)
      return {};
    if (errno != EBUSY || std::chrono::steady_clock::now() >= deadline)
      return util::errno_error("rmdir `" + rel + "`");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

util::Result<std::vector<int>> read_pids_recursive(int dir) {
  std::vector<int> pids;
  auto procs = read_file(dir, "cgroup.procs");
  if (!procs)
    return std::move(procs).error();
  const char* p = procs->data();
  const char* end = p + procs->size();
  while (p < end) {
    while (p < end && (*p == '\n' || *p == ' '))
      ++p;
    int pid = 0;
    auto [next, ec] = std::from_chars(p, end, pid);
    if (ec != std::errc())
      break;
    pids.push_back(pid);
    p = next;
  }
  auto children = list_subdirs(dir);
  if (!children)
    return std::move(children).error();
  for (const std::string& child : *children) {
    auto sub = open_dir(dir, child);
    if (!sub) {
      if (sub.error().code == ENOENT)
        continue;  // removed meanwhile
      return std::move(sub).error();
    }
    auto more = read_pids_recursive(sub->get());
    if (!more) {
      if (more.error().code == ENOENT)
        continue;
      return more;
    }
    pids.insert(pids.end(), more->begin(), more->end());
  }
  return pids;
}

util::Result<os::CgroupEntryFile> open_entry_file(int dir, const char* name, std::string path, bool fake) {
  int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;
  if (fake)
    flags |= O_CREAT | O_APPEND;
  util::UniqueFd fd(openat(dir, name, flags, 0644));
  if (!fd)
    return util::errno_error("open `" + path + "`");
  return os::CgroupEntryFile{std::move(fd), std::move(path), false};
}

util::Result<util::UniqueFd> reopen_v2_dir(int dir, const std::string& path) {
  util::UniqueFd fd(openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd)
    return util::errno_error("open `" + path + "`");
  return fd;
}

util::Status join(int dir, int pid, bool fake) { return write_file(dir, "cgroup.procs", std::to_string(pid), fake); }

util::Status apply_writes(const std::vector<Write>& writes,
                          const std::function<util::Result<int>(const std::string&)>& dir_for, bool fake) {
  struct Deferred {
    const Write* write;
    int dir;
    util::Error error;
  };
  std::vector<Deferred> deferred;
  auto retry_deferred = [&]() -> util::Status {
    for (Deferred& d : deferred)
      if (auto st = write_one(d.dir, *d.write, fake); !st)
        return st;
    deferred.clear();
    return {};
  };
  for (const Write& write : writes) {
    auto dir = dir_for(write.controller);
    if (!dir)
      return std::move(dir).error();
    util::Status st = write_one(*dir, write, fake);
    if (!st) {
      if (write.retry_after_next && st.error().code == EINVAL) {
        deferred.push_back(Deferred{&write, *dir, std::move(st).error()});
        continue;
      }
      return st;
    }
    if (auto again = retry_deferred(); !again)
      return again;
  }
  // Deferred until a write that never came: the original failure stands.
  for (Deferred& d : deferred)
    if (auto st = write_one(d.dir, *d.write, fake); !st)
      return std::move(d.error);
  return {};
}

util::Result<util::UniqueFd> open_nearest(int root, const std::string& rel) {
  std::vector<std::string> parts = components(rel);
  for (;;) {
    std::string at = ".";
    for (const std::string& p : parts)
      at = at == "." ? p : at + "/" + p;
    util::Result<util::UniqueFd> dir = open_dir(root, at);
    if (dir || dir.error().code != ENOENT || parts.empty())
      return dir;
    parts.pop_back();
  }
}

bool frozen_v1(int dir) {
  util::Result<std::string> state = read_file(dir, "freezer.state");
  if (!state)
    return false;
  std::string_view s = last_line(*state);
  return s == "FROZEN" || s == "FREEZING";
}

bool frozen_v2(int dir) {
  if (util::Result<std::string> freeze = read_file(dir, "cgroup.freeze"); freeze && last_line(*freeze) == "1")
    return true;
  util::Result<std::string> events = read_file(dir, "cgroup.events");
  return events && key_value(*events, "frozen") == std::string_view("1");
}

util::Result<size_t> count_processes(int root, const std::string& rel) {
  util::Result<util::UniqueFd> dir = open_dir(root, rel);
  if (!dir)
    return dir.error().code == ENOENT ? util::Result<size_t>(size_t{0}) : util::Result<size_t>(std::move(dir).error());
  util::Result<std::vector<int>> pids = read_pids_recursive(dir->get());
  if (!pids)
    return std::move(pids).error();
  return pids->size();
}

std::string_view last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.remove_suffix(1);
  size_t nl = text.rfind('\n');
  if (nl != std::string_view::npos)
    text.remove_prefix(nl + 1);
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  return text;
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n'))
    text.remove_prefix(1);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc())
    return std::nullopt;
  (void)end;
  return v;
}

std::optional<std::string_view> key_value(std::string_view text, std::string_view key) {
  std::optional<std::string_view> found;
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    std::string_view line = text.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ')
      found = line.substr(key.size() + 1);
    if (nl == std::string_view::npos)
      break;
    i = nl + 1;
  }
  return found;
}

util::Status set_frozen_v2(int dir, bool frozen, std::chrono::milliseconds timeout, bool fake) {
  const char* want = frozen ? "1" : "0";
  if (auto st = write_file(dir, "cgroup.freeze", want, fake); !st)
    return st;
  // cgroup.events flips to "frozen 1" once every task has stopped (asynchronously).
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto events = read_file(dir, "cgroup.events");
    if (!events)
      return std::move(events).error();
    if (key_value(*events, "frozen") == std::string_view(want))
      return {};
    if (std::chrono::steady_clock::now() >= deadline)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (frozen)
    (void)write_file(dir, "cgroup.freeze", "0", fake);  // never leave it half frozen
  return util::make_error(std::string("wait for `cgroup.events` frozen ") + want + ": timed out", ETIMEDOUT);
}

}  // namespace fs

util::Result<std::string> normalize_cgroup_path(std::string_view path) {
  if (path.empty() || path.front() != '/')
    return util::make_error("cgroup path `" + std::string(path) + "` is not absolute", EINVAL);
  std::string out;
  for (const std::string& c : fs::components(path)) {
    if (c == "." || c == "..")
      return util::make_error("cgroup path `" + std::string(path) + "` has a `" + c + "` component", EINVAL);
    out += "/" + c;
  }
  if (out.empty())
    return util::make_error("cgroup path `" + std::string(path) + "` is the root cgroup", EINVAL);
  return out;
}

std::string default_cgroup_path(const std::string& cgroups_path, const std::string& id) {
  if (cgroups_path.empty())
    return "/ocistart/" + id;
  if (cgroups_path.front() == '/')
    return cgroups_path;
  return "/" + cgroups_path;
}

util::Result<std::unique_ptr<Driver>> make_cgroupfs_driver(const CgroupfsOptions& options) {
  auto path = normalize_cgroup_path(options.cgroup_path);
  if (!path)
    return std::move(path).error();
  Layout layout;
  if (options.layout) {
    layout = *options.layout;
  } else {
    auto detected = detect_layout(options.mount_root);
    if (!detected)
      return std::move(detected).error();
    layout = *detected;
  }
  if (layout == Layout::v2)
    return fs::make_v2_driver(options, std::move(*path));
  return fs::make_v1_driver(options, std::move(*path), layout == Layout::hybrid);
}

util::Result<std::unique_ptr<Driver>> make_cgroupfs_driver(const std::string& cgroup_path,
                                                           const std::string& mount_root) {
  CgroupfsOptions options;
  options.cgroup_path = cgroup_path;
  options.mount_root = mount_root;
  return make_cgroupfs_driver(options);
}

}  // namespace ocistart::cgroups
