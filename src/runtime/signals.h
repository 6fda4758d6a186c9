// The foreground supervision of `run` and `exec`: signals relayed to the container's
// process, the pty proxied, children reaped, the exit status returned.
#pragma once

#include <signal.h>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::runtime {

class NotifyRelay;

/// Whether a signal received by the runtime is forwarded to the container's process:
/// every catchable signal except SIGCHLD (ours: our children changed state), SIGWINCH
/// (resizes the pty instead) and SIGURG (out-of-band data on our own sockets), as runc.
[[nodiscard]] bool relayable(int sig) noexcept;

/// Blocks every signal and reads them from a signalfd while alive; the previous mask
/// comes back on destruction. Install it only after the children that must not inherit
/// the mask were started (the init resets its mask anyway before exec).
class SignalRelay {
 public:
  [[nodiscard]] static util::Result<SignalRelay> install();
  SignalRelay(SignalRelay&& o) noexcept;
  SignalRelay& operator=(SignalRelay&&) = delete;
  SignalRelay(const SignalRelay&) = delete;
  ~SignalRelay();
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }

 private:
  SignalRelay() = default;
  util::UniqueFd fd_;
  sigset_t old_{};
  bool restore_ = false;
};

struct Supervised {
  int pid = -1;         // our child: the container's process (init, or exec's process)
  int pty_master = -1;  // proxied to our stdin/stdout when >= 0
  int sync_fd = -1;     // sync socket: an `error` message is printed, EOF is fine
  /// run --notify=container: the container's notify socket, relayed with MAINPID=pid.
  NotifyRelay* notify = nullptr;
};

/// Runs until `pid` exits; returns its exit status (128+N for signal N). Other children
/// (reparented orphans when we are a subreaper, hooks) are reaped and ignored.
/// Prints errors coming over the sync socket to the log. Relays `notify`'s datagrams as
/// they come, and those still waiting when `pid` exits.
[[nodiscard]] util::Result<int> supervise(SignalRelay& relay, const Supervised& what);

}  // namespace ocistart::runtime
