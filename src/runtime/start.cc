// start: open exec.fifo for reading, which unblocks init's open for writing; the byte it
// writes tells us it passed the fifo and is about to exec the user's process.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/container.h"
#include "linux/hooks.h"
#include "util/log.h"

namespace ocistart::runtime {
namespace {

util::Error cannot_start(ContainerStatus status) {
  switch (status) {
    case ContainerStatus::stopped:
      return util::make_error("cannot start a container that has stopped", EINVAL);
    case ContainerStatus::running:
      return util::make_error("cannot start an already running container", EINVAL);
    default:
      return util::make_error(std::string("cannot start a container in the ") + to_string(status) + " state", EINVAL);
  }
}

}  // namespace

util::Status start(const std::string& root, const std::string& id) {
  util::Result<Loaded> l = load_locked(root, id);
  if (!l)
    return std::move(l).error();
  if (!can_start(l->status))
    return cannot_start(l->status);

  const std::string fifo_path = l->store.dir(id) + "/exec.fifo";
  // Non-blocking: if init died, a blocking open would still succeed but a read would
  // wait forever; we poll and check that init lives between tries.
  int fd = ::open(fifo_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return util::errno_error("open `" + fifo_path + "`");
  util::UniqueFd fifo(fd);
  while (true) {
    struct pollfd p {
      fifo.get(), POLLIN, 0
    };
    int r = ::poll(&p, 1, 100);
    if (r < 0 && errno != EINTR)
      return util::errno_error("poll exec.fifo");
    if (r > 0) {
      char byte;
      ssize_t n = ::read(fifo.get(), &byte, 1);
      if (n == 1)
        break;
      if (n < 0 && errno != EAGAIN && errno != EINTR)
        return util::errno_error("read exec.fifo");
    }
    if (current_status(l->state, "/nonexistent") == ContainerStatus::stopped)
      return util::make_error("container init exited before start", ESRCH);
  }
  fifo.reset();
  (void)::unlink(fifo_path.c_str());

  // poststart: after the user process started; a failure is only a warning, and the
  // remaining hooks still run (the spec's words).
  util::Result<spec::Config> config = load_config_for(l->store, l->state);
  if (config && config->hooks && !config->hooks->poststart.empty())
    for (const util::Error& e : os::run_all_hooks(config->hooks->poststart,
                                                  oci_state_json(l->state, ContainerStatus::running, 0), "poststart"))
      util::log_warning("start `" + id + "`: " + e.message);
  l->state.status = ContainerStatus::running;
  return l->store.save(l->state);
}

}  // namespace ocistart::runtime
