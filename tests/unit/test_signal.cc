// util::reset_signal_dispositions: the one reset before a container's or a hook's execve.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <initializer_list>

#include "util/signal.h"

using namespace ocistart;

TEST_CASE("resetting signals makes every disposition default and unblocks everything") {
  // In a child, so that the test binary's own signal state is left alone.
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    (void)::signal(SIGPIPE, SIG_IGN);
    (void)::signal(SIGUSR1, [](int) {});
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGRTMIN + 1);
    (void)::sigprocmask(SIG_BLOCK, &blocked, nullptr);

    util::reset_signal_dispositions();

    int bad = 0;
    for (int sig : {SIGPIPE, SIGUSR1, SIGTERM, SIGRTMIN + 1}) {
      struct sigaction now {};
      if (::sigaction(sig, nullptr, &now) != 0 || now.sa_handler != SIG_DFL)
        bad |= 1;
    }
    sigset_t mask;
    sigemptyset(&mask);
    (void)::sigprocmask(SIG_SETMASK, nullptr, &mask);
    if (sigismember(&mask, SIGTERM) || sigismember(&mask, SIGRTMIN + 1))
      bad |= 2;
    ::_exit(bad);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // 1: a disposition left, 2: a signal still blocked
}
