// kill: one signal to init, or with --all to every process of the container's cgroup.
#include <signal.h>

#include <cerrno>

#include "runtime/container.h"
#include "util/signal.h"

namespace ocistart::runtime {

util::Status kill(const std::string& root, const std::string& id, int signal, bool all) {
  util::Result<Loaded> l = load_locked(root, id);
  if (!l)
    return std::move(l).error();
  // --all also on a stopped container (runc): whatever is left in its cgroup gets the
  // signal, and nothing left is not an error.
  const bool stopped = l->status == Status::stopped;
  if (!can_kill(l->status) && !(all && stopped))
    return util::make_error("container not running", ESRCH);
  if (all) {
    util::Result<std::unique_ptr<cgroups::Driver>> driver = driver_for(l->state);
    if (!driver)
      return stopped ? util::Status{} : std::move(driver).error();
    util::Result<std::vector<int>> pids = (*driver)->pids();
    if (!pids)
      return stopped ? util::Status{} : std::move(pids).error().wrap("list the container's processes");
    for (int pid : *pids)
      if (pid > 0 && util::signal_process(pid, signal) < 0 && errno != ESRCH)
        return util::errno_error("signal process " + std::to_string(pid));
    return {};
  }
  if (l->state.pid <= 0)  // kill(0 or -1) would hit our group or everything
    return util::make_error("container not running", ESRCH);
  if (util::signal_process(l->state.pid, signal) < 0)
    return util::errno_error("signal init (pid " + std::to_string(l->state.pid) + ")");
  return {};
}

}  // namespace ocistart::runtime
