// The container's init: the child the runtime clones (no re-exec). It finishes the
// container's setup inside its namespaces, reports to the parent over the sync socket,
// blocks on exec.fifo until `start`, then becomes the user's process.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "linux/cgroup_entry.h"
#include "linux/namespaces.h"
#include "linux/process.h"
#include "linux/pty.h"
#include "linux/sync.h"
#include "spec/config.h"

namespace ocistart::os {

/// What the init needs; everything is prepared by the parent before the clone and
/// inherited by the child (the fds are O_CLOEXEC, so none survives the final execve).
struct InitArgs {
  const spec::Config* config = nullptr;
  NamespacePlan plan;
  std::string id;
  std::string rootfs;       // absolute host path of the rootfs
  int sync_fd = -1;         // init's end of the sync socketpair
  int parent_sync_fd = -1;  // the parent's end, closed first thing in the child
  int fifo_fd = -1;         // O_PATH fd of <state dir>/exec.fifo
  bool no_pivot = false;
  bool no_new_keyring = false;
  /// The runtime is rootless (os::rootless_runtime()): it writes the id maps of a new user
  /// namespace of ours without privilege, which needs us dumpable for that step, and
  /// devices are bound from the host (mknod is refused outside the initial namespace).
  bool rootless = false;
  int preserve_fds = 0;  // fds 3 .. 3+preserve_fds-1 stay open across exec
  /// Per entry of config.mounts, an idmapped tree the runtime made before the clone
  /// (idmapped_mounts.h), or -1; moved into place by prepare_rootfs.
  std::vector<int> prepared_mounts;
  /// The container's cgroup, made by the runtime before the clone, which the init enters
  /// first thing (os::enter_cgroup; its fds are closed then); `born_in_cgroup`: clone3
  /// placed it in the v2 one already. Null: the runtime moves the init (systemd's unit).
  CgroupEntry* cgroup = nullptr;
  bool born_in_cgroup = false;
  /// --log-driver journald: opens a stream for the given syslog priority, which becomes
  /// the container's stdout (info) or stderr (err). Called once the init is in the
  /// container's cgroup (journald files the output under the container's unit), before
  /// pivot_root hides the host's journal socket. Empty: stdio stays the runtime's.
  std::function<util::Result<util::UniqueFd>(int priority)> log_stream;
};

class InitLink;
class Syscalls;

/// Steps 2-5 of the init (the list at the top of init.cc): the namespaces given by path,
/// the time namespace, `unshared`, the id maps the parent writes (`mapped`), root of a new
/// user namespace, a new session and keyring. Every state change but setsid and the keyring
/// goes through `sys`, so a unit test pins the order (tests/unit/test_init_order.cc).
[[nodiscard]] util::Status enter_namespaces(const InitArgs& a, InitLink& parent, Syscalls& sys);

/// The init's entry point, called in the child right after clone_process(). Never
/// returns: execs the user's process or, on any failure, sends an `error` message to the
/// parent (or, when the parent is already gone, prints it to stderr) and _exit(1)s.
/// noexcept: a C++ exception is caught here and reported like any other failure; it
/// must never unwind into frames copied from the parent (they would run the parent's
/// rollback a second time).
[[noreturn]] void init_main(const InitArgs& args) noexcept;

/// Closes every fd from 3 + preserve_fds upwards except those in `keep`: what the runtime
/// held when it forked (a state lock, cgroup directories of the host, a log file) must not
/// reach anything the container controls (CVE-2024-21626). The init and exec's joiner call
/// it first thing. Safe in a forked child.
void close_inherited_fds(int preserve_fds, std::vector<int> keep);

/// Resolves `args[0]` of `process` like exec_process() would (PATH from process.env,
/// relative to process.cwd for names with a slash), without executing it: the init checks
/// the binary before it reports `ready`, so `create` fails (and cleans up) when it is
/// missing, as runc does. ENOENT: "executable `foo` not found in $PATH".
[[nodiscard]] util::Status check_executable(const spec::Process& process);

/// fds 3 .. 3+count-1 (--preserve-fds, and $LISTEN_FDS for create) go to the container
/// as they are: call this before the runtime opens any fd of its own, or one of ours (the
/// state lock, a cgroup directory) could fill a gap in that range and reach the container.
/// EBADF: "preserved fd 4 is not open".
[[nodiscard]] util::Status check_preserved_fds(int count);

/// What the init and `exec`'s child do before execve, in this order: reset every signal
/// disposition and unblock all signals (the runtime blocks some), mark every fd from
/// 3 + preserve_fds upwards close-on-exec (so nothing of the runtime reaches the
/// container, CVE-2019-5736), enter process.cwd (before the user switch, and once more
/// after it if that failed with EACCES), give stdio to the process's user, add HOME, apply
/// the process attributes (apply_process_attributes_with_listener: seccomp included,
/// `send_notify_fd` gets its listener fd). Returns the process to hand to exec_process()
/// (cwd entered, so cleared; env with HOME).
[[nodiscard]] util::Result<spec::Process> prepare_process(const spec::Process& process, const spec::Linux* linux_config,
                                                          int preserve_fds, const NotifyFdSink& send_notify_fd);

/// prepare_process(), then exec_process(): `exec`'s child. Returns only on failure.
[[nodiscard]] util::Status become_process(const spec::Process& process, const spec::Linux* linux_config,
                                          int preserve_fds, const NotifyFdSink& send_notify_fd);

}  // namespace ocistart::os
