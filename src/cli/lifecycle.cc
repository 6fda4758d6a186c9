// create, run, start, kill, delete: the container lifecycle.
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <string>

#include "cli/app.h"
#include "cli/common.h"
#include "linux/sealed_exe.h"
#include "runtime/container.h"
#include "runtime/container_id.h"
#include "runtime/state_store.h"
#include "spec/default_spec.h"
#include "spec/names.h"
#include "spec/parse.h"
#include "spec/serialize.h"
#include "spec/validate.h"

namespace ocistart::cli {
namespace {

// Flags shared by create and run (runc's set, then ocistart's systemd-native ones).
// Returns --bundle's option, whose default (the cwd) the caller's final callback sets.
CLI::Option* add_create_flags(CLI::App& sub, CreateOptions& o) {
  CLI::Option* bundle = make_absolute(sub.add_option(
      "-b,--bundle", o.bundle, "path to the root of the bundle directory (default: the current directory)"));
  bundle->type_name("DIR");
  sub.add_option("--console-socket", o.console_socket,
                 "path to an AF_UNIX socket which will receive the master end of the console's pseudoterminal")
      ->type_name("PATH");
  sub.add_option("--pidfd-socket", o.pidfd_socket,
                 "path to an AF_UNIX socket which will receive a pidfd referring to the init process")
      ->type_name("PATH");
  make_absolute(sub.add_option("--pid-file", o.pid_file, "write the init process id to this file"))->type_name("PATH");
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
  return bundle;
}

// runc uses the current directory when --bundle is not given (or empty).
void default_bundle(CreateOptions& o) {
  if (o.bundle.empty())
    o.bundle = absolute_path(".");
}

// run's bundle-less flags (cli/bundleless.h), in systemd-nspawn's and systemd-run's words.
void add_bundleless_flags(CLI::App& sub, BundlelessOptions& b) {
  const std::string group = "Bundle-less runs (--rootfs or --image; every positional is the command)";
  // Once --rootfs or --image is read, options end at the first positional (the command's
  // own options are its arguments), as in systemd-run and systemd-nspawn. Without them,
  // run's options may also follow the id, as runc's (urfave/cli reorders them).
  auto command_follows = [&sub](const std::string&) { sub.positionals_at_end(); };
  make_absolute(sub.add_option("--rootfs", b.rootfs, "run without a bundle: this directory is the root file system"))
      ->type_name("DIR")
      ->trigger_on_parse()
      ->each(command_follows)
      ->group(group);
  sub.add_option(
         "--image", b.image,
         "run without a bundle: the root file system is /var/lib/machines/NAME or /var/lib/ocistart/images/NAME")
      ->type_name("NAME")
      ->trigger_on_parse()
      ->each(command_follows)
      ->group(group);
  sub.add_option("--name,-M,--machine", b.name, "the container id (default: generated and printed on stderr)")
      ->type_name("ID")
      ->group(group);
  add_repeatable(sub, "-E,--setenv", b.setenv, "set an environment variable of the process (repeatable)")
      ->type_name("NAME=VALUE")
      ->group(group);
  sub.add_option("--uid", b.uid, "user of the process: a number or a name in the rootfs's /etc/passwd")
      ->type_name("UID")
      ->group(group);
  sub.add_option("--gid", b.gid, "group of the process: a number or a name in the rootfs's /etc/group")
      ->type_name("GID")
      ->group(group);
  sub.add_option("--working-directory", b.working_directory, "working directory of the process (absolute)")
      ->type_name("DIR")
      ->group(group);
  sub.add_flag("-t,--pty", b.pty, "give the process a terminal (proxied in the foreground)")->group(group);
  add_repeatable(sub, "--bind", b.binds, "bind mount SRC (on the host) at DST, read-only with :ro (repeatable)")
      ->type_name("SRC[:DST[:ro]]")
      ->group(group);
  add_repeatable(sub, "--bind-ro", b.binds_ro, "read-only bind mount (repeatable)")
      ->type_name("SRC[:DST]")
      ->group(group);
  add_repeatable(sub, "--tmpfs", b.tmpfs, "mount a tmpfs at DST with comma-separated OPTIONS (repeatable)")
      ->type_name("DST[:OPTIONS]")
      ->group(group);
  sub.add_option("--hostname", b.hostname, "the container's hostname")->type_name("NAME")->group(group);
  sub.add_option("--network", b.network, "none: a network namespace of its own (default); host: the host's")
      ->type_name("none|host")
      ->group(group);
  sub.add_flag("--read-only", b.read_only, "mount the root file system read-only")->group(group);
  add_repeatable(sub, "--capability", b.capabilities, "add capabilities (CAP_ optional, any case; all)")
      ->type_name("CAP[,CAP...]")
      ->group(group);
  add_repeatable(sub, "--drop-capability", b.drop_capabilities, "drop capabilities (all: every one)")
      ->type_name("CAP[,CAP...]")
      ->group(group);
  sub.add_flag("--print-config", b.print_config, "print the config.json this run would use, and run nothing")
      ->group(group);
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

// The config of a bundle-less run: the default spec plus the flags, validated. Reads the
// rootfs's account files and checks that bind sources exist.
util::Result<spec::Config> bundleless_run_config(const RunOptions& o) {
  const BundlelessOptions& b = o.bundleless;
  if (!b.rootfs.empty() && !b.image.empty())
    return util::make_error("--rootfs and --image exclude each other", EINVAL);
  if (o.bundle_given)
    return util::make_error(std::string(b.rootfs.empty() ? "--image" : "--rootfs") + " and --bundle exclude each other",
                            EINVAL);
  std::string rootfs = b.rootfs;
  if (!b.image.empty()) {
    util::Result<std::string> found = find_image(b.image, image_places(b.image));
    if (!found)
      return std::move(found).error();
    rootfs = *found;
  }
  struct stat st {};
  if (::stat(rootfs.c_str(), &st) < 0)
    return util::errno_error("--rootfs `" + rootfs + "`");
  if (!S_ISDIR(st.st_mode))
    return util::make_error("--rootfs `" + rootfs + "`: not a directory", ENOTDIR);
  util::Result<RootfsAccounts> accounts = read_rootfs_accounts(rootfs);
  if (!accounts)
    return std::move(accounts).error();
  const bool rootless = ::geteuid() != 0;
  util::Result<spec::Config> config =
      bundleless_config(b, rootfs, *accounts, spec::default_config(rootless, ::getuid(), ::getgid()));
  if (!config)
    return std::move(config).error();
  for (const spec::Mount& m : config->mounts)
    if (m.type == "bind" && ::stat(m.source.c_str(), &st) < 0)
      return util::errno_error("--bind: source `" + m.source + "`");
  if (util::Status s = spec::validate(*config); !s)
    return std::move(s).error();
  return config;
}

// 32 random bits for a generated id.
uint32_t random_bits() {
  uint32_t value = 0;
  if (::getrandom(&value, sizeof value, 0) != sizeof value)
    value = static_cast<uint32_t>(::getpid()) ^ static_cast<uint32_t>(::time(nullptr));
  return value;
}

// `run --rootfs DIR | --image NAME ...`: the config made from the flags goes into a private
// bundle next to the container's state directory (StateStore::private_bundle_dir), which
// the container's removal removes; then it is an ordinary run of that bundle.
int run_bundleless(const RunOptions& o, const GlobalOptions& global) {
  const BundlelessOptions& b = o.bundleless;
  util::Result<spec::Config> config = bundleless_run_config(o);
  if (!config)
    return fail("run", std::move(config).error());
  std::string json = spec::to_json(*config, 2);
  json.push_back('\n');
  if (b.print_config) {
    std::fwrite(json.data(), 1, json.size(), stdout);
    return 0;
  }
  const bool generated = b.name.empty();
  const std::string id = generated ? generated_container_id(b.image, random_bits()) : b.name;
  if (int status = checked_id("run", id); status != 0)
    return status;
  // The init is a fork of this process: it must not run from a file the container could
  // write (linux/sealed_exe.h). Re-executes, once, unless already sealed.
  if (util::Status s = os::run_from_sealed_exe(); !s)
    return fail(command_context("run", id), std::move(s).error());
  util::Result<runtime::StateStore> store = runtime::StateStore::open(global.root);
  if (!store)
    return fail(command_context("run", id), std::move(store).error());
  util::Result<std::string> bundle = store->make_private_bundle(id, json);
  if (!bundle)
    return fail(command_context("run", id), std::move(bundle).error());
  runtime::RunOptions r;
  if (generated)  // once it exists: a failure is then one line, which names the id
    r.on_created = [](const std::string& created) {
      std::fprintf(stderr, "Running as container %s.\n", created.c_str());
    };
  static_cast<runtime::CreateOptions&>(r) = to_runtime(o, global);
  r.id = id;
  r.bundle = *bundle;
  r.detach = o.detach;
  r.keep = o.keep;
  r.no_subreaper = o.no_subreaper;
  r.notify = o.notify == "container" ? runtime::NotifyMode::container : runtime::NotifyMode::runtime;
  util::Result<int> status = runtime::run(r);
  // A create that failed before the state directory existed leaves the bundle alone.
  (void)store->remove_orphan_bundle(id);
  if (!status)
    return fail(command_context("run", id), std::move(status).error());
  return *status;
}

// run --service / --on-*: systemd runs `run` of the same container (cli/service.h). The
// config is checked here first, so that bad input starts nothing.
int run_as_service(const RunOptions& o, const GlobalOptions& global) {
  if (!o.bundleless.active())
    return run_service(o, global, o.id, [&o]() -> util::Result<spec::Config> {
      util::Result<spec::Config> config = spec::load_bundle_config(o.bundle);
      if (!config)
        return config;
      if (util::Status s = spec::validate(*config); !s)
        return std::move(s).error();
      return config;
    });
  const BundlelessOptions& b = o.bundleless;
  const std::string id = b.name.empty() ? generated_container_id(b.image, random_bits()) : b.name;
  return run_service(o, global, id, [&o] { return bundleless_run_config(o); });
}

int run_run(const RunOptions& o, const GlobalOptions& global) {
  if (o.service.active())
    return run_as_service(o, global);
  if (o.bundleless.active())
    return run_bundleless(o, global);
  if (std::string flag = o.bundleless.first_flag_given(); !flag.empty())
    return fail("run", util::make_error(flag + ": only with --rootfs or --image (a bundle-less run)", EINVAL));
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
  r.notify = o.notify == "container" ? runtime::NotifyMode::container : runtime::NotifyMode::runtime;
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
  sub->final_callback([&o] { default_bundle(o); });
  return {sub, [&o, &global] { return run_create(o, global); }};
}

Command add_run(CLI::App& parent, const GlobalOptions& global, RunOptions& o) {
  CLI::App* sub = parent.add_subcommand(
      "run",
      "create and start a container: from a bundle (run ID), or from a root file system and flags "
      "(run --rootfs DIR|--image NAME [--name ID] [--] CMD...)");
  CLI::Option* bundle = add_create_flags(*sub, o);
  sub->add_flag("-d,--detach", o.detach, "detach from the container's process");
  sub->add_flag("--keep", o.keep, "do not delete the container after it exits");
  sub->add_flag("--no-subreaper", o.no_subreaper, "do not become a subreaper for reparented processes");
  sub->add_option("--notify", o.notify,
                  "under $NOTIFY_SOCKET (a Type=notify unit): `runtime` (default) says READY=1 once the process "
                  "runs; `container` gives the container a notify socket and relays what it sends")
      ->check(CLI::IsMember({"runtime", "container"}))
      ->type_name("WHO");
  add_bundleless_flags(*sub, o.bundleless);
  add_service_flags(*sub, o.service);
  sub->add_option("container-id", o.id, "the container's id (with --rootfs/--image: the command)");
  sub->add_option("command", o.bundleless.command, "with --rootfs/--image: the command's arguments");
  sub->final_callback([&o, bundle] {
    o.bundle_given = bundle->count() > 0;
    BundlelessOptions& b = o.bundleless;
    if (b.active()) {
      // Every positional is the command; the id comes from --name.
      if (!o.id.empty())
        b.command.insert(b.command.begin(), o.id);
      o.id = b.name;
    } else {
      // Bundle mode: exactly the id, as before.
      if (o.id.empty())
        throw CLI::RequiredError("container-id");
      if (!b.command.empty())
        throw CLI::ExtrasError(b.command);
    }
    default_bundle(o);
  });
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
