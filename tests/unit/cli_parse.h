// The CLI as a test drives it: build_app's inputs and outputs, and parse() filling them from
// an argv without the program name (CLI11 throws on a parse error, as in main.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"

namespace ocistart::testing {

struct Cli {
  CLI::App app;
  cli::GlobalOptions global;
  cli::CommandOptions o;
  std::vector<cli::Command> commands;
};

inline std::unique_ptr<Cli> parse(const std::vector<std::string>& args) {
  auto parsed = std::make_unique<Cli>();
  parsed->commands = cli::build_app(parsed->app, parsed->global, parsed->o);
  std::vector<const char*> argv{"ocistart"};
  for (const std::string& a : args)
    argv.push_back(a.c_str());
  parsed->app.parse(static_cast<int>(argv.size()), argv.data());
  return parsed;
}

}  // namespace ocistart::testing
