// Root-only: apply_process_attributes for real in forked children, then look at the result
// from inside (the child reports) or after exec of busybox. Exits 77 (SKIP) when not root
// or without /bin/busybox.
#include <fcntl.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "linux/process.h"
#include "util/fs.h"

using namespace ocistart;

namespace {

int failures = 0;

void check(bool ok, const std::string& what, const std::string& detail = "") {
  // The detail (often the child's whole output) only when it helps: on failure.
  if (ok)
    std::printf("ok: %s\n", what.c_str());
  else
    std::printf("FAIL: %s -- %s\n", what.c_str(), detail.c_str());
  if (!ok)
    ++failures;
}

struct ChildResult {
  int status = -1;  // wait status
  std::string out;  // stdout of the child
};

// Forks; the child's stdout goes to a pipe; `body` runs in the child and its return value
// is the exit code (when it does not exec).
ChildResult run_child(const std::function<int()>& body) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return {};
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    if (dup2(p[1], STDOUT_FILENO) < 0)
      _exit(120);
    _exit(body());
  }
  close(p[1]);
  ChildResult r;
  char buf[4096];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      r.out.append(buf, static_cast<size_t>(n));
  close(p[0]);
  while (waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {}
  return r;
}

void out(const std::string& s) { (void)!write(STDOUT_FILENO, s.data(), s.size()); }

// The child reports an error from apply_process_attributes as "ERROR: <message>".
int fail_with(const util::Status& s) {
  out("ERROR: " + s.error().message + "\n");
  return 1;
}

// "Key:\tvalue" lines of /proc/<pid>/status (or any text with such lines).
std::map<std::string, std::string> status_fields(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
      value.pop_back();
    fields[line.substr(0, colon)] = value;
  }
  return fields;
}

std::string hex_mask(uint64_t mask) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mask));
  return buf;
}

constexpr uint64_t bit(int cap) { return uint64_t{1} << cap; }

spec::SeccompSyscall deny(std::vector<std::string> names, uint32_t errno_ret) {
  spec::SeccompSyscall s;
  s.names = std::move(names);
  s.action = "SCMP_ACT_ERRNO";
  s.errno_ret = errno_ret;
  return s;
}

// Non-root user with groups, capabilities incl. ambient, NNP and seccomp, checked after
// exec of busybox (so the attributes survive execve).
void test_exec_as_user() {
  ChildResult r = run_child([] {
    spec::Process p;
    p.user.uid = 1000;
    p.user.gid = 1000;
    p.user.additional_gids = {2000, 3000};
    p.user.umask = 027;
    p.cwd = "/";
    p.env = {"PATH=/bin:/usr/bin", "HOME=/"};
    p.args = {"busybox", "sh", "-c",
              "cat /proc/self/status; echo umask=$(umask); echo nofile=$(ulimit -n); "
              "echo nofile_hard=$(ulimit -Hn); echo oom=$(cat /proc/self/oom_score_adj); "
              "mkdir /tmp/ocistart-process-attrs-denied 2>&1; echo mkdir_rc=$?"};
    p.no_new_privileges = true;
    p.rlimits = {{"RLIMIT_NOFILE", 100, 200}};
    p.oom_score_adj = 300;
    spec::Capabilities caps;
    caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    caps.effective = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
    caps.permitted = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
    caps.inheritable = {"CAP_NET_BIND_SERVICE"};
    caps.ambient = {"CAP_NET_BIND_SERVICE"};
    p.capabilities = caps;
    spec::Linux linux_config;
    spec::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ALLOW";
    seccomp.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
    seccomp.syscalls = {deny({"mkdir", "mkdirat"}, 38)};
    linux_config.seccomp = seccomp;
    if (util::Status s = os::apply_process_attributes(p, &linux_config, nullptr); !s)
      return fail_with(s);
    util::Status s = os::exec_process(p);
    return fail_with(s);
  });
  check(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "exec as user: busybox ran", r.out);
  std::map<std::string, std::string> f = status_fields(r.out);
  std::map<std::string, std::string> kv;
  {
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line))
      if (size_t eq = line.find('='); eq != std::string::npos && line.find(':') == std::string::npos)
        kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  check(f["Uid"] == "1000\t1000\t1000\t1000", "exec as user: uid", f["Uid"]);
  check(f["Gid"] == "1000\t1000\t1000\t1000", "exec as user: gid", f["Gid"]);
  check(f["Groups"] == "2000 3000", "exec as user: groups", f["Groups"]);
  // After execve by a non-root user, permitted and effective come from the ambient set.
  check(f["CapEff"] == hex_mask(bit(CAP_NET_BIND_SERVICE)), "exec as user: CapEff", f["CapEff"]);
  check(f["CapPrm"] == hex_mask(bit(CAP_NET_BIND_SERVICE)), "exec as user: CapPrm", f["CapPrm"]);
  check(f["CapInh"] == hex_mask(bit(CAP_NET_BIND_SERVICE)), "exec as user: CapInh", f["CapInh"]);
  check(f["CapAmb"] == hex_mask(bit(CAP_NET_BIND_SERVICE)), "exec as user: CapAmb", f["CapAmb"]);
  check(f["CapBnd"] == hex_mask(bit(CAP_CHOWN) | bit(CAP_KILL) | bit(CAP_NET_BIND_SERVICE)), "exec as user: CapBnd",
        f["CapBnd"]);
  check(f["NoNewPrivs"] == "1", "exec as user: NoNewPrivs", f["NoNewPrivs"]);
  check(f["Seccomp"] == "2", "exec as user: Seccomp", f["Seccomp"]);
  check(kv["umask"] == "0027", "exec as user: umask", kv["umask"]);
  check(kv["nofile"] == "100", "exec as user: soft RLIMIT_NOFILE", kv["nofile"]);
  check(kv["nofile_hard"] == "200", "exec as user: hard RLIMIT_NOFILE", kv["nofile_hard"]);
  check(kv["oom"] == "300", "exec as user: oom_score_adj", kv["oom"]);
  check(r.out.find("Function not implemented") != std::string::npos && kv["mkdir_rc"] == "1",
        "exec as user: mkdir denied with errno 38", r.out.substr(r.out.rfind("Seccomp")));
}

// Root user, no NNP: seccomp is loaded before the capabilities are dropped (it needs
// CAP_SYS_ADMIN then). Checked from inside the child, without exec.
void test_inside_as_root() {
  ChildResult r = run_child([] {
    spec::Process p;
    p.user.uid = 0;
    p.user.gid = 0;
    spec::Capabilities caps;
    caps.bounding = {"CAP_KILL", "CAP_SETUID"};
    caps.effective = {"CAP_KILL"};
    caps.permitted = {"CAP_KILL", "CAP_SETUID"};
    p.capabilities = caps;
    spec::Linux linux_config;
    spec::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ALLOW";
    seccomp.syscalls = {deny({"mkdir", "mkdirat"}, 38)};
    linux_config.seccomp = seccomp;
    if (util::Status s = os::apply_process_attributes(p, &linux_config, nullptr); !s)
      return fail_with(s);
    int rc = mkdir("/tmp/ocistart-process-attrs-denied", 0755);
    int e = errno;
    out("mkdir_rc=" + std::to_string(rc) + " errno=" + std::to_string(e) + "\n");
    util::Result<std::string> status = util::read_file("/proc/self/status");
    out(status ? *status : "no status\n");
    return 0;
  });
  check(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "inside as root: applied", r.out);
  std::map<std::string, std::string> f = status_fields(r.out);
  check(r.out.find("mkdir_rc=-1 errno=38") != std::string::npos, "inside as root: mkdir gives errno 38");
  check(f["Seccomp"] == "2", "inside as root: Seccomp", f["Seccomp"]);
  check(f["NoNewPrivs"] == "0", "inside as root: NoNewPrivs", f["NoNewPrivs"]);
  check(f["Uid"] == "0\t0\t0\t0", "inside as root: uid", f["Uid"]);
  check(f["Groups"].empty(), "inside as root: groups cleared", f["Groups"]);
  check(f["CapEff"] == hex_mask(bit(CAP_KILL)), "inside as root: CapEff", f["CapEff"]);
  check(f["CapPrm"] == hex_mask(bit(CAP_KILL) | bit(CAP_SETUID)), "inside as root: CapPrm", f["CapPrm"]);
  check(f["CapBnd"] == hex_mask(bit(CAP_KILL) | bit(CAP_SETUID)), "inside as root: CapBnd", f["CapBnd"]);
  check(f["CapAmb"] == hex_mask(0), "inside as root: CapAmb", f["CapAmb"]);
}

// An rlimit above the hard limit without CAP_SYS_RESOURCE (this sandbox lacks it; drop it
// from the effective set in case the test runs where it is held).
void test_rlimit_eperm() {
  ChildResult r = run_child([] {
    cap_t caps = cap_get_proc();
    cap_value_t resource = CAP_SYS_RESOURCE;
    cap_set_flag(caps, CAP_EFFECTIVE, 1, &resource, CAP_CLEAR);
    cap_set_proc(caps);
    cap_free(caps);
    struct rlimit current {};
    getrlimit(RLIMIT_NOFILE, &current);
    spec::Process p;
    p.rlimits = {{"RLIMIT_NOFILE", current.rlim_max + 1, current.rlim_max + 1}};
    util::Status s = os::apply_process_attributes(p, nullptr, nullptr);
    if (s)
      return 2;
    out(s.error().message + "\n");
    return s.error().code == EPERM ? 0 : 3;
  });
  struct rlimit current {};
  getrlimit(RLIMIT_NOFILE, &current);
  std::string n = std::to_string(current.rlim_max + 1);
  std::string want = "setrlimit `RLIMIT_NOFILE` soft=" + n + " hard=" + n +
                     ": operation not permitted (the hard limit cannot be raised without "
                     "CAP_SYS_RESOURCE)\n";
  check(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 && r.out == want, "rlimit above the hard limit: clear EPERM",
        r.out);
}

// Scheduling and execution domain, checked from inside.
void test_sched_and_personality() {
  ChildResult r = run_child([] {
    spec::Process p;
    p.scheduler = spec::Scheduler{};
    p.scheduler->policy = "SCHED_BATCH";
    p.scheduler->nice = 5;
    p.io_priority = spec::IoPriority{"IOPRIO_CLASS_BE", 6};
    p.exec_cpu_affinity = spec::CpuAffinity{"0", ""};
    spec::Linux linux_config;
    linux_config.personality = spec::Personality{"LINUX32", {}};
    if (util::Status s = os::apply_process_attributes(p, &linux_config, nullptr); !s)
      return fail_with(s);
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    out("policy=" + std::to_string(sched_getscheduler(0)) + "\n");
    out("nice=" + std::to_string(getpriority(PRIO_PROCESS, 0)) + "\n");
    out("ioprio=" + std::to_string(syscall(SYS_ioprio_get, 1, 0)) + "\n");
    out("personality=" + std::to_string(personality(0xffffffff)) + "\n");
    out("cpus=" + std::to_string(CPU_COUNT(&set)) + " cpu0=" + std::to_string(CPU_ISSET(0, &set)) + "\n");
    return 0;
  });
  check(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "sched: applied", r.out);
  check(r.out.find("policy=" + std::to_string(SCHED_BATCH) + "\n") != std::string::npos, "sched: SCHED_BATCH", r.out);
  check(r.out.find("nice=5\n") != std::string::npos, "sched: nice 5");
  check(r.out.find("ioprio=" + std::to_string((2 << 13) | 6) + "\n") != std::string::npos, "sched: ioprio BE 6");
  check(r.out.find("personality=" + std::to_string(PER_LINUX32) + "\n") != std::string::npos, "sched: PER_LINUX32");
  check(r.out.find("cpus=1 cpu0=1\n") != std::string::npos, "sched: affinity cpu 0");
}

// SCMP_ACT_NOTIFY gives a listener fd back.
void test_seccomp_notify() {
  ChildResult r = run_child([] {
    spec::Process p;
    p.no_new_privileges = true;
    spec::Linux linux_config;
    spec::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ALLOW";
    spec::SeccompSyscall notify;
    notify.names = {"mknodat"};
    notify.action = "SCMP_ACT_NOTIFY";
    seccomp.syscalls = {notify};
    linux_config.seccomp = seccomp;
    util::UniqueFd listener;
    if (util::Status s = os::apply_process_attributes(p, &linux_config, &listener); !s)
      return fail_with(s);
    int flags = fcntl(listener.get(), F_GETFD);
    out("listener=" + std::to_string(listener.valid()) +
        " cloexec=" + std::to_string(flags >= 0 && (flags & FD_CLOEXEC) != 0) + "\n");
    return 0;
  });
  check(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 && r.out == "listener=1 cloexec=1\n",
        "seccomp notify: listener fd returned", r.out);
}

// In a user namespace whose setgroups is "deny", clearing the groups is skipped.
void test_setgroups_denied() {
  ChildResult r = run_child([] {
    if (unshare(CLONE_NEWUSER) < 0)
      return 77;
    if (!util::write_file("/proc/self/setgroups", "deny") || !util::write_file("/proc/self/uid_map", "0 0 1") ||
        !util::write_file("/proc/self/gid_map", "0 0 1"))
      return 78;
    spec::Process p;
    if (util::Status s = os::apply_process_attributes(p, nullptr, nullptr); !s)
      return fail_with(s);
    spec::Process q;
    q.user.additional_gids = {0, 5};
    util::Status s = os::apply_process_attributes(q, nullptr, nullptr);
    out(s ? std::string("no error\n") : s.error().message + "\n");
    return 0;
  });
  if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == 77) {
    std::printf("skip: setgroups denied (no user namespaces)\n");
    return;
  }
  check(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "setgroups denied: empty groups tolerated", r.out);
  check(r.out.find("/proc/self/setgroups is `deny`") != std::string::npos,
        "setgroups denied: explicit groups are an error that says why", r.out);
}

}  // namespace

int main() {
  if (geteuid() != 0) {
    std::printf("SKIP: needs root\n");
    return 77;
  }
  if (access("/bin/busybox", X_OK) != 0) {
    std::printf("SKIP: /bin/busybox is missing\n");
    return 77;
  }
  test_exec_as_user();
  test_inside_as_root();
  test_rlimit_eperm();
  test_sched_and_personality();
  test_seccomp_notify();
  test_setgroups_denied();
  std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
