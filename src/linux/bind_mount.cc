#include "linux/bind_mount.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "linux/in_root.h"
#include "linux/sync.h"
#include "linux/syscalls.h"
#include "util/child.h"

namespace ocistart::os {
namespace {

using util::Result;
using util::Status;
using util::UniqueFd;

// The source's mount tree, detached, private, and read-only when asked.
Result<UniqueFd> clone_source(Syscalls& sys, const BindInto& r) {
  Result<UniqueFd> tree = sys.open_tree(AT_FDCWD, r.source, OPEN_TREE_CLONE | AT_RECURSIVE);
  if (!tree)
    return std::move(tree).error().wrap("source `" + r.source + "`");
  MountAttr attr;
  attr.propagation = MS_PRIVATE;
  if (r.read_only)
    attr.attr_set = MOUNT_ATTR_RDONLY;
  if (Status s = sys.mount_setattr(tree->get(), "", AT_EMPTY_PATH | AT_RECURSIVE, attr); !s)
    return std::move(s).error().wrap("source `" + r.source + "`");
  return tree;
}

// Makes the missing destination: a directory, or an empty file for a file source. False
// when it was there already (someone else's, then, not ours to chown).
Result<bool> make_target(const InRootEntry& e, bool source_is_dir) {
  int rc = -1;
  if (source_is_dir) {
    rc = ::mkdirat(e.dir.get(), e.name.c_str(), 0755);
  } else {
    UniqueFd file(::openat(e.dir.get(), e.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    rc = file ? 0 : -1;
  }
  if (rc == 0)
    return true;
  if (errno == EEXIST)
    return false;
  return util::errno_error("destination `" + e.shown + "`: create");
}

// The destination's last component: made with --mkdir, refused when a symlink or of the
// other kind, then held without following anything.
Result<UniqueFd> open_target(const InRootEntry& e, bool source_is_dir, const BindInto& r) {
  struct stat st {};
  bool made = false;
  if (::fstatat(e.dir.get(), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno != ENOENT)
      return util::errno_error("destination `" + e.shown + "`");
    if (!r.mkdir)
      return util::make_error("destination `" + e.shown + "` does not exist (--mkdir makes it)", ENOENT);
    Result<bool> m = make_target(e, source_is_dir);
    if (!m)
      return std::move(m).error();
    made = *m;
  }
  open_how how{};
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  UniqueFd target(static_cast<int>(::syscall(SYS_openat2, e.dir.get(), e.name.c_str(), &how, sizeof how)));
  if (!target)
    return util::errno_error("destination `" + e.shown + "`");
  if (::fstat(target.get(), &st) < 0)
    return util::errno_error("destination `" + e.shown + "`");
  if (S_ISLNK(st.st_mode))
    return util::make_error("destination `" + e.shown + "` is a symlink: refusing to mount over it", ELOOP);
  if (S_ISDIR(st.st_mode) != source_is_dir)
    return util::make_error("destination `" + e.shown + "` is " + (source_is_dir ? "not a directory" : "a directory") +
                                ", the source " + (source_is_dir ? "is" : "is not"),
                            source_is_dir ? ENOTDIR : EISDIR);
  if (made && ::fchownat(target.get(), "", r.owner_uid, r.owner_gid, AT_EMPTY_PATH) < 0)
    return util::errno_error("destination `" + e.shown + "`: chown");
  return target;
}

// The child: in the container's mount namespace, from the container's root.
Status mount_inside(Syscalls& sys, int pidfd, int root, int tree, bool source_is_dir, const BindInto& r) {
  if (Status s = sys.setns(pidfd, CLONE_NEWNS); !s)
    return std::move(s).error().wrap("join the container's mount namespace");
  Result<InRootEntry> e = open_parent_in_root(root, r.destination, r.mkdir, r.owner_uid, r.owner_gid);
  if (!e)
    return std::move(e).error().wrap("destination");
  Result<UniqueFd> target = open_target(*e, source_is_dir, r);
  if (!target)
    return std::move(target).error();
  return sys.move_mount(tree, "", target->get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

}  // namespace

Status bind_into(int pidfd, int root, const BindInto& r) {
  RealSyscalls sys;
  Result<UniqueFd> tree = clone_source(sys, r);
  if (!tree)
    return std::move(tree).error();
  struct stat st {};
  if (::fstat(tree->get(), &st) < 0)
    return util::errno_error("source `" + r.source + "`");
  Result<std::pair<SyncChannel, SyncChannel>> pair = SyncChannel::make_pair();
  if (!pair)
    return std::move(pair).error();
  (void)std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0)
    return util::errno_error("fork");
  if (pid == 0) {
    // Joins only the mount namespace: nothing in the container can see this process.
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    (void)::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    pair->first.close();
    Status s = mount_inside(sys, pidfd, root, tree->get(), S_ISDIR(st.st_mode), r);
    (void)(s ? pair->second.send(SyncKind::ready) : pair->second.send_error(s.error()));
    ::_exit(s ? 0 : 1);
  }
  util::OwnedChild child(pid);
  pair->second.close();
  Result<SyncMessage> answer = pair->first.expect(SyncKind::ready, 30000);
  (void)child.wait();
  if (!answer)
    return std::move(answer).error();
  return {};
}

}  // namespace ocistart::os
