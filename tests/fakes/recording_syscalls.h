// RecordingSyscalls: an os::Syscalls that writes each call down as one line and can fail
// the Nth call with a given errno. Calls that only create files inside a test directory
// (mkdirat, create_file, symlinkat, unlinkat) are also performed, so that later lookups see
// them; everything else (mount, mknod, chown, pivot_root, chdir...) is only recorded.
//
// Namespace and privilege calls (setns, unshare, setgroups, setresgid, setresuid, capset,
// prctl, the seccomp load) are only recorded, one line each:
//   setns net $ROOT/ns/net            prctl PR_SET_KEEPCAPS 1
//   setgroups 100,200                 prctl PR_CAP_AMBIENT_RAISE CAP_NET_BIND_SERVICE
//   capset effective=CAP_KILL permitted=CAP_KILL inheritable=
//
// Paths are shown resolved: an fd argument or a /proc/self/fd/N path becomes the path it
// names, and the test's rootfs directory prints as "$ROOT":
//   mount proc -> $ROOT/proc type=proc
//   mount none -> $ROOT/etc/hosts flags=MS_RDONLY|MS_REMOUNT|MS_BIND
#pragma once

#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "linux/caps.h"
#include "linux/mount_plan.h"
#include "linux/seccomp_filter.h"
#include "linux/syscalls.h"

namespace ocistart::testing {

class RecordingSyscalls final : public os::Syscalls {
 public:
  /// `root`: the host path that prints as "$ROOT" (its real path is used as well).
  explicit RecordingSyscalls(std::string root = {}) : root_(std::move(root)) {
    if (!root_.empty()) {
      char buf[PATH_MAX];
      if (::realpath(root_.c_str(), buf) != nullptr)
        real_root_ = buf;
    }
  }

  /// Every call so far, in order.
  std::vector<std::string> calls;

  /// The `n`th call from now on counting from 1 over the whole life of the fake (that is,
  /// calls.size() + 1 is the next one) fails with `err` and is not performed.
  void fail_call(size_t n, int err) {
    fail_at_ = n;
    fail_errno_ = err;
  }

  /// The recorded lines that start with `verb` ("mount", "mknod", ...).
  [[nodiscard]] std::vector<std::string> only(std::string_view verb) const {
    std::vector<std::string> out;
    for (const std::string& c : calls)
      if (c.starts_with(verb) && (c.size() == verb.size() || c[verb.size()] == ' '))
        out.push_back(c);
    return out;
  }

  util::Status mount(const std::string& source, const std::string& target, const std::string& fstype,
                     unsigned long flags, const std::string& data) override {
    std::string line = "mount " + (source.empty() ? std::string("none") : show(source)) + " -> " + show(target);
    if (!fstype.empty())
      line += " type=" + fstype;
    if (flags != 0)
      line += " flags=" + os::mount_flags_to_string(flags);
    if (!data.empty())
      line += " data=" + data;
    return record(std::move(line));
  }
  util::Status umount2(const std::string& target, int flags) override {
    return record("umount " + show(target) + (flags & MNT_DETACH ? " detach" : ""));
  }
  util::Status pivot_root(const std::string& new_root, const std::string& put_old) override {
    return record("pivot_root " + show(new_root) + " " + show(put_old));
  }
  util::Status chroot(const std::string& path) override { return record("chroot " + show(path)); }
  util::Status chdir(const std::string& path) override { return record("chdir " + show(path)); }
  util::Status fchdir(int fd) override { return record("fchdir " + show_fd(fd)); }

  util::Status mkdirat(int dirfd, const std::string& path, mode_t mode) override {
    return record("mkdir " + show_at(dirfd, path) + " " + octal(mode),
                  [&] { return ::mkdirat(dirfd, path.c_str(), mode); });
  }
  util::Status mknodat(int dirfd, const std::string& path, mode_t mode, dev_t dev) override {
    const char* type = S_ISBLK(mode) ? "b" : S_ISFIFO(mode) ? "p" : "c";
    return record("mknod " + show_at(dirfd, path) + " " + type + " " + std::to_string(major(dev)) + ":" +
                  std::to_string(minor(dev)) + " " + octal(mode & 07777));
  }
  util::Status fchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid, int) override {
    return record("chown " + show_at(dirfd, path) + " " + std::to_string(uid) + ":" + std::to_string(gid));
  }
  util::Status fchmodat(int dirfd, const std::string& path, mode_t mode, int) override {
    return record("chmod " + show_at(dirfd, path) + " " + octal(mode));
  }
  util::Status symlinkat(const std::string& target, int dirfd, const std::string& linkpath) override {
    return record("symlink " + show_at(dirfd, linkpath) + " -> " + target,
                  [&] { return ::symlinkat(target.c_str(), dirfd, linkpath.c_str()); });
  }
  util::Status unlinkat(int dirfd, const std::string& path, int flags) override {
    return record("unlink " + show_at(dirfd, path), [&] { return ::unlinkat(dirfd, path.c_str(), flags); });
  }
  util::Result<util::UniqueFd> create_file(int dirfd, const std::string& path, mode_t mode) override {
    int fd = -1;
    util::Status s = record("create " + show_at(dirfd, path) + " " + octal(mode), [&] {
      fd = ::openat(dirfd, path.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, mode);
      return fd;
    });
    if (!s)
      return std::move(s).error();
    return util::UniqueFd(fd);
  }
  util::Result<util::UniqueFd> open_tree(int dirfd, const std::string& path, unsigned flags) override {
    int fd = -1;
    util::Status s = record("open_tree " + show_at(dirfd, path) + (flags & AT_RECURSIVE ? " recursive" : ""),
                            [&] { return fd = ::openat(dirfd, path.c_str(), O_PATH | O_CLOEXEC); });
    if (!s)
      return std::move(s).error();
    return util::UniqueFd(fd);
  }
  util::Status move_mount(int from_dirfd, const std::string& from_path, int to_dirfd, const std::string& to_path,
                          unsigned) override {
    return record("move_mount " + show_at(from_dirfd, from_path) + " -> " + show_at(to_dirfd, to_path));
  }
  util::Status mount_setattr(int dirfd, const std::string& path, unsigned flags, const os::MountAttr& attr) override {
    std::string line = "mount_setattr " + show_at(dirfd, path);
    if (flags & AT_RECURSIVE)
      line += " recursive";
    if (attr.attr_set)
      line += " set=" + os::mount_attr_to_string(attr.attr_set);
    if (attr.attr_clr)
      line += " clr=" + os::mount_attr_to_string(attr.attr_clr);
    return record(std::move(line));
  }
  util::Status sethostname(std::string_view name) override { return record("sethostname " + std::string(name)); }
  util::Status setdomainname(std::string_view name) override { return record("setdomainname " + std::string(name)); }
  util::Status setns(int fd, int nstype) override {
    return record("setns " + os::namespace_names(static_cast<uint64_t>(nstype)) + " " + show_fd(fd));
  }
  util::Status unshare(int flags) override {
    return record("unshare " + os::namespace_names(static_cast<uint64_t>(flags)));
  }
  util::Status setgroups(const std::vector<gid_t>& gids) override {
    std::string list;
    for (gid_t g : gids)
      list += (list.empty() ? "" : ",") + std::to_string(g);
    return record("setgroups " + (list.empty() ? std::string("none") : list));
  }
  util::Status setresgid(gid_t gid) override { return record("setresgid " + std::to_string(gid)); }
  util::Status setresuid(uid_t uid) override { return record("setresuid " + std::to_string(uid)); }
  util::Status capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) override {
    return record("capset effective=" + caps(effective) + " permitted=" + caps(permitted) +
                  " inheritable=" + caps(inheritable));
  }
  util::Status prctl(int option, unsigned long arg2, unsigned long arg3) override {
    std::string line = "prctl " + os::prctl_name(option, arg2);
    if (option == PR_CAPBSET_DROP)
      line += " " + caps(uint64_t{1} << arg2);
    else if (option == PR_CAP_AMBIENT && arg2 != PR_CAP_AMBIENT_CLEAR_ALL)
      line += " " + caps(uint64_t{1} << arg3);
    else if (option != PR_CAP_AMBIENT)
      line += " " + std::to_string(arg2);
    return record(std::move(line));
  }
  /// Records "seccomp" ("seccomp notify" for a filter with SCMP_ACT_NOTIFY rules, which
  /// gets an fd of /dev/null as its listener).
  util::Result<util::UniqueFd> load_seccomp(const os::SeccompFilter& filter) override {
    int fd = -1;
    util::Status s = record(filter.uses_notify() ? "seccomp notify" : "seccomp",
                            [&] { return filter.uses_notify() ? fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC) : 0; });
    if (!s)
      return std::move(s).error();
    return util::UniqueFd(fd);
  }

  util::Result<util::UniqueFd> userns_fd(const std::vector<spec::IdMapping>& uid_mappings,
                                         const std::vector<spec::IdMapping>& gid_mappings) override {
    int fd = -1;
    util::Status s = record("userns uid=" + maps(uid_mappings) + " gid=" + maps(gid_mappings),
                            [&] { return fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC); });
    if (!s)
      return std::move(s).error();
    return util::UniqueFd(fd);
  }

 private:
  template <class F>
  util::Status record(std::string line, F&& perform) {
    calls.push_back(line);
    if (calls.size() == fail_at_)
      return util::errno_error(line, fail_errno_);
    if (perform() < 0)
      return util::errno_error(line, errno);
    return {};
  }
  util::Status record(std::string line) {
    return record(std::move(line), [] { return 0; });
  }

  static std::string octal(unsigned mode) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%04o", mode);
    return buf;
  }
  // "CAP_CHOWN,CAP_KILL" (empty for none).
  static std::string caps(uint64_t mask) {
    std::string out;
    for (char c : os::capability_list(mask))
      if (c != ' ')
        out += c;
    return out;
  }
  static std::string maps(const std::vector<spec::IdMapping>& m) {
    std::string out;
    for (const spec::IdMapping& e : m) {
      if (!out.empty())
        out += ",";
      out += std::to_string(e.container_id) + ":" + std::to_string(e.host_id) + ":" + std::to_string(e.size);
    }
    return out;
  }
  std::string readlink_fd(int fd) const {
    char buf[PATH_MAX];
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf));
    return n < 0 ? link : std::string(buf, static_cast<size_t>(n));
  }
  std::string strip_root(std::string p) const {
    for (const std::string& r : {real_root_, root_}) {
      if (r.empty())
        continue;
      if (p == r)
        return "$ROOT";
      if (p.size() > r.size() && p.compare(0, r.size(), r) == 0 && p[r.size()] == '/')
        return "$ROOT" + p.substr(r.size());
    }
    return p;
  }
  std::string show_fd(int fd) const { return strip_root(readlink_fd(fd)); }
  std::string show(const std::string& path) const {
    static constexpr std::string_view kFd = "/proc/self/fd/";
    if (path.starts_with(kFd) && path.find('/', kFd.size()) == std::string::npos)
      return show_fd(std::atoi(path.c_str() + kFd.size()));
    // After the pivot the code names fd N as "N", relative to its fd directory (the cwd).
    if (!path.empty() && path.find_first_not_of("0123456789") == std::string::npos)
      return show_fd(std::atoi(path.c_str()));
    return strip_root(path);
  }
  std::string show_at(int dirfd, const std::string& path) const {
    if (dirfd == AT_FDCWD || (!path.empty() && path.front() == '/'))
      return show(path);
    std::string dir = show_fd(dirfd);
    return path.empty() ? dir : dir + "/" + path;
  }

  std::string root_, real_root_;
  size_t fail_at_ = 0;
  int fail_errno_ = 0;
};

}  // namespace ocistart::testing
