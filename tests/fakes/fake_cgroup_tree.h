// A fake cgroup file system in a temp dir for the cgroupfs driver tests (no root needed):
// plain directories and files that look like /sys/fs/cgroup, plus a mountinfo file that
// says where the fake v1 hierarchies are "mounted". Drivers use it with
// CgroupfsOptions::fake = true (writes append "value\n", so tests see every write).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cgroups/cgroupfs.h"

namespace ocistart::testing {

class FakeCgroupTree {
 public:
  /// v1 hierarchies: "cpu,cpuacct" (co-mounted), cpuset, memory, devices, freezer, blkio,
  /// pids and name=systemd (at `systemd`); `hybrid` adds a cgroup2 at `unified`.
  /// `with_freezer` false leaves the freezer out (hybrid then freezes via unified).
  static FakeCgroupTree v1(bool hybrid = false, bool with_freezer = true) {
    FakeCgroupTree t;
    std::ostringstream mi;
    mi << "30 1 0:26 / " << t.root_ << " rw,nosuid shared:4 - tmpfs tmpfs rw,mode=755\n";
    int id = 31;
    auto mount = [&](const std::string& dir, const std::string& options) {
      t.mkdir(dir);
      t.write(dir + "/cgroup.procs", "");
      const int n = id++;
      mi << n << " 30 0:" << n << " / " << t.root_ << "/" << dir << " rw,nosuid,nodev,noexec,relatime shared:" << n
         << " - cgroup cgroup " << options << "\n";
    };
    mount("cpu,cpuacct", "rw,cpu,cpuacct");
    mount("cpuset", "rw,cpuset");
    t.write("cpuset/cpuset.cpus", "0-3\n");
    t.write("cpuset/cpuset.mems", "0\n");
    mount("memory", "rw,memory");
    mount("devices", "rw,devices");
    if (with_freezer)
      mount("freezer", "rw,freezer");
    mount("blkio", "rw,blkio");
    mount("pids", "rw,pids");
    mount("systemd", "rw,xattr,name=systemd");
    if (hybrid) {
      t.mkdir("unified");
      t.write("unified/cgroup.procs", "");
      mi << id++ << " 30 0:99 / " << t.root_ << "/unified rw,nosuid shared:99 - cgroup2 cgroup2 rw,nsdelegate\n";
    }
    // A cgroup mount elsewhere must be ignored.
    mi << id++ << " 1 0:98 / /elsewhere/memory rw - cgroup cgroup rw,memory\n";
    t.mountinfo_ = t.root_ + ".mountinfo";
    std::ofstream(t.mountinfo_) << mi.str();
    t.layout_ = hybrid ? Layout::hybrid : Layout::v1;
    return t;
  }

  /// A unified hierarchy whose root offers `controllers`.
  static FakeCgroupTree v2(const std::string& controllers = "cpuset cpu io memory hugetlb pids rdma misc") {
    FakeCgroupTree t;
    t.write("cgroup.controllers", controllers + "\n");
    t.write("cgroup.subtree_control", "");
    t.write("cgroup.procs", "");
    t.layout_ = Layout::v2;
    return t;
  }

  using Layout = cgroups::Layout;

  FakeCgroupTree(FakeCgroupTree&& o) noexcept
      : root_(std::move(o.root_)), mountinfo_(std::move(o.mountinfo_)), layout_(o.layout_) {
    o.root_.clear();
    o.mountinfo_.clear();
  }
  FakeCgroupTree(const FakeCgroupTree&) = delete;
  FakeCgroupTree& operator=(const FakeCgroupTree&) = delete;
  FakeCgroupTree& operator=(FakeCgroupTree&&) = delete;
  ~FakeCgroupTree() {
    std::error_code ec;
    if (!root_.empty())
      std::filesystem::remove_all(root_, ec);
    if (!mountinfo_.empty())
      std::filesystem::remove(mountinfo_, ec);
  }

  [[nodiscard]] const std::string& root() const { return root_; }

  /// Driver options for `cgroup_path` on this tree.
  [[nodiscard]] cgroups::CgroupfsOptions options(const std::string& cgroup_path) const {
    cgroups::CgroupfsOptions o;
    o.cgroup_path = cgroup_path;
    o.mount_root = root_;
    o.layout = layout_;
    o.mountinfo_path = mountinfo_;
    o.fake = true;
    o.freeze_timeout = std::chrono::milliseconds(200);
    o.rmdir_timeout = std::chrono::milliseconds(0);
    return o;
  }

  /// Contents of `rel` (relative to the root), or "<missing>".
  [[nodiscard]] std::string read(const std::string& rel) const {
    std::ifstream in(root_ + "/" + rel);
    if (!in)
      return "<missing>";
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  /// The last line written to `rel` ("" when missing or empty).
  [[nodiscard]] std::string last(const std::string& rel) const {
    std::string text = read(rel);
    if (text == "<missing>")
      return "";
    while (!text.empty() && text.back() == '\n')
      text.pop_back();
    size_t nl = text.rfind('\n');
    return nl == std::string::npos ? text : text.substr(nl + 1);
  }

  [[nodiscard]] bool exists(const std::string& rel) const { return std::filesystem::exists(root_ + "/" + rel); }

  void write(const std::string& rel, const std::string& content) const {
    std::ofstream out(root_ + "/" + rel, std::ios::trunc);
    out << content;
  }

  void mkdir(const std::string& rel) const { std::filesystem::create_directories(root_ + "/" + rel); }

 private:
  FakeCgroupTree() {
    char tmpl[] = "/tmp/ocistart-cgroup-test-XXXXXX";
    char* p = ::mkdtemp(tmpl);
    if (p == nullptr)
      throw std::runtime_error("mkdtemp");
    root_ = p;
  }

  std::string root_;
  std::string mountinfo_;
  Layout layout_ = Layout::v2;
};

}  // namespace ocistart::testing
