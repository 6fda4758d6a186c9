// copy-to / copy-from. The container is treated as hostile: its paths are only ever
// resolved from its root fd (never through /proc/<pid>/root/<path>, where an absolute
// symlink such as /data -> / would be followed from the host's root), and the entry we
// create is made with O_EXCL/mkdirat and entered with O_NOFOLLOW (os::copy_entry), so the
// window between our check and our write cannot be used to plant a symlink.
#include "runtime/copy.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "linux/copy_tree.h"
#include "linux/in_root.h"
#include "runtime/running.h"
#include "util/fs.h"
#include "util/path.h"

namespace ocistart::runtime {
namespace {

// The source of copy-to, or the destination of copy-from: a host path, its directory and name.
struct HostEntry {
  util::UniqueFd dir;
  std::string name;
};

util::Result<HostEntry> open_host_parent(const std::string& path, std::string_view what, bool mkdir) {
  auto [dir, name] = util::split_dir_base(path);
  if (name.empty() || name == "." || name == ".." || name == "/")
    return util::make_error(std::string(what) + " `" + path + "`: names no file", EINVAL);
  if (mkdir)
    if (util::Status s = util::mkdir_p(dir); !s)
      return std::move(s).error().wrap(what);
  util::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd)
    return util::errno_error(std::string(what) + " `" + path + "`");
  return HostEntry{std::move(fd), name};
}

// The destination must not exist: a symlink there is ELOOP (never written through), anything else EEXIST.
util::Status check_absent(int dir, const std::string& name, const std::string& shown) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT)
      return {};
    return util::errno_error("destination `" + shown + "`");
  }
  if (S_ISLNK(st.st_mode))
    return util::make_error("destination `" + shown + "` is a symlink: refusing to write through it", ELOOP);
  return util::make_error("destination `" + shown + "` already exists", EEXIST);
}

// Copies, removing what was made when the copy fails halfway.
util::Status copy_or_undo(int from_dir, const std::string& from_name, int to_dir, const std::string& to_name,
                          const std::string& shown, const os::CopyRules& rules) {
  util::Status s = os::copy_entry(from_dir, from_name, to_dir, to_name, rules);
  if (s)
    return s;
  if (s.error().code != EEXIST)
    (void)util::remove_tree_at(to_dir, to_name, shown);
  return std::move(s).error().wrap("copy to `" + shown + "`");
}

}  // namespace

util::Status copy_to(const CopyOptions& o) {
  util::Result<RunningContainer> c = open_running(o.root, o.id);
  if (!c)
    return std::move(c).error();
  // The host's rules for the source: symlinks are followed, the last one too.
  char real[PATH_MAX];
  if (::realpath(o.source.c_str(), real) == nullptr)
    return util::errno_error("source `" + o.source + "`");
  util::Result<HostEntry> from = open_host_parent(real, "source", false);
  if (!from)
    return std::move(from).error();
  os::CopyRules rules;
  rules.owner = os::CopyRules::Owner::fixed;
  std::tie(rules.uid, rules.gid) = container_root_owner(c->config);
  util::Result<os::InRootEntry> to =
      os::open_parent_in_root(c->root.get(), o.destination, o.mkdir, rules.uid, rules.gid);
  if (!to)
    return std::move(to).error().wrap("destination");
  if (util::Status s = check_absent(to->dir.get(), to->name, to->shown); !s)
    return s;
  return copy_or_undo(from->dir.get(), from->name, to->dir.get(), to->name, to->shown, rules);
}

util::Status copy_from(const CopyOptions& o) {
  util::Result<RunningContainer> c = open_running(o.root, o.id);
  if (!c)
    return std::move(c).error();
  util::Result<os::InRootEntry> from = os::open_parent_in_root(c->root.get(), o.source, false);
  if (!from)
    return std::move(from).error().wrap("source");
  struct stat st {};
  if (util::Status s = os::stat_entry(*from, st); !s)
    return std::move(s).error().wrap("source");
  if (S_ISLNK(st.st_mode))
    return util::make_error("source `" + from->shown + "` is a symlink: name what it points to", ELOOP);
  util::Result<HostEntry> to = open_host_parent(o.destination, "destination", o.mkdir);
  if (!to)
    return std::move(to).error();
  if (util::Status s = check_absent(to->dir.get(), to->name, o.destination); !s)
    return s;
  os::CopyRules rules;
  rules.owner = os::CopyRules::Owner::creator;
  rules.special_files = false;
  return copy_or_undo(from->dir.get(), from->name, to->dir.get(), to->name, o.destination, rules);
}

}  // namespace ocistart::runtime
