// One interface for every cgroup manager (cgroupfs v1/v2/hybrid now, systemd later).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "linux/cgroup_entry.h"
#include "spec/config.h"
#include "util/result.h"

namespace ocistart::cgroups {

/// What is at a container's cgroup path before create() makes or joins it.
struct ExistingCgroup {
  /// Processes in the cgroup and below it; 0 when it does not exist.
  size_t processes = 0;
  /// The cgroup, or the nearest ancestor that exists, is frozen: a process put there stops
  /// at once, so create() would wait forever for an init that cannot answer.
  bool frozen = false;
};

/// `exec --cgroup`: sub-cgroups of the container's cgroup, path relative to it, per
/// controller ("cpu", "name=systemd", ...); the key "" means every hierarchy (the only key
/// cgroup v2 has). Empty: the container's cgroup itself. See exec_cgroups.h.
using SubCgroups = std::map<std::string, std::string>;

/// A container's cgroup, however it is managed. Methods are called by the runtime in the
/// parent (never in the forked init). Errors name the file or property that failed.
class Driver {
 public:
  virtual ~Driver() = default;
  /// "cgroupfs" or "systemd".
  [[nodiscard]] virtual std::string_view name() const = 0;
  /// The container's cgroup path relative to each hierarchy's root ("/ocistart/abc").
  [[nodiscard]] virtual const std::string& path() const = 0;

  /// Creates the cgroup (every v1 hierarchy, or the v2 one), applies `resources` and moves
  /// `pid` into it; pid 0 (only where creates_before_clone()): moves nobody, the init
  /// enters by itself (open_entry()). On failure nothing it created is left behind.
  [[nodiscard]] virtual util::Status create(int pid, const spec::Resources* resources) = 0;
  /// Whether create(0, ...) can make the cgroup before the init exists, for the init to
  /// enter it with open_entry(): the cgroupfs drivers. A systemd unit needs the pid.
  [[nodiscard]] virtual bool creates_before_clone() const { return false; }
  /// What a new process needs to enter the cgroup (or the sub-cgroups `sub`, as
  /// add_process() picks them) by itself, without the runtime moving its pid: see
  /// linux/cgroup_entry.h for why. Errors are add_process()'s, naming our own pid; ENOTSUP
  /// when this driver cannot (no cgroup of our own: use add_process()).
  [[nodiscard]] virtual util::Result<os::CgroupEntry> open_entry(const SubCgroups& sub) const;
  /// Applies new limits to an existing cgroup (`update`): only the settings `resources`
  /// holds; the v2 and systemd drivers first complete pairs with with_current_pairs().
  [[nodiscard]] virtual util::Status update(const spec::Resources& resources) = 0;
  /// `resources` with the missing half of each pair that is applied as one value taken from
  /// the cgroup's current files (cgroups::with_current_pairs in resources.h). Unchanged by
  /// default.
  [[nodiscard]] virtual spec::Resources with_current_pairs(const spec::Resources& resources) const { return resources; }
  /// Reads, changing nothing, what is at the cgroup create() would make or join (runc's
  /// checks before create: cgroups/before_create.h).
  [[nodiscard]] virtual util::Result<ExistingCgroup> inspect_existing() const = 0;
  /// Whether `resources` can be applied on this host's cgroup version, writing nothing:
  /// `unified` needs v2, a v2 swap limit needs a memory limit. Errors start with the JSON
  /// pointer below linux.resources ("/unified: invalid configuration: ...").
  [[nodiscard]] virtual util::Status check_resources(const spec::Resources& resources) const = 0;
  /// Moves `pid` into the cgroup (`exec` joins it).
  [[nodiscard]] util::Status add_process(int pid) { return add_process(pid, SubCgroups{}); }
  /// Moves `pid` into the sub-cgroups `sub` of the cgroup (`exec --cgroup`), into the
  /// cgroup itself in every hierarchy `sub` does not name. Errors: an unknown controller,
  /// a sub-cgroup that does not exist (ENOENT, runc's words: "adding pid N to cgroups:
  /// <dir>/cgroup.procs: no such file or directory").
  [[nodiscard]] virtual util::Status add_process(int pid, const SubCgroups& sub) = 0;
  /// Every pid in the cgroup and below it (`ps`, `kill --all`, `delete --force`).
  [[nodiscard]] virtual util::Result<std::vector<int>> pids() const = 0;
  /// Freezes / thaws every process (`pause` / `resume`); waits until the state is reached.
  [[nodiscard]] virtual util::Status freeze() = 0;
  [[nodiscard]] virtual util::Status thaw() = 0;
  /// Removes the cgroup(s); the processes must be gone. Missing is fine.
  [[nodiscard]] virtual util::Status destroy() = 0;
  /// Settings the last create()/update() skipped because this cgroup version cannot
  /// express them ("memory.kernel is not supported on cgroup v2, ignored"); the caller
  /// logs them (lower layers do not log).
  [[nodiscard]] virtual std::vector<std::string> warnings() const { return {}; }

  /// The systemd unit that holds the cgroup; empty for cgroupfs.
  [[nodiscard]] virtual std::string unit() const { return {}; }
  /// path() once create() made (or joined) the cgroup; before, where it will be (systemd
  /// decides the unit's ControlGroup): what create records before making it.
  [[nodiscard]] virtual std::string planned_path() const { return path(); }
  /// For --debug: what this driver did beyond the file system ("unit `x.scope`: 4 D-Bus
  /// calls"); empty when there is nothing to say.
  [[nodiscard]] virtual std::string describe_calls() const { return {}; }
};

/// Which cgroup layout the host has.
enum class Layout { v1, v2, hybrid };

/// Detects the layout under `mount_root` (statfs of the root and of `unified`).
[[nodiscard]] util::Result<Layout> detect_layout(const std::string& mount_root = "/sys/fs/cgroup");

/// The cgroupfs driver for `cgroup_path` (absolute, e.g. "/ocistart/abc": the OCI
/// cgroupsPath, or "/ocistart/<id>" when the config leaves it empty) under `mount_root`.
/// Tests point `mount_root` at a fake tree in a tmpdir.
[[nodiscard]] util::Result<std::unique_ptr<Driver>> make_cgroupfs_driver(
    const std::string& cgroup_path, const std::string& mount_root = "/sys/fs/cgroup");

/// The cgroup path for a container: `cgroups_path` when absolute, "/ocistart/<id>" when
/// empty; a relative path is taken under "/" as runc does.
[[nodiscard]] std::string default_cgroup_path(const std::string& cgroups_path, const std::string& id);

}  // namespace ocistart::cgroups
