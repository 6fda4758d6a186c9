// cgroups: mountinfo parsing, path checks, and the cgroupfs v1/hybrid/v2 drivers against a
// fake tree (tests/fakes/fake_cgroup_tree.h).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cgroups/cgroupfs.h"
#include "cgroups/fs_common.h"
#include "tests/fakes/fake_cgroup_tree.h"

using namespace ocistart;
using namespace ocistart::cgroups;
using ocistart::testing::FakeCgroupTree;

namespace {

std::unique_ptr<Driver> driver(const FakeCgroupTree& tree, const std::string& path = "/ocistart/t1") {
  auto d = make_cgroupfs_driver(tree.options(path));
  REQUIRE_MESSAGE(d.ok(), (d.ok() ? "" : d.error().message));
  return std::move(*d);
}

void require_ok(const util::Status& st) { REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.error().message)); }

spec::Resources typical() {
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 64 * 1024 * 1024;
  r.pids.emplace();
  r.pids->limit = 32;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = "1";
  r.devices.push_back({false, "", std::nullopt, std::nullopt, "rwm"});
  r.devices.push_back({true, "c", 1, 3, "rwm"});
  return r;
}

constexpr const char* kHybridMountinfo =
    "24 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "31 24 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";

}  // namespace

TEST_CASE("cgroup mountinfo: hybrid host") {
  auto mounts = parse_cgroup_mounts(kHybridMountinfo);
  REQUIRE(mounts.ok());
  REQUIRE(mounts->size() == 4);
  CHECK((*mounts)[0] == CgroupMount{"/sys/fs/cgroup/cpu", "/", false, {"cpu"}});
  CHECK((*mounts)[1].controllers == std::vector<std::string>{"memory"});
  CHECK((*mounts)[2].controllers == std::vector<std::string>{"name=systemd"});
  CHECK((*mounts)[3] == CgroupMount{"/sys/fs/cgroup/unified", "/", true, {}});
}

TEST_CASE("cgroup mountinfo: pure v2, co-mounted v1 controllers, optional fields, escapes") {
  auto v2 = parse_cgroup_mounts(
      "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
      "rw,nsdelegate,memory_recursiveprot\n");
  REQUIRE(v2.ok());
  REQUIRE(v2->size() == 1);
  CHECK((*v2)[0].v2);
  CHECK((*v2)[0].mount_point == "/sys/fs/cgroup");

  auto co = parse_cgroup_mounts(
      "33 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 master:2 - cgroup cgroup "
      "rw,cpu,cpuacct\n"
      "34 25 0:30 /docker/abc /my\\040cgroups/net_cls,net_prio rw shared:10 - cgroup cgroup "
      "rw,net_cls,net_prio\n"
      "36 25 0:31 / /x rw - ext4 /dev/sda1 rw\n");
  REQUIRE(co.ok());
  REQUIRE(co->size() == 2);
  CHECK((*co)[0].controllers == std::vector<std::string>{"cpu", "cpuacct"});
  CHECK((*co)[1].mount_point == "/my cgroups/net_cls,net_prio");
  CHECK((*co)[1].root == "/docker/abc");
  CHECK((*co)[1].controllers == std::vector<std::string>{"net_cls", "net_prio"});

  CHECK_FALSE(parse_cgroup_mounts("1 2 3 4 - cgroup\n").ok());
  CHECK(parse_cgroup_mounts("").ok());
}

TEST_CASE("cgroup paths: normalization and defaults") {
  CHECK(*normalize_cgroup_path("/ocistart/abc") == "/ocistart/abc");
  CHECK(*normalize_cgroup_path("//a///b/") == "/a/b");
  CHECK_FALSE(normalize_cgroup_path("/a/../b").ok());
  CHECK_FALSE(normalize_cgroup_path("/a/./b").ok());
  CHECK_FALSE(normalize_cgroup_path("/").ok());
  CHECK_FALSE(normalize_cgroup_path("relative").ok());
  CHECK(default_cgroup_path("", "abc") == "/ocistart/abc");
  CHECK(default_cgroup_path("/machine/x", "abc") == "/machine/x");
  CHECK(default_cgroup_path("machine/x", "abc") == "/machine/x");
  auto tree = FakeCgroupTree::v1();
  CHECK_FALSE(make_cgroupfs_driver(tree.options("/x/../../etc")).ok());
}

TEST_CASE("cgroup layout detection") {
  auto tree = FakeCgroupTree::v2();
  auto layout = detect_layout(tree.root());  // a plain directory: no cgroup2 anywhere
  REQUIRE(layout.ok());
  CHECK(*layout == Layout::v1);
  auto missing = detect_layout(tree.root() + "/nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ENOENT);
}

TEST_CASE("cgroupfs v1: create applies the plan in every hierarchy and joins the pid") {
  auto tree = FakeCgroupTree::v1();
  auto d = driver(tree);
  CHECK(d->name() == "cgroupfs");
  CHECK(d->path() == "/ocistart/t1");
  spec::Resources r = typical();
  require_ok(d->create(4242, &r));

  CHECK(tree.read("memory/ocistart/t1/memory.limit_in_bytes") == "67108864\n");
  CHECK(tree.read("pids/ocistart/t1/pids.max") == "32\n");
  CHECK(tree.read("cpu,cpuacct/ocistart/t1/cpu.shares") == "512\n");
  CHECK(tree.read("cpu,cpuacct/ocistart/t1/cpu.cfs_period_us") == "100000\n");
  CHECK(tree.read("cpu,cpuacct/ocistart/t1/cpu.cfs_quota_us") == "50000\n");
  CHECK(tree.read("devices/ocistart/t1/devices.deny") == "a\na\n");
  CHECK(tree.read("devices/ocistart/t1/devices.allow") == "c 1:3 rwm\n");
  // cpuset: copied from the parent at each new level, then the container's own value.
  CHECK(tree.read("cpuset/ocistart/cpuset.cpus") == "0-3\n");
  CHECK(tree.read("cpuset/ocistart/cpuset.mems") == "0\n");
  CHECK(tree.read("cpuset/ocistart/t1/cpuset.cpus") == "0-3\n1\n");
  CHECK(tree.read("cpuset/ocistart/t1/cpuset.mems") == "0\n");
  for (const char* h : {"cpu,cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"}) {
    CAPTURE(h);
    CHECK(tree.read(std::string(h) + "/ocistart/t1/cgroup.procs") == "4242\n");
  }
  CHECK_FALSE(tree.exists("unified"));

  SUBCASE("update writes only what is given") {
    spec::Resources u;
    u.pids.emplace();
    u.pids->limit = -1;
    require_ok(d->update(u));
    CHECK(tree.read("pids/ocistart/t1/pids.max") == "32\nmax\n");
    CHECK(tree.read("memory/ocistart/t1/memory.limit_in_bytes") == "67108864\n");
  }
  SUBCASE("checkBeforeUpdate reads memory.usage_in_bytes") {
    tree.write("memory/ocistart/t1/memory.usage_in_bytes", "100000000\n");
    spec::Resources u;
    u.memory.emplace();
    u.memory->limit = 1024 * 1024;
    u.memory->check_before_update = true;
    auto st = d->update(u);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message == "memory limit `1048576` is not above the usage `100000000`");
    u.memory->check_before_update = false;
    require_ok(d->update(u));
    CHECK(tree.last("memory/ocistart/t1/memory.limit_in_bytes") == "1048576");
  }
  SUBCASE("add_process joins every hierarchy") {
    require_ok(d->add_process(77));
    CHECK(tree.read("systemd/ocistart/t1/cgroup.procs") == "4242\n77\n");
    CHECK(tree.read("cpuset/ocistart/t1/cgroup.procs") == "4242\n77\n");
  }
  SUBCASE("pids reads the pids hierarchy recursively") {
    tree.mkdir("pids/ocistart/t1/sub");
    tree.write("pids/ocistart/t1/sub/cgroup.procs", "7\n8\n");
    auto pids = d->pids();
    REQUIRE(pids.ok());
    std::vector<int> got = *pids;
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<int>{7, 8, 4242});
  }
  SUBCASE("freeze and thaw use freezer.state") {
    require_ok(d->freeze());
    CHECK(tree.last("freezer/ocistart/t1/freezer.state") == "FROZEN");
    require_ok(d->thaw());
    CHECK(tree.last("freezer/ocistart/t1/freezer.state") == "THAWED");
  }
  SUBCASE("destroy removes the container's cgroup everywhere, children first") {
    tree.mkdir("memory/ocistart/t1/sub/subsub");
    require_ok(d->destroy());
    for (const char* h : {"cpu,cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"}) {
      CAPTURE(h);
      CHECK_FALSE(tree.exists(std::string(h) + "/ocistart/t1"));
      CHECK(tree.exists(std::string(h) + "/ocistart"));  // shared parent stays
    }
    require_ok(d->destroy());  // missing is fine
  }
}

TEST_CASE("cgroupfs v1: an existing parent without cpus/mems gets them too (a pod cgroup)") {
  auto tree = FakeCgroupTree::v1();
  tree.mkdir("cpuset/pod");  // made by someone else, never given cpus or mems: ENOSPC on join
  tree.write("cpuset/pod/cpuset.cpus", "");
  tree.write("cpuset/pod/cpuset.mems", "\n");
  tree.mkdir("cpuset/pinned");
  tree.write("cpuset/pinned/cpuset.cpus", "2\n");
  tree.write("cpuset/pinned/cpuset.mems", "0\n");
  auto in_pod = cgroups::make_cgroupfs_driver(tree.options("/pod/t1"));
  REQUIRE(in_pod.ok());
  require_ok((*in_pod)->create(4242, nullptr));
  CHECK(tree.last("cpuset/pod/cpuset.cpus") == "0-3");
  CHECK(tree.last("cpuset/pod/cpuset.mems") == "0");
  CHECK(tree.last("cpuset/pod/t1/cpuset.cpus") == "0-3");
  auto pinned = cgroups::make_cgroupfs_driver(tree.options("/pinned/t2"));
  REQUIRE(pinned.ok());
  require_ok((*pinned)->create(4243, nullptr));
  CHECK(tree.read("cpuset/pinned/cpuset.cpus") == "2\n");  // has its own: untouched
  CHECK(tree.last("cpuset/pinned/t2/cpuset.cpus") == "2");
}

TEST_CASE("cgroupfs v1: failures leave nothing behind") {
  auto tree = FakeCgroupTree::v1();
  auto d = driver(tree);
  SUBCASE("unified resources are refused before anything is made") {
    spec::Resources r;
    r.unified["memory.high"] = "1";
    auto st = d->create(1, &r);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message == "unified resources need cgroup v2");
    CHECK_FALSE(tree.exists("memory/ocistart"));
  }
  SUBCASE("a controller that is not mounted") {
    spec::Resources r = typical();
    r.hugepage_limits.push_back({"2MB", 1 << 21});
    auto st = d->create(1, &r);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("cgroup controller `hugetlb` is not mounted under `") == 0);
    for (const char* h : {"cpu,cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"}) {
      CAPTURE(h);
      CHECK_FALSE(tree.exists(std::string(h) + "/ocistart"));
    }
  }
  SUBCASE("a failed join moves the pid out of what is removed") {
    // The systemd hierarchy already has the cgroup, with a cgroup.procs nobody can write.
    tree.mkdir("systemd/ocistart/t1/cgroup.procs");
    auto st = d->create(4242, nullptr);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("join cgroup in `name=systemd`: write `cgroup.procs` = `4242`: ") == 0);
    for (const char* h : {"cpu,cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"}) {
      CAPTURE(h);
      CHECK_FALSE(tree.exists(std::string(h) + "/ocistart"));
      CHECK(tree.read(std::string(h) + "/cgroup.procs") == "4242\n");  // back at the top
    }
    CHECK(tree.exists("systemd/ocistart/t1"));  // not ours
  }
  SUBCASE("an existing parent is not removed") {
    tree.mkdir("memory/ocistart");
    spec::Resources r;
    r.hugepage_limits.push_back({"2MB", 1 << 21});
    REQUIRE_FALSE(d->create(1, &r).ok());
    CHECK(tree.exists("memory/ocistart"));
    CHECK_FALSE(tree.exists("memory/ocistart/t1"));
    CHECK_FALSE(tree.exists("pids/ocistart"));
  }
}

TEST_CASE("cgroupfs: undoing a create keeps a level it made once another cgroup is in it") {
  // Two creates at once: both need "ocistart/", the first made it, the second put its own
  // cgroup there, then the first failed. Its undo must not take the second's along.
  auto tree = FakeCgroupTree::v1();
  tree.mkdir("pids/ocistart/t1");
  tree.mkdir("pids/ocistart/t2");
  util::UniqueFd root(::open((tree.root() + "/pids").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(root);
  fs::remove_made_path(root.get(), {"ocistart", "ocistart/t1"}, std::chrono::milliseconds(0), true);
  CHECK_FALSE(tree.exists("pids/ocistart/t1"));
  CHECK(tree.exists("pids/ocistart/t2"));
  // Alone, the level it made goes too.
  fs::remove_made_path(root.get(), {"ocistart", "ocistart/t2"}, std::chrono::milliseconds(0), true);
  CHECK_FALSE(tree.exists("pids/ocistart"));
}

TEST_CASE("cgroupfs: make_path reports exactly the levels it made, by one mkdir or level by level") {
  auto tree = FakeCgroupTree::v1();
  util::UniqueFd root(::open((tree.root() + "/pids").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(root);
  using Made = std::vector<std::string>;
  // Nothing there: every level, top-down.
  auto made = fs::make_path(root.get(), "/a/b/c", true);
  REQUIRE(made.ok());
  CHECK(*made == Made{"a", "a/b", "a/b/c"});
  // Only the last level missing (the usual case): that one only.
  made = fs::make_path(root.get(), "/a/b/d", true);
  REQUIRE(made.ok());
  CHECK(*made == Made{"a/b/d"});
  CHECK(tree.exists("pids/a/b/d"));
  // All there: nothing made, so an undo removes nothing of somebody else's.
  made = fs::make_path(root.get(), "/a/b/d", true);
  REQUIRE(made.ok());
  CHECK(made->empty());
  // Two levels missing below an existing one: both, and the undo takes both.
  made = fs::make_path(root.get(), "/a/x/y", true);
  REQUIRE(made.ok());
  CHECK(*made == Made{"a/x", "a/x/y"});
  fs::remove_made_path(root.get(), *made, std::chrono::milliseconds(0), true);
  CHECK_FALSE(tree.exists("pids/a/x"));
  CHECK(tree.exists("pids/a/b/d"));
  // A file where a level should be: the error names that level.
  tree.write("pids/f", "");
  made = fs::make_path(root.get(), "/f/g", true);
  REQUIRE_FALSE(made.ok());
  CHECK(made.error().message.find("`f`") != std::string::npos);
}

TEST_CASE("cgroupfs hybrid: the unified hierarchy is joined too") {
  auto tree = FakeCgroupTree::v1(/*hybrid=*/true);
  auto d = driver(tree);
  require_ok(d->create(99, nullptr));
  CHECK(tree.read("unified/ocistart/t1/cgroup.procs") == "99\n");
  CHECK(tree.read("memory/ocistart/t1/cgroup.procs") == "99\n");
  require_ok(d->freeze());  // the v1 freezer is there
  CHECK(tree.last("freezer/ocistart/t1/freezer.state") == "FROZEN");
  CHECK_FALSE(tree.exists("unified/ocistart/t1/cgroup.freeze"));
  require_ok(d->destroy());
  CHECK_FALSE(tree.exists("unified/ocistart/t1"));
  CHECK_FALSE(tree.exists("memory/ocistart/t1"));
}

TEST_CASE("cgroupfs hybrid without a v1 freezer freezes through unified") {
  auto tree = FakeCgroupTree::v1(/*hybrid=*/true, /*with_freezer=*/false);
  auto d = driver(tree);
  require_ok(d->create(99, nullptr));
  tree.write("unified/ocistart/t1/cgroup.events", "populated 1\nfrozen 1\n");
  require_ok(d->freeze());
  CHECK(tree.read("unified/ocistart/t1/cgroup.freeze") == "1\n");
  tree.write("unified/ocistart/t1/cgroup.events", "populated 1\nfrozen 0\n");
  require_ok(d->thaw());
  CHECK(tree.read("unified/ocistart/t1/cgroup.freeze") == "1\n0\n");
}

TEST_CASE("cgroupfs v2: create enables controllers top-down and applies the plan") {
  auto tree = FakeCgroupTree::v2();
  tree.mkdir("ocistart");
  tree.write("ocistart/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  tree.write("ocistart/cgroup.subtree_control", "memory\n");  // already on here
  auto d = driver(tree);
  spec::Resources r = typical();
  r.memory->swap = 128 * 1024 * 1024;
  require_ok(d->create(4242, &r));

  CHECK(tree.read("cgroup.subtree_control") == "+cpu\n+cpuset\n+memory\n+pids\n");
  CHECK(tree.read("ocistart/cgroup.subtree_control") == "memory\n+cpu\n+cpuset\n+pids\n");
  CHECK_FALSE(tree.exists("ocistart/t1/cgroup.subtree_control"));
  CHECK(tree.read("ocistart/t1/memory.max") == "67108864\n");
  CHECK(tree.read("ocistart/t1/memory.swap.max") == "67108864\n");
  CHECK(tree.read("ocistart/t1/pids.max") == "32\n");
  CHECK(tree.read("ocistart/t1/cpu.weight") == "59\n");
  CHECK(tree.read("ocistart/t1/cpu.max") == "50000 100000\n");
  CHECK(tree.read("ocistart/t1/cpuset.cpus") == "1\n");
  CHECK(tree.read("ocistart/t1/cgroup.procs") == "4242\n");
  CHECK_FALSE(tree.exists("ocistart/t1/devices.allow"));  // v2 devices are eBPF
  CHECK(d->warnings().empty());

  SUBCASE("update, with warnings") {
    spec::Resources u;
    u.memory.emplace();
    u.memory->kernel = 1;
    u.unified["memory.high"] = "1000000";
    require_ok(d->update(u));
    CHECK(tree.read("ocistart/t1/memory.high") == "1000000\n");
    REQUIRE(d->warnings().size() == 1);
  }
  SUBCASE("checkBeforeUpdate reads memory.current") {
    tree.write("ocistart/t1/memory.current", "5000000\n");
    spec::Resources u;
    u.memory.emplace();
    u.memory->limit = 4000000;
    u.memory->check_before_update = true;
    CHECK_FALSE(d->update(u).ok());
    u.memory->limit = 6000000;
    require_ok(d->update(u));
  }
  SUBCASE("freeze waits for cgroup.events") {
    tree.write("ocistart/t1/cgroup.events", "populated 1\nfrozen 0\n");
    auto st = d->freeze();  // never becomes frozen: times out and thaws back
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ETIMEDOUT);
    CHECK(tree.read("ocistart/t1/cgroup.freeze") == "1\n0\n");
    tree.write("ocistart/t1/cgroup.events", "populated 1\nfrozen 1\n");
    require_ok(d->freeze());
  }
  SUBCASE("pids and destroy") {
    auto pids = d->pids();
    REQUIRE(pids.ok());
    CHECK(*pids == std::vector<int>{4242});
    require_ok(d->destroy());
    CHECK_FALSE(tree.exists("ocistart/t1"));
    CHECK(tree.exists("ocistart"));
  }
}

TEST_CASE("cgroupfs v2: a controller the parent lacks fails and rolls back") {
  auto tree = FakeCgroupTree::v2("cpu memory pids");
  auto d = driver(tree, "/a/b/c");
  spec::Resources r;
  r.hugepage_limits.push_back({"2MB", 1 << 21});
  auto st = d->create(1, &r);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "cgroup controller `hugetlb` is not available in `/`");
  CHECK_FALSE(tree.exists("a"));
}

TEST_CASE("cgroupfs apply_writes: fallbacks, optional knobs, errors name the file") {
  auto tree = FakeCgroupTree::v2();
  auto dir = fs::open_dir(AT_FDCWD, tree.root());
  REQUIRE(dir.ok());
  tree.write("blkio.bfq.weight", "");
  tree.write("memory.limit_in_bytes", "");
  auto to_dir = [&](const std::string&) -> util::Result<int> { return dir->get(); };

  Write weight;
  weight.file = "blkio.weight";
  weight.value = "500";
  weight.fallback_file = "blkio.bfq.weight";
  weight.fallback_value = "500";
  Write kmem;
  kmem.file = "memory.kmem.limit_in_bytes";
  kmem.value = "1";
  kmem.optional = true;
  Write limit;
  limit.file = "memory.limit_in_bytes";
  limit.value = "1048576";
  require_ok(fs::apply_writes({weight, kmem, limit}, to_dir, /*fake=*/false));
  CHECK(tree.read("blkio.bfq.weight") == "500");
  CHECK_FALSE(tree.exists("blkio.weight"));
  CHECK_FALSE(tree.exists("memory.kmem.limit_in_bytes"));
  CHECK(tree.read("memory.limit_in_bytes") == "1048576");

  Write missing;
  missing.file = "memory.memsw.limit_in_bytes";
  missing.value = "2097152";
  auto st = fs::apply_writes({missing}, to_dir, false);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ENOENT);
  CHECK(st.error().message == "write `memory.memsw.limit_in_bytes` = `2097152`: no such file or directory");
}

TEST_CASE("cgroupfs hybrid: create(0) moves nobody; open_entry gives what the init enters by itself") {
  auto tree = FakeCgroupTree::v1(/*hybrid=*/true);
  auto d = driver(tree);
  CHECK(d->creates_before_clone());
  require_ok(d->create(0, nullptr));
  CHECK(tree.exists("memory/ocistart/t1"));
  CHECK_FALSE(tree.exists("memory/ocistart/t1/cgroup.procs"));
  CHECK_FALSE(tree.exists("unified/ocistart/t1/cgroup.procs"));

  util::Result<os::CgroupEntry> entry = d->open_entry({});
  REQUIRE_MESSAGE(entry.ok(), (entry.ok() ? "" : entry.error().message));
  CHECK(entry->v2_dir.valid());
  CHECK(entry->v2_path == tree.root() + "/unified/ocistart/t1");
  std::vector<std::string> paths;
  for (const os::CgroupEntryFile& f : entry->files) {
    CHECK(f.fd.valid());
    paths.push_back(f.path.substr(tree.root().size() + 1));
  }
  // v1 `tasks` in mount order, the freezer's last (a frozen cgroup stops the writer), then
  // the unified cgroup.procs, written only when clone3 could not place the process.
  CHECK(paths == std::vector<std::string>{
                     "cpu,cpuacct/ocistart/t1/tasks", "cpuset/ocistart/t1/tasks", "memory/ocistart/t1/tasks",
                     "devices/ocistart/t1/tasks", "blkio/ocistart/t1/tasks", "pids/ocistart/t1/tasks",
                     "systemd/ocistart/t1/tasks", "freezer/ocistart/t1/tasks", "unified/ocistart/t1/cgroup.procs"});
  CHECK(entry->files.back().v2_fallback);

  SUBCASE("born in the v2 cgroup: \"0\" to every v1 tasks only, then every fd is closed") {
    require_ok(os::enter_cgroup(*entry, /*born_in=*/true));
    CHECK(tree.read("memory/ocistart/t1/tasks") == "0");
    CHECK(tree.read("freezer/ocistart/t1/tasks") == "0");
    CHECK(tree.read("unified/ocistart/t1/cgroup.procs").empty());
    CHECK_FALSE(entry->v2_dir.valid());
    for (const os::CgroupEntryFile& f : entry->files)
      CHECK_FALSE(f.fd.valid());
  }
  SUBCASE("not born in it (a kernel before 5.7): the v2 cgroup.procs too") {
    require_ok(os::enter_cgroup(*entry, /*born_in=*/false));
    CHECK(tree.read("unified/ocistart/t1/cgroup.procs") == "0");
  }
}

TEST_CASE("cgroupfs hybrid: open_entry for exec --cgroup follows add_process's rules") {
  auto tree = FakeCgroupTree::v1(/*hybrid=*/true);
  auto d = driver(tree);
  require_ok(d->create(0, nullptr));
  tree.mkdir("memory/ocistart/t1/sub");
  util::Result<os::CgroupEntry> entry = d->open_entry({{"memory", "sub"}});
  REQUIRE_MESSAGE(entry.ok(), (entry.ok() ? "" : entry.error().message));
  std::vector<std::string> paths;
  for (const os::CgroupEntryFile& f : entry->files)
    paths.push_back(f.path.substr(tree.root().size() + 1));
  CHECK(std::count(paths.begin(), paths.end(), "memory/ocistart/t1/sub/tasks") == 1);
  CHECK(std::count(paths.begin(), paths.end(), "pids/ocistart/t1/tasks") == 1);

  util::Result<os::CgroupEntry> missing = d->open_entry({{"pids", "nope"}});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ENOENT);
  CHECK(missing.error().message == "adding pid " + std::to_string(::getpid()) + " to cgroups: " + tree.root() +
                                       "/pids/ocistart/t1/nope/cgroup.procs: no such file or directory");
  util::Result<os::CgroupEntry> unknown = d->open_entry({{"rdma", "x"}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message == "unknown controller `rdma` in --cgroup");
}

TEST_CASE("cgroupfs v2: create(0) moves nobody; open_entry is the directory, with the fallback") {
  auto tree = FakeCgroupTree::v2();
  auto d = driver(tree);
  CHECK(d->creates_before_clone());
  require_ok(d->create(0, nullptr));
  CHECK_FALSE(tree.exists("ocistart/t1/cgroup.procs"));
  util::Result<os::CgroupEntry> entry = d->open_entry({});
  REQUIRE_MESSAGE(entry.ok(), (entry.ok() ? "" : entry.error().message));
  CHECK(entry->v2_dir.valid());
  REQUIRE(entry->files.size() == 1);
  CHECK(entry->files[0].v2_fallback);
  CHECK(entry->files[0].path == tree.root() + "/ocistart/t1/cgroup.procs");
}
