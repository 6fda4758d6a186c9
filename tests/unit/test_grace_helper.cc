// linux/grace_helper.h: the helper that keeps the grace period of systemd's move passed,
// and cli/enters_container.h's test for the command lines the launcher starts it for.
#include <doctest/doctest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cgroups/migration_lock.h"
#include "cli/enters_container.h"
#include "linux/grace_helper.h"
#include "runtime/state_store.h"
#include "util/fs.h"
#include "util/proc_cgroup.h"

using ocistart::os::proc_cgroup_path;

namespace {

std::string path_of(const char* text, const char* controllers) {
  size_t len = 0;
  const char* p = proc_cgroup_path(text, controllers, &len);
  return p == nullptr ? std::string("(none)") : std::string(p, len);
}

bool moves(std::initializer_list<const char*> args) {
  std::vector<char*> argv;
  for (const char* a : args)
    argv.push_back(const_cast<char*>(a));
  argv.push_back(nullptr);
  return ocistart::cli::has_systemd_move_an_init(static_cast<int>(args.size()), argv.data());
}

// The number of write system calls `pid` made (/proc/PID/io, syscw).
long writes_of(int pid) {
  ocistart::util::Result<std::string> io = ocistart::util::read_file("/proc/" + std::to_string(pid) + "/io");
  if (!io)
    return -1;
  size_t at = io->find("syscw: ");
  return at == std::string::npos ? -1 : std::stol(io->substr(at + 7));
}

}  // namespace

TEST_CASE("grace helper: the cgroup line it writes to, from /proc/self/cgroup") {
  const char* hybrid =
      "13:net_cls,net_prio:/\n"
      "1:name=systemd:/system.slice/ocistart-x.scope\n"
      "0::/system.slice/runner.service\n";
  CHECK(path_of(hybrid, "") == "/system.slice/runner.service");
  CHECK(path_of(hybrid, "name=systemd") == "/system.slice/ocistart-x.scope");
  CHECK(path_of("0::/\n", "") == "/");
  CHECK(path_of("0::/a:b\n", "") == "/a:b");  // colons in the path are the path's
  // v1 only: no cgroup2 line; the name=systemd one, not one that only starts like it.
  const char* v1 = "2:name=systemd2:/other\n1:name=systemd:/user.slice\n";
  CHECK(path_of(v1, "") == "(none)");
  CHECK(path_of(v1, "name=systemd") == "/user.slice");
  CHECK(path_of("4:cpu,cpuacct:/x", "cpu") == "(none)");
  // Malformed lines are skipped; a last line without a newline counts.
  CHECK(path_of("garbage\n\n0::/last", "") == "/last");
  CHECK(path_of("", "") == "(none)");
}

TEST_CASE("grace helper: the file it opens is our own cgroup's, as util::parse_proc_cgroup has it") {
  ocistart::util::Result<std::string> text = ocistart::util::read_file("/proc/self/cgroup");
  REQUIRE(text);
  std::string unified;
  for (const ocistart::util::ProcCgroupEntry& e : ocistart::util::parse_proc_cgroup(*text))
    if (e.unified())
      unified = e.path;
  long fd = ocistart::os::open_own_cgroup_procs();
  if (fd < 0 || ::geteuid() != 0) {
    MESSAGE("no cgroup.procs of our own to write (" << fd << "): skipped");
    return;
  }
  char target[4096] = {};
  ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), target, sizeof target - 1);
  ::close(static_cast<int>(fd));
  REQUIRE(n > 0);
  CHECK(std::string_view(target, static_cast<size_t>(n))
            .ends_with((unified == "/" ? std::string() : unified) + "/cgroup.procs"));
}

TEST_CASE("grace helper: it writes every 3 ms, kGraceMaxWrites times, then exits; no exit signal") {
  if (::geteuid() != 0) {
    MESSAGE("not root: skipped");
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  long pid = ocistart::os::fork_grace_helper();
  if (pid < 0) {
    MESSAGE("no helper (" << pid << "): skipped");
    return;
  }
  REQUIRE(pid > 0);
  int status = 0;
  // No exit signal: a wait without __WALL does not see it.
  CHECK(::waitpid(static_cast<int>(pid), &status, WNOHANG) == -1);
  // It holds no fd but its cgroup.procs (none of ours: this test's stdio, for one).
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::vector<std::string> targets;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    targets.push_back(std::filesystem::read_symlink(e.path()).string());
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].ends_with("/cgroup.procs"));
  // Its count of writes, read before it is reaped (the zombie keeps /proc/PID/io).
  long writes = 0;
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0 && info.si_pid == pid)
      break;
  }
  writes = writes_of(static_cast<int>(pid));
  REQUIRE(::waitpid(static_cast<int>(pid), &status, __WALL) == pid);
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(WIFEXITED(status));
  CHECK(writes == ocistart::os::kGraceMaxWrites);
  // 3 ms apart: within a grace period of each other (5-16 ms here).
  CHECK(took >= std::chrono::nanoseconds((ocistart::os::kGraceMaxWrites - 1) * ocistart::os::kGraceRewriteNs));
}

TEST_CASE("grace helper: it dies with its parent") {
  if (::geteuid() != 0) {
    MESSAGE("not root: skipped");
    return;
  }
  // Orphans come to us, so that its end can be waited for.
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  int parent = ::fork();
  REQUIRE(parent >= 0);
  if (parent == 0) {
    long helper = ocistart::os::fork_grace_helper();
    (void)!::write(pipe_fds[1], &helper, sizeof helper);
    ::_exit(0);  // at once: long before its 5 writes (12 ms at least) are done
  }
  long helper = 0;
  REQUIRE(::read(pipe_fds[0], &helper, sizeof helper) == sizeof helper);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  REQUIRE(::waitpid(parent, nullptr, 0) == parent);
  if (helper <= 0) {
    MESSAGE("no helper (" << helper << "): skipped");
  } else {
    // Its writes, counted on the zombie (WNOWAIT), then its status.
    siginfo_t info{};
    REQUIRE(::waitid(P_PID, static_cast<id_t>(helper), &info, WEXITED | WNOWAIT | __WALL) == 0);
    const long writes = writes_of(static_cast<int>(helper));
    int status = 0;
    REQUIRE(::waitpid(static_cast<int>(helper), &status, __WALL) == helper);
    // Killed (PR_SET_PDEATHSIG), or gone at once, before any write, when its parent died
    // before it could ask for that signal: never after its writes.
    CHECK(((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) || (WIFEXITED(status) && writes == 0)));
    CHECK(writes < ocistart::os::kGraceMaxWrites);
  }
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) == 0);
}

TEST_CASE("launcher: the command lines that have systemd move an init") {
  CHECK(moves({"ocistart", "--systemd-cgroup", "run", "x"}));
  CHECK(moves({"ocistart", "--root", "/r", "--systemd-cgroup=true", "create", "--bundle", "b", "x"}));
  CHECK(moves({"ocistart", "--cgroup-manager", "systemd", "create", "x"}));
  CHECK(moves({"ocistart", "--cgroup-manager=systemd", "run", "x"}));
  CHECK_FALSE(moves({"ocistart", "--systemd-cgroup", "exec", "x", "true"}));
  CHECK_FALSE(moves({"ocistart", "--systemd-cgroup", "start", "x"}));
  CHECK_FALSE(moves({"ocistart", "run", "x"}));
  CHECK_FALSE(moves({"ocistart", "--cgroup-manager", "cgroupfs", "run", "systemd"}));
  CHECK_FALSE(moves({"ocistart", "--systemd-cgroup=false", "run", "x"}));
  CHECK_FALSE(moves({"ocistart", "--cgroup-manager"}));
  // The command word decides, not any argument that happens to read "run" or "create".
  CHECK_FALSE(moves({"ocistart", "--systemd-cgroup", "exec", "x", "npm", "run"}));
  CHECK_FALSE(moves({"ocistart", "--systemd-cgroup", "state", "create"}));
  CHECK(moves({"ocistart", "--root", "run", "--systemd-cgroup", "create", "x"}));  // a root named "run"
  CHECK_FALSE(moves({"ocistart", "--systemd-cgroup", "--", "run", "x"}));
  // Global flags only: after the command they are the command's own (or an error).
  CHECK_FALSE(moves({"ocistart", "run", "--systemd-cgroup", "x"}));
}

namespace {

// A process that sleeps for a minute; `ours`: a child of this process, else a grandchild
// whose parent has exited (so not ours to wait for). Returns its pid.
int sleeper(bool ours) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  int child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (!ours && ::fork() != 0)
      ::_exit(0);
    int self = ::getpid();
    (void)!::write(pipe_fds[1], &self, sizeof self);
    ::execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int pid = 0;
  REQUIRE(::read(pipe_fds[0], &pid, sizeof pid) == sizeof pid);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  if (!ours)
    REQUIRE(::waitpid(child, nullptr, 0) == child);
  return pid;
}

// Whether `pid` runs (a zombie, killed and not yet reaped, does not).
bool alive(int pid) {
  ocistart::util::Result<std::string> stat = ocistart::util::read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat)
    return false;
  std::optional<ocistart::runtime::ProcStat> st = ocistart::runtime::parse_proc_stat(*stat);
  return st && st->state != 'Z';
}

// Whether `pid` stops running within `ms` (a signal takes effect when its target runs next).
bool dies_within(int pid, int ms) {
  for (int waited = 0; waited < ms; waited += 10) {
    if (!alive(pid))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return !alive(pid);
}

}  // namespace

TEST_CASE("migration lock: the pid in the launcher's variable is killed only if it is a running child of ours") {
  // Not ours (a forged or stale variable): left alone, and no wait for it hangs.
  int stranger = sleeper(false);
  ::setenv(ocistart::os::kGraceHelperVar, std::to_string(stranger).c_str(), 1);
  ocistart::cgroups::adopt_launcher_helper();
  CHECK(std::getenv(ocistart::os::kGraceHelperVar) == nullptr);  // removed from the environment
  ocistart::cgroups::end_migration_grace_period();
  ocistart::cgroups::reap_migration_helper();
  CHECK_FALSE(dies_within(stranger, 300));
  ::kill(stranger, SIGKILL);

  // Our child (what the launcher's helper is once it executed us): killed and reaped.
  int helper = sleeper(true);
  ::setenv(ocistart::os::kGraceHelperVar, std::to_string(helper).c_str(), 1);
  ocistart::cgroups::adopt_launcher_helper();
  ocistart::cgroups::end_migration_grace_period();
  ocistart::cgroups::reap_migration_helper();
  CHECK(::waitpid(helper, nullptr, WNOHANG) == -1);  // reaped already
  CHECK(dies_within(helper, 300));

  // Not a number: nothing.
  ::setenv(ocistart::os::kGraceHelperVar, "1x", 1);
  ocistart::cgroups::adopt_launcher_helper();
  ocistart::cgroups::reap_migration_helper();
  CHECK(std::getenv(ocistart::os::kGraceHelperVar) == nullptr);
}
