// update: the container's cgroup driver applies the new limits, nothing else changes.
#include "runtime/update.h"

#include <cerrno>

#include "runtime/container.h"
#include "util/log.h"

namespace ocistart::runtime {

util::Status update(const std::string& root, const std::string& id, const spec::Resources& resources) {
  util::Result<Loaded> l = load_locked(root, id);
  if (!l)
    return std::move(l).error();
  // A stopped container's cgroup is gone (or about to be); `creating` has no cgroup yet
  // that anyone else may change.
  if (l->status != ContainerStatus::created && l->status != ContainerStatus::running &&
      l->status != ContainerStatus::paused)
    return util::make_error("container not running", EINVAL);
  util::Result<std::unique_ptr<cgroups::Driver>> driver = driver_for(l->state, root);
  if (!driver)
    return std::move(driver).error();
  spec::Resources r = resources;
  r.devices.clear();
  // What this cgroup version cannot take fails before anything changes, naming the field
  // ("/unified: invalid configuration: cannot use unified on cgroup v1").
  if (util::Status s = (*driver)->check_resources(r); !s)
    return s;
  util::Status s = (*driver)->update(r);
  for (const std::string& warning : (*driver)->warnings())
    util::log_warning("update `" + id + "`: " + warning);
  return s;
}

}  // namespace ocistart::runtime
