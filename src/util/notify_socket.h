// The sd_notify datagram protocol without libsystemd: the address in $NOTIFY_SOCKET (a
// path, or `@name` for the abstract namespace), sending one message to it, and a bound
// datagram socket that receives such messages (run --notify=container relays them).
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <string>
#include <string_view>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::util {

/// A unix socket address and its length for connect/sendto/bind.
struct UnixAddress {
  struct sockaddr_un addr {};
  socklen_t length = 0;
};

/// $NOTIFY_SOCKET's syntax as sd_notify reads it: an absolute path, or `@name` (abstract:
/// the `@` becomes the leading NUL byte). EINVAL for anything else (relative, empty, or
/// systemd's newer `vsock:` addresses), ENAMETOOLONG when it does not fit sockaddr_un.
[[nodiscard]] Result<UnixAddress> notify_address(std::string_view text);

/// Sends `message` as one datagram to `address` (notify_address syntax) from a fresh
/// SOCK_DGRAM socket, without credentials or fds. Errors name the address.
[[nodiscard]] Status send_notify(std::string_view address, std::string_view message);

/// A SOCK_DGRAM socket (CLOEXEC, NONBLOCK) bound at the absolute `path`, which must not
/// exist; the socket file gets `mode` (bind follows the umask). A path longer than
/// sockaddr_un holds is bound through its directory's /proc/self/fd link. Errors name
/// the path.
[[nodiscard]] Result<UniqueFd> bind_datagram_socket(const std::string& path, mode_t mode);

}  // namespace ocistart::util
