// Process attributes the init applies to itself just before exec, in the OCI order.
#pragma once

#include <functional>
#include <vector>

#include "linux/syscalls.h"
#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// Everything from config.process (and linux.personality, linux.seccomp) that the init
/// applies to itself after the root file system is final: rlimits, oomScoreAdj,
/// personality, ioPriority, scheduler, execCPUAffinity.initial, AppArmor / SELinux exec
/// labels, additional groups, gid, uid (keeping caps across the switch), the five
/// capability sets (all five empty when `process` has no capabilities object: a missing
/// member never grants more), umask, noNewPrivileges, seccomp — in an order where each step still
/// has the privilege it needs (seccomp last when noNewPrivileges is set; before the uid
/// switch otherwise, as runc does). Runs in the init child (and in `exec`'s child).
/// `notify_fd`, when the seccomp profile has SCMP_ACT_NOTIFY, receives the listener fd
/// (the runtime sends it to linux.seccomp.listenerPath); nullptr drops it.
[[nodiscard]] util::Status apply_process_attributes(const spec::Process& process, const spec::Linux* linux_config,
                                                    util::UniqueFd* notify_fd);

/// Receives the seccomp listener fd as soon as the filter is loaded, before any later step
/// runs: with SCMP_ACT_NOTIFY every further matching syscall blocks until the agent at
/// linux.seccomp.listenerPath answers, so the fd must reach the runtime first. An error
/// from the sink stops apply_process_attributes with that error.
using NotifyFdSink = std::function<util::Status(util::UniqueFd listener)>;

/// As apply_process_attributes, but the listener fd goes to `send_notify_fd` right after
/// the filter is loaded (called only when the profile has SCMP_ACT_NOTIFY; may be empty).
/// A distinct name, so that passing nullptr to the other one stays unambiguous.
/// Every state-changing call of the user switch, the capability sets, the prctls and the
/// seccomp load goes through `sys` (rlimits, scheduling, labels and umask do not).
[[nodiscard]] util::Status apply_process_attributes_with_listener(Syscalls& sys, const spec::Process& process,
                                                                  const spec::Linux* linux_config,
                                                                  const NotifyFdSink& send_notify_fd);
/// The same with RealSyscalls.
[[nodiscard]] util::Status apply_process_attributes_with_listener(const spec::Process& process,
                                                                  const spec::Linux* linux_config,
                                                                  const NotifyFdSink& send_notify_fd);

/// cwd and env lookups done just before execve: chdir(process.cwd), then execve of
/// args[0] searched in PATH from process.env. Returns only on failure
/// ("exec `/bin/foo`: no such file or directory", "exec `foo`: executable file not found
/// in $PATH": the words docker maps to exit status 127).
[[nodiscard]] util::Status exec_process(const spec::Process& process);

}  // namespace ocistart::os
