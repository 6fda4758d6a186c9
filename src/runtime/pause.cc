// pause / resume: freeze and thaw every process of the container through its cgroup driver
// (the cgroup freezer with cgroupfs; FreezeUnit/ThawUnit, or the freezer, with systemd).
#include <cerrno>

#include "runtime/container.h"

namespace ocistart::runtime {
namespace {

util::Status set_frozen(const std::string& root, const std::string& id, bool frozen) {
  util::Result<Loaded> l = load_locked(root, id);
  if (!l)
    return std::move(l).error();
  if (frozen ? !can_pause(l->status) : !can_resume(l->status))
    return util::make_error(frozen ? "container not running" : "container not paused", EINVAL);
  util::Result<std::unique_ptr<cgroups::Driver>> driver = driver_for(l->state, root);
  if (!driver)
    return std::move(driver).error();
  if (util::Status s = frozen ? (*driver)->freeze() : (*driver)->thaw(); !s)
    return std::move(s).error().wrap(frozen ? "freeze" : "thaw");
  // Recorded so that `state` reports paused (current_status keeps a recorded pause while
  // init lives); a resumed container is running again.
  l->state.status = frozen ? ContainerStatus::paused : ContainerStatus::running;
  return l->store.save(l->state);
}

}  // namespace

util::Status pause(const std::string& root, const std::string& id) { return set_frozen(root, id, true); }

util::Status resume(const std::string& root, const std::string& id) { return set_frozen(root, id, false); }

}  // namespace ocistart::runtime
