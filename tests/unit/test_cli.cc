// The command line through build_app: flags land in the option structs, bad input throws.
#include <doctest/doctest.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"
#include "tests/unit/cli_parse.h"
#include "cli/common.h"
#include "runtime/state_store.h"
#include "util/fs.h"

using namespace ocistart::cli;
using namespace std::chrono_literals;

namespace {

using ocistart::testing::Cli;
using ocistart::testing::parse;

std::vector<std::string> parsed_commands(const Cli& cli) {
  std::vector<std::string> names;
  for (const Command& c : cli.commands)
    if (c.app->parsed())
      names.push_back(c.app->get_name());
  return names;
}

std::string cwd() {
  char buf[PATH_MAX];
  REQUIRE(getcwd(buf, sizeof buf) != nullptr);
  return buf;
}

}  // namespace

TEST_CASE("global flags have runc's defaults") {
  auto cli = parse({"list"});
  CHECK(cli->global.root == "/run/ocistart");
  CHECK(cli->global.log.empty());
  CHECK(cli->global.log_format == "text");
  CHECK_FALSE(cli->global.debug);
  CHECK_FALSE(cli->global.systemd_cgroup);
  CHECK(cli->global.cgroup_manager == "auto");
  CHECK(parsed_commands(*cli) == std::vector<std::string>{"list"});
}

TEST_CASE("global flags land in GlobalOptions") {
  auto cli = parse({"--root", "/tmp/r", "--log", "/tmp/l.log", "--log-format", "json", "--debug", "--systemd-cgroup",
                    "--cgroup-manager", "systemd", "--rootless", "true", "--criu", "/bin/criu", "state", "abc"});
  CHECK(cli->global.root == "/tmp/r");
  CHECK(cli->global.log == "/tmp/l.log");
  CHECK(cli->global.log_format == "json");
  CHECK(cli->global.debug);
  CHECK(cli->global.systemd_cgroup);
  CHECK(cli->global.cgroup_manager == "systemd");
  CHECK(cli->o.compat.rootless == "true");
  CHECK(cli->o.state.id == "abc");
  CHECK(parsed_commands(*cli) == std::vector<std::string>{"state"});
}

TEST_CASE("a relative --root is made absolute") {
  auto cli = parse({"--root", "rel/./dir", "list"});
  CHECK(cli->global.root == cwd() + "/rel/dir");
}

TEST_CASE("create takes every runc flag plus the systemd ones") {
  auto cli = parse({"create",
                    "-b",
                    "/srv/b",
                    "--console-socket",
                    "/run/c.sock",
                    "--pidfd-socket",
                    "/run/p.sock",
                    "--pid-file",
                    "init.pid",
                    "--no-pivot",
                    "--no-new-keyring",
                    "--preserve-fds",
                    "2",
                    "-p",
                    "MemoryMax=1G",
                    "--property",
                    "CPUWeight=50",
                    "--unit",
                    "web",
                    "--log-driver",
                    "journald",
                    "c1"});
  const CreateOptions& c = cli->o.create;
  CHECK(c.id == "c1");
  CHECK(c.bundle == "/srv/b");
  CHECK(c.console_socket == "/run/c.sock");
  CHECK(c.pidfd_socket == "/run/p.sock");
  CHECK(c.pid_file == cwd() + "/init.pid");
  CHECK(c.no_pivot);
  CHECK(c.no_new_keyring);
  CHECK(c.preserve_fds == 2);
  CHECK(c.properties == std::vector<std::string>{"MemoryMax=1G", "CPUWeight=50"});
  CHECK(c.unit == "web");
  CHECK(c.log_driver == "journald");
}

TEST_CASE("create defaults: bundle is the cwd, nothing else set") {
  auto cli = parse({"create", "c1"});
  const CreateOptions& c = cli->o.create;
  CHECK(c.bundle == cwd());
  CHECK(c.pid_file.empty());
  CHECK_FALSE(c.no_pivot);
  CHECK(c.preserve_fds == 0);
  CHECK(c.log_driver == "passthrough");
}

TEST_CASE("run takes create's flags and -d, --keep, --no-subreaper") {
  auto cli = parse({"run", "-d", "--keep", "--no-subreaper", "-b", "/b", "--pid-file", "/p", "c2"});
  const RunOptions& r = cli->o.run;
  CHECK(r.detach);
  CHECK(r.keep);
  CHECK(r.no_subreaper);
  CHECK(r.bundle == "/b");
  CHECK(r.pid_file == "/p");
  CHECK(r.id == "c2");
  CHECK(parsed_commands(*cli) == std::vector<std::string>{"run"});
}

TEST_CASE("start, pause, resume, state take an id") {
  CHECK(parse({"start", "a"})->o.start.id == "a");
  CHECK(parse({"pause", "b"})->o.pause.id == "b");
  CHECK(parse({"resume", "c"})->o.resume.id == "c");
  CHECK(parse({"state", "d"})->o.state.id == "d");
}

TEST_CASE("exec takes every runc flag; repeatable ones accumulate") {
  auto cli = parse({"exec",
                    "-e",
                    "A=1",
                    "--env",
                    "B=2,3",
                    "-u",
                    "1000:1000",
                    "--cap",
                    "CAP_SYS_ADMIN",
                    "-c",
                    "CAP_NET_ADMIN",
                    "-t",
                    "--cwd",
                    "/tmp",
                    "-g",
                    "10",
                    "--additional-gids",
                    "20",
                    "-d",
                    "--pid-file",
                    "/run/e.pid",
                    "--console-socket",
                    "/s",
                    "--pidfd-socket",
                    "/ps",
                    "--process-label",
                    "system_u:system_r:container_t:s0",
                    "--apparmor",
                    "prof",
                    "--no-new-privs",
                    "--preserve-fds",
                    "1",
                    "--cgroup",
                    "memory:sub",
                    "--cgroup",
                    "pids:sub",
                    "--ignore-paused",
                    "c3",
                    "ls",
                    "-l"});
  const ExecOptions& e = cli->o.exec;
  CHECK(e.id == "c3");
  CHECK(e.args == std::vector<std::string>{"ls", "-l"});
  CHECK(e.env == std::vector<std::string>{"A=1", "B=2,3"});
  REQUIRE(e.user.has_value());
  CHECK(*e.user == UserSpec{1000, 1000});
  CHECK(e.caps == std::vector<std::string>{"CAP_SYS_ADMIN", "CAP_NET_ADMIN"});
  CHECK(e.tty);
  CHECK(e.cwd == "/tmp");
  CHECK(e.additional_gids == std::vector<uint32_t>{10, 20});
  CHECK(e.detach);
  CHECK(e.pid_file == "/run/e.pid");
  CHECK(e.console_socket == "/s");
  CHECK(e.pidfd_socket == "/ps");
  CHECK(e.process_label == "system_u:system_r:container_t:s0");
  CHECK(e.apparmor == "prof");
  CHECK(e.no_new_privs);
  CHECK(e.preserve_fds == 1);
  CHECK(e.cgroups == std::vector<std::string>{"memory:sub", "pids:sub"});
  CHECK(e.ignore_paused);
  CHECK(e.process.empty());
}

TEST_CASE("exec: flags after the id belong to the command") {
  auto cli = parse({"exec", "c3", "sh", "-c", "echo hi", "-t"});
  CHECK(cli->o.exec.args == std::vector<std::string>{"sh", "-c", "echo hi", "-t"});
  CHECK_FALSE(cli->o.exec.tty);

  auto dashes = parse({"exec", "-t", "c3", "--", "ls", "-la"});
  CHECK(dashes->o.exec.args == std::vector<std::string>{"ls", "-la"});
  CHECK(dashes->o.exec.tty);
}

TEST_CASE("exec --process needs no command; -u without a gid") {
  auto cli = parse({"exec", "-p", "/b/process.json", "-u", "7", "c4"});
  CHECK(cli->o.exec.process == "/b/process.json");
  CHECK(cli->o.exec.args.empty());
  REQUIRE(cli->o.exec.user.has_value());
  CHECK(cli->o.exec.user->uid == 7);
  CHECK_FALSE(cli->o.exec.user->gid.has_value());
}

TEST_CASE("kill: the signal defaults to SIGTERM and accepts names and numbers") {
  auto dflt = parse({"kill", "c5"});
  CHECK(dflt->o.kill.id == "c5");
  CHECK(dflt->o.kill.signal_name == "SIGTERM");
  CHECK(dflt->o.kill.signal == 15);
  CHECK_FALSE(dflt->o.kill.all);

  CHECK(parse({"kill", "c5", "KILL"})->o.kill.signal == 9);
  CHECK(parse({"kill", "c5", "SIGKILL"})->o.kill.signal == 9);
  CHECK(parse({"kill", "c5", "hup"})->o.kill.signal == 1);
  auto all = parse({"kill", "--all", "c5", "9"});
  CHECK(all->o.kill.all);
  CHECK(all->o.kill.signal == 9);
  CHECK(parse({"kill", "-a", "c5", "USR1"})->o.kill.signal == 10);
}

TEST_CASE("delete -f") {
  CHECK(parse({"delete", "-f", "c6"})->o.del.force);
  CHECK(parse({"delete", "--force", "c6"})->o.del.force);
  auto plain = parse({"delete", "c6"});
  CHECK_FALSE(plain->o.del.force);
  CHECK(plain->o.del.id == "c6");
}

TEST_CASE("list --quiet --format json") {
  auto cli = parse({"list", "-q", "--format", "json"});
  CHECK(cli->o.list.quiet);
  CHECK(cli->o.list.format == "json");
  CHECK(parse({"list", "-f", "table"})->o.list.format == "table");
  CHECK(parse({"list"})->o.list.format == "table");
}

TEST_CASE("ps: format and trailing ps arguments") {
  auto cli = parse({"ps", "-f", "json", "c7", "-ef"});
  CHECK(cli->o.ps.format == "json");
  CHECK(cli->o.ps.id == "c7");
  CHECK(cli->o.ps.ps_args == std::vector<std::string>{"-ef"});

  auto dashes = parse({"ps", "-f", "json", "--", "c7", "-ef"});
  CHECK(dashes->o.ps.id == "c7");
  CHECK(dashes->o.ps.ps_args == std::vector<std::string>{"-ef"});

  auto after = parse({"ps", "c7", "--", "aux"});
  CHECK(after->o.ps.ps_args == std::vector<std::string>{"aux"});
  CHECK(parse({"ps", "c7"})->o.ps.ps_args.empty());
}

TEST_CASE("events --interval --stats") {
  auto cli = parse({"events", "--interval", "2s", "--stats", "c8"});
  CHECK(cli->o.events.interval == 2s);
  CHECK(cli->o.events.stats);
  CHECK(parse({"events", "c8"})->o.events.interval == 5s);
  CHECK(parse({"events", "--interval", "1m30s", "c8"})->o.events.interval == 90s);
}

TEST_CASE("update: every resource flag, only given ones set") {
  auto cli = parse({"update", "--memory",          "1G",     "--memory-swap",   "-1",      "--memory-reservation",
                    "512m",   "--kernel-memory",   "1m",     "--cpu-quota",     "50000",   "--cpu-period",
                    "100000", "--cpu-share",       "512",    "--cpu-rt-period", "1000000", "--cpu-rt-runtime",
                    "950000", "--cpu-burst",       "1000",   "--cpu-idle",      "1",       "--cpuset-cpus",
                    "0-1",    "--cpuset-mems",     "0",      "--blkio-weight",  "500",     "--pids-limit",
                    "100",    "--l3-cache-schema", "L3:0=f", "--mem-bw-schema", "MB:0=70", "c9"});
  const UpdateOptions& u = cli->o.update;
  CHECK(u.id == "c9");
  CHECK(u.memory == int64_t{1} << 30);
  CHECK(u.memory_swap == -1);
  CHECK(u.memory_reservation == int64_t{512} << 20);
  CHECK(u.kernel_memory == int64_t{1} << 20);
  CHECK(u.cpu_quota == 50000);
  CHECK(u.cpu_period == 100000U);
  CHECK(u.cpu_shares == 512U);
  CHECK(u.cpu_rt_period == 1000000U);
  CHECK(u.cpu_rt_runtime == 950000);
  CHECK(u.cpu_burst == 1000U);
  CHECK(u.cpu_idle == 1);
  CHECK(u.cpuset_cpus == "0-1");
  CHECK(u.cpuset_mems == "0");
  CHECK(u.blkio_weight == uint16_t{500});
  CHECK(u.pids_limit == 100);
  CHECK(u.l3_cache_schema == "L3:0=f");
  CHECK(u.mem_bw_schema == "MB:0=70");
  CHECK(u.resources.empty());

  auto file = parse({"update", "-r", "-", "c9"});
  CHECK(file->o.update.resources == "-");
  CHECK_FALSE(file->o.update.memory.has_value());
  CHECK_FALSE(file->o.update.pids_limit.has_value());
  CHECK_FALSE(file->o.update.cpuset_cpus.has_value());
}

TEST_CASE("spec --bundle --rootless; features; status; logs") {
  auto cli = parse({"spec", "--rootless", "-b", "/tmp/bundle"});
  CHECK(cli->o.spec.rootless);
  CHECK(cli->o.spec.bundle == "/tmp/bundle");
  CHECK(parse({"spec"})->o.spec.bundle.empty());
  CHECK(parsed_commands(*parse({"features"})) == std::vector<std::string>{"features"});

  CHECK(parse({"status", "-n", "20", "web"})->o.status.lines == 20U);
  auto logs = parse({"logs", "-f", "-n", "50", "--since", "-1h", "-o", "json", "web"});
  CHECK(logs->o.logs.follow);
  CHECK(logs->o.logs.lines == 50U);
  CHECK(logs->o.logs.since == "-1h");
  CHECK(logs->o.logs.output == "json");
  CHECK(logs->o.logs.id == "web");
}

TEST_CASE("no command parses; --help and --version are reported as such") {
  CHECK(parsed_commands(*parse({})).empty());
  CHECK_THROWS_AS(parse({"--help"}), CLI::CallForHelp);
  CHECK_THROWS_AS(parse({"create", "--help"}), CLI::CallForHelp);
  CHECK_THROWS_AS(parse({"--version"}), CLI::CallForVersion);
  CHECK_THROWS_AS(parse({"-v"}), CLI::CallForVersion);
}

TEST_CASE("bad input throws CLI11 parse errors") {
  CHECK_THROWS_AS(parse({"create", "--bogus", "c1"}), CLI::ExtrasError);
  CHECK_THROWS_AS(parse({"--bogus", "list"}), CLI::ExtrasError);
  CHECK_THROWS_AS(parse({"bogus"}), CLI::ExtrasError);
  CHECK_THROWS_AS(parse({"state"}), CLI::RequiredError);
  CHECK_THROWS_AS(parse({"create"}), CLI::RequiredError);
  CHECK_THROWS_AS(parse({"exec"}), CLI::RequiredError);
  CHECK_THROWS_AS(parse({"state", "a", "b"}), CLI::ExtrasError);
  CHECK_THROWS_AS(parse({"kill", "a", "TERM", "extra"}), CLI::ExtrasError);
  CHECK_THROWS_AS(parse({"--log-format", "xml", "list"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"--cgroup-manager", "cgroupv3", "list"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"--systemd-cgroup", "--cgroup-manager", "cgroupfs", "list"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"--rootless", "maybe", "list"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"kill", "c1", "NOSUCHSIG"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"list", "--format", "yaml"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"ps", "-f", "yaml", "c1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"exec", "-u", "root", "c1", "sh"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"exec", "-u", "1:x", "c1", "sh"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"update", "--memory", "1X", "c1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"events", "--interval", "5", "c1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"events", "--interval", "0s", "c1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"create", "-p", "NoEquals", "c1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"create", "--log-driver", "syslog", "c1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"create", "--preserve-fds", "-1", "c1"}), CLI::ParseError);
  CHECK_THROWS_AS(parse({"create", "--preserve-fds", "many", "c1"}), CLI::ParseError);
  CHECK_THROWS_AS(parse({"update", "--cpu-period", "-5", "c1"}), CLI::ParseError);
  // Global flags go before the command, as with runc.
  CHECK_THROWS_AS(parse({"list", "--root", "/tmp"}), CLI::ExtrasError);
}

TEST_CASE("parse_memory_size follows runc's update syntax") {
  CHECK(*parse_memory_size("100") == 100);
  CHECK(*parse_memory_size("1k") == 1024);
  CHECK(*parse_memory_size("1K") == 1024);
  CHECK(*parse_memory_size("512m") == int64_t{512} << 20);
  CHECK(*parse_memory_size("1G") == int64_t{1} << 30);
  CHECK(*parse_memory_size("1gb") == int64_t{1} << 30);
  CHECK(*parse_memory_size("1GiB") == int64_t{1} << 30);
  CHECK(*parse_memory_size("2 t") == int64_t{2} << 40);
  CHECK(*parse_memory_size("1.5k") == 1536);
  CHECK(*parse_memory_size("10b") == 10);
  CHECK(*parse_memory_size("-1") == -1);
  CHECK(*parse_memory_size("1 ") == 1);  // docker's syntax allows the space without a unit
  for (const char* bad : {"", "abc", "1X", "1kk", "-2", "k", "1.5.5k", "99999999999p", "1  ", ".k"}) {
    CAPTURE(bad);
    ocistart::util::Result<int64_t> r = parse_memory_size(bad);
    CHECK_FALSE(r.ok());
    if (!r.ok())
      CHECK(r.error().code == EINVAL);
  }
}

TEST_CASE("parse_duration reads Go durations") {
  CHECK(*parse_duration("5s") == 5s);
  CHECK(*parse_duration("100ms") == 100ms);
  CHECK(*parse_duration("1m30s") == 90s);
  CHECK(*parse_duration("1.5h") == 90min);
  CHECK(*parse_duration("2us") == 2us);
  CHECK(*parse_duration("3\xc2\xb5s") == 3us);
  CHECK(*parse_duration("7ns") == 7ns);
  CHECK(*parse_duration("0") == 0ns);
  CHECK(*parse_duration("-2s") == -2s);
  for (const char* bad : {"", "5", "s", "5x", "1.s5", "5 s", "--5s"})
    CHECK_FALSE(parse_duration(bad).ok());
}

TEST_CASE("parse_user takes <uid>[:<gid>]") {
  CHECK(*parse_user("0") == UserSpec{0, std::nullopt});
  CHECK(*parse_user("1000:100") == UserSpec{1000, 100});
  CHECK(*parse_user("4294967295:4294967295") == UserSpec{4294967295U, 4294967295U});
  for (const char* bad : {"", ":", "1:", ":1", "root", "1:2:3", "-1", "4294967296", "1:x"})
    CHECK_FALSE(parse_user(bad).ok());
}

TEST_CASE("absolute_path cleans lexically like filepath.Abs") {
  CHECK(absolute_path("/a/./b//../c/") == "/a/c");
  CHECK(absolute_path("/..") == "/");
  CHECK(absolute_path("/") == "/");
  CHECK(absolute_path("x/y") == cwd() + "/x/y");
  CHECK(absolute_path("") == cwd());
}

TEST_CASE("format_table aligns like runc's tabwriter") {
  std::string header = format_table({{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}});
  CHECK(header == "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
  std::string table = format_table({{"ID", "PID", "OWNER"}, {"a-very-long-container-id", "123", "root"}});
  // Column width: the longest cell plus 3 (27 here), at least 12.
  CHECK(table == "ID" + std::string(25, ' ') + "PID" + std::string(9, ' ') + "OWNER\n" + "a-very-long-container-id" +
                     std::string(3, ' ') + "123" + std::string(9, ' ') + "root\n");
  // Widths count characters, not bytes.
  CHECK(format_table({{"\xc3\xa9t\xc3\xa9", "x"}}) == "\xc3\xa9t\xc3\xa9         x\n");
}

TEST_CASE("the owning build_app keeps the options alive") {
  CLI::App app;
  GlobalOptions global;
  std::vector<Command> commands = build_app(app, global);
  std::vector<const char*> argv{"ocistart", "--root", "/tmp/x", "help"};
  app.parse(static_cast<int>(argv.size()), argv.data());
  CHECK(global.root == "/tmp/x");
  int parsed = 0;
  for (const Command& c : commands)
    parsed += c.app->parsed() ? 1 : 0;
  CHECK(parsed == 1);
}

namespace {

std::string_view named(std::vector<const char*> args) {
  args.insert(args.begin(), "ocistart");
  return named_command(static_cast<int>(args.size()), args.data());
}

// Parses `args` with only the named command registered; nullptr when that parse throws.
std::unique_ptr<Cli> parse_named(std::vector<std::string> args) {
  std::vector<const char*> argv{"ocistart"};
  for (const std::string& a : args)
    argv.push_back(a.c_str());
  std::string_view name = named_command(static_cast<int>(argv.size()), argv.data());
  REQUIRE(!name.empty());
  auto cli = std::make_unique<Cli>();
  cli->commands = build_app_for(name, cli->app, cli->global, cli->o);
  REQUIRE(cli->commands.size() == 1);
  try {
    cli->app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError&) {
    return nullptr;
  }
  return cli;
}

}  // namespace

TEST_CASE("named_command finds the command word past the global flags and their values") {
  CHECK(named({"state", "c1"}) == "state");
  CHECK(named({"--root", "/r", "--log", "run", "--log-format", "json", "delete", "c1"}) == "delete");
  CHECK(named({"--root=/r", "--debug", "--systemd-cgroup", "kill", "c1", "KILL"}) == "kill");
  CHECK(named({"--cgroup-manager", "create", "--rootless", "true", "--criu", "x", "start", "c1"}) == "start");
  CHECK(named({"exec", "c1", "run"}) == "exec");
  CHECK(named({}).empty());
  CHECK(named({"--help"}).empty());
  CHECK(named({"help", "state"}).empty());
  CHECK(named({"bogus", "state"}).empty());
  CHECK(named({"--", "state"}).empty());
  CHECK(named({"--root"}).empty());
}

TEST_CASE("the one-command app parses as the full app, or throws where it does") {
  auto full = parse({"--root", "/tmp/r", "--log-format", "json", "create", "-b", "/b", "--pid-file", "p", "-p", "A=1",
                     "--preserve-fds", "2", "c1"});
  auto one = parse_named({"--root", "/tmp/r", "--log-format", "json", "create", "-b", "/b", "--pid-file", "p", "-p",
                          "A=1", "--preserve-fds", "2", "c1"});
  REQUIRE(one != nullptr);
  CHECK(one->global.root == full->global.root);
  CHECK(one->global.log_format == full->global.log_format);
  CHECK(one->o.create.bundle == full->o.create.bundle);
  CHECK(one->o.create.pid_file == full->o.create.pid_file);
  CHECK(one->o.create.properties == full->o.create.properties);
  CHECK(one->o.create.preserve_fds == full->o.create.preserve_fds);
  CHECK(one->o.create.id == "c1");
  CHECK(one->commands.front().app->parsed());

  auto exec = parse_named({"exec", "-e", "A=1", "c1", "run", "-x"});
  REQUIRE(exec != nullptr);
  CHECK(exec->o.exec.args == parse({"exec", "-e", "A=1", "c1", "run", "-x"})->o.exec.args);

  // Each of these throws with the full app too; main then reports through the full app.
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{"state"},
                                             {"state", "a", "b"},
                                             {"state", "--help"},
                                             {"--version", "state", "a"},
                                             {"kill", "c1", "NOSIG"},
                                             {"--log-format", "xml", "state", "a"},
                                             {"list", "--root", "/tmp"},
                                             {"--systemd-cgroup", "--cgroup-manager", "cgroupfs", "state", "a"},
                                             {"state", "a", "run"}}) {
    CAPTURE(bad.front());
    CHECK(parse_named(bad) == nullptr);
    CHECK_THROWS_AS(parse(bad), CLI::ParseError);
  }
}

namespace {

// Runs the one parsed command with stdout sent to a temp file; returns status and output.
std::pair<int, std::string> run_captured(std::vector<std::string> args) {
  auto cli = parse(std::move(args));
  char path[] = "/tmp/ocistart-test-out-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::fflush(stdout);
  int saved = dup(STDOUT_FILENO);
  dup2(fd, STDOUT_FILENO);
  int status = -1;
  for (Command& c : cli->commands)
    if (c.app->parsed())
      status = c.run();
  std::fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  std::string out;
  char buf[4096];
  ssize_t n;
  lseek(fd, 0, SEEK_SET);
  while ((n = read(fd, buf, sizeof buf)) > 0)
    out.append(buf, static_cast<size_t>(n));
  close(fd);
  unlink(path);
  return {status, out};
}

}  // namespace

TEST_CASE("state and list show a saved container as runc does") {
  char tmpl[] = "/tmp/ocistart-test-root-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string root = tmpl;
  {
    auto store = ocistart::runtime::StateStore::open(root);
    REQUIRE(store.ok());
    auto lock = store->create("web");
    REQUIRE(lock.ok());
    ocistart::runtime::ContainerState s;
    s.oci_version = "1.2.1";
    s.id = "web";
    s.status = ocistart::runtime::ContainerStatus::running;
    s.pid = getpid();  // alive, so the status stays running
    s.pid_start_time = ocistart::runtime::process_start_time(getpid());
    s.bundle = "/srv/web";
    s.rootfs = "/srv/web/rootfs";
    s.created = "2024-05-06T07:08:09.123456789Z";
    s.owner = "root";
    s.annotations["a"] = "b";
    REQUIRE(store->save(s).ok());
  }

  auto [state_rc, state_out] = run_captured({"--root", root, "state", "web"});
  CHECK(state_rc == 0);
  CHECK(state_out.find("\"id\": \"web\"") != std::string::npos);
  CHECK(state_out.find("\"status\": \"running\"") != std::string::npos);
  CHECK(state_out.find("\"pid\": " + std::to_string(getpid())) != std::string::npos);

  auto [table_rc, table] = run_captured({"--root", root, "list"});
  CHECK(table_rc == 0);
  std::string pid = std::to_string(getpid());
  std::string owner = table.substr(table.rfind(' ') + 1);
  CHECK(table ==
        "ID          PID         STATUS      BUNDLE      CREATED                          OWNER\n"
        "web         " +
            pid + std::string(12 - pid.size(), ' ') + "running     /srv/web    " + "2024-05-06T07:08:09.123456789Z   " +
            owner);
  CHECK(owner == "root\n");

  auto [json_rc, json] = run_captured({"--root", root, "list", "--format", "json"});
  CHECK(json_rc == 0);
  CHECK(json == "[{\"ociVersion\":\"1.2.1\",\"id\":\"web\",\"pid\":" + pid +
                    ",\"status\":\"running\",\"bundle\":\"/srv/web\",\"rootfs\":\"/srv/web/rootfs\","
                    "\"created\":\"2024-05-06T07:08:09.123456789Z\",\"annotations\":{\"a\":\"b\"},"
                    "\"owner\":\"root\"}]\n");

  auto [quiet_rc, quiet] = run_captured({"--root", root, "list", "-q"});
  CHECK(quiet_rc == 0);
  CHECK(quiet == "web\n");

  CHECK(run_captured({"--root", root, "state", "nothere"}).first == 1);
  CHECK(run_captured({"--root", root, "state", "../web"}).first == 1);
  CHECK(ocistart::util::remove_tree(root).ok());
}
