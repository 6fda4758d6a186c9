#include <doctest/doctest.h>

#include <cerrno>

#include "util/result.h"
#include "util/scope_guard.h"
#include "util/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

using namespace ocistart::util;

TEST_CASE("Error::wrap puts the outer context first") {
  Error e = errno_error("mount `proc`", EPERM);
  Error w = std::move(e).wrap("create `abc`");
  CHECK(w.code == EPERM);
  CHECK(w.message == "create `abc`: mount `proc`: operation not permitted");
}

TEST_CASE("Result holds a value or an error") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  Result<int> bad = make_error("boom", EINVAL);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == EINVAL);
  Status s;
  CHECK(s.ok());
  Status f = make_error("no");
  CHECK_FALSE(f.ok());
  CHECK(f.error().message == "no");
}

TEST_CASE("UniqueFd closes once and release hands ownership over") {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(raw >= 0);
  {
    UniqueFd fd(raw);
    CHECK(fd.valid());
    UniqueFd moved(std::move(fd));
    CHECK_FALSE(fd.valid());
    CHECK(moved.get() == raw);
  }
  CHECK(::fcntl(raw, F_GETFD) == -1);  // closed by the destructor
  CHECK(errno == EBADF);
  int raw2 = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  UniqueFd owner(raw2);
  int taken = owner.release();
  CHECK(taken == raw2);
  CHECK(::fcntl(raw2, F_GETFD) != -1);
  ::close(taken);
}

TEST_CASE("ScopeGuard runs unless dismissed") {
  int runs = 0;
  {
    ScopeGuard g([&] { ++runs; });
  }
  CHECK(runs == 1);
  {
    ScopeGuard g([&] { ++runs; });
    g.dismiss();
  }
  CHECK(runs == 1);
}

#include <sys/wait.h>

#include <csignal>

#include "util/signal.h"

TEST_CASE("signal_process refuses the pids that mean more than one process") {
  errno = 0;
  CHECK(ocistart::util::signal_process(0, 0) == -1);  // would be our process group
  CHECK(errno == EINVAL);
  errno = 0;
  CHECK(ocistart::util::signal_process(-1, 0) == -1);  // would be every process
  CHECK(errno == EINVAL);
  CHECK(ocistart::util::signal_process(-12345, 0) == -1);  // a process group
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  REQUIRE(child > 0);
  CHECK(ocistart::util::signal_process(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
}
