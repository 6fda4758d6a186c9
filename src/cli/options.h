// What each subcommand's flags and arguments parse into: one plain struct per command.
// cli/app.cc binds CLI11 to these; the runtime reads them. Paths that runc makes absolute
// (bundle, pid file) are already absolute here, resolved against the caller's cwd.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/bundleless.h"
#include "cli/service.h"
#include "spec/config.h"
#include "util/result.h"

namespace ocistart::cli {

/// create: `create [flags] <container-id>`.
struct CreateOptions {
  std::string id;
  std::string bundle;           // --bundle/-b; absolute, defaults to the cwd
  std::string console_socket;   // --console-socket: AF_UNIX socket receiving the pty master
  std::string pidfd_socket;     // --pidfd-socket: AF_UNIX socket receiving a pidfd of init
  std::string pid_file;         // --pid-file; absolute when set
  bool no_pivot = false;        // --no-pivot: MS_MOVE + chroot instead of pivot_root
  bool no_new_keyring = false;  // --no-new-keyring: keep the caller's session keyring
  int preserve_fds = 0;         // --preserve-fds N: pass fds 3..3+N-1 (plus $LISTEN_FDS)
  // ocistart extensions (systemd-native):
  std::vector<std::string> properties;     // --property/-p NAME=VALUE: extra unit properties
  std::string unit;                        // --unit NAME: transient unit name
  std::string log_driver = "passthrough";  // --log-driver passthrough|journald
  bool register_machine = false;           // --register-machine: with systemd-machined
};

/// run: create + start; in the foreground unless --detach. `run [flags] <container-id>`
/// from a bundle; with --rootfs or --image a bundle-less run (cli/bundleless.h):
/// `run --rootfs DIR|--image NAME [flags] [--name ID] [--] [CMD ARGS...]`, where every
/// positional is the command and flags end at the first one (in bundle mode flags may
/// follow the id, as runc's).
struct RunOptions : CreateOptions {
  bool detach = false;             // --detach/-d
  bool keep = false;               // --keep: do not delete the container after it exits
  bool no_subreaper = false;       // --no-subreaper
  std::string notify = "runtime";  // --notify=runtime|container: who says READY=1
  bool bundle_given = false;       // --bundle/-b was on the command line
  BundlelessOptions bundleless;
  ServiceOptions service;  // --service, the timers (cli/service.h)
};

/// start, pause, resume, state: just an id.
struct IdOptions {
  std::string id;
};

/// `exec` --user: "<uid>[:<gid>]".
struct UserSpec {
  uint32_t uid = 0;
  std::optional<uint32_t> gid;
  bool operator==(const UserSpec&) const = default;
};

/// exec: `exec [flags] <container-id> <command> [args...]` or `exec -p process.json <id>`.
/// Like runc, flags are only read before the id: everything after it is the command (one
/// leading `--` is dropped).
struct ExecOptions {
  std::string id;
  std::vector<std::string> args;  // the command; empty with --process
  std::string console_socket;
  std::string pidfd_socket;
  std::string cwd;                        // --cwd
  std::vector<std::string> env;           // --env/-e, repeatable: appended to the spec's env
  bool tty = false;                       // --tty/-t
  std::optional<UserSpec> user;           // --user/-u
  std::vector<uint32_t> additional_gids;  // --additional-gids/-g, repeatable
  std::string process;                    // --process/-p: path to a process.json
  bool detach = false;                    // --detach/-d
  std::string pid_file;                   // absolute when set
  std::string process_label;              // --process-label (SELinux)
  std::string apparmor;                   // --apparmor profile
  bool no_new_privs = false;              // --no-new-privs: force no_new_privileges on
  std::vector<std::string> caps;          // --cap/-c, repeatable: added to every capability set
  int preserve_fds = 0;
  std::vector<std::string> cgroups;  // --cgroup [<controller>[,<controller>]:]<path>
  bool ignore_paused = false;        // --ignore-paused
};

/// kill: `kill [--all] <container-id> [signal]`.
struct KillOptions {
  std::string id;
  std::string signal_name = "SIGTERM";  // as given: "KILL", "SIGKILL", "9"...
  int signal = 15;                      // the parsed number (SIGTERM by default)
  bool all = false;                     // --all/-a: every process in the container's cgroup
};

/// delete: `delete [--force] <container-id>`.
struct DeleteOptions {
  std::string id;
  bool force = false;  // --force/-f: SIGKILL a running container first
};

/// ps: `ps [--format table|json] <container-id> [ps args...]`.
struct PsOptions {
  std::string id;
  std::string format = "table";
  std::vector<std::string> ps_args;  // passed to ps(1); runc uses "-ef" when empty
};

/// events: `events [--interval D] [--stats] <container-id>`.
struct EventsOptions {
  std::string id;
  std::chrono::nanoseconds interval = std::chrono::seconds(5);  // Go-style duration, > 0
  bool stats = false;                                           // print one stats event and exit
};

/// update: `update [resource flags | --resources FILE] <container-id>`. Only the flags that
/// were given are set; memory sizes accept runc's suffixes ("512m", "1G"; -1 = unlimited).
struct UpdateOptions {
  std::string id;
  std::string resources;  // --resources/-r: a LinuxResources JSON file, or "-" for stdin
  std::optional<uint16_t> blkio_weight;
  std::optional<uint64_t> cpu_period;
  std::optional<int64_t> cpu_quota;
  std::optional<uint64_t> cpu_burst;
  std::optional<uint64_t> cpu_shares;  // --cpu-share
  std::optional<uint64_t> cpu_rt_period;
  std::optional<int64_t> cpu_rt_runtime;
  std::optional<int64_t> cpu_idle;
  std::optional<std::string> cpuset_cpus;
  std::optional<std::string> cpuset_mems;
  std::optional<int64_t> memory;
  std::optional<int64_t> memory_reservation;
  std::optional<int64_t> memory_swap;
  std::optional<int64_t> kernel_memory;      // obsolete; accepted and ignored, as runc
  std::optional<int64_t> kernel_memory_tcp;  // obsolete; accepted and ignored, as runc
  std::optional<int64_t> pids_limit;
  std::optional<std::string> l3_cache_schema;
  std::optional<std::string> mem_bw_schema;
};

/// What `update` applies, and what to tell the user first.
struct UpdateRequest {
  spec::Resources resources;          // only the settings to change are set
  std::vector<std::string> warnings;  // ignored input ("--kernel-memory is obsolete, ignored")
};

/// update's flags -> the settings to change, as runc reads them: only the flags given; 0 for
/// --blkio-weight and an empty --cpuset-cpus/--cpuset-mems mean "not given"; -1 memory sizes
/// and --pids-limit -1 mean unlimited; --kernel-memory(-tcp) only warn. Values are checked as
/// validate() checks config.json; errors name the flag: "--cpu-idle: must be 0 or 1, got 2".
/// --l3-cache-schema / --mem-bw-schema fail (ENOTSUP): ocistart manages no Intel RDT group.
/// Pure.
[[nodiscard]] util::Result<UpdateRequest> update_request_from_flags(const UpdateOptions& options);

/// An `update -r` document (a linux.resources object) -> the settings to change. Kept, as
/// runc: memory limit, reservation, swap, checkBeforeUpdate; every cpu member; blockIO; pids;
/// unified. Ignored: devices, hugepageLimits, network, rdma, memory swappiness,
/// disableOOMKiller, useHierarchy, and (with a warning) kernel/kernelTCP. Zero values runc
/// treats as unset (blockIO weights) are dropped. Errors start with the JSON pointer:
/// "/memory/limit: expected an integer, got string". Pure.
[[nodiscard]] util::Result<UpdateRequest> update_request_from_document(std::string_view json);

/// spec: `spec [--bundle DIR] [--rootless]`.
struct SpecOptions {
  std::string bundle;  // empty: the cwd
  bool rootless = false;
};

/// list: `list [--format table|json|machinectl] [--quiet] [--no-legend]`.
struct ListOptions {
  std::string format = "table";
  bool quiet = false;
  bool no_legend = false;  // machinectl: no header and no "N machines listed."
};

/// show: `show [-p NAME[,NAME]]... [--value] [--all] <container-id>`, as systemctl show.
struct ShowOptions {
  std::string id;
  std::vector<std::string> properties;  // -p/--property
  bool value = false;                   // --value
  bool all = false;                     // --all/-a
};

/// status: like `systemctl status` for the container's unit.
struct StatusOptions {
  std::string id;
  unsigned lines = 10;  // --lines/-n: journal lines to show
};

/// logs: the container's output from the journal.
struct LogsOptions {
  std::string id;
  bool follow = false;            // --follow/-f
  std::optional<unsigned> lines;  // --lines/-n: only the last N
  std::string since;              // --since, as journalctl
  std::string until;              // --until, as journalctl
  std::string output = "short";   // --output/-o short|cat|json
};

/// shell: `shell [--uid USER] [--setenv NAME=VALUE]... <container-id> [command [args...]]`.
struct ShellOptions {
  std::string id;
  std::string user = "root";        // --uid/-u: a name or uid of the container's /etc/passwd
  std::vector<std::string> setenv;  // --setenv/-E NAME=VALUE, repeatable
  std::vector<std::string> args;    // empty: the user's login shell
};

/// copy-to / copy-from: `<container-id> <source> <destination> [--mkdir]`.
struct CopyOptions {
  std::string id;
  std::string source, destination;
  bool mkdir = false;  // --mkdir: make the destination's parent directories
};

/// bind: `bind [--read-only] [--mkdir] <container-id> <host-path> <container-path>`.
struct BindOptions {
  std::string id;
  std::string source, destination;
  bool read_only = false;  // --read-only
  bool mkdir = false;      // --mkdir: make the destination (and its parents)
};

/// runc global flags that ocistart accepts so engines can pass them, but does not use:
/// --rootless (ocistart decides per cgroup whether permission errors are fatal) and --criu
/// (no checkpoint/restore yet).
struct CompatOptions {
  std::string rootless = "auto";  // true|false|auto
  std::string criu;
};

/// Every command's options, owned by the caller of build_app (main, or a test).
struct CommandOptions {
  CompatOptions compat;
  std::string help_topic;  // `help [command]`
  CreateOptions create;
  RunOptions run;
  IdOptions start;
  ExecOptions exec;
  KillOptions kill;
  DeleteOptions del;
  IdOptions pause;
  IdOptions resume;
  PsOptions ps;
  EventsOptions events;
  UpdateOptions update;
  IdOptions state;
  ListOptions list;
  SpecOptions spec;
  StatusOptions status;
  LogsOptions logs;
  ShellOptions shell;
  CopyOptions copy_to, copy_from;
  BindOptions bind;
  ShowOptions show;
};

/// A memory size as runc's update takes it (docker's RAMInBytes): digits with an optional
/// fraction, an optional space, then an optional k/m/g/t/p (binary multiples, any case)
/// with optional "i" and "b"; "-1" means unlimited. EINVAL on anything else or overflow.
[[nodiscard]] util::Result<int64_t> parse_memory_size(std::string_view text);

/// A Go duration ("300ms", "1.5h", "2m30s"; units ns us µs ms s m h). EINVAL when malformed.
[[nodiscard]] util::Result<std::chrono::nanoseconds> parse_duration(std::string_view text);

/// "<uid>[:<gid>]" with decimal ids. EINVAL when malformed.
[[nodiscard]] util::Result<UserSpec> parse_user(std::string_view text);

/// `path` made absolute against the cwd and cleaned lexically (like Go's filepath.Abs).
[[nodiscard]] std::string absolute_path(std::string_view path);

}  // namespace ocistart::cli
