// `run --service` and its timers, in systemd-run's words: a transient .service whose
// ExecStart is `ocistart run ...` (systemd supervises the container), optionally started by
// a transient .timer that carries the service as its auxiliary unit. The request is plain
// data (cli/service.h fills it); transient_units() turns it into unit properties (pure,
// unit-tested); run_transient_service() starts the units over the bus and, with --wait,
// waits for the service to finish (src/runtime/host_systemd.cc calls it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "systemd/property.h"
#include "util/result.h"

namespace ocistart::systemd {

/// What `run --service` asks systemd for.
struct TransientServiceRequest {
  std::string service;                  // "web.service"
  std::string timer;                    // "web.timer" with --on-*, else ""
  std::string description;              // Description= of both units
  std::string syslog_identifier;        // the service's SyslogIdentifier= (the container id: `ocistart logs`)
  std::string slice;                    // --slice ("" = systemd's default, system.slice)
  bool collect = false;                 // --collect: CollectMode=inactive-or-failed
  bool container_notify = false;        // run --notify=container: KillMode=control-group
  bool no_block = false;                // --no-block: do not wait for the start job
  bool wait = false;                    // --wait: wait until the service is inactive again
  ExecCommand exec_start;               // `ocistart --root R run ...`
  ExecCommand exec_stop_post;           // `ocistart --root R delete --force ID`
  std::vector<std::string> properties;  // -p NAME=VALUE for the service
  /// --on-*: (property, value) as systemd-run's timer properties: "OnActiveSec",
  /// "OnBootSec", "OnStartupSec", "OnUnitActiveSec", "OnUnitInactiveSec" (time spans) and
  /// "OnCalendar" (a calendar spec systemd checks).
  std::vector<std::pair<std::string, std::string>> timers;
  std::vector<std::string> timer_properties;  // --timer-property NAME=VALUE
};

/// The properties of each unit of a request.
struct TransientUnits {
  UnitProperties service;
  UnitProperties timer;  // empty without a timer
};

/// The service: Description, SyslogIdentifier, Slice, CollectMode, AddRef (with wait: the unit stays loaded
/// until we read its result), Type=notify, NotifyAccess=all, Delegate=yes, KillMode=mixed (control-group with
/// container_notify: systemd cannot wait for an init that MAINPID= made the main process but
/// that is not its child, and under mixed it would skip SIGTERM; ocistart-run(8), NOTIFY),
/// ExecStartEx (no-env-expand: the container's command keeps its `$`), ExecStopPostEx
/// (ignore-failure, no-env-expand), then the -p assignments (service target,
/// assignment.h), which replace same-named ones. The timer: Description, CollectMode,
/// RemainAfterElapse=no, TimersMonotonic a(st) and TimersCalendar a(ss), then the
/// --timer-property assignments (timer target). EINVAL naming the -p, --on-* or
/// --timer-property that is wrong. Pure.
[[nodiscard]] util::Result<TransientUnits> transient_units(const TransientServiceRequest& request);

/// How the service ended, as systemd-run --wait reports it.
struct ServiceOutcome {
  std::string result;                    // Result=: "success", "exit-code", "signal", ...
  int32_t exit_code = 0;                 // ExecMainCode: CLD_EXITED (1), CLD_KILLED (2), CLD_DUMPED (3); 0: none
  int32_t exit_status = 0;               // ExecMainStatus: the exit status or the signal
  std::optional<uint64_t> runtime_usec;  // from leaving to entering "inactive"
  std::optional<uint64_t> cpu_usec;      // CPUUsageNSec, when accounted
};

/// Starts the request's units: the service, or the timer with the service as its
/// auxiliary unit (StartTransientUnit, job mode "fail"), then waits for the start job
/// unless no_block (a job result other than "done" is an error naming the unit and
/// `systemctl status`); calls `started` once started; with `wait`, waits until the service
/// is inactive or failed with no job left (unbounded: the service's own time) and returns
/// how it ended. Calls and the start job are bounded by `deadline`. Errors as Manager's
/// (manager.h); nothing is made when the properties are wrong.
[[nodiscard]] util::Result<std::optional<ServiceOutcome>> run_transient_service(const TransientServiceRequest& request,
                                                                                const std::function<void()>& started,
                                                                                std::chrono::milliseconds deadline);

}  // namespace ocistart::systemd
