// Terminals: the console socket hand-off, window sizes, raw mode, and the pty proxy.
#pragma once

#include <cstdint>
#include <string>

#include <termios.h>

#include "util/result.h"

namespace ocistart::runtime {

/// Connects to the AF_UNIX stream socket at `socket_path` and sends `master` with
/// SCM_RIGHTS (with the pty's name as the payload, as runc does), then closes the
/// connection. Errors name the socket.
[[nodiscard]] util::Status send_console_fd(const std::string& socket_path, int master);

/// TIOCSWINSZ on `fd`.
[[nodiscard]] util::Status set_window_size(int fd, uint32_t height, uint32_t width);

/// Copies the window size of terminal `from` (our stdin) to `to` (the pty master).
void copy_window_size(int from, int to);

/// Puts a terminal in raw mode while alive; restores the saved mode on destruction.
/// Does nothing when `fd` is not a terminal.
class RawMode {
 public:
  explicit RawMode(int fd);
  ~RawMode();
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_ = -1;
  bool active_ = false;
  struct termios saved_ {};
};

/// Copies what is readable on `from` to `to` (one read, all of it written; EAGAIN is
/// fine). Returns false on EOF or an error of `from` (the caller stops watching it).
bool pump(int from, int to);

}  // namespace ocistart::runtime
