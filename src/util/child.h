// OwnedChild: a child process that must not outlive the step that made it (crun's
// `cleanup_pid`): killed and reaped at scope exit unless waited for or released.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::util {

/// Owns a child's pid and, when the kernel gives one, a pidfd, so that the SIGKILL at
/// scope exit reaches this process and never one that reused its pid. Async-signal-safe
/// (usable in the forked init, which runs hooks). Moves; does not copy.
class [[nodiscard]] OwnedChild {
 public:
  OwnedChild() = default;
  /// Takes `pid` (> 0, a child of ours) and opens its pidfd; a pid <= 0 owns nothing.
  explicit OwnedChild(pid_t pid) noexcept;
  OwnedChild(OwnedChild&& other) noexcept;
  OwnedChild& operator=(OwnedChild&& other) noexcept;
  OwnedChild(const OwnedChild&) = delete;
  OwnedChild& operator=(const OwnedChild&) = delete;
  ~OwnedChild() { kill_and_reap(); }

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  /// The pidfd, or -1 when pidfd_open failed (the pid is still used then).
  [[nodiscard]] int pidfd() const noexcept { return pidfd_.get(); }
  explicit operator bool() const noexcept { return pid_ > 0; }

  /// Waits for the child (EINTR retried) and returns its wait status; it is no longer
  /// owned. -1 when nothing is owned or waitpid failed.
  int wait() noexcept;
  /// SIGKILL (through the pidfd when there is one) and reap; nothing owned afterwards.
  void kill_and_reap() noexcept;
  /// Stops owning the child without touching it (it lives on, someone else reaps it).
  pid_t release() noexcept;

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

/// What run_captured() saw of a command that ran to its end.
struct Captured {
  int status = 0;      // its wait status
  std::string output;  // what it wrote to stdout (and stderr, when asked)
};

/// Runs `argv` (argv[0] a path, or a name looked up in $PATH as execvp(3) does), reads its
/// stdout, and with `with_stderr` its stderr too, until EOF, then reaps it. `env`: its
/// environment, ours when null. A command that cannot be executed exits 127. A read
/// error (or more than `max_output` bytes: EFBIG) kills and reaps it and is the error.
[[nodiscard]] Result<Captured> run_captured(const std::vector<std::string>& argv, bool with_stderr = false,
                                            const std::vector<std::string>* env = nullptr,
                                            std::size_t max_output = SIZE_MAX);

}  // namespace ocistart::util
