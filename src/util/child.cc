#include "util/child.h"

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <utility>

#include "util/fs.h"
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

Result<Captured> run_captured(const std::vector<std::string>& argv, bool with_stderr,
                              const std::vector<std::string>* env, std::size_t max_output) {
  // Everything the child uses is made before the fork: between fork and exec only
  // async-signal-safe calls (the parent may have threads).
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  if (env != nullptr) {
    for (const std::string& e : *env)
      envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  char* const* child_env = env != nullptr ? envp.data() : environ;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0)
    return errno_error("pipe");
  UniqueFd rd(fds[0]), wr(fds[1]);
  (void)std::fflush(nullptr);  // the child gets a copy of our stdio buffers
  pid_t pid = ::fork();
  if (pid < 0)
    return errno_error("fork `" + argv.front() + "`");
  if (pid == 0) {
    if (::dup2(wr.get(), STDOUT_FILENO) < 0 || (with_stderr && ::dup2(wr.get(), STDERR_FILENO) < 0))
      ::_exit(126);
    ::execvpe(args[0], args.data(), child_env);
    ::_exit(127);
  }
  OwnedChild child(pid);  // killed and reaped if the read fails
  wr.reset();
  Result<std::string> output = read_all(rd.get(), "read the output of `" + argv.front() + "`", max_output);
  if (!output)
    return std::move(output).error();
  return Captured{child.wait(), std::move(*output)};
}

}  // namespace ocistart::util
