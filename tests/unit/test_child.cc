// util::OwnedChild: the one kill-and-reap guard.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <vector>

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

TEST_CASE("run_captured: stdout (stderr only when asked), the exit status, the environment given") {
  util::Result<util::Captured> r = util::run_captured({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  REQUIRE(r.ok());
  CHECK(r->output == "out\n");
  CHECK(WIFEXITED(r->status));
  CHECK(WEXITSTATUS(r->status) == 3);
  r = util::run_captured({"/bin/sh", "-c", "echo out; echo err >&2"}, true);
  REQUIRE(r.ok());
  CHECK(r->output == "out\nerr\n");
  const std::vector<std::string> env{"ONLY=this"};
  r = util::run_captured({"/usr/bin/env"}, false, &env);
  REQUIRE(r.ok());
  CHECK(r->output == "ONLY=this\n");
  r = util::run_captured({"sh", "-c", "true"});  // a name, looked up in $PATH
  REQUIRE(r.ok());
  CHECK(WEXITSTATUS(r->status) == 0);
  r = util::run_captured({"/no/such/command"});
  REQUIRE(r.ok());
  CHECK(WEXITSTATUS(r->status) == 127);
  r = util::run_captured({"/bin/sh", "-c", "head -c 5000 /dev/zero"}, false, nullptr, 1000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == EFBIG);
}
