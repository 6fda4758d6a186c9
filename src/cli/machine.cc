// The machinectl verbs for a running container: shell, copy-to, copy-from, bind.
#include <cstdlib>
#include <string>

#include "cli/app.h"
#include "cli/common.h"
#include "linux/sealed_exe.h"
#include "runtime/bind.h"
#include "runtime/container_id.h"
#include "runtime/copy.h"
#include "runtime/shell.h"

namespace ocistart::cli {
namespace {

int run_shell(const ShellOptions& o, const GlobalOptions& global) {
  if (int bad = checked_id("shell", o.id); bad != 0)
    return bad;
  const std::string context = command_context("shell", o.id);
  // The shell is a fork of this process inside the container: never from a file the
  // container could write (linux/sealed_exe.h), as for exec.
  if (util::Status s = os::run_from_sealed_exe(); !s)
    return fail(context, std::move(s).error());
  runtime::ShellOptions r;
  r.root = global.root;
  r.id = o.id;
  r.user = o.user;
  r.setenv = o.setenv;
  r.args = o.args;
  if (const char* term = std::getenv("TERM"); term != nullptr)
    r.term = term;
  util::Result<int> status = runtime::shell(r);
  if (!status)
    return fail(context, std::move(status).error());
  return *status;
}

int run_copy(std::string_view command, const CopyOptions& o, const GlobalOptions& global, bool to_container) {
  if (int bad = checked_id(command, o.id); bad != 0)
    return bad;
  runtime::CopyOptions r{global.root, o.id, o.source, o.destination, o.mkdir};
  util::Status s = to_container ? runtime::copy_to(r) : runtime::copy_from(r);
  return s ? 0 : fail(command_context(command, o.id), std::move(s).error());
}

int run_bind(const BindOptions& o, const GlobalOptions& global) {
  if (int bad = checked_id("bind", o.id); bad != 0)
    return bad;
  os::BindInto r{o.source, o.destination, o.read_only, o.mkdir};
  util::Status s = runtime::bind(global.root, o.id, r);
  return s ? 0 : fail(command_context("bind", o.id), std::move(s).error());
}

Command add_copy(CLI::App& parent, const GlobalOptions& global, CopyOptions& o, bool to_container) {
  const char* name = to_container ? "copy-to" : "copy-from";
  CLI::App* sub =
      parent.add_subcommand(name, to_container ? "copy a host file or directory tree into a running container"
                                               : "copy a file or directory tree out of a running container");
  sub->add_flag("--mkdir", o.mkdir, "make the destination's missing parent directories");
  add_id_argument(*sub, o.id);
  sub->add_option("source", o.source, to_container ? "host path" : "path inside the container")
      ->required()
      ->type_name("SOURCE");
  sub->add_option("destination", o.destination, to_container ? "new path inside the container" : "new host path")
      ->required()
      ->type_name("DESTINATION");
  return {sub, [name, &o, &global, to_container] { return run_copy(name, o, global, to_container); }};
}

}  // namespace

Command add_shell(CLI::App& parent, const GlobalOptions& global, ShellOptions& o) {
  CLI::App* sub = parent.add_subcommand("shell", "open a login shell (or run a command) in a running container");
  sub->add_option("-u,--uid", o.user, "user of the container's /etc/passwd, a name or a uid (default root)")
      ->type_name("USER");
  add_repeatable(*sub, "-E,--setenv", o.setenv, "set an environment variable (repeatable)")->type_name("NAME=VALUE");
  add_id_argument(*sub, o.id);
  sub->add_option("command", o.args, "the command and its arguments (default: the user's login shell)");
  // As exec: flags end at the container id; what follows is the command, even "-x".
  sub->positionals_at_end();
  sub->final_callback([&o] {
    if (!o.args.empty() && o.args.front() == "--")
      o.args.erase(o.args.begin());
  });
  return {sub, [&o, &global] { return run_shell(o, global); }};
}

Command add_copy_to(CLI::App& parent, const GlobalOptions& global, CopyOptions& o) {
  return add_copy(parent, global, o, true);
}

Command add_copy_from(CLI::App& parent, const GlobalOptions& global, CopyOptions& o) {
  return add_copy(parent, global, o, false);
}

Command add_bind(CLI::App& parent, const GlobalOptions& global, BindOptions& o) {
  CLI::App* sub = parent.add_subcommand("bind", "mount a host directory or file into a running container");
  sub->add_flag("--read-only", o.read_only, "mount it read-only");
  sub->add_flag("--mkdir", o.mkdir, "make the mount point (and its parents) when missing");
  add_id_argument(*sub, o.id);
  sub->add_option("source", o.source, "host path")->required()->type_name("SOURCE");
  sub->add_option("destination", o.destination, "path inside the container")->required()->type_name("DESTINATION");
  return {sub, [&o, &global] { return run_bind(o, global); }};
}

}  // namespace ocistart::cli
