#include "linux/seccomp_listener.h"

#include <simdjson.h>

#include <cerrno>
#include <cstdint>
#include <limits>

#include "build_config.h"
#include "util/fd_passing.h"
#include "util/json_writer.h"

namespace ocistart::os {
namespace {

// The name of the one fd sent, at its index in SCM_RIGHTS (runtime-spec config-linux.md).
constexpr std::string_view kSeccompFdName = "seccompFd";

std::string listener_context(const std::string& path) {
  return "seccomp listenerPath `" + path + "`";
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

std::string container_process_state_json(int pid, std::string_view metadata,
                                         std::string_view state_json) {
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

util::Result<int> state_pid(std::string_view state_json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(state_json);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS)
    return util::make_error("container state: invalid JSON", EINVAL);
  int64_t pid = 0;
  if (doc["pid"].get_int64().get(pid) != simdjson::SUCCESS || pid <= 0 ||
      pid > std::numeric_limits<int>::max())
    return util::make_error("container state: `pid` is not a process id", EINVAL);
  return static_cast<int>(pid);
}

util::Result<util::UniqueFd> connect_listener(const std::string& path) {
  return util::connect_unix(path, listener_context(path));
}

util::Status send_to_listener(int conn, const std::string& path, std::string_view message,
                              int notify_fd) {
  // A stream socket may take a long message in parts; the fd travels with the first.
  size_t sent = 0;
  while (sent < message.size()) {
    ssize_t n = util::send_with_fd(conn, message.data() + sent, message.size() - sent,
                                   sent == 0 ? notify_fd : -1);
    if (n < 0)
      return util::errno_error("send the seccomp fd to " + listener_context(path));
    sent += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace ocistart::os
