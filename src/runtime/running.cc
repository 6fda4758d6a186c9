#include "runtime/running.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/container.h"

namespace ocistart::runtime {
namespace {

util::Error not_running(const std::string& id, ContainerStatus status) {
  return util::make_error("container `" + id + "` is not running (" + to_string(status) + ")", ESRCH);
}

std::optional<uint32_t> host_id_of_root(const std::vector<spec::IdMapping>& mappings) {
  for (const spec::IdMapping& m : mappings)
    if (m.container_id == 0 && m.size > 0)
      return m.host_id;
  return std::nullopt;
}

}  // namespace

util::Result<RunningContainer> open_running(const std::string& state_root, const std::string& id) {
  util::Result<Loaded> l = load_locked(state_root, id);
  if (!l)
    return std::move(l).error();
  if (l->status != ContainerStatus::running || l->state.pid <= 0)
    return not_running(id, l->status);
  util::Result<spec::Config> config = load_config_for(l->store, l->state);
  if (!config)
    return std::move(config).error();
  RunningContainer c;
  c.state = l->state;
  c.config = std::move(*config);
  const int pid = c.state.pid;
  c.pidfd = util::UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!c.pidfd || process_start_time(pid) != c.state.pid_start_time)
    return not_running(id, ContainerStatus::stopped);
  c.root = util::UniqueFd(::open(("/proc/" + std::to_string(pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!c.root)
    return errno == ENOENT ? not_running(id, ContainerStatus::stopped)
                           : util::errno_error("open the root of init (pid " + std::to_string(pid) + ")");
  // Still alive (the pidfd pins the process, not the number): the root was init's.
  if (::syscall(SYS_pidfd_send_signal, c.pidfd.get(), 0, nullptr, 0) < 0)
    return not_running(id, ContainerStatus::stopped);
  return c;
}

std::pair<uint32_t, uint32_t> container_root_owner(const spec::Config& config) {
  if (!config.linux_)
    return {0, 0};
  return {host_id_of_root(config.linux_->uid_mappings).value_or(0),
          host_id_of_root(config.linux_->gid_mappings).value_or(0)};
}

}  // namespace ocistart::runtime
