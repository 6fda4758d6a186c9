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

void reset_signal_dispositions() noexcept {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP)
      (void)::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  (void)::sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace ocistart::util
