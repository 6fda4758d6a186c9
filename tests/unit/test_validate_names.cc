// The name tables of spec/names.h: capabilities, rlimits, signals, mount options, seccomp.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <set>
#include <string>

#include "spec/names.h"

using namespace ocistart::spec;

TEST_CASE("capability names round trip through their numbers") {
  const auto& names = capability_names();
  REQUIRE(names.size() == 41);
  CHECK(names[0] == "CAP_CHOWN");
  CHECK(names[21] == "CAP_SYS_ADMIN");
  CHECK(names[40] == "CAP_CHECKPOINT_RESTORE");
  for (size_t i = 0; i < names.size(); ++i) {
    INFO(names[i]);
    CHECK(capability_from_name(names[i]) == static_cast<int>(i));
  }
  CHECK(capability_from_name("CAP_NET_BIND_SERVICE") == 10);
  CHECK(capability_from_name("CAP_BPF") == 39);
  CHECK_FALSE(capability_from_name("CAP_FOO"));
  CHECK_FALSE(capability_from_name("cap_chown"));  // the spec spells them upper case
  CHECK_FALSE(capability_from_name("CHOWN"));
  CHECK_FALSE(capability_from_name(""));
}

TEST_CASE("rlimit names map to the resource numbers of Linux") {
  const auto& names = rlimit_names();
  CHECK(names.size() == 16);
  CHECK(rlimit_from_name("RLIMIT_NOFILE") == RLIMIT_NOFILE);
  CHECK(rlimit_from_name("RLIMIT_CPU") == RLIMIT_CPU);
  CHECK(rlimit_from_name("RLIMIT_AS") == RLIMIT_AS);
  CHECK(rlimit_from_name("RLIMIT_CORE") == RLIMIT_CORE);
  CHECK(rlimit_from_name("RLIMIT_MEMLOCK") == RLIMIT_MEMLOCK);
  CHECK(rlimit_from_name("RLIMIT_MSGQUEUE") == RLIMIT_MSGQUEUE);
  CHECK(rlimit_from_name("RLIMIT_NPROC") == RLIMIT_NPROC);
  CHECK(rlimit_from_name("RLIMIT_RTTIME") == RLIMIT_RTTIME);
  CHECK(rlimit_from_name("RLIMIT_SIGPENDING") == RLIMIT_SIGPENDING);
  for (std::string_view n : {"RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
                             "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
                             "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"}) {
    INFO(n);
    CHECK(rlimit_from_name(n));
  }
  CHECK_FALSE(rlimit_from_name("RLIMIT_FOO"));
  CHECK_FALSE(rlimit_from_name("NOFILE"));
  CHECK_FALSE(rlimit_from_name("rlimit_nofile"));
}

TEST_CASE("signals parse by name, with or without SIG, in any case, or by number") {
  CHECK(signal_from_string("KILL") == SIGKILL);
  CHECK(signal_from_string("SIGKILL") == SIGKILL);
  CHECK(signal_from_string("kill") == SIGKILL);
  CHECK(signal_from_string("sigKill") == SIGKILL);
  CHECK(signal_from_string("9") == 9);
  CHECK(signal_from_string("15") == SIGTERM);
  CHECK(signal_from_string("TERM") == SIGTERM);
  CHECK(signal_from_string("SIGHUP") == SIGHUP);
  CHECK(signal_from_string("usr1") == SIGUSR1);
  CHECK(signal_from_string("WINCH") == SIGWINCH);
  CHECK(signal_from_string("SIGCHLD") == SIGCHLD);
  CHECK(signal_from_string("CLD") == SIGCHLD);
  CHECK(signal_from_string("IOT") == SIGABRT);
  CHECK(signal_from_string("SIGSYS") == SIGSYS);
  CHECK(signal_from_string("PWR") == SIGPWR);
}

TEST_CASE("real-time signals parse relative to SIGRTMIN and SIGRTMAX") {
  CHECK(signal_from_string("SIGRTMIN") == SIGRTMIN);
  CHECK(signal_from_string("RTMIN") == SIGRTMIN);
  CHECK(signal_from_string("SIGRTMIN+2") == SIGRTMIN + 2);
  CHECK(signal_from_string("rtmin+2") == SIGRTMIN + 2);
  CHECK(signal_from_string("RTMAX") == SIGRTMAX);
  CHECK(signal_from_string("RTMAX-1") == SIGRTMAX - 1);
  CHECK(signal_from_string("SIGRTMAX-0") == SIGRTMAX);
  CHECK(signal_from_string(std::to_string(SIGRTMAX)) == SIGRTMAX);
  int span = SIGRTMAX - SIGRTMIN;
  CHECK(signal_from_string("RTMIN+" + std::to_string(span)) == SIGRTMAX);
  CHECK_FALSE(signal_from_string("RTMIN+" + std::to_string(span + 1)));
  CHECK_FALSE(signal_from_string("RTMAX-" + std::to_string(span + 1)));
  CHECK_FALSE(signal_from_string("RTMIN-1"));
  CHECK_FALSE(signal_from_string("RTMAX+1"));
  CHECK_FALSE(signal_from_string("RTMIN+"));
  CHECK_FALSE(signal_from_string("RTMIN+x"));
}

TEST_CASE("bad signals are refused") {
  CHECK_FALSE(signal_from_string("SIGFOO"));
  CHECK_FALSE(signal_from_string("FOO"));
  CHECK_FALSE(signal_from_string(""));
  CHECK_FALSE(signal_from_string("SIG"));
  CHECK_FALSE(signal_from_string("-9"));
  CHECK_FALSE(signal_from_string("+9"));
  CHECK_FALSE(signal_from_string("9x"));
  CHECK_FALSE(signal_from_string(" 9"));
  CHECK_FALSE(signal_from_string(std::to_string(SIGRTMAX + 1)));
  CHECK_FALSE(signal_from_string("99999999999"));
  CHECK_FALSE(signal_from_string("SIGSIGKILL"));
  // runc passes any number to kill(2); 0 is its existence probe, so it is accepted.
  CHECK(signal_from_string("0") == 0);
}

TEST_CASE("mount option tables") {
  const auto& flags = known_mount_options();
  for (std::string_view o :
       {"rw",       "ro",      "nosuid",      "nodev",        "noexec",      "bind",     "rbind",
        "rprivate", "rslave",  "rro",         "rnosymfollow", "idmap",       "ridmap",   "tmpcopyup",
        "defaults", "default", "strictatime", "relatime",     "nosymfollow", "iversion", "silent",
        "loud",     "mand",    "nomand",      "lazytime",     "remount"}) {
    INFO(o);
    CHECK(std::find(flags.begin(), flags.end(), o) != flags.end());
  }
  std::set<std::string_view> unique(flags.begin(), flags.end());
  CHECK(unique.size() == flags.size());
  const auto& data = known_filesystem_options();
  CHECK(std::find(data.begin(), data.end(), "newinstance") != data.end());
  CHECK(std::find(data.begin(), data.end(), "nosiud") == data.end());
  for (std::string_view o : data) {
    INFO(o);
    CHECK(std::find(flags.begin(), flags.end(), o) == flags.end());
    CHECK(o.find('=') == std::string_view::npos);
  }
}

TEST_CASE("seccomp tables hold the spec's constants") {
  const auto& actions = seccomp_action_names();
  CHECK(actions.size() == 9);
  CHECK(std::find(actions.begin(), actions.end(), "SCMP_ACT_NOTIFY") != actions.end());
  CHECK(std::find(actions.begin(), actions.end(), "SCMP_ACT_KILL_PROCESS") != actions.end());
  CHECK(seccomp_operator_names().size() == 7);
  const auto& archs = seccomp_arch_names();
  CHECK(archs.size() == 23);
  CHECK(std::find(archs.begin(), archs.end(), "SCMP_ARCH_X86_64") != archs.end());
  CHECK(std::find(archs.begin(), archs.end(), "SCMP_ARCH_RISCV64") != archs.end());
  CHECK(seccomp_flag_names().size() == 4);
}

TEST_CASE("scheduler, I/O priority and memory policy names") {
  CHECK(scheduler_policy_from_name("SCHED_OTHER") == 0);
  CHECK(scheduler_policy_from_name("SCHED_FIFO") == 1);
  CHECK(scheduler_policy_from_name("SCHED_DEADLINE") == 6);
  CHECK_FALSE(scheduler_policy_from_name("SCHED_FOO"));
  CHECK(scheduler_flag_from_name("SCHED_FLAG_RESET_ON_FORK") == 0x01u);
  CHECK(scheduler_flag_from_name("SCHED_FLAG_UTIL_CLAMP_MAX") == 0x40u);
  CHECK_FALSE(scheduler_flag_from_name("SCHED_FLAG_FOO"));
  CHECK(io_priority_class_from_name("IOPRIO_CLASS_RT") == 1);
  CHECK(io_priority_class_from_name("IOPRIO_CLASS_IDLE") == 3);
  CHECK_FALSE(io_priority_class_from_name("IOPRIO_CLASS_NONE"));
  CHECK(memory_policy_mode_from_name("MPOL_BIND") == 2);
  CHECK(memory_policy_mode_from_name("MPOL_WEIGHTED_INTERLEAVE") == 6);
  CHECK_FALSE(memory_policy_mode_from_name("MPOL_FOO"));
  CHECK(memory_policy_flag_from_name("MPOL_F_STATIC_NODES") == (1 << 15));
  CHECK_FALSE(memory_policy_flag_from_name("MPOL_F_FOO"));
}
