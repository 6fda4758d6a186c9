// create: every step registers its undo in one guard, dismissed once state.json says
// `created`. The undo order is fixed (kill and reap init, then remove the cgroup, then the
// state directory), whatever the step that failed.
//
// A create killed at any step (SIGKILL runs no undo) leaves what `delete` removes: the
// state directory is the first thing made; config.json (what later commands use) and then
// state.json (`creating`, with the cgroup driver, path and unit) are written before the
// init is cloned and the cgroup made; the init dies with us until it is `ready` (its
// parent-death signal); the pid file is written last, after state.json says `created`.
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "build_config.h"
#include "cgroups/before_create.h"
#include "cgroups/cgroupfs.h"
#include "cgroups/no_cgroup.h"
#include "linux/idmapped_mounts.h"
#include "linux/init.h"
#include "linux/namespaces.h"
#include "linux/rootless.h"
#include "linux/seccomp_listener.h"
#include "runtime/container.h"
#include "runtime/device_rules.h"
#include "runtime/container_id.h"
#include "linux/hooks.h"
#include "runtime/terminal.h"
#include "spec/parse.h"
#include "spec/serialize.h"
#include "spec/validate.h"
#include "util/fd_passing.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/scope_guard.h"
#include "util/signal.h"
#if OCISTART_HAVE_SYSTEMD
#include "cgroups/delegation.h"
#include "cgroups/systemd_driver.h"
#include "systemd/assignment.h"
#include "systemd/journal_stream.h"
#include "systemd/machines.h"
#include "systemd/unit_name.h"
#endif

namespace ocistart::runtime {
namespace {

util::Result<std::string> absolute_rootfs(const spec::Config& config, const std::string& bundle) {
  if (!config.root || config.root->path.empty())
    return util::make_error("root.path is not set", EINVAL);
  std::string path = config.root->path.front() == '/' ? config.root->path : bundle + "/" + config.root->path;
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr)
    return util::errno_error("rootfs `" + path + "`");
  struct stat st {};
  if (::stat(resolved, &st) < 0 || !S_ISDIR(st.st_mode))
    return util::make_error("rootfs `" + path + "` is not a directory", ENOTDIR);
  return std::string(resolved);
}

std::string owner_name() {
  uid_t uid = ::geteuid();
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr)
    return found->pw_name;
  return std::to_string(uid);
}

// Socket activation, as runc does it: the number of fds (from 3) systemd passed us, when
// $LISTEN_PID says they are ours; 0 otherwise.
int inherited_listen_fds() {
  auto number = [](const char* text) {
    long v = -1;
    std::string_view s = text != nullptr ? text : "";
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty() ? v : -1;
  };
  long n = number(std::getenv("LISTEN_FDS"));
  if (number(std::getenv("LISTEN_PID")) != ::getpid() || n <= 0 || n > INT_MAX - 3)
    return 0;
  return static_cast<int>(n);
}

// systemd manages this host when /run/systemd/system exists (sd_booted()'s test).
bool systemd_runs_host() {
  struct stat st {};
  return ::lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

// The cgroup driver create() uses (choose_cgroup_driver() picks which).
// `delegated`: the cgroup of the unit with Delegate=yes we run in, or empty.
util::Result<std::unique_ptr<cgroups::Driver>> make_driver(CgroupDriverKind kind, const CreateOptions& o,
                                                           const spec::Config& config, const std::string& delegated) {
  const std::string& cgroups_path = config.linux_->cgroups_path;
  if (!delegated.empty())
    return cgroups::make_cgroupfs_driver(delegated + "/" + o.id);
  // Rootless with no cgroupsPath: no cgroup of its own, unless it asks for limits
  // (cgroups/no_cgroup.h); a cgroupsPath names a cgroup delegated to the user.
  if (kind == CgroupDriverKind::cgroupfs && os::rootless_runtime() && cgroups_path.empty())
    return cgroups::make_no_cgroup_driver();
  if (kind == CgroupDriverKind::cgroupfs)
    return cgroups::make_cgroupfs_driver(cgroups::default_cgroup_path(cgroups_path, o.id));
#if OCISTART_HAVE_SYSTEMD
  util::Result<systemd::UnitPlacement> placement = systemd::unit_placement(cgroups_path, o.id);
  if (!placement)
    return std::move(placement).error();
  cgroups::SystemdDriverOptions so;
  so.unit = placement->unit;
  if (!o.unit.empty()) {
    if (o.unit.find('/') != std::string::npos || (o.unit.find('.') != std::string::npos && !o.unit.ends_with(".scope")))
      return util::make_error("--unit `" + o.unit + "`: a container is a scope: NAME or NAME.scope", EINVAL);
    so.unit = o.unit.ends_with(".scope") ? o.unit : o.unit + ".scope";
  }
  so.assignments = o.properties;
  so.slice = placement->slice;
  so.description = "ocistart container " + o.id;
  so.annotations = config.annotations;
  so.state_root = o.root;
  so.manager = cgroups::bus_manager_factory();
  return std::unique_ptr<cgroups::Driver>(std::make_unique<cgroups::SystemdDriver>(std::move(so)));
#else
  return util::make_error("the systemd cgroup driver is not built in (meson -Dsystemd=disabled)", ENOTSUP);
#endif
}

// What a failed receive from init means: its own error, or that it died without one.
util::Error init_failure(util::Error error) {
  if (error.code == EPIPE)
    return util::make_error("container init exited during setup", EPIPE);
  return error;
}

// A send that fails because init has died (EPIPE, or ECONNRESET when it died with an
// earlier message of ours unread): the error it sent before dying is still queued on the
// socket and says why.
util::Status send_to_init(os::SyncChannel& sync, os::SyncKind kind, std::string_view text = {}) {
  util::Status s = sync.send(kind, 0, text);
  if (s)
    return s;
  if (util::Result<os::SyncMessage> m = sync.receive(0); m && m->kind == os::SyncKind::error)
    return os::error_from_message(*m);
  return init_failure(std::move(s).error());
}

}  // namespace

util::Result<CgroupDriverKind> choose_cgroup_driver(const std::string& cgroup_manager, bool systemd_cgroup,
                                                    const std::string& cgroups_path, bool systemd_runs_host) {
  // "slice:prefix:name": three colon-separated fields, not a path (runc's convention).
  bool systemd_path = !cgroups_path.empty() && cgroups_path.front() != '/' &&
                      std::count(cgroups_path.begin(), cgroups_path.end(), ':') == 2;
  if (cgroup_manager == "systemd" || systemd_cgroup)
    return CgroupDriverKind::systemd;
  if (cgroup_manager == "cgroupfs") {
    if (systemd_path)
      return util::make_error("cgroupsPath `" + cgroups_path + "` is for systemd; the cgroupfs driver needs a path",
                              EINVAL);
    return CgroupDriverKind::cgroupfs;
  }
  if (systemd_path || (cgroups_path.empty() && systemd_runs_host))
    return CgroupDriverKind::systemd;
  return CgroupDriverKind::cgroupfs;
}

util::Result<Spawned> create_container(const CreateOptions& o, bool keep_pty) {
  if (util::Status s = validate_container_id(o.id); !s)
    return std::move(s).error();
  // The container gets the $LISTEN_FDS fds, then the --preserve-fds ones. Checked before
  // we open anything: an fd of ours in a gap of that range would reach the container.
  const int listen_fds = inherited_listen_fds();
  if (util::Status s = os::check_preserved_fds(listen_fds + o.preserve_fds); !s)
    return std::move(s).error();
  util::Result<spec::Config> loaded = spec::load_bundle_config(o.bundle);
  if (!loaded)
    return std::move(loaded).error();
  spec::Config config = std::move(*loaded);
  if (util::Status s = spec::validate(config); !s)
    return std::move(s).error().wrap("config.json");
  if (!config.process)
    return util::make_error("config.json: /process: required to create a container", EINVAL);
  // What exec, start, delete and the rest will use: the config as validated, before this
  // create's own additions ($LISTEN_FDS is pid 1's alone; bind sources made absolute).
  const std::string validated = spec::to_json(config, 0);
  if (listen_fds > 0) {
    // The process finds them as pid 1's (runc's values replace the config's).
    std::vector<std::string>& env = config.process->env;
    std::erase_if(env,
                  [](const std::string& e) { return e.starts_with("LISTEN_FDS=") || e.starts_with("LISTEN_PID="); });
    env.push_back("LISTEN_FDS=" + std::to_string(listen_fds));
    env.push_back("LISTEN_PID=1");
  }
  if (!config.linux_)
    config.linux_.emplace();
  os::resolve_bind_sources(config, o.bundle);
  const spec::Linux& lc = *config.linux_;
  if (config.process->terminal && o.console_socket.empty() && !keep_pty)
    return util::make_error("process.terminal is set: --console-socket is required", EINVAL);
  const bool journald = o.log_driver == "journald";
  if (journald && config.process->terminal)
    return util::make_error("--log-driver journald: the process has a terminal (process.terminal)", EINVAL);
#if !OCISTART_HAVE_SYSTEMD
  if (journald)
    return util::make_error("--log-driver journald: built without systemd support", ENOTSUP);
#endif

  os::NamespacePlan plan = os::plan_namespaces(lc.namespaces);
  bool mount_ns = (plan.clone_flags & CLONE_NEWNS) != 0;
  for (const os::JoinTarget& t : plan.joins)
    mount_ns = mount_ns || t.type == spec::NamespaceType::mount;
  if (!mount_ns)
    return util::make_error("config.json: /linux/namespaces: a mount namespace is required (without one the "
                            "rootfs mounts would land in the host's mount namespace)",
                            EINVAL);
  // --unit and -p are about a systemd unit: they choose the systemd driver.
  bool wants_unit = !o.unit.empty() || !o.properties.empty();
#if OCISTART_HAVE_SYSTEMD
  for (const std::string& a : o.properties)  // bad syntax fails before anything exists
    if (util::Result<systemd::UnitProperty> p = systemd::parse_assignment(a); !p)
      return std::move(p).error().wrap("-p `" + a + "`");
#endif
  if (wants_unit && o.cgroup_manager == "cgroupfs")
    return util::make_error("--unit and -p need the systemd cgroup driver, not --cgroup-manager cgroupfs", EINVAL);
  util::Result<CgroupDriverKind> driver_kind = choose_cgroup_driver(
      o.cgroup_manager, o.systemd_cgroup || wants_unit, lc.cgroups_path, systemd_runs_host());
  if (!driver_kind)
    return std::move(driver_kind).error();
  // ExecStart= of a unit with Delegate=yes, nothing else asked for: the container lives in
  // a child cgroup of that unit (the unit's subtree is ours), not in a scope elsewhere.
  std::string delegated;
#if OCISTART_HAVE_SYSTEMD
  if (o.cgroup_manager == "auto" && !o.systemd_cgroup && !wants_unit && lc.cgroups_path.empty())
    if (std::optional<std::string> d = cgroups::delegated_cgroup())
      delegated = *d;
  if (!delegated.empty())
    if (util::Status s = cgroups::leave_delegated_root(delegated); !s)
      return std::move(s).error();
#endif
  util::Result<std::string> rootfs = absolute_rootfs(config, o.bundle);
  if (!rootfs)
    return std::move(rootfs).error();

  util::Result<StateStore> store = StateStore::open(o.root);
  if (!store)
    return std::move(store).error();
  util::Result<ContainerLock> lock = store->create(o.id);
  if (!lock)
    return std::move(lock).error();

  // The undo state, filled in as steps succeed.
  int init_pid = -1;
  std::unique_ptr<cgroups::Driver> driver;
  bool cgroup_created = false;
  bool machine_registered = false;
  util::ScopeGuard undo([&] {
#if OCISTART_HAVE_SYSTEMD
    if (machine_registered)
      (void)systemd::unregister_machine(o.id, cgroups::systemd_call_deadline());
#endif
    if (init_pid > 0) {
      (void)util::signal_process(init_pid, SIGKILL);
      while (::waitpid(init_pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    if (cgroup_created)
      (void)driver->destroy();
    (void)store->remove(o.id);
  });

  if (util::Status s = store->save_config(o.id, validated); !s)
    return std::move(s).error();
  const std::string dir = store->dir(o.id);
  const std::string fifo_path = dir + "/exec.fifo";
  if (::mkfifo(fifo_path.c_str(), 0622) < 0 || ::chmod(fifo_path.c_str(), 0622) < 0)
    return util::errno_error("make `" + fifo_path + "`");
  int fifo = ::open(fifo_path.c_str(), O_PATH | O_CLOEXEC);
  if (fifo < 0)
    return util::errno_error("open `" + fifo_path + "`");
  util::UniqueFd fifo_fd(fifo);

  util::Result<std::unique_ptr<cgroups::Driver>> made = make_driver(*driver_kind, o, config, delegated);
  if (!made)
    return std::move(made).error().wrap("cgroup");
  driver = std::move(*made);
  // runc's checks before anything goes into the cgroup (cgroups/before_create.h): a frozen
  // one is refused (init would freeze, create wait for it forever), a busy one warned about.
  util::Result<std::vector<std::string>> busy =
      cgroups::check_before_create(*driver, lc.resources.value_or(spec::Resources{}));
  if (!busy)
    return std::move(busy).error();
  for (const std::string& warning : *busy)
    util::log_warning(warning);

  // Recorded before anything outside the state directory exists: the cgroup (path, driver,
  // unit) and the machine this create is about to make, with no pid yet. A create killed
  // from here on leaves a `creating` state that `delete` reads to remove them.
  ContainerState state;
  state.oci_version = config.oci_version;
  state.id = o.id;
  state.status = ContainerStatus::creating;
  state.bundle = o.bundle;
  state.rootfs = *rootfs;
  state.created = rfc3339_nano_now();
  state.owner = owner_name();
  state.annotations = config.annotations;
  state.cgroup_driver = std::string(driver->name());
  state.cgroup_path = driver->path();
#if OCISTART_HAVE_SYSTEMD
  if (const auto* sd = dynamic_cast<const cgroups::SystemdDriver*>(driver.get())) {
    state.systemd_unit = sd->unit();
    state.cgroup_path = sd->planned_path();
  }
#endif
  state.systemd_cgroup_flag = o.systemd_cgroup;
  if (o.register_machine)
    state.machine = o.id;
  if (util::Status s = store->save(state); !s)
    return std::move(s).error();

  // linux.seccomp.listenerPath: connected now, so that an agent that is not there fails
  // `create` before any process exists (the init closes its inherited copy).
  const spec::Seccomp* notify = os::notify_listener(&lc);
  util::Result<util::UniqueFd> notify_conn = os::connect_listener(notify);
  if (!notify_conn)
    return std::move(notify_conn).error();

  util::Result<std::pair<os::SyncChannel, os::SyncChannel>> pair = os::SyncChannel::make_pair();
  if (!pair)
    return std::move(pair).error();
  os::SyncChannel sync = std::move(pair->first);
  os::SyncChannel init_end = std::move(pair->second);

  // Idmapped binds are made here, on the host's side, where the privilege to idmap the
  // source's file system is; the init (maybe in a new user namespace) only moves them. With
  // a new user namespace every bind source is opened here too, with our credentials.
  os::RealSyscalls real;
  util::Result<std::vector<util::UniqueFd>> idmapped = os::prepare_mount_sources(config, plan.new_user, real);
  if (!idmapped)
    return std::move(idmapped).error();
  std::vector<int> prepared_mounts;
  for (const util::UniqueFd& fd : *idmapped)
    prepared_mounts.push_back(fd.valid() ? fd.get() : -1);

  {
    // Namespaces the init is born in: a pid namespace to join (for our children only),
    // and with a new user namespace the ones it could not join from inside it.
    os::NamespaceSwitch around_clone;
    if (!plan.join_pid_path.empty())
      if (util::Status s = around_clone.enter({spec::NamespaceType::pid, plan.join_pid_path}); !s)
        return std::move(s).error();
    for (const os::JoinTarget& t : plan.parent_joins)
      if (util::Status s = around_clone.enter(t); !s)
        return std::move(s).error();
    // The child gets a copy of our stdio buffers: flush them so nothing prints twice.
    (void)std::fflush(nullptr);
    util::Result<int> pid = os::clone_process(plan.clone_flags);
    if (!pid)
      return std::move(pid).error().wrap("start the container init");
    if (*pid == 0) {
      os::InitArgs args;
      args.config = &config;
      args.plan = plan;
      args.id = o.id;
      args.rootfs = *rootfs;
      args.sync_fd = init_end.fd();
      args.parent_sync_fd = sync.fd();
      args.fifo_fd = fifo_fd.get();
      args.no_pivot = o.no_pivot;
      args.no_new_keyring = o.no_new_keyring;
      args.rootless = os::rootless_runtime();
      args.preserve_fds = listen_fds + o.preserve_fds;
      args.prepared_mounts = prepared_mounts;
#if OCISTART_HAVE_SYSTEMD
      if (journald)
        args.log_stream = [&o](int priority) { return systemd::journal_stream(o.id, priority); };
#endif
      os::init_main(args);
    }
    init_pid = *pid;
  }
  // --debug: the steps, with the words runc's debug log uses (its tests look for them).
  util::log_debug("create `" + o.id + "`: nsexec container setup: init is pid " + std::to_string(init_pid));
  init_end.close();
  fifo_fd.reset();
  idmapped->clear();  // the init has its copies

  // init has joined and unshared what it must; it waits for us.
  if (util::Result<os::SyncMessage> m = sync.expect(os::SyncKind::unshared); !m)
    return std::move(m).error().wrap("container init");
  util::log_debug("create `" + o.id + "`: child process in init(): namespaces joined");
  if (plan.new_user)
    if (util::Status s = os::write_id_maps(init_pid, lc.uid_mappings, lc.gid_mappings); !s)
      return std::move(s).error();
  if (plan.unshare_time && !lc.time_offsets.empty())
    if (util::Status s = os::write_time_offsets(init_pid, lc.time_offsets); !s)
      return std::move(s).error();
  // From `mapped` on, init mounts while we set up its cgroup; it waits for `placed`
  // before its first cgroup mount.
  if (util::Status s = send_to_init(sync, os::SyncKind::mapped); !s)
    return std::move(s).error();
  cgroup_created = true;  // create() cleans up after itself; destroy() of nothing is fine
  // Device rules even without linux.resources: runc's defaults (device_rules.h). Not
  // rootless: only the host's root may write a device cgroup, and the devices such a
  // container has are binds of the host's nodes, which the user could open anyway.
  spec::Resources resources = lc.resources.value_or(spec::Resources{});
  resources.devices = os::rootless_runtime() ? std::vector<spec::DeviceCgroupRule>{} : effective_device_rules(config);
  if (util::Status s = driver->create(init_pid, &resources); !s)
    return std::move(s).error().wrap("cgroup");
  for (const std::string& warning : driver->warnings())  // settings this cgroup version skips
    util::log_warning(warning);
  if (util::Status s = send_to_init(sync, os::SyncKind::placed); !s)
    return std::move(s).error();
#if OCISTART_HAVE_SYSTEMD
  if (const auto* sd = dynamic_cast<const cgroups::SystemdDriver*>(driver.get()))
    util::log_debug("create `" + o.id + "`: unit `" + sd->unit() + "`: " + std::to_string(sd->dbus_calls()) +
                    " D-Bus calls");
#endif

  if (o.register_machine) {
#if OCISTART_HAVE_SYSTEMD
    if (util::Status s = systemd::register_machine(o.id, init_pid, *rootfs, cgroups::systemd_call_deadline()); !s)
      return std::move(s).error();
    machine_registered = true;
#else
    return util::make_error("--register-machine: built without systemd support", ENOTSUP);
#endif
  }

  // The init and the cgroup as made (systemd's ControlGroup may differ from the plan).
  state.pid = init_pid;
  state.pid_start_time = process_start_time(init_pid);
  state.cgroup_path = driver->path();
  if (util::Status s = store->save(state); !s)
    return std::move(s).error();

  // With a terminal, the init made the pty from the container's devpts with /dev.
  util::UniqueFd pty_master;
  if (config.process->terminal) {
    util::Result<os::SyncMessage> m = sync.expect(os::SyncKind::pty_master);
    if (!m)
      return init_failure(std::move(m).error());
    pty_master = std::move(m->fd);
  }
  // The runtime hooks run once init has mounted everything (runc's order).
  if (util::Result<os::SyncMessage> m = sync.expect(os::SyncKind::mounted); !m)
    return init_failure(std::move(m).error());
  const std::string state_json = oci_state_json(state, ContainerStatus::creating, 0);
  if (config.hooks) {
    // prestart is deprecated but still run, before createRuntime, in our namespaces. Its
    // state says `created`, as runtime-tools' validation and crun have it (runc: creating).
    if (util::Status s = os::run_hooks(config.hooks->prestart, oci_state_json(state, ContainerStatus::created, 0), "prestart");
        !s)
      return std::move(s).error();
    if (util::Status s = os::run_hooks(config.hooks->create_runtime, state_json, "createRuntime"); !s)
      return std::move(s).error();
  }
  if (util::Status s = send_to_init(sync, os::SyncKind::proceed, state_json); !s)
    return std::move(s).error();
  // The init loads its seccomp filter before `ready`; a listener fd goes to the agent.
  if (notify != nullptr)
    if (util::Status s = os::forward_listener(sync, init_pid, std::move(*notify_conn), *notify, state_json); !s)
      return init_failure(std::move(s).error());

  if (util::Result<os::SyncMessage> m = sync.expect(os::SyncKind::ready); !m)
    return init_failure(std::move(m).error());
  util::log_debug("create `" + o.id + "`: init: closing the pipe to signal completion: waiting on exec.fifo");
  if (pty_master && !o.console_socket.empty()) {
    if (util::Status s = send_console_fd(o.console_socket, pty_master.get()); !s)
      return std::move(s).error();
    pty_master.reset();
  }

  if (!o.pidfd_socket.empty()) {
    util::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, init_pid, 0)));
    if (!pidfd)
      return util::errno_error("pidfd_open").wrap("pidfd socket `" + o.pidfd_socket + "`");
    if (util::Status s = util::send_fd_to_path(o.pidfd_socket, o.id, pidfd.get(), "pidfd socket `" + o.pidfd_socket + "`"); !s)
      return std::move(s).error();
  }
  state.status = ContainerStatus::created;
  if (util::Status s = store->save(state); !s)
    return std::move(s).error();
  // Last: a pid file exists only for a container that is complete (a create killed before
  // leaves none behind; delete does not know the file).
  if (!o.pid_file.empty())
    if (util::Status s = util::write_file_atomic(o.pid_file, std::to_string(init_pid), 0644); !s)
      return std::move(s).error().wrap("write the pid file");
  undo.dismiss();

  Spawned out;
  out.state = std::move(state);
  out.sync = std::move(sync);
  out.pty_master = std::move(pty_master);
  out.driver = std::move(driver);
  out.process = std::move(config.process);
  return out;
}

util::Status create(const CreateOptions& options) {
  util::Result<Spawned> spawned = create_container(options, false);
  if (!spawned)
    return std::move(spawned).error();
  return {};
}

}  // namespace ocistart::runtime
