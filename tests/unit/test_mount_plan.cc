#include <doctest/doctest.h>

#include <sys/mount.h>

#include "linux/mount_plan.h"
#include "spec/default_spec.h"

using namespace ocistart;
using os::IdmapMode;
using os::MountStep;

namespace {

spec::Mount mnt(std::string destination, std::string type, std::string source, std::vector<std::string> options) {
  spec::Mount m;
  m.destination = std::move(destination);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

MountStep plan(const spec::Mount& m) {
  util::Result<MountStep> step = os::plan_mount(m);
  REQUIRE_MESSAGE(step.ok(), (step.ok() ? "" : step.error().message));
  return *step;
}

// The mounts of `runc spec`, which ocistart's default spec has too (test_default_spec.cc
// checks them one by one).
std::vector<spec::Mount> runc_default_mounts() { return spec::default_config().mounts; }

}  // namespace

TEST_CASE("the mount plan of runc's default mounts") {
  spec::Config config;
  config.mounts = runc_default_mounts();
  util::Result<std::vector<MountStep>> steps = os::plan_mounts(config);
  REQUIRE(steps.ok());
  REQUIRE(steps->size() == 7);
  const std::vector<MountStep>& s = *steps;

  CHECK(s[0].destination == "proc");
  CHECK(s[0].type == "proc");
  CHECK(s[0].source == "proc");
  CHECK(s[0].flags == 0);
  CHECK(s[0].data.empty());
  CHECK_FALSE(s[0].bind);

  CHECK(s[1].destination == "dev");
  CHECK(s[1].type == "tmpfs");
  CHECK(s[1].flags == (MS_NOSUID | MS_STRICTATIME));
  CHECK(s[1].data == "mode=755,size=65536k");
  CHECK(s[1].remount_flags == 0);
  CHECK(s[1].readonly_later_flags == 0);

  CHECK(s[2].destination == "dev/pts");
  CHECK(s[2].flags == (MS_NOSUID | MS_NOEXEC));
  CHECK(s[2].data == "newinstance,ptmxmode=0666,mode=0620,gid=5");

  CHECK(s[3].destination == "dev/shm");
  CHECK(s[3].source == "shm");
  CHECK(s[3].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV));
  CHECK(s[3].data == "mode=1777,size=65536k");

  CHECK(s[4].type == "mqueue");
  CHECK(s[4].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV));
  CHECK(s[4].data.empty());

  CHECK(s[5].destination == "sys");
  CHECK(s[5].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
  CHECK(s[5].readonly_later_flags == 0);  // sysfs is mounted read-only right away

  CHECK(s[6].destination == "sys/fs/cgroup");
  CHECK(s[6].type == "cgroup");
  CHECK(s[6].requested_flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY));

  for (const MountStep& step : s) {
    CHECK(step.propagation.empty());
    CHECK(step.attr_set == 0);
    CHECK(step.attr_clr == 0);
    CHECK(step.idmap == IdmapMode::none);
  }
}

TEST_CASE("a read-only bind is a bind plus a remount") {
  MountStep s = plan(mnt("/etc/resolv.conf", "none", "/run/resolv.conf", {"bind", "ro", "nosuid"}));
  CHECK(s.bind);
  CHECK_FALSE(s.recursive);
  CHECK(s.type == "bind");
  CHECK(s.flags == MS_BIND);
  CHECK(s.remount_flags == (MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID));
  CHECK(s.destination == "etc/resolv.conf");
}

TEST_CASE("a bind without flag options keeps the source's flags") {
  MountStep plain = plan(mnt("/data", "bind", "/srv/data", {"rbind"}));
  CHECK(plain.flags == (MS_BIND | MS_REC));
  CHECK(plain.remount_flags == 0);
  // "rw" asks for something (clearing MS_RDONLY), so it remounts.
  MountStep rw = plan(mnt("/data", "bind", "/srv/data", {"rbind", "rw"}));
  CHECK(rw.remount_flags == (MS_BIND | MS_REMOUNT));
  CHECK(rw.cleared_flags == MS_RDONLY);
}

TEST_CASE("type bind without a bind option is still a bind") {
  MountStep s = plan(mnt("/data", "bind", "/srv/data", {"ro"}));
  CHECK(s.bind);
  CHECK(s.flags == MS_BIND);
  CHECK(s.remount_flags == (MS_BIND | MS_REMOUNT | MS_RDONLY));
}

TEST_CASE("rbind with rprivate gives a separate propagation step") {
  MountStep s = plan(mnt("/mnt", "none", "/mnt", {"rbind", "rprivate"}));
  CHECK(s.flags == (MS_BIND | MS_REC));
  REQUIRE(s.propagation.size() == 1);
  CHECK(s.propagation[0] == (MS_PRIVATE | MS_REC));

  MountStep two = plan(mnt("/mnt", "none", "/mnt", {"rbind", "shared", "runbindable"}));
  REQUIRE(two.propagation.size() == 2);
  CHECK(two.propagation[0] == MS_SHARED);
  CHECK(two.propagation[1] == (MS_UNBINDABLE | MS_REC));
}

TEST_CASE("recursive attributes go to mount_setattr") {
  MountStep s = plan(mnt("/mnt", "none", "/mnt", {"rbind", "rro", "rnosuid", "rnodev", "rnoexec"}));
  CHECK(s.attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
  CHECK(s.attr_clr == 0);
  CHECK(s.remount_flags == 0);  // nothing for the non-recursive remount

  MountStep atime = plan(mnt("/mnt", "none", "/mnt", {"rbind", "rnoatime"}));
  CHECK(atime.attr_set == MOUNT_ATTR_NOATIME);
  CHECK(atime.attr_clr == MOUNT_ATTR__ATIME);  // atime values need the whole field cleared

  MountStep relatime = plan(mnt("/mnt", "none", "/mnt", {"rbind", "rrelatime", "rnosymfollow"}));
  CHECK(relatime.attr_set == MOUNT_ATTR_NOSYMFOLLOW);
  CHECK(relatime.attr_clr == MOUNT_ATTR__ATIME);

  MountStep undo = plan(mnt("/mnt", "none", "/mnt", {"rbind", "rro", "rrw"}));
  CHECK(undo.attr_set == 0);
  CHECK(undo.attr_clr == MOUNT_ATTR_RDONLY);
}

TEST_CASE("options ocistart does not know end up in data, in order") {
  MountStep s = plan(mnt("/x", "tmpfs", "tmpfs", {"size=1m", "nosuid", "uid=1000", "x-custom", "defaults"}));
  CHECK(s.data == "size=1m,uid=1000,x-custom");
  CHECK(s.flags == MS_NOSUID);
}

TEST_CASE("later flag words override earlier ones") {
  MountStep s = plan(mnt("/x", "tmpfs", "tmpfs", {"ro", "rw", "nosuid", "suid", "noexec"}));
  CHECK(s.flags == MS_NOEXEC);
  CHECK(s.cleared_flags == (MS_RDONLY | MS_NOSUID));
}

TEST_CASE("a read-only tmpfs is mounted rw and remounted read-only later") {
  MountStep s = plan(mnt("/run", "tmpfs", "tmpfs", {"ro", "nosuid", "nodev"}));
  CHECK(s.flags == (MS_NOSUID | MS_NODEV));
  CHECK(s.readonly_later_flags == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_REMOUNT | MS_BIND));
  MountStep dev = plan(mnt("/dev", "devtmpfs", "devtmpfs", {"ro"}));
  CHECK(dev.flags == 0);
  CHECK(dev.readonly_later_flags == (MS_RDONLY | MS_REMOUNT | MS_BIND));
}

TEST_CASE("devpts gets its own instance and a usable ptmx") {
  MountStep s = plan(mnt("/dev/pts", "devpts", "devpts", {"nosuid", "mode=0620"}));
  CHECK(s.data == "mode=0620,newinstance,ptmxmode=0666");
  MountStep kept = plan(mnt("/dev/pts", "devpts", "devpts", {"ptmxmode=0600", "newinstance"}));
  CHECK(kept.data == "ptmxmode=0600,newinstance");
}

TEST_CASE("idmapped mounts") {
  spec::Mount m = mnt("/data", "none", "/srv/data", {"rbind", "ridmap"});
  m.uid_mappings = {{0, 100000, 65536}};
  m.gid_mappings = {{0, 200000, 65536}};
  MountStep s = plan(m);
  CHECK(s.idmap == IdmapMode::ridmap);
  CHECK(s.uid_mappings == m.uid_mappings);
  CHECK(s.gid_mappings == m.gid_mappings);
  CHECK(s.data.empty());  // idmap never reaches mount(2)

  // Mappings alone imply a (non-recursive) idmap.
  spec::Mount implied = mnt("/data", "none", "/srv/data", {"bind"});
  implied.uid_mappings = {{0, 1000, 1}};
  implied.gid_mappings = {{0, 1000, 1}};
  CHECK(plan(implied).idmap == IdmapMode::idmap);

  // "idmap" without mappings takes the container's, when it has a user namespace.
  spec::Config config;
  config.mounts = {mnt("/data", "none", "/srv/data", {"bind", "idmap"})};
  config.linux_.emplace();
  config.linux_->uid_mappings = {{0, 5000, 10}};
  config.linux_->gid_mappings = {{0, 6000, 10}};
  CHECK_FALSE(os::plan_mounts(config).ok());
  config.linux_->namespaces.push_back({spec::NamespaceType::user, ""});
  util::Result<std::vector<MountStep>> steps = os::plan_mounts(config);
  REQUIRE(steps.ok());
  CHECK((*steps)[0].uid_mappings == config.linux_->uid_mappings);
  CHECK((*steps)[0].gid_mappings == config.linux_->gid_mappings);
}

TEST_CASE("idmap errors name the destination") {
  util::Result<MountStep> none = os::plan_mount(mnt("/data", "none", "/srv", {"bind", "idmap"}));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == EINVAL);
  CHECK(none.error().message.find("`/data`") != std::string::npos);

  spec::Mount tmpfs = mnt("/t", "tmpfs", "tmpfs", {"idmap"});
  tmpfs.uid_mappings = {{0, 1, 1}};
  tmpfs.gid_mappings = {{0, 1, 1}};
  util::Result<MountStep> not_bind = os::plan_mount(tmpfs);
  REQUIRE_FALSE(not_bind.ok());
  CHECK(not_bind.error().message == "mount `/t`: idmapped mounts are supported for bind mounts only");

  spec::Mount half = mnt("/h", "bind", "/srv", {"bind"});
  half.uid_mappings = {{0, 1, 1}};
  CHECK_FALSE(os::plan_mount(half).ok());
}

TEST_CASE("tmpcopyup marks a tmpfs for copy-up and is ignored elsewhere, as runc does") {
  // podman --read-only and --tmpfs send it: ["rw","rprivate","nosuid","nodev","tmpcopyup"].
  MountStep tmp = plan(mnt("/tmp", "tmpfs", "tmpfs", {"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"}));
  CHECK(tmp.tmpcopyup);
  CHECK(tmp.data.empty());
  CHECK(tmp.flags == (MS_NOSUID | MS_NODEV));
  MountStep bound = plan(mnt("/b", "bind", "/srv", {"rbind", "tmpcopyup"}));
  CHECK_FALSE(bound.tmpcopyup);
  CHECK(bound.data.empty());
}

TEST_CASE("destinations are cleaned and may not be the root") {
  CHECK(plan(mnt("/a/../b//c/.", "tmpfs", "tmpfs", {})).destination == "b/c");
  CHECK(plan(mnt("/../../etc", "tmpfs", "tmpfs", {})).destination == "etc");
  CHECK(plan(mnt("relative/dir", "tmpfs", "tmpfs", {})).destination == "relative/dir");
  CHECK_FALSE(os::plan_mount(mnt("/", "tmpfs", "tmpfs", {})).ok());
  CHECK_FALSE(os::plan_mount(mnt("/x/..", "tmpfs", "tmpfs", {})).ok());
  CHECK(os::clean_relative_path("/") == "");
  CHECK(os::clean_relative_path("/dev/../proc//") == "proc");
}

TEST_CASE("root propagation follows runc") {
  spec::Config config;
  util::Result<os::RootPropagation> def = os::plan_root_propagation(config);
  REQUIRE(def.ok());
  CHECK(def->root_flags == (MS_SLAVE | MS_REC));
  CHECK(def->parent_flags == MS_SLAVE);  // the rootfs stays a slave of the host's mount
  CHECK(def->after_pivot_flags == 0);

  config.linux_.emplace();
  config.linux_->rootfs_propagation = "shared";
  util::Result<os::RootPropagation> shared = os::plan_root_propagation(config);
  REQUIRE(shared.ok());
  CHECK(shared->root_flags == MS_SHARED);
  CHECK(shared->parent_flags == MS_PRIVATE);
  CHECK(shared->after_pivot_flags == MS_SHARED);

  config.linux_->rootfs_propagation = "slave";
  CHECK(os::plan_root_propagation(config)->parent_flags == MS_SLAVE);
  CHECK(os::plan_root_propagation(config)->after_pivot_flags == 0);

  config.linux_->rootfs_propagation = "rprivate";
  CHECK(os::plan_root_propagation(config)->root_flags == (MS_PRIVATE | MS_REC));
  CHECK(os::plan_root_propagation(config)->parent_flags == MS_PRIVATE);

  config.linux_->rootfs_propagation = "sideways";
  util::Result<os::RootPropagation> bad = os::plan_root_propagation(config);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "unknown rootfsPropagation `sideways`");
}

TEST_CASE("default devices, config devices override them, ptmx is a link") {
  spec::Config config;
  std::vector<os::DeviceNode> plain = os::plan_devices(config);
  REQUIRE(plain.size() == 6);
  CHECK(plain[0].path == "dev/null");
  CHECK(plain[0].major == 1);
  CHECK(plain[0].minor == 3);
  CHECK(plain[0].mode == 0666);
  CHECK(plain[5].path == "dev/tty");
  CHECK(plain[5].major == 5);

  config.linux_.emplace();
  spec::Device null;
  null.type = "c";
  null.path = "/dev/null";
  null.major = 1;
  null.minor = 3;
  null.file_mode = 0600;
  null.uid = 1000;
  spec::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  spec::Device ptmx;
  ptmx.type = "c";
  ptmx.path = "/dev/ptmx";
  ptmx.major = 5;
  ptmx.minor = 2;
  config.linux_->devices = {null, fuse, ptmx};
  std::vector<os::DeviceNode> d = os::plan_devices(config);
  REQUIRE(d.size() == 7);
  CHECK(d[0].path == "dev/zero");
  CHECK(d[5].path == "dev/null");
  CHECK(d[5].mode == 0600);
  CHECK(d[5].uid == 1000);
  CHECK(d[6].path == "dev/fuse");
  CHECK(d[6].mode == 0666);
}

TEST_CASE("a bind mount of /dev means no device setup") {
  CHECK(os::needs_dev_setup({plan(mnt("/dev", "tmpfs", "tmpfs", {}))}));
  CHECK_FALSE(os::needs_dev_setup({plan(mnt("/dev", "bind", "/dev", {"rbind"}))}));
}

TEST_CASE("mounts inside /proc are limited to what lxcfs emulates") {
  MountStep bind = plan(mnt("/x", "bind", "/src", {"bind"}));
  MountStep proc = plan(mnt("/proc", "proc", "proc", {}));
  MountStep tmpfs = plan(mnt("/x", "tmpfs", "tmpfs", {}));
  CHECK(os::check_proc_destination("/etc/hosts", bind, false).ok());
  CHECK(os::check_proc_destination("/proc", proc, false).ok());
  CHECK(os::check_proc_destination("/proc", bind, true).ok());
  CHECK_FALSE(os::check_proc_destination("/proc", bind, false).ok());
  CHECK_FALSE(os::check_proc_destination("/proc", tmpfs, false).ok());
  CHECK(os::check_proc_destination("/proc/meminfo", bind, false).ok());
  CHECK(os::check_proc_destination("/proc/sys/kernel/ns_last_pid", bind, false).ok());
  util::Status inside = os::check_proc_destination("/proc/sys/kernel/core_pattern", bind, false);
  REQUIRE_FALSE(inside.ok());
  CHECK(inside.error().message == "`/proc/sys/kernel/core_pattern` cannot be mounted because it is inside /proc");
  CHECK(os::check_proc_destination("/procfoo", tmpfs, false).ok());
}

TEST_CASE("flag names for messages and tests") {
  CHECK(os::mount_flags_to_string(0) == "0");
  CHECK(os::mount_flags_to_string(MS_BIND | MS_REC) == "MS_BIND|MS_REC");
  CHECK(os::mount_flags_to_string(MS_RDONLY | MS_REMOUNT | MS_BIND) == "MS_RDONLY|MS_REMOUNT|MS_BIND");
  CHECK(os::mount_flags_to_string(1UL << 31) == "0x80000000");
  CHECK(os::mount_attr_to_string(MOUNT_ATTR_IDMAP) == "MOUNT_ATTR_IDMAP");
  CHECK(os::mount_attr_to_string(MOUNT_ATTR_NOATIME) == "MOUNT_ATTR_NOATIME");
  CHECK(os::mount_attr_to_string(MOUNT_ATTR__ATIME | MOUNT_ATTR_RDONLY) == "MOUNT_ATTR_RDONLY|MOUNT_ATTR__ATIME");
}
