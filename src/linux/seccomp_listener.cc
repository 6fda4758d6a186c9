#include "linux/seccomp_listener.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "build_config.h"
#include "util/fd_passing.h"
#include "util/json_writer.h"

namespace ocistart::os {
namespace {

using util::Status;

// The name of the one fd sent, at its index in SCM_RIGHTS (runtime-spec config-linux.md).
constexpr std::string_view kSeccompFdName = "seccompFd";

std::string listener_context(const std::string& path) { return "seccomp listenerPath `" + path + "`"; }

// The fd numbered `fd` in process `pid`, duplicated into ours (O_CLOEXEC).
util::Result<util::UniqueFd> take_fd(int pid, int fd) {
  util::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd)
    return util::errno_error("pidfd_open " + std::to_string(pid));
  util::UniqueFd taken(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
  if (!taken)
    return util::errno_error("pidfd_getfd " + std::to_string(fd) + " of " + std::to_string(pid));
  return taken;
}

}  // namespace

bool has_notify_rule(const spec::Seccomp& seccomp) {
  for (const spec::SeccompSyscall& call : seccomp.syscalls)
    if (call.action == "SCMP_ACT_NOTIFY" && !call.names.empty())
      return true;
  return false;
}

const spec::Seccomp* notify_listener(const spec::Linux* linux_config) {
  if (linux_config == nullptr || !linux_config->seccomp)
    return nullptr;
  const spec::Seccomp& seccomp = *linux_config->seccomp;
  return !seccomp.listener_path.empty() && has_notify_rule(seccomp) ? &seccomp : nullptr;
}

std::string container_process_state_json(int pid, std::string_view metadata, std::string_view state_json) {
  util::JsonWriter w;
  w.begin_object();
  w.member("ociVersion", OCISTART_OCI_VERSION);
  w.key("fds").begin_array().value(kSeccompFdName).end_array();
  w.member("pid", pid);
  if (!metadata.empty())
    w.member("metadata", metadata);
  w.key("state").raw(state_json);
  w.end_object();
  return std::move(w).str();
}

util::Result<util::UniqueFd> connect_listener(const spec::Seccomp* seccomp) {
  if (seccomp == nullptr)
    return util::UniqueFd();
  return util::connect_unix(seccomp->listener_path,
                            "failed to connect with seccomp agent specified in the seccomp profile: " +
                                listener_context(seccomp->listener_path));
}

util::Status send_to_listener(int conn, const std::string& path, std::string_view message, int notify_fd) {
  // A stream socket may take a long message in parts; the fd travels with the first.
  size_t sent = 0;
  while (sent < message.size()) {
    ssize_t n = util::send_with_fd(conn, message.data() + sent, message.size() - sent, sent == 0 ? notify_fd : -1);
    if (n < 0)
      return util::errno_error("send the seccomp fd to " + listener_context(path));
    sent += static_cast<size_t>(n);
  }
  return {};
}

Status hand_listener_to_parent(SyncChannel& sync, util::UniqueFd listener) {
  if (Status s = sync.write_message(SyncKind::seccomp_fd, listener.get()); !s)
    return s;
  util::Result<SyncMessage> taken = sync.expect(SyncKind::seccomp_taken);
  return taken ? Status{} : Status{std::move(taken).error()};
}

Status forward_listener(SyncChannel& sync, int pid, util::UniqueFd conn, const spec::Seccomp& seccomp,
                        std::string_view state_json) {
  util::Result<SyncMessage> m = sync.expect(SyncKind::seccomp_fd);
  if (!m)
    return std::move(m).error();
  util::Result<util::UniqueFd> listener = take_fd(pid, m->value);
  if (!listener)
    return std::move(listener).error().wrap("take the seccomp listener fd");
  std::string message = container_process_state_json(pid, seccomp.listener_metadata, state_json);
  if (Status s = send_to_listener(conn.get(), seccomp.listener_path, message, listener->get()); !s)
    return s;
  conn.reset();
  listener->reset();
  return sync.send(SyncKind::seccomp_taken);
}

}  // namespace ocistart::os
