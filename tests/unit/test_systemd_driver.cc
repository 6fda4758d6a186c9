// The systemd cgroup driver against a fake Manager (tests/fakes/fake_systemd_manager.h)
// and a fake cgroup tree for its cgroupfs follow-up; and the runtime's driver choice.
#include <doctest/doctest.h>

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "cgroups/resources.h"
#include "cgroups/systemd_driver.h"
#include "runtime/container.h"
#include "spec/resource_values.h"
#include "tests/fakes/fake_cgroup_tree.h"
#include "tests/fakes/fake_systemd_manager.h"

using namespace ocistart;
using ocistart::testing::FakeCgroupTree;
using ocistart::testing::FakeSystemdManager;
using Script = FakeSystemdManager::Script;

namespace {

constexpr int kPid = 4242;
constexpr const char* kScope = "system.slice/test-c1.scope";

// A temp state root, removed with everything in it.
class TempRoot {
 public:
  TempRoot() {
    char tmpl[] = "/tmp/ocistart-sd-root-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name);
    if (!in)
      return "<missing>";
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string path_;
};

spec::Resources resources() {
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 64 << 20;
  r.pids.emplace();
  r.pids->limit = 50;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  return r;
}

cgroups::SystemdDriverOptions options(const FakeCgroupTree& tree, const TempRoot& root,
                                      const std::shared_ptr<Script>& script) {
  cgroups::SystemdDriverOptions o;
  o.unit = "test-c1.scope";
  o.slice = "system.slice";
  o.description = "ocistart container c1";
  o.annotations["org.systemd.property.TimeoutStopSec"] = "uint64 5";
  o.annotations["other"] = "ignored";
  o.state_root = root.path();
  o.cgroupfs = tree.options("/unused");
  o.manager = FakeSystemdManager::factory(script);
  return o;
}

const systemd::PropertyValue* find(const systemd::UnitProperties& props, std::string_view name) {
  for (const auto& p : props)
    if (p.name == name)
      return &p.value;
  return nullptr;
}

std::vector<std::string> methods(const Script& s) {
  std::vector<std::string> out;
  for (const auto& c : s.calls)
    out.push_back(c.method);
  return out;
}

void require_ok(const util::Status& st) { REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.error().message)); }

// A unit created by one driver (then forgotten), and the options a later command rebuilds
// from state.json for it; the script's record starts empty.
cgroups::SystemdDriverOptions rebuilt_options(const FakeCgroupTree& tree, const TempRoot& root,
                                              const std::shared_ptr<Script>& script, const spec::Resources* r) {
  {
    cgroups::SystemdDriver creator(options(tree, root, script));
    require_ok(creator.create(kPid, r));
  }
  script->calls.clear();
  script->connects = 0;
  cgroups::SystemdDriverOptions o = options(tree, root, script);
  o.cgroup_path = "/system.slice/test-c1.scope";
  return o;
}

util::Error cannot_set(const std::string& property) {
  return util::Error{ENOTSUP,
                     "systemd `StartTransientUnit`: org.freedesktop.DBus.Error.PropertyReadOnly: "
                     "Cannot set property " +
                         property + ", or unknown property."};
}

}  // namespace

TEST_CASE("systemd driver: create is one StartTransientUnit with every property, then the cgroupfs plan") {
  FakeCgroupTree tree = FakeCgroupTree::v1(/*hybrid=*/true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  cgroups::SystemdDriver driver(options(tree, root, script));
  CHECK(driver.name() == "systemd");
  CHECK(driver.path().empty());
  CHECK(script->connects == 0);  // lazily: nothing until a D-Bus need

  spec::Resources r = resources();
  require_ok(driver.create(kPid, &r));
  CHECK(methods(*script) == std::vector<std::string>{"StartTransientUnit", "GetUnit"});
  CHECK(driver.dbus_calls() == 2);
  CHECK(driver.path() == "/system.slice/test-c1.scope");

  const FakeSystemdManager::Call& start = script->calls[0];
  CHECK(start.unit == "test-c1.scope");
  const systemd::UnitProperties& p = start.properties;
  REQUIRE(p.size() >= 5);
  CHECK(p[0] == systemd::UnitProperty{"Description", std::string("ocistart container c1")});
  CHECK(p[1] == systemd::UnitProperty{"Slice", std::string("system.slice")});
  CHECK(p[2] == systemd::UnitProperty{"Delegate", true});
  CHECK(p[3] == systemd::UnitProperty{"DefaultDependencies", false});
  CHECK(p[4] == systemd::UnitProperty{"PIDs", std::vector<uint32_t>{kPid}});
  // v1 names on a hybrid host.
  REQUIRE(find(p, "MemoryLimit"));
  CHECK(*find(p, "MemoryLimit") == systemd::PropertyValue{uint64_t{64 << 20}});
  CHECK(find(p, "MemoryMax") == nullptr);
  CHECK(*find(p, "TasksMax") == systemd::PropertyValue{uint64_t{50}});
  CHECK(*find(p, "CPUShares") == systemd::PropertyValue{uint64_t{512}});
  CHECK(*find(p, "CPUQuotaPerSecUSec") == systemd::PropertyValue{uint64_t{500000}});
  // No blockIO settings: no BlockIOAccounting (on v1 it costs a realization of the tree).
  CHECK(find(p, "BlockIOAccounting") == nullptr);
  CHECK(*find(p, "CollectMode") == systemd::PropertyValue{std::string("inactive-or-failed")});
  // The annotation, turned into microseconds.
  CHECK(*find(p, "TimeoutStopUSec") == systemd::PropertyValue{uint64_t{5000000}});

  // The exact values are in the unit's cgroup, and the pid joined every hierarchy.
  const std::string scope = kScope;
  CHECK(tree.last("memory/" + scope + "/memory.limit_in_bytes") == "67108864");
  CHECK(tree.last("pids/" + scope + "/pids.max") == "50");
  CHECK(tree.last("cpu,cpuacct/" + scope + "/cpu.shares") == "512");
  CHECK(tree.last("cpu,cpuacct/" + scope + "/cpu.cfs_quota_us") == "50000");
  for (const char* h : {"memory", "pids", "cpuset", "freezer", "systemd", "unified"})
    CHECK_MESSAGE(tree.last(std::string(h) + "/" + scope + "/cgroup.procs") == std::to_string(kPid), h);
  CHECK(root.read(cgroups::kUnsupportedPropertiesFile) == "<missing>");

  auto pids = driver.pids();
  REQUIRE(pids.ok());
  CHECK(*pids == std::vector<int>{kPid});
}

TEST_CASE("systemd driver: v2 property names on a unified host") {
  FakeCgroupTree tree = FakeCgroupTree::v2();
  // What systemd makes before the follow-up runs: the slice and the scope, with controllers.
  for (const char* dir : {"system.slice", kScope}) {
    tree.mkdir(dir);
    tree.write(std::string(dir) + "/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
    tree.write(std::string(dir) + "/cgroup.subtree_control", "");
  }
  TempRoot root;
  auto script = std::make_shared<Script>();
  cgroups::SystemdDriver driver(options(tree, root, script));
  spec::Resources r = resources();
  require_ok(driver.create(kPid, &r));
  const systemd::UnitProperties& p = script->calls.at(0).properties;
  CHECK(*find(p, "MemoryMax") == systemd::PropertyValue{uint64_t{64 << 20}});
  CHECK(*find(p, "CPUWeight") == systemd::PropertyValue{spec::cpu_shares_to_weight(512)});
  CHECK(*find(p, "IOAccounting") == systemd::PropertyValue{true});
  CHECK(find(p, "MemoryLimit") == nullptr);
  CHECK(tree.last(std::string(kScope) + "/memory.max") == "67108864");
}

TEST_CASE("systemd driver: an existing unit is reset and the start retried once") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  util::Error exists{EEXIST,
                     "systemd `StartTransientUnit`: org.freedesktop.systemd1.UnitExists: Unit test-c1.scope "
                     "was already loaded or has a fragment file."};

  SUBCASE("a failed leftover: the retry succeeds") {
    script->start_results.push_back(exists);
    cgroups::SystemdDriver driver(options(tree, root, script));
    require_ok(driver.create(kPid, nullptr));
    CHECK(methods(*script) ==
          std::vector<std::string>{"StartTransientUnit", "ResetFailedUnit", "StartTransientUnit", "GetUnit"});
    CHECK(script->calls[1].unit == "test-c1.scope");
  }
  SUBCASE("an active unit with processes: joined, as runc does, and never stopped by us") {
    tree.mkdir("pids/system.slice/test-c1.scope");
    tree.write("pids/system.slice/test-c1.scope/cgroup.procs", "77\n");
    script->start_results = {exists, exists};
    cgroups::SystemdDriver driver(options(tree, root, script));
    require_ok(driver.create(kPid, nullptr));
    CHECK(methods(*script) ==
          std::vector<std::string>{"StartTransientUnit", "ResetFailedUnit", "StartTransientUnit", "GetUnit"});
    CHECK(tree.last("pids/system.slice/test-c1.scope/cgroup.procs") == std::to_string(kPid));
    CHECK(tree.last("freezer/system.slice/test-c1.scope/cgroup.procs") == std::to_string(kPid));

    // A failure after joining undoes our part only: no KillUnit, no StopUnit.
    script->calls.clear();
    script->start_results = {exists, exists};
    cgroups::SystemdDriver second(options(tree, root, script));
    spec::Resources bad;
    bad.unified["memory.min"] = "1";  // v1: the cgroupfs plan refuses it
    REQUIRE_FALSE(second.create(kPid + 1, &bad).ok());
    CHECK(methods(*script) ==
          std::vector<std::string>{"StartTransientUnit", "ResetFailedUnit", "StartTransientUnit", "GetUnit"});
  }
  SUBCASE("an active unit without processes is on its way out: stopped, then ours starts") {
    script->start_results = {exists, exists};
    cgroups::SystemdDriver driver(options(tree, root, script));
    require_ok(driver.create(kPid, nullptr));
    CHECK(methods(*script) == std::vector<std::string>{"StartTransientUnit", "ResetFailedUnit", "StartTransientUnit",
                                                       "StopUnit", "StartTransientUnit", "GetUnit"});
  }
  SUBCASE("still there after that: one more try only, and the other unit is left alone") {
    script->start_results = {exists, exists, exists};
    cgroups::SystemdDriver driver(options(tree, root, script));
    util::Status s = driver.create(kPid, nullptr);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == EEXIST);
    CHECK(s.error().message.find("start unit `test-c1.scope`") == 0);
    CHECK(methods(*script) == std::vector<std::string>{"StartTransientUnit", "ResetFailedUnit", "StartTransientUnit",
                                                       "StopUnit", "StartTransientUnit"});
    require_ok(driver.destroy());  // create.cc's undo: must not stop someone else's unit
    CHECK(script->calls.size() == 5);
  }
}

TEST_CASE("systemd driver: before create, the unit's future cgroup is inspected where systemd will make it") {
  CHECK(cgroups::unit_cgroup_path("system.slice", "x.scope") == "/system.slice/x.scope");
  CHECK(cgroups::unit_cgroup_path("machine-pod_1.slice", "x.scope") == "/machine.slice/machine-pod_1.slice/x.scope");
  CHECK(cgroups::unit_cgroup_path("a-b-c.slice", "x.scope") == "/a.slice/a-b.slice/a-b-c.slice/x.scope");
  CHECK(cgroups::unit_cgroup_path("-.slice", "x.scope") == "/x.scope");

  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  cgroups::SystemdDriver driver(options(tree, root, script));
  util::Result<cgroups::ExistingCgroup> none = driver.inspect_existing();
  REQUIRE(none.ok());
  CHECK_FALSE(none->frozen);
  CHECK(none->processes == 0);
  tree.mkdir("freezer/system.slice/test-c1.scope");  // systemd leaves the v1 freezer alone
  tree.write("freezer/system.slice/test-c1.scope/freezer.state", "FROZEN\n");
  CHECK(driver.inspect_existing()->frozen);
  CHECK(script->connects == 0);  // no D-Bus for this
  spec::Resources unified;
  unified.unified["memory.min"] = "1";
  CHECK(driver.check_resources(unified).error().message.starts_with("/unified: invalid configuration"));
}

TEST_CASE("systemd driver: a property systemd cannot set is dropped, remembered, and not sent again") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  script->start_results.push_back(cannot_set("TasksMax"));
  spec::Resources r = resources();
  {
    cgroups::SystemdDriver driver(options(tree, root, script));
    require_ok(driver.create(kPid, &r));
    REQUIRE(methods(*script) == std::vector<std::string>{"StartTransientUnit", "StartTransientUnit", "GetUnit"});
    CHECK(find(script->calls[0].properties, "TasksMax") != nullptr);
    CHECK(find(script->calls[1].properties, "TasksMax") == nullptr);
    CHECK(find(script->calls[1].properties, "MemoryLimit") != nullptr);
    CHECK(root.read(cgroups::kUnsupportedPropertiesFile) == "TasksMax\n");
    // What systemd could not set is still written, exactly, by the cgroupfs follow-up.
    CHECK(tree.last(std::string("pids/") + kScope + "/pids.max") == "50");
    require_ok(driver.destroy());
  }
  script->calls.clear();
  {
    cgroups::SystemdDriver driver(options(tree, root, script));
    require_ok(driver.create(kPid, &r));
    REQUIRE(methods(*script) == std::vector<std::string>{"StartTransientUnit", "GetUnit"});
    CHECK(find(script->calls[0].properties, "TasksMax") == nullptr);
    CHECK(root.read(cgroups::kUnsupportedPropertiesFile) == "TasksMax\n");  // not twice
    require_ok(driver.destroy());
  }
  SUBCASE("an unsupported error that names no property we sent is an error") {
    script->calls.clear();
    script->start_results.push_back(cannot_set("Bogus"));
    cgroups::SystemdDriver driver(options(tree, root, script));
    util::Status s = driver.create(kPid, &r);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ENOTSUP);
  }
}

TEST_CASE("systemd driver: property retries are bounded") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  for (const char* p : {"MemoryLimit", "TasksMax", "CPUShares"})
    script->start_results.push_back(cannot_set(p));
  cgroups::SystemdDriverOptions o = options(tree, root, script);
  o.max_property_retries = 2;
  cgroups::SystemdDriver driver(std::move(o));
  spec::Resources r = resources();
  util::Status s = driver.create(kPid, &r);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("CPUShares") != std::string::npos);
  CHECK(root.read(cgroups::kUnsupportedPropertiesFile) == "MemoryLimit\nTasksMax\n");
}

TEST_CASE("systemd driver: destroy stops the unit (collected, no reset) and removes the cgroup") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  spec::Resources r = resources();

  SUBCASE("after create") {
    cgroups::SystemdDriver driver(options(tree, root, script));
    require_ok(driver.create(kPid, &r));
    script->calls.clear();
    require_ok(driver.destroy());
    CHECK(methods(*script) == std::vector<std::string>{"StopUnit"});
  }
  SUBCASE("rebuilt from state.json") {
    cgroups::SystemdDriverOptions o = rebuilt_options(tree, root, script, &r);
    o.annotations.clear();
    cgroups::SystemdDriver driver(std::move(o));
    auto pids = driver.pids();  // cgroupfs only: no bus connection for ps/kill
    REQUIRE(pids.ok());
    CHECK(script->connects == 0);
    require_ok(driver.destroy());
    CHECK(methods(*script) == std::vector<std::string>{"StopUnit"});
    CHECK(script->calls[0].unit == "test-c1.scope");
  }
  for (const char* h : {"memory", "pids", "cpuset", "freezer", "systemd", "unified"})
    CHECK_MESSAGE(!tree.exists(std::string(h) + "/" + kScope), h);
}

TEST_CASE("systemd driver: -p assignments go into the start and are set again after the cgroupfs plan") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  cgroups::SystemdDriverOptions o = options(tree, root, script);
  o.assignments = {"MemoryLimit=96M", "TasksMax=33"};
  cgroups::SystemdDriver driver(std::move(o));
  spec::Resources r = resources();  // memory 64M, pids 50: the config's, overridden
  require_ok(driver.create(kPid, &r));
  CHECK(methods(*script) == std::vector<std::string>{"StartTransientUnit", "GetUnit", "SetUnitProperties"});
  CHECK(*find(script->calls[0].properties, "MemoryLimit") == systemd::PropertyValue{uint64_t{96} << 20});
  const FakeSystemdManager::Call& again = script->calls[2];
  CHECK(again.properties == systemd::UnitProperties{{"MemoryLimit", uint64_t{96} << 20}, {"TasksMax", uint64_t{33}}});
}

TEST_CASE("systemd driver: a scope that stopped by itself is not stopped again") {
  // systemd removes the scope's cgroup when its last process exits and collects the unit:
  // delete then needs no StopUnit, and no bus connection at all.
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  cgroups::SystemdDriver driver(rebuilt_options(tree, root, script, nullptr));
  std::filesystem::remove_all(tree.root() + "/systemd/" + kScope);  // what systemd does
  require_ok(driver.destroy());
  CHECK(script->calls.empty());
  CHECK(script->connects == 0);
  CHECK_FALSE(tree.exists(std::string("memory/") + kScope));  // the cgroupfs part still goes
}

TEST_CASE("systemd driver: a failed stop resets the unit so no failed unit lingers") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  cgroups::SystemdDriver driver(options(tree, root, script));
  require_ok(driver.create(kPid, nullptr));
  script->calls.clear();
  script->stop_results.push_back(util::Error{EIO, "job for unit `test-c1.scope` finished with result `failed`"});
  util::Status s = driver.destroy();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("stop unit `test-c1.scope`") != std::string::npos);
  CHECK(methods(*script) == std::vector<std::string>{"StopUnit", "ResetFailedUnit"});
}

TEST_CASE("systemd driver: a failed start leaves nothing; a systemd that does not answer is not asked again") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();

  SUBCASE("job failed: kill, stop") {
    script->start_results.push_back(util::Error{EIO, "job for unit `test-c1.scope` finished with result `failed`"});
    cgroups::SystemdDriver driver(options(tree, root, script));
    util::Status s = driver.create(kPid, nullptr);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message ==
          "start unit `test-c1.scope`: job for unit `test-c1.scope` finished with result `failed`");
    CHECK(methods(*script) == std::vector<std::string>{"StartTransientUnit", "KillUnit", "StopUnit"});
    CHECK(script->calls[1].signal == SIGKILL);
    script->calls.clear();
    require_ok(driver.destroy());
    CHECK(script->calls.empty());
  }
  SUBCASE("no answer within the deadline") {
    script->start_results.push_back(
        util::Error{ETIMEDOUT, "systemd `StartTransientUnit`: no answer within the deadline"});
    cgroups::SystemdDriver driver(options(tree, root, script));
    util::Status s = driver.create(kPid, nullptr);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ETIMEDOUT);
    require_ok(driver.destroy());
    CHECK(methods(*script) == std::vector<std::string>{"StartTransientUnit"});
  }
  CHECK(!tree.exists(std::string("memory/") + kScope));
}

TEST_CASE("systemd driver: update sets runtime properties, then the cgroupfs plan") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  cgroups::SystemdDriver driver(options(tree, root, script));
  spec::Resources r = resources();
  require_ok(driver.create(kPid, &r));
  script->calls.clear();
  spec::Resources u;
  u.memory.emplace();
  u.memory->limit = 128 << 20;
  require_ok(driver.update(u));
  REQUIRE(methods(*script) == std::vector<std::string>{"SetUnitProperties"});
  CHECK(script->calls[0].runtime);
  CHECK(script->calls[0].properties == systemd::UnitProperties{{"MemoryLimit", uint64_t{128 << 20}}});
  CHECK(tree.last(std::string("memory/") + kScope + "/memory.limit_in_bytes") == "134217728");
}

TEST_CASE("systemd driver: on v1 the container is frozen while systemd rewrites its device rules") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  cgroups::SystemdDriver driver(options(tree, root, script));
  require_ok(driver.create(kPid, nullptr));
  const std::string state = std::string("freezer/") + kScope + "/freezer.state";
  spec::Resources u;
  u.pids.emplace();
  u.pids->limit = 30;
  require_ok(driver.update(u));
  CHECK(tree.read(state) == "FROZEN\nTHAWED\n");
  SUBCASE("a paused container stays paused") {
    tree.write(state, "FROZEN\n");
    require_ok(driver.update(u));
    CHECK(tree.read(state) == "FROZEN\n");
  }
  SUBCASE("thawed also when systemd refuses") {
    script->set_results.push_back(util::Error{EINVAL, "systemd `SetUnitProperties`: no"});
    CHECK_FALSE(driver.update(u).ok());
    CHECK(tree.read(state) == "FROZEN\nTHAWED\nFROZEN\nTHAWED\n");
  }
}

TEST_CASE("systemd driver: freeze falls back to the cgroupfs freezer where systemd cannot") {
  FakeCgroupTree tree = FakeCgroupTree::v1(true);
  TempRoot root;
  auto script = std::make_shared<Script>();
  cgroups::SystemdDriver driver(options(tree, root, script));
  require_ok(driver.create(kPid, nullptr));
  const std::string state = std::string("freezer/") + kScope + "/freezer.state";

  script->freeze_results.push_back(
      util::Error{EOPNOTSUPP,
                  "systemd `FreezeUnit`: org.freedesktop.DBus.Error.NotSupported: Unit 'test-c1.scope' does not "
                  "support freezing."});
  require_ok(driver.freeze());
  CHECK(tree.last(state) == "FROZEN");
  script->freeze_results.push_back(util::Error{EOPNOTSUPP, "NotSupported"});
  require_ok(driver.thaw());
  CHECK(tree.last(state) == "THAWED");

  SUBCASE("systemd freezes itself when it can") {
    script->calls.clear();
    require_ok(driver.freeze());
    CHECK(methods(*script) == std::vector<std::string>{"FreezeUnit"});
    CHECK(tree.last(state) == "THAWED");
  }
  SUBCASE("other errors are errors") {
    script->freeze_results.push_back(util::Error{EIO, "systemd `FreezeUnit`: boom"});
    util::Status s = driver.freeze();
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "freeze unit `test-c1.scope`: systemd `FreezeUnit`: boom");
  }
}

TEST_CASE("systemd driver: the D-Bus deadline comes from OCISTART_DBUS_TIMEOUT_MS") {
  ::unsetenv("OCISTART_DBUS_TIMEOUT_MS");
  CHECK(cgroups::systemd_call_deadline() == std::chrono::milliseconds(10000));
  ::setenv("OCISTART_DBUS_TIMEOUT_MS", "1500", 1);
  CHECK(cgroups::systemd_call_deadline() == std::chrono::milliseconds(1500));
  for (const char* bad : {"0", "-5", "12x", ""}) {
    ::setenv("OCISTART_DBUS_TIMEOUT_MS", bad, 1);
    CHECK_MESSAGE(cgroups::systemd_call_deadline() == std::chrono::milliseconds(10000), bad);
  }
  ::unsetenv("OCISTART_DBUS_TIMEOUT_MS");
}

TEST_CASE("runtime: cgroup driver choice") {
  using runtime::CgroupDriverKind;
  auto choose = [](const std::string& manager, bool flag, const std::string& path, bool host) {
    auto k = runtime::choose_cgroup_driver(manager, flag, path, host);
    REQUIRE_MESSAGE(k.ok(), (k.ok() ? "" : k.error().message));
    return *k;
  };
  CHECK(choose("auto", true, "", false) == CgroupDriverKind::systemd);      // --systemd-cgroup
  CHECK(choose("systemd", false, "", false) == CgroupDriverKind::systemd);  // --cgroup-manager systemd
  CHECK(choose("auto", false, "system.slice:test:c1", false) == CgroupDriverKind::systemd);
  CHECK(choose("auto", false, ":ocistart:c1", false) == CgroupDriverKind::systemd);
  CHECK(choose("auto", false, "", true) == CgroupDriverKind::systemd);  // systemd runs the host
  CHECK(choose("auto", false, "", false) == CgroupDriverKind::cgroupfs);
  CHECK(choose("auto", false, "/ocistart/c1", true) == CgroupDriverKind::cgroupfs);
  CHECK(choose("auto", false, "a:b", true) == CgroupDriverKind::cgroupfs);
  CHECK(choose("cgroupfs", false, "", true) == CgroupDriverKind::cgroupfs);
  auto bad = runtime::choose_cgroup_driver("cgroupfs", false, "system.slice:test:c1", false);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == EINVAL);
}

TEST_CASE("the unit's cgroup comes from /proc/<pid>/cgroup: name=systemd on v1 and hybrid, 0:: on v2") {
  CHECK(cgroups::systemd_cgroup_from_proc("13:hugetlb:/\n9:name=systemd:/system.slice/a.scope\n"
                                          "4:memory:/system.slice/a.scope\n0::/system.slice/a.scope\n") ==
        "/system.slice/a.scope");
  CHECK(cgroups::systemd_cgroup_from_proc("0::/machine.slice/libpod-x.scope\n") == "/machine.slice/libpod-x.scope");
  CHECK(cgroups::systemd_cgroup_from_proc("4:memory:/x\n") == std::nullopt);
  CHECK(cgroups::systemd_cgroup_from_proc("") == std::nullopt);
}
