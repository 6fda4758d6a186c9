// linux.seccomp.listenerPath: handing the seccomp notify fd to an agent.
//
// The runtime connects to the agent's UNIX socket (SOCK_STREAM, as runc does), sends one
// "container process state" document with the listener fd attached (SCM_RIGHTS) and
// closes the connection. Connecting and building the message happen before the filter is
// loaded; only the send (sendmsg, close) runs under the filter, which is why
// build_seccomp_filter refuses SCMP_ACT_NOTIFY for `sendmsg`.
#pragma once

#include <string>
#include <string_view>

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
[[nodiscard]] std::string container_process_state_json(int pid, std::string_view metadata,
                                                       std::string_view state_json);

/// The "pid" member of an OCI state document. EINVAL when the text does not parse or
/// the member is missing or not a positive integer. Pure.
[[nodiscard]] util::Result<int> state_pid(std::string_view state_json);

/// Connects to the agent's socket at `path` (util::connect_unix). Errors name the path:
/// "seccomp listenerPath `/run/agent.sock`: connect: Connection refused".
[[nodiscard]] util::Result<util::UniqueFd> connect_listener(const std::string& path);

/// Sends `message` over `conn`, connected to the agent at `path`, with `notify_fd`
/// attached to its first bytes. Allocates only to report an error (which names `path`):
/// safe in the init after the filter is loaded. EPIPE when the agent has gone (no SIGPIPE).
[[nodiscard]] util::Status send_to_listener(int conn, const std::string& path,
                                            std::string_view message, int notify_fd);

}  // namespace ocistart::os
