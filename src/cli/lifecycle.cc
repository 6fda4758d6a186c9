// create, run, start, kill, delete: the container lifecycle.
#include <algorithm>
#include <cctype>
#include <string>

#include "cli/app.h"
#include "cli/common.h"
#include "linux/sealed_exe.h"
#include "runtime/container.h"
#include "runtime/container_id.h"
#include "spec/names.h"

namespace ocistart::cli {
namespace {

// Flags shared by create and run (runc's set, then ocistart's systemd-native ones).
void add_create_flags(CLI::App& sub, CreateOptions& o) {
  make_absolute(sub.add_option("-b,--bundle", o.bundle,
                               "path to the root of the bundle directory (default: the current directory)"))
      ->type_name("DIR");
  sub.add_option("--console-socket", o.console_socket,
                 "path to an AF_UNIX socket which will receive the master end of the console's pseudoterminal")
      ->type_name("PATH");
  sub.add_option("--pidfd-socket", o.pidfd_socket,
                 "path to an AF_UNIX socket which will receive a pidfd referring to the init process")
      ->type_name("PATH");
  make_absolute(sub.add_option("--pid-file", o.pid_file, "write the init process id to this file"))
      ->type_name("PATH");
  sub.add_flag("--no-pivot", o.no_pivot,
               "do not use pivot_root to jail the process inside the rootfs (for a rootfs on a ramdisk)");
  sub.add_flag("--no-new-keyring", o.no_new_keyring,
               "do not create a new session keyring: the container inherits the caller's");
  sub.add_option("--preserve-fds", o.preserve_fds,
                 "pass N more file descriptors to the container (stdio + $LISTEN_FDS + N in total)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  add_repeatable(sub, "-p,--property", o.properties,
                 "set a property on the container's systemd unit (NAME=VALUE), as systemd-run does")
      ->type_name("NAME=VALUE")
      ->check(
          [](const std::string& v) -> std::string {
            size_t eq = v.find('=');
            return eq == std::string::npos || eq == 0 ? "expected NAME=VALUE, got `" + v + "`" : "";
          },
          "NAME=VALUE");
  sub.add_option("--unit", o.unit, "name of the transient systemd unit (default: derived from the id)")
      ->type_name("NAME");
  sub.add_option("--log-driver", o.log_driver,
                 "where the container's stdout/stderr go: passthrough (inherit) or journald")
      ->check(CLI::IsMember({"passthrough", "journald"}))
      ->type_name("DRIVER");
  sub.add_flag("--register-machine", o.register_machine,
               "register the container with systemd-machined, so that machinectl lists it");
  // runc uses the current directory when --bundle is not given (or empty).
  sub.final_callback([&o] {
    if (o.bundle.empty())
      o.bundle = absolute_path(".");
  });
}

runtime::CreateOptions to_runtime(const CreateOptions& o, const GlobalOptions& global) {
  runtime::CreateOptions r;
  r.root = global.root;
  r.id = o.id;
  r.bundle = o.bundle;
  r.console_socket = o.console_socket;
  r.pidfd_socket = o.pidfd_socket;
  r.pid_file = o.pid_file;
  r.no_pivot = o.no_pivot;
  r.no_new_keyring = o.no_new_keyring;
  r.preserve_fds = o.preserve_fds;
  r.cgroup_manager = global.cgroup_manager;
  r.systemd_cgroup = global.systemd_cgroup;
  r.unit = o.unit;
  r.properties = o.properties;
  r.log_driver = o.log_driver;
  r.register_machine = o.register_machine;
  return r;
}

int run_create(const CreateOptions& o, const GlobalOptions& global) {
  if (int status = checked_id("create", o.id); status != 0)
    return status;
  // The init is a fork of this process: it must not run from a file the container could
  // write (linux/sealed_exe.h). Re-executes, once, unless already sealed.
  if (util::Status s = os::run_from_sealed_exe(); !s)
    return fail(command_context("create", o.id), std::move(s).error());
  if (util::Status s = runtime::create(to_runtime(o, global)); !s)
    return fail(command_context("create", o.id), std::move(s).error());
  return 0;
}

int run_run(const RunOptions& o, const GlobalOptions& global) {
  if (int status = checked_id("run", o.id); status != 0)
    return status;
  // The init is a fork of this process: it must not run from a file the container could
  // write (linux/sealed_exe.h). Re-executes, once, unless already sealed.
  if (util::Status s = os::run_from_sealed_exe(); !s)
    return fail(command_context("run", o.id), std::move(s).error());
  runtime::RunOptions r;
  static_cast<runtime::CreateOptions&>(r) = to_runtime(o, global);
  r.detach = o.detach;
  r.keep = o.keep;
  r.no_subreaper = o.no_subreaper;
  util::Result<int> status = runtime::run(r);
  if (!status)
    return fail(command_context("run", o.id), std::move(status).error());
  return *status;
}

int run_start(const IdOptions& o, const GlobalOptions& global) {
  if (int status = checked_id("start", o.id); status != 0)
    return status;
  if (util::Status s = runtime::start(global.root, o.id); !s)
    return fail(command_context("start", o.id), std::move(s).error());
  return 0;
}

int run_kill(const KillOptions& o, const GlobalOptions& global) {
  if (int status = checked_id("kill", o.id); status != 0)
    return status;
  if (util::Status s = runtime::kill(global.root, o.id, o.signal, o.all); !s)
    return fail(command_context("kill", o.id), std::move(s).error());
  return 0;
}

int run_delete(const DeleteOptions& o, const GlobalOptions& global) {
  if (int status = checked_id("delete", o.id); status != 0)
    return status;
  if (util::Status s = runtime::remove(global.root, o.id, o.force); !s)
    return fail(command_context("delete", o.id), std::move(s).error());
  return 0;
}

}  // namespace

Command add_create(CLI::App& parent, const GlobalOptions& global, CreateOptions& o) {
  CLI::App* sub = parent.add_subcommand("create", "create a container from a bundle; `start` runs its process");
  add_create_flags(*sub, o);
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] { return run_create(o, global); }};
}

Command add_run(CLI::App& parent, const GlobalOptions& global, RunOptions& o) {
  CLI::App* sub = parent.add_subcommand("run", "create and start a container");
  add_create_flags(*sub, o);
  sub->add_flag("-d,--detach", o.detach, "detach from the container's process");
  sub->add_flag("--keep", o.keep, "do not delete the container after it exits");
  sub->add_flag("--no-subreaper", o.no_subreaper, "do not become a subreaper for reparented processes");
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] { return run_run(o, global); }};
}

Command add_start(CLI::App& parent, const GlobalOptions& global, IdOptions& o) {
  CLI::App* sub = parent.add_subcommand("start", "run the user process of a created container");
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] { return run_start(o, global); }};
}

Command add_kill(CLI::App& parent, const GlobalOptions& global, KillOptions& o) {
  CLI::App* sub = parent.add_subcommand("kill", "send a signal (default: SIGTERM) to the container's init process");
  sub->add_flag("-a,--all", o.all, "send the signal to every process in the container");
  add_id_argument(*sub, o.id);
  sub->add_option("signal", o.signal_name, "signal name (KILL, SIGKILL) or number (default: SIGTERM)");
  sub->final_callback([&o] {
    // runc accepts any case and an optional SIG prefix.
    std::string name = o.signal_name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::optional<int> number = spec::signal_from_string(name);
    if (!number)
      throw CLI::ValidationError("signal", "unknown signal `" + o.signal_name + "`");
    o.signal = *number;
  });
  return {sub, [&o, &global] { return run_kill(o, global); }};
}

Command add_delete(CLI::App& parent, const GlobalOptions& global, DeleteOptions& o) {
  CLI::App* sub = parent.add_subcommand("delete", "delete a container and everything it holds");
  sub->add_flag("-f,--force", o.force, "delete the container even if it is still running (uses SIGKILL)");
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] { return run_delete(o, global); }};
}

}  // namespace ocistart::cli
