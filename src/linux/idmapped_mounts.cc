#include "linux/idmapped_mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "util/text.h"

namespace ocistart::os {

util::Result<util::UniqueFd> idmapped_tree(Syscalls& sys, const MountStep& step) {
  unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (step.recursive ? AT_RECURSIVE : 0);
  util::Result<util::UniqueFd> tree = sys.open_tree(AT_FDCWD, step.source, tree_flags);
  if (!tree)
    return std::move(tree).error();
  util::Result<util::UniqueFd> userns = sys.userns_fd(step.uid_mappings, step.gid_mappings);
  if (!userns)
    return std::move(userns).error();
  MountAttr attr;
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<uint64_t>(userns->get());
  unsigned flags = AT_EMPTY_PATH | (step.idmap == IdmapMode::ridmap ? AT_RECURSIVE : 0);
  if (util::Status s = sys.mount_setattr(tree->get(), "", flags, attr); !s) {
    int code = s.error().code;
    if (code == EINVAL || code == ENOSYS || code == EOPNOTSUPP || code == EPERM)
      return std::move(s).error().wrap("idmapped mounts are not supported for the file system of " +
                                       util::quoted(step.source));
    return std::move(s).error();
  }
  return tree;
}

util::Result<std::vector<util::UniqueFd>> prepare_idmapped_mounts(const spec::Config& config, Syscalls& sys) {
  std::vector<util::UniqueFd> out;
  util::Result<std::vector<MountStep>> steps = plan_mounts(config);
  if (!steps)
    return std::move(steps).error();
  for (size_t i = 0; i < steps->size(); ++i) {
    if ((*steps)[i].idmap == IdmapMode::none)
      continue;
    out.resize(steps->size());
    util::Result<util::UniqueFd> tree = idmapped_tree(sys, (*steps)[i]);
    if (!tree)
      return std::move(tree).error().wrap("mount " + util::quoted(config.mounts[i].destination));
    out[i] = std::move(*tree);
  }
  return out;
}

void resolve_bind_sources(spec::Config& config, const std::string& bundle) {
  for (spec::Mount& m : config.mounts) {
    bool bind = m.type == "bind";
    for (const std::string& o : m.options)
      bind = bind || o == "bind" || o == "rbind";
    if (bind && !m.source.empty() && m.source.front() != '/')
      m.source = bundle + "/" + m.source;
  }
}

util::Result<std::vector<util::UniqueFd>> prepare_mount_sources(const spec::Config& config, bool new_user_namespace,
                                                                Syscalls& sys) {
  util::Result<std::vector<util::UniqueFd>> out = prepare_idmapped_mounts(config, sys);
  if (!out || !new_user_namespace)
    return out;
  util::Result<std::vector<MountStep>> steps = plan_mounts(config);
  if (!steps)
    return std::move(steps).error();
  out->resize(steps->size());
  for (size_t i = 0; i < steps->size(); ++i) {
    const MountStep& step = (*steps)[i];
    if (!step.bind || step.idmap != IdmapMode::none)
      continue;
    unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (step.recursive ? AT_RECURSIVE : 0);
    util::Result<util::UniqueFd> tree = sys.open_tree(AT_FDCWD, step.source, tree_flags);
    // Rootless: cloning a tree needs CAP_SYS_ADMIN over our mount namespace, which an
    // unprivileged runtime lacks. Its init then binds by path, reaching what the user can.
    if (!tree && tree.error().code == EPERM && ::geteuid() != 0)
      continue;
    if (!tree)
      return std::move(tree).error().wrap("mount " + util::quoted(config.mounts[i].destination));
    (*out)[i] = std::move(*tree);
  }
  return out;
}

}  // namespace ocistart::os
