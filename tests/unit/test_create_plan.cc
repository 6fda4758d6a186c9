// runtime::plan_create: the checks and choices create makes before anything exists, pure
// (a fake host integration, no root).
#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>

#include "runtime/create_plan.h"
#include "spec/default_spec.h"

using namespace ocistart;

namespace {

struct FakeHost final : runtime::HostIntegration {
  bool journald = true;
  util::Status check_properties(const std::vector<std::string>& p) const override {
    for (const std::string& a : p)
      if (a.find('=') == std::string::npos)
        return util::make_error("-p `" + a + "`: bad", EINVAL);
    return {};
  }
  util::Status check_journald() const override {
    return journald ? util::Status{}
                    : util::Status{util::make_error("--log-driver journald: built without systemd support", ENOTSUP)};
  }
  std::optional<std::string> delegated_cgroup() const override { return std::nullopt; }
  util::Status leave_delegated_root(const std::string&) const override { return {}; }
  util::Result<std::unique_ptr<cgroups::Driver>> new_systemd_driver(const runtime::NewUnit&) const override {
    return util::make_error("no", ENOTSUP);
  }
  util::Result<std::unique_ptr<cgroups::Driver>> existing_systemd_driver(const std::string&, const std::string&,
                                                                         const std::string&,
                                                                         const std::string&) const override {
    return util::make_error("no", ENOTSUP);
  }
  util::Status register_machine(const std::string&, int, const std::string&) const override { return {}; }
  util::Status unregister_machine(const std::string&) const override { return {}; }
  runtime::JournalStreamOpener journal_stream_opener(const std::string&) const override { return {}; }
  util::Result<systemd::JournalReadResult> read_journal(
      const systemd::JournalQuery&, const std::function<util::Status(const systemd::JournalEntry&)>&) const override {
    return util::make_error("no", ENOTSUP);
  }
};

runtime::CreateOptions plan_options() {
  runtime::CreateOptions o;
  o.id = "web";
  o.bundle = "/srv/web";
  o.root = "/run/ocistart";
  return o;
}

}  // namespace

TEST_CASE("plan_create: LISTEN_FDS for pid 1, preserved fds counted, the validated config kept apart") {
  FakeHost host;
  runtime::CreateOptions o = plan_options();
  o.preserve_fds = 2;
  spec::Config c = spec::default_config();
  c.process->env.push_back("LISTEN_FDS=9");
  c.process->terminal = false;
  util::Result<runtime::CreatePlan> plan = runtime::plan_create(o, false, c, 3, false, host);
  INFO((plan ? std::string() : plan.error().message));
  REQUIRE(plan);
  CHECK(plan->preserved_fds == 5);
  const std::vector<std::string>& env = plan->config.process->env;
  CHECK(std::count(env.begin(), env.end(), "LISTEN_FDS=3") == 1);
  CHECK(std::count(env.begin(), env.end(), "LISTEN_PID=1") == 1);
  CHECK(std::count(env.begin(), env.end(), "LISTEN_FDS=9") == 0);
  CHECK(plan->validated_json.find("LISTEN_FDS=9") != std::string::npos);  // as validated
  CHECK(plan->driver_kind == runtime::CgroupDriverKind::cgroupfs);
}

TEST_CASE("plan_create: the checks create makes before anything exists") {
  FakeHost host;
  runtime::CreateOptions o = plan_options();
  spec::Config c = spec::default_config();
  c.process->terminal = true;
  util::Result<runtime::CreatePlan> plan = runtime::plan_create(o, false, c, 0, false, host);
  REQUIRE(!plan);
  CHECK(plan.error().message == "process.terminal is set: --console-socket is required");
  CHECK(runtime::plan_create(o, true, c, 0, false, host));  // run proxies the pty

  o.log_driver = "journald";
  plan = runtime::plan_create(o, true, c, 0, false, host);
  REQUIRE(!plan);
  CHECK(plan.error().message == "--log-driver journald: the process has a terminal (process.terminal)");
  c.process->terminal = false;
  host.journald = false;
  plan = runtime::plan_create(o, false, c, 0, false, host);
  REQUIRE(!plan);
  CHECK(plan.error().code == ENOTSUP);
  o.log_driver = "passthrough";

  o.properties = {"MemoryMax"};
  plan = runtime::plan_create(o, false, c, 0, false, host);
  REQUIRE(!plan);
  CHECK(plan.error().message == "-p `MemoryMax`: bad");
  o.properties = {"MemoryMax=1G"};
  o.cgroup_manager = "cgroupfs";
  plan = runtime::plan_create(o, false, c, 0, false, host);
  REQUIRE(!plan);
  CHECK(plan.error().message == "--unit and -p need the systemd cgroup driver, not --cgroup-manager cgroupfs");
  o.cgroup_manager = "auto";
  plan = runtime::plan_create(o, false, c, 0, false, host);
  REQUIRE(plan);
  CHECK(plan->driver_kind == runtime::CgroupDriverKind::systemd);
  CHECK_FALSE(plan->may_use_delegated);

  o.properties.clear();
  plan = runtime::plan_create(o, false, c, 0, true, host);
  REQUIRE(plan);
  CHECK(plan->driver_kind == runtime::CgroupDriverKind::systemd);  // systemd runs the host
  CHECK(plan->may_use_delegated);

  c.linux_->masked_paths.clear();
  c.linux_->readonly_paths.clear();
  std::erase_if(c.linux_->namespaces, [](const spec::Namespace& n) { return n.type == spec::NamespaceType::mount; });
  plan = runtime::plan_create(o, false, c, 0, false, host);
  REQUIRE(!plan);
  INFO(plan.error().message);
  CHECK(plan.error().message.find("a mount namespace is required") != std::string::npos);
}
