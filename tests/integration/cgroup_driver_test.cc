// Root-only: the cgroupfs driver against the host's real cgroups (v1, hybrid or v2).
// Exits 77 (skip) when not root or when cgroups cannot be written here. Creates only
// /ocistart-test-<pid>* cgroups and removes them again, whatever happens.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cgroups/cgroupfs.h"
#include "cgroups/driver.h"
#include "util/scope_guard.h"

using namespace ocistart;
using namespace ocistart::cgroups;

namespace {

int failures = 0;

#define EXPECT(cond)                                                          \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                             \
    }                                                                         \
  } while (0)

#define EXPECT_OK(expr)                                                                                       \
  do {                                                                                                        \
    auto&& r_ = (expr);                                                                                       \
    if (!r_.ok()) {                                                                                           \
      std::fprintf(stderr, "%s:%d: FAILED: %s: %s\n", __FILE__, __LINE__, #expr, r_.error().message.c_str()); \
      ++failures;                                                                                             \
    }                                                                                                         \
  } while (0)

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return "<missing>";
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

bool exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// A child that waits for a byte on `go`, then (when `probe_devices`) reports in its exit
// code whether /dev/null (bit 0) and /dev/zero (bit 1) could be opened; otherwise sleeps.
pid_t spawn(int go_read, int go_write, bool probe_devices) {
  pid_t pid = fork();
  if (pid != 0)
    return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  close(go_write);
  char c;
  if (read(go_read, &c, 1) != 1)
    _exit(100);
  if (!probe_devices) {
    for (;;)
      pause();
  }
  int code = 0;
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    code |= 1;
    close(fd);
  }
  fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    code |= 2;
    close(fd);
  }
  _exit(code);
}

int wait_exit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string first_cpu(const std::string& list) {
  std::string out;
  for (char c : list) {
    if (c < '0' || c > '9')
      break;
    out += c;
  }
  return out.empty() ? "0" : out;
}

spec::Resources resources(const std::string& cpus, const std::string& mems) {
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 64 * 1024 * 1024;
  r.pids.emplace();
  r.pids->limit = 32;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = cpus;
  r.cpu->mems = mems;
  r.devices.push_back({false, "", std::nullopt, std::nullopt, "rwm"});
  r.devices.push_back({true, "c", 1, 3, "rwm"});  // /dev/null only
  return r;
}

bool skip_error(const util::Error& e) { return e.code == EACCES || e.code == EROFS || e.code == EPERM; }

// The v1 (or hybrid) test; returns 77 to skip.
int test_v1(Layout layout) {
  const std::string root = "/sys/fs/cgroup";
  const std::string path = "/ocistart-test-" + std::to_string(getpid());
  auto made = make_cgroupfs_driver(path, root);
  if (!made) {
    std::fprintf(stderr, "driver: %s\n", made.error().message.c_str());
    return 1;
  }
  Driver& d = **made;

  int go[2];
  if (pipe2(go, O_CLOEXEC) != 0)
    return 1;
  pid_t child = spawn(go[0], go[1], false);
  auto reap = util::ScopeGuard([&] {
    kill(child, SIGKILL);
    (void)wait_exit(child);
    (void)d.destroy();
  });

  const std::string cpus = first_cpu(slurp(root + "/cpuset/cpuset.effective_cpus"));
  const std::string mems = first_cpu(slurp(root + "/cpuset/cpuset.effective_mems"));
  spec::Resources r = resources(cpus, mems);
  auto created = d.create(child, &r);
  if (!created) {
    std::fprintf(stderr, "create: %s\n", created.error().message.c_str());
    return skip_error(created.error()) ? 77 : 1;
  }

  EXPECT(slurp(root + "/memory" + path + "/memory.limit_in_bytes") == "67108864");
  EXPECT(slurp(root + "/pids" + path + "/pids.max") == "32");
  EXPECT(slurp(root + "/cpu" + path + "/cpu.shares") == "512");
  EXPECT(slurp(root + "/cpu" + path + "/cpu.cfs_quota_us") == "50000");
  EXPECT(slurp(root + "/cpu" + path + "/cpu.cfs_period_us") == "100000");
  EXPECT(slurp(root + "/cpuset" + path + "/cpuset.cpus") == cpus);
  EXPECT(slurp(root + "/cpuset" + path + "/cpuset.mems") == mems);
  EXPECT(slurp(root + "/devices" + path + "/devices.list") == "c 1:3 rwm");

  const std::string proc_cgroup = slurp("/proc/" + std::to_string(child) + "/cgroup");
  EXPECT(proc_cgroup.find(":memory:" + path + "\n") != std::string::npos);
  EXPECT(proc_cgroup.find(":name=systemd:" + path + "\n") != std::string::npos);
  if (layout == Layout::hybrid)
    EXPECT(proc_cgroup.find("0::" + path) != std::string::npos);

  // A second process joins (exec), and the device list holds for it.
  int go2[2];
  if (pipe2(go2, O_CLOEXEC) != 0)
    return 1;
  pid_t prober = spawn(go2[0], go2[1], true);
  close(go2[0]);
  EXPECT_OK(d.add_process(prober));
  auto pids = d.pids();
  EXPECT_OK(pids);
  if (pids) {
    bool has_child = false, has_prober = false;
    for (int p : *pids) {
      has_child = has_child || p == child;
      has_prober = has_prober || p == prober;
    }
    EXPECT(has_child && has_prober);
  }
  (void)!write(go2[1], "x", 1);
  close(go2[1]);
  EXPECT(wait_exit(prober) == 1);  // /dev/null yes, /dev/zero no

  // pause / resume.
  close(go[0]);
  (void)!write(go[1], "x", 1);
  close(go[1]);
  EXPECT_OK(d.freeze());
  EXPECT(slurp(root + "/freezer" + path + "/freezer.state") == "FROZEN");
  EXPECT_OK(d.thaw());
  EXPECT(slurp(root + "/freezer" + path + "/freezer.state") == "THAWED");

  // update.
  spec::Resources u;
  u.pids.emplace();
  u.pids->limit = 64;
  u.memory.emplace();
  u.memory->limit = 128 * 1024 * 1024;
  EXPECT_OK(d.update(u));
  EXPECT(slurp(root + "/pids" + path + "/pids.max") == "64");
  EXPECT(slurp(root + "/memory" + path + "/memory.limit_in_bytes") == "134217728");
  if (exists(root + "/memory" + path + "/memory.memsw.limit_in_bytes")) {
    // The kernel keeps memsw >= limit at every step: raising both needs memsw first (the
    // limit write fails with EINVAL and is retried), lowering both needs the limit first.
    spec::Resources m;
    m.memory.emplace();
    m.memory->limit = 128 * 1024 * 1024;
    m.memory->swap = 128 * 1024 * 1024;
    EXPECT_OK(d.update(m));
    m.memory->limit = 256 * 1024 * 1024;
    m.memory->swap = 512 * 1024 * 1024;
    EXPECT_OK(d.update(m));
    EXPECT(slurp(root + "/memory" + path + "/memory.limit_in_bytes") == "268435456");
    EXPECT(slurp(root + "/memory" + path + "/memory.memsw.limit_in_bytes") == "536870912");
    m.memory->limit = 32 * 1024 * 1024;
    m.memory->swap = 32 * 1024 * 1024;
    EXPECT_OK(d.update(m));
    EXPECT(slurp(root + "/memory" + path + "/memory.limit_in_bytes") == "33554432");
    EXPECT(slurp(root + "/memory" + path + "/memory.memsw.limit_in_bytes") == "33554432");
    // checkBeforeUpdate against the real usage: a limit equal to it is refused.
    const int64_t usage = std::atoll(slurp(root + "/memory" + path + "/memory.usage_in_bytes").c_str());
    if (usage > 0) {
      m.memory->limit = usage;
      m.memory->swap.reset();
      m.memory->check_before_update = true;
      EXPECT(!d.update(m).ok());
      EXPECT(slurp(root + "/memory" + path + "/memory.limit_in_bytes") == "33554432");
    }
  }

  // destroy after the processes are gone.
  reap.dismiss();
  kill(child, SIGKILL);
  (void)wait_exit(child);
  EXPECT_OK(d.destroy());
  for (const char* h : {"memory", "pids", "cpu", "cpuset", "devices", "freezer", "blkio", "systemd", "unified"}) {
    if (!exists(root + "/" + h))
      continue;
    if (exists(root + "/" + h + path)) {
      std::fprintf(stderr, "left behind: %s%s\n", h, path.c_str());
      ++failures;
    }
  }
  return 0;
}

// The v2 driver on a cgroup2 mount (the whole tree on v2 hosts, `unified` on hybrid ones):
// the eBPF device program, cgroup.freeze, and the core files.
int test_v2(const std::string& mount_root) {
  const std::string path = "/ocistart-test-" + std::to_string(getpid()) + "-v2";
  CgroupfsOptions options;
  options.cgroup_path = path;
  options.mount_root = mount_root;
  options.layout = Layout::v2;
  auto made = make_cgroupfs_driver(options);
  if (!made) {
    std::fprintf(stderr, "driver v2: %s\n", made.error().message.c_str());
    return 1;
  }
  Driver& d = **made;
  int go[2];
  if (pipe2(go, O_CLOEXEC) != 0)
    return 1;
  pid_t prober = spawn(go[0], go[1], true);
  close(go[0]);
  auto reap = util::ScopeGuard([&] {
    kill(prober, SIGKILL);
    (void)wait_exit(prober);
    (void)d.destroy();
  });
  spec::Resources r;
  r.devices.push_back({false, "", std::nullopt, std::nullopt, "rwm"});
  r.devices.push_back({true, "c", 1, 3, "rwm"});
  auto created = d.create(prober, &r);
  if (!created) {
    std::fprintf(stderr, "create v2: %s\n", created.error().message.c_str());
    return skip_error(created.error()) ? 77 : 1;
  }
  EXPECT(slurp("/proc/" + std::to_string(prober) + "/cgroup").find("0::" + path) != std::string::npos);
  EXPECT_OK(d.freeze());
  EXPECT(slurp(mount_root + path + "/cgroup.freeze") == "1");
  EXPECT_OK(d.thaw());
  // Updating the device list replaces the program: now /dev/zero too.
  spec::Resources u;
  u.devices = r.devices;
  u.devices.push_back({true, "c", 1, 5, "r"});
  EXPECT_OK(d.update(u));
  u.devices.pop_back();
  EXPECT_OK(d.update(u));  // and back: only /dev/null
  (void)!write(go[1], "x", 1);
  close(go[1]);
  EXPECT(wait_exit(prober) == 1);
  reap.dismiss();
  EXPECT_OK(d.destroy());
  EXPECT(!exists(mount_root + path));
  return 0;
}

}  // namespace

int main() {
  if (geteuid() != 0) {
    std::fprintf(stderr, "skip: not root\n");
    return 77;
  }
  auto layout = detect_layout("/sys/fs/cgroup");
  if (!layout) {
    std::fprintf(stderr, "skip: %s\n", layout.error().message.c_str());
    return 77;
  }
  int rc = 0;
  if (*layout == Layout::v2) {
    rc = test_v2("/sys/fs/cgroup");
  } else {
    rc = test_v1(*layout);
    if (rc == 0 && *layout == Layout::hybrid)
      rc = test_v2("/sys/fs/cgroup/unified");
  }
  if (rc != 0)
    return rc;
  if (failures > 0) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("ok\n");
  return 0;
}
