// The whole command line: global flags and every subcommand on one CLI::App, with nothing
// run while parsing, so tests can parse argv and look at the option structs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/options.h"

namespace ocistart::cli {

/// Registers the global flags (bound to `global`) and every subcommand (bound to the
/// matching member of `options`) on `app`, and returns the commands in registration order.
/// `global` and `options` must outlive `app` and the returned commands. After
/// `app.parse()`, run the one command whose `app->parsed()`; with none, print help.
/// Parsing throws CLI::ParseError for bad input (CLI::CallForHelp, CLI::CallForVersion
/// for --help and --version).
[[nodiscard]] std::vector<Command> build_app(CLI::App& app, GlobalOptions& global, CommandOptions& options);

/// The command an argv names, told without building the app: the first argument that is
/// neither a global flag nor the value of one (--root, --log, --log-format,
/// --cgroup-manager, --rootless, --criu), when it is a command's name other than `help`.
/// Empty otherwise (no command, `help`, an unknown word, or `--` first).
[[nodiscard]] std::string_view named_command(int argc, const char* const* argv);

/// build_app with only `command` (a name from named_command) registered besides the global
/// flags: a fraction of the work of building every command. Returns that one command.
/// For an argv where named_command gave `command`, a successful parse of this app that
/// reaches the command parses as the full app would; its errors, help and the no-command
/// case are the full app's to report (its messages and help name every command).
[[nodiscard]] std::vector<Command> build_app_for(std::string_view command, CLI::App& app, GlobalOptions& global,
                                                 CommandOptions& options);

/// The same, owning the option structs (they live as long as the returned commands).
[[nodiscard]] std::vector<Command> build_app(CLI::App& app, GlobalOptions& global);

/// What `--version` prints: "ocistart version X", "spec: V", the libseccomp version in use
/// (when built with seccomp) and the compiled-in features as "+seccomp -apparmor ...".
[[nodiscard]] std::string version_text();

// One registration function per command, each in its family's file (cli/<family>.cc).
// Each adds the subcommand to `parent` with its flags bound to `o`.

// lifecycle.cc
Command add_create(CLI::App& parent, const GlobalOptions& global, CreateOptions& o);
Command add_run(CLI::App& parent, const GlobalOptions& global, RunOptions& o);
Command add_start(CLI::App& parent, const GlobalOptions& global, IdOptions& o);
Command add_kill(CLI::App& parent, const GlobalOptions& global, KillOptions& o);
Command add_delete(CLI::App& parent, const GlobalOptions& global, DeleteOptions& o);
// exec.cc
Command add_exec(CLI::App& parent, const GlobalOptions& global, ExecOptions& o);
// resources.cc
Command add_pause(CLI::App& parent, const GlobalOptions& global, IdOptions& o);
Command add_resume(CLI::App& parent, const GlobalOptions& global, IdOptions& o);
Command add_ps(CLI::App& parent, const GlobalOptions& global, PsOptions& o);
Command add_events(CLI::App& parent, const GlobalOptions& global, EventsOptions& o);
Command add_update(CLI::App& parent, const GlobalOptions& global, UpdateOptions& o);
// query.cc
Command add_state(CLI::App& parent, const GlobalOptions& global, IdOptions& o);
Command add_list(CLI::App& parent, const GlobalOptions& global, ListOptions& o);
// spec_cmd.cc
Command add_spec(CLI::App& parent, const GlobalOptions& global, SpecOptions& o);
Command add_features(CLI::App& parent, const GlobalOptions& global);
// unit.cc
Command add_status(CLI::App& parent, const GlobalOptions& global, StatusOptions& o);
Command add_logs(CLI::App& parent, const GlobalOptions& global, LogsOptions& o);
// machine.cc
Command add_shell(CLI::App& parent, const GlobalOptions& global, ShellOptions& o);
Command add_copy_to(CLI::App& parent, const GlobalOptions& global, CopyOptions& o);
Command add_copy_from(CLI::App& parent, const GlobalOptions& global, CopyOptions& o);
Command add_bind(CLI::App& parent, const GlobalOptions& global, BindOptions& o);
// show.cc
Command add_show(CLI::App& parent, const GlobalOptions& global, ShowOptions& o);

}  // namespace ocistart::cli
