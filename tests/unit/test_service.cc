// run --service and the timers: the flags, the unit names, the container's command line
// in the service's ExecStart (parsed back, it is the same run), the request, and how
// --wait reports an outcome. No bus, no root.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/service.h"
#include "systemd/timespan.h"
#include "tests/unit/cli_parse.h"

using namespace ocistart;
using cli::ServiceNames;
using ocistart::testing::parse;

namespace {

std::vector<std::string> run_args(const std::vector<std::string>& argv, const std::string& id) {
  auto c = parse(argv);
  util::Result<std::vector<std::string>> args = cli::container_run_args(c->o.run, c->global, id);
  REQUIRE_MESSAGE(args.ok(), (args.ok() ? "" : args.error().message));
  return *args;
}

std::string refusal(const std::vector<std::string>& argv) {
  auto c = parse(argv);
  util::Result<systemd::TransientServiceRequest> r =
      cli::service_request(c->o.run, c->global, "/usr/bin/ocistart", c->o.run.id.empty() ? "x" : c->o.run.id);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("run --service: the service and timer flags land in ServiceOptions") {
  auto c = parse({"run", "--service", "-p", "MemoryMax=1G", "--unit", "web", "--slice", "machine", "--description", "d",
                  "--collect", "--wait", "-q", "--bundle", "/srv/b", "web1"});
  const cli::ServiceOptions& s = c->o.run.service;
  CHECK(s.service);
  CHECK(s.active());
  CHECK_FALSE(s.has_timer());
  CHECK(s.slice == "machine");
  CHECK(s.description == "d");
  CHECK(s.collect);
  CHECK(s.wait);
  CHECK(s.quiet);
  CHECK(c->o.run.unit == "web");
  CHECK(c->o.run.properties == std::vector<std::string>{"MemoryMax=1G"});
  CHECK(c->o.run.id == "web1");

  auto t = parse({"run", "--on-active=5s", "--on-calendar", "daily", "--timer-property", "AccuracySec=1s", "--bundle",
                  "/srv/b", "t1"});
  CHECK(t->o.run.service.has_timer());
  CHECK(t->o.run.service.active());  // a timer implies --service
  CHECK(t->o.run.service.on_active == std::vector<std::string>{"5s"});
  CHECK(t->o.run.service.on_calendar == std::vector<std::string>{"daily"});
  CHECK(t->o.run.service.timer_properties == std::vector<std::string>{"AccuracySec=1s"});
}

TEST_CASE("service_names: systemd-run's suffix rules, the id by default") {
  auto names = [](const std::string& unit, const std::string& id, bool timer) {
    util::Result<ServiceNames> n = cli::service_names(unit, id, timer);
    REQUIRE_MESSAGE(n.ok(), (n.ok() ? "" : n.error().message));
    return n->service + "|" + n->timer;
  };
  CHECK(names("", "web", false) == "web.service|");
  CHECK(names("", "web", true) == "web.service|web.timer");
  CHECK(names("front", "web", false) == "front.service|");
  CHECK(names("front.service", "web", true) == "front.service|front.timer");
  CHECK(names("front.timer", "web", true) == "front.service|front.timer");
  CHECK(names("a.b", "web", false) == "a.b.service|");
  CHECK(cli::service_names("front.scope", "web", false).error().message ==
        "--unit `front.scope`: a service is NAME or NAME.service");
  CHECK(cli::service_names("front.timer", "web", false).error().message ==
        "--unit `front.timer`: a service is NAME or NAME.service");
  CHECK(cli::service_names("a/b", "web", false).error().message.starts_with("--unit `a/b`: not a unit name"));
}

TEST_CASE("container_run_args: the same run without the service options, parsed back the same") {
  std::vector<std::string> args =
      run_args({"--root", "/run/x", "--debug", "run", "--service", "-p", "MemoryMax=1G", "--unit", "u", "--keep",
                "--log-driver", "journald", "--no-pivot", "--pid-file", "/run/p", "--bundle", "/srv/b", "web"},
               "web");
  CHECK(args == std::vector<std::string>{"--root", "/run/x", "--debug", "run", "--pid-file=/run/p", "--no-pivot",
                                         "--log-driver=journald", "--keep", "--bundle=/srv/b", "web"});
  auto back = parse(args);
  CHECK(back->global.root == "/run/x");
  CHECK(back->o.run.id == "web");
  CHECK(back->o.run.bundle == "/srv/b");
  CHECK(back->o.run.keep);
  CHECK(back->o.run.log_driver == "journald");
  CHECK_FALSE(back->o.run.service.active());
  CHECK(back->o.run.properties.empty());
  CHECK(back->o.run.unit.empty());
  CHECK(back->o.run.notify == "runtime");
  std::vector<std::string> relayed =
      run_args({"--root", "/run/x", "run", "--service", "--notify=container", "-b", "/srv/b", "web"}, "web");
  CHECK(relayed == std::vector<std::string>{"--root", "/run/x", "run", "--notify=container", "--bundle=/srv/b", "web"});
}

TEST_CASE("container_run_args: bundle-less flags, the id as --name, bind sources absolute, the command after --") {
  std::vector<std::string> args =
      run_args({"--root", "/run/x", "run", "--service", "--rootfs", "/srv/root", "-E", "A=$B", "--bind", "data:/d:ro",
                "--tmpfs", "/t", "--read-only", "--", "sh", "-c", "echo $X"},
               "gen-1234");
  const std::string cwd = cli::absolute_path(".");
  CHECK(args == std::vector<std::string>{"--root", "/run/x", "run", "--rootfs=/srv/root", "--name=gen-1234",
                                         "--setenv=A=$B", "--bind=" + cwd + "/data:/d:ro", "--tmpfs=/t", "--read-only",
                                         "--", "sh", "-c", "echo $X"});
  auto back = parse(args);
  const cli::BundlelessOptions& b = back->o.run.bundleless;
  CHECK(b.rootfs == "/srv/root");
  CHECK(b.name == "gen-1234");
  CHECK(back->o.run.id == "gen-1234");
  CHECK(b.setenv == std::vector<std::string>{"A=$B"});
  CHECK(b.binds == std::vector<std::string>{cwd + "/data:/d:ro"});
  CHECK(b.read_only);
  CHECK(b.command == std::vector<std::string>{"sh", "-c", "echo $X"});
}

TEST_CASE("service_request: what a service cannot do is one error naming the flag") {
  CHECK(refusal({"run", "--service", "--wait", "--no-block", "--bundle", "/b", "x"}) ==
        "--wait and --no-block exclude each other");
  CHECK(refusal({"run", "--on-active=1s", "--wait", "--bundle", "/b", "x"}).starts_with("--wait: not with a timer"));
  CHECK(refusal({"run", "--service", "-d", "--bundle", "/b", "x"}).starts_with("--service: --detach does not apply"));
  CHECK(refusal({"run", "--service", "--preserve-fds", "2", "--bundle", "/b", "x"})
            .starts_with("--service: --preserve-fds does not apply"));
  CHECK(refusal({"run", "--service", "--console-socket", "/s", "--bundle", "/b", "x"})
            .starts_with("--service: --console-socket does not apply"));
  CHECK(refusal({"run", "--service", "--rootfs", "/r", "-t", "sh"}).starts_with("--service: --pty does not apply"));
  CHECK(refusal({"--systemd-cgroup", "run", "--service", "--bundle", "/b", "x"})
            .starts_with("--service: --systemd-cgroup does not apply"));
  CHECK(refusal({"run", "--service", "--timer-property", "AccuracySec=1s", "--bundle", "/b", "x"}) ==
        "--timer-property: only with a timer (--on-*)");
  CHECK(refusal({"run", "--service", "--slice", "a/b", "--bundle", "/b", "x"}) == "--slice `a/b`: not a slice name");
}

TEST_CASE("service_request: names, description, slice, the two commands, the timers") {
  auto c = parse({"--root", "/run/x", "run", "--on-active", "30s", "--on-calendar", "hourly", "--slice", "machine",
                  "--collect", "--unit", "job", "-p", "Restart=on-failure", "--bundle", "/srv/b", "web"});
  util::Result<systemd::TransientServiceRequest> r =
      cli::service_request(c->o.run, c->global, "/usr/bin/ocistart", "web");
  REQUIRE(r.ok());
  CHECK(r->service == "job.service");
  CHECK(r->timer == "job.timer");
  CHECK(r->description == "ocistart container web");
  CHECK(r->syslog_identifier == "web");
  CHECK(r->slice == "machine.slice");
  CHECK(r->collect);
  CHECK_FALSE(r->wait);
  CHECK(r->exec_start.path == "/usr/bin/ocistart");
  CHECK(r->exec_start.argv ==
        std::vector<std::string>{"/usr/bin/ocistart", "--root", "/run/x", "run", "--bundle=/srv/b", "web"});
  CHECK(r->exec_stop_post.argv ==
        std::vector<std::string>{"/usr/bin/ocistart", "--root", "/run/x", "delete", "--force", "web"});
  CHECK(r->properties == std::vector<std::string>{"Restart=on-failure"});
  CHECK(r->timers ==
        std::vector<std::pair<std::string, std::string>>{{"OnActiveSec", "30s"}, {"OnCalendar", "hourly"}});
}

TEST_CASE("--wait: systemd-run's lines and exit status") {
  systemd::ServiceOutcome o;
  o.result = "exit-code";
  o.exit_code = 1;  // CLD_EXITED
  o.exit_status = 3;
  o.runtime_usec = 1234567;
  CHECK(cli::outcome_lines(o) == std::vector<std::string>{"Finished with result: exit-code",
                                                          "Main processes terminated with: code=exited/status=3",
                                                          "Service runtime: 1.234s"});
  CHECK(cli::outcome_exit_status(o) == 3);
  o.result = "signal";
  o.exit_code = 2;  // CLD_KILLED
  o.exit_status = 9;
  o.runtime_usec.reset();
  o.cpu_usec = 15000;
  CHECK(cli::outcome_lines(o) == std::vector<std::string>{"Finished with result: signal",
                                                          "Main processes terminated with: code=killed/status=9",
                                                          "CPU time consumed: 15ms"});
  CHECK(cli::outcome_exit_status(o) == 255);
  o.result = "success";
  CHECK(cli::outcome_exit_status(o) == 0);
  o.result = "timeout";
  CHECK(cli::outcome_exit_status(o) == 1);
}

TEST_CASE("format_timespan_ms: as systemd prints spans to the millisecond") {
  CHECK(systemd::format_timespan_ms(0) == "0");
  CHECK(systemd::format_timespan_ms(15000) == "15ms");
  CHECK(systemd::format_timespan_ms(1500000) == "1.500s");
  CHECK(systemd::format_timespan_ms(2000000) == "2s");
  CHECK(systemd::format_timespan_ms(123456789) == "2min 3.456s");
  CHECK(systemd::format_timespan_ms(3720000000) == "1h 2min");
  CHECK(systemd::format_timespan_ms(500) == "500us");
}
