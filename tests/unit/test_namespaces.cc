// Namespace planning, join order, id-map and time-offset formatting (pure parts).
#include <doctest/doctest.h>

#include <sched.h>

#include "linux/namespaces.h"
#include "linux/syscalls.h"

using namespace ocistart;
using spec::NamespaceType;

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

TEST_CASE("plan: new namespaces by clone, cgroup and time unshared later, pid joined by the parent") {
  std::vector<spec::Namespace> ns = {
      {NamespaceType::pid, ""},   {NamespaceType::network, ""}, {NamespaceType::ipc, ""},    {NamespaceType::uts, ""},
      {NamespaceType::mount, ""}, {NamespaceType::user, ""},    {NamespaceType::cgroup, ""}, {NamespaceType::time, ""}};
  os::NamespacePlan p = os::plan_namespaces(ns);
  CHECK(p.clone_flags == (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWUSER));
  CHECK(p.unshare_cgroup);
  CHECK(p.unshare_time);
  CHECK(p.new_user);
  CHECK(p.joins.empty());
  CHECK(p.join_pid_path.empty());

  os::NamespacePlan q = os::plan_namespaces(
      {{NamespaceType::pid, "/proc/7/ns/pid"}, {NamespaceType::network, "/run/netns/a"}, {NamespaceType::mount, ""}});
  CHECK(q.clone_flags == CLONE_NEWNS);
  CHECK(q.join_pid_path == "/proc/7/ns/pid");
  REQUIRE(q.joins.size() == 1);
  CHECK(q.joins[0].type == NamespaceType::network);
  CHECK_FALSE(q.new_user);
  CHECK_FALSE(q.unshare_cgroup);
  CHECK(q.parent_joins.empty());  // no new user namespace: init joins them itself
}

TEST_CASE("plan: with a new user namespace, net ipc uts cgroup paths are joined by the parent") {
  os::NamespacePlan p = os::plan_namespaces({{NamespaceType::user, ""},
                                             {NamespaceType::mount, ""},
                                             {NamespaceType::network, "/run/netns/a"},
                                             {NamespaceType::ipc, "/proc/9/ns/ipc"},
                                             {NamespaceType::uts, "/proc/9/ns/uts"},
                                             {NamespaceType::cgroup, "/proc/9/ns/cgroup"},
                                             {NamespaceType::time, "/proc/9/ns/time"}});
  CHECK(p.new_user);
  REQUIRE(p.parent_joins.size() == 4);
  CHECK(p.parent_joins[0].type == NamespaceType::network);
  CHECK(p.parent_joins[0].path == "/run/netns/a");
  CHECK(p.parent_joins[3].type == NamespaceType::cgroup);
  // time stays with the init (setns of a time namespace would move the runtime's clocks).
  REQUIRE(p.joins.size() == 1);
  CHECK(p.joins[0].type == NamespaceType::time);
}

TEST_CASE("clone flags and /proc names of every namespace type") {
  CHECK(os::clone_flag(NamespaceType::time) == CLONE_NEWTIME);
  CHECK(os::clone_flag(NamespaceType::cgroup) == CLONE_NEWCGROUP);
  CHECK(std::string(os::proc_ns_name(NamespaceType::network)) == "net");
  CHECK(std::string(os::proc_ns_name(NamespaceType::mount)) == "mnt");
}

TEST_CASE("join order: without a user namespace, fixed order with mnt last, all fatal") {
  std::vector<os::JoinTarget> t = {{NamespaceType::mount, "/m"},
                                   {NamespaceType::network, "/n"},
                                   {NamespaceType::ipc, "/i"},
                                   {NamespaceType::time, "/t"}};
  std::vector<os::JoinStep> steps = os::join_plan(t);
  REQUIRE(steps.size() == 4);
  CHECK(steps[0].target.type == NamespaceType::ipc);
  CHECK(steps[1].target.type == NamespaceType::network);
  CHECK(steps[2].target.type == NamespaceType::time);
  CHECK(steps[3].target.type == NamespaceType::mount);
  for (const os::JoinStep& s : steps)
    CHECK_FALSE(s.retry_after_user);
}

TEST_CASE("join order: with a user namespace, the others are tried first and retried after it") {
  std::vector<os::JoinTarget> t = {{NamespaceType::user, "/u"},
                                   {NamespaceType::mount, "/m"},
                                   {NamespaceType::uts, "/h"},
                                   {NamespaceType::pid, "/p"},
                                   {NamespaceType::cgroup, "/c"}};
  std::vector<os::JoinStep> steps = os::join_plan(t);
  REQUIRE(steps.size() == 5);
  CHECK(steps[0].target.type == NamespaceType::uts);
  CHECK(steps[1].target.type == NamespaceType::pid);
  CHECK(steps[2].target.type == NamespaceType::cgroup);
  CHECK(steps[3].target.type == NamespaceType::mount);
  CHECK(steps[4].target.type == NamespaceType::user);
  for (size_t i = 0; i < 4; ++i)
    CHECK(steps[i].retry_after_user);
  CHECK_FALSE(steps[4].retry_after_user);
}

TEST_CASE("id maps: one line per range, all in one text") {
  std::vector<spec::IdMapping> m = {{0, 100000, 1}, {1, 200000, 65535}};
  CHECK(os::format_id_map(m) == "0 100000 1\n1 200000 65535\n");
  CHECK(os::format_id_map({}).empty());
}

TEST_CASE("setgroups is denied only for a writer without CAP_SETGID") {
  CHECK_FALSE(os::setgroups_deny_required(true));
  CHECK(os::setgroups_deny_required(false));
}

TEST_CASE("time offsets: monotonic and boottime lines; other clocks are EINVAL") {
  std::map<std::string, spec::TimeOffset> off = {{"monotonic", {3600, 5}}, {"boottime", {-10, 0}}};
  util::Result<std::string> text = os::format_time_offsets(off);
  REQUIRE(text.ok());
  CHECK(*text == "boottime -10 0\nmonotonic 3600 5\n");
  util::Result<std::string> bad = os::format_time_offsets({{"realtime", {1, 0}}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == EINVAL);
}
