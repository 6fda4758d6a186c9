#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "linux/caps.h"
#include "linux/process.h"
#include "linux/procfs.h"
#include "linux/rlimits.h"
#include "linux/scheduling.h"
#include "linux/user.h"
#include "util/fs.h"

using namespace ocistart;

namespace {

std::vector<unsigned> cpus(std::string_view list) {
  util::Result<std::vector<unsigned>> r = os::parse_cpu_list(list);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return *r;
}

// The supplementary groups this process has: a config that asks for exactly these makes
// apply_process_attributes skip setgroups, which an unprivileged test run may not call.
std::vector<uint32_t> current_groups() {
  int n = getgroups(0, nullptr);
  REQUIRE(n >= 0);
  std::vector<gid_t> groups(static_cast<size_t>(n));
  REQUIRE(getgroups(n, groups.data()) == n);
  return {groups.begin(), groups.end()};
}

// A child's exit status: the attributes under test were checked and right, then a later
// privileged step (the user switch) failed, which only a non-root run accepts.
constexpr int kUserSwitchFailed = 10;

// Runs `body` in a forked child and returns its exit status (the child _exits with the
// value `body` returns), so nothing the body changes leaks into the test process.
template <class F>
int in_child(F body) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0)
    _exit(body());
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("cpu list: ranges, single cpus, duplicates and blanks") {
  CHECK(cpus("0-3,7") == std::vector<unsigned>{0, 1, 2, 3, 7});
  CHECK(cpus("7") == std::vector<unsigned>{7});
  CHECK(cpus("3,1,2-3, 1") == std::vector<unsigned>{1, 2, 3});
  CHECK(cpus(" 0 - 1 \n") == std::vector<unsigned>{0, 1});
  CHECK(cpus("").empty());
  CHECK(cpus("  ").empty());
}

TEST_CASE("cpu list: malformed lists are errors naming the list") {
  for (std::string_view bad : {"a", "1-", "-1", "3-1", "1,,2", "1,", "0x2", "1-2-3", "99999999"}) {
    CAPTURE(bad);
    util::Result<std::vector<unsigned>> r = os::parse_cpu_list(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == EINVAL);
    CHECK(r.error().message.find("invalid cpu list `" + std::string(bad) + "`") == 0);
  }
}

TEST_CASE("capability sets: names become bitmasks") {
  spec::Capabilities caps;
  caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.effective = {"CAP_KILL"};
  caps.permitted = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.inheritable = {"CAP_NET_BIND_SERVICE"};
  caps.ambient = {"CAP_NET_BIND_SERVICE"};
  util::Result<os::CapabilitySets> sets = os::compute_capability_sets(caps, 40);
  REQUIRE(sets.ok());
  CHECK(sets->bounding == ((1u << 0) | (1u << 5) | (1u << 10)));
  CHECK(sets->effective == (1u << 5));
  CHECK(sets->permitted == ((1u << 5) | (1u << 10)));
  CHECK(sets->inheritable == (1u << 10));
  CHECK(sets->ambient == (1u << 10));
  CHECK(sets->skipped.empty());
}

TEST_CASE("capability sets: high numbers use the upper 32 bits; unknown to the kernel are skipped") {
  spec::Capabilities caps;
  caps.bounding = {"CAP_SYSLOG", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};  // 34, 39, 40
  caps.permitted = {"CAP_CHECKPOINT_RESTORE"};
  util::Result<os::CapabilitySets> sets = os::compute_capability_sets(caps, 39);
  REQUIRE(sets.ok());
  CHECK(sets->bounding == ((uint64_t{1} << 34) | (uint64_t{1} << 39)));
  CHECK(sets->permitted == 0);
  CHECK(sets->skipped == std::vector<std::string>{"CAP_CHECKPOINT_RESTORE"});
}

TEST_CASE("capability sets: an unknown name is an error") {
  spec::Capabilities caps;
  caps.effective = {"CAP_CHOWN", "CAP_FLY"};
  util::Result<os::CapabilitySets> sets = os::compute_capability_sets(caps, 40);
  REQUIRE_FALSE(sets.ok());
  CHECK(sets.error().message == "unknown capability `CAP_FLY`");
  CHECK(sets.error().code == EINVAL);
}

TEST_CASE("capability sets: empty config drops everything") {
  util::Result<os::CapabilitySets> sets = os::compute_capability_sets(spec::Capabilities{}, 40);
  REQUIRE(sets.ok());
  CHECK(sets->bounding == 0);
  CHECK(sets->effective == 0);
  CHECK(sets->ambient == 0);
}

TEST_CASE("capability list and the kernel's last capability") {
  CHECK(os::capability_list((1u << 0) | (1u << 5)) == "CAP_CHOWN, CAP_KILL");
  CHECK(os::capability_list(0).empty());
  CHECK(os::capability_list(uint64_t{1} << 63) == "63");
  int last = os::kernel_last_cap();
  CHECK(last >= 36);
  CHECK(last < 64);
  // The binary search lands on the last one the kernel knows: it, and not the next.
  CHECK(::prctl(PR_CAPBSET_READ, last, 0, 0, 0) >= 0);
  CHECK(::prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) < 0);
  if (std::FILE* f = std::fopen("/proc/sys/kernel/cap_last_cap", "r")) {
    int told = -1;
    CHECK(std::fscanf(f, "%d", &told) == 1);
    std::fclose(f);
    CHECK(last == told);
  }
}

TEST_CASE("personality values") {
  CHECK(*os::personality_value({"LINUX", {}}) == PER_LINUX);
  CHECK(*os::personality_value({"LINUX32", {}}) == PER_LINUX32);
  CHECK(*os::personality_value({"LINUX", {"ADDR_NO_RANDOMIZE"}}) ==
        (static_cast<unsigned long>(PER_LINUX) | ADDR_NO_RANDOMIZE));
  util::Result<unsigned long> bad = os::personality_value({"WINDOWS", {}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "unknown personality domain `WINDOWS`");
  CHECK_FALSE(os::personality_value({"LINUX", {"FAST"}}).ok());
}

TEST_CASE("io priority values") {
  CHECK(*os::io_priority_value({"IOPRIO_CLASS_RT", 0}) == (1 << 13));
  CHECK(*os::io_priority_value({"IOPRIO_CLASS_BE", 4}) == ((2 << 13) | 4));
  CHECK(*os::io_priority_value({"IOPRIO_CLASS_IDLE", 7}) == ((3 << 13) | 7));
  CHECK_FALSE(os::io_priority_value({"IOPRIO_CLASS_BE", 8}).ok());
  CHECK_FALSE(os::io_priority_value({"IOPRIO_CLASS_BE", -1}).ok());
  util::Result<int> bad = os::io_priority_value({"IOPRIO_CLASS_NONE", 0});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "unknown I/O priority class `IOPRIO_CLASS_NONE`");
}

TEST_CASE("scheduler attributes") {
  spec::Scheduler s;
  s.policy = "SCHED_DEADLINE";
  s.flags = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_DL_OVERRUN"};
  s.runtime = 10'000'000;
  s.deadline = 30'000'000;
  s.period = 30'000'000;
  util::Result<os::SchedAttr> a = os::scheduler_attr(s);
  REQUIRE(a.ok());
  CHECK(a->size == 56);
  CHECK(a->sched_policy == 6);
  CHECK(a->sched_flags == 0x05);
  CHECK(a->sched_runtime == 10'000'000);
  CHECK(a->sched_deadline == 30'000'000);
  CHECK(a->sched_period == 30'000'000);

  s = {};
  s.policy = "SCHED_BATCH";
  s.nice = 5;
  a = os::scheduler_attr(s);
  REQUIRE(a.ok());
  CHECK(a->sched_policy == 3);
  CHECK(a->sched_nice == 5);

  s.policy = "SCHED_FAST";
  CHECK(os::scheduler_attr(s).error().message == "unknown scheduler policy `SCHED_FAST`");
  s.policy = "SCHED_OTHER";
  s.flags = {"SCHED_FLAG_BOGUS"};
  CHECK_FALSE(os::scheduler_attr(s).ok());
}

TEST_CASE("rlimits: unknown type, soft above hard, and EPERM are explained") {
  util::Status s = os::apply_rlimits({{"RLIMIT_BOGUS", 1, 1}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "unknown rlimit `RLIMIT_BOGUS`");

  s = os::apply_rlimits({{"RLIMIT_NOFILE", 10, 5}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == EINVAL);
  CHECK(s.error().message.find("setrlimit `RLIMIT_NOFILE` soft=10 hard=5: invalid argument") == 0);

  // Above fs.nr_open the kernel answers EPERM even with CAP_SYS_RESOURCE, so this fails
  // the same way as root or not (and changes nothing).
  util::Result<std::string> nr_open = util::read_file("/proc/sys/fs/nr_open");
  REQUIRE(nr_open.ok());
  uint64_t too_many = std::strtoull(nr_open->c_str(), nullptr, 10) + 1;
  s = os::apply_rlimits({{"RLIMIT_NOFILE", too_many, too_many}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == EPERM);
  CHECK(s.error().message ==
        "setrlimit `RLIMIT_NOFILE` soft=" + std::to_string(too_many) + " hard=" + std::to_string(too_many) +
            ": operation not permitted (the hard limit cannot be raised without CAP_SYS_RESOURCE)");
}

TEST_CASE("apply_process_attributes: rlimits, oom score and umask in a child") {
  struct rlimit current {};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &current) == 0);
  REQUIRE(current.rlim_max >= 64);
  const std::vector<uint32_t> groups = current_groups();
  int status = in_child([&] {
    spec::Process p;
    p.user.uid = getuid();
    p.user.gid = getgid();
    p.user.additional_gids = groups;  // so that no setgroups (CAP_SETGID) is needed
    p.user.umask = 027;
    p.rlimits = {{"RLIMIT_NOFILE", 64, current.rlim_max}};
    p.oom_score_adj = 500;  // raising needs no privilege
    util::Status s = os::apply_process_attributes(p, nullptr, nullptr);
    // rlimits, oom score and umask are applied before the user switch, so they are checked
    // whether or not a later, privileged step failed.
    struct rlimit now {};
    if (getrlimit(RLIMIT_NOFILE, &now) != 0 || now.rlim_cur != 64)
      return 2;
    mode_t mask = umask(0);
    if (mask != 027)
      return 3;
    util::Result<std::string> oom = util::read_file("/proc/self/oom_score_adj");
    if (!oom.ok() || *oom != "500\n")
      return 4;
    if (!s.ok())
      return geteuid() == 0 ? 1 : kUserSwitchFailed;
    return 0;
  });
  if (status == kUserSwitchFailed)
    MESSAGE("not root: the user switch after the checked attributes failed");
  CHECK((status == 0 || (status == kUserSwitchFailed && geteuid() != 0)));
}

TEST_CASE("apply_process_attributes: umask defaults to 0022") {
  const std::vector<uint32_t> groups = current_groups();
  int status = in_child([&] {
    (void)umask(0077);
    spec::Process p;
    p.user.uid = getuid();
    p.user.gid = getgid();
    p.user.additional_gids = groups;
    util::Status s = os::apply_process_attributes(p, nullptr, nullptr);
    if (umask(0) != 0022)
      return 2;  // set before the user switch: checked either way
    if (!s.ok())
      return geteuid() == 0 ? 1 : kUserSwitchFailed;
    return 0;
  });
  CHECK((status == 0 || (status == kUserSwitchFailed && geteuid() != 0)));
}

TEST_CASE("apply_process_attributes: the process is not dumpable afterwards") {
  // The uid switch may make it dumpable (fs.suid_dumpable=1); the init then still has the
  // runtime's binary as /proc/<pid>/exe until its execve.
  const std::vector<uint32_t> groups = current_groups();
  int status = in_child([&] {
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
      return 3;
    spec::Process p;
    p.user.uid = getuid();
    p.user.gid = getgid();
    p.user.additional_gids = groups;
    util::Status s = os::apply_process_attributes(p, nullptr, nullptr);
    if (!s.ok())
      return geteuid() == 0 ? 1 : kUserSwitchFailed;
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : 2;
  });
  if (status == kUserSwitchFailed && geteuid() != 0) {
    // "Not dumpable" is set after the capability drop and user switch, which a non-root run
    // cannot make: nothing to check.
    MESSAGE("SKIPPED: not root, the user switch failed before the dumpable flag is reset");
    return;
  }
  CHECK(status == 0);
}

TEST_CASE("exec_process: PATH search, env passed exactly, errors name the program") {
  SUBCASE("not found") {
    spec::Process p;
    p.args = {"ocistart-no-such-program"};
    p.env = {"PATH=/nonexistent:/also-not"};
    util::Status s = os::exec_process(p);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "exec `ocistart-no-such-program`: executable file not found in $PATH");
    CHECK(s.error().code == ENOENT);
  }
  SUBCASE("absolute path not found") {
    spec::Process p;
    p.args = {"/nonexistent/foo"};
    util::Status s = os::exec_process(p);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "exec `/nonexistent/foo`: no such file or directory");
  }
  SUBCASE("bad cwd") {
    spec::Process p;
    p.cwd = "/nonexistent-cwd";
    p.args = {"sh"};
    util::Status s = os::exec_process(p);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "chdir `/nonexistent-cwd`: no such file or directory");
  }
  SUBCASE("no args") {
    spec::Process p;
    CHECK_FALSE(os::exec_process(p).ok());
  }
  SUBCASE("runs with the given env, cwd and default PATH") {
    char dir_template[] = "/tmp/ocistart-exec-XXXXXX";
    REQUIRE(mkdtemp(dir_template) != nullptr);
    std::string dir = dir_template;
    int status = in_child([&] {
      spec::Process p;
      p.cwd = dir;
      // No PATH in env: the default PATH finds sh; the env reaches it exactly.
      p.args = {"sh", "-c", "cat /proc/$$/environ > out; pwd >> out; exit 7"};
      p.env = {"A=1", "B=two words"};
      util::Status s = os::exec_process(p);
      (void)s;
      return 99;
    });
    CHECK(status == 7);
    util::Result<std::string> out = util::read_file(dir + "/out");
    REQUIRE(out.ok());
    CHECK(*out == std::string("A=1\0B=two words\0", 16) + dir + "\n");
    (void)util::remove_tree(dir);
  }
}

TEST_CASE("HOME: the process user's home in the container's passwd, else /") {
  const std::string passwd =
      "root:x:0:0:root:/root:/bin/sh\n"
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
      "short:x:7\n"
      "empty:x:42:42:no home::/bin/sh\n"
      "dup:x:1000:1000::/home/first:/bin/sh\n"
      "dup2:x:1000:1000::/home/second:/bin/sh";
  CHECK(os::home_in_passwd(passwd, 0) == "/root");
  CHECK(os::home_in_passwd(passwd, 65534) == "/nonexistent");
  CHECK(os::home_in_passwd(passwd, 7) == "/");               // a line without the field
  CHECK(os::home_in_passwd(passwd, 42) == "/");              // an empty home
  CHECK(os::home_in_passwd(passwd, 1000) == "/home/first");  // the first line wins
  CHECK(os::home_in_passwd(passwd, 12345) == "/");           // no such user
  CHECK(os::home_in_passwd("", 0) == "/");
  // A HOME in the config is kept as it is.
  std::vector<std::string> env = os::with_home({"PATH=/bin", "HOME=/srv"}, 0);
  CHECK(env == std::vector<std::string>{"PATH=/bin", "HOME=/srv"});
}

TEST_CASE("/proc files are opened only through procfs itself") {
  util::Result<util::UniqueFd> status = os::open_proc_file("self/status", O_RDONLY);
  REQUIRE(status.ok());
  // A magic link (cwd, exe, fd/N) leads out of procfs: refused, as a mount over an entry is.
  util::Result<util::UniqueFd> through = os::open_proc_file("self/cwd", O_RDONLY | O_DIRECTORY);
  REQUIRE_FALSE(through.ok());
  CHECK(through.error().message.starts_with("open `/proc/self/cwd`: "));
  CHECK_FALSE(os::open_proc_file("../etc/passwd", O_RDONLY).ok());  // beneath /proc only
}
