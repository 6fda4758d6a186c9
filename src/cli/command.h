// The CLI's shape: global options and one factory per command (cli/<command>.cc).
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "runtime/state_store.h"

namespace ocistart::cli {

/// runc's global flags, plus --cgroup-manager.
struct GlobalOptions {
  std::string root = runtime::default_state_root();  // /run/ocistart, or rootless $XDG_RUNTIME_DIR/ocistart
  std::string log;                                   // --log
  std::string log_format = "text";                   // --log-format text|json
  bool debug = false;
  bool systemd_cgroup = false;          // --systemd-cgroup
  std::string cgroup_manager = "auto";  // --cgroup-manager systemd|cgroupfs|auto
};

/// A registered subcommand: `run` is called after parsing when `app->parsed()`; it
/// returns the process exit status. It prints its own output; errors it returns through
/// util::log_error and a status (1 unless the command says otherwise).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

using CommandFactory = Command (*)(CLI::App& parent, const GlobalOptions& global);

}  // namespace ocistart::cli
