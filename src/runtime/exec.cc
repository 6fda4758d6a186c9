// exec: a new process inside a container.
//
//   runtime ── fork ──> joiner (A) ── clone3(CLONE_PARENT) ──> process (B)
//
// A joins every namespace of the container's init (namespaces.h explains the order) and
// waits until we moved it into the container's cgroup (so B is born there). setns of a
// pid (or time) namespace only applies to children, hence B: born inside the pid
// namespace, and with CLONE_PARENT our child rather than A's, so we can wait for it.
// A reports B's pid and exits. B sets up its terminal, applies the process attributes
// and execs; its errors come back over the sync socket, which closes at exec.
//
// A and B each talk to us on a socket of their own: on a shared one, B's first message
// (its pty) could overtake A's `pid`.
//
// linux.seccomp.listenerPath: B tells us its seccomp listener fd, and we, who know the
// container's state and B's host pid, take it and send it on to the agent
// (seccomp_listener.h). We connect before forking, so a listener that is not there fails
// exec before any process exists.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <optional>

#include "cgroups/exec_cgroups.h"
#include "linux/cgroup_entry.h"
#include "linux/init.h"
#include "linux/init_process.h"
#include "linux/namespaces.h"
#include "linux/seccomp_listener.h"
#include "runtime/container.h"
#include "runtime/signals.h"
#include "runtime/terminal.h"
#include "spec/parse.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/child.h"
#include "util/signal.h"

namespace ocistart::runtime {
namespace {

// --process: the file holds a spec "process" object (error paths relative to it:
// "/user/uid: ..."). Without a capabilities object the process gets the container's
// (runc: the container's process capabilities, empty when it has none), never more.
util::Result<spec::Process> read_process_file(const std::string& path, const spec::Config& config) {
  util::Result<std::string> text = spec::read_document(path);
  if (!text)  // its errors name the file already
    return std::move(text).error().wrap("--process");
  util::Result<spec::Process> p = spec::parse_process(*text);
  if (!p)
    return std::move(p).error().wrap("process file `" + path + "`");
  if (!p->capabilities && config.process)
    p->capabilities = config.process->capabilities;
  return p;
}

void add_cap(std::vector<std::string>& set, const std::string& cap) {
  for (const std::string& c : set)
    if (c == cap)
      return;
  set.push_back(cap);
}

// runc's exec: the container's process from config.json with the flags applied.
util::Result<spec::Process> exec_process_spec(const ExecOptions& o, const spec::Config& config) {
  if (!o.process_json.empty())
    return read_process_file(o.process_json, config);
  spec::Process p = config.process ? *config.process : spec::Process{};
  p.args = o.args;
  p.terminal = o.tty;
  p.console_size.reset();
  if (!o.cwd.empty())
    p.cwd = o.cwd;
  if (o.replace_env)
    p.env.clear();
  for (const std::string& e : o.env)
    p.env.push_back(e);
  if (o.uid) {
    p.user.uid = *o.uid;
    p.user.gid = o.gid.value_or(p.user.gid);
  }
  if (!o.additional_gids.empty())
    p.user.additional_gids = o.additional_gids;
  if (!o.caps.empty()) {
    // A config without capabilities gives none: --cap adds to empty sets.
    if (!p.capabilities)
      p.capabilities.emplace();
    for (std::string cap : o.caps) {
      if (cap.rfind("CAP_", 0) != 0)
        cap = "CAP_" + cap;
      add_cap(p.capabilities->bounding, cap);
      add_cap(p.capabilities->effective, cap);
      add_cap(p.capabilities->permitted, cap);
      // Ambient needs inheritable, which --cap does not set: only when the spec has some.
      if (!p.capabilities->inheritable.empty())
        add_cap(p.capabilities->ambient, cap);
    }
  }
  if (o.no_new_privs)
    p.no_new_privileges = true;
  if (!o.apparmor.empty())
    p.apparmor_profile = o.apparmor;
  if (!o.process_label.empty())
    p.selinux_label = o.process_label;
  return p;
}

[[noreturn]] void child_fail(os::SyncChannel& sync, const util::Error& e) noexcept {
  (void)sync.send_error(e);
  ::_exit(255);
}

// B: inside every namespace and the cgroup. Never returns.
[[noreturn]] void exec_child(os::SyncChannel& sync, const spec::Process& process, const spec::Linux* lc,
                             int preserve_fds) noexcept {
  try {
    if (::setsid() < 0)
      child_fail(sync, util::errno_error("setsid"));
    if (process.terminal) {
      // The container's /dev/ptmx (we are in its mount namespace and root): the pty
      // belongs to its devpts.
      util::UniqueFd ptmx(::open("/dev/ptmx", O_PATH | O_CLOEXEC));
      if (!ptmx)
        child_fail(sync, util::errno_error("open /dev/ptmx"));
      util::Result<os::Pty> pty = os::open_pty(ptmx.get());
      if (!pty)
        child_fail(sync, pty.error());
      if (util::Status s = os::InitLink(sync).send_pty_master(pty->master.get(), pty->slave_path); !s)
        child_fail(sync, s.error());
      pty->master.reset();
      if (util::Status s = os::attach_pty_slave(pty->slave.get(), process.console_size); !s)
        child_fail(sync, s.error());
    }
    os::NotifyFdSink to_parent = [&sync](util::UniqueFd listener) {
      return os::hand_listener_to_parent(sync, std::move(listener));
    };
    util::Status s = os::become_process(process, lc, preserve_fds, to_parent);
    child_fail(sync, s ? util::make_error("exec returned") : s.error());
  } catch (const std::exception& e) {
    child_fail(sync, util::make_error(std::string("exec child: ") + e.what()));
  } catch (...) {
    child_fail(sync, util::make_error("exec child: unknown exception"));
  }
}

// A: joins, waits for the cgroup, clones B, reports its pid. Never returns.
// `sync` is A's channel to us, `process_sync` B's.
[[noreturn]] void joiner(os::SyncChannel& sync, os::SyncChannel& process_sync,
                         const std::vector<os::JoinTarget>& targets, const spec::Process& process,
                         const spec::Linux* lc, int preserve_fds, os::CgroupEntry* cgroup, bool born_in) noexcept {
  try {
    // Into the container's cgroup first (linux/cgroup_entry.h); its fds are closed then.
    if (cgroup != nullptr)
      if (util::Status s = os::enter_cgroup(*cgroup, born_in); !s)
        child_fail(sync, s.error());
    // Nothing of ours but the two channels (the host's cgroup directories the driver
    // holds, above all) goes into the container (CVE-2024-21626).
    os::close_inherited_fds(preserve_fds, {sync.fd(), process_sync.fd()});
    // Non-dumpable before entering: processes of the container must not reach our
    // /proc/<pid>/exe (the runtime binary; CVE-2019-5736).
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    (void)::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (util::Status s = os::join_namespaces(targets); !s)
      child_fail(sync, s.error());
    if (util::Status s = os::JoinerLink(sync).wait_placed(); !s)
      child_fail(sync, s.error());
    util::Result<int> pid = os::clone_process(CLONE_PARENT);
    if (!pid)
      child_fail(sync, pid.error());
    if (*pid == 0) {
      (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
      sync.close();
      exec_child(process_sync, process, lc, preserve_fds);
    }
    process_sync.close();
    if (util::Status s = os::JoinerLink(sync).report_pid(*pid); !s)
      child_fail(sync, s.error());
    ::_exit(0);
  } catch (...) {
    child_fail(sync, util::make_error("exec: joining the container failed"));
  }
}

}  // namespace

util::Result<int> exec(const ExecOptions& o) {
  if (util::Status s = os::check_preserved_fds(o.preserve_fds); !s)  // before any fd of ours
    return std::move(s).error();
  util::Result<Loaded> l = load_locked(o.root, o.id);
  if (!l)
    return std::move(l).error();
  // --ignore-paused: the process joins the frozen cgroup and starts once it is resumed.
  if (l->status == ContainerStatus::paused && !o.ignore_paused)
    return util::make_error("cannot exec in a paused container (use --ignore-paused to override)", EINVAL);
  if (!can_exec(l->status) && l->status != ContainerStatus::paused)
    return util::make_error(std::string("cannot exec in a ") + to_string(l->status) + " container", EINVAL);
  util::Result<cgroups::SubCgroups> sub_cgroups = cgroups::parse_sub_cgroups(o.cgroups);
  if (!sub_cgroups)
    return std::move(sub_cgroups).error();
  ContainerState state = l->state;
  // What create validated, never the bundle's config.json (it may have been edited since:
  // more capabilities, no no_new_privs).
  util::Result<spec::Config> config = load_config_for(l->store, state);
  if (!config)
    return std::move(config).error();
  util::Result<spec::Process> process = exec_process_spec(o, *config);
  if (!process)
    return std::move(process).error();
  if (process->args.empty())
    return util::make_error("process args cannot be empty", EINVAL);
  if (process->terminal && o.detach && o.console_socket.empty())
    return util::make_error("cannot allocate a pseudo-TTY when detached without --console-socket", EINVAL);
  const spec::Linux* lc = config->linux_ ? &*config->linux_ : nullptr;
  util::Result<std::vector<os::JoinTarget>> targets = os::namespaces_of(state.pid);
  if (!targets)
    return std::move(targets).error();
  util::Result<std::unique_ptr<cgroups::Driver>> driver = driver_for(state);
  if (!driver)
    return std::move(driver).error();
  const spec::Seccomp* notify = os::notify_listener(lc);
  util::Result<util::UniqueFd> notify_conn = os::connect_listener(notify);
  if (!notify_conn)
    return std::move(notify_conn).error();
  const std::string state_json = oci_state_json(state, l->status, 0);
  // The lock guards the state, not the process: a long exec must not block kill/delete.
  l = util::make_error("");

  // A's channel and B's (see the top of this file).
  util::Result<std::pair<os::SyncChannel, os::SyncChannel>> a_pair = os::SyncChannel::make_pair();
  if (!a_pair)
    return std::move(a_pair).error();
  util::Result<std::pair<os::SyncChannel, os::SyncChannel>> b_pair = os::SyncChannel::make_pair();
  if (!b_pair)
    return std::move(b_pair).error();
  // The joiner enters the cgroup by itself where the driver can open it for that; the
  // driver moves it otherwise (no cgroup of our own: nothing to move).
  std::optional<os::CgroupEntry> entry;
  if (util::Result<os::CgroupEntry> e = (*driver)->open_entry(*sub_cgroups); e)
    entry = std::move(*e);
  else if (e.error().code != ENOTSUP)
    return std::move(e).error().wrap("join the container's cgroup");
  (void)std::fflush(nullptr);
  bool born_in = false;
  util::Result<int> forked = entry ? os::clone_into(0, *entry, &born_in) : os::clone_process(0);
  if (!forked)
    return std::move(forked).error().wrap("start the exec process");
  const int joiner_pid = *forked;
  if (joiner_pid == 0) {
    a_pair->first.close();
    b_pair->first.close();
    // The agent's connection is ours alone: B would keep it open until its execve.
    notify_conn->reset();
    joiner(a_pair->second, b_pair->second, *targets, *process, lc, o.preserve_fds, entry ? &*entry : nullptr, born_in);
  }
  const bool entry_made = entry.has_value();
  entry.reset();  // the joiner has its copies
  a_pair->second.close();
  b_pair->second.close();
  // Owns A, then B: both are killed and reaped on any failure until released.
  os::ExecProcess child(util::OwnedChild(joiner_pid), std::move(a_pair->first), std::move(b_pair->first));
  // --debug: the steps, with the words runc's debug log uses (its tests look for them).
  util::log_debug("exec `" + o.id + "`: nsexec container setup: joiner is pid " + std::to_string(joiner_pid));

  if (!entry_made)
    if (util::Status s = (*driver)->add_process(joiner_pid, *sub_cgroups); !s)
      return std::move(s).error().wrap("join the container's cgroup");
  if (util::Status s = child.send_placed(); !s)
    return std::move(s).error();
  if (util::Status s = child.receive_pid(); !s)
    return std::move(s).error();
  util::log_debug("exec `" + o.id + "`: child process in init(): pid " + std::to_string(child.pid()) +
                  " in the container's namespaces and cgroup");

  util::UniqueFd master;
  if (process->terminal) {
    util::Result<util::UniqueFd> m = child.receive_pty_master();
    if (!m)
      return std::move(m).error();
    master = std::move(*m);
    if (!o.console_socket.empty()) {
      if (util::Status s = send_console_fd(o.console_socket, master.get()); !s)
        return std::move(s).error();
      master.reset();
    }
  }
  if (notify != nullptr)
    if (util::Status s = child.forward_seccomp_listener(std::move(*notify_conn), *notify, state_json); !s)
      return std::move(s).error();
  if (!o.pid_file.empty())
    if (util::Status s = util::write_file_atomic(o.pid_file, std::to_string(child.pid()), 0644); !s)
      return std::move(s).error().wrap("write the pid file");
  util::log_debug("exec `" + o.id + "`: setns_init: about to exec `" + process->args.front() + "`");

  if (o.detach) {
    // Wait until it execs (EOF) or fails (an error message).
    if (util::Status s = child.wait_exec(); !s)
      return std::move(s).error();
    (void)child.release();
    return 0;
  }
  std::optional<RawMode> raw;
  if (master)
    raw.emplace(STDIN_FILENO);
  util::Result<SignalRelay> relay = SignalRelay::install();
  if (!relay)
    return std::move(relay).error();  // `child` kills and reaps B
  Supervised what;
  what.pid = child.release();
  what.pty_master = master.get();
  what.sync_fd = child.process_fd();
  return supervise(*relay, what);
}

}  // namespace ocistart::runtime
