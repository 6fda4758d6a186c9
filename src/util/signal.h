// Sending a signal to one process, and only one.
#pragma once

#include <sys/types.h>

namespace ocistart::util {

/// kill(pid, sig) for a single process. Refuses pid <= 0 with EINVAL and returns -1:
/// kill(0, ...) signals our process group and kill(-1, ...) every process root can reach,
/// which an unset pid must never turn into. Otherwise as kill(2): 0, or -1 with errno.
/// Async-signal-safe (usable in the forked init).
int signal_process(pid_t pid, int sig) noexcept;

}  // namespace ocistart::util
