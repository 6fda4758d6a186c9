// The container's terminal: a pty pair taken from the container's own devpts instance
// (so /proc/self/fd/0 inside reads /dev/pts/N, and the slave's group is the mount's
// gid=5), never from the host's /dev/ptmx.
#pragma once

#include <optional>
#include <string>

#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

struct Pty {
  util::UniqueFd master;   // O_CLOEXEC
  util::UniqueFd slave;    // O_CLOEXEC, not yet anyone's controlling terminal
  std::string slave_path;  // "/dev/pts/N", as the container sees it
};

/// Opens a pty pair through `ptmx`, an O_PATH fd of what the container calls /dev/ptmx
/// (resolved by the caller inside the container's root). The container controls that
/// path: the fd must name a character device 5:2 (the ptmx node, or devpts' own), else
/// EPERM, so a FIFO or another device planted there is never opened. The slave is opened
/// from the master (TIOCGPTPEER), never by path. Safe in the init and exec's child.
[[nodiscard]] util::Result<Pty> open_pty(int ptmx);

/// Makes `slave` stdin, stdout and stderr of the calling process and its controlling
/// terminal (the caller is a session leader), with `size` set first when given.
[[nodiscard]] util::Status attach_pty_slave(int slave, const std::optional<spec::ConsoleSize>& size);

/// runc's rule for a non-root process: it must be able to reopen its own stdio (its pty,
/// an engine's pipe, as /dev/stdout). Each of fds 0-2 that is a FIFO or a socket, or a pty
/// slave when `own_terminal` (the process.terminal pty the runtime made), and is not owned
/// by `uid` is chowned to `uid`, keeping its group. Regular files and other devices (the
/// caller's own terminal, /dev/null) are never touched. EINVAL, EPERM and EROFS (an id not
/// mapped, a read-only /dev) are ignored, as runc does.
[[nodiscard]] util::Status give_stdio_to(uid_t uid, bool own_terminal);

}  // namespace ocistart::os
