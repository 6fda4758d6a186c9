#include "util/child.h"

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <utility>

#include "util/signal.h"

namespace ocistart::util {

// glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37): the syscalls directly.
OwnedChild::OwnedChild(pid_t pid) noexcept : pid_(pid > 0 ? pid : -1) {
  if (pid_ > 0)
    pidfd_ = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
}

OwnedChild::OwnedChild(OwnedChild&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)) {}

OwnedChild& OwnedChild::operator=(OwnedChild&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
  }
  return *this;
}

int OwnedChild::wait() noexcept {
  if (pid_ <= 0)
    return -1;
  int status = 0;
  int r;
  while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {}
  pid_ = -1;
  pidfd_.reset();
  return r < 0 ? -1 : status;
}

void OwnedChild::kill_and_reap() noexcept {
  if (pid_ <= 0)
    return;
  if (!pidfd_ || ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0) < 0)
    (void)signal_process(pid_, SIGKILL);
  (void)wait();
}

pid_t OwnedChild::release() noexcept {
  pidfd_.reset();
  return std::exchange(pid_, -1);
}

}  // namespace ocistart::util
