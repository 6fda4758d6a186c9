// `run --service` and the timer options, in systemd-run's words: instead of running the
// container in the foreground, ask systemd for a transient service whose ExecStart is
// `ocistart --root ROOT run ...` with the same container options (minus the service's),
// so that systemd supervises it (restarts, stop, limits on the service's cgroup, the
// container below it). The pure parts (names, the container's command line, the request)
// are here and unit-tested; service.cc registers the flags and does the run through
// runtime::HostIntegration (the bus code is systemd/transient_service*.cc).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "spec/config.h"
#include "systemd/transient_service.h"
#include "util/result.h"

namespace ocistart::cli {

struct RunOptions;
struct GlobalOptions;

/// The service and timer flags of `run`, as given (--unit and -p are create's).
struct ServiceOptions {
  bool service = false;     // --service
  std::string slice;        // --slice
  std::string description;  // --description
  bool collect = false;     // --collect
  bool wait = false;        // --wait
  bool no_block = false;    // --no-block
  bool quiet = false;       // --quiet/-q
  std::vector<std::string> on_calendar, on_active, on_boot, on_startup, on_unit_active, on_unit_inactive;
  std::vector<std::string> timer_properties;  // --timer-property NAME=VALUE

  /// A timer option was given (which implies --service).
  [[nodiscard]] bool has_timer() const noexcept;
  /// --service or a timer option was given.
  [[nodiscard]] bool active() const noexcept { return service || has_timer(); }
};

/// The service's and the timer's names, as systemd-run makes them from --unit: NAME gets
/// ".service" (and ".timer"); NAME.service or (with a timer) NAME.timer give the other
/// by changing the suffix; without --unit, the container id. EINVAL naming --unit for
/// another suffix (.scope...) or characters systemd refuses in unit names.
struct ServiceNames {
  std::string service;
  std::string timer;  // "" without a timer
};
[[nodiscard]] util::Result<ServiceNames> service_names(const std::string& unit, const std::string& id, bool timer);

/// The arguments after the binary of the service's ExecStart: the global flags (--root,
/// --log, --log-format, --debug), `run`, the container options of `o` (--pid-file,
/// --no-pivot, --no-new-keyring, --log-driver, --register-machine, --keep,
/// --no-subreaper), then `--bundle B id`, or the bundle-less flags with `--name id` (bind
/// sources made absolute: the service runs in /), `--` and the command. Never the service
/// options, -p, --unit. EINVAL for what a service cannot do (--detach, --console-socket,
/// --pidfd-socket, --preserve-fds, --pty, --print-config, a cgroup manager other than
/// auto: the container goes below the service's cgroup), naming the flag. Pure.
[[nodiscard]] util::Result<std::vector<std::string>> container_run_args(const RunOptions& o,
                                                                        const GlobalOptions& global,
                                                                        const std::string& id);

/// The whole request for `run --service` of container `id`, `exe` the binary systemd
/// runs: names, description ("ocistart container ID" unless --description),
/// SyslogIdentifier=ID (so that `ocistart logs ID` finds the service's output), --slice
/// (".slice" appended when missing), --collect, --wait, --no-block, ExecStart
/// (container_run_args), ExecStopPost (`delete --force id`), -p, the timers. EINVAL for
/// --wait with --no-block or with a timer. Pure.
[[nodiscard]] util::Result<systemd::TransientServiceRequest> service_request(const RunOptions& o,
                                                                             const GlobalOptions& global,
                                                                             const std::string& exe,
                                                                             const std::string& id);

/// What systemd-run --wait prints for how the service ended, one line each: "Finished with
/// result: R", "Main processes terminated with: code=exited/status=3", "Service runtime:
/// 1.234s", "CPU time consumed: 12ms" (each when known). Pure.
[[nodiscard]] std::vector<std::string> outcome_lines(const systemd::ServiceOutcome& outcome);

/// The exit status systemd-run --wait returns for an outcome: 0 for "success", the status
/// for "exit-code" (when not 0), 255 for "signal", 1 otherwise. Pure.
[[nodiscard]] int outcome_exit_status(const systemd::ServiceOutcome& outcome) noexcept;

/// Registers the service and timer flags on `run`.
void add_service_flags(CLI::App& run, ServiceOptions& o);

/// `run --service ...` of container `id` (bundle-less without --name: a generated one):
/// `config` makes and checks the container's config first (a bundle-less config, the
/// bundle's config.json), so that bad input starts nothing; a config whose process wants
/// a terminal is refused (a service has none). Logs its errors; returns the exit status.
[[nodiscard]] int run_service(const RunOptions& o, const GlobalOptions& global, const std::string& id,
                              const std::function<util::Result<spec::Config>()>& config);

}  // namespace ocistart::cli
