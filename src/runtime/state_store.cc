#include "runtime/state_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "linux/rootless.h"
#include "runtime/container_id.h"
#include "spec/parse.h"
#include "util/fs.h"
#include "util/signal.h"

namespace ocistart::runtime {
namespace {

constexpr const char* kStateFile = "state.json";
constexpr const char* kConfigFile = "config.json";
constexpr const char* kExecFifo = "exec.fifo";

util::Error does_not_exist(const std::string& id) {
  return util::make_error("container `" + id + "` does not exist", ENOENT);
}

bool missing(int e) { return e == ENOENT || e == ENOTDIR; }

// Refuses `st` (of `what`, already quoted) unless it is ours and nobody else may write it:
// what the store holds is acted on (the pid `kill` signals, the config `exec` applies), so
// a file another user could have written there is never read. `consequence` ends the line.
util::Status check_ours(const struct stat& st, const std::string& what, std::string_view consequence = {}) {
  const uid_t euid = ::geteuid();
  std::string why;
  if (st.st_uid != euid) {
    why = " is owned by uid " + std::to_string(st.st_uid) + ", not by uid " + std::to_string(euid);
  } else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    why = std::string(" is writable by group or others (mode ") + mode + ")";
  } else {
    return {};
  }
  std::string m = what + why + ": refused";
  if (!consequence.empty())
    m.append(", ").append(consequence);
  return util::make_error(std::move(m), EPERM);
}

// A file of the store: a regular file of ours (check_ours), never through a symlink and
// never blocking on a fifo planted in its place. `name` is relative to `at` (AT_FDCWD: a
// path); `path` names it in errors. Errors keep the errno of open (ENOENT).
util::Result<std::string> read_ours(int at, const std::string& name, const std::string& path) {
  int fd = ::openat(at, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP)
      return util::make_error("`" + path + "` is a symlink: refused", EPERM);
    return util::errno_error("read `" + path + "`");
  }
  util::UniqueFd file(fd);
  struct stat st {};
  if (::fstat(file.get(), &st) < 0)
    return util::errno_error("stat `" + path + "`");
  if (!S_ISREG(st.st_mode))
    return util::make_error("`" + path + "` is not a regular file: refused", EPERM);
  if (util::Status s = check_ours(st, "`" + path + "`"); !s)
    return std::move(s).error();
  return util::read_all(file.get(), "read `" + path + "`");
}

util::Result<std::string> read_ours(const std::string& path) { return read_ours(AT_FDCWD, path, path); }

// <root>/<id>, reached as `name` relative to `at` and named `path`: a directory of ours
// (check_ours); ENOENT "does not exist" otherwise.
util::Status check_container_dir(int at, const std::string& name, const std::string& path, const std::string& id) {
  struct stat st {};
  if (::fstatat(at, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (missing(errno))
      return does_not_exist(id);
    return util::errno_error("stat `" + path + "`");
  }
  if (!S_ISDIR(st.st_mode))  // a symlink or a file: not a container of ours (as lock())
    return does_not_exist(id);
  return check_ours(st, "`" + path + "`");
}

// state.json of the container `id`, whose directory (already checked) is `dir` relative
// to `at`, named `dir_path`.
util::Result<ContainerState> load_state(int at, const std::string& dir, const std::string& dir_path,
                                        const std::string& id) {
  std::string path = dir_path + "/" + kStateFile;
  util::Result<std::string> text = read_ours(at, dir + "/" + kStateFile, path);
  if (!text) {
    if (missing(text.error().code))
      return does_not_exist(id);
    return std::move(text).error();
  }
  util::Result<ContainerState> state = parse_state_file(*text);
  if (!state)
    return std::move(state).error().wrap("parse `" + path + "`");
  return state;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view line) {
  // "pid (comm) state ppid ...": comm is whatever the process put there (up to 15
  // bytes, any of them ')' or ' '), so only the last ')' reliably ends it.
  size_t close = line.rfind(')');
  if (close == std::string_view::npos)
    return std::nullopt;
  std::string_view rest = line.substr(close + 1);
  ProcStat st;
  int field = 2;  // the comm field ends at `close`
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\n'))
      ++i;
    if (i == rest.size())
      break;
    size_t end = i;
    while (end < rest.size() && rest[end] != ' ' && rest[end] != '\n')
      ++end;
    std::string_view token = rest.substr(i, end - i);
    ++field;
    if (field == 3) {
      if (token.size() != 1)
        return std::nullopt;
      st.state = token[0];
    } else if (field == 22) {
      auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), st.start_time);
      if (ec != std::errc() || p != token.data() + token.size())
        return std::nullopt;
      return st;
    }
    i = end;
  }
  return std::nullopt;
}

uint64_t process_start_time(int pid) {
  if (pid <= 0)
    return 0;
  util::Result<std::string> text = util::read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text)
    return 0;
  std::optional<ProcStat> st = parse_proc_stat(*text);
  return st ? st->start_time : 0;
}

bool init_alive(const ContainerState& s) {
  if (s.pid <= 0)
    return false;
  // Gone: no /proc/PID/stat (a signal 0 first would only say so too).
  util::Result<std::string> text = util::read_file("/proc/" + std::to_string(s.pid) + "/stat");
  if (!text)
    return false;
  std::optional<ProcStat> st = parse_proc_stat(*text);
  // A different start time means the pid was reused by an unrelated process. A zombie
  // (or dead) init has exited, only its parent has not reaped it yet (as runc).
  return st && st->start_time == s.pid_start_time && st->state != 'Z' && st->state != 'X';
}

namespace {

// current_status() with the container's directory `container_dir` relative to `at`.
ContainerStatus status_at(const ContainerState& s, int at, const std::string& container_dir) {
  // create records the container before it clones the init (so that a create killed at
  // any step leaves what `delete` finds): no pid yet is `creating`, not `stopped`.
  if (s.pid <= 0 && s.status == ContainerStatus::creating)
    return ContainerStatus::creating;
  if (!init_alive(s))
    return ContainerStatus::stopped;
  // A recorded pause first: a created container can be paused too (as with runc), and is
  // then neither startable, nor deletable without --force, nor a place for exec to join.
  if (s.status == ContainerStatus::paused)
    return ContainerStatus::paused;
  // init blocks on exec.fifo until `start` opens it, and `start` removes it.
  struct stat fifo {};
  std::string fifo_path = container_dir + "/" + kExecFifo;
  if (::fstatat(at, fifo_path.c_str(), &fifo, AT_SYMLINK_NOFOLLOW) == 0)
    return ContainerStatus::created;
  // init is alive but create has not finished setting up (no exec.fifo yet).
  if (s.status == ContainerStatus::creating)
    return ContainerStatus::creating;
  return ContainerStatus::running;
}

}  // namespace

ContainerStatus current_status(const ContainerState& s, const std::string& container_dir) {
  return status_at(s, AT_FDCWD, container_dir);
}

std::string default_state_root() {
  // Root of a user namespace that is not the host's (rootless podman's) counts as root
  // only when $USER says root, as runc decides.
  const char* user = std::getenv("USER");
  if (::geteuid() == 0 && (!os::in_user_namespace() || (user != nullptr && std::string_view(user) == "root")))
    return "/run/ocistart";
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg == nullptr || xdg[0] != '/')
    return {};
  return std::string(xdg) + "/ocistart";
}

util::Result<StateStore> StateStore::open(std::string root) {
  while (root.size() > 1 && root.back() == '/')
    root.pop_back();
  if (root.empty() && ::geteuid() != 0)
    return util::make_error(
        "state root: no --root given and $XDG_RUNTIME_DIR is not set (rootless ocistart keeps "
        "its state in $XDG_RUNTIME_DIR/ocistart)",
        EINVAL);
  if (root.empty())
    return util::make_error("state root: empty path", EINVAL);
  // 0700: state.json holds pids, paths and annotations that are nobody else's business.
  if (util::Status s = util::mkdir_p(root, 0700); !s)
    return std::move(s).error().wrap("state root `" + root + "`");
  // A root another user can write to (or owns) could hold a state.json they forged, whose
  // pid our `kill` would signal and whose config our `exec` would apply. The directory
  // itself is checked: a symlink (whoever owns it) could be turned elsewhere after it.
  struct stat st {};
  if (::lstat(root.c_str(), &st) < 0)
    return util::errno_error("state root `" + root + "`");
  if (S_ISLNK(st.st_mode))
    return util::make_error("state root `" + root + "` is a symlink: refused, give the directory it names", ELOOP);
  if (!S_ISDIR(st.st_mode))
    return util::make_error("state root `" + root + "`: not a directory", ENOTDIR);
  if (util::Status s = check_ours(st, "state root `" + root + "`", "other users could forge container state in it"); !s)
    return std::move(s).error();
  return StateStore(std::move(root));
}

std::string StateStore::dir(const std::string& id) const {
  if (root_ == "/")
    return "/" + id;
  return root_ + "/" + id;
}

util::Result<ContainerLock> StateStore::create(const std::string& id) {
  if (util::Status v = validate_container_id(id); !v)
    return std::move(v).error();
  std::string path = dir(id);
  // mkdir is the atomic "claim the id": of two concurrent creates, one gets EEXIST.
  if (::mkdir(path.c_str(), 0700) < 0) {
    if (errno == EEXIST)
      return util::make_error("container `" + id + "` already exists", EEXIST);
    return util::errno_error("mkdir `" + path + "`");
  }
  util::Result<ContainerLock> lk = lock(id);
  if (!lk)
    (void)::rmdir(path.c_str());
  return lk;
}

util::Result<ContainerLock> StateStore::lock(const std::string& id) {
  if (util::Status v = validate_container_id(id); !v)
    return std::move(v).error();
  std::string path = dir(id);
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (missing(errno) || errno == ELOOP)
      return does_not_exist(id);
    return util::errno_error("open `" + path + "`");
  }
  util::UniqueFd dirfd(fd);
  // flock, not fcntl locks: it belongs to the open file description, so it is not
  // dropped when some other fd of this process on the same directory is closed.
  while (::flock(dirfd.get(), LOCK_EX) < 0) {
    if (errno != EINTR)
      return util::errno_error("lock `" + path + "`");
  }
  // The holder we waited for may have deleted the container (and someone may even have
  // created a new one under the same name): the lock counts only if the directory we
  // hold is still the one the path names.
  struct stat held {};
  if (::fstat(dirfd.get(), &held) < 0)
    return util::errno_error("stat `" + path + "`");
  if (held.st_nlink == 0)
    return does_not_exist(id);
  struct stat named {};
  if (::fstatat(AT_FDCWD, path.c_str(), &named, AT_SYMLINK_NOFOLLOW) < 0) {
    if (missing(errno))
      return does_not_exist(id);
    return util::errno_error("stat `" + path + "`");
  }
  if (named.st_dev != held.st_dev || named.st_ino != held.st_ino)
    return does_not_exist(id);
  return ContainerLock(std::move(dirfd));
}

util::Status StateStore::save(const ContainerState& state) {
  if (util::Status v = validate_container_id(state.id); !v)
    return v;
  return util::write_file_atomic(dir(state.id) + "/" + kStateFile, state_file_json(state), 0600);
}

util::Status StateStore::check_dir(const std::string& id) const {
  if (util::Status v = validate_container_id(id); !v)
    return v;
  const std::string path = dir(id);
  return check_container_dir(AT_FDCWD, path, path, id);
}

util::Result<ContainerState> StateStore::load(const std::string& id) const {
  if (util::Status d = check_dir(id); !d)
    return std::move(d).error();
  const std::string path = dir(id);
  return load_state(AT_FDCWD, path, path, id);
}

util::Status StateStore::save_config(const std::string& id, std::string_view json) {
  if (util::Status v = validate_container_id(id); !v)
    return v;
  return util::write_file_atomic(dir(id) + "/" + kConfigFile, json, 0600);
}

util::Result<spec::Config> StateStore::load_config(const std::string& id) const {
  if (util::Status d = check_dir(id); !d)
    return std::move(d).error();
  std::string path = dir(id) + "/" + kConfigFile;
  util::Result<std::string> text = read_ours(path);
  if (!text)
    return std::move(text).error().wrap("config of container `" + id + "`");
  util::Result<spec::Config> config = spec::parse_config(*text);
  if (!config)
    return std::move(config).error().wrap("parse `" + path + "`");
  return config;
}

util::Result<bool> StateStore::remove_unrecorded(const std::string& id) {
  util::Result<ContainerLock> lk = lock(id);
  if (!lk) {
    if (lk.error().code == ENOENT)
      return false;
    return std::move(lk).error();
  }
  struct stat st {};
  if (::fstatat(lk->dirfd(), kStateFile, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return false;
  if (!missing(errno))
    return util::errno_error("stat `" + dir(id) + "/" + kStateFile + "`");
  if (util::Status s = remove(id); !s)
    return std::move(s).error();
  return true;
}

util::Status StateStore::remove(const std::string& id) {
  if (util::Status v = validate_container_id(id); !v)
    return v;
  if (util::Status s = util::remove_tree(dir(id)); !s)
    return s;
  return util::remove_tree(private_bundle_dir(id));
}

std::string StateStore::private_bundle_dir(const std::string& id) const { return root_ + "/.bundle-" + id; }

util::Result<std::string> StateStore::make_private_bundle(const std::string& id, std::string_view config_json) {
  if (util::Status v = validate_container_id(id); !v)
    return std::move(v).error();
  const std::string bundle = private_bundle_dir(id);
  struct stat st {};
  if (::lstat(dir(id).c_str(), &st) == 0)
    return util::make_error("container `" + id + "` already exists", EEXIST);
  if (::mkdir(bundle.c_str(), 0700) < 0) {
    if (errno == EEXIST)
      return util::make_error(
          "container `" + id + "` already exists (or a run killed before its create left `" + bundle + "`)", EEXIST);
    return util::errno_error("make `" + bundle + "`");
  }
  if (util::Status s = util::write_file_atomic(bundle + "/" + kConfigFile, config_json, 0600); !s) {
    (void)util::remove_tree(bundle);
    return std::move(s).error();
  }
  return bundle;
}

util::Status StateStore::remove_orphan_bundle(const std::string& id) {
  if (util::Status v = validate_container_id(id); !v)
    return v;
  struct stat st {};
  if (::lstat(dir(id).c_str(), &st) == 0)
    return {};
  return util::remove_tree(private_bundle_dir(id));
}

util::Result<std::vector<std::string>> StateStore::names(int root_fd) const {
  // A copy for the directory stream, which closedir() closes; the caller keeps its own.
  int fd = ::fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0)
    return util::errno_error("list `" + root_ + "`");
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    int e = errno;
    (void)::close(fd);
    return util::errno_error("list `" + root_ + "`", e);
  }
  std::vector<std::string> ids;
  for (;;) {
    errno = 0;  // readdir returns NULL both at the end and on error
    struct dirent* e = ::readdir(d);
    if (e == nullptr)
      break;
    std::string name = e->d_name;
    // Hidden names (".", "..", temp files) and names that are no valid id (left by
    // something else) are not containers.
    if (name.empty() || name[0] == '.' || !validate_container_id(name))
      continue;
    ids.push_back(std::move(name));
  }
  int e = errno;
  (void)::closedir(d);
  if (e != 0)
    return util::errno_error("list `" + root_ + "`", e);
  std::sort(ids.begin(), ids.end());
  return ids;
}

util::Result<std::vector<StoredContainer>> StateStore::load_all(std::vector<util::Error>& skipped) const {
  // One open of the root, for its names and for each container, reached from it: a path
  // walk of two names, not of the root's whole path, per file (list of 1,000 containers:
  // ~7,000 walks).
  util::UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root)
    return util::errno_error("list `" + root_ + "`");
  util::Result<std::vector<std::string>> ids = names(root.get());
  if (!ids)
    return std::move(ids).error();
  std::vector<StoredContainer> out;
  out.reserve(ids->size());
  for (const std::string& id : *ids) {
    const std::string path = dir(id);
    util::Status checked = check_container_dir(root.get(), id, path, id);
    util::Result<ContainerState> state =
        checked ? load_state(root.get(), id, path, id) : util::Result<ContainerState>(std::move(checked).error());
    if (!state) {
      // Not a directory, or no state.json: a create that has not got that far (or died), or
      // something else's entry; not a container to list. Anything else is said.
      if (state.error().code != ENOENT)
        skipped.push_back(std::move(state).error());
      continue;
    }
    const ContainerStatus status = status_at(*state, root.get(), id);
    out.push_back({std::move(*state), status});
  }
  return out;
}

}  // namespace ocistart::runtime
