// Passing a file descriptor over a unix socket (SCM_RIGHTS).
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace ocistart::util {

/// Sends `size` bytes (at least one) from `data` over the unix socket `sock` and, when
/// `fd` >= 0, `fd` with them as SCM_RIGHTS. Retries EINTR; MSG_NOSIGNAL, so a closed peer
/// is EPIPE, never SIGPIPE. Returns the bytes sent, or -1 with errno. Allocates nothing:
/// async-signal-safe, usable in forked children.
ssize_t send_with_fd(int sock, const void* data, size_t size, int fd) noexcept;

}  // namespace ocistart::util
