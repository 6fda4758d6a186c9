// /dev inside the container: device nodes, the standard links, /dev/console.
//
// Never chmod or chown a bind-mount target: through the bind it is the host's node (runc
// and crun have both, at some point, chowned the host's /dev/null this way). Only nodes we
// mknod'ed ourselves get their mode and owner set.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "linux/rootfs_internal.h"
#include "util/text.h"

namespace ocistart::os::rootfs_detail {

using util::quoted;
using util::Result;
using util::Status;
using util::UniqueFd;

namespace {

// An empty file at dir/name (or whatever is already there, unless it is a symlink), with
// the host's node bound onto it.
Status bind_device(const Root& root, int dir, const std::string& name, const std::string& host_path) {
  UniqueFd target(::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (target) {
    struct stat st {};
    if (::fstat(target.get(), &st) == 0 && S_ISLNK(st.st_mode))
      return util::make_error("refusing to bind a device onto a symlink", ELOOP);
  } else {
    Result<UniqueFd> created = root.sys.create_file(dir, name, 0);
    if (!created)
      return std::move(created).error();
    target = std::move(*created);
  }
  return root.sys.mount(host_path, root.fd_path(target.get()), "", MS_BIND, "");
}

mode_t file_type(char type) {
  switch (type) {
    case 'b':
      return S_IFBLK;
    case 'p':
      return S_IFIFO;
    default:
      return S_IFCHR;
  }
}

Status create_device(const Root& root, const DeviceNode& node, bool bind) {
  auto [dir_path, name] = split_last(node.path);
  Result<UniqueFd> dir = mkdir_all_in_root(root, dir_path);
  if (!dir)
    return std::move(dir).error();
  const std::string host_path = "/" + node.path;
  if (bind)
    return bind_device(root, dir->get(), name, host_path);

  if (node.type != 'c' && node.type != 'b' && node.type != 'p')
    return util::make_error("unknown device type " + quoted(std::string(1, node.type)), EINVAL);
  const dev_t dev =
      node.type == 'p' ? 0 : makedev(static_cast<unsigned>(node.major), static_cast<unsigned>(node.minor));
  Status made = root.sys.mknodat(dir->get(), name, file_type(node.type) | node.mode, dev);
  if (!made) {
    if (made.error().code == EEXIST)
      return {};  // the image ships it; leave it as it is (runc)
    if (made.error().code == EPERM)
      return bind_device(root, dir->get(), name, host_path);  // no CAP_MKNOD here
    return made;
  }
  // mknod applied the umask; set the exact mode, then the owner.
  if (Status s = root.sys.fchmodat(dir->get(), name, node.mode, AT_SYMLINK_NOFOLLOW); !s)
    return s;
  return root.sys.fchownat(dir->get(), name, node.uid, node.gid, AT_SYMLINK_NOFOLLOW);
}

}  // namespace

Status create_devices(const Root& root, const spec::Config& config, const RootfsOptions& options) {
  for (const DeviceNode& node : plan_devices(config)) {
    if (Status s = create_device(root, node, options.user_namespace); !s)
      return std::move(s).error().wrap("device " + quoted("/" + node.path));
  }
  return {};
}

Status create_dev_links(const Root& root, bool have_devpts) {
  Result<UniqueFd> dev = mkdir_all_in_root(root, "dev");
  if (!dev)
    return std::move(dev).error();
  if (have_devpts) {
    // The container's ptmx is the one of its own devpts instance.
    if (Status s = root.sys.unlinkat(dev->get(), "ptmx", 0); !s && s.error().code != ENOENT)
      return std::move(s).error().wrap("/dev/ptmx");
    if (Status s = root.sys.symlinkat("pts/ptmx", dev->get(), "ptmx"); !s)
      return std::move(s).error().wrap("/dev/ptmx");
  }
  struct Link {
    const char* target;
    const char* name;
  };
  static constexpr Link kLinks[] = {
      {"/proc/self/fd", "fd"},
      {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"},
  };
  for (const Link& link : kLinks) {
    if (Status s = root.sys.symlinkat(link.target, dev->get(), link.name); !s && s.error().code != EEXIST)
      return std::move(s).error().wrap(quoted(std::string("/dev/") + link.name));
  }
  // Only when the kernel has it (CONFIG_PROC_KCORE); /proc here is still the host's.
  if (::access("/proc/kcore", F_OK) == 0) {
    if (Status s = root.sys.symlinkat("/proc/kcore", dev->get(), "core"); !s && s.error().code != EEXIST)
      return std::move(s).error().wrap("`/dev/core`");
  }
  return {};
}

Status make_console(const Root& root, Pty& console) {
  Result<UniqueFd> ptmx = open_in_root(root.fd, "dev/ptmx", O_PATH);
  if (!ptmx)
    return std::move(ptmx).error().wrap("/dev/ptmx");
  Result<Pty> pty = open_pty(ptmx->get());
  if (!pty)
    return std::move(pty).error();
  Result<UniqueFd> dev = mkdir_all_in_root(root, "dev");
  if (!dev)
    return std::move(dev).error();
  // The slave is bound through our fd of it: no path in the container is trusted.
  if (Status s = bind_device(root, dev->get(), "console", root.fd_path(pty->slave.get())); !s)
    return std::move(s).error().wrap("/dev/console");
  console = std::move(*pty);
  return {};
}

}  // namespace ocistart::os::rootfs_detail
