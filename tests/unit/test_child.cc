// util::OwnedChild: the one kill-and-reap guard.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "util/child.h"

using namespace ocistart;

namespace {

pid_t sleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  return pid;
}

}  // namespace

TEST_CASE("an owned child is killed and reaped when the guard goes") {
  pid_t pid = sleeper();
  REQUIRE(pid > 0);
  {
    util::OwnedChild child(pid);
    CHECK(child.pid() == pid);
    CHECK(child.pidfd() >= 0);
  }
  // Reaped: it is no longer our child at all.
  errno = 0;
  CHECK(::waitpid(pid, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}

TEST_CASE("wait() returns the exit status and leaves nothing to kill") {
  pid_t pid = ::fork();
  if (pid == 0)
    ::_exit(7);
  util::OwnedChild child(pid);
  int status = child.wait();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 7);
  CHECK_FALSE(child);
  CHECK(child.wait() == -1);
}

TEST_CASE("a released child lives on; a moved-from guard owns nothing") {
  pid_t pid = sleeper();
  util::OwnedChild child(pid);
  util::OwnedChild moved = std::move(child);
  CHECK_FALSE(child);
  CHECK(moved.release() == pid);
  CHECK(::waitpid(pid, nullptr, WNOHANG) == 0);  // still running
  ::kill(pid, SIGKILL);
  CHECK(::waitpid(pid, nullptr, 0) == pid);
}

TEST_CASE("a pid <= 0 owns nothing and the guard never signals it") {
  util::OwnedChild none(0);
  CHECK_FALSE(none);
  util::OwnedChild negative(-1);
  CHECK_FALSE(negative);
}
