// run: create + start, then either return (detach) or supervise the init until it exits
// and delete the container (unless --keep), returning its exit status.
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "runtime/container.h"
#include "runtime/notify_relay.h"
#include "runtime/signals.h"
#include "runtime/terminal.h"
#include "util/log.h"

namespace ocistart::runtime {

util::Result<int> run(const RunOptions& o) {
  if (o.detach && o.notify == NotifyMode::container)  // the relay is the foreground run's
    return util::make_error("--notify=container: only in the foreground (not with --detach)", EINVAL);
  // A terminal without a console socket is proxied by us: impossible once detached.
  util::Result<Spawned> spawned = create_container(o, !o.detach);
  if (!spawned)
    return std::move(spawned).error();
  if (o.on_created)
    o.on_created(o.id);
  if (!o.detach && !o.no_subreaper) {
    // Orphans of the container (without a pid namespace) are reparented to us and reaped.
    (void)::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  }

  // Raw mode before the process starts, so its first output is not mangled.
  std::optional<RawMode> raw;
  if (spawned->pty_master)
    raw.emplace(STDIN_FILENO);

  auto cleanup = [&](int) {
    if (o.keep)
      return;
    util::Result<Loaded> l = load_locked(o.root, o.id);
    if (!l) {
      util::log_warning("run `" + o.id + "`: delete: " + l.error().message);
      return;
    }
    // The driver of create: no second bus connection, no second look at the hierarchies.
    cgroups::Driver* driver = spawned->driver.get();
    const util::Result<spec::Config> config = load_config_for(l->store, l->state);
    (void)kill_all_and_wait(l->state, config, driver, 5000);
    if (util::Status s = destroy_stopped(l->store, l->state, config, driver); !s)
      util::log_warning("run `" + o.id + "`: delete: " + s.error().message);
  };

  if (util::Status s = start(o.root, o.id); !s) {
    cleanup(0);
    return std::move(s).error();
  }
  // As ExecStart= of a Type=notify service: the service is up once its process runs,
  // unless the container says so itself (--notify=container, relayed by supervise()).
  if (o.notify == NotifyMode::runtime)
    notify_runtime_ready(spawned->state.pid);
  if (o.detach)
    return 0;

  util::Result<int> status = 0;
  {
    // The relay's blocked mask must not reach the poststop hooks: it ends before cleanup.
    util::Result<SignalRelay> relay = SignalRelay::install();
    if (!relay) {
      cleanup(0);
      return std::move(relay).error();
    }
    Supervised what;
    what.pid = spawned->state.pid;
    what.pty_master = spawned->pty_master.get();
    what.sync_fd = spawned->sync.fd();
    what.notify = spawned->notify ? &*spawned->notify : nullptr;
    status = supervise(*relay, what);
  }
  // The container's init was systemd's main process: now it is us again, so that our exit
  // (the container's status) is the service's.
  if (spawned->notify)
    spawned->notify->hand_back();
  raw.reset();
  cleanup(0);
  return status;
}

}  // namespace ocistart::runtime
