// The order of the init's namespace joins and privilege drops, through RecordingSyscalls
// (no root): join_namespaces() and apply_process_attributes_with_listener() are run for
// real, but every setns, setgroups, setresgid, setresuid, capset, prctl and seccomp load is
// only recorded. These tests pin the order the code documents (namespaces.h join_plan(),
// the step list at the top of process.cc); a change of that order must show up here.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "build_config.h"
#include "linux/init.h"
#include "linux/init_process.h"
#include "linux/namespaces.h"
#include "linux/process.h"
#include "tests/fakes/recording_syscalls.h"
#include "util/child.h"
#include "util/fs.h"

using namespace ocistart;
using spec::NamespaceType;
using testing::RecordingSyscalls;

namespace {

// A directory with one empty file per namespace name: join_namespaces opens the paths
// itself (they are not setns'd for real), and the fake prints them as $ROOT/<name>.
class NamespaceFiles {
 public:
  NamespaceFiles() {
    char tmpl[] = "/tmp/ocistart-init-order.XXXXXX";
    char* dir = ::mkdtemp(tmpl);
    REQUIRE(dir != nullptr);
    dir_ = dir;
  }
  ~NamespaceFiles() { (void)util::remove_tree(dir_); }
  NamespaceFiles(const NamespaceFiles&) = delete;
  NamespaceFiles& operator=(const NamespaceFiles&) = delete;

  const std::string& dir() const { return dir_; }
  os::JoinTarget target(NamespaceType type) const {
    std::string path = dir_ + "/" + os::proc_ns_name(type);
    std::ofstream(path) << "";
    return os::JoinTarget{type, path};
  }

 private:
  std::string dir_;
};

// The umask is the one process attribute applied for real that outlives the call.
class KeepUmask {
 public:
  KeepUmask() : old_(::umask(0022)) {}
  ~KeepUmask() { (void)::umask(old_); }
  KeepUmask(const KeepUmask&) = delete;
  KeepUmask& operator=(const KeepUmask&) = delete;

 private:
  mode_t old_;
};

// The recorded calls with the bounding-set drops left out: how many there are depends on
// the bounding set the test runs with. drops_before() checks where they are.
std::vector<std::string> without_drops(const std::vector<std::string>& calls) {
  std::vector<std::string> out;
  for (const std::string& c : calls)
    if (!c.starts_with("prctl PR_CAPBSET_DROP"))
      out.push_back(c);
  return out;
}

// Every bounding-set drop comes before the call `line` (and there is such a call).
bool drops_before(const std::vector<std::string>& calls, const std::string& line) {
  auto at = std::find(calls.begin(), calls.end(), line);
  if (at == calls.end())
    return false;
  return std::none_of(at, calls.end(), [](const std::string& c) { return c.starts_with("prctl PR_CAPBSET_DROP"); });
}

// A non-root user with groups, one capability in every set (and CAP_KILL only in the
// bounding set) and noNewPrivileges.
spec::Process privileged_drop_process(bool no_new_privileges) {
  spec::Process p;
  p.args = {"/bin/true"};
  p.user.uid = 1000;
  p.user.gid = 1001;
  p.user.additional_gids = {100, 200};
  spec::Capabilities caps;
  caps.bounding = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.effective = {"CAP_NET_BIND_SERVICE"};
  caps.permitted = {"CAP_NET_BIND_SERVICE"};
  caps.inheritable = {"CAP_NET_BIND_SERVICE"};
  caps.ambient = {"CAP_NET_BIND_SERVICE"};
  p.capabilities = caps;
  p.no_new_privileges = no_new_privileges;
  return p;
}

util::Status apply(RecordingSyscalls& sys, const spec::Process& p, const spec::Linux* l = nullptr) {
  KeepUmask keep;
  return os::apply_process_attributes_with_listener(sys, p, l, nullptr);
}

// The 1-based number of the first recorded call equal to `line` (0: none).
size_t call_number(const std::vector<std::string>& calls, const std::string& line) {
  auto at = std::find(calls.begin(), calls.end(), line);
  return at == calls.end() ? 0 : static_cast<size_t>(at - calls.begin()) + 1;
}

const std::string kCaps =
    "effective=CAP_NET_BIND_SERVICE permitted=CAP_NET_BIND_SERVICE "
    "inheritable=CAP_NET_BIND_SERVICE";

// The privilege drops of privileged_drop_process, bounding set aside, in the order of
// process.cc's steps 10-11.
const std::vector<std::string> kDropOrder = {
    "setgroups 100,200",
    "setresgid 1001",
    "prctl PR_SET_KEEPCAPS 1",  // the permitted set survives the uid switch
    "setresuid 1000",
    "prctl PR_SET_KEEPCAPS 0",
    "capset " + kCaps,  // after the uid switch
    "prctl PR_CAP_AMBIENT_CLEAR_ALL",
    "prctl PR_CAP_AMBIENT_RAISE CAP_NET_BIND_SERVICE",
    "prctl PR_SET_DUMPABLE 0",  // the uid switch may have made us dumpable (CVE-2019-5736)
};

}  // namespace

TEST_CASE("join order: ipc, uts, net, pid, cgroup, time, then mnt last, whatever the order given") {
  NamespaceFiles ns;
  RecordingSyscalls sys(ns.dir());
  std::vector<os::JoinTarget> targets = {ns.target(NamespaceType::mount),   ns.target(NamespaceType::time),
                                         ns.target(NamespaceType::network), ns.target(NamespaceType::cgroup),
                                         ns.target(NamespaceType::pid),     ns.target(NamespaceType::uts),
                                         ns.target(NamespaceType::ipc)};
  REQUIRE(os::join_namespaces(sys, targets).ok());
  CHECK(sys.calls == std::vector<std::string>{"setns ipc $ROOT/ipc", "setns uts $ROOT/uts", "setns net $ROOT/net",
                                              "setns pid $ROOT/pid", "setns cgroup $ROOT/cgroup",
                                              "setns time $ROOT/time", "setns mnt $ROOT/mnt"});
}

TEST_CASE("join order: with a user namespace, the others first (while we hold our privileges), user last") {
  NamespaceFiles ns;
  RecordingSyscalls sys(ns.dir());
  std::vector<os::JoinTarget> targets = {ns.target(NamespaceType::user), ns.target(NamespaceType::mount),
                                         ns.target(NamespaceType::network), ns.target(NamespaceType::ipc)};
  REQUIRE(os::join_namespaces(sys, targets).ok());
  CHECK(sys.calls == std::vector<std::string>{"setns ipc $ROOT/ipc", "setns net $ROOT/net", "setns mnt $ROOT/mnt",
                                              "setns user $ROOT/user"});
}

TEST_CASE("join order: EPERM before the user namespace is joined is tried again after it") {
  NamespaceFiles ns;
  RecordingSyscalls sys(ns.dir());
  std::vector<os::JoinTarget> targets = {ns.target(NamespaceType::user), ns.target(NamespaceType::mount),
                                         ns.target(NamespaceType::network), ns.target(NamespaceType::ipc)};
  sys.fail_call(2, EPERM);  // net: owned by the user namespace we have not joined yet
  REQUIRE(os::join_namespaces(sys, targets).ok());
  CHECK(sys.calls == std::vector<std::string>{"setns ipc $ROOT/ipc", "setns net $ROOT/net", "setns mnt $ROOT/mnt",
                                              "setns user $ROOT/user", "setns net $ROOT/net"});
}

TEST_CASE("join order: a failing setns stops the joins with an error naming the namespace and the call") {
  NamespaceFiles ns;
  std::vector<os::JoinTarget> targets = {ns.target(NamespaceType::mount), ns.target(NamespaceType::network),
                                         ns.target(NamespaceType::ipc)};
  SUBCASE("without a user namespace EPERM is final") {
    RecordingSyscalls sys(ns.dir());
    sys.fail_call(2, EPERM);
    util::Status s = os::join_namespaces(sys, targets);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == EPERM);
    CHECK(s.error().message.starts_with("join `net` namespace `" + ns.dir() + "/net`: setns net $ROOT/net: "));
    CHECK(sys.calls == std::vector<std::string>{"setns ipc $ROOT/ipc", "setns net $ROOT/net"});
  }
  SUBCASE("with a user namespace anything but EPERM is final") {
    targets.push_back(ns.target(NamespaceType::user));
    RecordingSyscalls sys(ns.dir());
    sys.fail_call(1, EINVAL);
    util::Status s = os::join_namespaces(sys, targets);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == EINVAL);
    CHECK(s.error().message.starts_with("join `ipc` namespace"));
    CHECK(sys.calls == std::vector<std::string>{"setns ipc $ROOT/ipc"});
  }
}

TEST_CASE("privilege drops: bounding set, groups, gid, uid under KEEPCAPS, caps, ambient, dumpable, NNP, seccomp") {
  RecordingSyscalls sys;
  spec::Process p = privileged_drop_process(true);
  spec::Linux l;
#if OCISTART_HAVE_SECCOMP
  l.seccomp = spec::Seccomp{};
  l.seccomp->default_action = "SCMP_ACT_ALLOW";
#endif
  REQUIRE(apply(sys, p, &l).ok());

  std::vector<std::string> want = kDropOrder;
  want.push_back("prctl PR_SET_NO_NEW_PRIVS 1");
#if OCISTART_HAVE_SECCOMP
  want.push_back("seccomp");  // the very last step with noNewPrivileges
#endif
  CHECK(without_drops(sys.calls) == want);
  // PR_CAPBSET_DROP needs CAP_SETPCAP: before the uid switch, before even the groups.
  CHECK(drops_before(sys.calls, "setgroups 100,200"));
  if (::prctl(PR_CAPBSET_READ, 0 /* CAP_CHOWN */, 0, 0, 0) == 1)
    CHECK(call_number(sys.calls, "prctl PR_CAPBSET_DROP CAP_CHOWN") != 0);
  CHECK(call_number(sys.calls, "prctl PR_CAPBSET_DROP CAP_KILL") == 0);
  CHECK(call_number(sys.calls, "prctl PR_CAPBSET_DROP CAP_NET_BIND_SERVICE") == 0);
}

#if OCISTART_HAVE_SECCOMP
TEST_CASE("privilege drops: without noNewPrivileges seccomp is loaded first, while CAP_SYS_ADMIN is held") {
  RecordingSyscalls sys;
  spec::Process p = privileged_drop_process(false);
  spec::Linux l;
  l.seccomp = spec::Seccomp{};
  l.seccomp->default_action = "SCMP_ACT_ALLOW";
  REQUIRE(apply(sys, p, &l).ok());

  REQUIRE_FALSE(sys.calls.empty());
  CHECK(sys.calls.front() == "seccomp");
  std::vector<std::string> want = {"seccomp"};
  want.insert(want.end(), kDropOrder.begin(), kDropOrder.end());
  CHECK(without_drops(sys.calls) == want);  // and no PR_SET_NO_NEW_PRIVS
}
#endif

TEST_CASE("privilege drops: no capabilities object empties every set after the uid switch") {
  RecordingSyscalls sys;
  spec::Process p;
  p.user.uid = 1000;
  p.user.gid = 1000;
  REQUIRE(apply(sys, p).ok());
  std::vector<std::string> want;
  if (::getgroups(0, nullptr) != 0)  // no groups already: setgroups is skipped
    want.push_back("setgroups none");
  std::vector<std::string> rest = {"setresgid 1000",
                                   "prctl PR_SET_KEEPCAPS 1",
                                   "setresuid 1000",
                                   "prctl PR_SET_KEEPCAPS 0",
                                   "capset effective= permitted= inheritable=",
                                   "prctl PR_CAP_AMBIENT_CLEAR_ALL",
                                   "prctl PR_SET_DUMPABLE 0"};
  want.insert(want.end(), rest.begin(), rest.end());
  CHECK(without_drops(sys.calls) == want);
}

TEST_CASE("privilege drops: a failing call stops the sequence with an error naming the call") {
  const spec::Process p = privileged_drop_process(true);
  // A first run tells where each call falls (the number of bounding-set drops before them
  // depends on the test's own bounding set).
  RecordingSyscalls probe;
  REQUIRE(apply(probe, p).ok());

  struct Case {
    std::string call;
    int err;
    std::string message;  // what the error starts with
  };
  const std::vector<Case> cases = {
      {"setgroups 100,200", EIO, "setgroups 100,200: "},  // EPERM would ask /proc/self/setgroups
      {"setresgid 1001", EINVAL, "setresgid 1001: "},
      {"prctl PR_SET_KEEPCAPS 1", EPERM, "prctl PR_SET_KEEPCAPS 1: "},
      {"setresuid 1000", EPERM, "setresuid 1000: "},
      {"capset " + kCaps, EPERM, "set capabilities: capset " + kCaps + ": "},
      {"prctl PR_CAP_AMBIENT_RAISE CAP_NET_BIND_SERVICE", EPERM,
       "raise ambient capability `CAP_NET_BIND_SERVICE`: prctl PR_CAP_AMBIENT_RAISE CAP_NET_BIND_SERVICE: "},
      {"prctl PR_SET_DUMPABLE 0", EPERM, "prctl PR_SET_DUMPABLE 0: "},
      {"prctl PR_SET_NO_NEW_PRIVS 1", EPERM, "prctl PR_SET_NO_NEW_PRIVS 1: "},
  };
  for (const Case& c : cases) {
    CAPTURE(c.call);
    size_t n = call_number(probe.calls, c.call);
    REQUIRE(n != 0);
    RecordingSyscalls sys;
    sys.fail_call(n, c.err);
    util::Status s = apply(sys, p);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == c.err);
    CHECK(s.error().message.starts_with(c.message));
    CHECK(sys.calls.size() == n);  // nothing after the failed call
    CHECK(sys.calls.back() == c.call);
  }
}

TEST_CASE("privilege drops: EINVAL from the uid switch says the id is not mapped") {
  const spec::Process p = privileged_drop_process(true);
  RecordingSyscalls probe;
  REQUIRE(apply(probe, p).ok());
  RecordingSyscalls sys;
  sys.fail_call(call_number(probe.calls, "setresuid 1000"), EINVAL);
  util::Status s = apply(sys, p);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.ends_with("(the uid is not mapped in the user namespace)"));
}

// The init's steps 2-5 (os::enter_namespaces) in a forked child, with the parent's side of
// the sync channel played here: the joins first, then the time namespace, dumpable only
// for the rootless id maps, `unshared`; after `mapped`, root of the new user namespace
// and non-dumpable again. (A child: setsid is real, and only a non-leader may call it.)
TEST_CASE("init order: joins, unshare time, `unshared`, then the user namespace's root after `mapped`") {
  NamespaceFiles ns;
  spec::Config config;
  config.linux_.emplace();
  config.linux_->uid_mappings = {{0, 100000, 1000}};
  config.linux_->gid_mappings = {{0, 100000, 1000}};
  os::InitArgs args;
  args.config = &config;
  args.plan.joins = {ns.target(NamespaceType::mount), ns.target(NamespaceType::network)};
  args.plan.unshare_time = true;
  args.plan.new_user = true;
  args.rootless = true;
  args.no_new_keyring = true;
  util::Result<std::pair<os::SyncChannel, os::SyncChannel>> pair = os::SyncChannel::make_pair();
  REQUIRE(pair.ok());
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    RecordingSyscalls sys(ns.dir());
    os::InitLink parent(pair->second);
    util::Status s = os::enter_namespaces(args, parent, sys);
    std::string text;
    for (const std::string& c : sys.calls)
      text += c + "\n";
    text += s ? "ok" : "error: " + s.error().message;
    (void)!::write(out[1], text.data(), text.size());
    ::_exit(0);
  }
  util::OwnedChild owned(child);
  ::close(out[1]);
  os::SyncChannel& init = pair->first;
  REQUIRE(init.expect(os::SyncKind::unshared, 5000).ok());
  REQUIRE(init.send(os::SyncKind::mapped).ok());
  util::Result<std::string> text = util::read_all(out[0], "the child's calls");
  ::close(out[0]);
  REQUIRE(text.ok());
  CHECK(*text ==
        "setns net $ROOT/net\n"
        "setns mnt $ROOT/mnt\n"
        "unshare time\n"
        "prctl PR_SET_DUMPABLE 1\n"  // rootless: the runtime writes the maps as a user
        "setresgid 0\n"              // after `mapped`: root of the new user namespace
        "setresuid 0\n"
        "prctl PR_SET_PDEATHSIG 9\n"
        "prctl PR_SET_DUMPABLE 0\n"
        "ok");
}
