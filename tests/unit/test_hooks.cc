#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "linux/hooks.h"
#include "util/fs.h"
#include "temp_dir.h"

using namespace ocistart;

namespace {

// A temporary directory removed at the end of the test.
using ocistart::testing::TempDir;

spec::Hook sh(std::string script, std::optional<int64_t> timeout = std::nullopt) {
  spec::Hook h;
  h.path = "/bin/sh";
  h.args = {"sh", "-c", std::move(script)};
  h.timeout = timeout;
  return h;
}

}  // namespace

TEST_CASE("hooks: the state arrives on stdin") {
  TempDir dir;
  std::string state = R"({"ociVersion":"1.2.1","id":"abc","status":"creating","pid":42,"bundle":"/b"})";
  util::Status s = os::run_hooks({sh("cat > " + dir.path + "/state")}, state, "prestart");
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  util::Result<std::string> got = util::read_file(dir.path + "/state");
  REQUIRE(got.ok());
  CHECK(*got == state);
}

TEST_CASE("hooks: every hook of the list runs, in order") {
  TempDir dir;
  std::string out = dir.path + "/order";
  util::Status s = os::run_hooks({sh("echo one >> " + out), sh("echo two >> " + out)}, "{}", "poststart");
  REQUIRE(s.ok());
  CHECK(*util::read_file(out) == "one\ntwo\n");
}

TEST_CASE("hooks: a failing hook stops the list and is named") {
  TempDir dir;
  std::string marker = dir.path + "/after";
  spec::Hook fail = sh("exit 3");
  util::Status s = os::run_hooks({sh("true"), fail, sh("touch " + marker)}, "{}", "createRuntime");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "createRuntime: error running hook #1 `/bin/sh`: exited with status 3");
  CHECK(access(marker.c_str(), F_OK) != 0);
}

TEST_CASE("hooks: poststart/poststop run every hook; each failure is reported, none stops the rest") {
  TempDir dir;
  std::string out = dir.path + "/order";
  std::vector<util::Error> failed = os::run_all_hooks(
      {sh("exit 3"), sh("echo two >> " + out), sh("kill -9 $$"), sh("echo four >> " + out)}, "{}", "poststop");
  REQUIRE(failed.size() == 2);
  CHECK(failed[0].message == "poststop hook #0 `/bin/sh`: exited with status 3");
  CHECK(failed[1].message == "poststop hook #2 `/bin/sh`: killed by signal 9 (killed)");
  CHECK(*util::read_file(out) == "two\nfour\n");
}

TEST_CASE("hooks: a hook killed by a signal") {
  util::Status s = os::run_hooks({sh("kill -9 $$")}, "{}", "poststop");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "poststop: error running hook #0 `/bin/sh`: killed by signal 9 (killed)");
}

TEST_CASE("hooks: the signal is described in runc's words") {
  util::Status s = os::run_hooks({sh("kill -SYS $$")}, "{}", "startContainer");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "startContainer: error running hook #0 `/bin/sh`: killed by signal 31 (bad system call)");
}

TEST_CASE("hooks: a hook over its timeout is killed") {
  auto start = std::chrono::steady_clock::now();
  util::Status s = os::run_hooks({sh("sleep 10", 1)}, "{}", "createContainer");
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "createContainer: error running hook #0 `/bin/sh`: timed out after 1s");
  CHECK(elapsed >= std::chrono::milliseconds(900));
  CHECK(elapsed < std::chrono::seconds(4));
}

TEST_CASE("hooks: the timeout also holds while the hook does not read a large state") {
  std::string big(1 << 20, 'x');
  auto start = std::chrono::steady_clock::now();
  util::Status s = os::run_hooks({sh("sleep 10", 1)}, big, "prestart");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("timed out after 1s") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
}

TEST_CASE("hooks: a hook that exits without reading 1 MiB of state succeeds") {
  std::string big(1 << 20, 'x');
  // SIGPIPE at its default disposition: a broken pipe must not kill the test process.
  struct sigaction old {};
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  REQUIRE(sigaction(SIGPIPE, &dfl, &old) == 0);
  util::Status s = os::run_hooks({sh("exit 0"), sh("exec true")}, big, "startContainer");
  CHECK_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  // No SIGPIPE left pending for later either.
  sigset_t pending;
  sigemptyset(&pending);
  REQUIRE(sigpending(&pending) == 0);
  CHECK(sigismember(&pending, SIGPIPE) == 0);
  (void)sigaction(SIGPIPE, &old, nullptr);
}

TEST_CASE("hooks: env is passed exactly; empty env means empty") {
  TempDir dir;
  spec::Hook h = sh("cat /proc/$$/environ > " + dir.path + "/env");
  h.env = {"FOO=bar", "X=1 2"};
  REQUIRE(os::run_hooks({h}, "{}", "prestart").ok());
  CHECK(*util::read_file(dir.path + "/env") == std::string("FOO=bar\0X=1 2\0", 14));

  h.env.clear();
  REQUIRE(os::run_hooks({h}, "{}", "prestart").ok());
  CHECK(util::read_file(dir.path + "/env")->empty());
}

TEST_CASE("hooks: args[0] is passed as given; no args means the path") {
  TempDir dir;
  spec::Hook h = sh("tr '\\0' ' ' < /proc/$$/cmdline > " + dir.path + "/cmdline");
  h.args[0] = "my-hook-name";
  REQUIRE(os::run_hooks({h}, "{}", "prestart").ok());
  CHECK(util::read_file(dir.path + "/cmdline")->find("my-hook-name -c ") == 0);

  // busybox picks its applet from argv[0]: a link named `false` with no args runs `false`.
  if (access("/bin/busybox", X_OK) == 0) {
    std::string link = dir.path + "/false";
    REQUIRE(symlink("/bin/busybox", link.c_str()) == 0);
    spec::Hook applet;
    applet.path = link;
    util::Status s = os::run_hooks({applet}, "{}", "prestart");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "prestart: error running hook #0 `" + link + "`: exited with status 1");
    applet.args = {"true"};
    CHECK(os::run_hooks({applet}, "{}", "prestart").ok());
  }
}

TEST_CASE("hooks: a missing program is an exec error") {
  spec::Hook h;
  h.path = "/nonexistent/hook";
  util::Status s = os::run_hooks({h}, "{}", "prestart");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "prestart: error running hook #0 `/nonexistent/hook`: exec: no such file or directory");
  CHECK(s.error().code == ENOENT);
}

TEST_CASE("hooks: an empty list is fine") { CHECK(os::run_hooks({}, "{}", "prestart").ok()); }
