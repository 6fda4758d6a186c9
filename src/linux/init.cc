// The forked init, step by step. The order is the point of this file:
//
//   0. enter the cgroup the runtime made (cgroupfs drivers: linux/cgroup_entry.h)
//   1. non-dumpable, parent-death signal          before anything else can see us
//   2. join namespaces given by path              (namespaces.h explains the order)
//   3. unshare the time namespace; `unshared`     the parent writes id maps and offsets
//   4. wait for `mapped`                          then the parent starts the cgroup work
//                                                 (systemd's unit: it needs our pid)
//   5. become root of a new user namespace, setsid, session keyring, hostname, sysctls
//   6. prepare_rootfs: its mounts overlap with the parent's cgroup work (a systemd job,
//      a v1 migration); before the first cgroup mount (or the devices) wait for `placed`
//      and unshare the cgroup namespace, whose root is then the container's cgroup
//   7. `mounted`; wait for `proceed`              runtime hooks (prestart, createRuntime)
//                                                 run by the parent, as runc orders them
//   8. createContainer hooks, finalize_rootfs, check the executable
//   9. prepare_process(): signals reset, fds close-on-exec, cwd, process attributes
//      (user, capabilities, ... seccomp): all done before `create` returns, as runc
//      does, so startContainer hooks run as the container's process would
//  10. `ready`, then block on exec.fifo until `start` reads it
//  11. startContainer hooks (under the seccomp filter, runc's order), exec
//
// linux.seccomp.listenerPath: the filter is loaded in step 9, while the process of
// `create` still listens: the init writes the listener fd's number to it, the parent
// takes the fd with pidfd_getfd(2) and hands it to the agent (seccomp_listener.h).
//
// CVE-2019-5736: the init is a fork of the runtime, so /proc/<init>/exe is the runtime's
// binary. A process of the container that could open it (through /proc/<pid>/exe of the
// init, /proc/self/exe of a `#!/proc/self/exe` script the init execs, or an fd the init
// left open) could overwrite the host's runtime. Three defences: `create` and `run` run
// from a read-only mount of the binary that no namespace holds, or a sealed memfd copy
// (linux/sealed_exe.h), so the file behind /proc/<init>/exe cannot be written by anyone;
// the init makes itself non-dumpable first (so /proc/<pid>/{exe,fd,mem...} of it are
// owned by the host's root and ptrace is refused to anything in the container); and every
// fd but stdio and the preserved ones is close-on-exec before the final execve, after
// which /proc/<pid>/exe is the container's own binary.
#include "linux/init.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <exception>
#include <vector>

#include "linux/caps.h"
#include "linux/init_process.h"
#include "linux/process.h"
#include "linux/procfs.h"
#include "linux/user.h"
#include "linux/rootfs.h"
#include "linux/seccomp_listener.h"
#include "linux/syscalls.h"
#include "linux/hooks.h"
#include "util/fs.h"
#include "util/signal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace ocistart::os {
namespace {

constexpr unsigned kCloseRangeCloexec = 1U << 2;  // CLOSE_RANGE_CLOEXEC
constexpr int kKeyctlJoinSessionKeyring = 1;      // KEYCTL_JOIN_SESSION_KEYRING

using util::Error;
using util::Status;

[[noreturn]] void report_and_exit(SyncChannel& sync, const Error& error) noexcept {
  // The parent closed the socket before `ready`: it failed a step of its own (a hook, the
  // cgroup), says so itself and is about to kill us. A line from here would be a second,
  // misleading one ("sync socket closed ...").
  if (sync.peer_closed())
    ::_exit(1);
  // Before `ready` the parent always listens. After it, `create` has exited: the error
  // then goes to our stderr, which is the container's.
  if (!sync.send_error(error)) {
    std::string line = "ocistart: container init: " + error.message + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  }
  ::_exit(1);
}

Status write_sysctls(const spec::StringMap& sysctl) {
  for (const auto& [key, value] : sysctl) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
      if (path[i] == '.')
        path[i] = '/';
    if (Status s = util::write_file(path, value); !s)
      return std::move(s).error().wrap("sysctl `" + key + "`");
  }
  return {};
}

// In a new user namespace we start as the overflow uid; become its root (when mapped)
// so that files created during setup belong to the container's root.
Status become_userns_root(const spec::Config& config, Syscalls& sys) {
  const spec::Linux& l = *config.linux_;
  auto maps_zero = [](const std::vector<spec::IdMapping>& m) {
    for (const spec::IdMapping& r : m)
      if (r.container_id == 0 && r.size > 0)
        return true;
    return false;
  };
  if (maps_zero(l.gid_mappings))
    if (Status s = sys.setresgid(0); !s)
      return std::move(s).error().wrap("become root of the new user namespace");
  if (maps_zero(l.uid_mappings))
    if (Status s = sys.setresuid(0); !s)
      return std::move(s).error().wrap("become root of the new user namespace");
  // Changing credentials clears the parent-death signal, and may make us dumpable again
  // (fs.suid_dumpable=1): set both again.
  (void)sys.prctl(PR_SET_PDEATHSIG, SIGKILL, 0);
  return sys.prctl(PR_SET_DUMPABLE, 0, 0);
}

Status join_session_keyring(const std::string& id) {
  std::string name = "_ses." + id;
  if (::syscall(SYS_keyctl, kKeyctlJoinSessionKeyring, name.c_str()) < 0 && errno != ENOSYS)
    return util::errno_error("join a new session keyring");
  return {};
}

// While it waits for `start`, the init of a new pid namespace would ignore SIGTERM and the
// like from outside (the kernel delivers only signals it has a handler for), so `kill`
// of a created container would do nothing. runc's init dies of them (the Go runtime
// catches them): so do we, with a handler that exits. execve resets caught signals to
// their default, so the container's process never sees these handlers.
void die_on_termination_signals() {
  struct sigaction sa {};
  sa.sa_handler = [](int sig) { ::_exit(128 + sig); };
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2})
    (void)::sigaction(sig, &sa, nullptr);
}

// The state the hooks run in the container's namespaces read. The spec wants the pid as
// seen from there: ours, getpid() (1 in a new pid namespace); and startContainer runs
// once `start` came, so its status is `created`. runc gives both the same way.
std::string in_container_state(spec::State state, const std::string& status) {
  state.pid = ::getpid();
  state.status = status;
  return spec::to_json(state, 0);
}

// stdout and stderr become the streams `open` gives (journald: info and err priority).
Status log_to_streams(const std::function<util::Result<util::UniqueFd>(int)>& open) {
  constexpr int kInfo = 6, kErr = 3;  // syslog priorities
  for (auto [fd, priority] : {std::pair{STDOUT_FILENO, kInfo}, std::pair{STDERR_FILENO, kErr}}) {
    util::Result<util::UniqueFd> stream = open(priority);
    if (!stream)
      return std::move(stream).error().wrap("--log-driver journald");
    if (::dup2(stream->get(), fd) < 0)
      return util::errno_error("dup2 the journal stream").wrap("--log-driver journald");
  }
  return {};
}

// chdir(cwd), then a check that the kernel still finds it under our root: an fd of the
// host reachable through /proc/self/fd would otherwise put the process outside the
// container (CVE-2024-21626), and getcwd(2) then fails with ENOENT ("(unreachable)").
// EACCES before the user switch is not final (`last` false): the caller tries again.
util::Result<bool> enter_cwd(const std::string& cwd, bool last) {
  if (cwd.empty())
    return true;
  if (::chdir(cwd.c_str()) < 0) {
    if (errno == EACCES && !last)
      return false;
    return util::errno_error("chdir `" + cwd + "`");
  }
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr || buf[0] != '/')
    return util::make_error("cwd `" + cwd + "` is outside the container's root", EPERM);
  return true;
}

}  // namespace

// Steps 2-5: the namespaces given by path, the time namespace, the id maps the parent
// writes, then who we are in them (root of a new user namespace, a new session, the
// session keyring).
Status enter_namespaces(const InitArgs& a, InitLink& parent, Syscalls& sys) {
  if (!a.plan.joins.empty())
    if (Status s = join_namespaces(sys, a.plan.joins); !s)
      return s;
  if (a.plan.unshare_time)
    if (Status s = sys.unshare(CLONE_NEWTIME); !s)
      return std::move(s).error().wrap("unshare the time namespace");
  // Rootless: the runtime writes our uid_map, gid_map and setgroups as an ordinary user,
  // and /proc/<pid>/ of a non-dumpable process belongs to root. Dumpable for that step
  // only (runc's nsexec does the same): nothing of the container runs yet, and
  // become_userns_root() makes us non-dumpable again once `mapped` came.
  if (a.plan.new_user && a.rootless)
    if (Status s = sys.prctl(PR_SET_DUMPABLE, 1, 0); !s)
      return std::move(s).error().wrap("be dumpable while the runtime writes the id maps");
  if (Status s = parent.report_unshared(); !s)
    return s;
  if (Status s = parent.wait_mapped(); !s)
    return s;
  if (a.plan.new_user)
    if (Status s = become_userns_root(*a.config, sys); !s)
      return s;
  if (::setsid() < 0)
    return util::errno_error("setsid");
  if (!a.no_new_keyring)
    if (Status s = join_session_keyring(a.id); !s)
      return s;
  return {};
}

namespace {

// Hostname, domain name and sysctls: the uts and net namespaces are ours by now.
Status set_host_identity(const spec::Config& config, Syscalls& sys) {
  if (!config.hostname.empty())
    if (Status s = sys.sethostname(config.hostname); !s)
      return std::move(s).error().wrap("set hostname");
  if (!config.domainname.empty())
    if (Status s = sys.setdomainname(config.domainname); !s)
      return std::move(s).error().wrap("set domainname");
  if (config.linux_)
    if (Status s = write_sysctls(config.linux_->sysctl); !s)
      return s;
  return {};
}

// Blocks until `start` opens the fifo for reading. The O_PATH fd was opened by the parent
// in the host's mount namespace; after pivot_root only /proc/self/fd reaches it, in the
// container's /proc: checked to be procfs, or a fake one could send the write elsewhere
// (linux/procfs.h).
Status wait_for_start(int fifo_fd) {
  util::Result<util::UniqueFd> fds = open_proc_file("self/fd", O_PATH | O_DIRECTORY);
  if (!fds)
    return std::move(fds).error().wrap("reopen exec.fifo");
  const std::string fifo = std::to_string(fifo_fd);
  int w;
  do {
    w = ::openat(fds->get(), fifo.c_str(), O_WRONLY | O_CLOEXEC);
  } while (w < 0 && errno == EINTR);
  if (w < 0)
    return util::errno_error("open exec.fifo for writing");
  util::UniqueFd writer(w);
  if (::write(writer.get(), "0", 1) != 1)
    return util::errno_error("write exec.fifo");
  writer.reset();
  ::close(fifo_fd);
  return {};
}

Status init_steps(const InitArgs& a, SyncChannel& sync) {
  InitLink parent(sync);
  const spec::Config& config = *a.config;
  const spec::Linux* linux_config = config.linux_ ? &*config.linux_ : nullptr;
  const spec::Process* process = config.process ? &*config.process : nullptr;
  if (process == nullptr)
    return util::make_error("config has no process", EINVAL);
  RealSyscalls sys;
  if (Status s = enter_namespaces(a, parent, sys); !s)
    return s;
  if (Status s = set_host_identity(config, sys); !s)
    return s;

  RootfsOptions ro;
  ro.rootfs = a.rootfs;
  ro.no_pivot = a.no_pivot;
  ro.user_namespace = a.plan.new_user || a.rootless;
  for (const JoinTarget& t : a.plan.joins)
    if (t.type == spec::NamespaceType::user)
      ro.user_namespace = true;
  // The pty comes from the container's own devpts, once /dev is complete (and we are in
  // the container's cgroup, whose default device rules allow ptmx and pts).
  Pty pty;
  ro.console = process->terminal ? &pty : nullptr;
  ro.prepared_mounts = a.prepared_mounts;
  ro.await_cgroup = [&]() -> Status {
    if (Status s = parent.wait_placed(); !s)
      return s;
    if (a.plan.unshare_cgroup)
      if (Status s = sys.unshare(CLONE_NEWCGROUP); !s)
        return std::move(s).error().wrap("unshare the cgroup namespace");
    return a.log_stream ? log_to_streams(a.log_stream) : Status{};
  };
  if (Status s = prepare_rootfs(config, ro, sys); !s)
    return s;
  if (process->terminal) {
    if (Status s = parent.send_pty_master(pty.master.get(), pty.slave_path); !s)
      return s;
    pty.master.reset();
  }
  if (Status s = parent.report_mounted(); !s)
    return s;
  util::Result<spec::State> state = parent.wait_proceed();
  if (!state)
    return std::move(state).error();
  // createContainer hooks run in our mount namespace before pivot_root, from the rootfs
  // (runc's cwd for them: relative paths in a hook name the container's files).
  if (config.hooks && !config.hooks->create_container.empty() && ::chdir(a.rootfs.c_str()) < 0)
    return util::errno_error("chdir to the rootfs for the createContainer hooks");
  if (config.hooks && !config.hooks->create_container.empty())
    if (Status s =
            os::run_hooks(config.hooks->create_container, in_container_state(*state, "creating"), "createContainer");
        !s)
      return s;
  if (pty.slave) {
    // From here on our stdio is the pty (runc's order: after the createContainer hooks,
    // before the rootfs is final). The caller of `create` reads its output until EOF,
    // which must not wait for the container's process to exit.
    if (Status s = attach_pty_slave(pty.slave.get(), process->console_size); !s)
      return s;
    pty.slave.reset();
  }
  if (Status s = finalize_rootfs(config, ro, sys); !s)
    return s;
  if (Status s = check_executable(*process); !s)
    return s;
  // Before our own bounding set is dropped: it is the one the check reads.
  if (process->capabilities)
    if (Status s = check_capabilities_held(*process->capabilities); !s)
      return s;
  // Everything the process needs, before `ready`: a failure (an rlimit above the hard
  // limit without CAP_SYS_RESOURCE, a user not mapped) fails `create`, which cleans up.
  // The seccomp listener fd goes to the parent, which forwards it to the agent.
  NotifyFdSink to_parent = [&sync](util::UniqueFd listener) {
    return hand_listener_to_parent(sync, std::move(listener));
  };
  util::Result<spec::Process> prepared = prepare_process(*process, linux_config, a.preserve_fds, to_parent);
  if (!prepared)
    return std::move(prepared).error();

  // From here on the parent of `create` may exit: the parent-death signal must not kill
  // us then. `ready` is the last message `create` reads; a write, as under the filter.
  (void)::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
  die_on_termination_signals();
  if (Status s = parent.report_ready(); !s)
    return s;

  if (Status s = wait_for_start(a.fifo_fd); !s)
    return s;
  if (config.hooks && !config.hooks->start_container.empty())
    if (Status s =
            os::run_hooks(config.hooks->start_container, in_container_state(*state, "created"), "startContainer");
        !s)
      return s;
  return exec_process(*prepared);
}

}  // namespace

// In the init, the state directory's lock above all: its flock would block every later
// command on this container while we wait on exec.fifo.
void close_inherited_fds(int preserve_fds, std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned from = static_cast<unsigned>(3 + preserve_fds);
  for (int k : keep) {
    if (k < 0 || static_cast<unsigned>(k) < from)
      continue;
    if (static_cast<unsigned>(k) > from)
      (void)::syscall(SYS_close_range, from, static_cast<unsigned>(k) - 1, 0U);
    from = static_cast<unsigned>(k) + 1;
  }
  (void)::syscall(SYS_close_range, from, ~0U, 0U);
}

Status check_executable(const spec::Process& process) {
  if (process.args.empty())
    return util::make_error("process.args is empty", EINVAL);
  const std::string& name = process.args.front();
  if (name.find('/') != std::string::npos) {
    std::string path = name;
    if (name.front() != '/' && !process.cwd.empty())
      path = process.cwd + "/" + name;
    if (!util::executable_file(path))
      return util::errno_error("exec `" + name + "`", errno == 0 ? ENOENT : errno);
    return {};
  }
  std::string search = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const std::string& e : process.env)
    if (e.rfind("PATH=", 0) == 0) {
      search = e.substr(5);
      break;
    }
  size_t start = 0;
  while (true) {
    size_t colon = search.find(':', start);
    std::string dir = search.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = dir.empty() ? name : dir + "/" + name;
    if (!dir.empty() && dir.front() != '/' && !process.cwd.empty())
      candidate = process.cwd + "/" + candidate;
    if (util::executable_file(candidate))
      return {};
    if (colon == std::string::npos)
      break;
    start = colon + 1;
  }
  return util::make_error("exec `" + name + "`: executable file not found in $PATH", ENOENT);
}

Status check_preserved_fds(int count) {
  for (int fd = 3; fd < 3 + count; ++fd)
    if (::fcntl(fd, F_GETFD) < 0)
      return util::make_error("preserved fd " + std::to_string(fd) + " is not open", EBADF);
  return {};
}

util::Result<spec::Process> prepare_process(const spec::Process& process, const spec::Linux* linux_config,
                                            int preserve_fds, const NotifyFdSink& send_notify_fd) {
  // The runtime may have blocked or ignored signals (run's relay, SIGPIPE for hooks):
  // the container starts with every disposition at default and nothing blocked.
  util::reset_signal_dispositions();

  // Preserved fds stay open (clear a CLOEXEC they may carry); everything above them,
  // including the sync socket, closes at execve. The caller's sync socket stays usable
  // until then so a failure below still reaches the parent.
  for (int fd = 3; fd < 3 + preserve_fds; ++fd)
    (void)::fcntl(fd, F_SETFD, 0);
  if (::syscall(SYS_close_range, 3 + preserve_fds, ~0U, kCloseRangeCloexec) < 0)
    return util::errno_error("mark fds close-on-exec");

  // The cwd while we still hold our capabilities (a directory only root may enter), else
  // once more as the process's user (one only that user may enter), as runc does.
  spec::Process p = process;
  util::Result<bool> entered = enter_cwd(p.cwd, false);
  if (!entered)
    return std::move(entered).error();
  if (Status s = give_stdio_to(p.user.uid, p.terminal); !s)
    return std::move(s).error();
  p.env = with_home(std::move(p.env), p.user.uid);
  if (Status s = apply_process_attributes_with_listener(p, linux_config, send_notify_fd); !s)
    return std::move(s).error();
  if (!*entered)
    if (util::Result<bool> again = enter_cwd(p.cwd, true); !again)
      return std::move(again).error();
  p.cwd.clear();
  return p;
}

Status become_process(const spec::Process& process, const spec::Linux* linux_config, int preserve_fds,
                      const NotifyFdSink& send_notify_fd) {
  util::Result<spec::Process> prepared = prepare_process(process, linux_config, preserve_fds, send_notify_fd);
  if (!prepared)
    return std::move(prepared).error();
  return exec_process(*prepared);
}

void init_main(const InitArgs& args) noexcept {
  SyncChannel sync{util::UniqueFd(args.sync_fd)};
  try {
    if (args.parent_sync_fd >= 0)
      ::close(args.parent_sync_fd);
    // Into the container's cgroup before anything else: the limits hold from here on.
    if (args.cgroup != nullptr)
      if (Status s = enter_cgroup(*args.cgroup, args.born_in_cgroup); !s)
        report_and_exit(sync, std::move(s).error());
    std::vector<int> keep = args.prepared_mounts;
    keep.push_back(args.sync_fd);
    keep.push_back(args.fifo_fd);
    close_inherited_fds(args.preserve_fds, std::move(keep));
    // Not dumpable before anything of the container exists or can reach us (see the top
    // of this file); killed if the runtime dies before we reported `ready`.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
      report_and_exit(sync, util::errno_error("prctl(PR_SET_DUMPABLE, 0)"));
    (void)::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    Status s = init_steps(args, sync);
    report_and_exit(sync, s ? util::make_error("exec returned") : std::move(s).error());
  } catch (const std::exception& e) {
    report_and_exit(sync, util::make_error(std::string("container init: ") + e.what()));
  } catch (...) {
    report_and_exit(sync, util::make_error("container init: unknown exception"));
  }
}

}  // namespace ocistart::os
