// Which cgroup layout the host has, and where the v1 controllers are mounted.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include <array>
#include <string_view>

#include "cgroups/cgroupfs.h"
#include "cgroups/fs_common.h"

namespace ocistart::cgroups {

namespace {

// mountinfo escapes ' ', '\t', '\n' and '\\' in paths as \ooo (octal).
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      auto octal = [](char c) { return c >= '0' && c <= '7'; };
      if (octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
        out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t i = 0;
  for (;;) {
    size_t j = s.find(sep, i);
    out.push_back(s.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos)
      return out;
    i = j + 1;
  }
}

// The v1 controllers the kernel knows; other super options (rw, xattr, release_agent=...,
// clone_children, noprefix, cpuset_v2_mode, favordynmods) are mount flags.
constexpr std::array<std::string_view, 15> kV1Controllers = {
    "cpu",     "cpuacct", "cpuset",  "memory", "devices", "freezer", "net_cls", "net_prio",
    "blkio",   "perf_event", "hugetlb", "pids", "rdma",   "misc",    "debug"};

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
  std::vector<CgroupMount> mounts;
  size_t line_no = 0;
  for (std::string_view line : split(mountinfo, '\n')) {
    ++line_no;
    if (line.empty())
      continue;
    // id parent maj:min root mount-point options [optional fields...] - type source super-options
    std::vector<std::string_view> fields;
    for (std::string_view f : split(line, ' '))
      if (!f.empty())
        fields.push_back(f);
    size_t dash = 6;
    while (dash < fields.size() && fields[dash] != "-")
      ++dash;
    if (dash + 2 >= fields.size()) {
      // Not a cgroup line we could read; only complain about cgroup ones.
      if (line.find(" - cgroup") != std::string_view::npos)
        return util::make_error("mountinfo line " + std::to_string(line_no) + " is malformed", EINVAL);
      continue;
    }
    std::string_view type = fields[dash + 1];
    if (type != "cgroup" && type != "cgroup2")
      continue;
    CgroupMount m;
    m.root = unescape(fields[3]);
    m.mount_point = unescape(fields[4]);
    m.v2 = type == "cgroup2";
    if (!m.v2 && dash + 3 < fields.size())
      for (std::string_view option : split(fields[dash + 3], ','))
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
