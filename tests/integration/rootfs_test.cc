// Root-only: prepare_rootfs + finalize_rootfs for real on a busybox rootfs, in a child with
// its own mount and pid namespaces. The container side reports what it sees through a pipe
// (one "ok: ..." or "FAIL: ... -- ..." line per check); the test side then checks that the
// host's mount table, /etc and /dev/null are untouched. Exits 77 (SKIP) when not root or
// without /bin/busybox.
#include <fcntl.h>
#include <pty.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "linux/mount_plan.h"
#include "linux/rootfs.h"
#include "linux/syscalls.h"
#include "spec/default_spec.h"
#include "util/fs.h"
#include "util/mountinfo.h"
#include "util/proc_cgroup.h"

using namespace ocistart;

namespace {

int failures = 0;
int report_fd = STDOUT_FILENO;  // in the container: the pipe to the test side

void check(bool ok, const std::string& what, const std::string& detail = "") {
  std::fflush(stdout);  // keep our printf lines and these writes in order
  std::string line = ok ? "ok: " + what + "\n" : "FAIL: " + what + " -- " + detail + "\n";
  (void)!::write(report_fd, line.data(), line.size());
  if (!ok)
    ++failures;
}

std::string slurp(const std::string& path) {
  util::Result<std::string> r = util::read_file(path);
  return r ? *r : std::string("<") + (r.error().message) + ">";
}

bool write_file(const std::string& path, const std::string& text, mode_t mode = 0644) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// errno of opening `path` for writing, creating it if needed (0 when it worked).
int try_create(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno;
  ::close(fd);
  return 0;
}

spec::Mount mnt(std::string destination, std::string type, std::string source, std::vector<std::string> options) {
  spec::Mount m;
  m.destination = std::move(destination);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

// The mounts of `runc spec`, which ocistart's default spec has too (test_default_spec.cc
// checks them one by one).
std::vector<spec::Mount> runc_default_mounts() { return spec::default_config().mounts; }

struct Fixture {
  std::string base, rootfs, host_file, idmap_dir, shm_dir;
};

bool build_rootfs(Fixture& f) {
  char tmpl[] = "/tmp/ocistart-rootfs-it.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr)
    return false;
  f.base = tmpl;
  f.rootfs = f.base + "/rootfs";
  for (const char* d : {"", "/bin", "/proc", "/sys", "/dev", "/tmp", "/etc", "/etc/masked-dir", "/etc/ro-dir"})
    if (::mkdir((f.rootfs + d).c_str(), 0755) < 0)
      return false;
  util::Result<std::string> busybox = util::read_file("/bin/busybox");
  if (!busybox || !write_file(f.rootfs + "/bin/busybox", *busybox, 0755))
    return false;
  for (const char* applet : {"sh", "ls", "cat", "mount"})
    if (::symlink("busybox", (f.rootfs + "/bin/" + applet).c_str()) < 0)
      return false;
  if (::symlink("/etc", (f.rootfs + "/escape").c_str()) < 0)
    return false;
  f.host_file = f.base + "/host-file";
  f.idmap_dir = f.base + "/idmap-ext4";
  bool ok = write_file(f.host_file, "hello") && write_file(f.rootfs + "/etc/masked-file", "secret") &&
            write_file(f.rootfs + "/etc/masked-dir/inside", "secret") && ::mkdir(f.idmap_dir.c_str(), 0755) == 0 &&
            write_file(f.idmap_dir + "/owned-by-0", "x");
  char shm[] = "/dev/shm/ocistart-idmap.XXXXXX";
  if (::mkdtemp(shm) == nullptr)
    return false;
  f.shm_dir = shm;
  return ok && write_file(f.shm_dir + "/owned-by-0", "x");
}

// Puts the calling process into a new user namespace mapping uids 0-65535 to themselves
// and only gid 0 (so that devpts' gid=5 is unmapped): a helper process writes the maps.
bool enter_user_namespace() {
  int go[2];
  if (::pipe2(go, O_CLOEXEC) < 0)
    return false;
  pid_t parent = ::getpid();
  pid_t helper = ::fork();
  if (helper == 0) {
    char c;
    if (::read(go[0], &c, 1) != 1)
      ::_exit(1);
    std::string dir = "/proc/" + std::to_string(parent);
    bool ok = write_file(dir + "/uid_map", "0 0 65536\n") && write_file(dir + "/gid_map", "0 0 1\n");
    ::_exit(ok ? 0 : 1);
  }
  bool ok = ::unshare(CLONE_NEWUSER) == 0;
  (void)!::write(go[1], "x", 1);
  int st = 0;
  ::waitpid(helper, &st, 0);
  ::close(go[0]);
  ::close(go[1]);
  return ok && WIFEXITED(st) && WEXITSTATUS(st) == 0 && ::setresgid(0, 0, 0) == 0 && ::setresuid(0, 0, 0) == 0;
}

// Forks a child in new mount + pid namespaces (made private first, so nothing leaks to the
// host), and with `userns` a user and an ipc namespace too; `body` runs as pid 1 of the new
// pid namespace with report_fd set. Returns the report lines; `exit_status` gets the wait
// status.
std::string run_in_namespaces(const std::function<void()>& body, int* exit_status, bool userns = false) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0)
    return "FAIL: pipe\n";
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    report_fd = p[1];
    if (userns && (!enter_user_namespace() || ::unshare(CLONE_NEWIPC) < 0)) {
      check(false, "enter a user namespace", std::strerror(errno));
      ::_exit(1);
    }
    if (::unshare(CLONE_NEWNS | CLONE_NEWPID) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) {
      check(false, "unshare", std::strerror(errno));
      ::_exit(1);
    }
    pid_t inner = ::fork();
    if (inner == 0) {
      failures = 0;  // count this scenario's failures only
      body();
      ::_exit(failures == 0 ? 0 : 1);
    }
    int st = 0;
    while (::waitpid(inner, &st, 0) < 0 && errno == EINTR) {}
    ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
  }
  ::close(p[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      out.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  while (::waitpid(pid, exit_status, 0) < 0 && errno == EINTR) {}
  return out;
}

const util::MountInfo* find_mount(const std::vector<util::MountInfo>& table, const std::string& point) {
  const util::MountInfo* found = nullptr;
  for (const util::MountInfo& m : table)
    if (m.mount_point == point)
      found = &m;  // the last one is the top of the stack
  return found;
}

bool has_option(const std::string& options, const std::string& word) {
  return ("," + options + ",").find("," + word + ",") != std::string::npos;
}

void check_mount(const std::vector<util::MountInfo>& table, const std::string& point, const std::string& type,
                 const std::vector<std::string>& options) {
  const util::MountInfo* m = find_mount(table, point);
  if (m == nullptr) {
    check(false, "mount " + point, "not in /proc/self/mountinfo");
    return;
  }
  std::string missing;
  for (const std::string& o : options)
    if (!has_option(m->options, o) && !has_option(m->super_options, o))
      missing += " " + o;
  check((type.empty() || m->fs_type == type) && missing.empty(), "mount " + point + " " + type,
        "type " + m->fs_type + " options " + m->options + " super " + m->super_options + " missing" + missing);
}

// Scenario A: runc's default mounts, a read-only bind of a host file, a tmpfs through the
// escape symlink, masked and read-only paths, a config device, the console, pivot_root, a
// read-only root.
void scenario_pivot(const Fixture& f) {
  spec::Config config;
  config.root = spec::Root{f.rootfs, true};
  config.mounts = runc_default_mounts();
  config.mounts.push_back(mnt("/etc/hostname", "bind", f.host_file, {"bind", "ro"}));
  config.mounts.push_back(mnt("/escape/sub", "tmpfs", "tmpfs", {"size=1m"}));
  config.linux_.emplace();
  config.linux_->masked_paths = {"/etc/masked-file", "/etc/masked-dir", "/proc/kcore", "/does/not/exist"};
  config.linux_->readonly_paths = {"/etc/ro-dir", "/proc/sys"};
  spec::Device mynull;
  mynull.type = "c";
  mynull.path = "/dev/mynull";
  mynull.major = 1;
  mynull.minor = 3;
  mynull.file_mode = 0600;
  mynull.uid = 1234;
  mynull.gid = 1234;
  config.linux_->devices = {mynull};

  os::Pty pty;
  os::RootfsOptions options;
  options.rootfs = f.rootfs;
  options.console = &pty;
  bool after_pivot = false;
  options.after_pivot = [&] {
    after_pivot = ::access("/bin/busybox", X_OK) == 0;
    return util::Status{};
  };
  os::RealSyscalls sys;
  util::Status prepared = os::prepare_rootfs(config, options, sys);
  check(prepared.ok(), "prepare_rootfs", prepared.ok() ? "" : prepared.error().message);
  if (!prepared)
    return;
  util::Status finalized = os::finalize_rootfs(config, options, sys);
  check(finalized.ok(), "finalize_rootfs", finalized.ok() ? "" : finalized.error().message);
  if (!finalized)
    return;
  check(after_pivot, "after_pivot runs inside the new root");

  std::vector<util::MountInfo> table = util::parse_mountinfo(slurp("/proc/self/mountinfo")).mounts;
  check_mount(table, "/", "", {"ro"});
  check_mount(table, "/proc", "proc", {});
  check_mount(table, "/dev", "tmpfs", {"nosuid", "mode=755"});
  check_mount(table, "/dev/pts", "devpts", {"nosuid", "noexec", "ptmxmode=666", "gid=5"});
  check_mount(table, "/dev/shm", "tmpfs", {"nosuid", "nodev", "noexec"});
  check_mount(table, "/dev/mqueue", "mqueue", {"nosuid", "nodev", "noexec"});
  check_mount(table, "/sys", "sysfs", {"ro", "nosuid", "nodev", "noexec"});
  check_mount(table, "/dev/console", "devpts", {});
  // The console pty is one of the container's own devpts: its slave is /dev/pts/N there.
  check(pty.master.valid() && pty.slave.valid(), "prepare_rootfs opened the console pty");
  if (pty.slave.valid()) {
    char link[64] = {};
    std::string self = "/proc/self/fd/" + std::to_string(pty.slave.get());
    ssize_t n = ::readlink(self.c_str(), link, sizeof link - 1);
    check(n > 0 && std::string(link) == pty.slave_path && pty.slave_path.starts_with("/dev/pts/"),
          "the console's slave is the container's " + pty.slave_path, link);
  }
  check_mount(table, "/etc/hostname", "", {"ro"});
  check(slurp("/etc/hostname") == "hello", "the read-only bind shows the host file");
  check(try_create("/etc/hostname") == EROFS, "the read-only bind is read-only");

  // cgroup v1 on this host: a read-only tmpfs with our own cgroup of each hierarchy.
  struct stat cg {};
  if (::stat("/sys/fs/cgroup/memory", &cg) == 0) {
    check_mount(table, "/sys/fs/cgroup", "tmpfs", {"ro", "nosuid", "nodev", "noexec"});
    check_mount(table, "/sys/fs/cgroup/memory", "cgroup", {"ro", "memory"});
    std::string own;
    for (const util::ProcCgroupEntry& entry : util::parse_proc_cgroup(slurp("/proc/self/cgroup")))
      if (entry.controllers == "memory")
        own = entry.path;
    const util::MountInfo* memory = find_mount(table, "/sys/fs/cgroup/memory");
    check(memory != nullptr && memory->root == own, "the memory hierarchy shows our own cgroup",
          "root " + (memory ? memory->root : "?") + " own " + own);
  }

  struct stat st {};
  check(::stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3), "/dev/null is char 1:3");
  check(::stat("/dev/mynull", &st) == 0 && S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600 && st.st_uid == 1234 &&
            st.st_gid == 1234,
        "a config device gets its mode and owner");
  char link[64] = {};
  check(::readlink("/dev/ptmx", link, sizeof(link) - 1) > 0 && std::string(link) == "pts/ptmx",
        "/dev/ptmx -> pts/ptmx");
  check(::stat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode), "/dev/ptmx leads to the devpts ptmx");
  check(::stat("/dev/fd/0", &st) == 0 || errno == EBADF, "/dev/fd works");

  check(slurp("/etc/masked-file").empty(), "a masked file reads empty");
  check(::access("/etc/masked-dir/inside", F_OK) != 0, "a masked directory is empty");
  check(try_create("/etc/masked-dir/new") == EROFS, "a masked directory is read-only");
  check(try_create("/etc/ro-dir/new") == EROFS, "a read-only path is read-only");
  check_mount(table, "/etc/ro-dir", "", {"ro"});
  check(try_create("/proc/sys/kernel/hostname") == EROFS, "/proc/sys is read-only");
  check_mount(table, "/proc/sys", "proc", {"ro"});
  check(try_create("/newfile") == EROFS, "the root is read-only");
  check(try_create("/dev/newfile") == 0, "/dev stays writable");

  check_mount(table, "/etc/sub", "tmpfs", {});
  check(find_mount(table, "/escape/sub") == nullptr, "the escape symlink was resolved inside the rootfs");
  check(::getpid() == 1, "pid 1 in the new pid namespace");

  // The rootfs really is busybox's: run it.
  pid_t child = ::fork();
  if (child == 0) {
    char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>("ls /bin >/dev/null"), nullptr};
    ::execv("/bin/sh", argv);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "busybox sh runs in the container");
}

// Scenario B: --no-pivot, devices bound from the host as in a user namespace, including a
// config device that asks for another owner of /dev/null (must not reach the host's node).
void scenario_no_pivot_userns_devices(const Fixture& f) {
  spec::Config config;
  config.root = spec::Root{f.rootfs, false};
  config.mounts = {runc_default_mounts()[0], runc_default_mounts()[1], runc_default_mounts()[2]};
  config.linux_.emplace();
  spec::Device null;
  null.type = "c";
  null.path = "/dev/null";
  null.major = 1;
  null.minor = 3;
  null.file_mode = 0600;
  null.uid = 4321;
  null.gid = 4321;
  config.linux_->devices = {null};
  os::RootfsOptions options;
  options.rootfs = f.rootfs;
  options.no_pivot = true;
  options.user_namespace = true;
  os::RealSyscalls sys;
  util::Status prepared = os::prepare_rootfs(config, options, sys);
  check(prepared.ok(), "prepare_rootfs (no pivot, bound devices)", prepared.ok() ? "" : prepared.error().message);
  if (!prepared)
    return;
  util::Status finalized = os::finalize_rootfs(config, options, sys);
  check(finalized.ok(), "finalize_rootfs (no pivot)", finalized.ok() ? "" : finalized.error().message);
  if (!finalized)
    return;
  std::vector<util::MountInfo> table = util::parse_mountinfo(slurp("/proc/self/mountinfo")).mounts;
  check(find_mount(table, "/dev/null") != nullptr, "/dev/null is a bind mount of the host's");
  struct stat st {};
  check(::stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) && st.st_uid == 0 &&
            (st.st_mode & 0777) == 0666,
        "the bound /dev/null keeps the host's owner and mode");
  check(::access("/bin/busybox", X_OK) == 0 && try_create("/tmp/rw") == 0, "chrooted into a writable rootfs");
}

// Scenario D: in a real user namespace without its own network namespace: sysfs falls
// back to a bind of the host's, mknod to binds, devpts drops the unmapped gid=5, and the
// read-only remounts cope with locked flags.
void scenario_user_namespace(const Fixture& f) {
  spec::Config config;
  config.root = spec::Root{f.rootfs, true};
  config.mounts = runc_default_mounts();
  config.mounts.push_back(mnt("/etc/hostname", "bind", f.host_file, {"bind", "ro", "nosuid"}));
  config.linux_.emplace();
  config.linux_->namespaces = {{spec::NamespaceType::user, ""},
                               {spec::NamespaceType::mount, ""},
                               {spec::NamespaceType::pid, ""},
                               {spec::NamespaceType::ipc, ""}};
  config.linux_->masked_paths = {"/etc/masked-file", "/etc/masked-dir"};
  config.linux_->readonly_paths = {"/etc/ro-dir", "/proc/sys"};
  os::RootfsOptions options;
  options.rootfs = f.rootfs;
  options.user_namespace = true;
  os::RealSyscalls sys;
  util::Status prepared = os::prepare_rootfs(config, options, sys);
  check(prepared.ok(), "prepare_rootfs in a user namespace", prepared.ok() ? "" : prepared.error().message);
  if (!prepared)
    return;
  util::Status finalized = os::finalize_rootfs(config, options, sys);
  check(finalized.ok(), "finalize_rootfs in a user namespace", finalized.ok() ? "" : finalized.error().message);
  if (!finalized)
    return;
  std::vector<util::MountInfo> table = util::parse_mountinfo(slurp("/proc/self/mountinfo")).mounts;
  check_mount(table, "/sys", "sysfs", {"ro", "nosuid", "nodev", "noexec"});
  check_mount(table, "/dev/pts", "devpts", {"nosuid", "noexec", "ptmxmode=666"});
  check_mount(table, "/dev/null", "", {});
  check_mount(table, "/etc/hostname", "", {"ro", "nosuid"});
  check(try_create("/newfile") == EROFS, "the root is read-only");
  check(try_create("/etc/ro-dir/x") == EROFS, "a read-only path is read-only");
  check(slurp("/etc/masked-file").empty(), "a masked file reads empty");
  struct stat st {};
  check(::stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
        "/dev/null is the host's null device");
  check(::stat("/sys/fs/cgroup/memory", &st) == 0, "the cgroup hierarchies are there");
  check(slurp("/proc/self/uid_map").find("4294967295") == std::string::npos, "really in a user namespace");
  const util::MountInfo* pts = find_mount(table, "/dev/pts");
  check(pts != nullptr && !has_option(pts->super_options, "gid=5"), "devpts without the unmapped gid=5",
        pts ? pts->super_options : "");
}

// Scenario C: an idmapped bind of a directory on `fs`; reports whether the kernel refused.
void scenario_idmap(const std::string& source, const std::string& fs, const Fixture& f) {
  spec::Config config;
  spec::Mount m = mnt("/idmapped", "bind", source, {"bind", "idmap"});
  m.uid_mappings = {{0, 1000, 1}};
  m.gid_mappings = {{0, 2000, 1}};
  config.mounts = {m};
  os::RootfsOptions options;
  options.rootfs = f.rootfs;
  os::RealSyscalls sys;
  util::Status s = os::prepare_rootfs(config, options, sys);
  if (!s) {
    bool refused = s.error().message.find("idmapped mounts are not supported") != std::string::npos;
    check(refused, "idmapped bind on " + fs + " is either done or refused clearly", s.error().message);
    std::string line = "note: kernel refused an idmapped mount on " + fs + ": " + s.error().message + "\n";
    (void)!::write(report_fd, line.data(), line.size());
    return;
  }
  struct stat st {};
  check(::stat((f.rootfs + "/idmapped/owned-by-0").c_str(), &st) == 0 && st.st_uid == 1000 && st.st_gid == 2000,
        "idmapped bind on " + fs + " shows uid 0 as 1000 and gid 0 as 2000",
        "uid " + std::to_string(st.st_uid) + " gid " + std::to_string(st.st_gid));
  struct stat host {};
  if (fs != "proc")
    check(::stat((source + "/owned-by-0").c_str(), &host) == 0 && host.st_uid == 0, "the source keeps uid 0");
}

}  // namespace

int main() {
  if (::geteuid() != 0) {
    std::printf("SKIP: not root\n");
    return 77;
  }
  if (::access("/bin/busybox", X_OK) != 0) {
    std::printf("SKIP: no /bin/busybox (apt-get install busybox-static)\n");
    return 77;
  }
  Fixture f;
  const std::string mountinfo_before = slurp("/proc/self/mountinfo");
  struct stat null_before {};
  ::stat("/dev/null", &null_before);
  if (!build_rootfs(f)) {
    std::printf("FAIL: build the rootfs in %s: %s\n", f.base.c_str(), std::strerror(errno));
    (void)util::remove_tree(f.base);
    return 1;
  }

  struct Run {
    const char* name;
    std::function<void()> body;
    bool userns = false;
  };
  const Run runs[] = {
      {"pivot_root, runc's default mounts", [&] { scenario_pivot(f); }},
      {"no pivot, devices bound from the host", [&] { scenario_no_pivot_userns_devices(f); }},
      {"user namespace", [&] { scenario_user_namespace(f); }, true},
      {"idmapped bind on ext4", [&] { scenario_idmap(f.idmap_dir, "ext4 (/tmp)", f); }},
      {"idmapped bind on tmpfs", [&] { scenario_idmap(f.shm_dir, "tmpfs (/dev/shm)", f); }},
      {"idmapped bind on proc", [&] { scenario_idmap("/proc/self", "proc", f); }},
  };
  for (const Run& run : runs) {
    std::printf("== %s\n", run.name);
    int status = 0;
    std::string out = run_in_namespaces(run.body, &status, run.userns);
    std::fputs(out.c_str(), stdout);
    if (out.find("FAIL") != std::string::npos || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::printf("FAIL: %s (exit status %d)\n", run.name, status);
      ++failures;
    }
  }

  report_fd = STDOUT_FILENO;
  std::printf("== host\n");
  const std::string mountinfo_after = slurp("/proc/self/mountinfo");
  check(mountinfo_after == mountinfo_before, "the host mount table is unchanged",
        "before:\n" + mountinfo_before + "after:\n" + mountinfo_after);
  struct stat null_after {};
  ::stat("/dev/null", &null_after);
  check(null_after.st_uid == null_before.st_uid && null_after.st_gid == null_before.st_gid &&
            null_after.st_mode == null_before.st_mode,
        "the host /dev/null keeps its owner and mode");
  struct stat st {};
  check(::lstat("/etc/sub", &st) != 0, "the host /etc is untouched by the escape symlink");
  check(::lstat((f.rootfs + "/etc/sub").c_str(), &st) == 0, "the escape landed in rootfs/etc");
  check(util::remove_tree(f.base).ok() && util::remove_tree(f.shm_dir).ok(), "temp dirs removed");
  std::printf("%s: %d failure(s)\n", failures == 0 ? "PASS" : "FAIL", failures);
  return failures == 0 ? 0 : 1;
}
