#include "runtime/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/unique_fd.h"
#include "util/fd_passing.h"

namespace ocistart::runtime {

util::Status send_console_fd(const std::string& socket_path, int master) {
  char name[64] = "/dev/console";
  (void)::ptsname_r(master, name, sizeof name);
  return util::send_fd_to_path(socket_path, name, master, "console socket `" + socket_path + "`");
}

util::Status set_window_size(int fd, uint32_t height, uint32_t width) {
  struct winsize ws {};
  ws.ws_row = static_cast<unsigned short>(height);
  ws.ws_col = static_cast<unsigned short>(width);
  if (::ioctl(fd, TIOCSWINSZ, &ws) < 0)
    return util::errno_error("set the window size");
  return {};
}

void copy_window_size(int from, int to) {
  struct winsize ws {};
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0)
    (void)::ioctl(to, TIOCSWINSZ, &ws);
}

RawMode::RawMode(int fd) : fd_(fd) {
  if (!::isatty(fd) || ::tcgetattr(fd, &saved_) < 0)
    return;
  struct termios raw = saved_;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd, TCSANOW, &raw) == 0)
    active_ = true;
}

RawMode::~RawMode() {
  if (active_)
    (void)::tcsetattr(fd_, TCSANOW, &saved_);
}

bool pump(int from, int to) {
  char buf[16384];
  ssize_t n;
  do {
    n = ::read(from, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    return errno == EAGAIN;
  if (n == 0)
    return false;
  const char* p = buf;
  size_t left = static_cast<size_t>(n);
  while (left > 0) {
    ssize_t w = ::write(to, p, left);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return true;  // the other side went away: drop the data, keep reading
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace ocistart::runtime
