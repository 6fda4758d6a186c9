// The pure half of transient_service.h: a request -> the units' properties, and how an
// outcome reads.
#include "systemd/transient_service.h"

#include <cerrno>
#include <string_view>

#include "systemd/assignment.h"
#include "systemd/timespan.h"

namespace ocistart::systemd {
namespace {

using util::Result;

// systemd-run's timer options and the timer properties they set.
struct TimerOption {
  std::string_view property;
  std::string_view option;
};
constexpr TimerOption kTimerOptions[] = {
    {"OnActiveSec", "--on-active"},
    {"OnBootSec", "--on-boot"},
    {"OnStartupSec", "--on-startup"},
    {"OnUnitActiveSec", "--on-unit-active"},
    {"OnUnitInactiveSec", "--on-unit-inactive"},
    {"OnCalendar", "--on-calendar"},
};

// The timers as the timer's properties: the monotonic ones as a(st) of TimersMonotonic,
// OnCalendar as a(ss) of TimersCalendar (systemd checks the spec).
util::Status add_timers(UnitProperties& timer, const std::vector<std::pair<std::string, std::string>>& timers) {
  std::vector<std::pair<std::string, uint64_t>> monotonic;
  std::vector<std::pair<std::string, std::string>> calendar;
  for (const auto& [name, value] : timers) {
    const TimerOption* known = nullptr;
    for (const TimerOption& t : kTimerOptions)
      if (t.property == name)
        known = &t;
    if (known == nullptr)
      return util::make_error("timer `" + name + "`: not one systemd-run sets", EINVAL);
    const std::string option = std::string(known->option) + " `" + value + "`";
    if (name == "OnCalendar") {
      if (value.empty())
        return util::make_error(option + ": expected a calendar spec", EINVAL);
      calendar.emplace_back(name, value);
      continue;
    }
    std::optional<uint64_t> usec = parse_timespan_usec(value);
    if (!usec)
      return util::make_error(option + ": not a time span (5, 5s, 100ms, 1min 30s)", EINVAL);
    monotonic.emplace_back(name, *usec);
  }
  if (!monotonic.empty())
    timer.push_back({"TimersMonotonic", std::move(monotonic)});
  if (!calendar.empty())
    timer.push_back({"TimersCalendar", std::move(calendar)});
  return {};
}

}  // namespace

Result<TransientUnits> transient_units(const TransientServiceRequest& r) {
  TransientUnits units;
  UnitProperties& s = units.service;
  s.push_back({"Description", r.description});
  if (!r.syslog_identifier.empty())
    s.push_back({"SyslogIdentifier", r.syslog_identifier});
  if (!r.slice.empty())
    s.push_back({"Slice", r.slice});
  if (r.collect)
    s.push_back({"CollectMode", std::string("inactive-or-failed")});
  if (r.wait)
    s.push_back({"AddRef", true});
  s.push_back({"Type", std::string("notify")});
  s.push_back({"NotifyAccess", std::string("all")});
  s.push_back({"Delegate", true});
  s.push_back({"KillMode", std::string(r.container_notify ? "control-group" : "mixed")});
  // Ex: the arguments are the container's command, which systemd must not expand ($X).
  ExecCommand start = r.exec_start;
  start.flags = {"no-env-expand"};
  s.push_back({"ExecStartEx", std::vector<ExecCommand>{start}});
  ExecCommand stop = r.exec_stop_post;
  stop.flags = {"ignore-failure", "no-env-expand"};
  s.push_back({"ExecStopPostEx", std::vector<ExecCommand>{stop}});
  if (util::Status a = apply_assignments(s, r.properties, AssignmentTarget::service); !a)
    return std::move(a).error();
  if (r.timer.empty()) {
    if (!r.timers.empty() || !r.timer_properties.empty())
      return util::make_error("timer settings without a timer unit", EINVAL);
    return units;
  }
  if (r.timers.empty())
    return util::make_error(
        "a timer needs one of --on-calendar, --on-active, --on-boot, --on-startup, "
        "--on-unit-active, --on-unit-inactive",
        EINVAL);
  UnitProperties& t = units.timer;
  t.push_back({"Description", r.description});
  if (r.collect)
    t.push_back({"CollectMode", std::string("inactive-or-failed")});
  t.push_back({"RemainAfterElapse", false});
  if (util::Status a = add_timers(t, r.timers); !a)
    return std::move(a).error();
  if (util::Status a = apply_assignments(t, r.timer_properties, AssignmentTarget::timer); !a)
    return std::move(a).error().wrap("--timer-property");
  return units;
}

}  // namespace ocistart::systemd
