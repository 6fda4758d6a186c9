// run --service and the timers (service.h): flags, the request, the run.
#include "cli/service.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <cctype>
#include <cerrno>
#include <cstdio>

#include "cli/common.h"
#include "cli/command.h"
#include "cli/options.h"
#include "linux/sealed_exe.h"
#include "runtime/host_integration.h"
#include "systemd/timespan.h"

namespace ocistart::cli {
namespace {

using util::Result;

constexpr std::string_view kUnitSuffixes[] = {".service", ".timer", ".scope", ".slice",     ".socket", ".mount",
                                              ".target",  ".path",  ".swap",  ".automount", ".device"};

util::Error service_error(const std::string& what) { return util::make_error(what, EINVAL); }

// Characters systemd takes in a unit name (unit_name_is_valid), and its length limit.
bool valid_unit_chars(std::string_view name) {
  if (name.empty() || name.size() > 255)
    return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' ||
          c == '@'))
      return false;
  return true;
}

// The flags of `o` a service cannot honour, as an error naming the first.
util::Status refuse_foreground_flags(const RunOptions& o, const GlobalOptions& global) {
  auto refuse = [](const std::string& flag, const std::string& why) {
    return util::Status{service_error("--service: " + flag + " " + why)};
  };
  if (o.detach)
    return refuse("--detach", "does not apply: systemd runs the container in the background");
  if (!o.console_socket.empty())
    return refuse("--console-socket", "does not apply: the service has no terminal");
  if (!o.pidfd_socket.empty())
    return refuse("--pidfd-socket", "does not apply: the service's container is not this process's child");
  if (o.preserve_fds > 0)
    return refuse("--preserve-fds", "does not apply: this process's fds do not reach the service");
  if (o.bundleless.pty)
    return refuse("--pty", "does not apply: the service has no terminal");
  if (o.bundleless.print_config)
    return refuse("--print-config", "does not apply: it runs nothing");
  if (global.systemd_cgroup || global.cgroup_manager != "auto")
    return refuse(global.systemd_cgroup ? "--systemd-cgroup" : "--cgroup-manager",
                  "does not apply: the container goes below the service's cgroup (Delegate=yes)");
  return {};
}

// A bind flag's SRC made absolute against our cwd (the service runs in /).
std::string absolute_bind(const std::string& text) {
  size_t colon = text.find(':');
  return absolute_path(text.substr(0, colon)) + (colon == std::string::npos ? "" : text.substr(colon));
}

void add_bundleless_args(std::vector<std::string>& args, const BundlelessOptions& b, const std::string& id) {
  auto value = [&args](const char* flag, const std::string& v) {
    if (!v.empty())
      args.push_back(std::string(flag) + "=" + v);
  };
  auto values = [&args](const char* flag, const std::vector<std::string>& vs) {
    for (const std::string& v : vs)
      args.push_back(std::string(flag) + "=" + v);
  };
  value("--rootfs", b.rootfs);
  value("--image", b.image);
  value("--name", id);
  values("--setenv", b.setenv);
  value("--uid", b.uid);
  value("--gid", b.gid);
  value("--working-directory", b.working_directory);
  for (const std::string& bind : b.binds)
    args.push_back("--bind=" + absolute_bind(bind));
  for (const std::string& bind : b.binds_ro)
    args.push_back("--bind-ro=" + absolute_bind(bind));
  values("--tmpfs", b.tmpfs);
  value("--hostname", b.hostname);
  value("--network", b.network);
  if (b.read_only)
    args.emplace_back("--read-only");
  values("--capability", b.capabilities);
  values("--drop-capability", b.drop_capabilities);
  if (!b.command.empty()) {
    args.emplace_back("--");
    args.insert(args.end(), b.command.begin(), b.command.end());
  }
}

// `--root R` and the logging flags, for each command the service runs.
std::vector<std::string> global_args(const GlobalOptions& global) {
  std::vector<std::string> args{"--root", global.root};
  if (!global.log.empty())
    args.insert(args.end(), {"--log", global.log, "--log-format", global.log_format});
  if (global.debug)
    args.emplace_back("--debug");
  return args;
}

// "exited", "killed", "dumped" for a CLD_* code (ExecMainCode); "" for none.
std::string exit_code_name(int32_t code) {
  switch (code) {
    case CLD_EXITED:
      return "exited";
    case CLD_KILLED:
      return "killed";
    case CLD_DUMPED:
      return "dumped";
    default:
      return "";
  }
}

}  // namespace

int outcome_exit_status(const systemd::ServiceOutcome& o) noexcept {
  if (o.result == "success")
    return 0;
  if (o.result == "exit-code" && o.exit_status > 0)
    return o.exit_status;
  if (o.result == "signal")
    return 255;  // systemd's EXIT_EXCEPTION
  return 1;
}

bool ServiceOptions::has_timer() const noexcept {
  return !on_calendar.empty() || !on_active.empty() || !on_boot.empty() || !on_startup.empty() ||
         !on_unit_active.empty() || !on_unit_inactive.empty();
}

Result<ServiceNames> service_names(const std::string& unit, const std::string& id, bool timer) {
  std::string stem = unit.empty() ? id : unit;
  std::string_view suffix;
  for (std::string_view s : kUnitSuffixes)
    if (stem.size() > s.size() && stem.ends_with(s))
      suffix = s;
  if (!suffix.empty()) {
    if (suffix != ".service" && !(timer && suffix == ".timer"))
      return service_error("--unit `" + unit + "`: a service is NAME or NAME.service" +
                           (timer ? std::string(" (or NAME.timer)") : std::string()));
    stem.resize(stem.size() - suffix.size());
  }
  if (!valid_unit_chars(stem + ".service"))
    return service_error("--unit `" + stem + "`: not a unit name (letters, digits and :-_.\\@)");
  ServiceNames names;
  names.service = stem + ".service";
  if (timer)
    names.timer = stem + ".timer";
  return names;
}

Result<std::vector<std::string>> container_run_args(const RunOptions& o, const GlobalOptions& global,
                                                    const std::string& id) {
  if (util::Status s = refuse_foreground_flags(o, global); !s)
    return std::move(s).error();
  std::vector<std::string> args = global_args(global);
  args.emplace_back("run");
  if (!o.pid_file.empty())
    args.push_back("--pid-file=" + o.pid_file);
  if (o.no_pivot)
    args.emplace_back("--no-pivot");
  if (o.no_new_keyring)
    args.emplace_back("--no-new-keyring");
  if (o.log_driver != "passthrough")
    args.push_back("--log-driver=" + o.log_driver);
  if (o.register_machine)
    args.emplace_back("--register-machine");
  if (o.keep)
    args.emplace_back("--keep");
  if (o.no_subreaper)
    args.emplace_back("--no-subreaper");
  if (o.notify != "runtime")
    args.push_back("--notify=" + o.notify);
  if (o.bundleless.active()) {
    add_bundleless_args(args, o.bundleless, id);
  } else {
    args.push_back("--bundle=" + o.bundle);
    args.push_back(id);
  }
  return args;
}

Result<systemd::TransientServiceRequest> service_request(const RunOptions& o, const GlobalOptions& global,
                                                         const std::string& exe, const std::string& id) {
  const ServiceOptions& s = o.service;
  if (s.wait && s.no_block)
    return service_error("--wait and --no-block exclude each other");
  if (s.wait && s.has_timer())
    return service_error("--wait: not with a timer (--on-*): the service runs later");
  Result<ServiceNames> names = service_names(o.unit, id, s.has_timer());
  if (!names)
    return std::move(names).error();
  Result<std::vector<std::string>> run_args = container_run_args(o, global, id);
  if (!run_args)
    return std::move(run_args).error();
  systemd::TransientServiceRequest r;
  r.service = names->service;
  r.timer = names->timer;
  r.description = s.description.empty() ? "ocistart container " + id : s.description;
  r.syslog_identifier = id;  // its output is the container's: `ocistart logs ID` reads it
  if (!s.slice.empty()) {
    r.slice = s.slice.ends_with(".slice") ? s.slice : s.slice + ".slice";
    if (!valid_unit_chars(r.slice))
      return service_error("--slice `" + s.slice + "`: not a slice name");
  }
  r.collect = s.collect;
  r.container_notify = o.notify == "container";
  r.no_block = s.no_block;
  r.wait = s.wait;
  r.exec_start.path = exe;
  r.exec_start.argv = {exe};
  r.exec_start.argv.insert(r.exec_start.argv.end(), run_args->begin(), run_args->end());
  r.exec_stop_post.path = exe;
  r.exec_stop_post.argv = {exe};
  for (const std::string& a : global_args(global))
    r.exec_stop_post.argv.push_back(a);
  r.exec_stop_post.argv.insert(r.exec_stop_post.argv.end(), {"delete", "--force", id});
  r.properties = o.properties;
  auto timers = [&r](const char* property, const std::vector<std::string>& values) {
    for (const std::string& v : values)
      r.timers.emplace_back(property, v);
  };
  timers("OnActiveSec", s.on_active);
  timers("OnBootSec", s.on_boot);
  timers("OnStartupSec", s.on_startup);
  timers("OnUnitActiveSec", s.on_unit_active);
  timers("OnUnitInactiveSec", s.on_unit_inactive);
  timers("OnCalendar", s.on_calendar);
  if (!s.timer_properties.empty() && !s.has_timer())
    return service_error("--timer-property: only with a timer (--on-*)");
  r.timer_properties = s.timer_properties;
  return r;
}

std::vector<std::string> outcome_lines(const systemd::ServiceOutcome& o) {
  std::vector<std::string> lines;
  if (!o.result.empty())
    lines.push_back("Finished with result: " + o.result);
  if (std::string code = exit_code_name(o.exit_code); !code.empty())
    lines.push_back("Main processes terminated with: code=" + code + "/status=" + std::to_string(o.exit_status));
  if (o.runtime_usec)
    lines.push_back("Service runtime: " + systemd::format_timespan_ms(*o.runtime_usec));
  if (o.cpu_usec)
    lines.push_back("CPU time consumed: " + systemd::format_timespan_ms(*o.cpu_usec));
  return lines;
}

void add_service_flags(CLI::App& run, ServiceOptions& o) {
  const std::string group = "Services and timers (systemd-run's; see SERVICES AND TIMERS in ocistart-run(8))";
  run.add_flag("--service", o.service, "run the container as a transient systemd service, which supervises it")
      ->group(group);
  run.add_option("--slice", o.slice, "the service's slice (.slice appended when missing)")
      ->type_name("SLICE")
      ->group(group);
  run.add_option("--description", o.description, "the service's (and timer's) description")
      ->type_name("TEXT")
      ->group(group);
  run.add_flag("--collect", o.collect, "unload the service even when it failed (CollectMode=inactive-or-failed)")
      ->group(group);
  run.add_flag("--wait", o.wait, "wait until the service finished; print its result and exit with its status")
      ->group(group);
  run.add_flag("--no-block", o.no_block, "do not wait for the service's start job")->group(group);
  run.add_flag("-q,--quiet", o.quiet, "do not print the unit's name")->group(group);
  struct Timer {
    const char* flag;
    std::vector<std::string>* into;
    const char* help;
  };
  const Timer timers[] = {
      {"--on-active", &o.on_active, "start the service this long after now (a timer; implies --service)"},
      {"--on-boot", &o.on_boot, "... after boot"},
      {"--on-startup", &o.on_startup, "... after the service manager started"},
      {"--on-unit-active", &o.on_unit_active, "... after the service last started"},
      {"--on-unit-inactive", &o.on_unit_inactive, "... after the service last stopped"},
      {"--on-calendar", &o.on_calendar, "start the service at these calendar times (systemd.time(7))"},
  };
  for (const Timer& t : timers)
    add_repeatable(run, t.flag, *t.into, t.help)
        ->type_name(std::string_view(t.flag) == "--on-calendar" ? "SPEC" : "SPAN")
        ->group(group);
  add_repeatable(run, "--timer-property", o.timer_properties,
                 "set a property on the timer (NAME=VALUE: AccuracySec=1s, RandomizedDelaySec=, Persistent=...)")
      ->type_name("NAME=VALUE")
      ->group(group);
}

int run_service(const RunOptions& o, const GlobalOptions& global, const std::string& id,
                const std::function<util::Result<spec::Config>()>& config) {
  if (int status = checked_id("run", id); status != 0)
    return status;
  const std::string context = command_context("run", id);
  Result<std::string> exe = os::original_exe();
  if (!exe)
    return fail(context, std::move(exe).error().wrap("--service"));
  Result<systemd::TransientServiceRequest> request = service_request(o, global, *exe, id);
  if (!request)
    return fail(context, std::move(request).error());
  util::Result<spec::Config> checked = config();
  if (!checked)
    return fail(context, std::move(checked).error());
  if (checked->process && checked->process->terminal)
    return fail(context, util::make_error("--service: config.json: /process/terminal is true, and a service has no "
                                          "terminal (set it to false)",
                                          EINVAL));
  struct stat st {};
  if (::lstat((global.root + "/" + id).c_str(), &st) == 0)
    return fail(context, util::make_error("container `" + id + "` already exists", EEXIST));
  auto started = [&] {
    if (o.service.quiet)
      return;
    if (request->timer.empty()) {
      std::fprintf(stderr, "Running as unit: %s\n", request->service.c_str());
    } else {
      std::fprintf(stderr, "Running timer as unit: %s\n", request->timer.c_str());
      std::fprintf(stderr, "Will run service as unit: %s\n", request->service.c_str());
    }
  };
  Result<std::optional<systemd::ServiceOutcome>> outcome =
      runtime::host_integration().run_transient_service(*request, started);
  if (!outcome)
    return fail(context, std::move(outcome).error());
  if (!outcome->has_value())
    return 0;
  if (!o.service.quiet)
    for (const std::string& line : outcome_lines(**outcome))
      std::fprintf(stderr, "%s\n", line.c_str());
  return outcome_exit_status(**outcome);
}

}  // namespace ocistart::cli
