// The cgroup v1 mount's sources: host hierarchies (mountinfo) matched with our own cgroups
// (/proc/self/cgroup).
#include <doctest/doctest.h>

#include "linux/cgroup_hierarchies.h"

using namespace ocistart;

namespace {

// This host's layout: v1 controllers, name=systemd, an empty unified cgroup2.
constexpr std::string_view kMountinfo =
    "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,nosuid shared:7 - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "42 31 0:39 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
    "43 31 0:40 /nested /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n"
    "44 27 0:41 / /mnt/with\\040space rw - ext4 /dev/vdb rw\n";

constexpr std::string_view kProcSelfCgroup =
    "9:name=systemd:/system.slice/x.service\n"
    "8:pids:/\n"
    "7:blkio:/nested/ctr\n"
    "4:memory:/process_api/abc\n"
    "3:net_cls,net_prio:/\n"
    "1:cpu:/\n"
    "0::/\n";

}  // namespace

TEST_CASE("cgroup v1 hierarchies and our place in them") {
  std::vector<os::CgroupV1Hierarchy> h = os::cgroup_v1_hierarchies(kMountinfo, kProcSelfCgroup);
  REQUIRE(h.size() == 6);
  CHECK(h[0].name == "cpu");
  CHECK(h[0].source == "/sys/fs/cgroup/cpu");
  CHECK(h[1].name == "memory");
  CHECK(h[1].source == "/sys/fs/cgroup/memory/process_api/abc");
  CHECK(h[2].name == "pids");
  CHECK(h[3].name == "systemd");
  CHECK(h[3].controllers == "name=systemd");
  CHECK(h[3].source == "/sys/fs/cgroup/systemd/system.slice/x.service");
  CHECK(h[4].name == "net_cls,net_prio");
  CHECK(h[4].controllers == "net_cls,net_prio");
  CHECK(h[5].name == "blkio");
  CHECK(h[5].source == "/sys/fs/cgroup/blkio/ctr");
}

TEST_CASE("cgroup v1 hierarchies seen from inside a cgroup namespace") {
  // Host mounts of ancestors of the namespace's root show as "/.." and "/../..".
  const char* mountinfo =
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "35 31 0:32 /../.. /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "39 31 0:36 /.. /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n";
  std::vector<os::CgroupV1Hierarchy> h = os::cgroup_v1_hierarchies(mountinfo, "1:cpu:/\n4:memory:/\n8:pids:/\n0::/\n");
  REQUIRE(h.size() == 3);
  CHECK(h[1].name == "memory");
  CHECK(h[2].name == "pids");
}
