// Helpers shared by the lifecycle operations.
#include "runtime/container.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "cgroups/no_cgroup.h"
#include "linux/hooks.h"
#include "runtime/host_integration.h"
#include "util/log.h"
#include "util/signal.h"

namespace ocistart::runtime {

util::Result<Loaded> load_locked(const std::string& root, const std::string& id) {
  util::Result<StateStore> store = StateStore::open(root);
  if (!store)
    return std::move(store).error();
  util::Result<ContainerLock> lock = store->lock(id);
  if (!lock)
    return std::move(lock).error();
  util::Result<ContainerState> state = store->load(id);
  if (!state)
    return std::move(state).error();
  ContainerStatus status = current_status(*state, store->dir(id));
  return Loaded{std::move(*store), std::move(*lock), std::move(*state), status};
}

util::Result<std::unique_ptr<cgroups::Driver>> driver_for(const ContainerState& state, const std::string& root) {
  if (state.cgroup_driver == "none")
    return cgroups::make_no_cgroup_driver(state.pid);
  if (state.cgroup_driver != "systemd")
    return cgroups::make_cgroupfs_driver(state.cgroup_path);
  return host_integration().existing_systemd_driver(state.id, state.systemd_unit, state.cgroup_path, root);
}

util::Result<spec::Config> load_config_for(const StateStore& store, const ContainerState& state) {
  return store.load_config(state.id);
}

namespace {

// A pid namespace of its own: killing init takes every process of the container with it
// (the kernel does), and anything else in its cgroup belongs to other containers (runc lets
// a container join a busy cgroup, with a warning) and is left alone, as runc leaves it.
// Without one (or without a readable config), every process of the cgroup is the
// container's, as runc reads it.
bool has_own_pid_namespace(const util::Result<spec::Config>& config) {
  if (!config || !config->linux_)
    return false;
  for (const spec::Namespace& ns : config->linux_->namespaces)
    if (ns.type == spec::NamespaceType::pid)
      return ns.path.empty();
  return false;
}

// With a pid namespace of its own, the container's processes died with its init, once
// the exiting ones have left the cgroup: what stays there longer belongs to other
// containers. Their number (0 also when the container has no pid namespace of its own).
size_t other_containers_processes(const util::Result<spec::Config>& config, cgroups::Driver* driver) {
  if (!has_own_pid_namespace(config))
    return 0;
  size_t left = 0;
  for (int i = 0; i < 50; ++i) {  // 0.5 s for tasks that are still exiting
    util::Result<std::vector<int>> pids = driver->pids();
    left = pids ? pids->size() : 0;
    if (left == 0)
      break;
    ::usleep(10000);
  }
  return left;
}

}  // namespace

util::Status destroy_stopped(StateStore& store, const ContainerState& state, const util::Result<spec::Config>& config,
                             cgroups::Driver* known) {
  // poststop: "MUST be called after the container is deleted"; a failure is a warning.
  // Not for what a create that died left (`creating`): its own undo runs none either.
  const bool half_made = state.status == ContainerStatus::creating;
  if (!config) {
    if (!half_made)
      util::log_warning("delete `" + state.id + "`: poststop hooks not run: " + config.error().message);
  } else if (!half_made && config->hooks && !config->hooks->poststop.empty()) {
    for (const util::Error& e :
         os::run_all_hooks(config->hooks->poststop, oci_state_json(state, ContainerStatus::stopped, 0), "poststop"))
      util::log_warning("delete `" + state.id + "`: " + e.message);
  }
  std::unique_ptr<cgroups::Driver> loaded;
  cgroups::Driver* driver = known;
  if (driver == nullptr) {
    util::Result<std::unique_ptr<cgroups::Driver>> made = driver_for(state, store.root());
    if (!made)
      return std::move(made).error();
    loaded = std::move(*made);
    driver = loaded.get();
  }
  // machined drops a machine whose unit went away, but not one whose leader ran in a unit
  // that lives on (a delegated service): say it is gone. A failure is a warning.
  if (!state.machine.empty())
    if (util::Status m = host_integration().unregister_machine(state.machine); !m && !half_made)
      util::log_warning("delete `" + state.id + "`: " + m.error().message);
  if (size_t others = other_containers_processes(config, driver); others > 0) {
    util::log_warning("delete `" + state.id + "`: the cgroup still holds " + std::to_string(others) +
                      " process(es) of other containers: left in place");
    return store.remove(state.id);
  }
  util::Status s = driver->destroy();
  if (!s) {
    // Processes of a container without a pid namespace keep the cgroup busy: kill them and
    // try once more.
    if (util::Result<std::vector<int>> pids = driver->pids(); pids && !pids->empty()) {
      for (int p : *pids)
        if (p > 0)  // never 0 or -1: those mean our process group / every process
          (void)util::signal_process(p, SIGKILL);
      for (int i = 0; i < 100; ++i) {
        util::Result<std::vector<int>> left = driver->pids();
        if (!left || left->empty())
          break;
        ::usleep(10000);
      }
      s = driver->destroy();
    }
    if (!s)
      return std::move(s).error().wrap("remove the cgroup");
  }
  if (std::string calls = driver->describe_calls(); !calls.empty())
    util::log_debug("delete `" + state.id + "`: " + calls);
  return store.remove(state.id);
}

util::Status kill_all_and_wait(const ContainerState& state, const util::Result<spec::Config>& config,
                               cgroups::Driver* driver, int timeout_ms) {
  if (has_own_pid_namespace(config))
    driver = nullptr;  // init alone: the rest of its cgroup is not the container's
  if (state.pid > 0 && process_start_time(state.pid) == state.pid_start_time)
    (void)util::signal_process(state.pid, SIGKILL);
  if (driver != nullptr)
    if (util::Result<std::vector<int>> pids = driver->pids(); pids)
      for (int p : *pids)
        if (p > 0)
          (void)util::signal_process(p, SIGKILL);
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    // Reap it if it is our child (run); otherwise its parent (or init) does. Never
    // waitpid(0): that is any child of our process group.
    if (state.pid > 0)
      (void)::waitpid(state.pid, nullptr, WNOHANG);
    if (!init_alive(state)) {
      bool empty = true;
      if (driver != nullptr)
        if (util::Result<std::vector<int>> pids = driver->pids(); pids && !pids->empty()) {
          empty = false;
          for (int p : *pids)
            if (p > 0)
              (void)util::signal_process(p, SIGKILL);
        }
      if (empty)
        return {};
    }
    ::usleep(10000);
  }
  return util::make_error("container processes still alive " + std::to_string(timeout_ms / 1000) + "s after SIGKILL",
                          ETIMEDOUT);
}

int exit_status_from_wait(int wait_status) noexcept {
  if (WIFEXITED(wait_status))
    return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status))
    return 128 + WTERMSIG(wait_status);
  return 255;
}

std::string rfc3339_nano_now() {
  struct timespec ts {};
  (void)::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  (void)::gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%09ldZ", static_cast<long>(ts.tv_nsec));
  return buf;
}

}  // namespace ocistart::runtime
