#include "util/signal.h"

#include <cerrno>
#include <csignal>

namespace ocistart::util {

int signal_process(pid_t pid, int sig) noexcept {
  if (pid <= 0) {
    errno = EINVAL;
    return -1;
  }
  return ::kill(pid, sig);
}

}  // namespace ocistart::util
