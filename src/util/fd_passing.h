// Passing a file descriptor over a unix socket (SCM_RIGHTS).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::util {

/// Sends `size` bytes (at least one) from `data` over the unix socket `sock` and, when
/// `fd` >= 0, `fd` with them as SCM_RIGHTS. Retries EINTR; MSG_NOSIGNAL, so a closed peer
/// is EPIPE, never SIGPIPE. Returns the bytes sent, or -1 with errno. Allocates nothing:
/// async-signal-safe, usable in forked children.
ssize_t send_with_fd(int sock, const void* data, size_t size, int fd) noexcept;

/// A SOCK_STREAM socket (O_CLOEXEC) connected to the unix socket at `path`. Errors name
/// `what` (e.g. "console socket `/run/x.sock`: connect: Connection refused"); a path too
/// long for sockaddr_un is ENAMETOOLONG. No EINTR retry: an interrupted connect goes on in
/// the background.
[[nodiscard]] Result<UniqueFd> connect_unix(const std::string& path, const std::string& what);

/// connect_unix, then sends `payload` (not empty) with `fd` (SCM_RIGHTS): how
/// --console-socket and --pidfd-socket hand an fd over. Errors name `what`.
[[nodiscard]] Status send_fd_to_path(const std::string& path, std::string_view payload, int fd,
                                     const std::string& what);

}  // namespace ocistart::util
