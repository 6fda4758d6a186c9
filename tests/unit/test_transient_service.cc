// systemd/transient_service: a run --service request -> the service's and timer's
// properties, and the service/timer -p assignments. Pure: no bus.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>

#include "systemd/assignment.h"
#include "systemd/transient_service.h"

using namespace ocistart;
using systemd::ExecCommand;
using systemd::PropertyValue;
using systemd::UnitProperties;
using systemd::UnitProperty;

namespace {

systemd::TransientServiceRequest request() {
  systemd::TransientServiceRequest r;
  r.service = "web.service";
  r.description = "ocistart container web";
  r.syslog_identifier = "web";
  r.exec_start = {"/usr/bin/ocistart", {"/usr/bin/ocistart", "--root", "/run/x", "run", "--bundle=/b", "web"}, {}};
  r.exec_stop_post = {"/usr/bin/ocistart", {"/usr/bin/ocistart", "--root", "/run/x", "delete", "--force", "web"}, {}};
  return r;
}

const PropertyValue* find(const UnitProperties& props, std::string_view name) {
  auto it = std::find_if(props.begin(), props.end(), [&](const UnitProperty& p) { return p.name == name; });
  return it == props.end() ? nullptr : &it->value;
}

template <class T>
T value(const UnitProperties& props, std::string_view name) {
  const PropertyValue* v = find(props, name);
  REQUIRE_MESSAGE(v != nullptr, name);
  REQUIRE_MESSAGE(std::holds_alternative<T>(*v), name);
  return std::get<T>(*v);
}

}  // namespace

TEST_CASE("transient_units: the service runs ocistart as Type=notify, delegated, mixed kill, deleted after") {
  util::Result<systemd::TransientUnits> u = systemd::transient_units(request());
  REQUIRE(u.ok());
  const UnitProperties& s = u->service;
  CHECK(value<std::string>(s, "Description") == "ocistart container web");
  CHECK(value<std::string>(s, "SyslogIdentifier") == "web");
  CHECK(value<std::string>(s, "Type") == "notify");
  CHECK(value<std::string>(s, "NotifyAccess") == "all");
  CHECK(value<bool>(s, "Delegate"));
  CHECK(value<std::string>(s, "KillMode") == "mixed");
  systemd::TransientServiceRequest relayed = request();
  relayed.container_notify = true;  // run --notify=container: systemd must kill the whole cgroup
  util::Result<systemd::TransientUnits> n = systemd::transient_units(relayed);
  REQUIRE(n.ok());
  CHECK(value<std::string>(n->service, "KillMode") == "control-group");
  using Exec = std::vector<ExecCommand>;
  Exec start = value<Exec>(s, "ExecStartEx");
  REQUIRE(start.size() == 1);
  CHECK(start[0].path == "/usr/bin/ocistart");
  CHECK(start[0].argv.back() == "web");
  CHECK(start[0].flags == std::vector<std::string>{"no-env-expand"});
  Exec stop = value<Exec>(s, "ExecStopPostEx");
  REQUIRE(stop.size() == 1);
  CHECK(stop[0].argv == std::vector<std::string>{"/usr/bin/ocistart", "--root", "/run/x", "delete", "--force", "web"});
  CHECK(stop[0].flags == std::vector<std::string>{"ignore-failure", "no-env-expand"});
  CHECK(find(s, "Slice") == nullptr);        // systemd's default
  CHECK(find(s, "CollectMode") == nullptr);  // without --collect
  CHECK(find(s, "AddRef") == nullptr);       // without --wait
  CHECK(u->timer.empty());
  CHECK(std::string(systemd::signature_of(PropertyValue{start})) == "a(sasas)");
}

TEST_CASE("transient_units: --slice, --collect, --wait, and -p for the service") {
  systemd::TransientServiceRequest r = request();
  r.slice = "machine.slice";
  r.collect = true;
  r.wait = true;
  r.properties = {"Restart=on-failure", "RestartSec=2",        "RuntimeMaxSec=1min", "MemoryMax=64M",
                  "Type=exec",          "Environment=A=1 B=2", "Environment=C=3",    "Nice=-5",
                  "KillSignal=SIGINT",  "StartLimitBurst=3"};
  util::Result<systemd::TransientUnits> u = systemd::transient_units(r);
  REQUIRE_MESSAGE(u.ok(), (u.ok() ? "" : u.error().message));
  const UnitProperties& s = u->service;
  CHECK(value<std::string>(s, "Slice") == "machine.slice");
  CHECK(value<std::string>(s, "CollectMode") == "inactive-or-failed");
  CHECK(value<bool>(s, "AddRef"));
  CHECK(value<std::string>(s, "Restart") == "on-failure");
  CHECK(value<uint64_t>(s, "RestartUSec") == 2000000);
  CHECK(value<uint64_t>(s, "RuntimeMaxUSec") == 60000000);
  CHECK(value<uint64_t>(s, "MemoryMax") == 64u << 20);
  CHECK(value<std::string>(s, "Type") == "exec");  // -p replaces the default
  CHECK(std::count_if(s.begin(), s.end(), [](const UnitProperty& p) { return p.name == "Type"; }) == 1);
  CHECK(value<std::vector<std::string>>(s, "Environment") == std::vector<std::string>{"A=1", "B=2", "C=3"});
  CHECK(value<int32_t>(s, "Nice") == -5);
  CHECK(value<int32_t>(s, "KillSignal") == 2);
  CHECK(value<uint32_t>(s, "StartLimitBurst") == 3);
}

TEST_CASE("transient_units: a bad -p is an error naming it, before anything") {
  systemd::TransientServiceRequest r = request();
  r.properties = {"Restart=on-failure", "RestartSec=soon"};
  CHECK(systemd::transient_units(r).error().message.starts_with("-p `RestartSec=soon`: RestartSec: `soon`"));
  r.properties = {"ExecStart=/bin/sh"};
  CHECK(systemd::transient_units(r).error().message.starts_with("-p `ExecStart=/bin/sh`: property `ExecStart` is not"));
  r.properties = {"Environment=novalue"};
  CHECK(systemd::transient_units(r).error().message ==
        "-p `Environment=novalue`: Environment: `novalue` is not NAME=VALUE");
  r.properties = {"Persistent=yes"};
  CHECK(systemd::transient_units(r).error().message ==
        "-p `Persistent=yes`: property `Persistent` is a timer's: only with --timer-property");
}

TEST_CASE("transient_units: the timer, as systemd-run makes it") {
  systemd::TransientServiceRequest r = request();
  r.timer = "web.timer";
  r.collect = true;
  r.timers = {{"OnActiveSec", "1s"}, {"OnUnitInactiveSec", "1min"}, {"OnCalendar", "daily"}};
  r.timer_properties = {"AccuracySec=100ms", "Persistent=yes"};
  util::Result<systemd::TransientUnits> u = systemd::transient_units(r);
  REQUIRE_MESSAGE(u.ok(), (u.ok() ? "" : u.error().message));
  const UnitProperties& t = u->timer;
  CHECK(value<std::string>(t, "Description") == "ocistart container web");
  CHECK(value<std::string>(t, "CollectMode") == "inactive-or-failed");
  CHECK_FALSE(value<bool>(t, "RemainAfterElapse"));
  using Monotonic = std::vector<std::pair<std::string, uint64_t>>;
  using Calendar = std::vector<std::pair<std::string, std::string>>;
  CHECK(value<Monotonic>(t, "TimersMonotonic") == Monotonic{{"OnActiveSec", 1000000}, {"OnUnitInactiveSec", 60000000}});
  CHECK(value<Calendar>(t, "TimersCalendar") == Calendar{{"OnCalendar", "daily"}});
  CHECK(value<uint64_t>(t, "AccuracyUSec") == 100000);
  CHECK(value<bool>(t, "Persistent"));
  CHECK(find(u->service, "ExecStartEx") != nullptr);  // the service is the timer's aux unit

  r.timers = {{"OnActiveSec", "soon"}};
  CHECK(systemd::transient_units(r).error().message == "--on-active `soon`: not a time span (5, 5s, 100ms, 1min 30s)");
  r.timers = {};
  CHECK(systemd::transient_units(r).error().message.starts_with("a timer needs one of --on-calendar"));
  r.timers = {{"OnActiveSec", "1s"}};
  r.timer_properties = {"Restart=always"};
  CHECK(systemd::transient_units(r).error().message.starts_with("--timer-property: -p `Restart=always`"));
}

TEST_CASE("-p service-only properties: refused for a scope, taken for a service") {
  CHECK(systemd::parse_assignment("Restart=always").error().message ==
        "property `Restart` is a service's: only with run --service");
  util::Result<UnitProperty> p = systemd::parse_assignment("Restart=always", systemd::AssignmentTarget::service);
  REQUIRE(p.ok());
  CHECK(*p == UnitProperty{"Restart", std::string("always")});
  CHECK(systemd::parse_assignment("Nice=x", systemd::AssignmentTarget::service).error().message ==
        "Nice: `x` is not an integer");
  CHECK(systemd::parse_assignment("KillSignal=NOPE", systemd::AssignmentTarget::service).error().message ==
        "KillSignal: `NOPE` is not a signal (TERM, SIGKILL, 9)");
  CHECK(*systemd::parse_assignment("KillSignal=term", systemd::AssignmentTarget::service) ==
        UnitProperty{"KillSignal", int32_t{15}});
}
