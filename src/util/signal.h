// Sending a signal to one process, and only one; resetting a process's signal state.
#pragma once

#include <sys/types.h>

namespace ocistart::util {

/// kill(pid, sig) for a single process. Refuses pid <= 0 with EINVAL and returns -1:
/// kill(0, ...) signals our process group and kill(-1, ...) every process root can reach,
/// which an unset pid must never turn into. Otherwise as kill(2): 0, or -1 with errno.
/// Async-signal-safe (usable in the forked init).
int signal_process(pid_t pid, int sig) noexcept;

/// Sets every signal's disposition but SIGKILL's and SIGSTOP's to SIG_DFL, then unblocks
/// all signals: what a process we execve (the container's, a hook) must start with, since
/// ignored signals and the mask survive execve (run's relay, SIGPIPE blocked for hooks).
/// Errors are ignored (the C library refuses its own reserved signals; that is fine).
/// Async-signal-safe: for the child between fork and execve.
void reset_signal_dispositions() noexcept;

}  // namespace ocistart::util
