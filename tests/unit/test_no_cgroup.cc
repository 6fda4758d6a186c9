// The driver of a rootless container without a delegated cgroup.
#include <doctest/doctest.h>

#include "cgroups/no_cgroup.h"
#include "spec/effective_resources.h"

using namespace ocistart;

TEST_CASE("first_limit names the first limit asked for, and none for unset values") {
  spec::Resources r;
  CHECK_FALSE(cgroups::first_limit(r));
  // What Docker writes for "no limit" is no limit (effective_resources).
  r.block_io.emplace().weight = 0;
  r.pids.emplace().limit = 0;
  r.memory.emplace().swappiness = spec::kSwappinessUnset;
  r.devices.push_back(spec::DeviceCgroupRule{false, "a", std::nullopt, std::nullopt, "rwm"});
  CHECK_FALSE(cgroups::first_limit(r));
  r.pids->limit = 100;
  CHECK(cgroups::first_limit(r) == "pids.limit");
  r.memory->limit = 1 << 20;
  CHECK(cgroups::first_limit(r) == "memory.limit");
  spec::Resources cpu;
  cpu.cpu.emplace().cpus = "0";
  CHECK(cgroups::first_limit(cpu) == "cpu.cpus");
  spec::Resources unified;
  unified.unified["memory.high"] = "1M";
  CHECK(cgroups::first_limit(unified) == "unified");
}

TEST_CASE("the no-cgroup driver moves nobody, refuses limits and says why it cannot pause") {
  std::unique_ptr<cgroups::Driver> d = cgroups::make_no_cgroup_driver();
  CHECK(d->name() == "none");
  CHECK(d->path().empty());
  spec::Resources none;
  CHECK(d->create(12345, &none).ok());
  CHECK(d->create(12345, nullptr).ok());
  spec::Resources limited;
  limited.memory.emplace().limit = 64 << 20;
  util::Status s = d->create(12345, &limited);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("rootless needs a delegated cgroup: linux.resources.memory.limit") == 0);
  CHECK(d->add_process(12345).ok());
  CHECK_FALSE(d->add_process(12345, cgroups::SubCgroups{{"", "sub"}}).ok());
  util::Result<std::vector<int>> pids = d->pids();
  REQUIRE(pids.ok());
  CHECK(pids->empty());
  util::Status f = d->freeze();
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().message.find("pause: the container has no cgroup of its own") == 0);
  CHECK_FALSE(d->update(limited).ok());
  CHECK(d->destroy().ok());
}

TEST_CASE("the no-cgroup driver has nothing to enter: create() moves the pid (nobody), open_entry is ENOTSUP") {
  std::unique_ptr<cgroups::Driver> d = cgroups::make_no_cgroup_driver();
  CHECK_FALSE(d->creates_before_clone());
  util::Result<os::CgroupEntry> entry = d->open_entry({});
  REQUIRE_FALSE(entry.ok());
  CHECK(entry.error().code == ENOTSUP);
}
