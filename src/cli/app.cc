#include "cli/app.h"

#include <cstdio>
#include <memory>

#include "build_config.h"
#include "cli/common.h"
#include "cli/enters_container.h"

#if OCISTART_HAVE_SECCOMP
#include <seccomp.h>
#endif

namespace ocistart::cli {
namespace {

constexpr const char* kDescription =
    "ocistart runs containers from OCI bundles (a directory with a config.json and a root\n"
    "file system), with runc's command line, and makes each container a systemd unit\n"
    "when systemd manages the host.";

const char* feature(bool enabled) { return enabled ? "+" : "-"; }

// `help [command]`, as runc has it.
Command add_help(CLI::App& app, std::string& topic) {
  CLI::App* sub = app.add_subcommand("help", "show the help of ocistart or of one command");
  sub->add_option("command", topic, "the command to describe");
  return {sub, [&app, &topic] {
            std::string text;
            if (topic.empty()) {
              text = app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
            } else {
              CLI::App* command = nullptr;
              try {
                command = app.get_subcommand(topic);
              } catch (const CLI::OptionNotFound&) {
                return fail("help", util::make_error("unknown command `" + topic + "`", EINVAL));
              }
              text = command->get_formatter()->make_help(command, app.get_name() + " " + topic,
                                                         CLI::AppFormatMode::Normal);
            }
            std::fwrite(text.data(), 1, text.size(), stdout);
            return 0;
          }};
}

// The global flags, the description and the footer: what every command line needs.
void add_globals(CLI::App& app, GlobalOptions& global, CommandOptions& o) {
  app.name("ocistart");
  app.description(kDescription);
  app.set_version_flag(
      "-v,--version", [] { return version_text(); }, "print the version and the build's features");

  make_absolute(
      app.add_option("--root", global.root, "root directory for the containers' state (should be on a tmpfs)"))
      ->capture_default_str()
      ->type_name("DIR");
  app.add_option("--log", global.log, "also write log records to this file (default: stderr only)")->type_name("FILE");
  app.add_option("--log-format", global.log_format, "format of the --log file: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str()
      ->type_name("FORMAT");
  app.add_flag("--debug", global.debug, "enable debug logging");
  app.add_flag("--systemd-cgroup", global.systemd_cgroup,
               "use the systemd cgroup manager; cgroupsPath is then \"slice:prefix:name\"");
  app.add_option("--cgroup-manager", global.cgroup_manager,
                 "cgroup manager: systemd, cgroupfs, or auto (systemd when it runs the host)")
      ->check(CLI::IsMember({"systemd", "cgroupfs", "auto"}))
      ->capture_default_str()
      ->type_name("MANAGER");
  // Accepted because engines pass them to runc; see CompatOptions.
  app.add_option("--rootless", o.compat.rootless, "accepted for runc compatibility; ignored")
      ->check(CLI::IsMember({"true", "false", "auto"}))
      ->group("");
  app.add_option("--criu", o.compat.criu, "accepted for runc compatibility; ignored")->group("");
  app.final_callback([&global] {
    if (global.systemd_cgroup && global.cgroup_manager == "cgroupfs")
      throw CLI::ValidationError("--systemd-cgroup", "conflicts with --cgroup-manager cgroupfs");
  });
  app.require_subcommand(0, 1);
  app.footer("Run 'ocistart COMMAND --help' for a command's options.");
}

using AddCommand = Command (*)(CLI::App& app, GlobalOptions& global, CommandOptions& o);

// Every command but `help`, in registration (and so help) order.
struct CommandEntry {
  std::string_view name;
  AddCommand add;
};
constexpr CommandEntry kCommands[] = {
    {"create", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_create(a, g, o.create); }},
    {"start", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_start(a, g, o.start); }},
    {"run", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_run(a, g, o.run); }},
    {"exec", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_exec(a, g, o.exec); }},
    {"kill", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_kill(a, g, o.kill); }},
    {"delete", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_delete(a, g, o.del); }},
    {"pause", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_pause(a, g, o.pause); }},
    {"resume", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_resume(a, g, o.resume); }},
    {"ps", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_ps(a, g, o.ps); }},
    {"events", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_events(a, g, o.events); }},
    {"update", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_update(a, g, o.update); }},
    {"state", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_state(a, g, o.state); }},
    {"list", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_list(a, g, o.list); }},
    {"spec", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_spec(a, g, o.spec); }},
    {"features", [](CLI::App& a, GlobalOptions& g, CommandOptions&) { return add_features(a, g); }},
    {"status", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_status(a, g, o.status); }},
    {"logs", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_logs(a, g, o.logs); }},
    {"shell", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_shell(a, g, o.shell); }},
    {"copy-to", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_copy_to(a, g, o.copy_to); }},
    {"copy-from", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_copy_from(a, g, o.copy_from); }},
    {"bind", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_bind(a, g, o.bind); }},
    {"show", [](CLI::App& a, GlobalOptions& g, CommandOptions& o) { return add_show(a, g, o.show); }},
};

}  // namespace

std::string_view named_command(int argc, const char* const* argv) {
  const int at = command_index(argc, argv);
  if (at >= argc)
    return {};
  for (const CommandEntry& c : kCommands)
    if (std::string_view(argv[at]) == c.name)
      return c.name;
  return {};
}

std::vector<Command> build_app_for(std::string_view command, CLI::App& app, GlobalOptions& global, CommandOptions& o) {
  add_globals(app, global, o);
  std::vector<Command> commands;
  for (const CommandEntry& c : kCommands)
    if (c.name == command)
      commands.push_back(c.add(app, global, o));
  return commands;
}

std::vector<Command> build_app(CLI::App& app, GlobalOptions& global, CommandOptions& o) {
  add_globals(app, global, o);
  std::vector<Command> commands;
  for (const CommandEntry& c : kCommands)
    commands.push_back(c.add(app, global, o));
  commands.push_back(add_help(app, o.help_topic));
  return commands;
}

std::string version_text() {
  std::string text = std::string("ocistart version ") + OCISTART_VERSION + "\nspec: " + OCISTART_OCI_VERSION;
#if OCISTART_HAVE_SECCOMP
  if (const scmp_version* v = seccomp_version(); v != nullptr)
    text +=
        "\nlibseccomp: " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
#endif
  text += std::string("\nfeatures: ") + feature(OCISTART_HAVE_SECCOMP) + "seccomp " + feature(OCISTART_HAVE_APPARMOR) +
          "apparmor " + feature(OCISTART_HAVE_SELINUX) + "selinux " + feature(OCISTART_HAVE_SYSTEMD) + "systemd";
  return text;
}

std::vector<Command> build_app(CLI::App& app, GlobalOptions& global) {
  auto owned = std::make_shared<CommandOptions>();
  std::vector<Command> commands = build_app(app, global, *owned);
  for (Command& c : commands)
    c.run = [owned, run = std::move(c.run)] { return run(); };
  return commands;
}

}  // namespace ocistart::cli
