// One entry of config.mounts onto the rootfs: resolve the destination inside the root, create
// it, mount through /proc/self/fd/N, then propagation, the bind remount and recursive
// attributes on the new mount. cgroup (v1 and v2) and idmapped binds live here too.
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "linux/cgroup_hierarchies.h"
#include "linux/copy_tree.h"
#include "linux/idmapped_mounts.h"
#include "linux/rootfs_internal.h"
#include "util/fs.h"
#include "util/text.h"

namespace ocistart::os::rootfs_detail {

using util::quoted;
using util::Result;
using util::Status;
using util::UniqueFd;

namespace {

constexpr unsigned long kLockableFlags =
    MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_NOSUID | MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME;

bool is_special_fs(const MountStep& step) { return step.type == "proc" || step.type == "sysfs"; }

// runc's words ("must be mounted on ordinary directory"): clients and tests match them.
util::Error not_on_directory(const MountStep& step, int code) {
  return util::make_error("filesystem " + quoted(step.type) + " must be mounted on ordinary directory", code);
}

// The destination, created when missing: an empty file when a bind's source is not a
// directory, a directory otherwise. proc and sysfs never go through a symlink (runc).
Result<UniqueFd> open_destination(const Root& root, const MountStep& step, bool* existed) {
  const uint64_t resolve = is_special_fs(step) ? RESOLVE_NO_SYMLINKS : 0;
  Result<UniqueFd> fd = open_in_root(root.fd, step.destination, O_PATH, resolve);
  if (fd) {
    *existed = true;
    if (is_special_fs(step)) {
      struct stat st {};
      if (::fstat(fd->get(), &st) < 0 || !S_ISDIR(st.st_mode))
        return not_on_directory(step, ENOTDIR);
    }
    return fd;
  }
  *existed = false;
  if (fd.error().code == ELOOP && is_special_fs(step))
    return not_on_directory(step, ELOOP);
  if (fd.error().code != ENOENT)
    return fd;
  bool file = false;
  if (step.bind) {
    // The tree the runtime opened, when it did: in a new user namespace the source's path
    // may not be reachable from here (a state directory only root may enter).
    struct stat st {};
    if ((step.prepared_fd >= 0 ? ::fstat(step.prepared_fd, &st) : ::stat(step.source.c_str(), &st)) < 0)
      return util::errno_error("stat " + quoted(step.source), errno);
    file = !S_ISDIR(st.st_mode);
  }
  if (!file)
    return mkdir_all_in_root(root, step.destination);
  auto [dir, name] = split_last(step.destination);
  Result<UniqueFd> parent = mkdir_all_in_root(root, dir);
  if (!parent)
    return std::move(parent).error();
  Result<UniqueFd> created = root.sys.create_file(parent->get(), name, 0644);
  if (!created && created.error().code != EEXIST)
    return std::move(created).error();
  return open_in_root(root.fd, step.destination, O_PATH);
}

Result<bool> source_is_procfs(const MountStep& step) {
  struct statfs st {};
  if ((step.prepared_fd >= 0 ? ::fstatfs(step.prepared_fd, &st) : ::statfs(step.source.c_str(), &st)) < 0)
    return util::errno_error("statfs " + quoted(step.source), errno);
  return st.f_type == PROC_SUPER_MAGIC;
}

std::string without_option(const std::string& data, std::string_view key_eq) {
  std::string out;
  size_t pos = 0;
  while (pos <= data.size()) {
    size_t end = data.find(',', pos);
    if (end == std::string::npos)
      end = data.size();
    std::string_view part(data.data() + pos, end - pos);
    if (!part.starts_with(key_eq) && !part.empty()) {
      if (!out.empty())
        out.push_back(',');
      out.append(part);
    }
    pos = end + 1;
  }
  return out;
}

// The idmapped tree (prepared by the runtime, or made here) moved onto `target`.
Status mount_idmapped(const Root& root, const MountStep& step, int target) {
  UniqueFd made;
  int tree = step.prepared_fd;
  if (tree < 0) {
    Result<UniqueFd> t = idmapped_tree(root.sys, step);
    if (!t)
      return std::move(t).error();
    made = std::move(*t);
    tree = made.get();
  }
  return root.sys.move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

// The first mount(2) (or the idmapped equivalent), with the fallbacks runc and crun use
// when a user namespace forbids a fresh instance of the file system. True when it fell
// back to binding the host's instance (whose flags then need a remount).
Result<bool> first_mount(const Root& root, const MountStep& step, int target, const RootfsOptions& options) {
  if (step.idmap != IdmapMode::none) {
    if (Status s = mount_idmapped(root, step, target); !s)
      return std::move(s).error();
    return false;
  }
  if (step.bind && step.prepared_fd >= 0) {
    // The runtime made the bind's tree on its side (a new user namespace may not reach the
    // source): move it into place; the flags are applied to it afterwards as to any bind.
    if (Status s =
            root.sys.move_mount(step.prepared_fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        !s)
      return std::move(s).error();
    return false;
  }
  const std::string fstype = step.bind ? "" : step.type;
  Status s = root.sys.mount(step.source, root.fd_path(target), fstype, step.flags, step.data);
  if (s)
    return false;
  int code = s.error().code;
  if (step.type == "devpts" && code == EINVAL && step.data.find("gid=") != std::string::npos) {
    // gid=5 is not mapped in this user namespace: let the kernel pick the group.
    if (Status again =
            root.sys.mount(step.source, root.fd_path(target), fstype, step.flags, without_option(step.data, "gid="));
        !again)
      return std::move(again).error();
    return false;
  }
  if (options.user_namespace && code == EPERM && (step.type == "sysfs" || step.type == "mqueue")) {
    // No new network (ipc) namespace of our own: the kernel refuses a fresh sysfs (mqueue);
    // bind the host's instead.
    const char* host = step.type == "sysfs" ? "/sys" : "/dev/mqueue";
    if (Status bind = root.sys.mount(host, root.fd_path(target), "", MS_BIND | MS_REC, ""); !bind)
      return std::move(bind).error();
    return true;
  }
  return std::move(s).error();
}

// MS_BIND|MS_REMOUNT with the requested flags; when the kernel refuses because the mount
// has locked flags (inherited into a user namespace), re-apply those (runc does the same).
Status bind_remount(const Root& root, int target, unsigned long flags, unsigned long cleared) {
  Status s = root.sys.mount("", root.fd_path(target), "", flags, "");
  if (s || s.error().code != EPERM)
    return s;
  Result<unsigned long> current = mount_flags_of(target);
  if (!current)
    return std::move(s).error();
  if (unsigned long locked = *current & cleared & kLockableFlags; locked != 0)
    return std::move(s).error().wrap("cannot clear locked flags " + mount_flags_to_string(locked));
  return root.sys.mount("", root.fd_path(target), "", flags | (*current & kLockableFlags), "");
}

// Everything but the cgroup special case. Returns where the mount landed (the container
// path, symlinks resolved).
Result<std::string> mount_plain(const Root& root, const MountStep& step, const RootfsOptions& options) {
  bool existed = false;
  Result<UniqueFd> target = open_destination(root, step, &existed);
  if (!target)
    return std::move(target).error();
  Result<std::string> where = container_path_of(root, target->get());
  if (!where)
    return std::move(where).error();
  bool procfs_source = false;
  if (step.bind && (*where == "/proc")) {
    Result<bool> is_proc = source_is_procfs(step);
    if (!is_proc)
      return std::move(is_proc).error();
    procfs_source = *is_proc;
  }
  if (Status s = check_proc_destination(*where, step, procfs_source); !s)
    return std::move(s).error();

  MountStep effective = step;
  if (step.type == "tmpfs" && existed && step.data.find("mode=") == std::string::npos) {
    // A tmpfs over an existing directory keeps that directory's mode (runc).
    struct stat st {};
    if (::fstat(target->get(), &st) == 0) {
      char mode[16];
      std::snprintf(mode, sizeof(mode), "mode=%04o", st.st_mode & 07777);
      effective.data = step.data.empty() ? mode : std::string(mode) + "," + step.data;
    }
  }
  // tmpcopyup: hold the covered directory open; it stays readable under the new tmpfs.
  UniqueFd covered;
  if (step.tmpcopyup && existed) {
    covered.reset(::openat(target->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (covered.get() < 0 && errno != ENOTDIR)
      return util::errno_error("open " + quoted(*where), errno);
  }
  Result<bool> fell_back = first_mount(root, effective, target->get(), options);
  if (!fell_back)
    return std::move(fell_back).error();

  Result<UniqueFd> mounted = reopen_after_mount(root, *where);
  if (!mounted)
    return std::move(mounted).error();
  if (covered.get() >= 0) {
    UniqueFd fresh(::openat(mounted->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fresh.get() < 0)
      return util::errno_error("open " + quoted(*where), errno);
    if (Status s = copy_tree(covered.get(), fresh.get()); !s)
      return std::move(s).error().wrap("tmpcopyup " + quoted(*where));
  }
  if (*fell_back) {
    // The bound host instance keeps its own flags: apply ours, read-only all the way down.
    const unsigned long flags = step.requested_flags | MS_BIND | MS_REMOUNT;
    if (Status s = bind_remount(root, mounted->get(), flags, step.cleared_flags); !s)
      return std::move(s).error();
    if (step.requested_flags & MS_RDONLY) {
      MountAttr ro;
      ro.attr_set = MOUNT_ATTR_RDONLY;
      if (Status s = root.sys.mount_setattr(mounted->get(), "", AT_EMPTY_PATH | AT_RECURSIVE, ro); !s)
        return std::move(s).error();
    }
  }
  for (unsigned long propagation : step.propagation)
    if (Status s = root.sys.mount("", root.fd_path(mounted->get()), "", propagation, ""); !s)
      return std::move(s).error();
  if (step.remount_flags != 0)
    if (Status s = bind_remount(root, mounted->get(), step.remount_flags, step.cleared_flags); !s)
      return std::move(s).error();
  if (step.attr_set != 0 || step.attr_clr != 0) {
    MountAttr attr;
    attr.attr_set = step.attr_set;
    attr.attr_clr = step.attr_clr;
    if (Status s = root.sys.mount_setattr(mounted->get(), "", AT_EMPTY_PATH | AT_RECURSIVE, attr); !s)
      return std::move(s).error();
  }
  return where;
}

bool cgroup2_host() {
  struct statfs st {};
  return ::statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

bool has_cgroup_namespace(const spec::Config& config) {
  if (!config.linux_)
    return false;
  const std::vector<spec::Namespace>& nss = config.linux_->namespaces;
  return std::any_of(nss.begin(), nss.end(),
                     [](const spec::Namespace& ns) { return ns.type == spec::NamespaceType::cgroup; });
}

Status mount_cgroup2(const Root& root, const MountStep& step, const RootfsOptions& options) {
  MountStep v2 = step;
  v2.type = "cgroup2";
  v2.source = step.source.empty() ? "cgroup2" : step.source;
  Result<std::string> mounted = mount_plain(root, v2, options);
  if (mounted || (mounted.error().code != EPERM && mounted.error().code != EBUSY))
    return mounted ? Status{} : Status{std::move(mounted).error()};
  // In a user namespace without a cgroup namespace the kernel refuses cgroup2: bind the
  // host's hierarchy instead (runc).
  MountStep bind = step;
  bind.type = "bind";
  bind.bind = bind.recursive = true;
  bind.source = "/sys/fs/cgroup";
  bind.flags = MS_BIND | MS_REC;
  bind.remount_flags = step.flags != 0 ? (step.flags | MS_BIND | MS_REMOUNT) : 0;
  Result<std::string> bound = mount_plain(root, bind, options);
  return bound ? Status{} : Status{std::move(bound).error()};
}

// cgroup v1 as runc lays it out: a tmpfs at the destination and, under it, each host
// hierarchy's directory of our own cgroup (or, with a cgroup namespace, a fresh mount of
// the hierarchy), plus cpu -> cpu,cpuacct style links for co-mounted controllers.
Status mount_cgroup(const Root& root, const MountStep& step, const spec::Config& config, const RootfsOptions& options) {
  if (cgroup2_host())
    return mount_cgroup2(root, step, options);
  Result<std::string> mountinfo = util::read_file("/proc/self/mountinfo");
  if (!mountinfo)
    return std::move(mountinfo).error();
  Result<std::string> own = util::read_file("/proc/self/cgroup");
  if (!own)
    return std::move(own).error();
  const unsigned long kDefault = MS_NOSUID | MS_NODEV | MS_NOEXEC;

  MountStep tmpfs;
  tmpfs.source = "tmpfs";
  tmpfs.type = "tmpfs";
  tmpfs.destination = step.destination;
  tmpfs.flags = kDefault;
  tmpfs.data = "mode=755";
  tmpfs.propagation = step.propagation;
  Result<std::string> where = mount_plain(root, tmpfs, options);
  if (!where)
    return std::move(where).error();
  const std::string base = clean_relative_path(*where);

  const bool cgroupns = has_cgroup_namespace(config);
  std::vector<CgroupV1Hierarchy> hierarchies = cgroup_v1_hierarchies(*mountinfo, *own);
  for (const CgroupV1Hierarchy& h : hierarchies) {
    MountStep sub;
    sub.destination = base + "/" + h.name;
    sub.propagation = step.propagation;
    if (cgroupns) {
      sub.type = "cgroup";
      sub.source = h.controllers.starts_with("name=") ? h.controllers.substr(5) : "cgroup";
      sub.data = h.controllers;
      sub.flags = kDefault | (step.requested_flags & MS_RDONLY);
    } else {
      sub.type = "bind";
      sub.bind = sub.recursive = true;
      sub.source = h.source;
      sub.flags = MS_BIND | MS_REC;
      sub.remount_flags = step.requested_flags | MS_BIND | MS_REMOUNT;
      sub.cleared_flags = step.cleared_flags;
    }
    if (Result<std::string> r = mount_plain(root, sub, options); !r)
      return std::move(r).error().wrap("cgroup " + quoted(h.name));
  }
  Result<UniqueFd> dir = open_in_root(root.fd, base, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
  if (!dir)
    return std::move(dir).error();
  for (const CgroupV1Hierarchy& h : hierarchies) {
    if (h.name.find(',') == std::string::npos)
      continue;
    for (size_t pos = 0; pos <= h.name.size();) {
      size_t end = h.name.find(',', pos);
      if (end == std::string::npos)
        end = h.name.size();
      std::string controller = h.name.substr(pos, end - pos);
      pos = end + 1;
      if (controller.empty())
        continue;
      if (Status s = root.sys.symlinkat(h.name, dir->get(), controller); !s && s.error().code != EEXIST)
        return s;
    }
  }
  if (step.requested_flags & MS_RDONLY) {
    // Read-only only now: the hierarchies' mount points had to be created first.
    Result<UniqueFd> top = reopen_after_mount(root, *where);
    if (!top)
      return std::move(top).error();
    return root.sys.mount("", root.fd_path(top->get()), "", MS_REMOUNT | MS_BIND | MS_RDONLY | kDefault, "");
  }
  return {};
}

}  // namespace

Status apply_mount(const Root& root, const MountStep& step, const spec::Config& config, const RootfsOptions& options) {
  if (step.type == "cgroup")
    return mount_cgroup(root, step, config, options);
  Result<std::string> where = mount_plain(root, step, options);
  return where ? Status{} : Status{std::move(where).error()};
}

}  // namespace ocistart::os::rootfs_detail
