// linux.seccomp.listenerPath: handing the seccomp notify fd to an agent.
//
// runc's way. The runtime connects to the agent's UNIX socket (SOCK_STREAM) before it
// starts the process. The process (the container's init, or exec's child) loads its filter
// before `create` (or `exec`) returns, writes the listener fd's number to the runtime and
// waits; the runtime takes the fd out of the process with pidfd_getfd(2), sends one
// "container process state" document with it attached (SCM_RIGHTS), closes its copy and
// the connection, and answers; the process then closes its own copy, so that the agent
// holds the only one (when the agent goes, notified syscalls fail with ENOSYS instead of
// waiting). Under the filter the process only writes its message and reads the answer: a
// notified read waits for an agent that has the fd by then; a notified write could not
// (spec::seccomp_notify_refusal).
#pragma once

#include <string>
#include <string_view>

#include "linux/sync.h"
#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// True when some rule of `seccomp` has the action SCMP_ACT_NOTIFY: loading the filter
/// then creates a listener fd (SeccompFilter::uses_notify agrees).
[[nodiscard]] bool has_notify_rule(const spec::Seccomp& seccomp);

/// linux.seccomp when it has a NOTIFY rule and a listenerPath (the fd must go to an
/// agent); nullptr otherwise. `linux_config` may be nullptr.
[[nodiscard]] const spec::Seccomp* notify_listener(const spec::Linux* linux_config);

/// The containerProcessState document of runtime-spec config-linux.md, compact:
/// {"ociVersion", "fds": ["seccompFd"], "pid", "metadata" (only when not empty),
/// "state"}. `pid` is the host pid of the process that loaded the filter; `state_json`
/// is the container's OCI state document, inserted as it is. Pure.
[[nodiscard]] std::string container_process_state_json(int pid, std::string_view metadata, std::string_view state_json);

/// Connects to the agent's socket at `seccomp->listener_path` (util::connect_unix); an
/// empty UniqueFd when `seccomp` is nullptr (notify_listener() found no agent to call).
/// Errors in runc's words and naming the path: "failed to connect with seccomp agent
/// specified in the seccomp profile: listenerPath `/run/agent.sock`: connect: Connection
/// refused".
[[nodiscard]] util::Result<util::UniqueFd> connect_listener(const spec::Seccomp* seccomp);

/// Sends `message` over `conn`, connected to the agent at `path`, with `notify_fd`
/// attached to its first bytes. Errors name `path`. EPIPE when the agent has gone (no
/// SIGPIPE).
[[nodiscard]] util::Status send_to_listener(int conn, const std::string& path, std::string_view message, int notify_fd);

/// The process's side, right after loading the filter: `seccomp_fd` with the number of
/// `listener` (SyncChannel::write_message), then wait for `seccomp_taken`; `listener`
/// closes on return. Safe in the init child.
[[nodiscard]] util::Status hand_listener_to_parent(SyncChannel& sync, util::UniqueFd listener);

/// The runtime's side: waits for `seccomp_fd` from process `pid`, takes the fd with
/// pidfd_getfd(2), sends it to the agent on `conn` with the containerProcessState of
/// `pid`, `seccomp`'s listenerMetadata and `state_json`, closes `conn` and its copy of the
/// fd, then answers `seccomp_taken`.
[[nodiscard]] util::Status forward_listener(SyncChannel& sync, int pid, util::UniqueFd conn,
                                            const spec::Seccomp& seccomp, std::string_view state_json);

}  // namespace ocistart::os
