// `-p NAME=VALUE` as systemd-run takes it: a unit-file assignment turned into the property
// systemd's D-Bus API wants (MemoryMax=1G -> t 1073741824, CPUQuota=50% ->
// CPUQuotaPerSecUSec=500000, TimeoutStopSec=5s -> TimeoutStopUSec=5000000, ...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "systemd/property.h"
#include "util/result.h"

namespace ocistart::systemd {

/// Which unit the assignments are for: a container's scope, the service of
/// `run --service` (cli/service.h), which also takes the settings only a service has, or
/// its timer (--timer-property: the time spans, AccuracySec=..., and booleans such as
/// Persistent, WakeSystem, RemainAfterElapse).
enum class AssignmentTarget { scope, service, timer };

/// One assignment. Known kinds: sizes in bytes (K, M, G, T, P, E are powers of 1024;
/// `infinity`; Memory* and TasksMax also take a percentage, sent as *Scale), CPUQuota as a
/// percentage, weights and shares, TasksMax, booleans (Delegate, *Accounting, ...), time
/// spans (`*Sec`: `5`, `5s`, `1min 30s`, `100ms`, `infinity`), strings (Description,
/// DevicePolicy, ...), CPU and memory node sets, DeviceAllow (`PATH [rwm]`) and the
/// IO*{Bandwidth,IOPS}Max / IODeviceWeight device lists (`PATH VALUE`). Anything else is
/// EINVAL naming the property (an `org.systemd.property.NAME` annotation can still carry it,
/// typed in GVariant text). Errors say what is wrong with the value.
/// A service (`target` service) also takes Type, Restart, NotifyAccess, ExitType, User,
/// Group, WorkingDirectory, Standard{Input,Output,Error}, SyslogIdentifier (strings),
/// RemainAfterExit, PrivateTmp (booleans), Nice, OOMScoreAdjust (i), StartLimitBurst (u),
/// KillSignal, FinalKillSignal (a name or number), Environment (`A=1 B=2`, as); for a
/// scope they are EINVAL ("... is a service's: only with run --service").
[[nodiscard]] util::Result<UnitProperty> parse_assignment(std::string_view assignment,
                                                          AssignmentTarget target = AssignmentTarget::scope);

/// Parses `assignments` and applies them over `properties`, in order: a property of the
/// same name is replaced, except the device lists (DeviceAllow, IO*Max, IODeviceWeight and
/// the BlockIO ones) and Environment, which grow as repeated `-p` do with systemd-run.
/// Errors name the assignment: "-p `MemoryMax=lots`: ...".
[[nodiscard]] util::Status apply_assignments(UnitProperties& properties, const std::vector<std::string>& assignments,
                                             AssignmentTarget target = AssignmentTarget::scope);

}  // namespace ocistart::systemd
