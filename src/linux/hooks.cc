// OCI hooks: fork + execve each hook with the state JSON on its stdin, wait for it with a
// timeout on a pidfd. No threads, so it works in the forked init as in the parent.
#include "linux/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "util/child.h"
#include "util/scope_guard.h"
#include "util/signal.h"
#include "util/unique_fd.h"

namespace ocistart::os {
namespace {

int64_t now_ms() {
  struct timespec ts {};
  (void)::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Between fork and execve only async-signal-safe calls: the parent may have threads (the
// CLI's), whose locks the child would inherit held.
[[noreturn]] void exec_child(const std::string& path, char* const* argv, char* const* envp, int stdin_fd,
                             int error_fd) {
  // The hook starts with default dispositions and an empty mask whatever the runtime uses
  // (ignored signals and the mask survive execve).
  util::reset_signal_dispositions();

  int e = 0;
  if (stdin_fd == STDIN_FILENO) {
    if (::fcntl(stdin_fd, F_SETFD, 0) < 0)  // keep it open across execve
      e = errno;
  } else if (::dup2(stdin_fd, STDIN_FILENO) < 0) {  // dup2 clears FD_CLOEXEC on the copy
    e = errno;
  }
  if (e == 0) {
    ::execve(path.c_str(), argv, envp);
    e = errno;
  }
  // The parent reads the errno from the close-on-exec pipe: EOF there means execve worked.
  (void)!::write(error_fd, &e, sizeof e);
  ::_exit(127);
}

// "bad system call": the C library's English description, lowercase as Go's (runc's)
// signal names read; clients match them.
std::string signal_description(int sig) {
  const char* d = ::sigdescr_np(sig);
  std::string text = d != nullptr ? d : "signal " + std::to_string(sig);
  if (!text.empty())
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Writes `data` to the non-blocking pipe `fd` while waiting for the hook on `pidfd`.
// SIGPIPE is blocked around the writes so a hook that exits without reading its stdin
// gives EPIPE here (tolerated: the spec does not oblige hooks to read the state), and the
// SIGPIPE that the kernel queued for it is taken away before the mask is restored.
struct Wait {
  bool exited = false;
  bool timed_out = false;
};

util::Result<Wait> feed_and_wait(util::UniqueFd& stdin_w, int pidfd, std::string_view data,
                                 std::optional<int64_t> timeout_s) {
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  (void)::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  sigemptyset(&pending);
  (void)::sigpending(&pending);
  bool pipe_pending_before = sigismember(&pending, SIGPIPE) == 1;
  bool got_epipe = false;
  util::ScopeGuard restore([&] {
    if (got_epipe && !pipe_pending_before) {
      struct timespec zero {};
      (void)::sigtimedwait(&pipe_set, nullptr, &zero);
    }
    (void)::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  });

  int64_t deadline = -1;
  if (timeout_s && *timeout_s > 0)
    deadline = now_ms() + (*timeout_s > INT64_MAX / 2000 ? INT64_MAX / 2 : *timeout_s * 1000);
  if (data.empty())
    stdin_w.reset();

  while (true) {
    struct pollfd fds[2] = {{pidfd, POLLIN, 0}, {stdin_w.get(), POLLOUT, 0}};
    nfds_t count = stdin_w ? 2 : 1;
    int wait_ms = -1;
    if (deadline >= 0) {
      int64_t left = deadline - now_ms();
      if (left <= 0)
        return Wait{false, true};
      wait_ms = left > INT_MAX ? INT_MAX : static_cast<int>(left);
    }
    int n = ::poll(fds, count, wait_ms);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return util::errno_error("poll");
    }
    if (n == 0)
      continue;  // the deadline check at the top decides
    if (count == 2 && fds[1].revents != 0) {
      ssize_t w = ::write(stdin_w.get(), data.data(), data.size());
      if (w >= 0) {
        data.remove_prefix(static_cast<size_t>(w));
        if (data.empty())
          stdin_w.reset();  // EOF for the hook
      } else if (errno == EPIPE) {
        got_epipe = true;
        stdin_w.reset();
      } else if (errno != EAGAIN && errno != EINTR) {
        return util::errno_error("write the state to stdin");
      }
    }
    if (fds[0].revents != 0)
      return Wait{true, false};
  }
}

util::Status run_hook(const spec::Hook& hook, std::string_view state_json) {
  std::vector<char*> argv;
  if (hook.args.empty())
    argv.push_back(const_cast<char*>(hook.path.c_str()));
  for (const std::string& a : hook.args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : hook.env)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int stdin_pipe[2], error_pipe[2];
  if (::pipe2(stdin_pipe, O_CLOEXEC) < 0)
    return util::errno_error("pipe");
  util::UniqueFd stdin_r(stdin_pipe[0]), stdin_w(stdin_pipe[1]);
  if (::pipe2(error_pipe, O_CLOEXEC) < 0)
    return util::errno_error("pipe");
  util::UniqueFd error_r(error_pipe[0]), error_w(error_pipe[1]);

  pid_t pid = ::fork();
  if (pid < 0)
    return util::errno_error("fork");
  if (pid == 0)
    exec_child(hook.path, argv.data(), envp.data(), stdin_r.get(), error_w.get());

  util::OwnedChild child(pid);  // killed and reaped on every early return
  stdin_r.reset();
  error_w.reset();
  if (child.pidfd() < 0)
    return util::errno_error("pidfd_open");
  if (::fcntl(stdin_w.get(), F_SETFL, O_NONBLOCK) < 0)
    return util::errno_error("fcntl O_NONBLOCK");

  util::Result<Wait> wait = feed_and_wait(stdin_w, child.pidfd(), state_json, hook.timeout);
  if (!wait)
    return std::move(wait).error();
  if (wait->timed_out) {
    child.kill_and_reap();
    return util::make_error("timed out after " + std::to_string(*hook.timeout) + "s", ETIMEDOUT);
  }
  int status = child.wait();

  int exec_errno = 0;
  if (::read(error_r.get(), &exec_errno, sizeof exec_errno) == static_cast<ssize_t>(sizeof exec_errno))
    return util::errno_error("exec", exec_errno);
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return util::make_error("exited with status " + std::to_string(WEXITSTATUS(status)));
  if (WIFSIGNALED(status))
    return util::make_error("killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                            signal_description(WTERMSIG(status)) + ")");
  return {};
}

// "hook #1 `/bin/sh`"
std::string hook_name(size_t index, const spec::Hook& hook) {
  return "hook #" + std::to_string(index) + " `" + hook.path + "`";
}

}  // namespace

// Hooks are numbered from 0 in messages, as runc numbers them.
util::Status run_hooks(const std::vector<spec::Hook>& hooks, std::string_view state_json, std::string_view kind) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    if (util::Status s = run_hook(hooks[i], state_json); !s)
      return std::move(s).error().wrap(std::string(kind) + ": error running " + hook_name(i, hooks[i]));
  }
  return {};
}

std::vector<util::Error> run_all_hooks(const std::vector<spec::Hook>& hooks, std::string_view state_json,
                                       std::string_view kind) {
  std::vector<util::Error> failed;
  for (size_t i = 0; i < hooks.size(); ++i)
    if (util::Status s = run_hook(hooks[i], state_json); !s)
      failed.push_back(std::move(s).error().wrap(std::string(kind) + " " + hook_name(i, hooks[i])));
  return failed;
}

}  // namespace ocistart::os
