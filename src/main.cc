// ocistart's entry point: parse the command line, run the one command, map errors to exit
// statuses. Everything else lives in cli/ and below.
#include <sys/prctl.h>

#include <cctype>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cgroups/migration_lock.h"
#include "cli/app.h"
#include "cli/enters_container.h"
#include "linux/sealed_exe.h"
#include "runtime/host_integration.h"
#include "util/log.h"
#include "util/text.h"

namespace {

using ocistart::cli::Command;

// Exit status of a usage error (bad flag, missing argument), as runc.
constexpr int kUsageError = 1;

// The deepest subcommand that parsing reached, for the usage hint ("" for none).
std::string current_command(const CLI::App& app) {
  std::string name;
  const CLI::App* at = &app;
  while (true) {
    std::vector<const CLI::App*> subs = at->get_subcommands([](const CLI::App*) { return true; });
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : subs)
      if (sub->parsed())
        next = sub;
    if (next == nullptr)
      return name;
    name += (name.empty() ? "" : " ") + next->get_name();
    at = next;
  }
}

// Whether the error is about the top level (an unknown command, a bad global flag) rather
// than the subcommand that parsing had reached.
bool about_top_level(const CLI::ParseError& e, const CLI::App& app) {
  // ExtrasError carries the name of the app that found the extra arguments.
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr)
    return e.get_name() == app.get_name();
  // Validation errors start with the option's name: "--log-format: xml not in {text,json}".
  std::string msg = e.what();
  size_t colon = msg.find(':');
  if (colon == std::string::npos || msg.rfind("-", 0) != 0)
    return false;
  return app.get_option_no_throw(msg.substr(0, colon)) != nullptr;
}

// CLI11's message in ocistart's style: lowercase start (unless an acronym), no period.
std::string usage_message(const CLI::ParseError& e, const std::string& command) {
  std::string msg = e.what();
  constexpr std::string_view kExtra = "The following argument was not expected: ";
  if (command.empty() && msg.rfind(kExtra, 0) == 0 && msg.size() > kExtra.size() && msg[kExtra.size()] != '-')
    return "unknown command `" + msg.substr(kExtra.size()) + "`";
  if (msg.size() > 1 && std::isupper(static_cast<unsigned char>(msg[0])) &&
      std::islower(static_cast<unsigned char>(msg[1])))
    msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
  while (!msg.empty() && (msg.back() == '.' || msg.back() == '\n'))
    msg.pop_back();
  return command.empty() ? msg : command + ": " + msg;
}

// Runs the parsed command, whose errors it has logged.
int run_command(Command& c) {
  try {
    return c.run();
  } catch (const std::exception& e) {
    // Commands return errors; this only catches the unexpected (e.g. bad_alloc).
    ocistart::util::log_error(c.app->get_name() + ": " + e.what());
    return 1;
  }
}

// Parses argv with only the command `name` registered (cli::build_app_for) and runs it.
// Returns nothing, having run nothing, when that parse fails or reaches no command: the
// full app then parses again and reports as it always has.
std::optional<int> run_named_command(std::string_view name, int argc, char** argv) {
  CLI::App app;
  ocistart::cli::GlobalOptions global;
  ocistart::cli::CommandOptions options;
  std::vector<Command> commands = ocistart::cli::build_app_for(name, app, global, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError&) {
    return std::nullopt;
  }
  if (commands.size() != 1 || !commands.front().app->parsed())
    return std::nullopt;
  ocistart::util::log_setup({global.log, global.log_format == "json", global.debug});
  return run_command(commands.front());
}

}  // namespace

int main(int argc, char** argv) {
  // The launcher (launcher.cc) executes us as `ocistart-runtime`: the process (and the init
  // and exec processes forked from it, until they execve) is called what users ran, as
  // ps, pgrep and runc's tools expect.
  (void)::prctl(PR_SET_NAME, "ocistart", 0, 0, 0);
  // Re-executed from a sealed binary before the command line is built and parsed, so that
  // work is done once (linux/sealed_exe.h). On failure the command's own call below
  // reports the error with its context.
  if (ocistart::cli::may_enter_a_container(argc, argv))
    (void)ocistart::os::run_from_sealed_exe();
  // The helper the launcher may have started for systemd's move (cgroups/migration_lock.h),
  // and its variable out of the environment before anything reads or passes it on (our
  // own re-execution just above keeps it).
  ocistart::cgroups::adopt_launcher_helper();
  // A systemd-driver create needs the systemd module at once: it loads while the command
  // line and the config are parsed (runtime/host_module.h).
  if (ocistart::cli::has_systemd_move_an_init(argc, argv))
    ocistart::runtime::preload_host_integration();
  // Most command lines name one command (engines run create, start, state, kill, delete
  // per container): register only that one, which takes a fraction of building all of
  // them. Anything else, and any parse error, goes to the full app below, so that help
  // and error messages are the same.
  if (std::string_view name = ocistart::cli::named_command(argc, argv); !name.empty()) {
    std::optional<int> status = run_named_command(name, argc, argv);
    if (status)
      return *status;
  }

  CLI::App app;
  ocistart::cli::GlobalOptions global;
  ocistart::cli::CommandOptions options;
  std::vector<Command> commands = ocistart::cli::build_app(app, global, options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print to stdout and succeed.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
      return app.exit(e);
    std::string command = about_top_level(e, app) ? std::string() : current_command(app);
    // Log through the configured sink when the global flags got that far, so a usage
    // error reaches the --log file as runc's do.
    ocistart::util::log_setup({global.log, global.log_format == "json", global.debug});
    // CLI11 quotes the arguments it refuses: a 2 KB one is shown by its ends.
    ocistart::util::log_error(ocistart::util::shortened_words(usage_message(e, command)));
    std::cerr << "Run 'ocistart " << (command.empty() ? "" : command + " ") << "--help' for usage.\n";
    return kUsageError;
  }

  ocistart::util::log_setup({global.log, global.log_format == "json", global.debug});
  for (Command& c : commands)
    if (c.app->parsed())
      return run_command(c);
  // No command: print the help and succeed, as runc does.
  std::cout << app.help();
  return 0;
}
