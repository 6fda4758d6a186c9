// delete: a stopped container goes (poststop hooks, cgroup, state); a created one is
// killed first, as runc does (its process never ran); a running or paused one needs
// --force.
#include <cerrno>

#include "runtime/container.h"

namespace ocistart::runtime {

util::Status remove(const std::string& root, const std::string& id, bool force) {
  util::Result<Loaded> l = load_locked(root, id);
  if (!l) {
    if (force && l.error().code == ENOENT)
      return {};  // runc: --force on a missing container is a success
    return std::move(l).error();
  }
  if (l->status != Status::stopped) {
    if (!force && l->status != Status::created)
      return util::make_error(std::string("cannot delete container `") + id + "` that is not stopped: " +
                                  to_string(l->status),
                              EBUSY);
    util::Result<std::unique_ptr<cgroups::Driver>> driver = driver_for(l->state);
    if (!driver)
      return std::move(driver).error();
    // A paused container cannot die while frozen.
    if (l->status == Status::paused)
      (void)(*driver)->thaw();
    if (util::Status s = kill_all_and_wait(l->state, driver->get()); !s)
      return s;
  }
  return destroy_stopped(l->store, l->state);
}

}  // namespace ocistart::runtime
