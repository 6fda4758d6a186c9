// kill: one signal to init, or with --all to every process of the container's cgroup.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/container.h"
#include "util/signal.h"
#include "util/unique_fd.h"

namespace ocistart::runtime {

util::Status kill(const std::string& root, const std::string& id, int signal, bool all) {
  util::Result<Loaded> l = load_locked(root, id);
  if (!l)
    return std::move(l).error();
  // --all also on a stopped container (runc): whatever is left in its cgroup gets the
  // signal, and nothing left is not an error.
  const bool stopped = l->status == ContainerStatus::stopped;
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
  // load_locked found init alive with the recorded start time, but the pid could be reused
  // since: hold it with a pidfd, check the start time again, and signal through the pidfd.
  util::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, l->state.pid, 0)));
  if (!pidfd) {
    if (errno == ESRCH)
      return util::make_error("container not running", ESRCH);
    return util::errno_error("pidfd_open init (pid " + std::to_string(l->state.pid) + ")");
  }
  if (process_start_time(l->state.pid) != l->state.pid_start_time)
    return util::make_error("container not running", ESRCH);
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), signal, nullptr, 0) < 0)
    return util::errno_error("signal init (pid " + std::to_string(l->state.pid) + ")");
  return {};
}

}  // namespace ocistart::runtime
