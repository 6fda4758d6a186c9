// The systemd cgroup driver: the container's init goes into a transient scope started by
// ONE StartTransientUnit call; what systemd cannot express (v1 cpusets, memsw, IOPS,
// exact device lists, ...) is then written by a cgroupfs driver on the unit's own cgroup,
// through the same translation (resources.h) the cgroupfs driver uses. Only built with
// systemd support (OCISTART_HAVE_SYSTEMD).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/cgroupfs.h"
#include "cgroups/delegation.h"  // systemd_cgroup_from_proc
#include "cgroups/driver.h"
#include "spec/config.h"
#include "systemd/manager.h"
#include "systemd/unit_properties.h"
#include "util/result.h"

namespace ocistart::cgroups {

/// Makes the systemd::Manager on first use, so a driver rebuilt from state.json for
/// `ps` or `kill` (which only read cgroupfs) never opens a bus connection.
using ManagerFactory = std::function<util::Result<std::unique_ptr<systemd::Manager>>()>;

/// Name of the file, in the state root, that lists (one per line) the unit properties
/// this host's systemd refused ("Cannot set property X", UnknownProperty): they are left
/// out of later calls without another failed round trip.
inline constexpr const char* kUnsupportedPropertiesFile = ".systemd-unsupported-properties";

struct SystemdDriverOptions {
  std::string unit;         // "ocistart-abc.scope", "test-c1.scope"
  std::string slice;        // "system.slice"; only for create()
  std::string description;  // the unit's Description; only for create()
  /// The unit's ControlGroup ("/system.slice/x.scope") when the unit already exists
  /// (rebuilt from state.json); empty before create(), which reads it from systemd.
  std::string cgroup_path;
  /// org.systemd.property.* override the translated properties in create().
  spec::StringMap annotations;
  std::vector<std::string> assignments;  // `-p NAME=VALUE` of create/run (systemd-run syntax)
  /// The state root (--root): where kUnsupportedPropertiesFile lives. Empty: nothing is
  /// remembered.
  std::string state_root;
  /// Template for the cgroupfs follow-up (mount root, layout, mountinfo, fake tree,
  /// timeouts); its cgroup_path is replaced by the unit's ControlGroup.
  CgroupfsOptions cgroupfs;
  /// Connects to systemd; called at most once, on the first D-Bus need.
  ManagerFactory manager;
  /// How many "cannot set property" retries one call may make.
  unsigned max_property_retries = 8;
};

/// A cgroups::Driver whose cgroup is a systemd scope. Not thread-safe; used in the parent
/// only (never in the forked init).
///
/// create(pid, resources): StartTransientUnit(unit, "fail", Description, Slice,
/// Delegate=yes, DefaultDependencies=no, CollectMode=inactive-or-failed, PIDs=[pid],
/// accounting, resource properties (v1 names on v1/hybrid hosts, v2 on unified),
/// annotations), waiting for its job. EEXIST: ResetFailedUnit and one retry. ENOTSUP naming
/// a property: the property is dropped, appended to kUnsupportedPropertiesFile, and the
/// call retried. EEXIST again after the reset: an active unit of that name. If its cgroup
/// holds processes, the container joins it, as runc does (create warned that the cgroup is
/// not empty; the unit is never stopped on failure); if not, it is a scope on its way out:
/// StopUnit, and one more start. Then ControlGroup is read and the full cgroupfs plan
/// applied to it (exact values, as runc writes them: the CFS quota too, which systemd keeps
/// rounded up to whole percent), which also joins `pid` in the hierarchies systemd does
/// not manage. Any failure stops and resets the unit (unless systemd did not answer in
/// time: then it is not asked again) and removes what the cgroupfs step made.
/// update(): CFS quota/period completed from the cgroup (with_current_pairs), then
/// SetUnitProperties(runtime=true) (on v1 with the container frozen meanwhile, unless it
/// is: systemd rewrites the device rules) + the cgroupfs plan. freeze()/thaw():
/// FreezeUnit/ThawUnit, or the cgroupfs freezer when systemd cannot freeze on this
/// hierarchy. pids(), add_process(): cgroupfs on the unit's cgroup. destroy(): StopUnit
/// (waits for the job) + ResetFailedUnit, then removes what is left of the cgroup in the
/// hierarchies systemd does not manage.
class SystemdDriver final : public Driver {
 public:
  explicit SystemdDriver(SystemdDriverOptions options);
  ~SystemdDriver() override;

  [[nodiscard]] std::string_view name() const override { return "systemd"; }
  /// The unit's ControlGroup; empty until create() succeeded (for a new unit).
  [[nodiscard]] const std::string& path() const override { return cgroup_path_; }
  [[nodiscard]] util::Status create(int pid, const spec::Resources* resources) override;
  [[nodiscard]] util::Status update(const spec::Resources& resources) override;
  [[nodiscard]] spec::Resources with_current_pairs(const spec::Resources& resources) const override;
  [[nodiscard]] util::Result<ExistingCgroup> inspect_existing() const override;
  [[nodiscard]] util::Status check_resources(const spec::Resources& resources) const override;
  using Driver::add_process;
  [[nodiscard]] util::Status add_process(int pid, const SubCgroups& sub) override;
  /// The cgroupfs driver's, on the unit's cgroup (exec); create() needs the init's pid.
  [[nodiscard]] util::Result<os::CgroupEntry> open_entry(const SubCgroups& sub) const override;
  [[nodiscard]] util::Result<std::vector<int>> pids() const override;
  [[nodiscard]] util::Status freeze() override;
  [[nodiscard]] util::Status thaw() override;
  [[nodiscard]] util::Status destroy() override;
  [[nodiscard]] std::vector<std::string> warnings() const override;

  [[nodiscard]] std::string unit() const override { return options_.unit; }
  /// path() once create() made (or joined) the unit; before, where systemd will put it
  /// (unit_cgroup_path of the slice and unit): what create records before making it.
  [[nodiscard]] std::string planned_path() const override;
  /// "unit `x.scope`: N D-Bus calls".
  [[nodiscard]] std::string describe_calls() const override;
  /// D-Bus method calls made so far (0 when never connected).
  [[nodiscard]] unsigned dbus_calls() const noexcept;

 private:
  util::Result<systemd::Manager*> manager();
  util::Result<Driver*> cgroupfs() const;
  /// The cgroupfs driver of `path`, made once: inspect_existing() before create() and the
  /// parts create() does through cgroupfs share one when systemd puts the unit where it
  /// was planned (mountinfo read and hierarchies opened once).
  util::Result<Driver*> cgroupfs_at(const std::string& path) const;
  [[nodiscard]] systemd::CgroupVersion version() const;
  [[nodiscard]] std::vector<std::string> remembered_unsupported() const;
  void remember_unsupported(const std::string& property) const;
  util::Status start_unit(systemd::UnitProperties properties);
  /// SetUnitProperties(runtime), without the properties this systemd cannot set (dropped
  /// and remembered, as in start_unit()).
  util::Status set_properties(systemd::UnitProperties properties);
  util::Status stop_and_reset();
  /// True when the unit's cgroup no longer exists where systemd tracks it (it stopped).
  bool unit_cgroup_gone() const;
  /// True when `property` comes from a `-p` assignment.
  bool user_assigned(std::string_view property) const;
  util::Status set_frozen(bool frozen);
  /// Remembers that systemd is unresponsive when `s` is a timeout (ETIMEDOUT), so that
  /// later cleanup does not wait another deadline for it.
  void mark_unresponsive_if_timed_out(const util::Status& s);

  SystemdDriverOptions options_;
  std::unique_ptr<systemd::Manager> manager_;
  mutable std::unique_ptr<Driver> cgroupfs_;
  mutable std::string cgroupfs_path_;  // the cgroup_path cgroupfs_ was made for
  std::string cgroup_path_;
  bool unit_may_exist_ = false;   // a start was attempted, or rebuilt from state
  bool joined_existing_ = false;  // create() joined someone else's active unit: never stop it
  bool unresponsive_ = false;     // systemd missed a deadline: do not ask it again
};

/// The cgroup systemd gives `unit` in `slice` ("machine-pod.slice", "x.scope" ->
/// "/machine.slice/machine-pod.slice/x.scope"; "-.slice" is the root). Pure.
[[nodiscard]] std::string unit_cgroup_path(std::string_view slice, std::string_view unit);

/// The deadline for each D-Bus call and job wait: $OCISTART_DBUS_TIMEOUT_MS when it is a
/// positive number of milliseconds, else 10 s.
[[nodiscard]] std::chrono::milliseconds systemd_call_deadline();

/// The real factory: systemd::connect_manager(systemd_call_deadline()).
[[nodiscard]] ManagerFactory bus_manager_factory();

}  // namespace ocistart::cgroups
