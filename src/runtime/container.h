// The container lifecycle with runc's semantics: create, start, run, kill, delete, exec,
// ps. One file per operation (create.cc, start.cc, ...); this header is their API for
// cli/, plus the few helpers they share (container.cc).
//
// Every function returns the error without the command context; the CLI wraps it
// ("create `abc`: ...") and prints it once. Functions that print (ps, run's relay) say so.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/driver.h"
#include "linux/sync.h"
#include "runtime/notify_relay.h"
#include "runtime/state_store.h"
#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::runtime {

/// `create` (and the create half of `run`).
struct CreateOptions {
  std::string root;  // --root: the state directory
  std::string id;
  std::string bundle;          // absolute
  std::string console_socket;  // AF_UNIX socket that receives the pty master
  std::string pidfd_socket;    // AF_UNIX socket that receives a pidfd of init (runc 1.2)
  std::string pid_file;        // written atomically with init's pid (no newline, as runc)
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  std::string cgroup_manager = "auto";  // systemd | cgroupfs | auto
  bool systemd_cgroup = false;          // runc's --systemd-cgroup
  /// systemd-run's --unit and -p NAME=VALUE (unit-file syntax): both ask for the systemd
  /// driver. `unit` without a suffix gets ".scope".
  std::string unit;
  std::vector<std::string> properties;
  std::string log_driver = "passthrough";  // passthrough | journald (stdout/stderr)
  bool register_machine = false;           // systemd-machined RegisterMachine, named after the id
  /// run --notify: with `container` and $NOTIFY_SOCKET set, the container gets a notify
  /// socket of its own (notify_relay.h), relayed by the foreground run.
  NotifyMode notify = NotifyMode::runtime;
};

/// `run`: create + start, then (unless detach) supervise and delete.
struct RunOptions : CreateOptions {
  bool detach = false;
  bool keep = false;          // keep the stopped container instead of deleting it
  bool no_subreaper = false;  // do not adopt the container's orphans (runc's --no-subreaper)
  /// Called once the container is created, before it starts (the CLI says which id a
  /// bundle-less run got, as systemd-run names its unit only once it exists).
  std::function<void(const std::string& id)> on_created;
};

/// `exec`: a new process in a running (or created) container.
struct ExecOptions {
  std::string root;
  std::string id;
  std::vector<std::string> args;
  std::string process_json;  // --process: path to a process.json (replaces args and flags)
  std::string console_socket;
  std::string cwd;
  std::vector<std::string> env;  // appended to the config's env
  bool replace_env = false;      // `env` replaces the config's env (shell)
  bool tty = false;
  std::optional<uint32_t> uid, gid;
  std::vector<uint32_t> additional_gids;
  std::vector<std::string> caps;  // added to every capability set
  bool no_new_privs = false;
  std::string apparmor, process_label;
  bool detach = false;
  std::string pid_file;
  int preserve_fds = 0;
  std::vector<std::string> cgroups;  // --cgroup [<controller>[,<controller>]:]<path>
  bool ignore_paused = false;        // --ignore-paused: exec in a paused container too
};

/// Creates the container: validated id and config, state directory, exec.fifo, init
/// cloned into its namespaces, id maps, cgroup, prestart and createRuntime hooks, init's
/// setup up to `ready`, pid file, state.json (status created). Any failure undoes every
/// step taken (init killed and reaped, cgroup removed, state directory removed).
[[nodiscard]] util::Status create(const CreateOptions& options);

/// Lets a created container's init exec the user's process (reads exec.fifo), then runs
/// poststart hooks (a failing one is a warning, as the spec says) and records `running`.
[[nodiscard]] util::Status start(const std::string& root, const std::string& id);

/// create + start. Foreground: relays signals to init, proxies the pty when the process
/// has a terminal and no console socket was given, reaps, deletes the container (unless
/// keep) and returns the exit status (128+N for a signal). Detached: returns 0 once the
/// process runs.
[[nodiscard]] util::Result<int> run(const RunOptions& options);

/// Sends `signal` to init, or with `all` to every process of the container's cgroup.
/// A stopped container is "container not running" (ESRCH).
[[nodiscard]] util::Status kill(const std::string& root, const std::string& id, int signal, bool all);

/// pause: freezes every process of a created or running container (runc's `pause`) and
/// records it paused. resume: thaws a paused one. Errors: "container not running" /
/// "container not paused" (EINVAL), or the driver's.
[[nodiscard]] util::Status pause(const std::string& root, const std::string& id);
[[nodiscard]] util::Status resume(const std::string& root, const std::string& id);

/// Deletes a stopped container: poststop hooks (failures are warnings), cgroup, state.
/// A created or running one needs `force` (SIGKILL to everything in it, then wait).
[[nodiscard]] util::Status remove(const std::string& root, const std::string& id, bool force);

/// Runs a process inside the container. Foreground: returns its exit status (128+N for a
/// signal); detached: 0 once it runs.
[[nodiscard]] util::Result<int> exec(const ExecOptions& options);

/// Prints the container's processes: `json` an array of pids, else `ps <ps_args>` (runc:
/// "-ef") filtered to the container's pids, header kept. Prints to stdout.
[[nodiscard]] util::Status ps(const std::string& root, const std::string& id, const std::string& format,
                              const std::vector<std::string>& ps_args);

// ---- shared by the operation files (container.cc) ----

/// A container loaded under its lock, with its status now.
struct Loaded {
  StateStore store;
  ContainerLock lock;
  ContainerState state;
  ContainerStatus status = ContainerStatus::stopped;
};

/// Opens the store, locks `id` and loads its state.
[[nodiscard]] util::Result<Loaded> load_locked(const std::string& root, const std::string& id);

/// The cgroup driver for a recorded state: cgroupfs on cgroup_path, or (cgroup_driver
/// "systemd") the systemd driver for systemd_unit, whose cgroup is cgroup_path; it connects
/// to systemd only when a method needs D-Bus (destroy, freeze, update). `root` (the state
/// root) lets update() remember properties systemd refuses; may be empty.
[[nodiscard]] util::Result<std::unique_ptr<cgroups::Driver>> driver_for(const ContainerState& state,
                                                                        const std::string& root = {});

/// Which cgroup driver `create` uses.
enum class CgroupDriverKind { cgroupfs, systemd };

/// systemd when `cgroup_manager` is "systemd" or `systemd_cgroup` (runc's flag) is set, or
/// under "auto" when `cgroups_path` is "slice:prefix:name" or empty while systemd runs the
/// host; cgroupfs otherwise. EINVAL for "cgroupfs" with a "slice:prefix:name" path.
[[nodiscard]] util::Result<CgroupDriverKind> choose_cgroup_driver(const std::string& cgroup_manager,
                                                                  bool systemd_cgroup, const std::string& cgroups_path,
                                                                  bool systemd_runs_host);

/// The config `create` validated, kept in the state directory (StateStore::load_config):
/// never the bundle's config.json again, which may have changed or gone since.
[[nodiscard]] util::Result<spec::Config> load_config_for(const StateStore& store, const ContainerState& state);

/// Removes a stopped container: poststop hooks (warn on failure), cgroup, state dir.
/// `config` is load_config_for's result (read once by the caller, who may have needed it
/// for kill_all_and_wait too; an error only skips the hooks). The caller holds the lock and has checked that init is gone. `driver` is the one that
/// created the container when the caller still has it (run: its bus connection is reused);
/// null makes one from the state. A container whose state still says `creating` is what a
/// create that died left: no poststop hooks (it never got as far as create's own undo
/// would have run them, which it does not), and what it may not have made yet (machine,
/// unit) may be missing without a warning.
[[nodiscard]] util::Status destroy_stopped(StateStore& store, const ContainerState& state,
                                           const util::Result<spec::Config>& config, cgroups::Driver* driver = nullptr);

/// SIGKILLs init and, unless the container has a pid namespace of its own (then the kernel
/// ends the rest with init, and whatever else is in the cgroup is another container's),
/// every process of the cgroup; then waits (up to `timeout_ms`) until init is gone (its pid
/// reaped by us or no longer the same process) and those processes too. `config` is
/// load_config_for's result (an error: no pid namespace of its own is assumed).
[[nodiscard]] util::Status kill_all_and_wait(const ContainerState& state, const util::Result<spec::Config>& config,
                                             cgroups::Driver* driver, int timeout_ms = 10000);

/// Exit status as a shell reports it: the exit code, or 128+N when killed by signal N.
[[nodiscard]] int exit_status_from_wait(int wait_status) noexcept;

/// Now as RFC 3339 with nanoseconds in UTC ("2024-05-01T12:00:00.123456789Z").
[[nodiscard]] std::string rfc3339_nano_now();

/// A created container whose init is our child (run, and create's internal result).
struct Spawned {
  ContainerState state;
  os::SyncChannel sync;       // still connected to init until it execs
  util::UniqueFd pty_master;  // when terminal and no console socket
  std::unique_ptr<cgroups::Driver> driver;
  std::optional<spec::Process> process;
  std::optional<NotifyRelay> notify;  // --notify=container under $NOTIFY_SOCKET
};

/// create() for run: the same steps, but keeps init's sync socket and the pty master
/// (when there is no console socket) for the foreground supervision.
[[nodiscard]] util::Result<Spawned> create_container(const CreateOptions& options, bool keep_pty);

}  // namespace ocistart::runtime
