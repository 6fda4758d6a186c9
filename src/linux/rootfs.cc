// prepare_rootfs and finalize_rootfs: the order of the steps and why; the steps themselves
// are in rootfs_mounts.cc, devices.cc, paths.cc and pivot.cc.
#include "linux/rootfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "linux/mount_plan.h"
#include "linux/procfs.h"
#include "linux/rootfs_internal.h"
#include "util/text.h"

namespace ocistart::os {

using rootfs_detail::Root;
using util::quoted;
using util::Result;
using util::Status;
using util::UniqueFd;

namespace {

// The (self-bound) rootfs as an O_PATH fd, with its path as the kernel reports it.
struct OpenedRoot {
  UniqueFd fd;
  std::string path;
};

Result<OpenedRoot> open_rootfs(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd)
    return util::errno_error("open rootfs " + quoted(path), errno);
  Result<std::string> real = rootfs_detail::fd_real_path(fd.get());
  if (!real)
    return std::move(real).error();
  return OpenedRoot{std::move(fd), std::move(*real)};
}

// The mount that holds the rootfs must not be shared: pivot_root refuses that, and the
// self-bind below would propagate into the host. mount(2) says EINVAL when `path` is not a
// mount point, so walk up until one is (runc's rootfsParentMountPropagation).
Status make_parent_mount_unshared(Syscalls& sys, std::string path, unsigned long flags) {
  while (true) {
    Status s = sys.mount("", path, "", flags, "");
    if (s || s.error().code != EINVAL || path == "/")
      return s;
    size_t slash = path.rfind('/');
    path = slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
  }
}

bool has_devpts(const std::vector<MountStep>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const MountStep& s) { return s.destination == "dev/pts"; });
}

}  // namespace

Status prepare_rootfs(const spec::Config& config, const RootfsOptions& options, Syscalls& sys) {
  // Plan first: a bad option fails before anything is mounted.
  Result<std::vector<MountStep>> steps = plan_mounts(config);
  if (!steps)
    return std::move(steps).error();
  for (size_t i = 0; i < steps->size() && i < options.prepared_mounts.size(); ++i)
    (*steps)[i].prepared_fd = options.prepared_mounts[i];
  Result<RootPropagation> propagation = plan_root_propagation(config);
  if (!propagation)
    return std::move(propagation).error();

  // 1. Propagation: by default everything becomes a slave of the host, so nothing we mount
  //    from here on reaches the host, while host unmounts still reach us.
  if (Status s = sys.mount("", "/", "", propagation->root_flags, ""); !s)
    return std::move(s).error().wrap("set rootfs propagation");
  if (Status s = make_parent_mount_unshared(sys, options.rootfs, propagation->parent_flags); !s)
    return std::move(s).error().wrap("set rootfs propagation");

  // 2. The rootfs becomes a mount point of its own (pivot_root needs one); everything below
  //    works on it through an fd taken after this bind.
  if (Status s = sys.mount(options.rootfs, options.rootfs, "", MS_BIND | MS_REC, ""); !s)
    return std::move(s).error().wrap("bind the rootfs onto itself");
  Result<OpenedRoot> opened = open_rootfs(options.rootfs);
  if (!opened)
    return std::move(opened).error();
  const Root root{sys, opened->fd.get(), opened->path};

  // 3. config.mounts, in order: later ones may sit on earlier ones (/dev then /dev/pts).
  //    A cgroup mount shows the container's cgroup: the init must be in it by then.
  bool awaited = false;
  auto await_cgroup = [&]() -> Status {
    if (awaited || !options.await_cgroup)
      return {};
    awaited = true;
    return options.await_cgroup();
  };
  for (size_t i = 0; i < steps->size(); ++i) {
    const spec::Mount& m = config.mounts[i];
    if ((*steps)[i].type == "cgroup" || (*steps)[i].type == "cgroup2")
      if (Status s = await_cgroup(); !s)
        return s;
    if (Status s = rootfs_detail::apply_mount(root, (*steps)[i], config, options); !s)
      return std::move(s).error().wrap("mount " + quoted(m.destination));
  }
  // Devices are made (mknod) under the container's device rules, as in runc.
  if (Status s = await_cgroup(); !s)
    return s;

  // 4. /dev, unless a bind mount provides it: device nodes, then links, then the console.
  if (needs_dev_setup(*steps)) {
    if (Status s = rootfs_detail::create_devices(root, config, options); !s)
      return s;
    if (Status s = rootfs_detail::create_dev_links(root, has_devpts(*steps)); !s)
      return std::move(s).error().wrap("/dev links");
  }
  if (options.console != nullptr)
    if (Status s = rootfs_detail::make_console(root, *options.console); !s)
      return std::move(s).error().wrap("console");
  return {};
}

namespace {

// finalize_rootfs once "/" is the rootfs and the cwd is our fd directory in the host's
// /proc (root.fds): propagation, read-only and masked paths, late read-only remounts.
Status finish_in_new_root(const spec::Config& config, const RootfsOptions& options, Root& root,
                          const std::vector<MountStep>& steps, const RootPropagation& propagation) {
  Result<std::string> now = root.fd_real_path(root.fd);
  if (!now)
    return std::move(now).error();
  root.path = *now;

  // shared/unbindable only now that "/" is the container's own mount.
  if (propagation.after_pivot_flags != 0)
    if (Status s = root.sys.mount("", "/", "", propagation.after_pivot_flags, ""); !s)
      return std::move(s).error().wrap("set rootfs propagation");

  if (options.after_pivot)
    if (Status s = options.after_pivot(); !s)
      return s;

  const spec::Linux* linux_config = config.linux_ ? &*config.linux_ : nullptr;
  if (linux_config) {
    if (Status s = rootfs_detail::make_paths_readonly(root, linux_config->readonly_paths); !s)
      return s;
    if (Status s = rootfs_detail::mask_paths(root, linux_config->masked_paths); !s)
      return s;
  }

  // tmpfs (and /dev) mounts asked "ro" were left writable to be populated.
  for (size_t i = 0; i < steps.size(); ++i) {
    const MountStep& step = steps[i];
    if (step.readonly_later_flags == 0)
      continue;
    const std::string context = "make " + quoted(config.mounts[i].destination) + " read-only";
    Result<UniqueFd> target = rootfs_detail::open_in_root(root.fd, step.destination, O_PATH);
    if (!target)
      return std::move(target).error().wrap(context);
    if (Status s = root.sys.mount("", root.fd_path(target->get()), "", step.readonly_later_flags, ""); !s)
      return std::move(s).error().wrap(context);
  }

  if (config.root && config.root->readonly)
    if (Status s = rootfs_detail::make_root_readonly(root); !s)
      return s;
  return {};
}

}  // namespace

Status finalize_rootfs(const spec::Config& config, const RootfsOptions& options, Syscalls& sys) {
  Result<std::vector<MountStep>> steps = plan_mounts(config);
  if (!steps)
    return std::move(steps).error();
  Result<RootPropagation> propagation = plan_root_propagation(config);
  if (!propagation)
    return std::move(propagation).error();

  // The fd of the self-bound rootfs stays valid across pivot_root and MS_MOVE (it names
  // the mount, not a path): every later lookup goes through it, inside the root.
  Result<OpenedRoot> opened = open_rootfs(options.rootfs);
  if (!opened)
    return std::move(opened).error();
  Root root{sys, opened->fd.get(), opened->path};
  // Every step after the pivot hands mount(2) its targets through this directory, not the
  // container's /proc (Root says why). The fd pins the host's procfs after the old root
  // is detached.
  Result<UniqueFd> fds = open_proc_file("self/fd", O_PATH | O_DIRECTORY);
  if (!fds)
    return std::move(fds).error();

  if (Status s = options.no_pivot ? rootfs_detail::move_into(root) : rootfs_detail::pivot_into(root); !s)
    return std::move(s).error().wrap(options.no_pivot ? "move the rootfs onto `/`" : "pivot_root");
  if (Status s = sys.fchdir(fds->get()); !s)
    return std::move(s).error().wrap("enter our fd directory in the host's /proc");
  root.fds = fds->get();
  if (Status s = finish_in_new_root(config, options, root, *steps, *propagation); !s)
    return s;  // the init exits: nothing runs from this cwd
  // Never left in the host's /proc: "/" is the container's own root by now.
  return sys.chdir("/");
}

}  // namespace ocistart::os
