// delete: a stopped container goes (poststop hooks, cgroup, state); a created one is
// killed first, as runc does (its process never ran); a running or paused one needs
// --force. What a create that was killed left (a state directory without state.json, or a
// state still `creating`) goes too, as that create's undo would have removed it.
#include <cerrno>

#include "runtime/container.h"

namespace ocistart::runtime {

util::Status remove(const std::string& root, const std::string& id, bool force) {
  util::Result<Loaded> l = load_locked(root, id);
  if (!l) {
    if (l.error().code != ENOENT)
      return std::move(l).error();
    // A directory without state.json: a create killed before it recorded anything (which
    // is before it made anything but that directory). It goes, with or without --force.
    util::Result<StateStore> store = StateStore::open(root);
    if (!store)
      return std::move(store).error();
    util::Result<bool> removed = store->remove_unrecorded(id);
    if (!removed)
      return std::move(removed).error();
    if (force || *removed)
      return {};  // runc: --force on a missing container is a success
    return std::move(l).error();
  }
  // Recorded `creating` while we hold the lock, which create holds until it finishes: the
  // create that recorded it died. What it made goes as create's own undo would remove it,
  // without --force (as a created container's init is killed without it).
  const bool half_made = l->state.status == ContainerStatus::creating;
  const util::Result<spec::Config> config = load_config_for(l->store, l->state);
  if (l->status != ContainerStatus::stopped) {
    if (!force && l->status != ContainerStatus::created && !half_made)
      return util::make_error(
          std::string("cannot delete container `") + id + "` that is not stopped: " + to_string(l->status), EBUSY);
    util::Result<std::unique_ptr<cgroups::Driver>> driver = driver_for(l->state);
    if (!driver)
      return std::move(driver).error();
    // A paused container cannot die while frozen.
    if (l->status == ContainerStatus::paused)
      (void)(*driver)->thaw();
    if (util::Status s = kill_all_and_wait(l->state, config, driver->get()); !s)
      return s;
  }
  return destroy_stopped(l->store, l->state, config);
}

}  // namespace ocistart::runtime
