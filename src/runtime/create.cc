// create, as a table of contents: validate and plan (plan_create, pure) -> the state
// directory -> spawn the init -> drive it through its steps (os::InitProcess) -> publish
// (state, console, pidfd socket, pid file). Each step that makes something registers its
// undo right after, so a failure undoes in reverse: unregister the machine, kill and reap
// the init (its os::InitProcess owns it), remove the cgroup, remove the state directory.
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
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "cgroups/before_create.h"
#include "cgroups/cgroupfs.h"
#include "cgroups/migration_lock.h"
#include "cgroups/no_cgroup.h"
#include "linux/cgroup_entry.h"
#include "linux/idmapped_mounts.h"
#include "linux/init.h"
#include "linux/init_process.h"
#include "linux/namespaces.h"
#include "linux/rootless.h"
#include "linux/seccomp_listener.h"
#include "runtime/container.h"
#include "runtime/container_id.h"
#include "linux/hooks.h"
#include "runtime/create_plan.h"
#include "runtime/device_rules.h"
#include "runtime/host_integration.h"
#include "runtime/terminal.h"
#include "spec/parse.h"
#include "spec/serialize.h"
#include "spec/validate.h"
#include "util/child.h"
#include "util/fd_passing.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/notify_socket.h"
#include "util/scope_guard.h"

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
// Rootless, `auto` takes it only on cgroup v2, where the user's manager delegates a cgroup.
bool systemd_runs_host() {
  struct stat st {};
  if (::lstat("/run/systemd/system", &st) < 0 || !S_ISDIR(st.st_mode))
    return false;
  if (!os::rootless_runtime())
    return true;
  util::Result<cgroups::Layout> layout = cgroups::detect_layout();
  return layout && *layout == cgroups::Layout::v2;
}

// The cgroup driver create() uses (choose_cgroup_driver() picks which).
// `delegated`: the cgroup of the unit with Delegate=yes we run in, or empty.
util::Result<std::unique_ptr<cgroups::Driver>> make_driver(const CreatePlan& plan, const CreateOptions& o,
                                                           const std::string& delegated, const HostIntegration& host) {
  const std::string& cgroups_path = plan.config.linux_->cgroups_path;
  if (!delegated.empty())
    return cgroups::make_cgroupfs_driver(delegated + "/" + o.id);
  // Rootless with no cgroupsPath: no cgroup of its own, unless it asks for limits
  // (cgroups/no_cgroup.h); a cgroupsPath names a cgroup delegated to the user.
  if (plan.driver_kind == CgroupDriverKind::cgroupfs && os::rootless_runtime() && cgroups_path.empty())
    return cgroups::make_no_cgroup_driver();
  if (plan.driver_kind == CgroupDriverKind::cgroupfs)
    return cgroups::make_cgroupfs_driver(cgroups::default_cgroup_path(cgroups_path, o.id));
  NewUnit unit;
  unit.id = o.id;
  unit.cgroups_path = cgroups_path;
  if (os::rootless_runtime()) {
    // The user's own manager (cgroups/systemd_driver.cc) delegates a cgroup to its units
    // on cgroup v2 only: on v1 or hybrid it has no controller to give the container.
    util::Result<cgroups::Layout> layout = cgroups::detect_layout();
    if (!layout || *layout != cgroups::Layout::v2)
      return util::make_error(
          "rootless with the systemd cgroup driver needs cgroup v2 (the user's systemd manager "
          "gets no v1 controllers delegated); use --cgroup-manager cgroupfs",
          ENOTSUP);
    if (cgroups_path.empty())  // runc's rootless default: under the user manager's user.slice
      unit.cgroups_path = "user.slice:ocistart:" + o.id;
  }
  unit.unit = o.unit;
  unit.properties = o.properties;
  unit.annotations = plan.config.annotations;
  unit.state_root = o.root;
  return host.new_systemd_driver(unit);
}

// ExecStart= of a unit with Delegate=yes, nothing else asked for: the container lives in
// a child cgroup of that unit (the unit's subtree is ours), not in a scope elsewhere.
// Empty when that is not the case.
util::Result<std::string> delegated_cgroup(const CreatePlan& plan, const HostIntegration& host) {
  if (!plan.may_use_delegated)
    return std::string();
  std::optional<std::string> d = host.delegated_cgroup();
  if (!d || d->empty())
    return std::string();
  if (util::Status s = host.leave_delegated_root(*d); !s)
    return std::move(s).error();
  return *d;
}

// <state dir>/exec.fifo, and an O_PATH fd of it for the init (it blocks on it until start).
util::Result<util::UniqueFd> make_exec_fifo(const std::string& dir) {
  const std::string fifo_path = dir + "/exec.fifo";
  if (::mkfifo(fifo_path.c_str(), 0622) < 0 || ::chmod(fifo_path.c_str(), 0622) < 0)
    return util::errno_error("make `" + fifo_path + "`");
  int fifo = ::open(fifo_path.c_str(), O_PATH | O_CLOEXEC);
  if (fifo < 0)
    return util::errno_error("open `" + fifo_path + "`");
  return util::UniqueFd(fifo);
}

// The `creating` state, recorded before anything outside the state directory exists: the
// cgroup (path, driver, unit) and the machine this create is about to make, with no pid
// yet. A create killed from here on leaves a `creating` state that `delete` reads to
// remove them.
ContainerState creating_state(const CreateOptions& o, const spec::Config& config, const std::string& rootfs,
                              const cgroups::Driver& driver) {
  ContainerState state;
  state.oci_version = config.oci_version;
  state.id = o.id;
  state.status = ContainerStatus::creating;
  state.bundle = o.bundle;
  state.rootfs = rootfs;
  state.created = rfc3339_nano_now();
  state.owner = owner_name();
  state.annotations = config.annotations;
  state.cgroup_driver = std::string(driver.name());
  state.systemd_unit = driver.unit();
  state.cgroup_path = driver.planned_path();
  state.systemd_cgroup_flag = o.systemd_cgroup;
  if (o.register_machine)
    state.machine = o.id;
  return state;
}

// What step 2 made: the state directory (locked), its exec.fifo, the cgroup driver (no
// cgroup yet) and the `creating` state, saved.
struct StateDir {
  StateStore store;
  ContainerLock lock;
  util::UniqueFd fifo;
  std::unique_ptr<cgroups::Driver> driver;
  ContainerState state;
};

// The state directory, config.json, exec.fifo, the driver, state.json `creating`. On
// failure the directory is removed again; on success the caller registers that undo.
util::Result<StateDir> make_state_dir(const CreateOptions& o, const CreatePlan& plan, const std::string& rootfs,
                                      const std::string& delegated, const HostIntegration& host) {
  util::Result<StateStore> store = StateStore::open(o.root);
  if (!store)
    return std::move(store).error();
  util::Result<ContainerLock> lock = store->create(o.id);
  if (!lock)
    return std::move(lock).error();
  util::ScopeGuard remove_state_dir([&] { (void)store->remove(o.id); });
  if (util::Status s = store->save_config(o.id, plan.validated_json); !s)
    return std::move(s).error();
  util::Result<util::UniqueFd> fifo = make_exec_fifo(store->dir(o.id));
  if (!fifo)
    return std::move(fifo).error();
  util::Result<std::unique_ptr<cgroups::Driver>> driver = make_driver(plan, o, delegated, host);
  if (!driver)
    return std::move(driver).error().wrap("cgroup");
  // runc's checks before anything goes into the cgroup (cgroups/before_create.h): a frozen
  // one is refused (init would freeze, create wait for it forever), a busy one warned about.
  util::Result<std::vector<std::string>> busy =
      cgroups::check_before_create(**driver, plan.config.linux_->resources.value_or(spec::Resources{}));
  if (!busy)
    return std::move(busy).error();
  for (const std::string& warning : *busy)
    util::log_warning(warning);
  ContainerState state = creating_state(o, plan.config, rootfs, **driver);
  if (util::Status s = store->save(state); !s)
    return std::move(s).error();
  remove_state_dir.dismiss();
  return StateDir{std::move(*store), std::move(*lock), std::move(*fifo), std::move(*driver), std::move(state)};
}

// run --notify=container with $NOTIFY_SOCKET set: the socket the container's sd_notify
// messages go to, bound in the state directory, bind-mounted at /run/notify and named in
// the process's env. Without $NOTIFY_SOCKET nothing (as runc: there is no one to tell).
util::Result<std::optional<NotifyRelay>> open_notify_relay(const CreateOptions& o, CreatePlan& plan,
                                                           const std::string& state_dir) {
  const char* target = std::getenv("NOTIFY_SOCKET");
  if (o.notify != NotifyMode::container || target == nullptr || *target == '\0')
    return std::optional<NotifyRelay>();
  if (util::Result<util::UnixAddress> a = util::notify_address(target); !a)
    return std::move(a).error().wrap("$NOTIFY_SOCKET");
  util::Result<NotifyRelay> relay = NotifyRelay::open(state_dir, target);
  if (!relay)
    return std::move(relay).error();
  plan.config.mounts.push_back(notify_mount(relay->host_dir()));
  // The watchdog systemd set up is ours to pass on only when WATCHDOG_PID (if any) is us.
  const char* watchdog_pid = std::getenv("WATCHDOG_PID");
  const bool ours = watchdog_pid == nullptr || std::string(watchdog_pid) == std::to_string(::getpid());
  const bool pid_one = (plan.namespaces.clone_flags & CLONE_NEWPID) != 0;
  add_notify_env(plan.config.process->env, ours ? std::getenv("WATCHDOG_USEC") : nullptr, pid_one);
  return std::optional<NotifyRelay>(std::move(*relay));
}

// What the init is cloned with, besides the plan.
struct SpawnInputs {
  std::string rootfs;
  int fifo_fd = -1;
  std::vector<int> prepared_mounts;  // per config.mounts entry, an fd or -1
  /// The cgroup the init enters by itself (made before the clone); null: the driver
  /// moves it (place_in_cgroup()).
  os::CgroupEntry* cgroup = nullptr;
};

// Clones the init. In the child this never returns (os::init_main); in the parent the
// init is owned (killed and reaped on failure) from the moment it exists.
util::Result<os::InitProcess> spawn_init(const CreateOptions& o, const CreatePlan& plan, const SpawnInputs& in,
                                         const HostIntegration& host) {
  util::Result<std::pair<os::SyncChannel, os::SyncChannel>> pair = os::SyncChannel::make_pair();
  if (!pair)
    return std::move(pair).error();
  os::SyncChannel sync = std::move(pair->first);
  os::SyncChannel init_end = std::move(pair->second);
  // Namespaces the init is born in: a pid namespace to join (for our children only),
  // and with a new user namespace the ones it could not join from inside it.
  os::NamespaceSwitch around_clone;
  if (!plan.namespaces.join_pid_path.empty())
    if (util::Status s = around_clone.enter({spec::NamespaceType::pid, plan.namespaces.join_pid_path}); !s)
      return std::move(s).error();
  for (const os::JoinTarget& t : plan.namespaces.parent_joins)
    if (util::Status s = around_clone.enter(t); !s)
      return std::move(s).error();
  // The child gets a copy of our stdio buffers: flush them so nothing prints twice.
  (void)std::fflush(nullptr);
  bool born_in_cgroup = false;
  util::Result<int> pid = in.cgroup ? os::clone_into(plan.namespaces.clone_flags, *in.cgroup, &born_in_cgroup)
                                    : os::clone_process(plan.namespaces.clone_flags);
  if (!pid)
    return std::move(pid).error().wrap("start the container init");
  if (*pid == 0) {
    os::InitArgs args;
    args.config = &plan.config;
    args.plan = plan.namespaces;
    args.id = o.id;
    args.rootfs = in.rootfs;
    args.sync_fd = init_end.fd();
    args.parent_sync_fd = sync.fd();
    args.fifo_fd = in.fifo_fd;
    args.no_pivot = o.no_pivot;
    args.no_new_keyring = o.no_new_keyring;
    args.rootless = os::rootless_runtime();
    args.preserve_fds = plan.preserved_fds;
    args.prepared_mounts = in.prepared_mounts;
    args.cgroup = in.cgroup;
    args.born_in_cgroup = born_in_cgroup;
    if (plan.journald)
      args.log_stream = host.journal_stream_opener(o.id);
    os::init_main(args);
  }
  return os::InitProcess(util::OwnedChild(*pid), std::move(sync));
}

// The init, and our connection to the seccomp agent (empty without one).
struct Started {
  os::InitProcess init;
  util::UniqueFd notify_conn;
};

// What the init needs from the host's side, then the init itself.
util::Result<Started> start_init(const CreateOptions& o, const CreatePlan& plan, const std::string& rootfs, int fifo_fd,
                                 os::CgroupEntry* cgroup, const HostIntegration& host) {
  // linux.seccomp.listenerPath: connected now, so that an agent that is not there fails
  // `create` before any process exists (the init closes its inherited copy).
  util::Result<util::UniqueFd> notify_conn = os::connect_listener(os::notify_listener(&*plan.config.linux_));
  if (!notify_conn)
    return std::move(notify_conn).error();
  // Idmapped binds are made here, on the host's side, where the privilege to idmap the
  // source's file system is; the init (maybe in a new user namespace) only moves them. With
  // a new user namespace every bind source is opened here too, with our credentials; the
  // init has its copies, ours close on return.
  os::RealSyscalls real;
  util::Result<std::vector<util::UniqueFd>> idmapped =
      os::prepare_mount_sources(plan.config, plan.namespaces.new_user, real);
  if (!idmapped)
    return std::move(idmapped).error();
  SpawnInputs in;
  in.rootfs = rootfs;
  in.fifo_fd = fifo_fd;
  in.cgroup = cgroup;
  for (const util::UniqueFd& fd : *idmapped)
    in.prepared_mounts.push_back(fd.valid() ? fd.get() : -1);
  util::Result<os::InitProcess> init = spawn_init(o, plan, in, host);
  if (!init)
    return std::move(init).error();
  // --debug: the steps, with the words runc's debug log uses (its tests look for them).
  util::log_debug("create `" + o.id + "`: nsexec container setup: init is pid " + std::to_string(init->pid()));
  return Started{std::move(*init), std::move(*notify_conn)};
}

// The init has joined and unshared what it must and waits for us: its id maps and time
// offsets, then `mapped`. From `mapped` on, it mounts while we set up its cgroup.
util::Status map_ids(os::InitProcess& init, const CreatePlan& plan, const std::string& id) {
  const spec::Linux& lc = *plan.config.linux_;
  if (util::Status s = init.wait_unshared(); !s)
    return s;
  util::log_debug("create `" + id + "`: child process in init(): namespaces joined");
  if (plan.namespaces.new_user)
    if (util::Status s = os::write_id_maps(init.pid(), lc.uid_mappings, lc.gid_mappings); !s)
      return s;
  if (plan.namespaces.unshare_time && !lc.time_offsets.empty())
    if (util::Status s = os::write_time_offsets(init.pid(), lc.time_offsets); !s)
      return s;
  return init.send_mapped();
}

// Makes the cgroup and applies the limits, moving `pid` into it (0: nobody yet, the init
// enters by itself).
util::Status make_cgroup(cgroups::Driver& driver, const spec::Config& config, int pid) {
  // Device rules even without linux.resources: runc's defaults (device_rules.h). Not
  // rootless: only the host's root may write a device cgroup, and the devices such a
  // container has are binds of the host's nodes, which the user could open anyway.
  spec::Resources resources = config.linux_->resources.value_or(spec::Resources{});
  resources.devices = os::rootless_runtime() ? std::vector<spec::DeviceCgroupRule>{} : effective_device_rules(config);
  if (util::Status s = driver.create(pid, &resources); !s)
    return std::move(s).error().wrap("cgroup");
  for (const std::string& warning : driver.warnings())  // settings this cgroup version skips
    util::log_warning(warning);
  return {};
}

// The cgroupfs drivers: the cgroup, made before the init exists, and what the init needs
// to enter it by itself (linux/cgroup_entry.h: no RCU grace period for moving a pid).
util::Result<os::CgroupEntry> make_cgroup_to_enter(cgroups::Driver& driver, const spec::Config& config) {
  if (util::Status s = make_cgroup(driver, config, 0); !s)
    return std::move(s).error();
  util::Result<os::CgroupEntry> entry = driver.open_entry({});
  if (!entry)
    return std::move(entry).error().wrap("cgroup");
  return entry;
}

// The cgroup, with the init in it (unless it was made before the clone and the init
// entered it by itself); then `placed`: the init waits for it before its first cgroup
// mount.
util::Status place_in_cgroup(os::InitProcess& init, cgroups::Driver& driver, const spec::Config& config,
                             const std::string& id, bool made) {
  if (!made)
    if (util::Status s = make_cgroup(driver, config, init.pid()); !s)
      return s;
  if (util::Status s = init.send_placed(); !s)
    return s;
  if (std::string calls = driver.describe_calls(); !calls.empty())
    util::log_debug("create `" + id + "`: " + calls);
  return {};
}

// The runtime hooks, once the init has mounted everything (runc's order), then `proceed`
// with the state the init's own hooks read; then the seccomp listener, then `ready`.
util::Status hooks_until_ready(os::InitProcess& init, const ContainerState& state, const spec::Config& config,
                               util::UniqueFd notify_conn) {
  if (util::Status s = init.wait_mounted(); !s)
    return s;
  const std::string state_json = oci_state_json(state, ContainerStatus::creating, 0);
  if (config.hooks) {
    // prestart is deprecated but still run, before createRuntime, in our namespaces. Its
    // state says `created`, as runtime-tools' validation and crun have it (runc: creating).
    if (util::Status s =
            os::run_hooks(config.hooks->prestart, oci_state_json(state, ContainerStatus::created, 0), "prestart");
        !s)
      return s;
    if (util::Status s = os::run_hooks(config.hooks->create_runtime, state_json, "createRuntime"); !s)
      return s;
  }
  if (util::Status s = init.send_proceed(oci_state(state, ContainerStatus::creating)); !s)
    return s;
  // The init loads its seccomp filter before `ready`; a listener fd goes to the agent.
  if (const spec::Seccomp* notify = os::notify_listener(&*config.linux_); notify != nullptr)
    if (util::Status s = init.forward_seccomp_listener(std::move(notify_conn), *notify, state_json); !s)
      return s;
  return init.wait_ready();
}

// The console to --console-socket, the init's pidfd to --pidfd-socket, state.json says
// `created`, and last the pid file: it exists only for a container that is complete (a
// create killed before leaves none behind; delete does not know the file).
util::Status publish(const CreateOptions& o, StateStore& store, ContainerState& state, util::UniqueFd& pty_master) {
  if (pty_master && !o.console_socket.empty()) {
    if (util::Status s = send_console_fd(o.console_socket, pty_master.get()); !s)
      return s;
    pty_master.reset();
  }
  if (!o.pidfd_socket.empty()) {
    util::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, state.pid, 0)));
    if (!pidfd)
      return util::errno_error("pidfd_open").wrap("pidfd socket `" + o.pidfd_socket + "`");
    if (util::Status s =
            util::send_fd_to_path(o.pidfd_socket, o.id, pidfd.get(), "pidfd socket `" + o.pidfd_socket + "`");
        !s)
      return s;
  }
  state.status = ContainerStatus::created;
  if (util::Status s = store.save(state); !s)
    return s;
  if (!o.pid_file.empty())
    if (util::Status s = util::write_file_atomic(o.pid_file, std::to_string(state.pid), 0644); !s)
      return std::move(s).error().wrap("write the pid file");
  return {};
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

util::Result<CreatePlan> plan_create(const CreateOptions& o, bool keep_pty, spec::Config config, int listen_fds,
                                     bool systemd_runs_host, const HostIntegration& host) {
  if (util::Status s = spec::validate(config); !s)
    return std::move(s).error().wrap("config.json");
  if (!config.process)
    return util::make_error("config.json: /process: required to create a container", EINVAL);
  CreatePlan plan;
  plan.validated_json = spec::to_json(config, 0);
  plan.preserved_fds = listen_fds + o.preserve_fds;
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
  plan.journald = o.log_driver == "journald";
  if (plan.journald && config.process->terminal)
    return util::make_error("--log-driver journald: the process has a terminal (process.terminal)", EINVAL);
  if (plan.journald)
    if (util::Status s = host.check_journald(); !s)
      return std::move(s).error();

  plan.namespaces = os::plan_namespaces(lc.namespaces);
  bool mount_ns = (plan.namespaces.clone_flags & CLONE_NEWNS) != 0;
  for (const os::JoinTarget& t : plan.namespaces.joins)
    mount_ns = mount_ns || t.type == spec::NamespaceType::mount;
  if (!mount_ns)
    return util::make_error(
        "config.json: /linux/namespaces: a mount namespace is required (without one the "
        "rootfs mounts would land in the host's mount namespace)",
        EINVAL);
  // --unit and -p are about a systemd unit: they choose the systemd driver.
  bool wants_unit = !o.unit.empty() || !o.properties.empty();
  if (util::Status s = host.check_properties(o.properties); !s)
    return std::move(s).error();
  if (wants_unit && o.cgroup_manager == "cgroupfs")
    return util::make_error("--unit and -p need the systemd cgroup driver, not --cgroup-manager cgroupfs", EINVAL);
  util::Result<CgroupDriverKind> driver_kind =
      choose_cgroup_driver(o.cgroup_manager, o.systemd_cgroup || wants_unit, lc.cgroups_path, systemd_runs_host);
  if (!driver_kind)
    return std::move(driver_kind).error();
  plan.driver_kind = *driver_kind;
  plan.may_use_delegated = o.cgroup_manager == "auto" && !o.systemd_cgroup && !wants_unit && lc.cgroups_path.empty();
  plan.config = std::move(config);
  return plan;
}

util::Result<Spawned> create_container(const CreateOptions& o, bool keep_pty) {
  const HostIntegration& host = host_integration();
  // 1. Validate and plan: nothing of ours exists yet.
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
  util::Result<CreatePlan> planned =
      plan_create(o, keep_pty, std::move(*loaded), listen_fds, systemd_runs_host(), host);
  if (!planned)
    return std::move(planned).error();
  CreatePlan& plan = *planned;
  const spec::Config& config = plan.config;
  util::Result<std::string> delegated = delegated_cgroup(plan, host);
  if (!delegated)
    return std::move(delegated).error();
  // systemd will move the init into its scope, and that move waits for an RCU grace
  // period: start it now, while the module loads and the init is cloned.
  if (plan.driver_kind == CgroupDriverKind::systemd && delegated->empty())
    cgroups::start_migration_grace_period();
  util::Result<std::string> rootfs = absolute_rootfs(config, o.bundle);
  if (!rootfs)
    return std::move(rootfs).error();

  // 2. The state directory, config.json, exec.fifo, the driver, state.json `creating`.
  util::Result<StateDir> dir = make_state_dir(o, plan, *rootfs, *delegated, host);
  if (!dir)
    return std::move(dir).error();
  util::ScopeGuard remove_state_dir([&] { (void)dir->store.remove(o.id); });
  ContainerState& state = dir->state;
  util::Result<std::optional<NotifyRelay>> notify = open_notify_relay(o, plan, dir->store.dir(o.id));
  if (!notify)
    return std::move(notify).error();
  // Armed once the cgroup is made (before the clone for the cgroupfs drivers, else when
  // the init is told to go on, `mapped`): destroy() of nothing is fine, and create()
  // cleans up after itself. Runs after the init is killed (declared before it).
  bool cgroup_made = false;
  util::ScopeGuard destroy_cgroup([&] {
    if (cgroup_made)
      (void)dir->driver->destroy();
  });

  // 3. The cgroupfs drivers make the cgroup now, for the init to be born in it.
  std::optional<os::CgroupEntry> entry;
  if (dir->driver->creates_before_clone()) {
    cgroup_made = true;
    util::Result<os::CgroupEntry> e = make_cgroup_to_enter(*dir->driver, config);
    if (!e)
      return std::move(e).error();
    entry = std::move(*e);
  }
  // No thread of ours may be running when the init is cloned (runtime/host_integration.h).
  await_host_integration();
  // Spawn the init: from here it is owned, killed and reaped on any failure.
  util::Result<Started> started = start_init(o, plan, *rootfs, dir->fifo.get(), entry ? &*entry : nullptr, host);
  if (!started)
    return std::move(started).error();
  const bool entered = entry.has_value();
  entry.reset();  // the init has its copies
  os::InitProcess& init = started->init;
  dir->fifo.reset();

  // 4. Drive the init through its steps (sync.h).
  if (util::Status s = map_ids(init, plan, o.id); !s)
    return std::move(s).error();
  cgroup_made = true;
  if (util::Status s = place_in_cgroup(init, *dir->driver, config, o.id, entered); !s)
    return std::move(s).error();
  cgroups::end_migration_grace_period();
  bool machine_registered = false;
  util::ScopeGuard unregister_machine([&] {
    if (machine_registered)
      (void)host.unregister_machine(o.id);
  });
  if (o.register_machine) {
    if (util::Status s = host.register_machine(o.id, init.pid(), *rootfs); !s)
      return std::move(s).error();
    machine_registered = true;
  }
  // The init and the cgroup as made (systemd's ControlGroup may differ from the plan).
  state.pid = init.pid();
  state.pid_start_time = process_start_time(state.pid);
  state.cgroup_path = dir->driver->path();
  if (util::Status s = dir->store.save(state); !s)
    return std::move(s).error();
  // With a terminal, the init made the pty from the container's devpts with /dev.
  util::UniqueFd pty_master;
  if (config.process->terminal) {
    util::Result<util::UniqueFd> m = init.receive_pty_master();
    if (!m)
      return std::move(m).error();
    pty_master = std::move(*m);
  }
  if (util::Status s = hooks_until_ready(init, state, config, std::move(started->notify_conn)); !s)
    return std::move(s).error();
  util::log_debug("create `" + o.id + "`: init: closing the pipe to signal completion: waiting on exec.fifo");

  // 5. Publish.
  if (util::Status s = publish(o, dir->store, state, pty_master); !s)
    return std::move(s).error();
  unregister_machine.dismiss();
  destroy_cgroup.dismiss();
  remove_state_dir.dismiss();
  cgroups::reap_migration_helper();
  Spawned out;
  out.sync = init.release();
  out.state = std::move(state);
  out.pty_master = std::move(pty_master);
  out.driver = std::move(dir->driver);
  out.process = std::move(plan.config.process);
  out.notify = std::move(*notify);
  return out;
}

util::Status create(const CreateOptions& options) {
  util::Result<Spawned> spawned = create_container(options, false);
  if (!spawned)
    return std::move(spawned).error();
  return {};
}

}  // namespace ocistart::runtime
