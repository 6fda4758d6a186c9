// prepare_rootfs / finalize_rootfs through RecordingSyscalls: the order of the calls, where
// they land, what is never done (chown through a bind), and that every failure surfaces
// with the object it concerns. No root needed: directories and links are created for real
// in a temp dir, mounts and device nodes are only recorded.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "tests/fakes/recording_syscalls.h"
#include "linux/rootfs.h"
#include "util/fs.h"

using namespace ocistart;
using testing::RecordingSyscalls;

namespace {

class TempRootfs {
 public:
  TempRootfs() {
    char tmpl[] = "/tmp/ocistart-rootfs-test.XXXXXX";
    char* dir = ::mkdtemp(tmpl);
    REQUIRE(dir != nullptr);
    base_ = dir;
    rootfs_ = base_ + "/rootfs";
    REQUIRE(::mkdir(rootfs_.c_str(), 0755) == 0);
  }
  ~TempRootfs() { (void)util::remove_tree(base_); }
  TempRootfs(const TempRootfs&) = delete;
  TempRootfs& operator=(const TempRootfs&) = delete;

  const std::string& base() const { return base_; }
  const std::string& rootfs() const { return rootfs_; }
  void mkdir(const std::string& rel) const { REQUIRE(::mkdir((rootfs_ + "/" + rel).c_str(), 0755) == 0); }
  void file(const std::string& path) const { std::ofstream(path) << "x"; }
  void symlink(const std::string& target, const std::string& rel) const {
    REQUIRE(::symlink(target.c_str(), (rootfs_ + "/" + rel).c_str()) == 0);
  }
  bool exists(const std::string& rel) const {
    struct stat st {};
    return ::lstat((rootfs_ + "/" + rel).c_str(), &st) == 0;
  }

 private:
  std::string base_, rootfs_;
};

spec::Mount mnt(std::string destination, std::string type, std::string source, std::vector<std::string> options) {
  spec::Mount m;
  m.destination = std::move(destination);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

// proc, /dev, /dev/pts, a read-only bind of a host file, masked and read-only paths.
spec::Config small_config(const std::string& host_file) {
  spec::Config config;
  config.root = spec::Root{"rootfs", true};
  config.mounts = {
      mnt("/proc", "proc", "proc", {}),
      mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mnt("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mnt("/etc/hostname", "bind", host_file, {"bind", "ro"}),
  };
  config.linux_.emplace();
  config.linux_->masked_paths = {"/proc/kcore", "/proc/acpi", "/proc/missing"};
  config.linux_->readonly_paths = {"/proc/sys", "/proc/missing-too"};
  return config;
}

// One call per line, so that a failed CHECK shows both sides readably.
std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& l : v)
    out += l + "\n";
  return out;
}

bool host_has_kcore() { return ::access("/proc/kcore", F_OK) == 0; }

}  // namespace

TEST_CASE("prepare_rootfs: propagation, self-bind, mounts, devices, links — in that order") {
  TempRootfs t;
  t.mkdir("proc");
  t.mkdir("etc");
  const std::string host_file = t.base() + "/hostname";
  t.file(host_file);
  spec::Config config = small_config(host_file);
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  RecordingSyscalls sys(t.rootfs());

  util::Status s = os::prepare_rootfs(config, options, sys);
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));

  std::vector<std::string> expected = {
      "mount none -> / flags=MS_REC|MS_SLAVE",
      "mount none -> $ROOT flags=MS_SLAVE",
      "mount $ROOT -> $ROOT flags=MS_BIND|MS_REC",
      "mount proc -> $ROOT/proc type=proc",
      "mkdir $ROOT/dev 0755",
      "mount tmpfs -> $ROOT/dev type=tmpfs flags=MS_NOSUID|MS_STRICTATIME data=mode=755,size=65536k",
      "mkdir $ROOT/dev/pts 0755",
      "mount devpts -> $ROOT/dev/pts type=devpts flags=MS_NOSUID|MS_NOEXEC "
      "data=newinstance,ptmxmode=0666,mode=0620,gid=5",
      "create $ROOT/etc/hostname 0644",
      "mount " + host_file + " -> $ROOT/etc/hostname flags=MS_BIND",
      "mount none -> $ROOT/etc/hostname flags=MS_RDONLY|MS_REMOUNT|MS_BIND",
  };
  for (const char* dev : {"null 1:3", "zero 1:5", "full 1:7", "random 1:8", "urandom 1:9", "tty 5:0"}) {
    std::string_view d(dev);
    std::string name(d.substr(0, d.find(' ')));
    expected.push_back("mknod $ROOT/dev/" + name + " c" + std::string(d.substr(d.find(' '))) + " 0666");
    expected.push_back("chmod $ROOT/dev/" + name + " 0666");
    expected.push_back("chown $ROOT/dev/" + name + " 0:0");
  }
  expected.insert(expected.end(), {
                                      "unlink $ROOT/dev/ptmx",
                                      "symlink $ROOT/dev/ptmx -> pts/ptmx",
                                      "symlink $ROOT/dev/fd -> /proc/self/fd",
                                      "symlink $ROOT/dev/stdin -> /proc/self/fd/0",
                                      "symlink $ROOT/dev/stdout -> /proc/self/fd/1",
                                      "symlink $ROOT/dev/stderr -> /proc/self/fd/2",
                                  });
  if (host_has_kcore())
    expected.push_back("symlink $ROOT/dev/core -> /proc/kcore");
  CHECK(lines(sys.calls) == lines(expected));
  // The links and mount points really exist in the temp rootfs.
  CHECK(t.exists("dev/pts"));
  CHECK(t.exists("dev/ptmx"));
  CHECK(t.exists("etc/hostname"));
}

TEST_CASE("finalize_rootfs: pivot, then read-only paths, masks, read-only root") {
  TempRootfs t;
  t.mkdir("proc");
  t.mkdir("proc/acpi");
  t.mkdir("proc/sys");
  t.file(t.rootfs() + "/proc/kcore");
  spec::Config config = small_config("/dev/null");
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  RecordingSyscalls sys(t.rootfs());
  bool called = false;
  options.after_pivot = [&] {
    called = true;
    sys.calls.push_back("<after_pivot>");
    return util::Status{};
  };

  util::Status s = os::finalize_rootfs(config, options, sys);
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  CHECK(called);
  REQUIRE(sys.calls.size() == 14);
  CHECK(sys.calls[0] == "fchdir $ROOT");
  CHECK(sys.calls[1] == "pivot_root . .");
  CHECK(sys.calls[2] == "fchdir /");
  CHECK(sys.calls[3] == "mount none -> . flags=MS_REC|MS_SLAVE");
  CHECK(sys.calls[4] == "umount . detach");
  CHECK(sys.calls[5] == "chdir /");
  // From here on mount(2) gets its targets through our fd directory of the host's /proc,
  // opened before the pivot, never through the container's /proc (CVE-2025-52881 class).
  const std::string own_fds = "fchdir /proc/" + std::to_string(::getpid()) + "/fd";
  CHECK(sys.calls[6] == own_fds);
  CHECK(sys.calls[7] == "<after_pivot>");
  CHECK(sys.calls[8] == "mount $ROOT/proc/sys -> $ROOT/proc/sys flags=MS_BIND|MS_REC");
  // Keeps nosuid/nodev/noexec of the mount it sits on, whatever the temp dir has.
  CHECK(sys.calls[9].starts_with("mount none -> $ROOT/proc/sys flags=MS_RDONLY|"));
  CHECK(sys.calls[9].ends_with("MS_REMOUNT|MS_BIND"));
  CHECK(sys.calls[10] == "mount /dev/null -> $ROOT/proc/kcore flags=MS_BIND");
  CHECK(sys.calls[11] == "mount tmpfs -> $ROOT/proc/acpi type=tmpfs flags=MS_RDONLY data=nr_blocks=1,nr_inodes=1");
  CHECK(sys.calls[12] == "mount none -> / flags=MS_RDONLY|MS_REMOUNT|MS_BIND");
  // ...and the process never stays there.
  CHECK(sys.calls[13] == "chdir /");
}

TEST_CASE("finalize_rootfs with no_pivot moves the root and chroots") {
  TempRootfs t;
  spec::Config config;
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  options.no_pivot = true;
  RecordingSyscalls sys(t.rootfs());
  REQUIRE(os::finalize_rootfs(config, options, sys).ok());
  std::vector<std::string> tail(sys.calls.end() - 6, sys.calls.end());
  const std::string own_fds = "fchdir /proc/" + std::to_string(::getpid()) + "/fd";
  CHECK(lines(tail) == lines(std::vector<std::string>{"fchdir $ROOT", "mount . -> / flags=MS_MOVE", "chroot .",
                                                      "chdir /", own_fds, "chdir /"}));
  CHECK(sys.only("pivot_root").empty());
  // The host's procfs and sysfs are detached first.
  for (const std::string& c : sys.only("umount"))
    CHECK(c.ends_with(" detach"));
}

TEST_CASE("rootfsPropagation shared is set on the new root after the pivot") {
  TempRootfs t;
  spec::Config config;
  config.linux_.emplace();
  config.linux_->rootfs_propagation = "shared";
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  RecordingSyscalls prepare_sys(t.rootfs());
  REQUIRE(os::prepare_rootfs(config, options, prepare_sys).ok());
  CHECK(prepare_sys.calls[0] == "mount none -> / flags=MS_SHARED");
  CHECK(prepare_sys.calls[1] == "mount none -> $ROOT flags=MS_PRIVATE");
  RecordingSyscalls sys(t.rootfs());
  REQUIRE(os::finalize_rootfs(config, options, sys).ok());
  CHECK(sys.calls[7] == "mount none -> / flags=MS_SHARED");
}

TEST_CASE("in a user namespace devices are bound from the host and never chowned or chmodded") {
  TempRootfs t;
  spec::Config config;
  config.mounts = {mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"})};
  config.linux_.emplace();
  spec::Device null;
  null.type = "c";
  null.path = "/dev/null";
  null.major = 1;
  null.minor = 3;
  null.file_mode = 0600;
  null.uid = 1234;
  null.gid = 1234;
  config.linux_->devices = {null};
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  options.user_namespace = true;
  RecordingSyscalls sys(t.rootfs());
  REQUIRE(os::prepare_rootfs(config, options, sys).ok());

  CHECK(sys.only("chown").empty());
  CHECK(sys.only("chmod").empty());
  CHECK(sys.only("mknod").empty());
  std::vector<std::string> creates = sys.only("create");
  REQUIRE(creates.size() == 6);
  CHECK(creates[0] == "create $ROOT/dev/zero 0000");
  CHECK(creates[5] == "create $ROOT/dev/null 0000");
  auto has = [&](const std::string& line) {
    return std::find(sys.calls.begin(), sys.calls.end(), line) != sys.calls.end();
  };
  CHECK(has("mount /dev/null -> $ROOT/dev/null flags=MS_BIND"));
  CHECK(has("mount /dev/tty -> $ROOT/dev/tty flags=MS_BIND"));
  // No devpts mount in this config: /dev/ptmx is left alone.
  CHECK(sys.only("unlink").empty());
}

TEST_CASE("without a user namespace config devices get their mode and owner") {
  TempRootfs t;
  spec::Config config;
  config.linux_.emplace();
  spec::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.file_mode = 0620;
  fuse.uid = 1000;
  fuse.gid = 5;
  spec::Device fifo;
  fifo.type = "p";
  fifo.path = "/dev/deep/fifo";
  config.linux_->devices = {fuse, fifo};
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  RecordingSyscalls sys(t.rootfs());
  REQUIRE(os::prepare_rootfs(config, options, sys).ok());
  std::vector<std::string> mknods = sys.only("mknod");
  REQUIRE(mknods.size() == 8);
  CHECK(mknods[6] == "mknod $ROOT/dev/fuse c 10:229 0620");
  CHECK(mknods[7] == "mknod $ROOT/dev/deep/fifo p 0:0 0666");
  std::vector<std::string> chowns = sys.only("chown");
  CHECK(chowns[6] == "chown $ROOT/dev/fuse 1000:5");
  CHECK(t.exists("dev/deep"));
}

TEST_CASE("a symlink in the rootfs cannot lead a mount out of it") {
  TempRootfs t;
  t.mkdir("etc");
  t.symlink("/etc", "escape");                    // absolute
  t.symlink("../../../../../../etc", "escape2");  // relative, climbing
  t.symlink("/etc/passwd", "to_passwd");
  spec::Config config;
  config.mounts = {
      mnt("/escape/sub", "tmpfs", "tmpfs", {}),
      mnt("/escape2/sub2", "tmpfs", "tmpfs", {}),
      mnt("/escape", "tmpfs", "tmpfs", {}),
  };
  config.linux_.emplace();
  config.linux_->masked_paths = {"/to_passwd"};
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  RecordingSyscalls sys(t.rootfs());
  REQUIRE(os::prepare_rootfs(config, options, sys).ok());
  std::vector<std::string> mounts = sys.only("mount");
  CHECK(mounts[3] == "mount tmpfs -> $ROOT/etc/sub type=tmpfs");
  CHECK(mounts[4] == "mount tmpfs -> $ROOT/etc/sub2 type=tmpfs");
  CHECK(mounts[5].starts_with("mount tmpfs -> $ROOT/etc type=tmpfs data=mode=0"));
  CHECK(t.exists("etc/sub"));
  CHECK(t.exists("etc/sub2"));
  struct stat st {};
  CHECK(::lstat("/etc/sub", &st) != 0);
  CHECK(::lstat("/etc/sub2", &st) != 0);

  // A masked path through a symlink stays inside too (and is skipped when missing there).
  RecordingSyscalls fin(t.rootfs());
  REQUIRE(os::finalize_rootfs(config, options, fin).ok());
  for (const std::string& c : fin.only("mount"))
    CHECK(c.find("/etc/passwd") == std::string::npos);
  t.file(t.rootfs() + "/etc/passwd");
  RecordingSyscalls again(t.rootfs());
  REQUIRE(os::finalize_rootfs(config, options, again).ok());
  CHECK(again.only("mount").back() == "mount /dev/null -> $ROOT/etc/passwd flags=MS_BIND");
}

TEST_CASE("proc must be mounted on a real directory, and nothing may cover /proc files") {
  // prepare_rootfs with just `m`, which must fail.
  auto refused = [](const TempRootfs& root, const spec::Mount& m) {
    spec::Config config;
    config.mounts = {m};
    os::RootfsOptions options;
    options.rootfs = root.rootfs();
    RecordingSyscalls sys(root.rootfs());
    util::Status s = os::prepare_rootfs(config, options, sys);
    REQUIRE_FALSE(s.ok());
    return std::move(s).error();
  };
  // runc's words, for a symlink and for a file (mask.bats matches them).
  TempRootfs t;
  t.symlink("/tmp", "proc");
  CHECK(refused(t, mnt("/proc", "proc", "proc", {})).message ==
        "mount `/proc`: filesystem `proc` must be mounted on ordinary directory");
  TempRootfs file_sys;
  file_sys.file(file_sys.rootfs() + "/sys");
  util::Error on_file = refused(file_sys, mnt("/sys", "sysfs", "sysfs", {}));
  CHECK(on_file.message == "mount `/sys`: filesystem `sysfs` must be mounted on ordinary directory");
  CHECK(on_file.code == ENOTDIR);

  os::RootfsOptions options;
  TempRootfs t2;
  t2.mkdir("proc");
  t2.mkdir("proc/sys");
  spec::Config cover;
  cover.mounts = {mnt("/proc/sys", "tmpfs", "tmpfs", {})};
  options.rootfs = t2.rootfs();
  RecordingSyscalls sys2(t2.rootfs());
  util::Status s2 = os::prepare_rootfs(cover, options, sys2);
  REQUIRE_FALSE(s2.ok());
  CHECK(s2.error().message == "mount `/proc/sys`: `/proc/sys` cannot be mounted because it is inside /proc");
  CHECK(sys2.only("mount").size() == 3);  // propagation and self-bind only
}

TEST_CASE("recursive attributes, propagation and idmapped binds reach the seam") {
  TempRootfs t;
  const std::string src = t.base() + "/data";
  REQUIRE(::mkdir(src.c_str(), 0755) == 0);
  spec::Config config;
  spec::Mount idmapped = mnt("/idmapped", "bind", src, {"rbind", "ridmap", "ro"});
  idmapped.uid_mappings = {{0, 100000, 65536}};
  idmapped.gid_mappings = {{0, 100000, 65536}};
  config.mounts = {mnt("/data", "bind", src, {"rbind", "rprivate", "rro", "rnoatime"}), idmapped};
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  RecordingSyscalls sys(t.rootfs());
  util::Status s = os::prepare_rootfs(config, options, sys);
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  std::vector<std::string> tail(sys.calls.begin() + 3, sys.calls.begin() + 14);
  CHECK(lines(tail) == lines(std::vector<std::string>{
                           "mkdir $ROOT/data 0755",
                           "mount " + src + " -> $ROOT/data flags=MS_BIND|MS_REC",
                           "mount none -> $ROOT/data flags=MS_REC|MS_PRIVATE",
                           "mount_setattr $ROOT/data recursive set=MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOATIME "
                           "clr=MOUNT_ATTR__ATIME",
                           "mkdir $ROOT/idmapped 0755",
                           "open_tree " + src + " recursive",
                           "userns uid=0:100000:65536 gid=0:100000:65536",
                           "mount_setattr " + src + " recursive set=MOUNT_ATTR_IDMAP",
                           "move_mount " + src + " -> $ROOT/idmapped",
                           "mount none -> $ROOT/idmapped flags=MS_RDONLY|MS_REMOUNT|MS_BIND",
                           "mkdir $ROOT/dev 0755",
                       }));
}

TEST_CASE("an idmap the kernel refuses says so") {
  TempRootfs t;
  spec::Config config;
  spec::Mount m = mnt("/idmapped", "bind", "/proc", {"rbind", "idmap"});
  m.uid_mappings = {{0, 1000, 1}};
  m.gid_mappings = {{0, 1000, 1}};
  config.mounts = {m};
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  RecordingSyscalls sys(t.rootfs());
  sys.fail_call(7, EINVAL);  // propagation x2, self-bind, mkdir, open_tree, userns, mount_setattr
  util::Status s = os::prepare_rootfs(config, options, sys);
  REQUIRE_FALSE(s.ok());
  CHECK(sys.calls.back().starts_with("mount_setattr"));
  CHECK(s.error().code == EINVAL);
  CHECK(s.error().message.starts_with(
      "mount `/idmapped`: idmapped mounts are not supported for the file system of `/proc`: "));
}

TEST_CASE("the Nth call failing is reported with the destination") {
  // Calls: 1-3 propagation and self-bind, 4 proc, 5 mkdir dev, 6 tmpfs, 7 mkdir dev/pts,
  // 8 devpts, 9 create etc/hostname, 10 bind, 11 remount, 12 mknod null, 13 chmod null.
  auto fail = [](size_t n, int err) {
    TempRootfs t;
    t.mkdir("proc");
    t.mkdir("etc");
    const std::string host_file = t.base() + "/hostname";
    t.file(host_file);
    os::RootfsOptions options;
    options.rootfs = t.rootfs();
    RecordingSyscalls sys(t.rootfs());
    sys.fail_call(n, err);
    util::Status s = os::prepare_rootfs(small_config(host_file), options, sys);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == err);
    return s.error().message;
  };
  CHECK(fail(4, EPERM) == "mount `/proc`: mount proc -> $ROOT/proc type=proc: operation not permitted");
  CHECK(fail(7, EACCES) == "mount `/dev/pts`: mkdir $ROOT/dev/pts 0755: permission denied");
  CHECK(fail(11, EROFS) ==
        "mount `/etc/hostname`: mount none -> $ROOT/etc/hostname flags=MS_RDONLY|MS_REMOUNT|MS_BIND: "
        "read-only file system");
  CHECK(fail(13, EIO) == "device `/dev/null`: chmod $ROOT/dev/null 0666: input/output error");
  CHECK(fail(2, EIO) == "set rootfs propagation: mount none -> $ROOT flags=MS_SLAVE: input/output error");
}

TEST_CASE("no failure of any call is swallowed") {
  // EIO is never an expected outcome (unlike EEXIST for mkdir or ENOENT for unlink): every
  // call that fails with it must fail the whole step.
  for (bool finalize : {false, true}) {
    TempRootfs t;
    t.mkdir("proc");
    t.mkdir("proc/acpi");
    t.mkdir("proc/sys");
    t.mkdir("etc");
    t.file(t.rootfs() + "/proc/kcore");
    const std::string host_file = t.base() + "/hostname";
    t.file(host_file);
    spec::Config config = small_config(host_file);
    os::RootfsOptions options;
    options.rootfs = t.rootfs();
    RecordingSyscalls count(t.rootfs());
    REQUIRE((finalize ? os::finalize_rootfs(config, options, count) : os::prepare_rootfs(config, options, count)).ok());
    for (size_t n = 1; n <= count.calls.size(); ++n) {
      CAPTURE(finalize);
      CAPTURE(n);
      CAPTURE(count.calls[n - 1]);
      // Each round starts from a fresh tree (the earlier rounds created dirs and links).
      TempRootfs fresh;
      fresh.mkdir("proc");
      fresh.mkdir("proc/acpi");
      fresh.mkdir("proc/sys");
      fresh.mkdir("etc");
      fresh.file(fresh.rootfs() + "/proc/kcore");
      options.rootfs = fresh.rootfs();
      RecordingSyscalls sys(fresh.rootfs());
      sys.fail_call(n, EIO);
      util::Status s = finalize ? os::finalize_rootfs(config, options, sys) : os::prepare_rootfs(config, options, sys);
      REQUIRE_FALSE(s.ok());
      CHECK(s.error().code == EIO);
      CHECK(sys.calls.size() == n);  // nothing after the failure
    }
  }
}

TEST_CASE("bad options fail before anything is mounted") {
  TempRootfs t;
  spec::Config config;
  config.mounts = {mnt("/proc", "proc", "proc", {}), mnt("/tmp", "tmpfs", "tmpfs", {"idmap"})};
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  RecordingSyscalls sys(t.rootfs());
  util::Status s = os::prepare_rootfs(config, options, sys);
  REQUIRE_FALSE(s.ok());
  CHECK(sys.calls.empty());
}

TEST_CASE("the console: a pty from the container's /dev/ptmx, never from something planted there") {
  TempRootfs t;
  spec::Config config;
  config.mounts = {mnt("/dev", "tmpfs", "tmpfs", {})};
  REQUIRE(::mkdir((t.rootfs() + "/dev").c_str(), 0755) == 0);
  os::Pty pty;
  os::RootfsOptions options;
  options.rootfs = t.rootfs();
  options.console = &pty;
  SUBCASE("a FIFO planted as /dev/ptmx is refused, never opened") {
    REQUIRE(::mkfifo((t.rootfs() + "/dev/ptmx").c_str(), 0666) == 0);
    RecordingSyscalls sys(t.rootfs());
    util::Status s = os::prepare_rootfs(config, options, sys);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "console: /dev/ptmx is not the ptmx device");
    CHECK_FALSE(pty.master.valid());
  }
  SUBCASE("no /dev/ptmx: the error names it") {
    RecordingSyscalls sys(t.rootfs());
    util::Status s = os::prepare_rootfs(config, options, sys);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message.starts_with("console: /dev/ptmx: "));
  }
  // The pty itself needs a devpts mount: tests/integration/rootfs_test.cc checks it.
}
