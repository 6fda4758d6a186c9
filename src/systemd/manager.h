// systemd's manager, as the operations ocistart needs (youki's SystemdClient idea): no bus
// types in this interface, so the driver above it is tested with a fake.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "systemd/property.h"
#include "util/result.h"

namespace ocistart::systemd {

/// Errors carry an errno: ETIMEDOUT when systemd does not answer a call within the
/// deadline, ETIME when a job does not finish in time, EEXIST when the unit exists,
/// ENOENT for no such unit, ENOTSUP when systemd cannot set a property (the message then
/// contains "property `Name`", see unsupported_property()), EOPNOTSUPP (the same value)
/// for org.freedesktop.DBus.Error.NotSupported (FreezeUnit on a v1 hierarchy, with no
/// property named), EIO for any other failure,
/// with systemd's error name and message in the text.
class Manager {
 public:
  virtual ~Manager() = default;
  /// StartTransientUnit(name, "fail", properties) and waits for its job: any job result
  /// but "done" is an error naming the result.
  [[nodiscard]] virtual util::Status start_transient_unit(const std::string& name,
                                                          const UnitProperties& properties) = 0;
  /// StopUnit(name, "replace") and waits for the job. A unit that is not loaded is fine.
  [[nodiscard]] virtual util::Status stop_unit(const std::string& name) = 0;
  /// ResetFailedUnit(name). A unit that is not loaded is fine.
  [[nodiscard]] virtual util::Status reset_failed_unit(const std::string& name) = 0;
  /// SetUnitProperties(name, runtime, properties).
  [[nodiscard]] virtual util::Status set_unit_properties(const std::string& name, bool runtime,
                                                         const UnitProperties& properties) = 0;
  /// KillUnit(name, "all", signal).
  [[nodiscard]] virtual util::Status kill_unit(const std::string& name, int signal) = 0;
  /// FreezeUnit / ThawUnit (systemd >= 246).
  [[nodiscard]] virtual util::Status freeze_unit(const std::string& name) = 0;
  [[nodiscard]] virtual util::Status thaw_unit(const std::string& name) = 0;
  /// The unit's ActiveState ("active", "inactive", "failed", ...); "" when not loaded.
  [[nodiscard]] virtual util::Result<std::string> active_state(const std::string& name) = 0;
  /// The ControlGroup of a scope or service unit ("/system.slice/x.scope").
  [[nodiscard]] virtual util::Result<std::string> control_group(const std::string& name) = 0;
  /// How many D-Bus method calls this Manager made (for the benchmark's round-trip count).
  [[nodiscard]] virtual unsigned calls() const noexcept = 0;
};

/// Which systemd manager: the host's (system bus), or the calling user's own (`systemd
/// --user`, on the user bus at $XDG_RUNTIME_DIR/bus): a rootless runtime's.
enum class Bus { system, user };

/// Connects to systemd's manager on `bus`. Every call and job wait is bounded by
/// `deadline`. (Debian 12's sdbus-c++ 1.2 always sends Hello when it opens a connection,
/// which systemd's peer-to-peer /run/systemd/private socket rejects, so the system bus it
/// is; see DESIGN notes in the systemd issue.)
[[nodiscard]] util::Result<std::unique_ptr<Manager>> connect_manager(std::chrono::milliseconds deadline,
                                                                     Bus bus = Bus::system);

/// The property named in an ENOTSUP error from the manager ("Cannot set property X").
[[nodiscard]] std::optional<std::string> unsupported_property(const util::Error& error);

/// errno for a job result as systemd's bus-wait-for-jobs does ("done" -> 0).
[[nodiscard]] int job_result_errno(std::string_view result) noexcept;

}  // namespace ocistart::systemd
