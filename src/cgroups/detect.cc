// Which cgroup layout the host has, and where the v1 controllers are mounted.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include <array>
#include <string_view>

#include "cgroups/cgroupfs.h"
#include "cgroups/fs_common.h"
#include "util/mountinfo.h"
#include "util/text.h"

namespace ocistart::cgroups {

namespace {

// The v1 controllers the kernel knows; other super options (rw, xattr, release_agent=...,
// clone_children, noprefix, cpuset_v2_mode, favordynmods) are mount flags.
constexpr std::array<std::string_view, 15> kV1Controllers = {"cpu",     "cpuacct", "cpuset",   "memory", "devices",
                                                             "freezer", "net_cls", "net_prio", "blkio",  "perf_event",
                                                             "hugetlb", "pids",    "rdma",     "misc",   "debug"};

bool is_controller(std::string_view option) {
  for (std::string_view c : kV1Controllers)
    if (option == c)
      return true;
  return option.starts_with("name=");
}

util::Result<int64_t> fs_type(const std::string& path) {
  struct statfs st;
  if (statfs(path.c_str(), &st) != 0)
    return util::errno_error("statfs `" + path + "`");
  return static_cast<int64_t>(st.f_type);
}

}  // namespace

util::Result<std::vector<CgroupMount>> parse_cgroup_mounts(std::string_view mountinfo) {
  util::Mountinfo parsed = util::parse_mountinfo(mountinfo);
  // Not a line we could read: only complain about cgroup ones.
  for (const util::MalformedMountinfoLine& bad : parsed.malformed)
    if (bad.text.find(" - cgroup") != std::string_view::npos)
      return util::make_error("mountinfo line " + std::to_string(bad.line_no) + " is malformed", EINVAL);
  std::vector<CgroupMount> mounts;
  for (util::MountInfo& mi : parsed.mounts) {
    if (mi.fs_type != "cgroup" && mi.fs_type != "cgroup2")
      continue;
    CgroupMount m;
    m.root = std::move(mi.root);
    m.mount_point = std::move(mi.mount_point);
    m.v2 = mi.fs_type == "cgroup2";
    if (!m.v2)
      for (std::string_view option : util::split(mi.super_options, ','))
        if (is_controller(option))
          m.controllers.emplace_back(option);
    mounts.push_back(std::move(m));
  }
  return mounts;
}

util::Result<std::vector<CgroupMount>> read_cgroup_mounts(const std::string& path) {
  auto text = fs::read_file(AT_FDCWD, path);
  if (!text)
    return std::move(text).error();
  return parse_cgroup_mounts(*text);
}

util::Result<Layout> detect_layout(const std::string& mount_root) {
  auto root = fs_type(mount_root);
  if (!root)
    return std::move(root).error();
  if (*root == CGROUP2_SUPER_MAGIC)
    return Layout::v2;
  // systemd's hybrid layout: v1 controllers plus an (often empty) cgroup2 at `unified`.
  auto unified = fs_type(mount_root + "/unified");
  if (unified && *unified == CGROUP2_SUPER_MAGIC)
    return Layout::hybrid;
  return Layout::v1;
}

}  // namespace ocistart::cgroups
