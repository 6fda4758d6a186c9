// The state store: <root>/<id>/state.json, one directory per container, a lock per id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/status.h"
#include "spec/config.h"
#include "spec/state.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::runtime {

/// What state.json holds: the OCI state plus what later commands need.
struct ContainerState {
  std::string oci_version;  // of the config that created it
  std::string id;
  ContainerStatus status = ContainerStatus::creating;  // as last recorded; see current_status()
  int pid = 0;                                         // init (the container's pid 1 seen from the host)
  uint64_t pid_start_time = 0;                         // /proc/<pid>/stat field 22, to detect pid reuse
  std::string bundle;                                  // absolute
  std::string rootfs;                                  // absolute
  std::string created;                                 // RFC 3339 with nanoseconds, UTC
  std::string owner;                                   // user name (or uid) that created it
  spec::StringMap annotations;
  // Runtime-private, not in the OCI state:
  std::string cgroup_driver;         // "cgroupfs" or "systemd"
  std::string cgroup_path;           // the container's cgroup, relative to the cgroup root
  std::string systemd_unit;          // transient unit name with the systemd driver
  std::string machine;               // name registered with systemd-machined (--register-machine)
  bool systemd_cgroup_flag = false;  // created with --systemd-cgroup
};

/// The OCI state document (runtime.md "State"), as `ocistart state` prints it and hooks
/// receive it, member for member as runc prints it: ociVersion, id, pid (0 when
/// `status` is stopped, as runc), status, bundle, rootfs, created, annotations (only when
/// not empty), owner. indent as JsonWriter.
[[nodiscard]] std::string oci_state_json(const ContainerState& s, ContainerStatus status, int indent = 2);
/// The same document as a struct (spec::to_json(oci_state(s, status), indent) is
/// oci_state_json()): what `create` sends the init for its hooks.
[[nodiscard]] spec::State oci_state(const ContainerState& s, ContainerStatus status);

/// The status now: `stopped` when init is gone (see init_alive()), `created` while
/// `<dir>/exec.fifo` exists, the recorded `paused` (or `creating`), else `running`. A
/// recorded `creating` without a pid (create has not cloned the init yet, or died before it
/// recorded one) stays `creating`.
[[nodiscard]] ContainerStatus current_status(const ContainerState& s, const std::string& container_dir);

/// Whether the init `s` records still lives: false for pid 0, no such process, a zombie, or
/// a pid that was reused (its start time differs from pid_start_time).
[[nodiscard]] bool init_alive(const ContainerState& s);

/// Start time (clock ticks since boot, /proc/<pid>/stat field 22) of `pid`; 0 if gone.
[[nodiscard]] uint64_t process_start_time(int pid);

/// The fields of a /proc/<pid>/stat line that the state store needs.
struct ProcStat {
  char state = 0;           // field 3: R, S, D, Z (zombie), X (dead), ...
  uint64_t start_time = 0;  // field 22
};
/// Parses a /proc/<pid>/stat line. The comm field (2) may hold spaces and parentheses,
/// so fields are counted from the last ')'. nullopt when the line is malformed.
[[nodiscard]] std::optional<ProcStat> parse_proc_stat(std::string_view line);

/// An exclusive flock on a container's directory; released on destruction.
class ContainerLock {
 public:
  explicit ContainerLock(util::UniqueFd fd) : fd_(std::move(fd)) {}
  [[nodiscard]] int dirfd() const noexcept { return fd_.get(); }

 private:
  util::UniqueFd fd_;
};

/// The default --root: /run/ocistart for root; for anyone else $XDG_RUNTIME_DIR/ocistart
/// (runc's choice for rootless), or "" when $XDG_RUNTIME_DIR is not an absolute path
/// (StateStore::open then says so).
[[nodiscard]] std::string default_state_root();

/// One container as `list` sees it: its state.json and its status now.
struct StoredContainer {
  ContainerState state;
  ContainerStatus status = ContainerStatus::stopped;
};

/// The state store. Everything in it is trusted by later commands (a pid that `kill`
/// signals, the config `exec` applies), so only we may write there: the root must be
/// owned by our euid and writable by nobody else, and each container's directory and files
/// likewise (checked on every load). Another user's file there is refused, never read.
class StateStore {
 public:
  /// Opens (creating with mode 0700 when missing) the root directory. EPERM when it is not
  /// owned by our euid or is writable by group or others: "state root `/x` is writable by
  /// group or others (mode 1777): refused, other users could forge container state in it".
  [[nodiscard]] static util::Result<StateStore> open(std::string root);

  [[nodiscard]] const std::string& root() const noexcept { return root_; }
  /// <root>/<id>; `id` must already be valid.
  [[nodiscard]] std::string dir(const std::string& id) const;

  /// Makes <root>/<id> (0700) and locks it. EEXIST: "container `id` already exists".
  [[nodiscard]] util::Result<ContainerLock> create(const std::string& id);
  /// Locks an existing container (blocks while another command holds it; flock on the
  /// directory). A directory removed (or replaced) while waiting counts as missing.
  /// ENOENT: "container `id` does not exist"; EINVAL for an invalid id. A directory
  /// without state.json can be locked (so `delete` can clean up after a failed create).
  [[nodiscard]] util::Result<ContainerLock> lock(const std::string& id);

  /// Writes state.json atomically (temp, fsync, rename, fsync dir). Caller holds the lock.
  [[nodiscard]] util::Status save(const ContainerState& state);
  /// Reads state.json. ENOENT: "container `id` does not exist" (also for a directory
  /// without state.json); a file that does not parse: "parse `<path>`: <why>", EINVAL;
  /// a directory or file not owned by our euid, writable by others, or (state.json) not a
  /// regular file: EPERM, naming it.
  [[nodiscard]] util::Result<ContainerState> load(const std::string& id) const;
  /// Writes the config `create` validated (spec::to_json text) as <root>/<id>/config.json,
  /// 0600, atomically; before the first state.json, so every state.json has one beside it.
  /// Caller holds the lock.
  [[nodiscard]] util::Status save_config(const std::string& id, std::string_view json);
  /// The config `create` validated, which every later command (exec, start's and delete's
  /// hooks, delete's view of the namespaces) uses instead of the bundle's config.json:
  /// that file may have been edited or removed since. Errors as load() (ENOENT: "config of
  /// container `id`: ... no such file or directory").
  [[nodiscard]] util::Result<spec::Config> load_config(const std::string& id) const;
  /// A container directory without state.json is a create that died before it recorded
  /// anything (it held the lock until it finished, so a lock we get is proof): removes it.
  /// true when it did; false when there is no such directory or it has a state.json.
  [[nodiscard]] util::Result<bool> remove_unrecorded(const std::string& id);
  /// Removes <root>/<id> and everything in it, and the private bundle of a bundle-less
  /// run (<root>/.bundle-<id>) when there is one. Caller holds the lock.
  [[nodiscard]] util::Status remove(const std::string& id);
  /// <root>/.bundle-<id>: the bundle a bundle-less run (`run --rootfs/--image`) makes for
  /// its generated config.json. Hidden (load_all skips it), next to the container's
  /// directory rather than in it (create makes that one, and fails when it exists), and
  /// removed with it by remove(). `id` must already be valid.
  [[nodiscard]] std::string private_bundle_dir(const std::string& id) const;
  /// Makes private_bundle_dir(id) (0700) with `config_json` as its config.json (0600). EEXIST:
  /// "container `id` already exists" when <root>/<id> or that bundle exists (another run
  /// of that name is starting; a bundle left by a run killed before its create is never
  /// taken over, the message names it). Returns the bundle's path.
  [[nodiscard]] util::Result<std::string> make_private_bundle(const std::string& id, std::string_view config_json);
  /// Removes private_bundle_dir(id) unless <root>/<id> exists (whose remove() will): what a
  /// bundle-less run does after a create that failed. Missing is fine.
  [[nodiscard]] util::Status remove_orphan_bundle(const std::string& id);
  /// Every container with a state.json, sorted by id, with its status (current_status()),
  /// read as load() reads one (its checks, its errors) but relative to one open of the
  /// root. Hidden entries (temp files), names that are not valid ids, symlinks, plain
  /// files and directories without state.json are no containers; one that cannot be read
  /// otherwise (not ours, broken) is left out and its error appended to `skipped`.
  [[nodiscard]] util::Result<std::vector<StoredContainer>> load_all(std::vector<util::Error>& skipped) const;

 private:
  explicit StateStore(std::string root) : root_(std::move(root)) {}
  /// The names in the root (`root_fd`, an open directory of it) that may be containers,
  /// sorted: not hidden (".", "..", temp files), valid ids.
  [[nodiscard]] util::Result<std::vector<std::string>> names(int root_fd) const;
  /// <root>/<id> is a directory of ours (check_ours); ENOENT "does not exist" otherwise.
  [[nodiscard]] util::Status check_dir(const std::string& id) const;
  std::string root_;
};

/// state.json text <-> ContainerState (runtime-private format, compact JSON: ociVersion,
/// id, status, pid, pidStartTime, bundle, rootfs, created, owner, annotations,
/// cgroupDriver, cgroupPath, systemdUnit, machine, systemdCgroup). Parsing requires id and status,
/// ignores unknown members, and names the bad member: "`pid`: expected a process id".
[[nodiscard]] std::string state_file_json(const ContainerState& s);
[[nodiscard]] util::Result<ContainerState> parse_state_file(std::string_view json);

}  // namespace ocistart::runtime
