#include "runtime/signals.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "linux/sync.h"
#include "runtime/container.h"
#include "runtime/notify_relay.h"
#include "runtime/terminal.h"
#include "util/log.h"
#include "util/signal.h"

namespace ocistart::runtime {

bool relayable(int sig) noexcept {
  return sig != SIGCHLD && sig != SIGWINCH && sig != SIGURG && sig != SIGKILL && sig != SIGSTOP;
}

util::Result<SignalRelay> SignalRelay::install() {
  SignalRelay r;
  sigset_t all;
  sigfillset(&all);
  if (::sigprocmask(SIG_BLOCK, &all, &r.old_) < 0)
    return util::errno_error("block signals");
  r.restore_ = true;
  int fd = ::signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0)
    return util::errno_error("signalfd");
  r.fd_.reset(fd);
  return r;
}

SignalRelay::SignalRelay(SignalRelay&& o) noexcept
    : fd_(std::move(o.fd_)), old_(o.old_), restore_(std::exchange(o.restore_, false)) {}

SignalRelay::~SignalRelay() {
  fd_.reset();
  if (restore_)
    (void)::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

namespace {

// Reaps every exited child; true (and `status`) when `pid` was among them.
bool reap(int pid, int& status) {
  bool found = false;
  while (true) {
    int st = 0;
    int r = ::waitpid(-1, &st, WNOHANG);
    if (r <= 0)
      break;
    if (r == pid) {
      status = st;
      found = true;
    }
  }
  return found;
}

void drain(int from, int to) {
  for (int i = 0; i < 64; ++i) {
    struct pollfd p {
      from, POLLIN, 0
    };
    if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
      return;
    if (!pump(from, to))
      return;
  }
}

}  // namespace

util::Result<int> supervise(SignalRelay& relay, const Supervised& what) {
  if (what.pid <= 0)  // kill(0 or -1) would signal our group or everything
    return util::make_error("supervise: invalid pid " + std::to_string(what.pid), EINVAL);
  int wait_status = 0;
  // A failure just before exec arrives before the exit: print it.
  auto print_errors = [&what] {
    if (what.sync_fd < 0)
      return;
    os::SyncChannel peek{util::UniqueFd(::fcntl(what.sync_fd, F_DUPFD_CLOEXEC, 3))};
    while (true) {
      util::Result<os::SyncMessage> m = peek.receive(0);
      if (!m)
        break;
      if (m->kind == os::SyncKind::error)
        util::log_error(m->text);
    }
  };
  // The child may have exited before the signalfd existed: its SIGCHLD is pending in the
  // blocked set (and readable from the fd) or already gone; check once anyway.
  // Either way, what it wrote to its terminal is still buffered in the pty: drain it.
  auto finish = [&]() {
    if (what.pty_master >= 0)
      drain(what.pty_master, STDOUT_FILENO);
    print_errors();
    if (what.notify != nullptr)  // STOPPING=1 and the like, sent just before the exit
      what.notify->relay_pending(what.pid);
    return exit_status_from_wait(wait_status);
  };
  if (reap(what.pid, wait_status))
    return finish();

  bool watch_stdin = what.pty_master >= 0;
  bool watch_master = what.pty_master >= 0;
  bool watch_sync = what.sync_fd >= 0;
  if (what.pty_master >= 0) {
    (void)::fcntl(what.pty_master, F_SETFL, ::fcntl(what.pty_master, F_GETFL) | O_NONBLOCK);
    if (::isatty(STDIN_FILENO))
      copy_window_size(STDIN_FILENO, what.pty_master);
  }
  os::SyncChannel sync{util::UniqueFd(what.sync_fd >= 0 ? ::fcntl(what.sync_fd, F_DUPFD_CLOEXEC, 3) : -1)};

  while (true) {
    std::vector<struct pollfd> fds;
    fds.push_back({relay.fd(), POLLIN, 0});
    if (watch_master)
      fds.push_back({what.pty_master, POLLIN, 0});
    if (watch_stdin)
      fds.push_back({STDIN_FILENO, POLLIN, 0});
    if (watch_sync)
      fds.push_back({sync.fd(), POLLIN, 0});
    if (what.notify != nullptr)
      fds.push_back({what.notify->fd(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR)
        continue;
      return util::errno_error("poll");
    }
    for (const struct pollfd& p : fds) {
      if (p.revents == 0)
        continue;
      if (p.fd == relay.fd()) {
        struct signalfd_siginfo si {};
        while (::read(relay.fd(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
          int sig = static_cast<int>(si.ssi_signo);
          if (sig == SIGCHLD) {
            if (reap(what.pid, wait_status))
              return finish();
          } else if (sig == SIGWINCH) {
            if (what.pty_master >= 0)
              copy_window_size(STDIN_FILENO, what.pty_master);
          } else if (relayable(sig)) {
            (void)util::signal_process(what.pid, sig);
          }
        }
      } else if (p.fd == what.pty_master && watch_master) {
        if (!pump(what.pty_master, STDOUT_FILENO))
          watch_master = false;  // EIO: every slave is closed
      } else if (p.fd == STDIN_FILENO && watch_stdin) {
        if (!pump(STDIN_FILENO, what.pty_master))
          watch_stdin = false;
      } else if (what.notify != nullptr && p.fd == what.notify->fd()) {
        what.notify->relay_pending(what.pid);
      } else if (watch_sync && p.fd == sync.fd()) {
        util::Result<os::SyncMessage> m = sync.receive();
        if (!m) {
          watch_sync = false;  // EOF: the process exec'ed
        } else if (m->kind == os::SyncKind::error) {
          util::log_error(m->text);
        }
      }
    }
  }
}

}  // namespace ocistart::runtime
