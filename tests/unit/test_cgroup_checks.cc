// runc's checks before create (frozen, non-empty, cgroup version) and `exec --cgroup`,
// on the cgroupfs drivers against a fake tree, and the pure pieces they use.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cgroups/before_create.h"
#include "cgroups/cgroupfs.h"
#include "cgroups/exec_cgroups.h"
#include "cgroups/resources.h"
#include "tests/fakes/fake_cgroup_tree.h"

using namespace ocistart;
using namespace ocistart::cgroups;
using ocistart::testing::FakeCgroupTree;

namespace {

std::unique_ptr<Driver> driver(const FakeCgroupTree& tree, const std::string& path = "/pod/t1") {
  auto d = make_cgroupfs_driver(tree.options(path));
  REQUIRE_MESSAGE(d.ok(), (d.ok() ? "" : d.error().message));
  return std::move(*d);
}

std::string error_of(const util::Result<std::vector<std::string>>& r) { return r ? "" : r.error().message; }

}  // namespace

TEST_CASE("before create: nothing there is fine, and nothing is made") {
  for (int layout = 0; layout < 3; ++layout) {
    FakeCgroupTree tree = layout == 2 ? FakeCgroupTree::v2() : FakeCgroupTree::v1(layout == 1);
    auto d = driver(tree);
    util::Result<std::vector<std::string>> warnings = check_before_create(*d, spec::Resources{});
    REQUIRE_MESSAGE(warnings.ok(), error_of(warnings));
    CHECK(warnings->empty());
    CHECK_FALSE(tree.exists("pod"));
    CHECK_FALSE(tree.exists("memory/pod"));
  }
}

TEST_CASE("before create: a frozen cgroup is refused, also under a frozen ancestor") {
  SUBCASE("v1 freezer.state of the cgroup itself") {
    auto tree = FakeCgroupTree::v1();
    tree.mkdir("freezer/pod/t1");
    tree.write("freezer/pod/t1/freezer.state", "FROZEN\n");
    CHECK(error_of(check_before_create(*driver(tree), {})) == "container's cgroup unexpectedly frozen");
  }
  SUBCASE("v1: the nearest existing ancestor is freezing") {
    auto tree = FakeCgroupTree::v1();
    tree.mkdir("freezer/pod");
    tree.write("freezer/pod/freezer.state", "FREEZING\n");
    CHECK(error_of(check_before_create(*driver(tree), {})) == "container's cgroup unexpectedly frozen");
    tree.write("freezer/pod/freezer.state", "THAWED\n");
    CHECK(error_of(check_before_create(*driver(tree), {})).empty());
  }
  SUBCASE("hybrid: the unified hierarchy frozen") {
    auto tree = FakeCgroupTree::v1(true);
    tree.mkdir("unified/pod");
    tree.write("unified/pod/cgroup.events", "populated 0\nfrozen 1\n");
    CHECK(error_of(check_before_create(*driver(tree), {})) == "container's cgroup unexpectedly frozen");
  }
  SUBCASE("v2 cgroup.freeze") {
    auto tree = FakeCgroupTree::v2();
    tree.mkdir("pod/t1");
    tree.write("pod/t1/cgroup.freeze", "1\n");
    tree.write("pod/t1/cgroup.procs", "");
    auto d = driver(tree);
    util::Result<ExistingCgroup> e = d->inspect_existing();
    REQUIRE(e.ok());
    CHECK(e->frozen);
    CHECK(e->processes == 0);
  }
}

TEST_CASE("before create: processes already in the cgroup are a warning, counted below it too") {
  auto tree = FakeCgroupTree::v1();
  tree.mkdir("pids/pod/t1/sub");
  tree.write("pids/pod/t1/cgroup.procs", "10\n11\n");
  tree.write("pids/pod/t1/sub/cgroup.procs", "12\n");
  util::Result<std::vector<std::string>> warnings = check_before_create(*driver(tree), {});
  REQUIRE_MESSAGE(warnings.ok(), error_of(warnings));
  CHECK(*warnings == std::vector<std::string>{"container's cgroup is not empty: 3 process(es) found"});
}

TEST_CASE("before create: resources this cgroup version cannot take are invalid configuration") {
  spec::Resources unified;
  unified.unified["memory.min"] = "131072";
  auto v1 = FakeCgroupTree::v1(true);
  CHECK(error_of(check_before_create(*driver(v1), unified)) ==
        "config.json: /linux/resources/unified: invalid configuration: cannot use unified on cgroup v1");
  auto v2 = FakeCgroupTree::v2();
  CHECK(error_of(check_before_create(*driver(v2), unified)).empty());

  spec::Resources swap;
  swap.memory.emplace();
  swap.memory->swap = 1 << 20;  // a swap limit without a memory limit: v2 cannot express it
  CHECK(error_of(check_before_create(*driver(v2), swap))
            .starts_with("config.json: /linux/resources/memory/swap: invalid configuration: "));
  CHECK(check_for_version(swap, false).ok());
  swap.memory->swap = 0;  // unset
  CHECK(check_for_version(swap, true).ok());
}

TEST_CASE("exec --cgroup: runc's flag syntax") {
  CHECK(parse_sub_cgroups({})->empty());
  CHECK(*parse_sub_cgroups({"sub"}) == SubCgroups{{"", "sub"}});
  CHECK(*parse_sub_cgroups({"memory:submem", "cpu,cpuacct:subcpu"}) ==
        SubCgroups{{"memory", "submem"}, {"cpu", "subcpu"}, {"cpuacct", "subcpu"}});
  CHECK(*parse_sub_cgroups({"whaaat:/"}) == SubCgroups{{"whaaat", "/"}});
  CHECK(parse_sub_cgroups({"a:b:c"}).error().message == "invalid --cgroup argument: a:b:c");
  CHECK(parse_sub_cgroups({"sub", "memory:x"}).error().message.find("missing <controller>: prefix") !=
        std::string::npos);
}

TEST_CASE("exec --cgroup: sub-cgroup paths stay below the container's") {
  CHECK(*sub_cgroup_path("a/b", "x") == "a/b/x");
  CHECK(*sub_cgroup_path("a/b", "/x/y") == "a/b/x/y");
  CHECK(*sub_cgroup_path("a/b", "/") == "a/b");
  CHECK(*sub_cgroup_path("a/b", "x/../y") == "a/b/y");
  CHECK(*sub_cgroup_path("a/b", "../b/x") == "a/b/x");  // where it ends up counts, as in runc
  CHECK(sub_cgroup_path("a/b", "..").error().message == ".. is not a sub cgroup path");
  CHECK(sub_cgroup_path("a/b", "../c").error().message == "../c is not a sub cgroup path");
}

TEST_CASE("exec --cgroup on v1: per controller, every hierarchy, unknown and missing ones") {
  auto tree = FakeCgroupTree::v1(true);
  auto d = driver(tree);
  REQUIRE(d->create(100, nullptr).ok());
  tree.mkdir("memory/pod/t1/submem");
  tree.mkdir("cpu,cpuacct/pod/t1/subcpu");
  REQUIRE(d->add_process(7, {{"memory", "submem"}, {"cpuacct", "subcpu"}}).ok());
  CHECK(tree.last("memory/pod/t1/submem/cgroup.procs") == "7");
  CHECK(tree.last("cpu,cpuacct/pod/t1/subcpu/cgroup.procs") == "7");
  CHECK(tree.last("pids/pod/t1/cgroup.procs") == "7");     // not named: the container's own
  CHECK(tree.last("unified/pod/t1/cgroup.procs") == "7");  // hybrid's unified too

  util::Status unknown = d->add_process(8, {{"whaaat", "/"}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message.starts_with("unknown controller "));
  util::Status missing = d->add_process(9, {{"cpu", "nonexistent"}});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ENOENT);
  CHECK(missing.error().message == "adding pid 9 to cgroups: " + tree.root() +
                                       "/cpu,cpuacct/pod/t1/nonexistent/cgroup.procs: no such file or directory");
  util::Status up = d->add_process(10, {{"", ".."}});
  REQUIRE_FALSE(up.ok());
  CHECK(up.error().message == ".. is not a sub cgroup path");
  REQUIRE(d->add_process(11, {{"", "/"}}).ok());
  CHECK(tree.last("systemd/pod/t1/cgroup.procs") == "11");
}

TEST_CASE("exec --cgroup on v2: one path for the one hierarchy, no controllers") {
  auto tree = FakeCgroupTree::v2();
  auto d = driver(tree);
  REQUIRE(d->create(100, nullptr).ok());
  tree.mkdir("pod/t1/sub");
  REQUIRE(d->add_process(7, {{"", "sub"}}).ok());
  CHECK(tree.last("pod/t1/sub/cgroup.procs") == "7");
  CHECK(d->add_process(8, {{"memory", "sub"}}).error().message.starts_with("unknown controller "));
  CHECK(d->add_process(9, {{"", "nope"}}).error().code == ENOENT);
}
