// exec: run a new process in an existing container.
#include <string>

#include "cli/app.h"
#include "cli/common.h"
#include "linux/sealed_exe.h"
#include "runtime/container.h"
#include "runtime/container_id.h"

namespace ocistart::cli {
namespace {

// runc exits 255 when exec fails before the process runs, so callers can tell a failed
// exec from the process's own exit status.
constexpr int kExecFailed = 255;

int run_exec(const ExecOptions& o, const GlobalOptions& global) {
  if (util::Status valid = runtime::validate_container_id(o.id); !valid) {
    (void)fail("exec", std::move(valid).error());
    return kExecFailed;
  }
  if (o.process.empty() && o.args.empty()) {
    (void)fail(command_context("exec", o.id), util::make_error("process args cannot be empty", EINVAL));
    return kExecFailed;
  }
  // The joiner and the process are forks of this process: they must not run from a file
  // the container could write (linux/sealed_exe.h). Re-executes, once, unless already sealed.
  if (util::Status s = os::run_from_sealed_exe(); !s) {
    (void)fail(command_context("exec", o.id), std::move(s).error());
    return kExecFailed;
  }
  runtime::ExecOptions r;
  r.root = global.root;
  r.id = o.id;
  r.args = o.args;
  r.process_json = o.process;
  r.console_socket = o.console_socket;
  r.cwd = o.cwd;
  r.env = o.env;
  r.tty = o.tty;
  if (o.user) {
    r.uid = o.user->uid;
    r.gid = o.user->gid;
  }
  r.additional_gids = o.additional_gids;
  r.caps = o.caps;
  r.no_new_privs = o.no_new_privs;
  r.apparmor = o.apparmor;
  r.process_label = o.process_label;
  r.detach = o.detach;
  r.pid_file = o.pid_file;
  r.preserve_fds = o.preserve_fds;
  r.cgroups = o.cgroups;
  r.ignore_paused = o.ignore_paused;
  util::Result<int> status = runtime::exec(r);
  if (!status) {
    (void)fail(command_context("exec", o.id), std::move(status).error());
    return kExecFailed;
  }
  return *status;
}

}  // namespace

Command add_exec(CLI::App& parent, const GlobalOptions& global, ExecOptions& o) {
  CLI::App* sub = parent.add_subcommand("exec", "run a new process inside a container");
  sub->add_option("--console-socket", o.console_socket,
                  "path to an AF_UNIX socket which will receive the master end of the console's pseudoterminal")
      ->type_name("PATH");
  sub->add_option("--pidfd-socket", o.pidfd_socket,
                  "path to an AF_UNIX socket which will receive a pidfd referring to the process")
      ->type_name("PATH");
  sub->add_option("--cwd", o.cwd, "current working directory in the container")->type_name("DIR");
  add_repeatable(*sub, "-e,--env", o.env, "set an environment variable (repeatable)")->type_name("NAME=VALUE");
  sub->add_flag("-t,--tty", o.tty, "allocate a pseudo-terminal");
  sub->add_option_function<std::string>(
         "-u,--user",
         [&o](const std::string& v) {
           util::Result<UserSpec> user = parse_user(v);
           if (!user)
             throw CLI::ValidationError("--user", user.error().message);
           o.user = *user;
         },
         "user and group ids: <uid>[:<gid>]")
      ->type_name("UID[:GID]");
  sub->add_option("-g,--additional-gids", o.additional_gids, "an additional group id (repeatable)")
      ->allow_extra_args(false)
      ->type_name("GID");
  sub->add_option("-p,--process", o.process, "path to a process.json; the command line is then not used")
      ->type_name("PATH");
  sub->add_flag("-d,--detach", o.detach, "detach from the process");
  make_absolute(sub->add_option("--pid-file", o.pid_file, "write the process id to this file"))->type_name("PATH");
  sub->add_option("--process-label", o.process_label, "SELinux label of the process")->type_name("LABEL");
  sub->add_option("--apparmor", o.apparmor, "AppArmor profile of the process")->type_name("PROFILE");
  sub->add_flag("--no-new-privs", o.no_new_privs, "set no_new_privileges for the process");
  add_repeatable(*sub, "-c,--cap", o.caps, "add a capability to the process (repeatable)")->type_name("CAP");
  sub->add_option("--preserve-fds", o.preserve_fds,
                  "pass N more file descriptors to the process (stdio + $LISTEN_FDS + N in total)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  add_repeatable(*sub, "--cgroup", o.cgroups,
                 "run the process in an existing sub-cgroup: [<controller>[,<controller>]:]<path> (repeatable)")
      ->type_name("CGROUP");
  sub->add_flag("--ignore-paused", o.ignore_paused, "allow exec in a paused container");
  add_id_argument(*sub, o.id);
  sub->add_option("command", o.args, "the command and its arguments");
  // Like runc: flags end at the container id; what follows is the command, even "-x".
  sub->positionals_at_end();
  sub->final_callback([&o] {
    if (!o.args.empty() && o.args.front() == "--")
      o.args.erase(o.args.begin());
  });
  return {sub, [&o, &global] { return run_exec(o, global); }};
}

}  // namespace ocistart::cli
