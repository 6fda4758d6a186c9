// util/mountinfo.h: the one /proc/PID/mountinfo parser.
#include <doctest/doctest.h>

#include "util/mountinfo.h"

using namespace ocistart::util;

namespace {

constexpr std::string_view kTable =
    "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,nosuid shared:7 master:2 - cgroup cgroup rw,memory\n"
    "43 31 0:40 /nested /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n"
    "44 27 0:41 /a\\134b /mnt/with\\040space\\011tab rw - ext4 /dev/my\\040disk rw\n";

}  // namespace

TEST_CASE("mountinfo: fields, optional fields, file order") {
  Mountinfo table = parse_mountinfo(kTable);
  CHECK(table.malformed.empty());
  REQUIRE(table.mounts.size() == 4);
  const MountInfo& proc = table.mounts[0];
  CHECK(proc.id == 22);
  CHECK(proc.parent == 27);
  CHECK(proc.root == "/");
  CHECK(proc.mount_point == "/proc");
  CHECK(proc.options == "rw,relatime");
  CHECK(proc.optional.empty());
  CHECK(proc.fs_type == "proc");
  CHECK(proc.source == "proc");
  CHECK(proc.super_options == "rw");
  CHECK(table.mounts[1].optional == "shared:7 master:2");
  CHECK(table.mounts[1].options == "rw,nosuid");
  CHECK(table.mounts[1].super_options == "rw,memory");
  CHECK(table.mounts[2].root == "/nested");
}

TEST_CASE("mountinfo: octal escapes in root, mount point and source") {
  Mountinfo table = parse_mountinfo(kTable);
  REQUIRE(table.mounts.size() == 4);
  const MountInfo& m = table.mounts[3];
  CHECK(m.root == "/a\\b");
  CHECK(m.mount_point == "/mnt/with space\ttab");
  CHECK(m.source == "/dev/my disk");
  CHECK(unescape_mountinfo("a\\012b") == "a\nb");
  // Not an escape: kept as written.
  CHECK(unescape_mountinfo("a\\9b") == "a\\9b");
  CHECK(unescape_mountinfo("end\\04") == "end\\04");
  CHECK(unescape_mountinfo("") == "");
}

TEST_CASE("mountinfo: malformed lines are reported with their numbers, the rest parsed") {
  Mountinfo table = parse_mountinfo(
      "garbage\n\n1 2 3\n"
      "22 27 0:21 / /proc rw - proc proc rw\n"
      "1 2 3 4 - cgroup\n"
      "5 6 0:1 / /x rw shared:1 proc proc rw\n"
      "7 8 0:1 / /y rw - tmpfs tmpfs\n");
  REQUIRE(table.mounts.size() == 1);
  CHECK(table.mounts[0].mount_point == "/proc");
  REQUIRE(table.malformed.size() == 5);
  CHECK(table.malformed[0].line_no == 1);
  CHECK(table.malformed[0].text == "garbage");
  CHECK(table.malformed[1].line_no == 3);
  CHECK(table.malformed[2].line_no == 5);  // the separator before the six fixed fields
  CHECK(table.malformed[3].line_no == 6);  // no separator
  CHECK(table.malformed[4].line_no == 7);  // no super options
  CHECK(parse_mountinfo("").mounts.empty());
  CHECK(parse_mountinfo("").malformed.empty());
}
