// RealSyscalls: one forwarding line per call, plus the user-namespace helper for
// idmapped mounts.
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <grp.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "linux/syscalls.h"
#include "linux/seccomp_filter.h"
#include "util/child.h"
#include "util/fd_passing.h"
#include "util/text.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace ocistart::os {

using util::quoted;
using util::Result;
using util::Status;
using util::UniqueFd;

namespace {

// The object of an *at() call: the path, or the fd itself for AT_EMPTY_PATH calls.
std::string object(int dirfd, const std::string& path) {
  return quoted(path.empty() ? "fd " + std::to_string(dirfd) : path);
}

const char* or_null(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

Status check(int rc, std::string_view what) {
  if (rc < 0)
    return util::errno_error(what, errno);
  return {};
}

// Sends `fd` over the unix socket `sock` (SCM_RIGHTS). Async-signal-safe.
bool send_fd(int sock, int fd) {
  char byte = 0;
  return util::send_with_fd(sock, &byte, 1, fd) == 1;
}

Result<UniqueFd> receive_fd(int sock) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0)
    return util::errno_error("receive the helper's `/proc/self`", errno);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (n == 0 || cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS)
    return util::make_error("receive the helper's `/proc/self`: no fd", EPROTO);
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
  return UniqueFd(fd);
}

Status write_map(int proc_dir, const char* name, const std::vector<spec::IdMapping>& mappings) {
  UniqueFd fd(::openat(proc_dir, name, O_WRONLY | O_CLOEXEC));
  if (!fd)
    return util::errno_error(std::string("open ") + quoted(name), errno);
  std::string text = format_id_map(mappings);
  ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n < 0)
    return util::errno_error(std::string("write ") + quoted(name), errno);
  if (static_cast<size_t>(n) != text.size())
    return util::make_error(std::string("write ") + quoted(name) + ": short write", EIO);
  return {};
}

using CapPtr = std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)>;

// Sets the bits of `mask` in `flag` of `caps`.
Status set_cap_flag(cap_t caps, cap_flag_t flag, uint64_t mask) {
  for (int cap = 0; cap < 64; ++cap) {
    if ((mask & (uint64_t{1} << cap)) == 0)
      continue;
    cap_value_t value = static_cast<cap_value_t>(cap);
    if (cap_set_flag(caps, flag, 1, &value, CAP_SET) < 0)
      return util::errno_error("cap_set_flag " + quoted(std::to_string(cap)));
  }
  return {};
}

}  // namespace

std::string namespace_names(uint64_t flags) {
  struct Name {
    uint64_t flag;
    const char* name;
  };
  static constexpr Name kNames[] = {{CLONE_NEWPID, "pid"},       {CLONE_NEWNET, "net"},  {CLONE_NEWNS, "mnt"},
                                    {CLONE_NEWIPC, "ipc"},       {CLONE_NEWUTS, "uts"},  {CLONE_NEWUSER, "user"},
                                    {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWTIME, "time"}};
  std::string out;
  for (const Name& n : kNames)
    if ((flags & n.flag) != 0)
      out.append(out.empty() ? "" : "|").append(n.name);
  return out.empty() ? "?" : out;
}

std::string prctl_name(int option, unsigned long arg2) {
  switch (option) {
    case PR_SET_KEEPCAPS:
      return "PR_SET_KEEPCAPS";
    case PR_SET_DUMPABLE:
      return "PR_SET_DUMPABLE";
    case PR_SET_PDEATHSIG:
      return "PR_SET_PDEATHSIG";
    case PR_SET_NO_NEW_PRIVS:
      return "PR_SET_NO_NEW_PRIVS";
    case PR_CAPBSET_DROP:
      return "PR_CAPBSET_DROP";
    case PR_CAP_AMBIENT:
      switch (arg2) {
        case PR_CAP_AMBIENT_RAISE:
          return "PR_CAP_AMBIENT_RAISE";
        case PR_CAP_AMBIENT_LOWER:
          return "PR_CAP_AMBIENT_LOWER";
        case PR_CAP_AMBIENT_CLEAR_ALL:
          return "PR_CAP_AMBIENT_CLEAR_ALL";
        default:
          return "PR_CAP_AMBIENT " + std::to_string(arg2);
      }
    default:
      return std::to_string(option);
  }
}

std::string format_id_map(const std::vector<spec::IdMapping>& mappings) {
  std::string out;
  for (const spec::IdMapping& m : mappings) {
    out.append(std::to_string(m.container_id)).append(" ");
    out.append(std::to_string(m.host_id)).append(" ");
    out.append(std::to_string(m.size)).append("\n");
  }
  return out;
}

Status RealSyscalls::mount(const std::string& source, const std::string& target, const std::string& fstype,
                           unsigned long flags, const std::string& data) {
  std::string what =
      "mount " + quoted(source.empty() ? (fstype.empty() ? "none" : fstype) : source) + " on " + quoted(target);
  return check(::mount(or_null(source), target.c_str(), or_null(fstype), flags, or_null(data)), what);
}

Status RealSyscalls::umount2(const std::string& target, int flags) {
  return check(::umount2(target.c_str(), flags), "umount " + quoted(target));
}

Status RealSyscalls::pivot_root(const std::string& new_root, const std::string& put_old) {
  return check(static_cast<int>(::syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str())),
               "pivot_root " + quoted(new_root));
}

Status RealSyscalls::chroot(const std::string& path) { return check(::chroot(path.c_str()), "chroot " + quoted(path)); }

Status RealSyscalls::chdir(const std::string& path) { return check(::chdir(path.c_str()), "chdir " + quoted(path)); }

Status RealSyscalls::fchdir(int fd) { return check(::fchdir(fd), "fchdir " + quoted(std::to_string(fd))); }

Status RealSyscalls::mkdirat(int dirfd, const std::string& path, mode_t mode) {
  return check(::mkdirat(dirfd, path.c_str(), mode), "mkdir " + quoted(path));
}

Status RealSyscalls::mknodat(int dirfd, const std::string& path, mode_t mode, dev_t dev) {
  return check(::mknodat(dirfd, path.c_str(), mode, dev), "mknod " + quoted(path));
}

Status RealSyscalls::fchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid, int flags) {
  return check(::fchownat(dirfd, path.c_str(), uid, gid, flags), "chown " + quoted(path));
}

Status RealSyscalls::fchmodat(int dirfd, const std::string& path, mode_t mode, int flags) {
  return check(::fchmodat(dirfd, path.c_str(), mode, flags), "chmod " + quoted(path));
}

Status RealSyscalls::symlinkat(const std::string& target, int dirfd, const std::string& linkpath) {
  return check(::symlinkat(target.c_str(), dirfd, linkpath.c_str()), "symlink " + quoted(linkpath));
}

Status RealSyscalls::unlinkat(int dirfd, const std::string& path, int flags) {
  return check(::unlinkat(dirfd, path.c_str(), flags), "unlink " + quoted(path));
}

Result<UniqueFd> RealSyscalls::create_file(int dirfd, const std::string& path, mode_t mode) {
  int fd = ::openat(dirfd, path.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, mode);
  if (fd < 0)
    return util::errno_error("create " + quoted(path), errno);
  return UniqueFd(fd);
}

Result<UniqueFd> RealSyscalls::open_tree(int dirfd, const std::string& path, unsigned flags) {
  int fd = ::open_tree(dirfd, path.c_str(), flags | OPEN_TREE_CLOEXEC);
  if (fd < 0)
    return util::errno_error("open_tree " + quoted(path), errno);
  return UniqueFd(fd);
}

Status RealSyscalls::move_mount(int from_dirfd, const std::string& from_path, int to_dirfd, const std::string& to_path,
                                unsigned flags) {
  return check(::move_mount(from_dirfd, from_path.c_str(), to_dirfd, to_path.c_str(), flags),
               "move_mount to " + object(to_dirfd, to_path));
}

Status RealSyscalls::mount_setattr(int dirfd, const std::string& path, unsigned flags, const MountAttr& attr) {
  struct mount_attr a {};
  a.attr_set = attr.attr_set;
  a.attr_clr = attr.attr_clr;
  a.propagation = attr.propagation;
  a.userns_fd = attr.userns_fd;
  return check(::mount_setattr(dirfd, path.c_str(), flags, &a, sizeof(a)), "mount_setattr " + object(dirfd, path));
}

Status RealSyscalls::sethostname(std::string_view name) {
  return check(::sethostname(name.data(), name.size()), "sethostname " + quoted(name));
}

Status RealSyscalls::setdomainname(std::string_view name) {
  return check(::setdomainname(name.data(), name.size()), "setdomainname " + quoted(name));
}

Status RealSyscalls::setns(int fd, int nstype) {
  return check(::setns(fd, nstype), "setns " + quoted(namespace_names(static_cast<uint64_t>(nstype))));
}

Status RealSyscalls::unshare(int flags) {
  return check(::unshare(flags), "unshare " + quoted(namespace_names(static_cast<uint64_t>(flags))));
}

Status RealSyscalls::setgroups(const std::vector<gid_t>& gids) {
  std::string list;
  for (gid_t g : gids)
    list.append(list.empty() ? "" : ",").append(std::to_string(g));
  return check(::setgroups(gids.size(), gids.data()), "setgroups " + quoted(list));
}

Status RealSyscalls::setresgid(gid_t gid) {
  return check(::setresgid(gid, gid, gid), "setresgid " + quoted(std::to_string(gid)));
}

Status RealSyscalls::setresuid(uid_t uid) {
  return check(::setresuid(uid, uid, uid), "setresuid " + quoted(std::to_string(uid)));
}

Status RealSyscalls::capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
  CapPtr caps(cap_init(), &cap_free);
  if (!caps)
    return util::errno_error("cap_init");
  if (Status s = set_cap_flag(caps.get(), CAP_EFFECTIVE, effective); !s)
    return s;
  if (Status s = set_cap_flag(caps.get(), CAP_PERMITTED, permitted); !s)
    return s;
  if (Status s = set_cap_flag(caps.get(), CAP_INHERITABLE, inheritable); !s)
    return s;
  return check(cap_set_proc(caps.get()), "capset");
}

Status RealSyscalls::prctl(int option, unsigned long arg2, unsigned long arg3) {
  return check(::prctl(option, arg2, arg3, 0UL, 0UL), "prctl " + quoted(prctl_name(option, arg2)));
}

Result<UniqueFd> RealSyscalls::load_seccomp(const SeccompFilter& filter) { return load_seccomp_filter(filter); }

Result<UniqueFd> RealSyscalls::userns_fd(const std::vector<spec::IdMapping>& uid_mappings,
                                         const std::vector<spec::IdMapping>& gid_mappings) {
  // The helper hands us its own /proc/PID directory rather than us naming it by pid: the
  // init may sit in a new pid namespace while /proc is still the host's, where our pid
  // numbers mean nothing.
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return util::errno_error("socketpair", errno);
  UniqueFd ours(sv[0]), theirs(sv[1]);
  pid_t pid = ::fork();
  if (pid < 0)
    return util::errno_error("fork the user namespace helper", errno);
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    ours.reset();
    int self = ::open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (self < 0 || !send_fd(theirs.get(), self))
      ::_exit(1);
    int err = ::unshare(CLONE_NEWUSER) < 0 ? errno : 0;
    if (::write(theirs.get(), &err, sizeof(err)) != sizeof(err))
      ::_exit(1);
    char c;
    (void)::read(theirs.get(), &c, 1);  // until the parent closes its end or kills us
    ::_exit(0);
  }
  util::OwnedChild helper(pid);  // killed and reaped once the fd is open (or on failure)
  theirs.reset();
  Result<UniqueFd> proc_dir = receive_fd(ours.get());
  if (!proc_dir)
    return std::move(proc_dir).error().wrap("create a user namespace");
  int err = 0;
  ssize_t n;
  do {
    n = ::read(ours.get(), &err, sizeof(err));
  } while (n < 0 && errno == EINTR);
  if (n != sizeof(err))
    return util::make_error("create a user namespace: the helper died", EPROTO);
  if (err != 0)
    return util::errno_error("unshare `CLONE_NEWUSER`", err).wrap("create a user namespace");
  if (Status s = write_map(proc_dir->get(), "uid_map", uid_mappings); !s)
    return std::move(s).error().wrap("create a user namespace");
  if (Status s = write_map(proc_dir->get(), "gid_map", gid_mappings); !s)
    return std::move(s).error().wrap("create a user namespace");
  int fd = ::openat(proc_dir->get(), "ns/user", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return util::errno_error("open `ns/user`", errno).wrap("create a user namespace");
  return UniqueFd(fd);
}

}  // namespace ocistart::os
